"""Compute-optimal scaling: the Chinchilla law (Hoffmann et al. 2022), Kaplan et al.'s laws, and Approach 3.

Units: N parameters, D tokens, C FLOPs, loss in nats/token. Derived in the
Part II chapters *Approach 3* and *Where 20 tokens per parameter comes from*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import varpro
from .law import Law
from .logfit import fit_law, huber_log_result, natural_names
from .resampling import BootstrapResult, refit_huber_log, resample_counts
from .result import FitResult
from .validation import (
    ValidationError,
    check_columns,
    check_design,
    check_options,
    check_weights,
    extrapolation_notes,
    positive_argument,
    take_columns,
)
from .validation.runs import Column

#: Gopher's compute budget [FLOPs], the budget of Chinchilla (Hoffmann et al. 2022).
GOPHER_BUDGET = 5.76e23
#: One petaflop/s-day [FLOPs], Kaplan et al.'s compute unit.
PF_DAY = 8.64e19

#: Hoffmann et al.'s starting grid (App. D.2): 5 * 5 * 5 * 6 * 6 = 4,500 starts.
HOFFMANN_GRID = {
    "alpha": (0.0, 0.5, 1.0, 1.5, 2.0),
    "beta": (0.0, 0.5, 1.0, 1.5, 2.0),
    "e": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "a": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    "b": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
}


@dataclass(frozen=True, eq=False)
class ChinchillaLaw(Law):
    """``L(N, D) = E + A / N**alpha + B / D**beta`` (Hoffmann et al. 2022, eq. 2).

    Parameters
    ----------
    E : float
        Irreducible loss [nats/token], >= 0.
    A, B : float
        Scales of the parameter and data terms, > 0.
    alpha, beta : float
        Exponents of the parameter and data terms, > 0.

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
    eq. 2 (the law), eq. 4 (the optimum), eq. 10 (the printed constants).

    Examples
    --------
    >>> law = ChinchillaLaw.published("hoffmann2022")
    >>> round(float(law.loss(70e9, 1.4e12)), 6)
    1.936645
    >>> n_opt, d_opt = law.compute_optimal(5.76e23)
    >>> round(float(d_opt / n_opt), 2)
    92.65
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float

    inputs = ("N", "D")
    RULES: ClassVar[dict[str, str]] = {
        "E": "nonnegative",
        "A": "positive",
        "B": "positive",
        "alpha": "positive",
        "beta": "positive",
    }
    LOG_PARAMS = ("E", "A", "B")
    PRESETS = "chinchilla"

    @classmethod
    def from_logs(
        cls, *, log_E: float, log_A: float, log_B: float, alpha: float, beta: float
    ) -> ChinchillaLaw:
        """Build the law from ``log E``, ``log A`` and ``log B`` (as fitted) and the exponents.

        Parameters
        ----------
        log_E, log_A, log_B, alpha, beta : float

        Returns
        -------
        ChinchillaLaw
        """
        return cls(
            E=float(np.exp(log_E)),
            A=float(np.exp(log_A)),
            B=float(np.exp(log_B)),
            alpha=alpha,
            beta=beta,
        )

    def loss(self, N: ArrayLike, D: ArrayLike):
        """Predicted loss [nats/token] for N parameters trained on D tokens (arrays broadcast).

        Parameters
        ----------
        N : array_like
            Parameters.
        D : array_like
            Training tokens.

        Returns
        -------
        ndarray, the broadcast shape of N and D
        """
        N = positive_argument("N", N, "parameters", infinite=True)
        D = positive_argument("D", D, "tokens", infinite=True)
        return self.E + self.A * N ** (-self.alpha) + self.B * D ** (-self.beta)

    @property
    def a(self) -> float:
        """Exponent of ``N_opt ∝ C**a``: ``beta / (alpha + beta)``."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """Exponent of ``D_opt ∝ C**b``: ``alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """``(alpha A / (beta B))**(1 / (alpha + beta))``, the scale of the frontier."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))

    def compute_optimal(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """Loss-minimizing ``(N_opt, D_opt)`` under ``flops_per_token * N * D = C``, in closed form.

        ``N_opt = G (C / k)**a`` and ``D_opt = (C / k)**b / G`` with ``k = flops_per_token``.

        Parameters
        ----------
        C : array_like
            Compute budget [FLOPs].
        flops_per_token : float
            FLOPs per parameter per token (6 by the usual count).

        Returns
        -------
        N_opt, D_opt : ndarray, shape of `C`

        References
        ----------
        J. Hoffmann et al. (2022), eq. 4; derived in the chapter *Approach 3*.
        """
        check_options("compute_optimal", flops_per_token=flops_per_token)
        scaled = positive_argument("C", C, "FLOPs") / flops_per_token
        return self.G * scaled**self.a, scaled**self.b / self.G

    def tokens_per_parameter(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """``D_opt / N_opt = G**-2 (C / k)**(b - a)`` on the compute-optimal frontier.

        Parameters
        ----------
        C : array_like
            Compute [FLOPs].
        flops_per_token : float

        Returns
        -------
        ndarray
        """
        n_opt, d_opt = self.compute_optimal(C, flops_per_token=flops_per_token)
        return d_opt / n_opt

    def optimal_loss(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """Loss on the frontier, ``E + K (C / k)**(-alpha beta / (alpha + beta))``.

        Parameters
        ----------
        C : array_like
            Compute [FLOPs].
        flops_per_token : float

        Returns
        -------
        ndarray
        """
        return self.loss(*self.compute_optimal(C, flops_per_token=flops_per_token))

    def equivalent_compute(self, N: ArrayLike, D: ArrayLike, *, flops_per_token: float = 6.0):
        """Budget at which the compute-optimal model reaches the loss of (N, D).

        On the frontier ``L*(C) = E + K (C / k)**(-alpha beta / (alpha + beta))`` with
        ``K = A G**-alpha + B G**beta``; solving ``L*(C_eq) = L(N, D)`` gives
        ``C_eq = k ((L(N, D) - E) / K)**(-(alpha + beta) / (alpha beta))``. The ratio
        ``C_eq / (k N D)``, at most 1, is the share of the compute spent on (N, D) that a
        compute-optimal split would have needed for the same loss.

        Parameters
        ----------
        N, D : array_like
            Parameters and tokens (broadcast together).
        flops_per_token : float

        Returns
        -------
        ndarray
            ``C_eq`` [FLOPs].
        """
        check_options("equivalent_compute", flops_per_token=flops_per_token)
        N = positive_argument("N", N, "parameters")
        D = positive_argument("D", D, "tokens")
        K = self.A * self.G**-self.alpha + self.B * self.G**self.beta
        exponent = -(self.alpha + self.beta) / (self.alpha * self.beta)
        return flops_per_token * ((self.loss(N, D) - self.E) / K) ** exponent

    def useful_share(
        self, C: ArrayLike, tokens_per_parameter: ArrayLike, *, flops_per_token: float = 6.0
    ):
        """Share of a budget C spent at ``D / N = tokens_per_parameter`` that does useful work.

        With ``N = sqrt(C / (k r))`` and ``D = sqrt(C r / k)``, the share is
        ``equivalent_compute(N, D) / C``: 1 at the compute-optimal ratio, less on either side.

        Parameters
        ----------
        C : array_like
            Compute [FLOPs].
        tokens_per_parameter : array_like
            The split r = D / N (broadcast against `C`).
        flops_per_token : float

        Returns
        -------
        ndarray
        """
        C = positive_argument("C", C, "FLOPs")
        r = positive_argument("tokens_per_parameter", tokens_per_parameter, "tokens per parameter")
        k = flops_per_token
        N, D = np.sqrt(C / (k * r)), np.sqrt(C * r / k)
        return self.equivalent_compute(N, D, flops_per_token=flops_per_token) / C

    def compute_for_parameters(self, N: ArrayLike, *, flops_per_token: float = 6.0):
        """Budget whose compute-optimal model has N parameters, and its tokens: ``(C, D)``.

        Inverts ``N = G (C / k)**a``: ``C = k (N / G)**(1 / a)`` and ``D = C / (k N)``.

        Parameters
        ----------
        N : array_like
            Parameters.
        flops_per_token : float

        Returns
        -------
        C, D : ndarray
        """
        check_options("compute_for_parameters", flops_per_token=flops_per_token)
        N = positive_argument("N", N, "parameters")
        C = flops_per_token * (N / self.G) ** (1 / self.a)
        return C, C / (flops_per_token * N)


@dataclass(frozen=True, eq=False)
class KaplanLaw(Law):
    """``L(N, D) = ((N_c / N)**(alpha_N / alpha_D) + D_c / D)**alpha_D`` (Kaplan et al. 2020).

    N counts non-embedding parameters, C is in FLOPs (converted from the paper's
    PF-days), loss in nats/token on WebText2. Published constants:
    ``KaplanLaw.published("kaplan2020")`` (see :mod:`lawlib.presets`).

    Parameters
    ----------
    N_c, alpha_N : float
        ``L(N) = (N_c / N)**alpha_N`` (eq. 1.1).
    D_c, alpha_D : float
        ``L(D) = (D_c / D)**alpha_D`` (eq. 1.2).
    joint_N_c, joint_alpha_N, joint_D_c, joint_alpha_D : float
        The joint fit of eq. 1.5 (their Table 2).
    allocation_scale, a : float
        ``N_opt = allocation_scale * (C / PF_DAY)**a`` (eq. 1.7).

    References
    ----------
    J. Kaplan et al. (2020), "Scaling Laws for Neural Language Models",
    eqs. 1.1, 1.2, 1.5, 1.7 and Table 2.

    Examples
    --------
    >>> law = KaplanLaw.published("kaplan2020")
    >>> round(float(law.loss_N(1e9)), 4)
    2.3756
    """

    N_c: float
    alpha_N: float
    D_c: float
    alpha_D: float
    joint_N_c: float
    joint_alpha_N: float
    joint_D_c: float
    joint_alpha_D: float
    allocation_scale: float
    a: float

    inputs = ("N", "D")
    RULES: ClassVar[dict[str, str]] = dict.fromkeys(
        (
            "N_c",
            "alpha_N",
            "D_c",
            "alpha_D",
            "joint_N_c",
            "joint_alpha_N",
            "joint_D_c",
            "joint_alpha_D",
            "allocation_scale",
            "a",
        ),
        "positive",
    )
    LOG_PARAMS = ("N_c", "D_c", "joint_N_c", "joint_D_c", "allocation_scale")
    PRESETS = "kaplan"

    def loss_N(self, N: ArrayLike):
        """Loss of a model of N parameters trained to convergence on ample data (eq. 1.1).

        Parameters
        ----------
        N : array_like
            Non-embedding parameters.

        Returns
        -------
        ndarray
        """
        return (self.N_c / positive_argument("N", N, "parameters", infinite=True)) ** self.alpha_N

    def loss_D(self, D: ArrayLike):
        """Loss of a large model trained with early stopping on D tokens (eq. 1.2).

        Parameters
        ----------
        D : array_like
            Tokens.

        Returns
        -------
        ndarray
        """
        return (self.D_c / positive_argument("D", D, "tokens", infinite=True)) ** self.alpha_D

    def loss(self, N: ArrayLike, D: ArrayLike):
        """Joint law ``[(N_c / N)**(alpha_N / alpha_D) + D_c / D]**alpha_D`` (eq. 1.5, Table 2 constants).

        Parameters
        ----------
        N, D : array_like
            Non-embedding parameters and tokens.

        Returns
        -------
        ndarray
        """
        N, D = (
            positive_argument("N", N, "parameters", infinite=True),
            positive_argument("D", D, "tokens", infinite=True),
        )
        ratio = self.joint_alpha_N / self.joint_alpha_D
        return ((self.joint_N_c / N) ** ratio + self.joint_D_c / D) ** self.joint_alpha_D

    @property
    def b(self) -> float:
        """Exponent of tokens, ``1 - a`` when the budget is spent as C = 6ND."""
        return 1 - self.a

    def compute_optimal(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """``N_opt = 1.3e9 (C / PF-day)**0.73`` and the tokens that spend the budget, ``C / (k N_opt)``.

        Kaplan et al. count C = 6 N D; a budget spent at k FLOPs per parameter
        per token buys what ``6 C / k`` buys in their count.

        Parameters
        ----------
        C : array_like
            Compute [FLOPs].
        flops_per_token : float

        Returns
        -------
        N_opt, D_opt : ndarray

        References
        ----------
        J. Kaplan et al. (2020), eq. 1.7.
        """
        check_options("compute_optimal", flops_per_token=flops_per_token)
        C = positive_argument("C", C, "FLOPs")
        n_opt = self.allocation_scale * (6 * C / flops_per_token / PF_DAY) ** self.a
        return n_opt, C / (flops_per_token * n_opt)

    def tokens_per_parameter(self, C: ArrayLike, *, flops_per_token: float = 6.0):
        """``D_opt / N_opt`` under Kaplan et al.'s allocation.

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


#: Resamples searched together by ``bootstrap_parametric(refit="global")`` (bounds memory).
GLOBAL_CHUNK = 100

#: The coordinates of the fit: ``[log E, log A, alpha, log B, beta]``.
COORDINATES = natural_names(["E", "A", "B"], ["alpha", "beta"])


def hoffmann_grid(grid: dict | None = None) -> np.ndarray:
    """Starting points ``[e, a, alpha, b, beta]``, shape (S, 5), from a grid like :data:`HOFFMANN_GRID`.

    Parameters
    ----------
    grid : dict, optional
        Values per coordinate (default :data:`HOFFMANN_GRID`, 4,500 starts).

    Returns
    -------
    ndarray, shape (S, 5)

    References
    ----------
    J. Hoffmann et al. (2022), App. D.2.
    """
    grid = HOFFMANN_GRID if grid is None else grid
    rows = itertools.product(grid["alpha"], grid["beta"], grid["e"], grid["a"], grid["b"])
    return np.array([(e, a, alpha, b, beta) for alpha, beta, e, a, b in rows], dtype=float)


def law_to_theta(law: ChinchillaLaw) -> np.ndarray:
    """``[log E, log A, alpha, log B, beta]``, the optimizer's parameter vector for `law`.

    Parameters
    ----------
    law : ChinchillaLaw

    Returns
    -------
    ndarray, shape (5,)

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 (the log-sum-exp parameterization).
    """
    return np.array([np.log(law.E), np.log(law.A), law.alpha, np.log(law.B), law.beta])


def _theta_to_law(theta) -> ChinchillaLaw:
    e, a, alpha, b, beta = (float(v) for v in theta)
    return ChinchillaLaw.from_fit(
        {"E": np.exp(e), "A": np.exp(a), "B": np.exp(b), "alpha": alpha, "beta": beta}
    )


def _derived(law: ChinchillaLaw, budget: float) -> pd.Series:
    if not (law.alpha > 0 and law.beta > 0):  # a failed fit has no optimum
        return pd.Series(dict.fromkeys(("a", "b", "G", "tokens_per_parameter"), np.nan))
    return pd.Series(
        {
            "a": law.a,
            "b": law.b,
            "G": law.G,
            "tokens_per_parameter": law.tokens_per_parameter(budget),
        }
    )


def _check_runs(N, D, loss, data=None, n_params=5):
    """The runs as a checked frame (columns named as the user knows them) and design notes."""
    given, roles = take_columns(data, {"N": N, "D": D, "loss": loss})
    names = (roles["N"], roles["D"], roles["loss"])
    model = "the Chinchilla law"
    columns = check_columns(
        dict(zip(names, given.values(), strict=True)),
        positive=names,
        n_params=n_params,
        model=model,
    )
    notes = check_design(
        {names[0]: columns[names[0]], names[1]: columns[names[1]]},
        (names[2], columns[names[2]]),
        n_params=n_params,
        model=model,
        budget=("C = 6ND", 6 * columns[names[0]] * columns[names[1]]),
        tokens=(names[0], names[1]),
        decreasing=True,
    )
    return pd.DataFrame(columns), names, notes


def fit_parametric(
    N: Column,
    D: Column,
    loss: Column,
    *,
    delta: float = 1e-3,
    reduction: str = "sum",
    starts=None,
    engine: str | None = None,
    options=None,
    bounds=None,
    budget: float = GOPHER_BUDGET,
    equal_exponents: bool = False,
    fixed: dict | None = None,
    weights: Column | None = None,
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Approach 3 of Hoffmann et al. (2022): fit ``L = E + A/N**alpha + B/D**beta`` to final losses.

    The objective is the paper's: Huber loss (delta = 1e-3) on ``log L``
    residuals, summed over points, in the log-sum-exp parameterization
    ``log L = LSE(a - alpha log N, b - beta log D, e)``. The paper minimizes it
    by L-BFGS from the 4,500-start grid of App. D.2 (``engine="batched"`` or
    ``"scipy"``, whose default starts are :func:`lawlib.chinchilla.hoffmann_grid`); the default
    engine, variable projection, reaches the same optimum (to 1e-9 of the
    objective on every dataset the book fits) in a fraction of the time and
    at any number of runs.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        Parameters, tokens and final loss [nats/token] of each run; with
        `data`, the names of its columns.
    delta : float
        Huber threshold; ``numpy.inf`` gives least squares.
    reduction : {"sum", "mean"}
        Sum the Huber terms, or average them (which, with scipy's default
        tolerances, stops L-BFGS early: see Besiroglu et al. 2024).
    starts : array_like, shape (S, 5), optional
        Starting points ``[e, a, alpha, b, beta]`` (without the tied or fixed
        coordinates); they imply the batched engine.
    engine : {"varpro", "batched", "scipy"}, optional
        ``"varpro"`` (the default without `starts`): variable projection
        (:mod:`lawlib.varpro`), the exponents on a grid with ``(E, A, B)``
        solved exactly by non-negative least squares at each point, then all
        parameters polished on this objective from the best grid points.
        ``"batched"`` (the published recipe, fast) and ``"scipy"`` (one
        L-BFGS-B per start, as replications do) run every start, by default
        the 4,500 of :func:`lawlib.chinchilla.hoffmann_grid` (see :mod:`lawlib.optimize`).
    options : dict, optional
        L-BFGS-B options, e.g. :data:`lawlib.optimize.SCIPY_DEFAULTS`.
    bounds : sequence of (low, high), optional
        Box bounds on the free coordinates ``[e, a, alpha, b, beta]`` (None for
        a side without one); a best fit on a bound is reported with a :class:`FitWarning`.
    budget : float
        Compute [FLOPs] at which ``derived["tokens_per_parameter"]`` is evaluated.
    equal_exponents : bool
        Fit with ``alpha = beta``, the form Gadre et al. (2024) extrapolate with
        (then `starts` and `bounds` are ``[e, a, alpha, b]``).
    fixed : dict, optional
        Parameters held at a value, by name: ``{"E": 1.69}``.
    weights : array_like, shape (n,), or str, optional
        Weight of each run's term in the objective (a column name with `data`).
    data : DataFrame, optional
        Runs to take `N`, `D`, `loss` (and `weights`) from by name.

    Returns
    -------
    FitResult
        ``law`` is a :class:`ChinchillaLaw`; ``derived`` holds a, b, G and
        tokens per parameter. An exponent <= 0 is a failed fit (``converged`` False).

    Raises
    ------
    ValidationError
        For bad values or options, or runs that cannot identify the law: one
        compute budget, a constant N, D or loss, too few distinct (N, D)
        points, a loss that does not fall with N or with D.

    Warns
    -----
    FitWarning
        When the best fit sits on a bound, several starts reach the best
        objective at different parameters, or the runs look wrong
        (duplicated, perplexities, sizes in other units, N and D swapped).

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.3 and App. D.2 (Approach 3);
    T. Besiroglu et al. (2024), "Chinchilla Scaling: A replication attempt".
    """
    check_options("fit_parametric", delta=delta, budget=budget)
    n_free = 5 - int(equal_exponents) - len(fixed or {})
    runs, names, notes = _check_runs(N, D, loss, data, n_params=n_free)
    w = check_weights(weights, data, len(runs), "fit_parametric")
    logx, logy = np.log(runs[list(names[:2])].to_numpy()), np.log(runs[names[2]].to_numpy())
    if equal_exponents and fixed and ("beta" in fixed):
        raise ValidationError(
            ["with equal_exponents, fix alpha (beta follows it)"], "fit_parametric"
        )
    outcome, free, params = fit_law(
        logx,
        logy,
        coordinates=COORDINATES,
        grid=hoffmann_grid(),
        starts=starts,
        engine=engine,
        delta=delta,
        reduction=reduction,
        options=options,
        bounds=bounds,
        fixed=fixed,
        tied={"beta": "alpha"} if equal_exponents else None,
        weights=w,
        where="fit_parametric",
    )
    params = {name: params[name] for name in ("E", "A", "B", "alpha", "beta")}
    law = ChinchillaLaw.from_fit(params)
    compute = 6 * runs[names[0]] * runs[names[1]]
    extrapolation = extrapolation_notes(
        budget=budget,
        compute_range=(float(compute.min()), float(compute.max())),
        what="tokens_per_parameter",
    )
    settings: dict[str, object] = {"Budget for D/N [FLOPs]": budget}
    if equal_exponents:
        settings["Exponents"] = "tied: alpha = beta"
    return huber_log_result(
        outcome,
        model="L = E + A / N^alpha + B / D^alpha"
        if equal_exponents
        else "L = E + A / N^alpha + B / D^beta",
        params=params,
        law=law,
        delta=delta,
        reduction=reduction,
        data=runs,
        inputs=names[:2],
        observed=names[2],
        x=free,
        settings=settings,
        derived=_derived(law, budget),
        notes=extrapolation,
        cautions=notes,
        fixed=dict(fixed or {}),
        tied={"beta": "alpha"} if equal_exponents else None,
        weights=w,
        exponents=("alpha", "beta"),
    )


def bootstrap_parametric(
    N: Column,
    D: Column,
    loss: Column,
    *,
    n_resamples: int = 4000,
    seed: int = 0,
    budget: float = GOPHER_BUDGET,
    delta: float = 1e-3,
    reduction: str = "sum",
    fit: FitResult | None = None,
    sampler: str = "generator",
    progress=None,
    data: pd.DataFrame | None = None,
    refit: str = "warm",
) -> BootstrapResult:
    """Bootstrap Approach 3: resample runs with replacement, refit all resamples at once.

    Every resample is refitted by batched BFGS on weighted data (a run drawn
    twice counts twice). With ``refit="warm"`` each starts from the full-data
    optimum, which cannot see a resample whose best fit lies in another basin.
    With ``refit="global"`` each resample also gets the variable-projection
    search of ``fit_parametric(engine="varpro")`` on its own weights, is
    polished from its best grid point too, and keeps the lower of the two
    optima; ``refits`` then says, per resample, whether that optimum lies in
    another basin (lower than the warm start's by more than 1e-9 of it, with an
    exponent more than 0.01 away).

    Parameters
    ----------
    N, D, loss : array_like, shape (n,), or str
        As in :func:`fit_parametric` (column names with `data`).
    n_resamples : int
        Besiroglu et al. (2024) use 4,000.
    seed : int
    budget : float
        Compute [FLOPs] for the ``tokens_per_parameter`` column.
    delta, reduction
        As in :func:`fit_parametric`.
    fit : FitResult, optional
        The full-data fit, if already computed; it must be the free
        five-parameter fit with the same `delta` and `reduction`, unweighted.
    sampler : {"generator", "legacy"}
        ``"legacy"`` draws as Besiroglu et al. do (``np.random.seed(seed)``
        then ``np.random.choice(n, n)`` per resample).
    progress : callable, optional
        Called as ``progress(done, total)`` as resamples are refitted.
    data : DataFrame, optional
        Runs to take `N`, `D` and `loss` from by name.
    refit : {"warm", "global"}
        Start every refit from the full-data optimum, or search each resample
        globally as well (about ten times slower).

    Returns
    -------
    BootstrapResult
        Columns E, A, B, alpha, beta, a, b, G, tokens_per_parameter; ``refits``
        has each resample's objective (and, for ``"global"``, the basin).

    References
    ----------
    T. Besiroglu et al. (2024), sec. 3 (4,000 resamples, their Table 1).
    """
    check_options(
        "bootstrap_parametric", n_resamples=n_resamples, seed=seed, budget=budget, delta=delta
    )
    if refit not in ("warm", "global"):
        raise ValidationError(
            [f"refit must be 'warm' or 'global', got {refit!r}"], "bootstrap_parametric"
        )
    runs, names, _ = _check_runs(N, D, loss, data)
    logx, logy = np.log(runs[list(names[:2])].to_numpy()), np.log(runs[names[2]].to_numpy())
    if fit is None:
        fit = fit_parametric(*names, data=runs, delta=delta, reduction=reduction, budget=budget)
    else:
        _check_same_settings(fit, delta, reduction, len(runs))
    counts = resample_counts(logy.size, n_resamples, seed, sampler=sampler)
    theta = law_to_theta(ChinchillaLaw.from_params(fit.params))
    ends, converged, values = refit_huber_log(
        logx, logy, theta, counts, delta=delta, reduction=reduction, progress=progress
    )
    refits = pd.DataFrame({"objective": values, "converged": converged})
    if refit == "global":
        starts = np.concatenate(
            [
                varpro.best_per_row(logx, logy, counts[first : first + GLOBAL_CHUNK])
                for first in range(0, n_resamples, GLOBAL_CHUNK)
            ]
        )
        far, far_converged, far_values = refit_huber_log(
            logx, logy, starts, counts, delta=delta, reduction=reduction
        )
        lower = far_values < values * (1 - 1e-9)
        moved = np.abs(far[:, [2, 4]] - ends[:, [2, 4]]).max(axis=1) > 0.01
        refits = pd.DataFrame(
            {
                "objective": np.where(lower, far_values, values),
                "converged": np.where(lower, far_converged, converged),
                "objective_warm": values,
                "other_basin": lower & moved,
            }
        )
        ends = np.where(lower[:, None], far, ends)
        converged = refits["converged"].to_numpy()
    laws = [_theta_to_law(theta) for theta in ends[converged]]
    samples = pd.DataFrame(
        [
            {
                "E": law.E,
                "A": law.A,
                "B": law.B,
                "alpha": law.alpha,
                "beta": law.beta,
                **_derived(law, budget),
            }
            for law in laws
        ]
    )
    return BootstrapResult(
        samples=samples,
        estimate=pd.concat([fit.params, fit.derived]),
        n_resamples=n_resamples,
        n_failed=int((~converged).sum()),
        seed=seed,
        refits=refits,
    )


def _check_same_settings(fit: FitResult, delta: float, reduction: str, n_runs: int) -> None:
    """Refuse a full-data fit made with other settings than the bootstrap's."""
    problems = []
    if not isinstance(fit.law, ChinchillaLaw):
        problems.append(f"fit is a {type(fit.law).__name__} fit, not a Chinchilla law fit")
    else:
        if fit.fixed or fit.tied:
            listed = ", ".join([*fit.fixed, *fit.tied])
            problems.append(
                f"fit holds {listed} fixed or tied; the bootstrap refits all five parameters"
            )
        if fit.weights is not None:
            problems.append("fit is weighted; the bootstrap refits unweighted runs")
        if fit.settings.get("Huber delta") != delta or fit.settings.get("Reduction") != reduction:
            problems.append(
                f"fit was made with delta = {fit.settings.get('Huber delta')}, reduction = "
                f"{fit.settings.get('Reduction')!r}; the bootstrap uses delta = {delta}, "
                f"reduction = {reduction!r}"
            )
        if fit.n_obs != n_runs:
            problems.append(f"fit used {fit.n_obs} runs; the bootstrap resamples {n_runs}")
    if problems:
        raise ValidationError(
            [*problems, "pass the fit made with the same settings, or fit=None"],
            "bootstrap_parametric",
        )
