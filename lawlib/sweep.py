"""Planning and running a scaling sweep under a compute budget.

:class:`TrainingService` is a simulated training service for course labs: a
law the instructor chooses answers "train (N, D)" with a noisy final loss and
charges the run's FLOPs against a budget. :func:`~lawlib.plan_sweep` proposes a sweep
(budgets, model sizes per budget) for a given experiment budget and predicts,
by simulation under a prior law, how wide the interval of the compute-optimal
model size at a target compute will be, so that designs can be compared
before any run is trained.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .allocation import fit_isoflop
from .chinchilla import ChinchillaLaw
from .formatting import format_number
from .result import FitWarning
from .validation import ValidationError, check_options, positive_argument

#: Run-to-run noise of the service: standard deviation of log loss. Seed-to-seed
#: spreads of final losses of about half a percent are typical of small language
#: models (Gadre et al.'s repeated runs; the replication chapter's residuals).
DEFAULT_NOISE = 0.005


class BudgetExceeded(RuntimeError):
    """A run was refused: its FLOPs exceed what is left of the budget."""


class TrainingService:
    """A simulated training service with a secret law and a FLOP budget.

    Parameters
    ----------
    law : ChinchillaLaw
        The law that produces the losses (kept from the student in a lab).
    budget : float
        FLOPs the student may spend, all runs together.
    noise : float
        Standard deviation of the log loss of one run (0.005: about 0.5%).
    seed : int
        Seed of the noise: the same seed and the same sequence of runs give
        the same losses.
    flops_per_token : float
        FLOPs per parameter per token charged for a run, ``C = k N D``.

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (IsoFLOP profiles); derived in the chapter *A budgeted sweep*.

    Examples
    --------
    >>> service = TrainingService(ChinchillaLaw.published("besiroglu2024"), 1e19, seed=1)
    >>> loss = service.train(1e8, 2e9)
    >>> round(service.spent / 1e18, 2), len(service.runs)
    (1.2, 1)
    """

    def __init__(
        self,
        law: ChinchillaLaw,
        budget: float,
        *,
        noise: float = DEFAULT_NOISE,
        seed: int = 0,
        flops_per_token: float = 6.0,
    ):
        if not isinstance(law, ChinchillaLaw):
            raise ValidationError(
                [f"law must be a ChinchillaLaw, got {type(law).__name__}"], "TrainingService"
            )
        check_options(
            "TrainingService",
            budget=budget,
            noise=noise,
            seed=seed,
            flops_per_token=flops_per_token,
        )
        self._law = law
        self.budget = float(budget)
        self.noise = float(noise)
        self.seed = int(seed)
        self.flops_per_token = float(flops_per_token)
        self._rng = np.random.default_rng(seed)
        self._runs: list[dict] = []

    @property
    def spent(self) -> float:
        """FLOPs charged so far."""
        return float(sum(run["C"] for run in self._runs))

    @property
    def remaining(self) -> float:
        """FLOPs left of the budget."""
        return self.budget - self.spent

    @property
    def runs(self) -> pd.DataFrame:
        """Every run trained so far: columns N, D, C, loss (the loss as reported, with noise)."""
        return pd.DataFrame(self._runs, columns=["N", "D", "C", "loss"])

    def cost(self, N, D) -> float:
        """FLOPs of training the runs (N, D), summed."""
        N = positive_argument("N", N, "parameters")
        D = positive_argument("D", D, "tokens")
        return float(np.sum(self.flops_per_token * N * D))

    def train(self, N, D):
        """Train models of `N` parameters on `D` tokens; return their final losses.

        Parameters
        ----------
        N, D : float or array_like, broadcastable
            Parameters and training tokens of each run.

        Returns
        -------
        float or ndarray
            Final loss [nats/token] of each run, with run-to-run noise.

        Raises
        ------
        BudgetExceeded
            If the runs together cost more FLOPs than remain; nothing is
            trained or charged then.
        """
        N, D = np.broadcast_arrays(
            positive_argument("N", N, "parameters"), positive_argument("D", D, "tokens")
        )
        cost = self.cost(N, D)
        if cost > self.remaining * (1 + 1e-12):
            raise BudgetExceeded(
                f"refused: {N.size} run(s) cost {cost:.3g} FLOPs, but only {self.remaining:.3g} "
                f"of the {self.budget:.3g} FLOP budget remain"
            )
        loss = self._law.loss(N, D) * np.exp(self.noise * self._rng.standard_normal(N.shape))
        for n, d, value in zip(N.ravel(), D.ravel(), np.ravel(loss), strict=True):
            self._runs.append(
                {"N": float(n), "D": float(d), "C": self.flops_per_token * n * d, "loss": value}
            )
        return float(loss) if loss.ndim == 0 else loss

    def score(self, target: float, N_opt: float, loss: float) -> pd.DataFrame:
        """Compare a submission with the secret law at compute `target` [FLOPs].

        Returns
        -------
        DataFrame
            Rows ``N_opt`` and ``loss``: submitted, true, and relative error.
        """
        target = float(positive_argument("target", target, "FLOPs"))
        true_n, true_d = self._law.compute_optimal(target, flops_per_token=self.flops_per_token)
        truth = {"N_opt": float(true_n), "loss": float(self._law.loss(true_n, true_d))}
        submitted = {"N_opt": float(N_opt), "loss": float(loss)}
        frame = pd.DataFrame({"submitted": submitted, "true": truth})
        frame["relative error"] = frame["submitted"] / frame["true"] - 1
        return frame


@dataclass
class SweepPlan:
    """A proposed sweep and what simulation predicts it will tell.

    Attributes
    ----------
    design : DataFrame
        One row per run: ``C`` (the budget of its IsoFLOP curve), ``N``, ``D``.
    target : float
        Compute at which N_opt is predicted [FLOPs].
    simulated : ndarray, shape (n_simulations,)
        N_opt at `target` from each simulated sweep (IsoFLOP fit), NaN when a
        simulated sweep could not be fitted.
    level : float
        Coverage of `interval`.
    truth : float
        N_opt at `target` under the prior law.
    noise : float
        Standard deviation of log loss assumed per run.

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (IsoFLOP profiles); derived in the chapter *A budgeted sweep*.
    """

    design: pd.DataFrame
    target: float
    simulated: np.ndarray
    level: float
    truth: float
    noise: float

    @property
    def cost(self) -> float:
        """FLOPs of the whole sweep."""
        return float(self.design["C"].sum())

    @property
    def interval(self) -> tuple[float, float]:
        """Central `level` interval of the simulated N_opt at the target [parameters]."""
        tail = (1 - self.level) / 2
        low, high = np.nanquantile(self.simulated, [tail, 1 - tail])
        return float(low), float(high)

    @property
    def width(self) -> float:
        """``high / low`` of :attr:`interval`: 2 means N_opt is known to a factor of 2."""
        low, high = self.interval
        return high / low

    @property
    def failed(self) -> int:
        """Simulated sweeps that could not be fitted."""
        return int(np.isnan(self.simulated).sum())

    def summary(self) -> pd.Series:
        """The plan in one column of text: budgets, runs, cost, and the predicted interval."""
        low, high = self.interval
        values = pd.Series(
            {
                "budgets": self.design["C"].nunique(),
                "runs": len(self.design),
                "largest budget [FLOPs]": self.design["C"].max(),
                "cost [FLOPs]": self.cost,
                "run-to-run noise (sd of log loss)": self.noise,
                "target [FLOPs]": self.target,
                "N_opt at target, prior law": self.truth,
                f"N_opt, {self.level:.0%} interval low": low,
                f"N_opt, {self.level:.0%} interval high": high,
                "interval width (high/low)": self.width,
                "failed simulations": self.failed,
            },
            name="sweep plan",
            dtype=object,
        )
        return values.map(format_number)


def sweep_design(
    prior: ChinchillaLaw,
    experiment_budget: float,
    *,
    n_budgets: int = 5,
    sizes_per_budget: int = 7,
    decades: float = 2.0,
    size_span: float = 4.0,
    flops_per_token: float = 6.0,
) -> pd.DataFrame:
    """IsoFLOP budgets and model sizes that spend exactly `experiment_budget`.

    Budgets are spaced evenly in log over `decades` decades, ending at the
    largest budget the experiment budget allows; each gets `sizes_per_budget`
    models spread evenly in log from ``N_opt / size_span`` to
    ``N_opt * size_span`` around the prior's compute-optimal size.

    Parameters
    ----------
    prior : ChinchillaLaw
        The law whose optimum centers each curve.
    experiment_budget : float
        FLOPs of the whole sweep.
    n_budgets : int
        IsoFLOP curves (at least 3).
    sizes_per_budget : int
        Models per curve (at least 3).
    decades : float
        Span of the budgets [decades].
    size_span : float
        Sizes reach a factor `size_span` each side of the optimum (> 1).
    flops_per_token : float

    Returns
    -------
    DataFrame
        Columns C, N, D, one row per run.

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (IsoFLOP profiles); derived in the chapter *A budgeted sweep*.
    """
    check_options(
        "sweep_design",
        experiment_budget=experiment_budget,
        n_budgets=n_budgets,
        sizes_per_budget=sizes_per_budget,
        decades=decades,
        size_span=size_span,
        flops_per_token=flops_per_token,
    )
    shares = np.logspace(-decades, 0, n_budgets)
    largest = experiment_budget / (sizes_per_budget * shares.sum())
    rows = []
    for budget in largest * shares:
        n_opt, _ = prior.compute_optimal(budget, flops_per_token=flops_per_token)
        for n in n_opt * np.logspace(-1, 1, sizes_per_budget) ** np.log10(size_span):
            rows.append({"C": budget, "N": n, "D": budget / (flops_per_token * n)})
    return pd.DataFrame(rows)


def simulate_isoflop(
    law: ChinchillaLaw,
    budgets,
    half_width: float,
    n_points: int,
    *,
    centre=None,
    noise: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """IsoFLOP runs laid out on a law: noise-free, or with multiplicative noise.

    For each budget ``C``, `n_points` model sizes are spaced evenly in
    ``log N`` from ``centre / half_width`` to ``centre * half_width`` (the center), trained
    on ``D = C / (6 N)`` tokens, and given the law's loss, times
    ``exp(noise * eps)`` with ``eps`` standard normal when `noise` > 0.

    Parameters
    ----------
    law : ChinchillaLaw
        The true surface.
    budgets : float or array_like, shape (K,)
        Compute budgets [FLOPs].
    half_width : float
        The sizes reach a factor `half_width` each side of the centre (> 1).
    n_points : int
        Runs per budget (3 or more).
    centre : None, array_like of shape (K,), or callable
        Where each budget's sizes are centered [parameters]: the law's
        compute-optimal size (None), one size per budget, or a function of the
        budget (a constant or drifting offset from the optimum, say).
    noise : float
        Standard deviation of the log loss (0: noise-free).
    seed : int
        Seed of the noise.

    Returns
    -------
    DataFrame
        Columns N, D, C, loss, one row per run, budgets in the order given.

    Raises
    ------
    ValidationError
        A budget that is not positive, a half-width not above 1, fewer than
        three points, negative noise, or centers that are not one positive
        size per budget.

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (IsoFLOP profiles); derived in the chapter *How fits go wrong*.

    Examples
    --------
    >>> law = ChinchillaLaw.published("hoffmann2022")
    >>> runs = simulate_isoflop(law, [1e19, 1e20], half_width=4, n_points=5)
    >>> runs.shape, bool((runs["C"] == 6 * runs["N"] * runs["D"]).all())
    ((10, 4), True)
    """
    where = "simulate_isoflop"
    check_options(where, half_width=half_width, n_points=n_points, noise=noise, seed=seed)
    c = np.atleast_1d(positive_argument("budgets", budgets, "FLOPs")).astype(float)
    if c.ndim != 1:
        raise ValidationError([f"budgets must be one number or a list; got shape {c.shape}"], where)
    if centre is None:
        centers = np.asarray(law.compute_optimal(c)[0], dtype=float)
    elif callable(centre):
        centers = np.array([float(centre(value)) for value in c])
    else:
        centers = np.atleast_1d(np.asarray(centre, dtype=float))
    if centers.shape != c.shape:
        raise ValidationError(
            [f"centre must give one size per budget ({len(c)}); got {centers.size}"], where
        )
    positive_argument("centre", centers, "parameters")
    offsets = np.linspace(-1.0, 1.0, int(n_points)) * np.log(half_width)
    n = (centers[:, None] * np.exp(offsets[None, :])).ravel()
    flops = np.repeat(c, int(n_points))
    d = flops / (6 * n)
    loss = np.asarray(law.loss(n, d), dtype=float)
    if noise > 0:
        loss = loss * np.exp(noise * np.random.default_rng(int(seed)).standard_normal(loss.size))
    return pd.DataFrame({"N": n, "D": d, "C": flops, "loss": loss})


def plan_sweep(
    prior: ChinchillaLaw,
    experiment_budget: float,
    target: float,
    *,
    n_budgets: int = 5,
    sizes_per_budget: int = 7,
    decades: float = 2.0,
    size_span: float = 4.0,
    noise: float = DEFAULT_NOISE,
    n_simulations: int = 200,
    level: float = 0.9,
    seed: int = 0,
    flops_per_token: float = 6.0,
) -> SweepPlan:
    """Propose a sweep and predict, by simulation, how well it pins down N_opt at `target`.

    The sweep is :func:`sweep_design`. Each simulation draws the sweep's losses
    from `prior` with log-normal noise `noise`, fits Approach 2
    (:func:`lawlib.fit_isoflop`) and extrapolates ``N_opt = N_coef * C**a`` to
    `target`; the spread of those predictions is what the design buys.

    Parameters
    ----------
    prior : ChinchillaLaw
        Your best guess of the law (a published one, or a pilot fit).
    experiment_budget : float
        FLOPs available for the sweep.
    target : float
        Compute [FLOPs] at which the optimal model size is wanted.
    n_budgets, sizes_per_budget, decades, size_span, flops_per_token
        As in :func:`sweep_design`.
    noise : float
        Run-to-run standard deviation of log loss.
    n_simulations : int
        Simulated sweeps.
    level : float
        Coverage of the reported interval.
    seed : int
        Seed of the simulated noise.

    Returns
    -------
    SweepPlan

    References
    ----------
    J. Hoffmann et al. (2022), sec. 3.2 (IsoFLOP profiles); derived in the chapter *A budgeted sweep*.

    Examples
    --------
    >>> prior = ChinchillaLaw.published("besiroglu2024")
    >>> wide = plan_sweep(prior, 1e20, 1e22, n_budgets=3, n_simulations=50)
    >>> deep = plan_sweep(prior, 1e20, 1e22, n_budgets=6, n_simulations=50)
    >>> round(wide.cost / 1e20, 9), round(deep.cost / 1e20, 9)  # the whole budget, each
    (1.0, 1.0)
    >>> deep.width < wide.width  # more budgets pin N_opt at the target better here
    True
    """
    check_options(
        "plan_sweep",
        target=target,
        noise=noise,
        n_simulations=n_simulations,
        level=level,
        seed=seed,
    )
    design = sweep_design(
        prior,
        experiment_budget,
        n_budgets=n_budgets,
        sizes_per_budget=sizes_per_budget,
        decades=decades,
        size_span=size_span,
        flops_per_token=flops_per_token,
    )
    rng = np.random.default_rng(seed)
    clean = prior.loss(design["N"].to_numpy(), design["D"].to_numpy())
    simulated = np.full(n_simulations, np.nan)
    for i in range(n_simulations):
        loss = clean * np.exp(noise * rng.standard_normal(clean.shape))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)  # budgets skipped: counted below
                fit = fit_isoflop(
                    design["N"],
                    design["D"],
                    loss,
                    design["C"],
                    n_nearest=min(5, sizes_per_budget),
                    flops_per_token=flops_per_token,
                )
        except ValidationError:
            continue
        if fit.optima.shape[0] >= 2:
            simulated[i] = fit.params["N_coef"] * target ** fit.params["a"]
    truth, _ = prior.compute_optimal(target, flops_per_token=flops_per_token)
    return SweepPlan(
        design=design,
        target=float(target),
        simulated=simulated,
        level=level,
        truth=float(truth),
        noise=float(noise),
    )
