"""Compute-optimal scaling: the Chinchilla law (Hoffmann et al. 2022), Kaplan et al.'s laws, and Approach 3.

Units: N parameters, D tokens, C FLOPs, loss in nats/token. Derived in the
Part II chapters *Approach 3* and *Where 20 tokens per parameter comes from*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import presets, varpro
from .law import Law
from .objectives import huber_log_result, minimise_huber_log
from .resampling import BootstrapResult, refit_huber_log, resample_counts
from .result import FitResult
from .validation import check_columns, check_design, positive_argument, take_columns

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


@dataclass(frozen=True)
class ChinchillaLaw(Law):
    """``L(N, D) = E + A / N**alpha + B / D**beta`` (Hoffmann et al. 2022, eq. 2).

    Parameters
    ----------
    E : float
        Irreducible loss [nats/token].
    A, B : float
        Scales of the parameter and data terms.
    alpha, beta : float
        Exponents of the parameter and data terms.

    Examples
    --------
    >>> law = ChinchillaLaw.hoffmann2022()
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

    #: Names of the published laws (:meth:`published`); constants in :mod:`lawlib.presets`.
    PUBLISHED = tuple(presets.CHINCHILLA)

    @classmethod
    def published(cls, name: str) -> ChinchillaLaw:
        """A published law by name: one of :attr:`PUBLISHED` (sources in :mod:`lawlib.presets`)."""
        return cls(**presets.lookup(presets.CHINCHILLA, name, "Chinchilla law"))

    @classmethod
    def hoffmann2022(cls) -> ChinchillaLaw:
        """The fit printed in Hoffmann et al. (2022), eq. 10 (rounded)."""
        return cls.published("hoffmann2022")

    @classmethod
    def hoffmann2022_unrounded(cls) -> ChinchillaLaw:
        """Hoffmann et al.'s fit to more digits, as hard-coded in Besiroglu et al.'s notebook
        (epoch-research/analyzing-chinchilla at 9225883), which says they come from the paper's TeX source."""
        return cls.published("hoffmann2022_unrounded")

    @classmethod
    def besiroglu2024(cls) -> ChinchillaLaw:
        """Besiroglu et al.'s (2024) refit of the reconstructed data: their reported point estimate."""
        return cls.published("besiroglu2024")

    @classmethod
    def from_logs(
        cls, *, log_E: float, log_A: float, log_B: float, alpha: float, beta: float
    ) -> ChinchillaLaw:
        """Build the law from ``log E``, ``log A`` and ``log B`` (as fitted) and the exponents."""
        return cls(
            E=float(np.exp(log_E)),
            A=float(np.exp(log_A)),
            B=float(np.exp(log_B)),
            alpha=alpha,
            beta=beta,
        )

    def loss(self, N, D):
        """Predicted loss [nats/token] for N parameters trained on D tokens (arrays broadcast)."""
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

    def compute_optimal(self, C, flops_per_token: float = 6.0):
        """Loss-minimising ``(N_opt, D_opt)`` under ``flops_per_token * N * D = C``, in closed form.

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
        """
        scaled = positive_argument("C", C, "FLOPs") / positive_argument(
            "flops_per_token", flops_per_token
        )
        return self.G * scaled**self.a, scaled**self.b / self.G

    def tokens_per_parameter(self, C, flops_per_token: float = 6.0):
        """``D_opt / N_opt = G**-2 (C / k)**(b - a)`` on the compute-optimal frontier."""
        n_opt, d_opt = self.compute_optimal(C, flops_per_token)
        return d_opt / n_opt

    def optimal_loss(self, C, flops_per_token: float = 6.0):
        """Loss on the frontier, ``E + K (C / k)**(-alpha beta / (alpha + beta))``."""
        return self.loss(*self.compute_optimal(C, flops_per_token))

    def compute_for_parameters(self, N, flops_per_token: float = 6.0):
        """Budget whose compute-optimal model has N parameters, and its tokens: ``(C, D)``.

        Inverts ``N = G (C / k)**a``: ``C = k (N / G)**(1 / a)`` and ``D = C / (k N)``.
        """
        N = positive_argument("N", N, "parameters")
        C = flops_per_token * (N / self.G) ** (1 / self.a)
        return C, C / (flops_per_token * N)


@dataclass(frozen=True)
class KaplanLaw(Law):
    """The laws of Kaplan et al. (2020) with their published constants.

    N counts non-embedding parameters, C is in FLOPs (converted from the paper's
    PF-days), loss in nats/token on WebText2. The constants come from two
    independent transcriptions that agree; see the book's Kaplan chapter.

    Attributes
    ----------
    N_c, alpha_N : float
        ``L(N) = (N_c / N)**alpha_N`` (eq. 1.1): 8.8e13, 0.076.
    D_c, alpha_D : float
        ``L(D) = (D_c / D)**alpha_D`` (eq. 1.2): 5.4e13, 0.095.
    joint_N_c, joint_alpha_N, joint_D_c, joint_alpha_D : float
        The joint fit of eq. 1.5 (their Table 2): 6.4e13, 0.076, 1.8e13, 0.103.
    allocation_scale, a : float
        ``N_opt = 1.3e9 * (C / PF_DAY)**0.73`` (eq. 1.7).
    """

    N_c: float = 8.8e13
    alpha_N: float = 0.076
    D_c: float = 5.4e13
    alpha_D: float = 0.095
    joint_N_c: float = 6.4e13
    joint_alpha_N: float = 0.076
    joint_D_c: float = 1.8e13
    joint_alpha_D: float = 0.103
    allocation_scale: float = 1.3e9
    a: float = 0.73

    def loss_N(self, N):
        """Loss of a model of N parameters trained to convergence on ample data (eq. 1.1)."""
        return (self.N_c / np.asarray(N, dtype=float)) ** self.alpha_N

    def loss_D(self, D):
        """Loss of a large model trained with early stopping on D tokens (eq. 1.2)."""
        return (self.D_c / np.asarray(D, dtype=float)) ** self.alpha_D

    def loss(self, N, D):
        """Joint law ``[(N_c / N)**(alpha_N / alpha_D) + D_c / D]**alpha_D`` (eq. 1.5, Table 2 constants)."""
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

    def compute_optimal(self, C, flops_per_token: float = 6.0):
        """``N_opt = 1.3e9 (C / PF-day)**0.73`` and the tokens that spend the budget, ``C / (k N_opt)``."""
        C = positive_argument("C", C, "FLOPs")
        n_opt = self.allocation_scale * (C / PF_DAY) ** self.a
        return n_opt, C / (flops_per_token * n_opt)

    def tokens_per_parameter(self, C, flops_per_token: float = 6.0):
        """``D_opt / N_opt`` under Kaplan et al.'s allocation."""
        n_opt, d_opt = self.compute_optimal(C, flops_per_token)
        return d_opt / n_opt


#: Resamples searched together by ``bootstrap_parametric(refit="global")`` (bounds memory).
GLOBAL_CHUNK = 100

#: ``[e, a, alpha, b, beta] = EQUAL_EXPONENTS @ [e, a, alpha, b]``: the law with ``beta = alpha``.
EQUAL_EXPONENTS = np.array(
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float
)


def hoffmann_grid(grid: dict | None = None) -> np.ndarray:
    """Starting points ``[e, a, alpha, b, beta]``, shape (S, 5), from a grid like :data:`HOFFMANN_GRID`."""
    grid = HOFFMANN_GRID if grid is None else grid
    rows = itertools.product(grid["alpha"], grid["beta"], grid["e"], grid["a"], grid["b"])
    return np.array([(e, a, alpha, b, beta) for alpha, beta, e, a, b in rows], dtype=float)


def law_to_theta(law: ChinchillaLaw) -> np.ndarray:
    """``[log E, log A, alpha, log B, beta]``, the optimiser's parameter vector for `law`."""
    return np.array([np.log(law.E), np.log(law.A), law.alpha, np.log(law.B), law.beta])


def _theta_to_law(theta) -> ChinchillaLaw:
    e, a, alpha, b, beta = (float(v) for v in theta)
    return ChinchillaLaw.from_logs(log_E=e, log_A=a, log_B=b, alpha=alpha, beta=beta)


def _derived(law: ChinchillaLaw, budget: float) -> pd.Series:
    return pd.Series(
        {
            "a": law.a,
            "b": law.b,
            "G": law.G,
            "tokens_per_parameter": law.tokens_per_parameter(budget),
        }
    )


def _check_runs(N, D, loss, names, data=None, n_params=5):
    """The runs as a checked frame (columns named as the user knows them) and design notes."""
    given, roles = take_columns(
        data, {"N": N, "D": D, "loss": loss}, dict(zip(("N", "D", "loss"), names, strict=True))
    )
    names = (roles["N"], roles["D"], roles["loss"])
    columns = check_columns(
        dict(zip(names, given.values(), strict=True)),
        positive=names,
        n_params=n_params,
        model="the Chinchilla law",
    )
    notes = check_design(
        {names[0]: columns[names[0]], names[1]: columns[names[1]]},
        (names[2], columns[names[2]]),
        n_params=n_params,
        model="the Chinchilla law",
        budget=("C = 6ND", 6 * columns[names[0]] * columns[names[1]]),
        tokens=(names[0], names[1]),
    )
    return pd.DataFrame(columns), names, notes


def fit_parametric(
    N,
    D,
    loss,
    *,
    delta: float = 1e-3,
    reduction: str = "sum",
    starts=None,
    engine: str = "batched",
    options=None,
    bounds=None,
    budget: float = GOPHER_BUDGET,
    names=("N", "D", "loss"),
    data: pd.DataFrame | None = None,
    equal_exponents: bool = False,
) -> FitResult:
    """Approach 3 of Hoffmann et al. (2022): fit ``L = E + A/N**alpha + B/D**beta`` to final losses.

    The defaults reproduce the paper's recipe: Huber loss (delta = 1e-3) on
    ``log L`` residuals, summed over points, the log-sum-exp parameterisation
    ``log L = LSE(a - alpha log N, b - beta log D, e)``, and the 4,500-start
    grid of App. D.2 (:func:`lawlib.chinchilla.hoffmann_grid`).

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
        Starting points ``[e, a, alpha, b, beta]``; default the full grid.
    engine : {"batched", "scipy", "varpro"}
        ``"batched"`` and ``"scipy"`` run every start (see :mod:`lawlib.optimize`).
        ``"varpro"`` is variable projection (:mod:`lawlib.varpro`): the
        exponents on a 63 x 63 grid with ``(E, A, B)`` solved exactly by
        non-negative least squares at each point, then all five parameters
        polished on this objective from the best grid points; it chooses its own
        starts and takes a fraction of a second.
    options : dict, optional
        L-BFGS-B options, e.g. :data:`lawlib.optimize.SCIPY_DEFAULTS`.
    bounds : sequence of 5 (low, high), optional
        Box bounds on ``[e, a, alpha, b, beta]`` (None for a side without one);
        a best fit that sits on a bound is reported with a :class:`FitWarning`.
    budget : float
        Compute [FLOPs] at which ``derived["tokens_per_parameter"]`` is evaluated.
    names : tuple of str
        Column names used in error messages.
    data : DataFrame, optional
        Runs to take `N`, `D` and `loss` from by name.
    equal_exponents : bool
        Fit four parameters with ``alpha = beta``, the form Gadre et al. (2024)
        extrapolate with (then `starts` and `bounds` are ``[e, a, alpha, b]``;
        the default starts are the grid's distinct ones).

    Returns
    -------
    FitResult
        ``law`` is a :class:`ChinchillaLaw`; ``derived`` holds a, b, G and tokens per parameter.

    Raises
    ------
    ValidationError
        For bad values, or runs that cannot identify the law: one compute
        budget, a constant N or D, five or fewer distinct (N, D) points.

    Warns
    -----
    FitWarning
        When the best fit sits on a bound, several starts reach the best
        objective at different parameters, or the runs look wrong
        (duplicated, perplexities, tokens in billions).
    """
    runs, names, notes = _check_runs(N, D, loss, names, data)
    logx, logy = np.log(runs[list(names[:2])].to_numpy()), np.log(runs[names[2]].to_numpy())
    free = ["e", "a", "alpha", "b"] + ([] if equal_exponents else ["beta"])
    if engine == "varpro":
        starts = varpro.starts(logx, logy, starts, equal=equal_exponents)[:, : len(free)]
    elif starts is None:
        starts = hoffmann_grid()
        if equal_exponents:
            starts = np.unique(starts[:, :4], axis=0)
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    if starts.shape[1] != len(free):
        raise ValueError(f"starts must have {len(free)} columns ({', '.join(free)})")
    outcome = minimise_huber_log(
        logx,
        logy,
        starts,
        delta=delta,
        reduction=reduction,
        engine=engine,
        options=options,
        names=free,
        bounds=bounds,
        embed=EQUAL_EXPONENTS if equal_exponents else None,
    )
    law = _theta_to_law(outcome.x)
    return huber_log_result(
        outcome,
        model="L = E + A / N^alpha + B / D^alpha"
        if equal_exponents
        else "L = E + A / N^alpha + B / D^beta",
        params={"E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta},
        law=law,
        delta=delta,
        reduction=reduction,
        data=runs,
        inputs=names[:2],
        observed=names[2],
        settings={"Budget for D/N [FLOPs]": budget},
        derived=_derived(law, budget),
        cautions=notes,
    )


def bootstrap_parametric(
    N,
    D,
    loss,
    *,
    n_resamples: int = 4000,
    seed: int = 0,
    budget: float = GOPHER_BUDGET,
    delta: float = 1e-3,
    reduction: str = "sum",
    fit: FitResult | None = None,
    sampler: str = "generator",
    names=("N", "D", "loss"),
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
        The full-data fit with the same settings, if already computed.
    sampler : {"generator", "legacy"}
        ``"legacy"`` draws as Besiroglu et al. do (``np.random.seed(seed)``
        then ``np.random.choice(n, n)`` per resample).
    names : tuple of str
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
    """
    if refit not in ("warm", "global"):
        raise ValueError(f"refit must be 'warm' or 'global', got {refit!r}")
    runs, names, _ = _check_runs(N, D, loss, names, data)
    logx, logy = np.log(runs[list(names[:2])].to_numpy()), np.log(runs[names[2]].to_numpy())
    if fit is None:
        fit = fit_parametric(*names, data=runs, delta=delta, reduction=reduction, budget=budget)
    counts = resample_counts(logy.size, n_resamples, seed, sampler=sampler)
    ends, converged, values = refit_huber_log(
        logx, logy, fit.x, counts, delta=delta, reduction=reduction, progress=progress
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
