"""Multi-start local optimization shared by every lawlib fitter.

Two engines:

- ``"batched"`` (default): BFGS run on all starts at once, one objective call
  per iteration for every start still moving, with a backtracking (Armijo) line
  search; then the best end point is polished by scipy's L-BFGS-B with tight
  tolerances, which decides ``converged`` and ``message``.
- ``"scipy"``: one ``scipy.optimize.minimize(method="L-BFGS-B")`` per start, as
  most replications do. With ``options=SCIPY_DEFAULTS`` it reproduces their
  stopping behavior exactly, early stops included.

Tolerances are tight on purpose: scipy's default ``ftol`` is relative with a
floor of 1, so an objective far below 1 (a Huber loss with delta = 1e-3 is
about 1e-3) makes the default test effectively absolute and stops the run
early. The chapter *Fitting power laws* shows the effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from .errors import ValidationError

#: L-BFGS-B options used by default: see the module docstring for why.
TOLERANCES = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000}
#: Settings of the batched engine: merge starts that share a cell of width 0.02
#: (in the optimizer's coordinates) and stop starts stuck at twice the best objective.
BATCHED = {"max_iter": 400, "rtol": 1e-10, "max_step": 1.0, "merge": 0.02, "abandon": 2.0}
#: scipy's own L-BFGS-B defaults, for reproducing replications that used them.
SCIPY_DEFAULTS = {"ftol": 2.220446049250313e-09, "gtol": 1e-05, "maxiter": 15000}


@dataclass(frozen=True)
class MultistartOutcome:
    """What a multi-start run found.

    Attributes
    ----------
    x : ndarray, shape (P,)
        Best end point.
    value : float
        Objective at `x`.
    converged : bool
        Whether the best start met the optimizer's stopping test.
    message : str
        The optimizer's message for the best start.
    start_values : ndarray, shape (S,)
        Objective where each start stopped (with the batched engine, starts
        merged into another take its end; abandoned starts keep where they
        stopped).
    end_points : ndarray, shape (S, P)
        Final point reached from each start.
    notes : list of str
        Cautions found after the run (optimum on a bound, tied optima).
    engine : str
        The engine that actually ran (``"scipy"`` whenever bounds were given).
    nfev, nit : int
        Function evaluations and iterations of the final local run.

    References
    ----------
    J. Nocedal and S. J. Wright (2006), *Numerical Optimization*, 2nd ed., ch. 6 (BFGS);
    R. H. Byrd et al. (1995), "A Limited Memory Algorithm for Bound Constrained Optimization" (L-BFGS-B).
    """

    x: np.ndarray
    value: float
    converged: bool
    message: str
    start_values: np.ndarray
    end_points: np.ndarray
    notes: list[str] = field(default_factory=list)
    engine: str = "scipy"
    nfev: int = 0
    nit: int = 0


def batched_bfgs(
    objective,
    starts,
    *,
    max_iter: int = 400,
    rtol: float = 1e-12,
    max_halvings: int = 60,
    max_step: float = 1.0,
    merge: float = 0.0,
    merge_every: int = 5,
    abandon: float = np.inf,
):
    """Run BFGS from every row of `starts` at once.

    Parameters
    ----------
    objective : callable
        ``objective(theta, rows) -> (values, grads)`` for theta of shape (m, P)
        holding the current points of starts `rows` (indices into `starts`),
        so that each start may carry its own data (as bootstrap resamples do).
    starts : ndarray, shape (S, P)
    max_iter : int
        Iterations at most per start.
    rtol : float
        A start stops once an accepted step lowers its objective by less than
        ``rtol * |f|``, or its gradient vanishes.
    max_halvings : int
        Backtracking steps before a start is declared stuck.
    max_step : float
        Largest change of any coordinate in one iteration (flat stretches of a
        Huber loss otherwise invite huge steps that are then halved many times).

    abandon : float
        A start whose objective exceeds `abandon` times the best so far, and
        which lowered it by less than 1e-5 of itself in the last iteration, is
        stopped where it is: it is stuck in a worse valley.
    merge : float
        When positive, every `merge_every` iterations starts whose points
        round to the same cell of this width share one basin: only the lowest
        keeps moving, and the others take its end point.

    Returns
    -------
    x : ndarray, shape (S, P)
    f : ndarray, shape (S,)
    converged : ndarray of bool, shape (S,)
        True where the start stopped by its own test (objective no longer
        decreasing, or no step lowering it at machine precision); False where
        it ran out of iterations or was abandoned.

    References
    ----------
    J. Nocedal and S. J. Wright (2006), *Numerical Optimization*, 2nd ed., ch. 6 (BFGS);
    R. H. Byrd et al. (1995), "A Limited Memory Algorithm for Bound Constrained Optimization" (L-BFGS-B).
    """
    x = np.array(starts, dtype=float)
    n_starts, n_params = x.shape
    f, g = objective(x, np.arange(n_starts))
    eye = np.eye(n_params)
    # First step: 0.1 along the steepest descent direction, in parameter units.
    scale = 0.1 / np.maximum(np.linalg.norm(g, axis=1), 1e-300)
    hessian_inv = eye[None] * scale[:, None, None]
    fresh = np.ones(n_starts, dtype=bool)  # no curvature pair seen yet
    active = np.isfinite(f)
    converged = np.zeros(n_starts, dtype=bool)
    leader = np.arange(n_starts)
    for iteration in range(max_iter):
        if merge > 0 and iteration % merge_every == merge_every - 1:
            idx = np.flatnonzero(active)
            order = idx[np.argsort(f[idx], kind="stable")]
            _, first = np.unique(np.round(x[order] / merge), axis=0, return_index=True)
            keep = np.zeros(n_starts, dtype=bool)
            keep[order[first]] = True
            cell = {
                tuple(k): order[i]
                for k, i in zip(np.round(x[order[first]] / merge), first, strict=True)
            }
            for i in idx[~keep[idx]]:
                leader[i] = cell[tuple(np.round(x[i] / merge))]
            active[idx[~keep[idx]]] = False
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        direction = -np.einsum("sij,sj->si", hessian_inv[idx], g[idx])
        slope = np.einsum("si,si->s", g[idx], direction)
        uphill = slope >= 0  # lost positive definiteness: restart from steepest descent
        if uphill.any():
            hessian_inv[idx[uphill]] = eye * scale[idx[uphill], None, None]
            direction[uphill] = -g[idx[uphill]] * scale[idx[uphill], None]
            slope[uphill] = np.einsum("si,si->s", g[idx[uphill]], direction[uphill])
        step = np.minimum(1.0, max_step / np.maximum(np.abs(direction).max(axis=1), 1e-300))
        new_x, new_f, new_g = x[idx].copy(), f[idx].copy(), g[idx].copy()
        accepted = np.zeros(idx.size, dtype=bool)
        pending = np.arange(idx.size)
        for _ in range(max_halvings):
            trial = x[idx[pending]] + step[pending, None] * direction[pending]
            f_trial, g_trial = objective(trial, idx[pending])
            ok = np.isfinite(f_trial) & (
                f_trial <= f[idx[pending]] + 1e-4 * step[pending] * slope[pending]
            )
            done = pending[ok]
            new_x[done], new_f[done], new_g[done] = trial[ok], f_trial[ok], g_trial[ok]
            accepted[done] = True
            pending = pending[~ok]
            if pending.size == 0:
                break
            step[pending] *= 0.5
        stuck = idx[~accepted]  # no step lowers f: a minimum to machine precision
        active[stuck] = False
        converged[stuck] = True
        moved = idx[accepted]
        s = new_x[accepted] - x[moved]
        y = new_g[accepted] - g[moved]
        decrease = f[moved] - new_f[accepted]
        x[moved], f[moved], g[moved] = new_x[accepted], new_f[accepted], new_g[accepted]
        curvature = np.einsum("si,si->s", s, y)
        usable = curvature > 1e-12 * np.linalg.norm(s, axis=1) * np.linalg.norm(y, axis=1)
        first = usable & fresh[moved]
        if first.any():  # Nocedal & Wright (6.20): scale before the first update
            gamma = curvature[first] / np.einsum("si,si->s", y[first], y[first])
            hessian_inv[moved[first]] = eye * gamma[:, None, None]
            fresh[moved[first]] = False
        rho = np.where(usable, 1.0 / np.where(usable, curvature, 1.0), 0.0)
        left = eye - rho[:, None, None] * s[:, :, None] * y[:, None, :]
        updated = (
            left @ hessian_inv[moved] @ left.transpose(0, 2, 1)
            + rho[:, None, None] * s[:, :, None] * s[:, None, :]
        )
        hessian_inv[moved[usable]] = updated[usable]
        settled = (decrease <= rtol * np.abs(f[moved])) | (np.abs(g[moved]).max(axis=1) == 0)
        stalled = np.zeros(moved.size, dtype=bool)
        if np.isfinite(abandon):
            stalled = (f[moved] > abandon * np.nanmin(f)) & (decrease < 1e-5 * np.abs(f[moved]))
        active[moved[settled | stalled]] = False
        converged[moved[settled]] = True
    while np.any(leader[leader] != leader):  # follow chains of merges to their end
        leader = leader[leader]
    return x[leader], f[leader], converged[leader]


def _confirm(run, local, maxiter):
    """Decide whether `run` converged; retry once after a failed line search.

    With tight tolerances L-BFGS-B may stop with an abnormal line search at a
    point where no step decreases the objective in floating point. A restart
    from that point (fresh curvature memory) tells the two cases apart: it
    either converges, or it cannot lower the objective either, which means the
    point is a minimum to machine precision.
    """
    if run.success or run.nit >= maxiter:
        return run, bool(run.success), str(run.message)
    retry = local(run.x)
    if retry.success:
        return retry, True, str(retry.message)
    if retry.fun >= run.fun - 1e-12 * abs(run.fun):
        return (
            run,
            True,
            "no step lowers the objective further (line search stopped at machine precision)",
        )
    return retry, False, str(retry.message)


def multistart(
    objective, starts, *, bounds=None, names=None, tie_rtol=1e-6, options=None, engine="batched"
):
    """Minimize `objective` from every row of `starts`; keep the best end point.

    Parameters
    ----------
    objective : callable
        ``objective(theta, rows) -> (values, grads)`` for a batch ``theta`` of
        shape (m, P), returning shapes (m,) and (m, P); `rows` (ignored here)
        are the indices of the starts evaluated, as in :func:`batched_bfgs`.
    starts : array_like, shape (S, P)
        Starting points.
    bounds : sequence of (low, high), optional
        Box bounds per parameter (None for unbounded); forces the scipy engine.
    names : sequence of str, optional
        Parameter names, used in notes.
    tie_rtol : float
        Starts ending within this relative distance of the best objective but
        at a different point (any coordinate off by more than 1%) are reported
        as a tie in `notes`.
    options : dict, optional
        L-BFGS-B options; defaults to :data:`TOLERANCES`.
    engine : {"batched", "scipy"}
        How to run the starts (see the module docstring).

    Returns
    -------
    MultistartOutcome

    References
    ----------
    J. Nocedal and S. J. Wright (2006), *Numerical Optimization*, 2nd ed., ch. 6 (BFGS);
    R. H. Byrd et al. (1995), "A Limited Memory Algorithm for Bound Constrained Optimization" (L-BFGS-B).
    """
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    names = list(names) if names is not None else [f"x{i}" for i in range(starts.shape[1])]
    options = {**TOLERANCES, **(options or {})}
    if engine not in ("batched", "scipy"):
        raise ValidationError(
            [f"engine must be 'batched' or 'scipy', got {engine!r}"], "multistart"
        )

    def scalar(theta):
        value, grad = objective(theta[None, :], None)
        return float(value[0]), grad[0]

    def local(x0):
        return minimize(scalar, x0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)

    if bounds is not None:
        engine = "scipy"  # the batched engine is unbounded
    if engine == "scipy":
        runs = [local(s) for s in starts]
        ends = np.array([run.x for run in runs])
        values = np.array([run.fun for run in runs])
        best = int(np.nanargmin(values))
        run, converged, message = _confirm(runs[best], local, options["maxiter"])
    else:
        ends, values, _ = batched_bfgs(objective, starts, **BATCHED)
        best = int(np.nanargmin(values))
        run, converged, message = _confirm(local(ends[best]), local, options["maxiter"])
        ends[best], values[best] = run.x, run.fun
    notes = []
    if bounds is not None:
        on_bound = [
            names[i]
            for i, (low, high) in enumerate(bounds)
            if (low is not None and np.isclose(run.x[i], low))
            or (high is not None and np.isclose(run.x[i], high))
        ]
        if on_bound:
            notes.append(
                f"the best fit sits on a bound for {', '.join(on_bound)}; widen the bounds or doubt the fit"
            )
    near = np.abs(values - run.fun) <= tie_rtol * max(abs(run.fun), np.finfo(float).tiny)
    scale = np.maximum(np.abs(run.x), 1e-8)
    apart = np.any(np.abs(ends - run.x) > 0.01 * scale, axis=1) & near
    if apart.any():
        notes.append(
            f"{int(apart.sum())} other starts reach the best objective within a relative {tie_rtol:g} "
            "at different parameters: the optimum is not well identified"
        )
    return MultistartOutcome(
        x=run.x,
        value=float(run.fun),
        converged=converged,
        message=message,
        start_values=values,
        end_points=ends,
        notes=notes,
        engine=engine,
        nfev=int(getattr(run, "nfev", 0)),
        nit=int(getattr(run, "nit", 0)),
    )
