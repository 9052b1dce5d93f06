"""Checks of designs: can these runs identify the law, and do they look like what the law takes?

:func:`check_design` raises for a design that cannot identify a law (one
compute budget, a constant column, too few distinct points, a loss that does
not fall with an input) and returns warnings for one that looks wrong (runs
repeated, perplexities, sizes in millions, N and D swapped).
:func:`extrapolation_notes` says when an answer lies far outside the runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from ..errors import ValidationError

#: An answer more than this many decades of compute beyond the runs is an extrapolation.
EXTRAPOLATION_DECADES = 2.0
#: Below this many parameters no language model was ever fitted.
SMALLEST_MODEL = 1e3
#: One-sided level of the test that the loss falls with an input (see :func:`check_dependence`).
DEPENDENCE_LEVEL = 0.05


def _quadratic(columns: list[np.ndarray]) -> np.ndarray:
    """Design matrix of a full quadratic in the given columns (with intercept)."""
    terms = [np.ones(columns[0].size) if columns else np.ones(0)]
    terms += columns
    terms += [a * b for i, a in enumerate(columns) for b in columns[i:]]
    return np.column_stack(terms)


def check_dependence(
    inputs: Mapping[str, np.ndarray],
    loss: tuple[str, np.ndarray],
    *,
    model: str = "the law",
    level: float = DEPENDENCE_LEVEL,
) -> list[str]:
    """Problems where the loss does not depend on an input at all, before any fit.

    ``log loss`` is regressed on a full quadratic in the logs of the inputs,
    with and without the terms that involve input j; an F-test asks whether
    those terms explain any of the loss. A law of the form
    ``E + sum_j A_j x_j**(-alpha_j)`` is a smooth function of the logs, which
    a quadratic follows over the range of any sweep; where input j explains
    nothing (at the given `level`), the runs show no dependence for the law to
    learn, and a fit would return an exponent with nothing to support it. (A
    fit whose exponents come out with the wrong sign is caught after the fit:
    it is marked as failed.)

    Parameters
    ----------
    inputs : mapping of str to ndarray, shape (n,)
        Positive inputs by name.
    loss : (str, ndarray)
        Name and positive values of the loss.
    model : str
    level : float
        Significance level of the F-test.

    Returns
    -------
    list of str
        One sentence per input without evidence of dependence (empty when
        there are too few runs to test).
    """
    name, observed = loss
    y = np.log(observed)
    logs = {column: np.log(values) for column, values in inputs.items()}
    full = _quadratic(list(logs.values()))
    dof = y.size - full.shape[1]
    if dof < 1 or np.ptp(y) == 0 or np.linalg.matrix_rank(full) < full.shape[1]:
        return []
    rss_full = float(np.sum((y - full @ np.linalg.lstsq(full, y, rcond=None)[0]) ** 2))
    problems = []
    for column in inputs:
        others = [values for other, values in logs.items() if other != column]
        reduced = _quadratic(others) if others else np.ones((y.size, 1))
        rss = float(np.sum((y - reduced @ np.linalg.lstsq(reduced, y, rcond=None)[0]) ** 2))
        extra = full.shape[1] - reduced.shape[1]
        if rss_full <= 1e-15 * max(rss, 1e-300):
            continue  # the quadratic fits exactly: the input matters
        statistic = ((rss - rss_full) / extra) / (rss_full / dof)
        p = float(stats.f.sf(statistic, extra, dof))
        if p > level:
            problems.append(
                f"the loss does not depend on {column!r}: the terms in log {column} explain "
                f"none of log {name} (F-test, p = {p:.2g}): {model} cannot learn how the "
                f"loss falls with {column} from these runs"
            )
    return problems


def check_design(
    inputs: Mapping[str, np.ndarray],
    loss: tuple[str, np.ndarray] | None = None,
    *,
    n_params: int,
    model: str = "the law",
    budget: tuple[str, np.ndarray] | None = None,
    tokens: tuple[str, str] | None = None,
    decreasing: bool = False,
    subject: str = "the runs",
) -> list[str]:
    """Whether runs can identify a law; raise if they cannot, return warnings if they look wrong.

    Parameters
    ----------
    inputs : mapping of str to ndarray, shape (n,)
        The law's input columns (e.g. ``N`` and ``D``), checked values.
    loss : (name, ndarray), optional
        The observed loss: a constant loss is refused; runs repeat one another
        only when inputs *and* loss are equal (two seeds at one point are two
        runs); a median above 20 looks like perplexity.
    n_params : int
        Free parameters of the law: the runs need more distinct input points.
    model : str
        The law's name, for messages.
    budget : (name, ndarray), optional
        Compute per run: a single budget cannot separate the terms of a
        two-resource law (N and D move together along it).
    tokens : (str, str), optional
        Names of the parameter and token columns, for the checks of units
        (sizes in millions or billions, tokens per parameter far from 1 to
        10,000, N and D swapped).
    decreasing : bool
        Whether the loss must depend on every input (laws
        ``E + sum_j A_j x_j**(-alpha_j)``): a design where it does not is
        refused (see :func:`check_dependence`).
    subject : str
        What the runs are, for messages.

    Returns
    -------
    list of str
        Warnings for a suspicious (but fittable) design.

    Raises
    ------
    ValidationError
        For a design that cannot identify the law.

    Examples
    --------
    >>> N = np.array([1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9])
    >>> check_design({"N": N, "D": 1e21 / (6 * N)}, n_params=5, budget=("C", np.full(6, 1e21)))
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: the runs: all 6 runs share one compute budget (C = 1e+21): ...
    """
    errors, warnings = [], []
    for name, values in inputs.items():
        distinct = np.unique(values)
        if distinct.size == 1:
            errors.append(
                f"column {name!r} holds one value ({distinct[0]:g}) in all {values.size} runs: "
                f"{model} cannot learn how the loss depends on {name}"
            )
    if loss is not None and np.unique(loss[1]).size == 1:
        errors.append(
            f"column {loss[0]!r} holds one value ({loss[1][0]:g}) in all {loss[1].size} runs: "
            "a constant loss depends on nothing"
        )
    points = np.unique(np.column_stack(list(inputs.values())), axis=0).shape[0]
    if points <= n_params and not errors:
        names = ", ".join(inputs)
        errors.append(
            f"only {points} distinct ({names}) points for {model} with {n_params} parameters: "
            f"need at least {n_params + 1}"
        )
    if budget is not None and not errors:
        name, compute = budget
        if compute.max() <= compute.min() * (1 + 1e-6):
            errors.append(
                f"all {compute.size} runs share one compute budget ({name} = {compute[0]:g}): along "
                "one budget the two resources move together, so their terms cannot be told apart; "
                "add runs at other budgets"
            )
    if decreasing and loss is not None and not errors:
        errors += check_dependence(inputs, loss, model=model)
    if errors:
        raise ValidationError(errors, subject)
    columns = dict(inputs)
    if loss is not None:
        loss_name, observed = loss
        columns[loss_name] = observed
        median = float(np.median(observed))
        if median > 20:
            warnings.append(
                f"column {loss_name!r} has a median of {median:.4g}: that looks like perplexity, "
                "not cross-entropy in nats; pass log(perplexity)"
            )
    table = np.column_stack(list(columns.values()))
    counts = np.unique(table, axis=0, return_counts=True)[1]
    repeated = int(counts.sum() - counts.size)
    if repeated:
        warnings.append(
            f"{repeated} runs repeat another run exactly (same {', '.join(columns)}): "
            "they count more than once in the fit"
        )
    if tokens is not None:
        warnings += unit_warnings(inputs[tokens[0]], inputs[tokens[1]], tokens)
    return warnings


def unit_warnings(N: np.ndarray, D: np.ndarray, names: Sequence[str] = ("N", "D")) -> list[str]:
    """Warnings for parameter and token counts that look like other units, or swapped.

    Parameters
    ----------
    N, D : ndarray, shape (n,)
        Parameters and tokens of each run.
    names : (str, str)
        Their column names, for the messages.

    Returns
    -------
    list of str
    """
    n_name, d_name = names
    found = []
    for column, values, what in ((n_name, N, "parameters"), (d_name, D, "tokens")):
        median = float(np.median(values))
        if median < 1e4:
            found.append(
                f"column {column!r} has a median of {median:.4g}: that looks like {what} given in "
                f"millions or billions; lawlib takes plain counts"
            )
    ratio = float(np.median(D / N))
    if ratio < 0.01:
        found.append(
            f"the median tokens per parameter ({d_name} / {n_name}) is {ratio:.2g}: "
            f"{d_name} looks like it is given in billions, or {n_name} in other units than "
            "parameters; lawlib takes plain counts"
        )
    elif ratio > 1e4:
        found.append(
            f"the median tokens per parameter ({d_name} / {n_name}) is {ratio:.3g}: "
            f"{n_name} looks like it is given in millions or billions, or {d_name} in other "
            "units than tokens; lawlib takes plain counts"
        )
    if np.all(N > D):
        found.append(
            f"every run has more parameters ({n_name}) than tokens ({d_name}): are the two "
            "columns swapped?"
        )
    return found


def extrapolation_notes(
    *,
    budget: float | None = None,
    compute_range: tuple[float, float] | None = None,
    n_opt: float | None = None,
    what: str = "the answer",
) -> list[str]:
    """Notes for an answer far outside the runs a law was fitted on.

    Parameters
    ----------
    budget : float, optional
        Compute of the answer [FLOPs].
    compute_range : (float, float), optional
        Smallest and largest compute of the runs [FLOPs].
    n_opt : float, optional
        Parameters of the answer.
    what : str
        What the answer is, for the note.

    Returns
    -------
    list of str
        An extrapolation note when `budget` lies more than
        :data:`EXTRAPOLATION_DECADES` decades beyond `compute_range`, or
        `n_opt` below :data:`SMALLEST_MODEL` parameters.
    """
    notes = []
    if budget is not None and compute_range is not None:
        low, high = compute_range
        beyond = np.log10(budget / high) if budget > high else np.log10(low / budget)
        if beyond > EXTRAPOLATION_DECADES:
            side = "above the largest" if budget > high else "below the smallest"
            edge = high if budget > high else low
            notes.append(
                f"extrapolation: {what} at {budget:.3g} FLOPs lies {beyond:.1f} decades of compute "
                f"{side} run the law was fitted on ({edge:.3g} FLOPs)"
            )
    if n_opt is not None and n_opt < SMALLEST_MODEL:
        notes.append(
            f"extrapolation: {what} has N_opt = {n_opt:.3g} parameters, below "
            f"{SMALLEST_MODEL:,.0f}: no language model that small was fitted; the law says nothing there"
        )
    return notes
