"""Multi-start local optimisation shared by every lawlib fitter.

Each start runs L-BFGS-B with the analytic gradient. The tolerances are tight
on purpose: scipy's default ``ftol`` is relative with a floor of 1, so an
objective far below 1 (a Huber loss with delta = 1e-3 is about 1e-3) makes the
default test effectively absolute and stops the run early. The chapter
*Fitting power laws* shows the effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

#: L-BFGS-B options used by default: see the module docstring for why.
TOLERANCES = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000}


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
        Whether the best start met the optimiser's stopping test.
    message : str
        The optimiser's message for the best start.
    start_values : ndarray, shape (S,)
        Final objective reached from each start.
    end_points : ndarray, shape (S, P)
        Final point reached from each start.
    notes : list of str
        Cautions found after the run (optimum on a bound, tied optima).
    """

    x: np.ndarray
    value: float
    converged: bool
    message: str
    start_values: np.ndarray
    end_points: np.ndarray
    notes: list[str] = field(default_factory=list)


def _confirm(run, local):
    """Decide whether `run` converged; retry once after a failed line search.

    With tight tolerances L-BFGS-B may stop with an abnormal line search at a
    point where no step decreases the objective in floating point. A restart
    from that point (fresh curvature memory) tells the two cases apart: it
    either converges, or it cannot lower the objective either, which means the
    point is a minimum to machine precision.
    """
    if run.success or run.nit >= TOLERANCES["maxiter"]:
        return run, bool(run.success), str(run.message)
    retry = local(run.x)
    if retry.success:
        return retry, True, str(retry.message)
    if retry.fun >= run.fun - 1e-12 * abs(run.fun):
        return run, True, "no step lowers the objective further (line search stopped at machine precision)"
    return retry, False, str(retry.message)


def multistart(objective, starts, *, bounds=None, names=None, tie_rtol=1e-6, options=None):
    """Minimise `objective` from every row of `starts`; keep the best end point.

    Parameters
    ----------
    objective : callable
        ``objective(theta) -> (values, grads)`` for a batch ``theta`` of shape
        (S, P), returning shapes (S,) and (S, P).
    starts : array_like, shape (S, P)
        Starting points.
    bounds : sequence of (low, high), optional
        Box bounds per parameter (None for unbounded).
    names : sequence of str, optional
        Parameter names, used in notes.
    tie_rtol : float
        Starts ending within this relative distance of the best objective but
        at a different point (any coordinate off by more than 1%) are reported
        as a tie in `notes`.
    options : dict, optional
        L-BFGS-B options; defaults to :data:`TOLERANCES`.

    Returns
    -------
    MultistartOutcome
    """
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    names = list(names) if names is not None else [f"x{i}" for i in range(starts.shape[1])]
    options = {**TOLERANCES, **(options or {})}

    def scalar(theta):
        value, grad = objective(theta[None, :])
        return float(value[0]), grad[0]

    def local(x0):
        return minimize(scalar, x0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)

    runs = [local(s) for s in starts]
    values = np.array([run.fun for run in runs])
    ends = np.array([run.x for run in runs])
    best = int(np.nanargmin(values))
    run, converged, message = _confirm(runs[best], local)
    notes = []
    if bounds is not None:
        on_bound = [
            names[i] for i, (low, high) in enumerate(bounds)
            if (low is not None and np.isclose(run.x[i], low)) or (high is not None and np.isclose(run.x[i], high))
        ]
        if on_bound:
            notes.append(f"the best fit sits on a bound for {', '.join(on_bound)}; widen the bounds or doubt the fit")
    near = np.abs(values - values[best]) <= tie_rtol * max(abs(values[best]), np.finfo(float).tiny)
    scale = np.maximum(np.abs(run.x), 1e-8)
    apart = np.any(np.abs(ends - run.x) > 0.01 * scale, axis=1) & near
    if apart.any():
        notes.append(
            f"{int(apart.sum())} other starts reach the best objective within a relative {tie_rtol:g} "
            "at different parameters: the optimum is not well identified"
        )
    return MultistartOutcome(
        x=run.x, value=float(run.fun), converged=converged, message=message,
        start_values=values, end_points=ends, notes=notes,
    )
