"""Approaches 1 and 2 of Hoffmann et al. (2022): compute-optimal allocation read off runs.

Both find, per compute budget, the model size and token count with the lowest
loss, then fit ``N_opt = k_N C**a`` and ``D_opt = k_D C**b`` by least squares
in log-log space. Derived in the Part II chapters *Approach 1* and *Approach 2*.
Units: N parameters, D tokens, C FLOPs, loss nats/token.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .formatting import format_number
from .law import Law
from .powerlaw import fit_loglog_line
from .result import FitResult
from .validation import (
    ValidationError,
    check_columns,
    check_design,
    check_options,
    positive_argument,
    take_columns,
    unit_warnings,
)
from .validation.runs import Column


@dataclass(frozen=True, eq=False)
class Allocation(Law):
    """``N_opt = N_coef * C**a`` and ``D_opt = D_coef * C**b``, read off runs.

    Calling the rule gives ``N_opt`` (the quantity it predicts);
    :meth:`compute_optimal` gives ``(N_opt, D_opt)``.

    Parameters
    ----------
    N_coef, D_coef : float
        Scales, > 0.
    a, b : float
        Exponents of compute.
    flops_per_token : float
        FLOPs per parameter per token of the compute the rule was fitted on (6).

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.1 and 3.2 (Approaches 1 and 2), Table 2.

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
    flops_per_token: float = 6.0

    inputs = ("C",)
    output = "N_opt"
    RULES: ClassVar[dict[str, str]] = {
        "N_coef": "positive",
        "a": "finite",
        "D_coef": "positive",
        "b": "finite",
        "flops_per_token": "positive",
    }
    LOG_PARAMS = ("N_coef", "D_coef")

    def evaluate(self, C: ArrayLike):
        """``N_opt`` at compute C [FLOPs].

        Parameters
        ----------
        C : array_like

        Returns
        -------
        ndarray
        """
        return self.compute_optimal(C)[0]

    def compute_optimal(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """``(N_opt, D_opt)`` at compute C [FLOPs] spent as ``flops_per_token * N * D``.

        The rule was fitted on compute counted at its ``flops_per_token``; a
        budget counted at another k buys what ``C * flops_per_token_fit / k`` buys there.

        Parameters
        ----------
        C : array_like
            Compute [FLOPs].
        flops_per_token : float

        Returns
        -------
        N_opt, D_opt : ndarray
        """
        check_options("compute_optimal", flops_per_token=flops_per_token)
        C = positive_argument("C", C, "FLOPs") * self.flops_per_token / flops_per_token
        return self.N_coef * C**self.a, self.D_coef * C**self.b

    def tokens_per_parameter(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """``D_opt / N_opt`` at compute C.

        Parameters
        ----------
        C : array_like
        flops_per_token : float

        Returns
        -------
        ndarray
        """
        n_opt, d_opt = self.compute_optimal(C, flops_per_token=flops_per_token)
        return d_opt / n_opt


@dataclass(frozen=True, eq=False)
class AllocationResult(FitResult):
    """A :class:`FitResult` for Approaches 1 and 2, with the per-budget optima.

    ``data`` holds the optima; ``resid`` is the log residual of ``N_opt``,
    and the standard errors come from the two least-squares fits (``N_opt``
    and ``D_opt`` on C), one block each.

    Attributes
    ----------
    optima : DataFrame
        One row per compute budget: ``C``, ``N_opt``, ``D_opt``, ``loss_opt`` and
        method-specific columns.

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.1 and 3.2 (Approaches 1 and 2).
    """

    optima: pd.DataFrame = None

    @property
    def a(self) -> float:
        """Exponent of ``N_opt ∝ C**a``."""
        return float(self.params["a"])

    @property
    def b(self) -> float:
        """Exponent of ``D_opt ∝ C**b``."""
        return float(self.params["b"])

    def _residual_vector(self, params: pd.Series) -> np.ndarray:
        law, data = self._law_at(params), self._frame()
        n_opt, d_opt = law.compute_optimal(
            data["C"].to_numpy(), flops_per_token=law.flops_per_token
        )
        return np.concatenate(
            [np.log(data["N_opt"]) - np.log(n_opt), np.log(data["D_opt"]) - np.log(d_opt)]
        )

    def _residual_groups(self):
        return np.repeat(["N_opt", "D_opt"], len(self._frame()))

    def _prediction_group(self):
        return "N_opt"


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

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.1 and 3.2 (Approaches 1 and 2).
    """
    distance = np.abs(
        np.log10(np.asarray(C, dtype=float))[:, None]
        - np.log10(np.asarray(budgets, dtype=float))[None, :]
    )
    closest = distance.argmin(axis=1)
    matched = distance[np.arange(distance.shape[0]), closest] < tolerance_dex
    return np.where(matched, np.asarray(budgets, dtype=float)[closest], np.nan)


def group_budgets(
    C,
    N,
    *,
    tolerance_dex: float = 0.05,
    bin_width_dex: float = 0.25,
    min_sizes: int = 3,
) -> tuple[np.ndarray, str]:
    """IsoFLOP budget labels for runs whose design is not known: found, or snapped to bins.

    Runs laid out on IsoFLOP curves share a few compute values: those within
    `tolerance_dex` of each other (in log10 C) form one budget. When fewer than
    three such budgets hold `min_sizes` model sizes each (every run its own
    budget, as when C is computed as 6ND on a grid of N and D), the runs are
    not IsoFLOP profiles, and compute is snapped to bins `bin_width_dex` wide
    instead, so Approach 2 can still be run (on blurred profiles: within a bin
    compute differs by up to a factor ``10**bin_width_dex``).

    Parameters
    ----------
    C, N : array_like, shape (n,)
        Compute [FLOPs] and parameters of each run.
    tolerance_dex : float
        Largest gap in log10 C within one budget.
    bin_width_dex : float
        Width of the bins in log10 C when the runs share no budgets.
    min_sizes : int
        Model sizes a budget needs to count as a profile.

    Returns
    -------
    labels : ndarray, shape (n,)
        The budget of each run [FLOPs].
    note : str
        Which of the two it did, in words.

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.2
    (Approach 2: IsoFLOP profiles).

    Examples
    --------
    >>> N = np.repeat([1e8, 2e8, 4e8], 3)
    >>> labels, note = group_budgets(np.tile([1e19, 1e20, 1e21], 3) * 1.01, N)
    >>> sorted(set(labels.round(-17))) == [1.01e19, 1.01e20, 1.01e21], note[:26]
    (True, '9 runs on 3 IsoFLOP budget')
    >>> labels, note = group_budgets(6 * N * np.tile([1e9, 3e9, 1e10], 3), N)
    >>> note[:44]
    'the runs are not laid out on IsoFLOP curves '
    """
    check_options(
        "group_budgets",
        tolerance_dex=tolerance_dex,
        bin_width_dex=bin_width_dex,
        min_sizes=min_sizes,
    )
    logc = np.log10(positive_argument("C", C))
    sizes = positive_argument("N", N)
    order = np.argsort(logc, kind="stable")
    cluster = np.empty(logc.size, dtype=int)
    cluster[order] = np.concatenate([[0], np.cumsum(np.diff(logc[order]) > tolerance_dex)])
    frame = pd.DataFrame({"cluster": cluster, "logc": logc, "N": sizes})
    center = frame.groupby("cluster")["logc"].transform("median").to_numpy()
    profiles = frame.groupby("cluster")["N"].nunique()
    shared = int((profiles >= min_sizes).sum())
    if shared >= 3:
        return 10**center, (
            f"{logc.size} runs on {profiles.size} IsoFLOP budgets (compute within "
            f"{tolerance_dex:g} dex), {shared} with at least {min_sizes} model sizes"
        )
    binned = np.round(logc / bin_width_dex) * bin_width_dex
    return 10**binned, (
        f"the runs are not laid out on IsoFLOP curves (only {shared} compute values are shared "
        f"by {min_sizes} model sizes): compute snapped to bins {bin_width_dex:g} dex wide (a "
        f"factor {10**bin_width_dex:.2f}), {np.unique(binned).size} bins; within a bin the runs "
        "differ in compute, which blurs each profile's minimum"
    )


def allocation_fit(
    optima: pd.DataFrame,
    *,
    model: str,
    settings: dict,
    notes: list[str],
    cautions: list[str],
    n_obs: int,
    flops_per_token: float,
) -> AllocationResult:
    """Fit ``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` to per-budget optima and wrap the result.

    Parameters
    ----------
    optima : DataFrame
        Columns C, N_opt, D_opt (and more), one row per budget.
    model : str
    settings : dict
    notes, cautions : list of str
    n_obs : int
        Runs behind the optima.
    flops_per_token : float

    Returns
    -------
    AllocationResult

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.1 and 3.2 (Approaches 1 and 2).
    """
    if len(optima) < 3:
        problem = (
            f"only {len(optima)} compute budgets have an optimum; the power-law fits of "
            "N_opt and D_opt need at least 3"
        )
        raise ValidationError([problem])
    n_fit = fit_loglog_line("C", "N_opt", data=optima)
    d_fit = fit_loglog_line("C", "D_opt", data=optima)
    rule = Allocation(
        N_coef=n_fit.params["A"],
        a=-n_fit.params["alpha"],
        D_coef=d_fit.params["A"],
        b=-d_fit.params["alpha"],
        flops_per_token=flops_per_token,
    )
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
        cautions=cautions,
        data=optima.reset_index(drop=True),
        inputs=("C",),
        observed="N_opt",
        optima=optima.reset_index(drop=True),
    )


def _runs(N, D, loss, C, flops_per_token, data=None):
    """The runs as a frame with columns N, D, loss, C, checked, and the design's warnings."""
    roles = {"N": N, "D": D, "loss": loss, **({"C": C} if C is not None else {})}
    given, names = take_columns(data, roles)
    checked = check_columns(
        {names[role]: values for role, values in given.items()}, positive=tuple(names.values())
    )
    frame = pd.DataFrame({role: checked[names[role]] for role in ("N", "D", "loss")})
    frame["C"] = checked[names["C"]] if C is not None else flops_per_token * frame["N"] * frame["D"]
    cautions = check_design(
        {names["N"]: frame["N"].to_numpy(), names["D"]: frame["D"].to_numpy()},
        (names["loss"], frame["loss"].to_numpy()),
        n_params=2,
        model="the compute-optimal allocation",
    )
    cautions += unit_warnings(
        frame["N"].to_numpy(), frame["D"].to_numpy(), (names["N"], names["D"])
    )
    return frame, cautions


def fit_isoflop(
    N: Column,
    D: Column,
    loss: Column,
    C: Column | None = None,
    *,
    n_nearest: int = 5,
    flops_per_token: float = 6.0,
    data: pd.DataFrame | None = None,
) -> AllocationResult:
    """Approach 2: a parabola in log N through each IsoFLOP profile, its vertex, then power laws in C.

    Runs are grouped by their compute budget (equal values of `C`). For each
    budget, a parabola ``loss = p0 + p1 log N + p2 (log N)**2`` is fitted by
    least squares through the `n_nearest` runs closest (in log N) to the lowest
    loss; its vertex gives ``N_opt``, and ``D_opt = C / (flops_per_token N_opt)``.
    Budgets with fewer than 3 model sizes, whose lowest loss sits at the smallest or
    largest N, or whose parabola opens downwards are skipped, and a note says which.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        Parameters, tokens, final loss; with `data`, its column names.
    C : array_like, shape (n,), or str, optional
        Budget label of each run [FLOPs]; default ``flops_per_token * N * D``.
        Bin continuous budgets before calling (:func:`lawlib.allocation.snap_budgets`).
    n_nearest : int
        Runs per parabola, at least 3 (the paper does not say; 5 by default).
    flops_per_token : float
    data : DataFrame, optional

    Returns
    -------
    AllocationResult
        ``optima`` has columns C, N_opt, D_opt, loss_opt, n_runs, curvature (the parabola's
        coefficient of ``(log N)**2``) and N_low, N_high (the smallest and largest of the runs
        it went through).

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (Approach 2) and Table 2.
    """
    check_options("fit_isoflop", n_nearest=n_nearest, flops_per_token=flops_per_token)
    runs, cautions = _runs(N, D, loss, C, flops_per_token, data)
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
        if group["N"].nunique() < 3 or best in (0, len(group) - 1):
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
                "N_low": float(np.exp(logn[nearest].min())),
                "N_high": float(np.exp(logn[nearest].max())),
            }
        )
    notes = []
    if skipped:
        notes.append(
            f"{len(skipped)} of {budgets.size} budgets skipped (minimum at an edge, fewer than 3 sizes, "
            f"or no upward parabola): " + ", ".join(format_number(b, 3) for b in skipped)
        )
    return allocation_fit(
        pd.DataFrame(
            rows,
            columns=["C", "N_opt", "D_opt", "loss_opt", "n_runs", "curvature", "N_low", "N_high"],
        ),
        model="IsoFLOP parabolas; N_opt = k_N C^a, D_opt = k_D C^b",
        settings={"Runs per parabola": n_nearest, "FLOPs per token": flops_per_token},
        notes=notes,
        cautions=cautions,
        n_obs=len(runs),
        flops_per_token=flops_per_token,
    )


def interpolate_isoflop(
    N: Column,
    D: Column,
    loss: Column,
    budgets=None,
    *,
    flops_per_token: float = 6.0,
    min_sizes: int = 3,
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """IsoFLOP profiles read off a ladder: each size's final losses interpolated at ``D = C / (k N)``.

    A ladder trains every model size to several token counts; no two runs need
    share a budget. For a budget C, size N would have needed ``D = C / (k N)``
    tokens; where that lies within the token counts the size was trained to,
    its loss there is interpolated linearly in ``(log D, log loss)`` between
    the two nearest runs. Nothing is extrapolated: a size contributes only
    inside its own trained range.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        Parameters, tokens and final loss of each run (with `data`, its columns).
    budgets : array_like, optional
        Budgets [FLOPs]. Default: one per window where `min_sizes` or more sizes
        overlap, at the window's geometric middle (the budget that keeps the
        most sizes away from the ends of their ranges).
    flops_per_token : float
        ``k`` in ``C = k N D``.
    min_sizes : int
        Budgets reached by fewer sizes are left out (a parabola needs 3).
    data : DataFrame, optional

    Returns
    -------
    DataFrame
        One row per budget and size: ``N``, ``D``, ``C``, ``loss`` (interpolated),
        ready for :func:`lawlib.fit_isoflop` with ``C="C"``.

    Raises
    ------
    ValidationError
        Fewer than two token counts for every size, or no budget reached by
        `min_sizes` sizes.

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (Approach 2); derived in the chapter *An independent ladder*.

    Examples
    --------
    Three sizes, each trained to 10 and 320 tokens per parameter, overlap in
    budget between 9.6e18 and 1.92e19 FLOPs; the default budget is the middle:

    >>> runs = pd.DataFrame({"N": [1e8, 1e8, 2e8, 2e8, 4e8, 4e8],
    ...                      "D": [1e9, 32e9, 2e9, 64e9, 4e9, 128e9],
    ...                      "loss": [3.6, 3.1, 3.4, 2.9, 3.2, 2.7]})
    >>> profile = interpolate_isoflop("N", "D", "loss", data=runs)
    >>> print(f"{profile['C'].iloc[0]:.4g}", len(profile), profile["loss"].round(3).tolist())
    1.358e+19 3 [3.147, 3.14, 3.146]
    """
    check_options("interpolate_isoflop", flops_per_token=flops_per_token)
    if int(min_sizes) != min_sizes or min_sizes < 1:
        raise ValidationError(
            [f"min_sizes must be a positive integer, got {min_sizes!r}"], "interpolate_isoflop"
        )
    runs, _ = _runs(N, D, loss, None, flops_per_token, data)
    sizes = {n: g.sort_values("D") for n, g in runs.groupby("N") if g["D"].nunique() > 1}
    if not sizes:
        raise ValidationError(
            ["every size has one token count: there is nothing to interpolate between"],
            "interpolate_isoflop",
        )
    ranges = np.array([[g["C"].min(), g["C"].max()] for g in sizes.values()])
    if budgets is None:
        edges = np.unique(ranges)
        covered = [
            (low, high)
            for low, high in itertools.pairwise(edges)
            if ((ranges[:, 0] <= low) & (ranges[:, 1] >= high)).sum() >= min_sizes
        ]
        windows: list[list[float]] = []
        for low, high in covered:  # merge adjacent intervals into windows
            if windows and np.isclose(windows[-1][1], low, rtol=1e-12):
                windows[-1][1] = high
            else:
                windows.append([low, high])
        budgets = [float(np.sqrt(low * high)) for low, high in windows]
    budgets = np.atleast_1d(np.asarray(budgets, dtype=float))
    rows = []
    for C in budgets:
        for n, g in sizes.items():
            tokens = C / (flops_per_token * n)
            if g["D"].min() * (1 - 1e-9) <= tokens <= g["D"].max() * (1 + 1e-9):
                log_loss = np.interp(np.log(tokens), np.log(g["D"]), np.log(g["loss"]))
                rows.append({"N": n, "D": tokens, "C": C, "loss": float(np.exp(log_loss))})
    frame = pd.DataFrame(rows, columns=["N", "D", "C", "loss"])
    enough = frame.groupby("C")["N"].transform("size") >= min_sizes
    if not enough.any():
        raise ValidationError(
            [
                f"no budget is reached by {min_sizes} or more sizes within their trained token counts"
            ],
            "interpolate_isoflop",
        )
    return frame[enough].reset_index(drop=True)


def log_grid(low: float, high: float, n: int) -> np.ndarray:
    """`n` log-spaced values from `low` to `high`, with both ends exact (no rounding past the data).

    Parameters
    ----------
    low, high : float
        Ends of the grid (> 0).
    n : int
        Number of values.

    Returns
    -------
    ndarray, shape (n,)

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.1 and 3.2 (Approaches 1 and 2).
    """
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

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", sec. 3.1 and 3.2 (Approaches 1 and 2).
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
    N: Column,
    D: Column,
    loss: Column,
    C: Column | None = None,
    *,
    n_grid: int = 1500,
    flops_per_token: float = 6.0,
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
    data : DataFrame, optional

    Returns
    -------
    AllocationResult
        ``optima`` has columns C, N_opt, D_opt, loss_opt and ``grid_points``
        (how many grid values each frontier point holds).

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.1 (Approach 1) and Table 2.
    """
    check_options("fit_envelope", n_grid=n_grid, flops_per_token=flops_per_token)
    runs, cautions = _runs(N, D, loss, C, flops_per_token, data)
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
        cautions=cautions,
        n_obs=len(runs),
        flops_per_token=flops_per_token,
    )
