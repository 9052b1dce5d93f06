"""Data-constrained scaling (Muennighoff et al. 2023): effective data and parameters under repetition.

Units: N parameters, D tokens trained on, U unique tokens available, loss in
nats/token. Derived in the Part III chapter *Repeating data*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .chinchilla import ChinchillaLaw
from .objectives import huber, objective_definition
from .optimize import multistart
from .result import FitResult, Objective
from .validation import check_columns


@dataclass(frozen=True)
class DataConstrainedLaw:
    """``L = E + A / N'**alpha + B / D'**beta`` with effective data D' and parameters N'.

    ``D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*))`` with ``U_D = min(U, D)`` and
    ``R_D = D / U_D - 1`` repetitions (epochs minus one); N' has the same form
    in ``U_N = min(N, N_opt(U_D))`` and ``R_N = N / U_N - 1`` (Muennighoff et al.
    2023, eqs. 5 and 6). Note that N' < N whenever N exceeds ``N_opt(U_D)``, even
    without repetition: excess parameters decay too.

    Examples
    --------
    >>> law = DataConstrainedLaw.muennighoff2023()
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

    @classmethod
    def muennighoff2023(cls) -> DataConstrainedLaw:
        """The published constants (huggingface/datablations README, commit 1370131)."""
        law = ChinchillaLaw.from_logs(
            e=0.6254804, a=6.255414, b=7.3049974, alpha=0.3526596, beta=0.3526596
        )
        return cls.from_chinchilla(law, R_D_star=15.387756, R_N_star=5.309743)

    @classmethod
    def from_chinchilla(
        cls, law: ChinchillaLaw, *, R_D_star: float, R_N_star: float
    ) -> DataConstrainedLaw:
        """Add decay constants to a Chinchilla law."""
        return cls(law.E, law.A, law.B, law.alpha, law.beta, R_D_star, R_N_star)

    @property
    def chinchilla(self) -> ChinchillaLaw:
        """The law without repetition: ``E + A / N**alpha + B / D**beta``."""
        return ChinchillaLaw(self.E, self.A, self.B, self.alpha, self.beta)

    def effective_data(self, D, U):
        """D' [tokens] for D tokens drawn from U unique tokens."""
        D = np.asarray(D, dtype=float)
        unique = np.minimum(np.asarray(U, dtype=float), D)
        repeats = D / unique - 1
        return unique + unique * self.R_D_star * -np.expm1(-repeats / self.R_D_star)

    def optimal_parameters(self, U):
        """``N_opt(U)``: the compute-optimal model size whose optimal token count is U.

        From the closed form ``D_opt = G**-1 (C/6)**b = U``: ``N_opt = G (U G)**(beta / alpha)``.
        """
        G = self.chinchilla.G
        return G * (np.asarray(U, dtype=float) * G) ** (self.beta / self.alpha)

    def effective_parameters(self, N, D, U):
        """N' [parameters] of an N-parameter model trained on D tokens from U unique ones."""
        N = np.asarray(N, dtype=float)
        base = np.minimum(N, self.optimal_parameters(np.minimum(np.asarray(U, dtype=float), D)))
        excess = N / base - 1
        return base + base * self.R_N_star * -np.expm1(-excess / self.R_N_star)

    def loss(self, N, D, U):
        """Predicted loss [nats/token] (arrays broadcast)."""
        return self.chinchilla.loss(self.effective_parameters(N, D, U), self.effective_data(D, U))


def _check_runs(N, D, U, loss, names=("N", "D", "U", "loss")):
    columns = check_columns(
        dict(zip(names, (N, D, U, loss), strict=True)),
        positive=names,
        n_params=2,
        model="the decay constants",
    )
    over = columns[names[2]] > columns[names[1]] * (1 + 1e-12)
    if over.any():
        first = int(np.flatnonzero(over)[0])
        raise ValueError(
            f"column {names[2]!r}: {int(over.sum())} of {over.size} runs have more unique tokens than "
            f"tokens trained on ({names[1]!r}); first at row {first}: "
            f"{columns[names[2]][first]:.4g} > {columns[names[1]][first]:.4g}"
        )
    return columns


class _DecayProblem:
    """Summed Huber loss of log residuals over runs, as a function of log R_D* and log R_N*."""

    def __init__(self, law, N, D, U, loss, delta, fixed_R_D=None):
        self.law, self.N, self.D, self.U, self.logy, self.delta = law, N, D, U, np.log(loss), delta
        self.fixed_R_D = fixed_R_D

    def values(self, theta):
        rows = []
        for log_r in np.atleast_2d(theta):
            r_d = self.fixed_R_D if self.fixed_R_D is not None else np.exp(log_r[0])
            candidate = replace(self.law, R_D_star=r_d, R_N_star=np.exp(log_r[-1]))
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


def fit_decay(
    N,
    D,
    U,
    loss,
    *,
    law: ChinchillaLaw | None = None,
    delta: float = 1e-3,
    starts=DECAY_STARTS,
    names=("N", "D", "U", "loss"),
) -> FitResult:
    """Fit R_D* and R_N* with the Chinchilla part frozen, as Muennighoff et al. did.

    Parameters
    ----------
    N, D, U, loss : array_like, shape (n,)
        Parameters, tokens trained on, unique tokens, final loss of each run.
    law : ChinchillaLaw, optional
        The frozen part; default Muennighoff et al.'s C4 coefficients.
    delta : float
        Huber threshold on log residuals.
    starts : sequence of float
        Values of each constant to start from (all pairs are tried).
    names : tuple of str

    Returns
    -------
    FitResult
        ``law`` is a :class:`DataConstrainedLaw`; ``derived["r_squared"]`` is the
        R² of the predicted loss.
    """
    columns = _check_runs(N, D, U, loss, names)
    N, D, U, y = (columns[name] for name in names)
    frozen = DataConstrainedLaw.muennighoff2023().chinchilla if law is None else law
    base = DataConstrainedLaw.from_chinchilla(frozen, R_D_star=1.0, R_N_star=1.0)
    problem = _DecayProblem(base, N, D, U, y, delta)
    grid = np.log(np.array(list(itertools.product(starts, starts))))
    outcome = multistart(problem, grid, names=("log R_D*", "log R_N*"), engine="scipy")
    fitted = replace(
        base, R_D_star=float(np.exp(outcome.x[0])), R_N_star=float(np.exp(outcome.x[1]))
    )
    predicted = fitted.loss(N, D, U)
    r_squared = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    notes = list(outcome.notes)
    if not outcome.converged:
        notes.insert(0, f"the optimiser did not converge: {outcome.message}")
    return FitResult(
        model="L = E + A / N'^alpha + B / D'^beta, Chinchilla part frozen",
        params=pd.Series({"R_D_star": fitted.R_D_star, "R_N_star": fitted.R_N_star}),
        law=fitted,
        objective=Objective(outcome.value, objective_definition(delta, "sum", y.size)),
        converged=outcome.converged,
        message=outcome.message,
        start_objectives=outcome.start_values,
        n_obs=int(y.size),
        x=outcome.x,
        settings={
            "Huber delta": delta,
            "Frozen E, A, B, alpha, beta": f"{frozen.E:.5g}, {frozen.A:.5g}, "
            f"{frozen.B:.5g}, {frozen.alpha:.5g}, {frozen.beta:.5g}",
            "Optimiser": "L-BFGS-B per start",
        },
        derived=pd.Series({"r_squared": r_squared}),
        notes=notes,
    )


def profile_decay(
    N,
    D,
    U,
    loss,
    R_D_star_values,
    *,
    law: ChinchillaLaw | None = None,
    delta: float = 1e-3,
    starts=DECAY_STARTS,
    names=("N", "D", "U", "loss"),
) -> pd.DataFrame:
    """The fit objective over fixed values of R_D*, with R_N* re-optimised at each.

    A flat profile means the data barely identify R_D*.

    Returns
    -------
    DataFrame with columns ``R_D_star``, ``objective`` and ``R_N_star``.
    """
    columns = _check_runs(N, D, U, loss, names)
    N, D, U, y = (columns[name] for name in names)
    frozen = DataConstrainedLaw.muennighoff2023().chinchilla if law is None else law
    base = DataConstrainedLaw.from_chinchilla(frozen, R_D_star=1.0, R_N_star=1.0)
    rows = []
    for r_d in R_D_star_values:
        problem = _DecayProblem(base, N, D, U, y, delta, fixed_R_D=float(r_d))
        outcome = multistart(problem, np.log(np.array(starts))[:, None], engine="scipy")
        rows.append(
            {
                "R_D_star": float(r_d),
                "objective": outcome.value,
                "R_N_star": float(np.exp(outcome.x[0])),
            }
        )
    return pd.DataFrame(rows)
