"""Scaling laws for data filtering (Goyal et al. 2024): utility that decays with repetition.

A pool of ``size`` samples has utility ``b < 0`` (more negative: more useful)
and a repetition half-life ``tau`` in epochs: on its j-th repeat (j = 0 is the
first pass) a sample has utility ``b_j = b 0.5**(j / tau)``. Error after n
samples seen is a product over epochs. Two forms are implemented, under names
that say which is which:

- :func:`error_code_form`, the released code (``locuslab/scaling_laws_data_filtering``,
  ``objective.py`` at cf5ced1): the irreducible error d is *inside* the epoch
  product, and the scale ``a`` sits inside the power, ``(a n / 1e5)**b``.
  The released parameters were fitted with this form.
- :func:`error_paper_form`, the paper's description: ``d`` added outside,
  ``a`` a multiplicative scale, ``y = a n**b ... + d``.

Units: n in samples seen, error as a fraction (1 - accuracy). Derived in the
Part III chapter *Quality versus quantity*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .optimize import multistart
from .result import FitResult
from .validation import check_columns, check_design, take_columns

#: The released code divides samples by this before scaling (``normalizer`` in objective.py).
NORMALIZER = 1e5


@dataclass(frozen=True)
class Pool:
    """A data pool: ``size`` samples whose utility decays with repetition.

    Parameters
    ----------
    components : tuple of (b, tau, weight)
        Utility exponent (< 0), half-life [epochs] and weight of each part; a
        single pool has one part of weight 1. Combined pools average their parts.
    size : float
        Samples in the pool.
    name : str

    Examples
    --------
    >>> top10 = Pool.single(b=-0.16, tau=6.7273, size=12.8e6, name="Top 10%")
    >>> round(float(top10.utility(1)), 4)
    -0.1443
    """

    components: tuple
    size: float
    name: str = ""

    @classmethod
    def single(cls, b: float, tau: float, size: float, name: str = "") -> Pool:
        """A pool with one utility ``b`` and half-life ``tau``."""
        if b >= 0 or tau <= 0 or size <= 0:
            raise ValueError(
                f"a pool needs b < 0, tau > 0 and size > 0; got b={b!r}, tau={tau!r}, size={size!r}"
            )
        return cls(components=((float(b), float(tau), 1.0),), size=float(size), name=name)

    def utility(self, j):
        """Utility on repeat j (0 = first pass): ``sum_i w_i b_i 0.5**(j / tau_i)``."""
        j = np.asarray(j, dtype=float)
        return sum(w * b * 0.5 ** (j / tau) for b, tau, w in self.components)


def combine_pools(pools, name: str = "") -> Pool:
    """Sample p equal-size pools uniformly: one pool of p times the size.

    Goyal et al.'s theorem, as the released code implements it: each part's
    half-life becomes ``p tau`` (a sample of one pool now recurs every p epochs
    of the combined pool) and the utility is the equal-weight mean of the parts.

    Parameters
    ----------
    pools : sequence of Pool
        Pools of equal size.
    name : str

    Returns
    -------
    Pool
    """
    pools = list(pools)
    if not pools:
        raise ValueError("combine_pools needs at least one pool")
    sizes = {pool.size for pool in pools}
    if len(sizes) > 1:
        raise ValueError(
            f"combine_pools needs pools of equal size (the theorem's assumption), got sizes {sorted(sizes)}"
        )
    p = len(pools)
    parts = tuple((b, p * tau, w / p) for pool in pools for b, tau, w in pool.components)
    return Pool(
        components=parts,
        size=p * pools[0].size,
        name=name or " + ".join(pool.name for pool in pools),
    )


def _epoch_factors(pool: Pool, n, scale: float):
    """First-pass term and the product of per-epoch factors, for samples seen n (array).

    The product ``prod_{j>=1} (min(S (j+1), n) / (S j))**b_j`` is summed in logs:
    repeats before the last one seen are complete (a cumulative sum over j), the
    last one is partial. Its cost grows with the largest epoch count, not with
    that count times the number of points.
    """
    n = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(n <= 0):
        raise ValueError("samples seen n must be positive")
    first = (scale * np.minimum(n, pool.size)) ** pool.utility(0)
    epochs = np.ceil(n / pool.size).astype(np.int64)  # passes touched by n samples, at least 1
    repeats = np.arange(1, max(int(epochs.max()), 2))  # j = 1 .. largest repeat touched
    complete = np.concatenate([[0.0], np.cumsum(pool.utility(repeats) * np.log1p(1.0 / repeats))])
    last = np.maximum(epochs - 1, 1)  # the repeat in progress (unused where epochs == 1)
    partial = pool.utility(last) * np.log(n / (pool.size * last))
    log_product = np.where(epochs >= 2, complete[np.maximum(epochs - 2, 0)] + partial, 0.0)
    return first, np.exp(log_product)


def error_code_form(pool: Pool, n, a: float, d: float):
    """Error after n samples, as the released code computes it (``func_effective_utility``).

    ``y(n) = [(a u_0)**b_0 + d] * prod_{j>=1} (u_j / l_j)**b_j`` with
    ``u_j = min(S (j+1), n) / 1e5`` and ``l_j = S j / 1e5`` (the ratio does not
    depend on the normaliser); d is inside the product.

    Parameters
    ----------
    pool : Pool
    n : array_like
        Samples seen.
    a : float
        The code's shared scale (``best_a``; 0.025 in the released ImageNet fit).
    d : float
        The code's d (0.1 in the released fit).
    """
    first, product = _epoch_factors(pool, n, a / NORMALIZER)
    return (first + d) * product


def error_paper_form(pool: Pool, n, a: float, d: float):
    """Error after n samples in the paper's form: ``a n**b_0 prod_{j>=1} (n_j / n_{j-1})**b_j + d``.

    Here `a` multiplies. For a single pool, the code form's scale corresponds to
    ``a = (a_code / 1e5)**b`` (see :func:`paper_scale`).
    """
    first, product = _epoch_factors(pool, n, 1.0)
    return a * first * product + d


def effective_samples(pool: Pool, n):
    """Fresh samples (at the first-pass utility b_0) worth as much as n samples of the repeated pool.

    Solves ``n_eff**b_0 = min(n, S)**b_0 prod_j (n_j / n_{j-1})**b_j`` for n_eff:
    the reducible error of the paper's form after n samples equals that of n_eff
    fresh samples. Equal to n within the first pass; the filtering law's
    counterpart of Muennighoff et al.'s effective data.
    """
    first, product = _epoch_factors(pool, n, 1.0)
    return np.exp(np.log(first * product) / pool.utility(0))


def paper_scale(a_code: float, pool: Pool) -> float:
    """The paper-form scale equivalent to the code's ``a``: ``(a_code / 1e5)**b_0``."""
    return float((a_code / NORMALIZER) ** pool.utility(0))


def best_pool(candidates, n, *, a: float, d: float, form: str = "code") -> pd.DataFrame:
    """Which candidate pool gives the lowest error at each number of samples seen.

    Parameters
    ----------
    candidates : sequence of Pool
        The filtering choices, e.g. the cumulative pools Top 10%, Top 20%, ...
    n : array_like
        Samples seen (the compute budget).
    a, d : float
        Shared law parameters.
    form : {"code", "paper"}

    Returns
    -------
    DataFrame indexed by n, one error column per candidate (by name), plus
    ``best`` (the winning name) and ``best_error``: the Pareto frontier.
    """
    error = {
        "code": error_code_form,
        "paper": lambda pool, n, a, d: error_paper_form(pool, n, paper_scale(a, pool), d),
    }
    if form not in error:
        raise ValueError(f"form must be 'code' or 'paper', got {form!r}")
    n = np.atleast_1d(np.asarray(n, dtype=float))
    frame = pd.DataFrame(
        {pool.name: error[form](pool, n, a, d) for pool in candidates}, index=pd.Index(n, name="n")
    )
    frame["best"] = frame.idxmin(axis=1)
    frame["best_error"] = frame.drop(columns="best").min(axis=1)
    return frame


def switch_points(frontier: pd.DataFrame) -> pd.DataFrame:
    """Where the best pool changes along a :func:`best_pool` frontier (geometric mean of the two n)."""
    best = frontier["best"].to_numpy()
    n = frontier.index.to_numpy()
    change = np.flatnonzero(best[1:] != best[:-1])
    return pd.DataFrame(
        {"n": np.sqrt(n[change] * n[change + 1]), "from": best[change], "to": best[change + 1]}
    )


def fit_pool(
    n,
    error,
    *,
    size: float,
    a: float,
    d: float,
    b_grid=None,
    tau_grid=None,
    name: str = "",
    names=("n", "error"),
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit a pool's utility b and half-life tau to measured error, with the code form and a, d fixed.

    The released code's grid search (b on linspace(-0.005, -0.5, 100), tau on
    linspace(1, 10, 100), least squares), refined by a local optimiser from
    the best grid point.

    Parameters
    ----------
    n, error : array_like, shape (m,), or str
        Samples seen and error (fraction) at each evaluation; with `data`, the
        names of its columns.
    size : float
        Pool size [samples].
    a, d : float
        Shared scale and irreducible error, held fixed.
    b_grid, tau_grid : array_like, optional
    name : str
    names : tuple of str
    data : DataFrame, optional
        Evaluations to take `n` and `error` from by name.

    Returns
    -------
    FitResult
        ``law`` is the fitted :class:`Pool`; params ``b`` and ``tau``.
    """
    given, roles = take_columns(
        data, {"n": n, "error": error}, dict(zip(("n", "error"), names, strict=True))
    )
    names = (roles["n"], roles["error"])
    columns = check_columns(
        {names[0]: given["n"], names[1]: given["error"]}, positive=names, n_params=2, model="a pool"
    )
    cautions = check_design({names[0]: columns[names[0]]}, n_params=2, model="a pool")
    n, y = columns[names[0]], columns[names[1]]
    b_grid = np.linspace(-0.005, -0.5, 100) if b_grid is None else np.asarray(b_grid, dtype=float)
    tau_grid = np.linspace(1, 10, 100) if tau_grid is None else np.asarray(tau_grid, dtype=float)

    def sse(b, tau):
        if b >= 0 or tau <= 0:
            return np.inf
        return float(np.sum((error_code_form(Pool.single(b, tau, size), n, a, d) - y) ** 2))

    grid = np.array(list(itertools.product(b_grid, tau_grid)))
    grid_values = np.array([sse(b, tau) for b, tau in grid])
    start = grid[int(np.argmin(grid_values))]

    def objective(theta, rows=None):
        theta = np.atleast_2d(theta)
        values = np.array([sse(*row) for row in theta])
        steps = np.array([1e-7, 1e-6])
        grads = np.array(
            [
                [
                    (sse(*(row + h * unit)) - sse(*(row - h * unit))) / (2 * h)
                    for unit, h in zip(np.eye(2), steps, strict=True)
                ]
                for row in theta
            ]
        )
        return values, grads

    outcome = multistart(objective, start[None], engine="scipy", names=("b", "tau"))
    b, tau = (float(v) for v in outcome.x)
    # a refinement that never left the grid point has not refined anything
    moved = outcome.nit > 0 and not np.allclose(outcome.x, start)
    return FitResult.build(
        model="code form: y = [(a n/1e5)^b + d] prod_j (u_j / l_j)^(b 0.5^(j/tau))",
        params={"b": b, "tau": tau},
        law=Pool.single(b, tau, size, name),
        objective=outcome.value,
        definition=f"sum of squared errors over {y.size} evaluations",
        engine="grid search, then L-BFGS-B from the best grid point",
        outcome=replace(
            outcome,
            start_values=np.array([float(grid_values.min())]),
            message=outcome.message if moved else "the refinement stayed at the grid point",
        ),
        converged=moved,
        settings={
            "Pool size": size,
            "a (fixed)": a,
            "d (fixed)": d,
            "Grid": f"{b_grid.size} b x {tau_grid.size} tau",
        },
        cautions=cautions,
        n_obs=y.size,
        derived=pd.Series({"grid_b": float(start[0]), "grid_tau": float(start[1])}),
    )
