"""Can a fitted law make a decision? A proposed choice set beside what was already trained.

A law proposes a choice (a mixture, a model size for a budget); the runs
already trained offer alternatives. The choice is worth making only where the
law's predicted gain over the best trained alternative is larger than the
law's error on held-out runs *of that same quantity* (the summed or weighted
loss, not a per-domain loss) and than the noise between reruns, and where the
choice lies inside the design the law was fitted on. Derived in the Part IV
chapter *Optimising the mixture*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.stats import spearmanr

from .errors import ValidationError
from .law import Law
from .mixtures.bimix import BiMixLaw, fit_bimix
from .mixtures.frames import loss_weights, mixture_domains, proportions, split_runs
from .mixtures.mixing_law import MixingLaw
from .mixtures.optimum import MixtureOptimum, optimize_mixture, weighted_loss
from .result import FitResult, Summary

SUBJECT = "decision_report"


@dataclass(frozen=True)
class DecisionReport:
    """What :func:`decision_report` found: the choice's predicted gain against the law's own error.

    Gains and errors are fractions of the quantity (0.004 is 0.4%); positive
    gains mean the choice is predicted better (lower).

    Attributes
    ----------
    quantity : str
        What is compared ("summed loss", "mean loss", "weighted loss", "loss on <domain>"
        when one domain has weight, "loss").
    predicted_choice : float
        The law's prediction at the choice [nats/token].
    best_trained : str
        The trained alternative with the lowest observed quantity.
    predicted_best, observed_best : float
        The law's prediction there, and what was measured [nats/token].
    gain_over_best : float
        ``1 - predicted_choice / predicted_best``.
    default : str or None
        The default the choice is also compared with.
    gain_over_default : float
        ``1 - predicted_choice / predicted_default`` (NaN without a default).
    held_out_error, held_out_max_error, held_out_bias : float
        Mean and largest absolute relative error of the quantity on the
        held-out runs, and the mean signed one (positive: predicted too high).
    spread : float
        ``max / min - 1`` of the observed quantity over the trained alternatives.
    seed_noise : float
        Pooled relative standard deviation of the quantity between reruns of one
        design (NaN when no design was run twice).
    spearman : float
        Rank correlation of predicted and observed quantity on the held-out runs.
    pairs_right : float
        Share of held-out pairs (with different observed values) whose order the law gets right.
    in_range : bool
        Every coordinate of the choice lies within its range in the fitted runs.
    outside : dict of str to (float, float, float)
        The coordinates outside that range: value, lowest and highest trained.
    in_hull : bool
        The choice is a convex combination of fitted design points.
    can_tell : bool
        The gain over the best trained alternative exceeds both the held-out
        error and the seed noise, and the choice lies inside the convex hull.
    verdict : str
        The same in words.
    n_fitted, n_held_out, n_alternatives : int
        Runs fitted, held-out runs scored (those the law can predict), alternatives.
    notes : list of str
    """

    quantity: str
    predicted_choice: float
    best_trained: str
    predicted_best: float
    observed_best: float
    gain_over_best: float
    default: str | None
    gain_over_default: float
    held_out_error: float
    held_out_max_error: float
    held_out_bias: float
    spread: float
    seed_noise: float
    spearman: float
    pairs_right: float
    in_range: bool
    outside: dict
    in_hull: bool
    can_tell: bool
    verdict: str
    n_fitted: int
    n_held_out: int
    n_alternatives: int
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """The report as a table: one row per quantity, its value and what it is."""
        rows = [
            ("predicted, choice", self.predicted_choice, self.quantity),
            (f"predicted, best trained ({self.best_trained})", self.predicted_best, self.quantity),
            (f"observed, best trained ({self.best_trained})", self.observed_best, self.quantity),
            ("predicted gain over best trained", self.gain_over_best, "fraction"),
        ]
        if self.default is not None:
            rows.append((f"predicted gain over {self.default}", self.gain_over_default, "fraction"))
        rows += [
            ("held-out error, mean", self.held_out_error, f"fraction of the {self.quantity}"),
            (
                "held-out error, largest",
                self.held_out_max_error,
                f"fraction of the {self.quantity}",
            ),
            ("held-out bias", self.held_out_bias, "fraction (+: predicted high)"),
            ("spread of trained alternatives", self.spread, "max / min - 1"),
            ("seed noise", self.seed_noise, "relative std between reruns"),
            ("held-out Spearman rho", self.spearman, "-1 to 1"),
            ("held-out pairs ranked right", self.pairs_right, "fraction"),
            ("inside the trained ranges", float(self.in_range), "1 yes, 0 no"),
            ("inside the convex hull", float(self.in_hull), "1 yes, 0 no"),
        ]
        frame = pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")
        return frame

    def as_dict(self) -> dict:
        """The numbers and the verdict as plain Python values (for JSON)."""
        return {
            key: value.copy() if isinstance(value, (dict, list)) else value
            for key, value in self.__dict__.items()
        }

    def summary(self) -> Summary:
        """A readable report: the verdict, the gains beside the errors, and the design check."""

        def pct(value):
            return "n/a" if not np.isfinite(value) else f"{100 * value:.2f}%"

        header = [
            ("Verdict", self.verdict),
            ("Quantity", self.quantity),
            (
                "Runs",
                (
                    f"{self.n_fitted} fitted, {self.n_held_out} held out, "
                    f"{self.n_alternatives} trained alternatives"
                ),
            ),
            ("Gain over best trained", f"{pct(self.gain_over_best)} (against {self.best_trained})"),
        ]
        if self.default is not None:
            header.append(("Gain over default", f"{pct(self.gain_over_default)} ({self.default})"))
        header += [
            (
                "Held-out error",
                f"{pct(self.held_out_error)} mean, {pct(self.held_out_max_error)} largest",
            ),
            ("Seed noise", pct(self.seed_noise)),
            ("Spread of trained", pct(self.spread)),
            (
                "Held-out ranking",
                f"rho {self.spearman:.3f}; {pct(self.pairs_right)} of pairs right",
            ),
            (
                "Inside the design",
                (
                    f"ranges {'yes' if self.in_range else 'no'}, "
                    f"convex hull {'yes' if self.in_hull else 'no'}"
                ),
            ),
        ]
        notes = list(self.notes) + [
            f"{name} = {value:.4g} lies outside the trained range [{low:.4g}, {high:.4g}]"
            for name, (value, low, high) in self.outside.items()
        ]
        return Summary(
            title="Decision report", header=header, table=self.table[["value"]], notes=notes
        )

    def __repr__(self) -> str:
        return f"<DecisionReport: {self.verdict}>"


class _Mixtures:
    """Mixture runs in the wide form: the quantity is the weighted sum of validation losses."""

    def __init__(self, law, steps, weights, run_column):
        self.law, self.run_column, self.steps = law, run_column, steps
        self.coordinates = law.training_domains
        self.validation = law.validation_domains
        self.weights = loss_weights(weights, self.validation, SUBJECT)
        if isinstance(law, BiMixLaw) and steps is None:
            raise ValidationError(
                ["BiMix needs the step the runs are compared at: pass steps="], SUBJECT
            )
        if isinstance(law, MixingLaw) and steps is not None:
            raise ValidationError(
                ["the exponential mixing law has no step: leave steps None"], SUBJECT
            )
        only = [d for d, w in zip(self.validation, self.weights, strict=True) if w > 0]
        self.quantity = (
            f"loss on {only[0]}"
            if len(only) == 1
            else "summed loss"
            if np.all(self.weights == 1)
            else "mean loss"
            if np.allclose(self.weights, 1 / len(self.weights), rtol=1e-12)
            else "weighted loss"
        )
        self.labels = [f"p_{d}" for d in self.coordinates]

    def frame(self, runs, name):
        if not isinstance(runs, pd.DataFrame):
            raise ValidationError(
                [f"{name} must be a DataFrame, got {type(runs).__name__}"], SUBJECT
            )
        missing = [c for c in self.labels if c not in runs]
        missing += [
            f"loss_{d}"
            for d, w in zip(self.validation, self.weights, strict=True)
            if w > 0 and f"loss_{d}" not in runs
        ]
        if missing:
            raise ValidationError([f"{name} lack the columns {', '.join(missing)}"], SUBJECT)
        r = runs[self.labels].to_numpy(dtype=float)
        if not (np.isfinite(r).all() and (r >= 0).all()):
            raise ValidationError([f"{name}: every proportion must be finite and >= 0"], SUBJECT)
        if "step" in runs and self.steps is not None:
            at = np.isclose(runs["step"].to_numpy(dtype=float), self.steps, rtol=1e-9)
            if not at.any():
                raise ValidationError([f"{name} have no rows at step {self.steps:g}"], SUBJECT)
            runs = runs[at]
        return runs

    def names(self, runs):
        if self.run_column in runs:
            return runs[self.run_column].astype(str).to_numpy()
        return np.array([f"run {i}" for i in range(len(runs))])

    def observed(self, runs):
        used = [
            (f"loss_{d}", w) for d, w in zip(self.validation, self.weights, strict=True) if w > 0
        ]
        losses = runs[[c for c, _ in used]].to_numpy(dtype=float)
        return losses @ np.array([w for _, w in used])

    def points(self, runs):
        return proportions(runs, self.coordinates)

    def point(self, choice):
        if isinstance(choice, MixtureOptimum):
            choice = choice.proportions
        r = np.atleast_2d(proportions(choice, self.coordinates))
        if r.shape[0] != 1 or not np.isfinite(r).all() or np.any(r < 0) or abs(r.sum() - 1) > 1e-6:
            raise ValidationError(
                ["a choice must be one mixture of non-negative proportions summing to 1"], SUBJECT
            )
        return r

    def predicted(self, points):
        return weighted_loss(self.law, points, self.weights, self.steps)

    @staticmethod
    def natural(coordinate) -> float:
        """A coordinate as the reader knows it (a proportion is one already)."""
        return float(coordinate)


class _Inputs:
    """Runs of a law with numeric inputs (N, D, ...): the quantity is the law's output."""

    def __init__(self, law, run_column):
        self.law, self.run_column = law, run_column
        self.coordinates = list(law.inputs)
        self.labels = [f"log10 {name}" for name in self.coordinates]
        self.quantity = law.output

    def frame(self, runs, name):
        if not isinstance(runs, pd.DataFrame):
            raise ValidationError(
                [f"{name} must be a DataFrame, got {type(runs).__name__}"], SUBJECT
            )
        missing = [c for c in [*self.coordinates, self.quantity] if c not in runs]
        if missing:
            raise ValidationError([f"{name} lack the columns {', '.join(missing)}"], SUBJECT)
        values = runs[self.coordinates].to_numpy(dtype=float)
        if not (np.isfinite(values).all() and (values > 0).all()):
            raise ValidationError(
                [f"{name}: every {', '.join(self.coordinates)} must be positive"], SUBJECT
            )
        return runs

    def names(self, runs):
        if self.run_column in runs:
            return runs[self.run_column].astype(str).to_numpy()
        return np.array(
            [
                ", ".join(f"{c} {v:.3g}" for c, v in zip(self.coordinates, row, strict=True))
                for row in runs[self.coordinates].to_numpy(dtype=float)
            ]
        )

    def observed(self, runs):
        return runs[self.quantity].to_numpy(dtype=float)

    def points(self, runs):
        return np.log10(runs[self.coordinates].to_numpy(dtype=float))

    def point(self, choice):
        missing = [c for c in self.coordinates if c not in choice]
        if missing:
            raise ValidationError([f"the choice gives no {', '.join(missing)}"], SUBJECT)
        values = np.array([[float(choice[c]) for c in self.coordinates]])
        if not (np.isfinite(values).all() and (values > 0).all()):
            raise ValidationError(
                [f"the choice's {', '.join(self.coordinates)} must be positive"], SUBJECT
            )
        return np.log10(values)

    def predicted(self, points):
        return np.asarray(self.law(*(10**points).T), dtype=float)

    @staticmethod
    def natural(coordinate) -> float:
        """A coordinate as the reader knows it: the input, not its log10."""
        return float(10**coordinate)


def _in_hull(points: np.ndarray, x: np.ndarray) -> bool:
    """Whether `x` is a convex combination of the rows of `points` (a linear programme)."""
    n = len(points)
    a_eq = np.vstack([points.T, np.ones(n)])
    b_eq = np.concatenate([x, [1.0]])
    found = linprog(np.zeros(n), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return bool(found.status == 0)


def ranking(predicted, observed) -> tuple[float, float]:
    """How well `predicted` orders runs as `observed` does: Spearman's rho and the share of pairs right.

    Parameters
    ----------
    predicted, observed : array_like, shape (n,)
        One number per run (a loss), n >= 2, finite.

    Returns
    -------
    rho : float
        Spearman's rank correlation (NaN when either side is constant).
    pairs_right : float
        Share of the pairs with different observed values that `predicted`
        orders the same way (NaN if every observed value is the same).

    Raises
    ------
    ValidationError
        Fewer than two runs, shapes that differ, or values that are not finite.

    Examples
    --------
    >>> ranking([1.0, 2.0, 3.0], [1.1, 2.2, 2.1])
    (0.5, 0.6666666666666666)

    References
    ----------
    The held-out ranking of :func:`decision_report`.
    """
    predicted = np.asarray(predicted, dtype=float)
    observed = np.asarray(observed, dtype=float)
    if predicted.shape != observed.shape or predicted.ndim != 1 or len(observed) < 2:
        raise ValidationError(
            ["predicted and observed must be two runs or more, one number each"], "ranking"
        )
    if not (np.isfinite(predicted).all() and np.isfinite(observed).all()):
        raise ValidationError(["predicted and observed must be finite"], "ranking")
    constant = np.ptp(predicted) == 0 or np.ptp(observed) == 0
    rho = float("nan") if constant else float(spearmanr(predicted, observed).statistic)
    i, j = np.triu_indices(len(observed), k=1)
    differ = observed[i] != observed[j]
    if not differ.any():
        return rho, float("nan")
    right = np.sign(predicted[i] - predicted[j]) == np.sign(observed[i] - observed[j])
    return rho, float(np.mean(right[differ]))


def _seed_noise(points: np.ndarray, values: np.ndarray) -> float:
    """Pooled relative std of `values` between rows that share a design point (NaN if none repeat)."""
    keys = pd.DataFrame(np.round(points, 9)).apply(tuple, axis=1)
    groups = pd.Series(values).groupby(keys.to_numpy())
    sizes = groups.size()
    if not (sizes > 1).any():
        return float("nan")
    relative = groups.transform(lambda v: v / v.mean() - 1)
    repeated = keys.map(sizes).to_numpy() > 1
    dof = int(np.sum(sizes[sizes > 1] - 1))
    return float(np.sqrt(np.sum(relative.to_numpy()[repeated] ** 2) / dof))


def decision_report(
    law,
    runs: pd.DataFrame,
    held_out: pd.DataFrame,
    choice,
    *,
    default=None,
    steps: float | None = None,
    weights=None,
    alternatives: pd.DataFrame | None = None,
    run_column: str = "run",
) -> DecisionReport:
    """Set a law's proposed choice beside the best trained alternative and the law's own error.

    The quantity compared is one number per run: for a mixture law the sum of
    the validation losses (weighted by `weights`), at step `steps` under BiMix;
    for a law of numeric inputs (``ChinchillaLaw``: N and D) its output. The
    report gives the predicted gain of `choice` over the best trained
    alternative (lowest observed quantity) and over `default`; the held-out
    error of that same quantity; the spread between the trained alternatives
    and the noise between reruns (designs run more than once among all runs
    given); whether the choice lies inside the fitted design (per coordinate and
    in the convex hull; inputs in log10); and how well the law ranks the
    held-out runs. It can tell the choice from the best trained one when the
    gain exceeds both the held-out error and the seed noise and the choice lies
    inside the hull.

    Parameters
    ----------
    law : BiMixLaw, MixingLaw, another Law with numeric inputs, or a FitResult
    runs : DataFrame
        The runs the law was fitted on. Mixtures in the wide form
        (``p_<domain>``, ``loss_<domain>``, optional ``step``; see
        :func:`lawlib.mixtures.long_to_wide`); other laws: a column per input
        and one for the output.
    held_out : DataFrame
        Runs of the same shape that were not fitted (2 or more).
    choice : mapping, Series or MixtureOptimum
        The proposed mixture, or the proposed inputs (``{"N": ..., "D": ...}``).
    default : str, mapping or Series, optional
        A run name (in `run_column`), or a mixture / inputs to compare with too
        (a Series's name labels it; otherwise "the default").
    steps : float, optional
        BiMix: the step the runs are compared at (default: the choice's
        ``steps`` when it is a MixtureOptimum).
    weights : mapping or array, optional
        Weight of each validation domain's loss (default: the choice's weights
        when it is a MixtureOptimum, else 1 each: the summed loss).
    alternatives : DataFrame, optional
        The trained runs the choice competes with (default: `runs` and
        `held_out` together); e.g. only the runs at the target compute budget.
    run_column : str
        Column naming the runs.

    Returns
    -------
    DecisionReport

    Raises
    ------
    ValidationError
        A law it cannot compare, runs that lack a column, fewer than two
        held-out runs, a choice that is not one mixture, a default that names no run.

    References
    ----------
    Derived in the chapter *Optimising the mixture*.
    """
    if isinstance(law, FitResult):
        law = law.law
    if isinstance(choice, MixtureOptimum):
        steps = choice.steps if steps is None else steps
        weights = choice.weights if weights is None else weights
    if isinstance(law, (BiMixLaw, MixingLaw)):
        kind: _Mixtures | _Inputs = _Mixtures(law, steps, weights, run_column)
    elif isinstance(law, Law) and law.inputs and "domain" not in law.inputs:
        kind = _Inputs(law, run_column)
    else:
        raise ValidationError(
            [
                f"takes a mixture law or a law of numeric inputs (or a fit), got {type(law).__name__}"
            ],
            SUBJECT,
        )
    notes: list[str] = []
    runs = kind.frame(runs, "the fitted runs")
    held_out = kind.frame(held_out, "the held-out runs")
    if len(held_out) < 2:
        raise ValidationError([f"needs 2 or more held-out runs, got {len(held_out)}"], SUBJECT)
    trained = pd.concat([runs, held_out], ignore_index=True)
    pool = trained if alternatives is None else kind.frame(alternatives, "the alternatives")

    observed_pool = kind.observed(pool)
    if not np.isfinite(observed_pool).all():
        raise ValidationError(["the alternatives' losses must be finite"], SUBJECT)
    best = int(np.argmin(observed_pool))
    best_point = kind.points(pool)[best : best + 1]
    x = kind.point(choice)[0]
    predicted_choice = float(kind.predicted(x[None, :])[0])
    predicted_best = float(kind.predicted(best_point)[0])
    if not (np.isfinite(predicted_choice) and np.isfinite(predicted_best)):
        raise ValidationError(
            ["the law cannot predict the choice or the best trained run"], SUBJECT
        )

    default_name, gain_default = None, float("nan")
    if default is not None:
        if isinstance(default, str):
            names = kind.names(trained)
            if default not in set(names):
                raise ValidationError([f"default {default!r} names no trained run"], SUBJECT)
            default_point = kind.points(trained)[names == default][:1]
            default_name = default
        else:
            default_point = kind.point(default)
            default_name = str(default.name) if getattr(default, "name", None) else "the default"
        gain_default = 1 - predicted_choice / float(kind.predicted(default_point)[0])

    observed_held = kind.observed(held_out)
    predicted_held = kind.predicted(kind.points(held_out))
    usable = np.isfinite(observed_held) & np.isfinite(predicted_held)
    if usable.sum() < len(held_out):
        notes.append(
            f"{len(held_out) - int(usable.sum())} of {len(held_out)} held-out runs left out: the "
            "law cannot predict them (a zero share under BiMix) or their losses are missing"
        )
    if usable.sum() < 2:
        raise ValidationError(["fewer than 2 held-out runs can be predicted"], SUBJECT)
    if usable.sum() < 5:
        notes.append(f"the held-out error and ranking rest on {int(usable.sum())} runs only")
    relative = predicted_held[usable] / observed_held[usable] - 1
    rho, pairs_right = ranking(predicted_held[usable], observed_held[usable])

    design = kind.points(runs)
    low, high = design.min(axis=0), design.max(axis=0)
    tolerance = 1e-9
    outside = {
        label: (kind.natural(v), kind.natural(lo), kind.natural(hi))
        for label, v, lo, hi in zip(kind.coordinates, x, low, high, strict=True)
        if v < lo - tolerance or v > hi + tolerance
    }
    in_hull = _in_hull(design, x)

    everything = trained if alternatives is None else pd.concat([trained, pool], ignore_index=True)
    points, values = kind.points(everything), kind.observed(everything)
    # a run given twice is not a rerun, and a run without its loss says nothing of the noise
    distinct = ~pd.DataFrame(np.column_stack([points, values])).duplicated().to_numpy()
    distinct &= np.isfinite(values)
    noise = _seed_noise(points[distinct], values[distinct])
    gain = 1 - predicted_choice / predicted_best
    error = float(np.mean(np.abs(relative)))
    bar = max(error, noise) if np.isfinite(noise) else error
    best_name = str(kind.names(pool)[best])
    can_tell = bool(gain > bar and in_hull)
    measure = f"the held-out error of the {kind.quantity} ({100 * error:.2f}%)"
    if np.isfinite(noise):
        measure += f" and the seed noise ({100 * noise:.2f}%)"
    if gain <= 0:
        reason = f"it predicts {best_name} is as good or better ({100 * gain:+.2f}%)"
    elif not in_hull:
        reason = (
            f"the choice lies outside the trained design, so its predicted gain "
            f"({100 * gain:.2f}%) is an extrapolation the held-out error does not cover"
        )
    elif gain > bar:
        reason = f"its predicted gain ({100 * gain:.2f}%) is larger than {measure}"
    else:
        reason = f"its predicted gain ({100 * gain:.2f}%) is within {measure}"
    verdict = (
        f"the law {'can' if can_tell else 'cannot'} tell this choice from the best trained "
        f"one ({best_name}): {reason}"
    )
    return DecisionReport(
        quantity=kind.quantity,
        predicted_choice=predicted_choice,
        best_trained=best_name,
        predicted_best=predicted_best,
        observed_best=float(observed_pool[best]),
        gain_over_best=float(gain),
        default=default_name,
        gain_over_default=float(gain_default),
        held_out_error=error,
        held_out_max_error=float(np.max(np.abs(relative))),
        held_out_bias=float(np.mean(relative)),
        spread=float(observed_pool.max() / observed_pool.min() - 1),
        seed_noise=noise,
        spearman=rho,
        pairs_right=pairs_right,
        in_range=not outside,
        outside=outside,
        in_hull=in_hull,
        can_tell=can_tell,
        verdict=verdict,
        n_fitted=len(runs),
        n_held_out=int(usable.sum()),
        n_alternatives=len(pool),
        notes=notes,
    )


@dataclass(frozen=True)
class MixtureProposal:
    """A BiMix mixture proposed from runs with some held out, and the report that judges it.

    Attributes
    ----------
    fit : BiMixResult
        BiMix fitted on the kept runs, steps up to the target.
    proposal : MixtureOptimum
        The mixture of least summed loss at the target step (within the hull of
        the kept mixtures, or as `within` said).
    report : DecisionReport
        The proposal beside the best trained mixture, the default and the
        held-out error of the summed loss at the target step.
    train, held_out : DataFrame
        The kept runs (steps up to the target) and the held-out runs (at the
        target step), long as given.
    """

    fit: FitResult
    proposal: MixtureOptimum
    report: DecisionReport
    train: pd.DataFrame
    held_out: pd.DataFrame

    def summary(self) -> Summary:
        """The report's summary (see :meth:`~lawlib.decisions.DecisionReport.summary`)."""
        return self.report.summary()


def propose_mixture(
    runs: pd.DataFrame,
    step: float,
    *,
    holdout_every: int,
    within: str = "hull",
    default="uniform",
    run_column: str = "run_id",
) -> MixtureProposal:
    """Fit BiMix on most runs, propose a mixture, and judge it on the runs held out.

    The workflow of the chapter *Optimising the mixture* in one call: hold out
    every `holdout_every`-th run (:func:`~lawlib.mixtures.split_runs`), fit
    BiMix on the kept runs up to `step` (:func:`~lawlib.fit_bimix`), find the
    mixture of least summed loss at `step` (:func:`~lawlib.optimize_mixture`,
    within the convex hull of the kept mixtures by default), and set it beside
    the best trained mixture, the default and the held-out error of the same
    summed loss (:func:`~lawlib.decisions.decision_report`).

    Parameters
    ----------
    runs : DataFrame
        Mixture runs of one model, long or wide, with a step column and
        `run_column`.
    step : float
        The step the mixture is chosen for [steps]; runs are fitted up to it and
        held-out runs are scored at it.
    holdout_every : int
        Hold out every this many runs (2 or more).
    within : {"hull", "design", "simplex"}
        Where the proposal may lie (see :func:`~lawlib.optimize_mixture`).
    default : "uniform", str, mapping or Series
        What else to compare with: the uniform mixture, a run name, or a mixture.
    run_column : str
        The column naming the runs.

    Returns
    -------
    MixtureProposal

    Raises
    ------
    ValidationError
        Runs without `run_column` or a step column, no held-out run at `step`,
        or any problem :func:`~lawlib.fit_bimix` or :func:`~lawlib.decisions.decision_report` names.

    References
    ----------
    Derived in the chapter *Optimising the mixture*.
    """
    if "step" not in runs:
        raise ValidationError(["the runs have no step column"], "propose_mixture")
    kept, held = split_runs(runs, holdout_every, run_column=run_column)
    train = kept[kept["step"] <= step]
    test = held[held["step"] == step]
    if test.empty:
        raise ValidationError([f"no held-out run has a row at step {step:g}"], "propose_mixture")
    fit = fit_bimix(train)
    proposal = optimize_mixture(cast(BiMixLaw, fit.law), step, within=within, runs=train)
    if isinstance(default, str) and default == "uniform":
        domains = mixture_domains(runs)
        default = pd.Series(1 / len(domains), index=domains, name="uniform")
    report = decision_report(fit, train, test, proposal, default=default, run_column=run_column)
    return MixtureProposal(fit=fit, proposal=proposal, report=report, train=train, held_out=test)
