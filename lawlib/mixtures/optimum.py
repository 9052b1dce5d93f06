"""The mixture that minimizes a weighted sum of domain losses: under BiMix from the Lagrange
conditions, under Ye et al.'s exponential law numerically (it is not convex in general).

Derived in the Part IV chapter *Optimising the mixture*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize

from ..errors import ValidationError
from ..validation import check_options
from .bimix import BiMixLaw
from .frames import loss_weights, proportions
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
    within : {"simplex", "design", "hull"}
        Where the optimum was searched: the whole simplex, every proportion
        within the range that domain was trained at, or the convex hull of the
        trained mixtures.

    References
    ----------
    C. Ge et al. (2024), "BiMix: A Bivariate Data Mixing Law for Language Model Pretraining", sec. 5.
    """

    proportions: pd.Series
    objective: float
    steps: float | None
    weights: pd.Series
    within: str = "simplex"

    def __repr__(self) -> str:
        shares = ", ".join(f"{d} {r:.4f}" for d, r in self.proportions.items())
        at = f" at step {self.steps:g}" if self.steps is not None else ""
        where = {"design": " within the trained ranges", "hull": " within the trained hull"}.get(
            self.within, ""
        )
        return f"<MixtureOptimum{at}{where}: {shares}; objective {self.objective:.5g}>"


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


def weighted_loss(
    law: BiMixLaw | MixingLaw, mixtures, weights: np.ndarray, steps=None
) -> np.ndarray:
    """``sum_i w_i L_i`` over the validation domains of weight > 0, for each mixture.

    Parameters
    ----------
    law : BiMixLaw or MixingLaw
    mixtures : mapping, Series, DataFrame (``p_<domain>`` columns) or array (..., M)
    weights : ndarray, shape (V,)
        Weight of each validation domain (:func:`~lawlib.mixtures.frames.loss_weights`).
    steps : float, optional
        The step (BiMix only).

    Returns
    -------
    ndarray, shape (n,)
        A domain of weight 0 does not count, even where the law diverges on it
        (BiMix at a zero share).

    References
    ----------
    The objective of :func:`~lawlib.optimize_mixture` and of :func:`~lawlib.decisions.decision_report`.
    """
    losses = (
        law.loss(mixtures, steps) if isinstance(law, BiMixLaw) else law.loss(mixtures)
    ).to_numpy()
    with np.errstate(invalid="ignore"):
        return np.sum(np.where(weights > 0, weights * losses, 0.0), axis=-1)


def _trained_mixtures(runs, domains) -> np.ndarray:
    """The trained mixtures of `runs` as an array (n, M), checked."""
    if not isinstance(runs, pd.DataFrame):
        raise ValidationError(
            [f"runs must be a DataFrame of trained mixtures, got {type(runs).__name__}"],
            "the design",
        )
    r = proportions(runs, domains)
    if not len(r) or not np.isfinite(r).all():
        raise ValidationError(["the trained mixtures must be finite and not empty"], "the design")
    return r


def design_bounds(runs: pd.DataFrame, domains) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest proportion each domain was trained at.

    Parameters
    ----------
    runs : DataFrame
        Trained mixtures, one ``p_<domain>`` column per domain (wide form).
    domains : sequence of str

    Returns
    -------
    low, high : ndarray, shape (M,)

    Raises
    ------
    ValidationError
        `runs` is not a DataFrame or lacks a domain's proportion column.

    References
    ----------
    The decision report's design check, chapter *Optimising the mixture*.
    """
    r = _trained_mixtures(runs, domains)
    return r.min(axis=0), r.max(axis=0)


def optimize_mixture(
    law: BiMixLaw | MixingLaw,
    steps: float | None = None,
    weights=None,
    *,
    starts=(),
    within: str = "simplex",
    runs: pd.DataFrame | None = None,
) -> MixtureOptimum:
    """Proportions minimizing ``sum_i w_i L_i``: BiMix in closed form, the exponential law numerically.

    Under BiMix, stationarity gives ``r_i(lam) = (w_i alpha_i K_i(s) / lam)**(1 / (1 + alpha_i))``;
    the multiplier lam solves ``sum_i r_i(lam) = 1``, a decreasing function of
    lam, whose root is bracketed by expanding an interval around the sum of the
    pulls and then found by Brent's method. Kept within the trained design
    (``within="design"``), each proportion must stay within ``[lo_i, hi_i]``,
    the range domain i was trained at in `runs`; the objective is separable and
    convex, so the Karush-Kuhn-Tucker conditions give ``r_i = clip(r_i(lam), lo_i,
    hi_i)``, still non-increasing in lam, and the same root search applies.
    Under Ye et al.'s exponential law (:class:`MixingLaw`, no step) the
    objective is not convex in general: it is minimized by SLSQP from the
    uniform mixture (within the design: the trained mixtures' mean) and each of
    `starts`, and the best end point is kept. Within the convex hull of the
    trained mixtures (``within="hull"``), the mixture is written ``r = P^T mu``
    with ``mu`` on the simplex of the trained runs ``P`` and the objective is
    minimized over ``mu`` by SLSQP from equal weights, under either law.

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
    within : {"simplex", "design", "hull"}
        Search the whole simplex, keep every proportion within the range that
        domain was trained at, or keep the mixture inside the convex hull of the
        trained ones (both need `runs`).
    runs : DataFrame, optional
        The trained mixtures (``p_<domain>`` columns) that set the design.

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
    if not isinstance(law, (BiMixLaw, MixingLaw)):
        raise ValidationError(
            [f"takes a BiMixLaw or a MixingLaw (a fit's .law), got {type(law).__name__}"],
            "optimize_mixture",
        )
    if within not in ("simplex", "design", "hull"):
        raise ValidationError(
            [f"within must be 'simplex', 'design' or 'hull', got {within!r}"], "optimize_mixture"
        )
    if within != "simplex" and runs is None:
        raise ValidationError(
            [f"within={within!r} needs the trained mixtures: pass runs=..."], "optimize_mixture"
        )
    if isinstance(law, MixingLaw) and steps is not None:
        raise ValidationError(
            ["the exponential mixing law has no step: leave steps None"], "optimize_mixture"
        )
    if isinstance(law, BiMixLaw):
        if steps is None:
            raise ValidationError(["BiMix needs the target steps"], "optimize_mixture")
        check_options("optimize_mixture", steps=steps)
    w = loss_weights(weights, law.validation_domains, "optimize_mixture")
    if within == "hull":
        return _hull_optimum(law, steps, w, _trained_mixtures(runs, law.training_domains))
    bounds = design_bounds(runs, law.training_domains) if within == "design" else None
    if isinstance(law, MixingLaw):
        return _exponential_optimum(law, w, starts, bounds)
    alpha = law.coefficients["alpha"].to_numpy()
    if np.any(alpha <= 0):
        flat = ", ".join(d for d, a in zip(law.domains, alpha, strict=True) if a <= 0)
        raise ValidationError(
            [f"needs every alpha_i > 0; {flat} does not depend on its proportion"],
            "optimize_mixture",
        )
    pull = w * alpha * law.scale(steps)

    def shares(log_lam):
        r = (pull / np.exp(log_lam)) ** (1 / (1 + alpha))
        return r if bounds is None else np.clip(r, *bounds)

    def excess(log_lam):
        return float(np.sum(shares(log_lam))) - 1

    if bounds is not None and min(np.sum(bounds[1]) - 1, 1 - np.sum(bounds[0])) < 1e-12:
        r = bounds[int(np.sum(bounds[1]) - 1 < 1e-12)]  # one mixture fits the design
    else:
        low, high = _bracket(excess, float(np.log(np.sum(pull))))
        r = shares(brentq(excess, low, high, xtol=1e-14, rtol=1e-15, maxiter=500))
    r = r / r.sum()
    return MixtureOptimum(
        proportions=pd.Series(r, index=law.domains, name="proportion"),
        objective=float(weighted_loss(law, np.where(w > 0, r, 1.0), w, steps)[0]),
        steps=float(cast(float, steps)),
        weights=pd.Series(w, index=law.domains, name="weight"),
        within=within,
    )


def _exponential_optimum(law: MixingLaw, w, starts, bounds) -> MixtureOptimum:
    """SLSQP on the simplex (or the design's box) from a central mixture and `starts`; the best end point."""
    domains = law.training_domains

    def total(r):
        return float(weighted_loss(law, r, w)[0])

    low, high = (np.zeros(len(domains)), np.ones(len(domains))) if bounds is None else bounds
    middle = np.full(len(domains), 1 / len(domains))
    if bounds is not None:
        middle = np.clip(middle, low, high)  # the uniform mixture moved into the box, then
        middle = _onto_sum_one(middle, low, high)  # onto sum 1 within it
    points = [middle] + [proportions(start, domains) for start in starts]
    ends = [
        minimize(
            total,
            start,
            method="SLSQP",
            bounds=list(zip(low, high, strict=True)),
            constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1}],
        )
        for start in points
    ]
    best = min(ends, key=lambda end: end.fun).x.clip(low, high)
    best = best / best.sum()
    return MixtureOptimum(
        proportions=pd.Series(best, index=domains, name="proportion"),
        objective=total(best),
        steps=None,
        weights=pd.Series(w, index=law.validation_domains, name="weight"),
        within="simplex" if bounds is None else "design",
    )


def _hull_optimum(law, steps, w, points) -> MixtureOptimum:
    """SLSQP over the weights ``mu`` of the trained mixtures: the best mixture in their convex hull."""
    points = np.unique(points, axis=0)

    def total(mu):
        return float(weighted_loss(law, mu @ points, w, steps)[0])

    n = len(points)
    end = minimize(
        total,
        np.full(n, 1 / n),
        method="SLSQP",
        bounds=[(0, 1)] * n,
        constraints=[{"type": "eq", "fun": lambda mu: mu.sum() - 1}],
        options={"maxiter": 1000},
    )
    mu = end.x.clip(0, 1)
    best = (mu / mu.sum()) @ points
    return MixtureOptimum(
        proportions=pd.Series(best, index=law.training_domains, name="proportion"),
        objective=total(mu / mu.sum()),
        steps=None if steps is None else float(steps),
        weights=pd.Series(w, index=law.validation_domains, name="weight"),
        within="hull",
    )


def _onto_sum_one(r, low, high):
    """`r` moved within ``[low, high]`` to sum to 1: ``clip(r + t, low, high)`` with t found by Brent's method."""

    def excess(t):
        return float(np.sum(np.clip(r + t, low, high))) - 1

    return np.clip(r + brentq(excess, -1.0, 1.0, xtol=1e-15), low, high)
