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
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .errors import ValidationError
from .law import Law
from .optimize import multistart
from .result import FitResult
from .validation import check_columns, check_design, positive_argument, take_columns
from .validation.runs import Column

#: The released code divides samples by this before scaling (``normalizer`` in objective.py).
NORMALIZER = 1e5


@dataclass(frozen=True, eq=False)
class Pool(Law):
    """A data pool of ``size`` samples whose utility on the j-th repeat is ``b * 2**(-j / tau)``.

    Called with samples seen n, the pool gives the error after n samples in the
    released code's form (:func:`error_code_form`); :meth:`error` takes either form.

    Parameters
    ----------
    components : tuple of (b, tau, weight)
        Utility exponent (< 0), half-life [epochs] and weight of each part; a
        single pool has one part of weight 1. Combined pools average their parts.
    size : float
        Samples in the pool.
    a : float
        The code form's shared scale (inside the power; 0.025 in the released ImageNet fit).
    d : float
        Irreducible error (0.1 in the released fit).
    name : str

    References
    ----------
    S. Goyal et al. (2024), "Scaling Laws for Data Filtering -- Data Curation
    cannot be Compute Agnostic", sec. 3; locuslab/scaling_laws_data_filtering
    (``objective.py`` and ``parameter_values`` at cf5ced1).

    Examples
    --------
    >>> top10 = Pool.single(b=-0.16, tau=6.7273, size=12.8e6, a=0.025, d=0.1, name="Top 10%")
    >>> round(float(top10.utility(1)), 4)
    -0.1443
    >>> round(float(Pool.published("tmars_top0to10p").params["tau"]), 4)
    6.7273
    """

    components: tuple
    size: float
    a: float
    d: float
    name: str = ""

    inputs = ("n",)
    output = "error"
    RULES: ClassVar[dict[str, str]] = {
        "b": "negative",
        "tau": "positive",
        "weight": "positive",
        "size": "positive",
        "a": "positive",
        "d": "nonnegative",
    }
    LOG_PARAMS = ("tau", "size", "a")
    PRESETS = "filtering"

    def __post_init__(self):
        super().__post_init__()
        total = sum(w for _, _, w in self.components)
        if not self.components or abs(total - 1) > 1e-9:
            raise ValidationError(
                [f"the weights of the parts must sum to 1, got {total:.6g}"], "Pool"
            )

    @classmethod
    def single(
        cls, b: float, tau: float, size: float, *, a: float, d: float, name: str = ""
    ) -> Pool:
        """A pool with one utility ``b`` and half-life ``tau``.

        Parameters
        ----------
        b, tau, size, a, d : float
        name : str

        Returns
        -------
        Pool
        """
        return cls(
            components=((float(b), float(tau), 1.0),),
            size=float(size),
            a=float(a),
            d=float(d),
            name=name,
        )

    @property
    def params(self) -> pd.Series:
        """``b, tau, size, a, d`` for a single pool; ``b[i], tau[i], weight[i]`` per part otherwise."""
        if len(self.components) == 1:
            b, tau, _ = self.components[0]
            values = {"b": b, "tau": tau}
        else:
            values = {}
            for i, (b, tau, w) in enumerate(self.components):
                values.update({f"b[{i}]": b, f"tau[{i}]": tau, f"weight[{i}]": w})
        return pd.Series({**values, "size": self.size, "a": self.a, "d": self.d}, dtype=float)

    @classmethod
    def from_params(cls, params, *, check: bool = True) -> Pool:
        """The pool from :attr:`params` (extra entries are ignored).

        Parameters
        ----------
        params : mapping or Series
        check : bool

        Returns
        -------
        Pool
        """
        params = dict(params)
        missing = [k for k in ("size", "a", "d") if k not in params]
        parts: tuple[tuple[float, float, float], ...]
        if "b" in params:
            parts = ((float(params["b"]), float(params.get("tau", np.nan)), 1.0),)
        else:
            count = sum(1 for key in params if str(key).startswith("b["))
            parts = tuple(
                (
                    float(params[f"b[{i}]"]),
                    float(params[f"tau[{i}]"]),
                    float(params[f"weight[{i}]"]),
                )
                for i in range(count)
            )
            if not parts:
                missing.append("b")
        if missing:
            raise ValidationError([f"needs {', '.join(missing)}"], "Pool")
        size, a, d = float(params["size"]), float(params["a"]), float(params["d"])
        if check:
            return cls(components=parts, size=size, a=a, d=d)
        return cls.unchecked(components=parts, size=size, a=a, d=d, name="")

    def utility(self, j: ArrayLike):
        """Utility on repeat j (0 = first pass): ``sum_i w_i b_i 0.5**(j / tau_i)``.

        Parameters
        ----------
        j : array_like
            Repeat index.

        Returns
        -------
        ndarray
        """
        j = np.asarray(j, dtype=float)
        return sum(w * b * 0.5 ** (j / tau) for b, tau, w in self.components)

    def error(self, n: ArrayLike, *, form: str = "code"):
        """Error after n samples seen: the released code's form or the paper's.

        Parameters
        ----------
        n : array_like
            Samples seen.
        form : {"code", "paper"}
            :func:`error_code_form` or :func:`error_paper_form` (with the
            paper scale equivalent to the pool's ``a``).

        Returns
        -------
        ndarray
        """
        if form == "code":
            return error_code_form(self, n)
        if form == "paper":
            return error_paper_form(self, n)
        raise ValidationError([f"form must be 'code' or 'paper', got {form!r}"], "Pool.error")


def combine_pools(pools, name: str = "") -> Pool:
    """Sample p equal-size pools uniformly: one pool of p times the size.

    Goyal et al.'s theorem, as the released code implements it: each part's
    half-life becomes ``p tau`` (a sample of one pool now recurs every p epochs
    of the combined pool) and the utility is the equal-weight mean of the parts.

    Parameters
    ----------
    pools : sequence of Pool
        Pools of equal size, sharing a and d.
    name : str

    Returns
    -------
    Pool

    References
    ----------
    S. Goyal et al. (2024), sec. 3.3 (the theorem on combining pools).
    """
    pools = list(pools)
    if not pools:
        raise ValidationError(["needs at least one pool"], "combine_pools")
    sizes = {pool.size for pool in pools}
    if len(sizes) > 1:
        raise ValidationError(
            [f"needs pools of equal size (the theorem's assumption), got sizes {sorted(sizes)}"],
            "combine_pools",
        )
    shared = {(pool.a, pool.d) for pool in pools}
    if len(shared) > 1:
        raise ValidationError(
            [f"needs pools of one law (equal a and d), got {sorted(shared)}"], "combine_pools"
        )
    p = len(pools)
    parts = tuple((b, p * tau, w / p) for pool in pools for b, tau, w in pool.components)
    return Pool(
        components=parts,
        size=p * pools[0].size,
        a=pools[0].a,
        d=pools[0].d,
        name=name or " + ".join(pool.name for pool in pools),
    )


def _epoch_factors(pool: Pool, n: ArrayLike, scale: float):
    """First-pass term and the product of per-epoch factors, for samples seen n (array).

    The product ``prod_{j>=1} (min(S (j+1), n) / (S j))**b_j`` is summed in logs:
    repeats before the last one seen are complete (a cumulative sum over j), the
    last one is partial. Its cost grows with the largest epoch count, not with
    that count times the number of points.
    """
    n = np.atleast_1d(positive_argument("n", n, "samples"))
    first = (scale * np.minimum(n, pool.size)) ** pool.utility(0)
    epochs = np.ceil(n / pool.size).astype(np.int64)  # passes touched by n samples, at least 1
    repeats = np.arange(1, max(int(epochs.max()), 2))  # j = 1 .. largest repeat touched
    complete = np.concatenate([[0.0], np.cumsum(pool.utility(repeats) * np.log1p(1.0 / repeats))])
    last = np.maximum(epochs - 1, 1)  # the repeat in progress (unused where epochs == 1)
    partial = pool.utility(last) * np.log(n / (pool.size * last))
    log_product = np.where(epochs >= 2, complete[np.maximum(epochs - 2, 0)] + partial, 0.0)
    return first, np.exp(log_product)


def error_code_form(pool: Pool, n: ArrayLike):
    """Error after n samples, as the released code computes it (``func_effective_utility``).

    ``y(n) = [(a u_0)**b_0 + d] * prod_{j>=1} (u_j / l_j)**b_j`` with
    ``u_j = min(S (j+1), n) / 1e5`` and ``l_j = S j / 1e5`` (the ratio does not
    depend on the normalizer); d is inside the product, and a and d are the pool's.

    Parameters
    ----------
    pool : Pool
    n : array_like
        Samples seen.

    Returns
    -------
    ndarray, shape of `n` (at least 1-D)

    References
    ----------
    locuslab/scaling_laws_data_filtering, ``objective.py`` at cf5ced1.
    """
    first, product = _epoch_factors(pool, n, pool.a / NORMALIZER)
    return (first + pool.d) * product


def error_paper_form(pool: Pool, n: ArrayLike, a: float | None = None):
    """Error after n samples in the paper's form: ``a n**b_0 prod_{j>=1} (n_j / n_{j-1})**b_j + d``.

    Here `a` multiplies; by default it is the paper-form scale equivalent to the
    pool's code-form ``a`` (:func:`paper_scale`); d is the pool's.

    Parameters
    ----------
    pool : Pool
    n : array_like
        Samples seen.
    a : float, optional
        The paper form's multiplicative scale.

    Returns
    -------
    ndarray

    References
    ----------
    S. Goyal et al. (2024), sec. 3.2 (eq. of the effective utility).
    """
    scale = paper_scale(pool.a, pool) if a is None else float(a)
    first, product = _epoch_factors(pool, n, 1.0)
    return scale * first * product + pool.d


def effective_samples(pool: Pool, n: ArrayLike):
    """Fresh samples (at the first-pass utility b_0) worth as much as n samples of the repeated pool.

    Solves ``n_eff**b_0 = min(n, S)**b_0 prod_j (n_j / n_{j-1})**b_j`` for n_eff:
    the reducible error of the paper's form after n samples equals that of n_eff
    fresh samples. Equal to n within the first pass; the filtering law's
    counterpart of Muennighoff et al.'s effective data.

    Parameters
    ----------
    pool : Pool
    n : array_like
        Samples seen.

    Returns
    -------
    ndarray

    References
    ----------
    S. Goyal et al. (2024), sec. 3.2.
    """
    first, product = _epoch_factors(pool, n, 1.0)
    return np.exp(np.log(first * product) / pool.utility(0))


def paper_scale(a_code: float, pool: Pool) -> float:
    """The paper-form scale equivalent to the code's ``a``: ``(a_code / 1e5)**b_0``.

    Parameters
    ----------
    a_code : float
    pool : Pool

    Returns
    -------
    float

    References
    ----------
    S. Goyal et al. (2024), "Scaling Laws for Data Filtering", sec. 3.2; the released code's ``objective.py``.
    """
    return float((a_code / NORMALIZER) ** pool.utility(0))


def best_pool(candidates, n, *, form: str = "code") -> pd.DataFrame:
    """Which candidate pool gives the lowest error at each number of samples seen.

    Parameters
    ----------
    candidates : sequence of Pool
        The filtering choices, e.g. the cumulative pools Top 10%, Top 20%, ...
    n : array_like
        Samples seen (the compute budget).
    form : {"code", "paper"}

    Returns
    -------
    DataFrame indexed by n, one error column per candidate (by name), plus
    ``best`` (the winning name) and ``best_error``: the Pareto frontier.

    References
    ----------
    S. Goyal et al. (2024), sec. 4 (the best filter per compute).
    """
    n = np.atleast_1d(positive_argument("n", n, "samples"))
    frame = pd.DataFrame(
        {pool.name: pool.error(n, form=form) for pool in candidates}, index=pd.Index(n, name="n")
    )
    frame["best"] = frame.idxmin(axis=1)
    frame["best_error"] = frame.drop(columns="best").min(axis=1)
    return frame


def switch_points(frontier: pd.DataFrame) -> pd.DataFrame:
    """Where the best pool changes along a :func:`best_pool` frontier (geometric mean of the two n).

    Parameters
    ----------
    frontier : DataFrame
        From :func:`best_pool`.

    Returns
    -------
    DataFrame with columns ``n``, ``from`` and ``to``.

    References
    ----------
    S. Goyal et al. (2024), "Scaling Laws for Data Filtering", sec. 4 (where the best filter changes).
    """
    best = frontier["best"].to_numpy()
    n = frontier.index.to_numpy()
    change = np.flatnonzero(best[1:] != best[:-1])
    return pd.DataFrame(
        {"n": np.sqrt(n[change] * n[change + 1]), "from": best[change], "to": best[change + 1]}
    )


def fit_pool(
    n: Column,
    error: Column,
    *,
    size: float,
    a: float,
    d: float,
    b_grid=None,
    tau_grid=None,
    name: str = "",
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit a pool's utility b and half-life tau to measured error, with the code form and a, d fixed.

    The released code's grid search (b on linspace(-0.005, -0.5, 100), tau on
    linspace(1, 10, 100), least squares), refined by a local optimizer from
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
    data : DataFrame, optional
        Evaluations to take `n` and `error` from by name.

    Returns
    -------
    FitResult
        ``law`` is the fitted :class:`Pool`; params ``b`` and ``tau`` (and the
        fixed ``size``, ``a``, ``d``).

    References
    ----------
    locuslab/scaling_laws_data_filtering, the grid search of the released fit (cf5ced1).
    """
    given, names = take_columns(data, {"n": n, "error": error})
    n_name, e_name = names["n"], names["error"]
    columns = check_columns(
        {n_name: given["n"], e_name: given["error"]},
        positive=(n_name, e_name),
        n_params=2,
        model="a pool",
    )
    cautions = check_design(
        {n_name: columns[n_name]}, (e_name, columns[e_name]), n_params=2, model="a pool"
    )
    Pool.single(-0.1, 1.0, size, a=a, d=d)  # checks size, a and d
    n, y = columns[n_name], columns[e_name]
    b_grid = np.linspace(-0.005, -0.5, 100) if b_grid is None else np.asarray(b_grid, dtype=float)
    tau_grid = np.linspace(1, 10, 100) if tau_grid is None else np.asarray(tau_grid, dtype=float)

    def sse(b, tau):
        if b >= 0 or tau <= 0:
            return np.inf
        pool = Pool.unchecked(components=((b, tau, 1.0),), size=size, a=a, d=d, name="")
        return float(np.sum((error_code_form(pool, n) - y) ** 2))

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
    try:
        law = Pool.single(b, tau, size, a=a, d=d, name=name)
    except ValidationError:  # a failed refinement; kept for inspection
        law = Pool.unchecked(components=((b, tau, 1.0),), size=size, a=a, d=d, name=name)
    return FitResult.build(
        model="code form: y = [(a n/1e5)^b + d] prod_j (u_j / l_j)^(b 0.5^(j/tau))",
        params=law.params,
        law=law,
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
        derived=pd.Series({"grid_b": float(start[0]), "grid_tau": float(start[1])}),
        data=pd.DataFrame(columns),
        inputs=(n_name,),
        observed=e_name,
        residual="raw",
        fixed={"size": size, "a": a, "d": d},
        x=outcome.x,
    )
