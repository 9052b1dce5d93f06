"""Approaches 1 and 2 of Hoffmann et al. (2022): compute-optimal allocation read off runs.

Both find, per compute budget, the model size and token count with the lowest
loss, then fit ``N_opt = k_N C**a`` and ``D_opt = k_D C**b`` by least squares
in log-log space. Derived in the Part II chapters *Approach 1* and *Approach 2*.
Units: N parameters, D tokens, C FLOPs, loss nats/token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .law import Law
from .powerlaw import fit_loglog_line
from .result import FitResult
from .validation import (
    ValidationError,
    check_columns,
    check_design,
    positive_argument,
    take_columns,
)


@dataclass(frozen=True)
class Allocation(Law):
    """``N_opt = N_coef * C**a`` and ``D_opt = D_coef * C**b``.

    Calling the rule gives ``(N_opt, D_opt)``, as :meth:`compute_optimal` does.

    Examples
    --------
    >>> rule = Allocation(N_coef=0.1, a=0.5, D_coef=1.6, b=0.5)
    >>> [f"{v:.3g}" for v in rule.compute_optimal(6e20)]
    ['2.45e+09', '3.92e+10']
    """

    N_coef: float
    a: float
    D_coef: float
    b: float

    def __call__(self, C):
        """``(N_opt, D_opt)`` at compute C [FLOPs]."""
        return self.compute_optimal(C)

    def compute_optimal(self, C):
        """``(N_opt, D_opt)`` at compute C [FLOPs]."""
        C = positive_argument("C", C, "FLOPs")
        return self.N_coef * C**self.a, self.D_coef * C**self.b

    def tokens_per_parameter(self, C):
        """``D_opt / N_opt`` at compute C."""
        n_opt, d_opt = self.compute_optimal(C)
        return d_opt / n_opt


@dataclass(frozen=True, eq=False)
class AllocationResult(FitResult):
    """A :class:`FitResult` for Approaches 1 and 2, with the per-budget optima.

    Attributes
    ----------
    optima : DataFrame
        One row per compute budget: ``C``, ``N_opt``, ``D_opt``, ``loss_opt`` and
        method-specific columns.
    level : float
        Coverage of the t-intervals in ``intervals``.
    intervals : DataFrame
        ``low`` and ``high`` for ``a`` and ``b`` from the least-squares standard errors.
    """

    optima: pd.DataFrame = None
    level: float = 0.95
    intervals: pd.DataFrame = None

    @property
    def a(self) -> float:
        """Exponent of ``N_opt ∝ C**a``."""
        return float(self.params["a"])

    @property
    def b(self) -> float:
        """Exponent of ``D_opt ∝ C**b``."""
        return float(self.params["b"])

    def summary(self, intervals: pd.DataFrame | None = None):
        """As :meth:`FitResult.summary`, showing the t-intervals of a and b by default."""
        return super().summary(self.intervals if intervals is None else intervals)


def snap_budgets(C, budgets, tolerance_dex: float = 0.05) -> np.ndarray:
    """Label each run with the nominal budget it was trained for, or NaN if none is close.

    A run belongs to budget ``C_k`` when ``|log10 C - log10 C_k| < tolerance_dex``
    (for runs whose compute was reconstructed with some error, as in the
    Chinchilla figure data).

    Parameters
    ----------
    C : array_like, shape (n,)
        Compute of each run [FLOPs].
    budgets : array_like, shape (k,)
        Nominal IsoFLOP budgets [FLOPs].
    tolerance_dex : float

    Returns
    -------
    ndarray, shape (n,): the matched budget, or NaN.
    """
    distance = np.abs(
        np.log10(np.asarray(C, dtype=float))[:, None]
        - np.log10(np.asarray(budgets, dtype=float))[None, :]
    )
    closest = distance.argmin(axis=1)
    matched = distance[np.arange(distance.shape[0]), closest] < tolerance_dex
    return np.where(matched, np.asarray(budgets, dtype=float)[closest], np.nan)


def _slope_interval(x, y, level):
    """OLS slope of log y on log x with its t-interval at `level`."""
    logx, logy = np.log(x), np.log(y)
    fit = stats.linregress(logx, logy)
    half = stats.t.ppf((1 + level) / 2, logx.size - 2) * fit.stderr
    return fit.slope - half, fit.slope + half


def allocation_fit(
    optima: pd.DataFrame,
    *,
    model: str,
    settings: dict,
    notes: list[str],
    n_obs: int,
    level: float = 0.95,
) -> AllocationResult:
    """Fit ``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` to per-budget optima and wrap the result."""
    if len(optima) < 3:
        problem = (
            f"only {len(optima)} compute budgets have an optimum; the power-law fits of "
            "N_opt and D_opt need at least 3"
        )
        raise ValidationError([problem])
    n_fit = fit_loglog_line(optima["C"], optima["N_opt"], x_name="C", y_name="N_opt")
    d_fit = fit_loglog_line(optima["C"], optima["D_opt"], x_name="C", y_name="D_opt")
    rule = Allocation(
        N_coef=n_fit.law.A, a=-n_fit.law.alpha, D_coef=d_fit.law.A, b=-d_fit.law.alpha
    )
    intervals = pd.DataFrame(
        [_slope_interval(optima["C"], optima[column], level) for column in ("N_opt", "D_opt")],
        index=pd.Index(["a", "b"], name="quantity"),
        columns=["low", "high"],
    )
    intervals.attrs["level"] = level
    objective = float(n_fit.objective) + float(d_fit.objective)
    return AllocationResult.build(
        model=model,
        params={"a": rule.a, "b": rule.b, "N_coef": rule.N_coef, "D_coef": rule.D_coef},
        law=rule,
        objective=objective,
        definition="sum over the N_opt and D_opt fits of squared error / 2 of log residuals, "
        f"{len(optima)} optima each",
        engine="closed form: ordinary least squares in log-log space",
        message="closed form: ordinary least squares in log-log space",
        n_obs=n_obs,
        settings=settings,
        notes=notes,
        optima=optima.reset_index(drop=True),
        level=level,
        intervals=intervals,
    )


def _runs(N, D, loss, C, flops_per_token, names, data=None):
    """The runs as a frame with columns N, D, loss, C, checked (messages use the user's names)."""
    roles = {"N": N, "D": D, "loss": loss, **({"C": C} if C is not None else {})}
    given, names = take_columns(
        data, roles, dict(zip(("N", "D", "loss", "C"), (*names, "C"), strict=True))
    )
    checked = check_columns(
        {names[role]: values for role, values in given.items()}, positive=tuple(names.values())
    )
    frame = pd.DataFrame({role: checked[names[role]] for role in ("N", "D", "loss")})
    frame["C"] = checked[names["C"]] if C is not None else flops_per_token * frame["N"] * frame["D"]
    check_design(
        {names["N"]: frame["N"].to_numpy()},
        n_params=2,
        model="the compute-optimal allocation",
    )
    return frame


def fit_isoflop(
    N,
    D,
    loss,
    C=None,
    *,
    n_nearest: int = 5,
    flops_per_token: float = 6.0,
    level: float = 0.95,
    names=("N", "D", "loss"),
    data: pd.DataFrame | None = None,
) -> AllocationResult:
    """Approach 2: a parabola in log N through each IsoFLOP profile, its vertex, then power laws in C.

    Runs are grouped by their compute budget (equal values of `C`). For each
    budget, a parabola ``loss = p0 + p1 log N + p2 (log N)**2`` is fitted by
    least squares through the `n_nearest` runs closest (in log N) to the lowest
    loss; its vertex gives ``N_opt``, and ``D_opt = C / (flops_per_token N_opt)``.
    Budgets with fewer than 3 runs, whose lowest loss sits at the smallest or
    largest N, or whose parabola opens downwards are skipped, and a note says which.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        Parameters, tokens, final loss; with `data`, its column names.
    C : array_like, shape (n,), or str, optional
        Budget label of each run [FLOPs]; default ``flops_per_token * N * D``.
        Bin continuous budgets before calling (the chapter shows how).
    n_nearest : int
        Runs per parabola (the paper does not say; 5 by default).
    flops_per_token : float
    level : float
        Coverage of the intervals on a and b.
    names : tuple of str

    Returns
    -------
    AllocationResult
        ``optima`` has columns C, N_opt, D_opt, loss_opt, n_runs, curvature.
    """
    runs = _runs(N, D, loss, C, flops_per_token, names, data)
    budgets = runs["C"].unique()
    if budgets.size < 2:
        problem = (
            f"column 'C' holds a single compute budget ({budgets[0]:.3g} FLOPs) for all "
            f"{len(runs)} runs; Approach 2 needs several budgets"
        )
        raise ValidationError([problem])
    rows, skipped = [], []
    for budget, unsorted in runs.groupby("C", sort=True):
        group = unsorted.sort_values("N")
        logn = np.log(group["N"].to_numpy())
        best = int(np.argmin(group["loss"].to_numpy()))
        if len(group) < 3 or best in (0, len(group) - 1):
            skipped.append(budget)
            continue
        nearest = np.argsort(np.abs(logn - logn[best]), kind="stable")[:n_nearest]
        p2, p1, p0 = np.polyfit(logn[nearest], group["loss"].to_numpy()[nearest], 2)
        if p2 <= 0:
            skipped.append(budget)
            continue
        vertex = -p1 / (2 * p2)
        rows.append(
            {
                "C": budget,
                "N_opt": np.exp(vertex),
                "D_opt": budget / (flops_per_token * np.exp(vertex)),
                "loss_opt": p0 - p1**2 / (4 * p2),
                "n_runs": len(nearest),
                "curvature": p2,
            }
        )
    notes = []
    if skipped:
        notes.append(
            f"{len(skipped)} of {budgets.size} budgets skipped (minimum at an edge, fewer than 3 runs, "
            f"or no upward parabola): " + ", ".join(f"{b:.3g}" for b in skipped)
        )
    return allocation_fit(
        pd.DataFrame(rows),
        model="IsoFLOP parabolas; N_opt = k_N C^a, D_opt = k_D C^b",
        settings={"Runs per parabola": n_nearest, "FLOPs per token": flops_per_token},
        notes=notes,
        n_obs=len(runs),
        level=level,
    )


def log_grid(low: float, high: float, n: int) -> np.ndarray:
    """`n` log-spaced values from `low` to `high`, with both ends exact (no rounding past the data)."""
    grid = np.logspace(np.log10(low), np.log10(high), n)
    grid[0], grid[-1] = low, high
    return grid


def envelope(runs: pd.DataFrame, n_grid: int = 1500) -> pd.DataFrame:
    """The lowest loss reached with at most C FLOPs, at `n_grid` log-spaced C.

    Parameters
    ----------
    runs : DataFrame
        Columns N, D, C, loss; one row per run, or several per run for sampled
        training curves (a row per evaluation).
    n_grid : int
        Log-spaced FLOP values between the smallest and largest C.

    Returns
    -------
    DataFrame, one row per grid value: ``grid_C`` and the row holding the
    lowest loss with ``C <= grid_C`` (its N, D, C, loss). Among rows tied at
    that loss, the cheapest (the first to reach it) holds it.
    """
    ordered = runs.sort_values("C", kind="stable").reset_index(drop=True)
    losses = ordered["loss"].to_numpy()
    previous_best = np.concatenate([[np.inf], np.minimum.accumulate(losses)[:-1]])
    holder = np.maximum.accumulate(np.where(losses < previous_best, np.arange(losses.size), 0))
    grid = log_grid(ordered["C"].iloc[0], ordered["C"].iloc[-1], n_grid)
    position = np.searchsorted(ordered["C"].to_numpy(), grid, side="right") - 1
    chosen = ordered.iloc[holder[position]].reset_index(drop=True)
    return pd.concat([pd.Series(grid, name="grid_C"), chosen[["N", "D", "C", "loss"]]], axis=1)


def fit_envelope(
    N,
    D,
    loss,
    C=None,
    *,
    n_grid: int = 1500,
    flops_per_token: float = 6.0,
    level: float = 0.95,
    names=("N", "D", "loss"),
    data: pd.DataFrame | None = None,
) -> AllocationResult:
    """Approach 1: the lowest-loss frontier over compute, then power laws in C.

    At each of `n_grid` log-spaced FLOP values (Hoffmann et al. use 1,500), the
    run (or training-curve point) with the lowest loss among those that used at
    most that much compute is on the frontier. The distinct frontier points are
    fitted with ``N_opt ∝ C**a`` and ``D_opt ∝ C**b``.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        One row per run, or per evaluation along sampled training curves;
        with `data`, the names of its columns.
    C : array_like, shape (n,), optional
        Compute of each row [FLOPs]; default ``flops_per_token * N * D``.
    n_grid : int
    flops_per_token : float
    level : float
    names : tuple of str

    Returns
    -------
    AllocationResult
        ``optima`` has columns C, N_opt, D_opt, loss_opt and ``grid_points``
        (how many grid values each frontier point holds).
    """
    runs = _runs(N, D, loss, C, flops_per_token, names, data)
    frontier = envelope(runs, n_grid)
    counts = (
        frontier.groupby(["N", "D", "C", "loss"], sort=False)
        .size()
        .rename("grid_points")
        .reset_index()
    )
    optima = counts.rename(columns={"N": "N_opt", "D": "D_opt", "loss": "loss_opt"}).sort_values(
        "C"
    )
    return allocation_fit(
        optima[["C", "N_opt", "D_opt", "loss_opt", "grid_points"]],
        model="lowest-loss envelope; N_opt = k_N C^a, D_opt = k_D C^b",
        settings={"Grid of FLOP values": n_grid, "FLOPs per token": flops_per_token},
        notes=[],
        n_obs=len(runs),
        level=level,
    )
