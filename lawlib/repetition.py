"""Data-constrained scaling (Muennighoff et al. 2023): effective data and parameters under repetition.

Units: N parameters, D tokens trained on, U unique tokens available, loss in
nats/token. Derived in the Part III chapter *Repeating data*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from .chinchilla import ChinchillaLaw
from .law import Law
from .logfit import objective_definition
from .objectives import huber
from .optimize import multistart
from .result import FitResult
from .validation import (
    ValidationError,
    check_columns,
    check_design,
    check_options,
    positive_argument,
    take_columns,
)
from .validation.runs import Column


@dataclass(frozen=True, eq=False)
class DataConstrainedLaw(Law):
    """``L = E + A / N'**alpha + B / D'**beta`` with effective data D' and parameters N'.

    ``D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*))`` with ``U_D = min(U, D)`` and
    ``R_D = D / U_D - 1`` repetitions (epochs minus one); N' has the same form
    in ``U_N = min(N, N_opt(U_D))`` and ``R_N = N / U_N - 1`` (Muennighoff et al.
    2023, eqs. 5 and 6). Note that N' < N whenever N exceeds ``N_opt(U_D)``, even
    without repetition: excess parameters decay too.

    Parameters
    ----------
    E, A, B, alpha, beta : float
        The Chinchilla part (see :class:`lawlib.ChinchillaLaw`).
    R_D_star, R_N_star : float
        Decay constants of repeated tokens and of excess parameters, > 0.

    References
    ----------
    N. Muennighoff et al. (2023), "Scaling Data-Constrained Language Models",
    eqs. 5 and 6; constants from huggingface/datablations (README, commit 1370131).

    Examples
    --------
    >>> law = DataConstrainedLaw.published("muennighoff2023")
    >>> round(float(law.loss(6.34e9, 242e9, 25e9)), 12)
    2.225644088998
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    R_D_star: float
    R_N_star: float

    inputs = ("N", "D", "U")
    RULES: ClassVar[dict[str, str]] = {
        "E": "nonnegative",
        "A": "positive",
        "B": "positive",
        "alpha": "positive",
        "beta": "positive",
        "R_D_star": "positive",
        "R_N_star": "positive",
    }
    LOG_PARAMS = ("E", "A", "B", "R_D_star", "R_N_star")
    PRESETS = "data_constrained"

    @classmethod
    def from_chinchilla(
        cls, law: ChinchillaLaw, *, R_D_star: float, R_N_star: float
    ) -> DataConstrainedLaw:
        """Add decay constants to a Chinchilla law.

        Parameters
        ----------
        law : ChinchillaLaw
        R_D_star, R_N_star : float

        Returns
        -------
        DataConstrainedLaw
        """
        return cls(law.E, law.A, law.B, law.alpha, law.beta, R_D_star, R_N_star)

    @property
    def chinchilla(self) -> ChinchillaLaw:
        """The law without repetition: ``E + A / N**alpha + B / D**beta``."""
        return ChinchillaLaw(self.E, self.A, self.B, self.alpha, self.beta)

    def effective_data(self, D: ArrayLike, U: ArrayLike):
        """D' [tokens] for D tokens drawn from U unique tokens.

        Parameters
        ----------
        D : array_like
            Tokens trained on.
        U : array_like
            Unique tokens available (``inf``: no repetition).

        Returns
        -------
        ndarray
        """
        D = positive_argument("D", D, "tokens")
        unique = np.minimum(positive_argument("U", U, "unique tokens", infinite=True), D)
        repeats = D / unique - 1
        return unique + unique * self.R_D_star * -np.expm1(-repeats / self.R_D_star)

    def optimal_parameters(self, U: ArrayLike):
        """``N_opt(U)``: the compute-optimal model size whose optimal token count is U.

        From the closed form ``D_opt = G**-1 (C/6)**b = U``: ``N_opt = G (U G)**(beta / alpha)``.

        Parameters
        ----------
        U : array_like
            Tokens.

        Returns
        -------
        ndarray
        """
        G = self.chinchilla.G
        return G * (positive_argument("U", U, "tokens", infinite=True) * G) ** (
            self.beta / self.alpha
        )

    def effective_parameters(self, N: ArrayLike, D: ArrayLike, U: ArrayLike):
        """N' [parameters] of an N-parameter model trained on D tokens from U unique ones.

        Parameters
        ----------
        N, D, U : array_like
            Parameters, tokens trained on, unique tokens.

        Returns
        -------
        ndarray
        """
        N = positive_argument("N", N, "parameters")
        D = positive_argument("D", D, "tokens")
        U = positive_argument("U", U, "unique tokens", infinite=True)
        base = np.minimum(N, self.optimal_parameters(np.minimum(U, D)))
        excess = N / base - 1
        return base + base * self.R_N_star * -np.expm1(-excess / self.R_N_star)

    def loss(self, N: ArrayLike, D: ArrayLike, U: ArrayLike):
        """Predicted loss [nats/token] (arrays broadcast).

        Parameters
        ----------
        N, D, U : array_like
            Parameters, tokens trained on, unique tokens (``inf``: no repetition).

        Returns
        -------
        ndarray
        """
        N = positive_argument("N", N, "parameters", infinite=True)
        D = positive_argument("D", D, "tokens", infinite=True)
        U = positive_argument("U", U, "unique tokens", infinite=True)
        return self.chinchilla.loss(self.effective_parameters(N, D, U), self.effective_data(D, U))

    def compute_optimal(self, C: ArrayLike, *, flops_per_token: float = 6.0, U=np.inf):
        """Loss-minimizing ``(N_opt, D_opt)`` under ``flops_per_token * N * D = C`` with U unique tokens.

        There is no closed form once data repeats: along the budget,
        ``D = C / (k N)``, the loss is minimized over log N by a bounded scalar
        search (Brent's method), within four decades of the Chinchilla optimum.

        Parameters
        ----------
        C : array_like
            Compute budget [FLOPs].
        flops_per_token : float
        U : float or array_like
            Unique tokens available (broadcast against `C`; ``inf`` by default).

        Returns
        -------
        N_opt, D_opt : ndarray, shape of ``C`` and ``U`` broadcast

        References
        ----------
        N. Muennighoff et al. (2023), sec. 3 (the optimum under repetition).
        """
        check_options("compute_optimal", flops_per_token=flops_per_token)
        C, U = np.broadcast_arrays(
            positive_argument("C", C, "FLOPs"),
            positive_argument("U", U, "unique tokens", infinite=True),
        )
        k = float(flops_per_token)
        center = np.log(self.chinchilla.compute_optimal(C, flops_per_token=k)[0])
        n_opt = np.empty(C.shape)
        for index in np.ndindex(C.shape):
            budget, unique = C[index], U[index]
            found = minimize_scalar(
                lambda log_n, budget=budget, unique=unique: float(
                    self.loss(np.exp(log_n), budget / (k * np.exp(log_n)), unique)
                ),
                bounds=(center[index] - 4 * np.log(10), center[index] + 4 * np.log(10)),
                method="bounded",
                options={"xatol": 1e-10},
            )
            n_opt[index] = np.exp(found.x)
        return n_opt, C / (k * n_opt)


def _check_runs(N, D, U, loss, data=None):
    """The runs as checked arrays (keyed by the user's names), their names, and design notes."""
    given, roles = take_columns(
        data, dict(zip(("N", "D", "U", "loss"), (N, D, U, loss), strict=True))
    )
    names = tuple(roles.values())
    columns = check_columns(
        dict(zip(names, given.values(), strict=True)),
        positive=names,
        n_params=2,
        model="the decay constants",
    )
    n, d, u, y = (columns[name] for name in names)
    problems = []
    over = u > d * (1 + 1e-12)
    if over.any():
        first = int(np.flatnonzero(over)[0])
        problems.append(
            f"column {names[2]!r}: {int(over.sum())} of {over.size} runs have more unique tokens "
            f"than tokens trained on ({names[1]!r}); first at row {first}: "
            f"{u[first]:.4g} > {d[first]:.4g}"
        )
    elif not (d > u * (1 + 1e-9)).any():
        problems.append(
            f"no run repeats its data ({names[1]} <= {names[2]} in all {d.size} runs): "
            "the decay of repeated tokens, R_D*, cannot be fitted"
        )
    if problems:
        raise ValidationError(problems, "the runs")
    notes = check_design(
        {names[0]: n, names[1]: d, names[2]: u},
        (names[3], y),
        n_params=2,
        model="the decay constants",
        tokens=(names[0], names[1]),
    )
    return columns, names, notes


class _DecayProblem:
    """Summed Huber loss of log residuals over runs, as a function of log R_D* and log R_N*."""

    def __init__(self, law, N: ArrayLike, D: ArrayLike, U: ArrayLike, loss, delta, fixed_R_D=None):
        self.constants = law.params.to_dict()
        self.N, self.D, self.U, self.logy, self.delta = N, D, U, np.log(loss), delta
        self.fixed_R_D = fixed_R_D

    def values(self, theta):
        rows = []
        for log_r in np.atleast_2d(theta):
            r_d = self.fixed_R_D if self.fixed_R_D is not None else np.exp(log_r[0])
            candidate = DataConstrainedLaw.unchecked(
                **{**self.constants, "R_D_star": r_d, "R_N_star": np.exp(log_r[-1])}
            )
            rows.append(
                huber(np.log(candidate.loss(self.N, self.D, self.U)) - self.logy, self.delta).sum()
            )
        return np.array(rows)

    def __call__(self, theta, rows=None):
        theta = np.atleast_2d(theta)
        step = 1e-6
        grads = np.column_stack(
            [
                (self.values(theta + step * unit) - self.values(theta - step * unit)) / (2 * step)
                for unit in np.eye(theta.shape[1])
            ]
        )
        return self.values(theta), grads


#: Starting values of R_D* and R_N*: the authors' grid linspace(0, 20, 4), with 0 replaced by 0.5.
DECAY_STARTS = (0.5, 20 / 3, 40 / 3, 20.0)


def _decay_starts(starts, where: str) -> np.ndarray:
    """Starts in log R: all pairs of a 1-D grid of values, or the given (S, 2) pairs [R_D*, R_N*]."""
    values = np.asarray(starts, dtype=float)
    if values.ndim == 1:
        values = np.array(list(itertools.product(values, values)))
    if (
        values.ndim != 2
        or values.shape[1] != 2
        or not (np.isfinite(values).all() and (values > 0).all())
    ):
        raise ValidationError(
            [
                (
                    "starts must be positive values of the decay constants (each pair of them is "
                    "tried) or (S, 2) pairs [R_D*, R_N*]"
                )
            ],
            where,
        )
    return np.log(values)


def fit_decay(
    N: Column,
    D: Column,
    U: Column,
    loss: Column,
    *,
    law: ChinchillaLaw | None = None,
    delta: float = 1e-3,
    starts=DECAY_STARTS,
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit R_D* and R_N* with the Chinchilla part frozen, as Muennighoff et al. did.

    Parameters
    ----------
    N, D, U, loss : array_like, shape (n,), or str
        Parameters, tokens trained on, unique tokens, final loss of each run;
        with `data`, the names of its columns.
    law : ChinchillaLaw, optional
        The frozen part; default Muennighoff et al.'s C4 coefficients.
    delta : float
        Huber threshold on log residuals.
    starts : array_like
        Values of each constant to start from (all pairs are tried), or
        (S, 2) pairs ``[R_D*, R_N*]``; ``starts=fit.x`` restarts at a fit's optimum.
    data : DataFrame, optional

    Returns
    -------
    FitResult
        ``law`` is a :class:`DataConstrainedLaw`; ``x`` is ``[R_D*, R_N*]``;
        ``derived["r_squared"]`` is the R² of the predicted loss.

    References
    ----------
    N. Muennighoff et al. (2023), sec. 3 and App. A (the fit of the decay constants).
    """
    check_options("fit_decay", delta=delta)
    columns, names, notes = _check_runs(N, D, U, loss, data)
    N, D, U, y = (columns[name] for name in names)
    frozen = DataConstrainedLaw.published("muennighoff2023").chinchilla if law is None else law
    base = DataConstrainedLaw.from_chinchilla(frozen, R_D_star=1.0, R_N_star=1.0)
    problem = _DecayProblem(base, N, D, U, y, delta)
    grid = _decay_starts(starts, "fit_decay")
    with np.errstate(over="ignore", invalid="ignore"):  # far starts overflow; the search moves on
        outcome = multistart(problem, grid, names=("log R_D*", "log R_N*"), engine="scipy")
    fitted = replace(
        base, R_D_star=float(np.exp(outcome.x[0])), R_N_star=float(np.exp(outcome.x[1]))
    )
    predicted = fitted.loss(N, D, U)
    r_squared = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    return FitResult.build(
        model="L = E + A / N'^alpha + B / D'^beta, Chinchilla part frozen",
        params={"R_D_star": fitted.R_D_star, "R_N_star": fitted.R_N_star},
        law=fitted,
        objective=outcome.value,
        definition=objective_definition(delta, "sum", y.size),
        engine="L-BFGS-B per start",
        outcome=outcome,
        settings={
            "Huber delta": delta,
            "Frozen E, A, B, alpha, beta": f"{frozen.E:.5g}, {frozen.A:.5g}, "
            f"{frozen.B:.5g}, {frozen.alpha:.5g}, {frozen.beta:.5g}",
        },
        derived=pd.Series({"r_squared": r_squared}),
        cautions=notes,
        data=pd.DataFrame(columns),
        inputs=names[:3],
        observed=names[3],
        delta=delta,
        x=np.exp(outcome.x),
    )


def profile_decay(
    N: Column,
    D: Column,
    U: Column,
    loss: Column,
    R_D_star_values: Column,
    *,
    law: ChinchillaLaw | None = None,
    delta: float = 1e-3,
    starts=DECAY_STARTS,
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The fit objective over fixed values of R_D*, with R_N* re-optimized at each.

    A flat profile means the data barely identify R_D*.

    Parameters
    ----------
    N, D, U, loss : array_like, shape (n,), or str
        As in :func:`fit_decay`.
    R_D_star_values : array_like
        Values of R_D* at which to profile.
    law : ChinchillaLaw, optional
    delta : float
    starts : sequence of float
        Values of R_N* to start from.
    data : DataFrame, optional

    Returns
    -------
    DataFrame with columns ``R_D_star``, ``objective`` and ``R_N_star``.

    References
    ----------
    N. Muennighoff et al. (2023), sec. 3.
    """
    check_options("profile_decay", delta=delta)
    columns, names, _ = _check_runs(N, D, U, loss, data)
    N, D, U, y = (columns[name] for name in names)
    values = positive_argument("R_D_star_values", R_D_star_values)
    frozen = DataConstrainedLaw.published("muennighoff2023").chinchilla if law is None else law
    base = DataConstrainedLaw.from_chinchilla(frozen, R_D_star=1.0, R_N_star=1.0)
    rows = []
    for r_d in np.atleast_1d(values):
        problem = _DecayProblem(base, N, D, U, y, delta, fixed_R_D=float(r_d))
        with np.errstate(over="ignore", invalid="ignore"):
            outcome = multistart(
                problem, np.log(positive_argument("starts", starts))[:, None], engine="scipy"
            )
        rows.append(
            {
                "R_D_star": float(r_d),
                "objective": outcome.value,
                "R_N_star": float(np.exp(outcome.x[0])),
            }
        )
    return pd.DataFrame(rows)
