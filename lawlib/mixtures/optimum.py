"""The mixture that minimizes a weighted sum of domain losses: under BiMix from the Lagrange
conditions, under Ye et al.'s exponential law numerically (it is not convex in general).

Derived in the Part IV chapter *Optimising the mixture*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize

from ..errors import ValidationError
from ..validation import check_options
from .bimix import BiMixLaw
from .frames import proportions
from .mixing_law import MixingLaw


@dataclass(frozen=True)
class MixtureOptimum:
    """The mixture :func:`optimize_mixture` found.

    Attributes
    ----------
    proportions : Series
        Optimal proportion of each domain (sums to 1).
    objective : float
        Weighted sum of the predicted domain losses there [nats/token].
    steps : float or None
        The target step (None under the exponential law, which has no step).
    weights : Series
        Weight of each domain's loss.

    References
    ----------
    C. Ge et al. (2024), "BiMix: A Bivariate Data Mixing Law for Language Model Pretraining", sec. 5.
    """

    proportions: pd.Series
    objective: float
    steps: float | None
    weights: pd.Series

    def __repr__(self) -> str:
        shares = ", ".join(f"{d} {r:.4f}" for d, r in self.proportions.items())
        at = f" at step {self.steps:g}" if self.steps is not None else ""
        return f"<MixtureOptimum{at}: {shares}; objective {self.objective:.5g}>"


def _bracket(excess, start: float) -> tuple[float, float]:
    """An interval of log lambda on which the decreasing function `excess` changes sign."""
    low = high = start
    step = 1.0
    for _ in range(200):
        if excess(low) > 0 and excess(high) < 0:
            return low, high
        if excess(low) <= 0:
            low -= step
        if excess(high) >= 0:
            high += step
        step *= 2
    raise ValidationError(
        ["no multiplier makes the proportions sum to 1 (the weights or steps are too extreme)"],
        "optimize_mixture",
    )


def optimize_mixture(
    law: BiMixLaw | MixingLaw, steps: float | None = None, weights=None, *, starts=()
) -> MixtureOptimum:
    """Proportions on the simplex minimizing ``sum_i w_i L_i``: BiMix in closed form, the exponential law numerically.

    Under BiMix, stationarity gives ``r_i(lam) = (w_i alpha_i K_i(s) / lam)**(1 / (1 + alpha_i))``;
    the multiplier lam solves ``sum_i r_i(lam) = 1``, a decreasing function of
    lam, whose root is bracketed by expanding an interval around the sum of the
    pulls and then found by Brent's method. Under Ye et al.'s exponential law
    (:class:`MixingLaw`, no step) the objective is not convex in general: it is
    minimized by SLSQP on the simplex from the uniform mixture and each of
    `starts`, and the best end point is kept.

    Parameters
    ----------
    law : BiMixLaw or MixingLaw
    steps : float, optional
        Target training steps (BiMix; must be None for the exponential law).
    weights : mapping or array, optional
        Weight of each domain's loss (default 1 each); under BiMix a domain of
        weight 0 gets proportion 0.
    starts : sequence of mappings or arrays
        Further starting mixtures for the exponential law.

    Returns
    -------
    MixtureOptimum
        ``proportions`` by domain and ``objective``, the weighted loss there.

    References
    ----------
    C. Ge et al. (2024), sec. 5 (the optimal mixture under BiMix); J. Ye et
    al. (2024), eq. 6 (the exponential law); derived in the chapter
    *Optimising the mixture*.
    """
    if isinstance(law, MixingLaw):
        if steps is not None:
            raise ValidationError(
                ["the exponential mixing law has no step: leave steps None"], "optimize_mixture"
            )
        return _exponential_optimum(law, weights, starts)
    if not isinstance(law, BiMixLaw):
        raise ValidationError(
            [f"takes a BiMixLaw or a MixingLaw (a fit's .law), got {type(law).__name__}"],
            "optimize_mixture",
        )
    if steps is None:
        raise ValidationError(["BiMix needs the target steps"], "optimize_mixture")
    check_options("optimize_mixture", steps=steps)
    alpha = law.coefficients["alpha"].to_numpy()
    if np.any(alpha <= 0):
        flat = ", ".join(d for d, a in zip(law.domains, alpha, strict=True) if a <= 0)
        raise ValidationError(
            [f"needs every alpha_i > 0; {flat} does not depend on its proportion"],
            "optimize_mixture",
        )
    w = np.ones(len(alpha)) if weights is None else proportions(weights, law.domains)
    if not np.isfinite(w).all() or np.any(w < 0) or not np.any(w > 0):
        raise ValidationError(
            [f"weights must be finite, non-negative and not all zero, got {w}"], "optimize_mixture"
        )
    pull = w * alpha * law.scale(steps)

    def shares(log_lam):
        return (pull / np.exp(log_lam)) ** (1 / (1 + alpha))

    def excess(log_lam):
        return float(np.sum(shares(log_lam))) - 1

    low, high = _bracket(excess, float(np.log(np.sum(pull))))
    log_lam = brentq(excess, low, high, xtol=1e-14, rtol=1e-15, maxiter=500)
    r = shares(log_lam)
    r = r / r.sum()
    losses = law.loss(np.where(w > 0, r, 1.0), steps).to_numpy()[0]
    return MixtureOptimum(
        proportions=pd.Series(r, index=law.domains, name="proportion"),
        objective=float(np.sum(np.where(w > 0, w * losses, 0.0))),
        steps=float(steps),
        weights=pd.Series(w, index=law.domains, name="weight"),
    )


def _exponential_optimum(law: MixingLaw, weights, starts) -> MixtureOptimum:
    """SLSQP on the simplex from the uniform mixture and `starts`; the best end point."""
    domains = law.training_domains
    validation = list(law.t.index)
    w = np.ones(len(validation)) if weights is None else proportions(weights, validation)
    if not np.isfinite(w).all() or np.any(w < 0) or not np.any(w > 0):
        raise ValidationError(
            [f"weights must be finite, non-negative and not all zero, got {w}"], "optimize_mixture"
        )

    def total(r):
        return float(np.sum(w * law.loss(r).to_numpy()))

    points = [np.full(len(domains), 1 / len(domains))]
    points += [proportions(start, domains) for start in starts]
    runs = [
        minimize(
            total,
            start,
            method="SLSQP",
            bounds=[(0, 1)] * len(domains),
            constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1}],
        )
        for start in points
    ]
    best = min(runs, key=lambda run: run.fun).x.clip(0, 1)
    best = best / best.sum()
    return MixtureOptimum(
        proportions=pd.Series(best, index=domains, name="proportion"),
        objective=total(best),
        steps=None,
        weights=pd.Series(w, index=validation, name="weight"),
    )
