"""Input checks that run before any fitting: one error type, every problem listed.

Every fitter, law, template and the command line check their inputs here. A
check collects *every* problem it finds (which column, which rows, what is
wrong) and raises one :class:`ValidationError` listing them, before any
fitting; a notebook shows the list without a traceback, the command line
prints it on one line.

Beyond values, :func:`check_design` asks whether the runs can identify the law
at all (one compute budget, a constant column, too few distinct points: the
fitters raise) or look suspicious (duplicated rows, perplexities instead of
losses, tokens in billions: the fitters warn and record a note).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd


class ValidationError(ValueError):
    """Every problem found in an input, raised before any fitting.

    Attributes
    ----------
    problems : list of str
        One plain sentence per problem.
    subject : str
        What was checked ("the runs", "parameter 'budget'").

    Examples
    --------
    >>> err = ValidationError(["column 'N': 2 values are not positive"], "the runs")
    >>> str(err)
    "the runs: column 'N': 2 values are not positive"
    >>> err.problems
    ["column 'N': 2 values are not positive"]
    """

    def __init__(self, problems: Iterable[str], subject: str = "the runs"):
        self.problems = list(problems)
        self.subject = subject
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        if len(self.problems) == 1:
            return f"{self.subject}: {self.problems[0]}"
        listed = "; ".join(f"({i}) {p}" for i, p in enumerate(self.problems, start=1))
        return f"{len(self.problems)} problems with {self.subject}: {listed}"

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        if len(self.problems) == 1:
            return [f"Stopped: {self}"]
        return [f"Stopped: {self.subject} cannot be used yet:"] + [
            f"  - {problem}" for problem in self.problems
        ]


def _rows(labels: Sequence, limit: int = 5) -> str:
    shown = ", ".join(str(label) for label in labels[:limit])
    more = "" if len(labels) <= limit else f" and {len(labels) - limit} more"
    return shown + more


def _labels(values, mask: np.ndarray) -> list:
    """Row labels where `mask` holds: the pandas index if there is one, else positions."""
    index = values.index if isinstance(values, (pd.Series, pd.DataFrame)) else None
    positions = np.flatnonzero(mask)
    return [index[p] for p in positions] if index is not None else positions.tolist()


def number_problems(
    name: str, values, *, positive: bool = False, where: str = "rows", missing_ok: bool = False
) -> tuple[np.ndarray, list[str]]:
    """`values` as a 1-D float array, and every problem with them (text, NaN, infinite, <= 0).

    Parameters
    ----------
    name : str
        How the user knows the column, for the messages.
    values : array_like, shape (n,)
    positive : bool
        Whether values must be strictly positive.
    where : str
        What the labels of `values` count ("rows", "runs"), for the messages.
    missing_ok : bool
        Whether empty (NaN) values are allowed (infinite ones never are).

    Returns
    -------
    array : ndarray, shape (n,)
        The numbers (NaN where a value is not a number).
    problems : list of str
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.ravel(values))
    if np.ndim(values) > 1:
        return np.full(series.size, np.nan), [
            f"column {name!r} must be one-dimensional, got shape {np.shape(values)}"
        ]
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    array = numbers.to_numpy()
    problems = []
    text = (numbers.isna() & series.notna()).to_numpy()
    if text.any():
        first = series[text].iloc[0]
        problems.append(
            f"column {name!r}: {int(text.sum())} values are not numbers (first {first!r}), "
            f"in {where} {_rows(_labels(series, text))}"
        )
    missing = ~np.isfinite(array) & ~text & ~(missing_ok & np.isnan(array))
    if missing.any():
        problems.append(
            f"column {name!r}: {int(missing.sum())} values are missing or infinite, "
            f"in {where} {_rows(_labels(series, missing))}"
        )
    if positive:
        bad = np.isfinite(array) & (array <= 0)
        if bad.any():
            problems.append(
                f"column {name!r}: {int(bad.sum())} of {bad.size} values are not positive "
                f"(first {array[bad][0]:g}), in {where} {_rows(_labels(series, bad))}"
            )
    return array, problems


def check_columns(
    columns: Mapping[str, object],
    *,
    positive: tuple[str, ...] = (),
    n_params: int | None = None,
    model: str = "the model",
    subject: str = "the runs",
) -> dict[str, np.ndarray]:
    """Check named columns for a fit and return them as float arrays.

    Every problem of every column is collected; if there is any, one
    :class:`ValidationError` lists them all.

    Parameters
    ----------
    columns : mapping of str to array_like, each shape (n,)
        The fit's inputs, keyed by the names a user knows them by.
    positive : tuple of str
        Columns whose values must all be strictly positive.
    n_params : int, optional
        Number of free parameters; the fit needs more rows than this.
    model : str
        Name of the model, for the message about too few rows.
    subject : str
        What the columns are, for the message.

    Returns
    -------
    dict of str to ndarray, shape (n,)

    Examples
    --------
    >>> check_columns({"x": [1, 2], "y": [3, -4]}, positive=("y",))
    Traceback (most recent call last):
    ...
    lawlib.validation.ValidationError: the runs: column 'y': 1 of 2 values are not positive (first -4), in rows 1
    """
    arrays, problems = {}, []
    for name, values in columns.items():
        arrays[name], found = number_problems(name, values, positive=name in positive)
        problems += found
    lengths = {name: array.size for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {size}" for name, size in lengths.items())
        problems.append(f"columns have different lengths: {listed} rows")
    n_rows = next(iter(lengths.values()), 0)
    if n_params is not None and n_rows <= n_params:
        problems.append(
            f"{n_rows} rows are too few for {model} with {n_params} parameters: "
            f"need at least {n_params + 1}"
        )
    if problems:
        raise ValidationError(problems, subject)
    return arrays


def check_design(
    inputs: Mapping[str, np.ndarray],
    loss: tuple[str, np.ndarray] | None = None,
    *,
    n_params: int,
    model: str = "the law",
    budget: tuple[str, np.ndarray] | None = None,
    tokens: tuple[str, str] | None = None,
    subject: str = "the runs",
) -> list[str]:
    """Whether runs can identify a law; raise if they cannot, return warnings if they look wrong.

    Parameters
    ----------
    inputs : mapping of str to ndarray, shape (n,)
        The law's input columns (e.g. ``N`` and ``D``), checked values.
    loss : (name, ndarray), optional
        The observed loss; checked for perplexity-like values and duplicated rows.
    n_params : int
        Free parameters of the law: the runs need more distinct input points.
    model : str
        The law's name, for messages.
    budget : (name, ndarray), optional
        Compute per run: a single budget cannot separate the terms of a
        two-resource law (N and D move together along it).
    tokens : (str, str), optional
        Names of the parameter and token columns: tokens per parameter far
        below 1 suggests tokens given in billions.
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
    lawlib.validation.ValidationError: the runs: all 6 runs share one compute budget (C = 1e+21): ...
    """
    errors, warnings = [], []
    for name, values in inputs.items():
        distinct = np.unique(values)
        if distinct.size == 1:
            errors.append(
                f"column {name!r} holds one value ({distinct[0]:g}) in all {values.size} runs: "
                f"{model} cannot learn how the loss depends on {name}"
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
        n_name, d_name = tokens
        ratio = float(np.median(inputs[d_name] / inputs[n_name]))
        if ratio < 0.01:
            warnings.append(
                f"the median tokens per parameter ({d_name} / {n_name}) is {ratio:.2g}: "
                f"{d_name} looks like it is given in billions, or {n_name} in other units than "
                "parameters; lawlib takes plain counts"
            )
    return warnings


def check_parameters(
    values: Mapping[str, object],
    *,
    positive: Sequence[str] = (),
    integer: Sequence[str] = (),
    fraction: Sequence[str] = (),
    choices: Mapping[str, Sequence] | None = None,
) -> None:
    """Check a chapter's lab parameters; stop with one line per wrong parameter.

    Parameters
    ----------
    values : mapping of str to object
        The parameters as the chapter received them.
    positive : sequence of str
        Names that must be finite numbers > 0 (a list: each element).
    integer : sequence of str
        Names that must be whole numbers >= 0.
    fraction : sequence of str
        Names that must lie strictly between 0 and 1.
    choices : mapping of str to sequence, optional
        Names that must take one of the listed values (a list: each element).

    Examples
    --------
    >>> check_parameters({"budget": "lots"}, positive=["budget"])
    Traceback (most recent call last):
    ...
    lawlib.validation.ValidationError: parameter 'budget': must be a positive number, got 'lots'
    """
    problems = []

    def each(name):
        value = values[name]
        return value if isinstance(value, (list, tuple)) else [value]

    def number(value):
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, bool
        )

    for name in positive:
        if not all(number(v) and np.isfinite(v) and v > 0 for v in each(name)):
            problems.append(f"parameter {name!r}: must be a positive number, got {values[name]!r}")
    for name in integer:
        if not all(number(v) and float(v).is_integer() and v >= 0 for v in each(name)):
            problems.append(
                f"parameter {name!r}: must be a whole number >= 0, got {values[name]!r}"
            )
    for name in fraction:
        if not all(number(v) and 0 < v < 1 for v in each(name)):
            problems.append(f"parameter {name!r}: must lie between 0 and 1, got {values[name]!r}")
    for name, allowed in (choices or {}).items():
        if not all(v in allowed for v in each(name)) or not each(name):
            listed = ", ".join(repr(a) for a in allowed)
            problems.append(f"parameter {name!r}: must be one of {listed}; got {values[name]!r}")
    if problems:
        subject = problems[0].split(":")[0] if len(problems) == 1 else "the lab parameters"
        raise ValidationError(
            [p.split(": ", 1)[1] for p in problems] if len(problems) == 1 else problems, subject
        )


def positive_argument(name: str, value, unit: str = "", *, infinite: bool = False) -> np.ndarray:
    """`value` as a float array, or a :class:`ValueError` naming the argument if any entry is not > 0.

    With ``infinite=True``, ``+inf`` is allowed (a law's limit, e.g. unlimited data);
    NaN never is.

    Examples
    --------
    >>> positive_argument("C", [1e21, -1.0], "FLOPs")
    Traceback (most recent call last):
    ...
    ValueError: C must be finite and positive [FLOPs]; got -1
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    allowed = (array > 0) & (np.isfinite(array) | (infinite & (array == np.inf)))
    bad = ~allowed
    if bad.any():
        unit_text = f" [{unit}]" if unit else ""
        kind = "positive" if infinite else "finite and positive"
        raise ValueError(f"{name} must be {kind}{unit_text}; got {array[bad].flat[0]:g}")
    return array


def take_columns(
    data: pd.DataFrame | None, given: Mapping[str, object], names: Mapping[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The columns a fitter works on: from `data` by name, or the arrays given.

    Parameters
    ----------
    data : DataFrame or None
        With a frame, each value of `given` names one of its columns
        (pandas in: ``fit_power_law("C", "loss", data=runs)``).
    given : mapping of role to column name or array_like
    names : mapping of role to str
        Names for messages when arrays are given.

    Returns
    -------
    columns : dict of role to array_like
    names : dict of role to str
    """
    if data is None:
        return dict(given), dict(names)
    missing = [
        repr(value) for value in given.values() if not isinstance(value, str) or value not in data
    ]
    if missing:
        listed = ", ".join(map(str, data.columns))
        raise ValidationError([f"no column {', '.join(missing)} in the data; it has {listed}"])
    return {role: data[column] for role, column in given.items()}, dict(given)


#: How far the proportions of a run may sum from 1 before it is rejected.
SUM_TOLERANCE = 1e-3


def check_mixture_runs(
    frame: pd.DataFrame,
    domains,
    *,
    step: str | None = "step",
    run_column: str | None = "run_id",
    loss: bool = True,
    missing_loss: bool = False,
) -> pd.DataFrame:
    """Check proportions, steps and losses of mixture runs; list every problem by column and run.

    Proportions (columns ``p_<domain>``) must be numbers, non-negative and sum
    to 1 within :data:`SUM_TOLERANCE` over every ``p_`` column of `frame` (so
    that `domains` may be a subset); steps and losses (``loss_<domain>``)
    must be positive numbers; with `missing_loss`, empty losses are allowed.

    Returns
    -------
    DataFrame
        `frame` with those columns as floats.

    Raises
    ------
    ValidationError
    """
    if not domains:
        raise ValidationError(
            ["no p_<domain> columns: name each proportion column p_<domain> (e.g. p_web)"]
        )
    wanted = [f"p_{d}" for d in domains] + ([f"loss_{d}" for d in domains] if loss else [])
    wanted += [step] if step is not None else []
    missing = [column for column in wanted if column not in frame]
    if missing:
        listed = ", ".join(map(str, frame.columns))
        raise ValidationError([f"missing columns {', '.join(missing)}; the file has {listed}"])
    by_run = run_column in frame
    labelled = frame.set_index(run_column) if by_run else frame
    where = "runs" if by_run else "rows"
    checked, problems = frame.copy(), []
    for column in wanted:
        values, found = number_problems(
            column,
            labelled[column],
            positive=not column.startswith("p_"),
            where=where,
            missing_ok=missing_loss and column.startswith("loss_"),
        )
        if column.startswith("p_"):
            negative = values < 0
            if negative.any():
                found.append(
                    f"column {column!r}: {int(negative.sum())} proportions are negative, "
                    f"in {where} {_rows(_labels(labelled[column], negative))}"
                )
        problems += found
        checked[column] = values
    if not problems:
        every = [c for c in frame.columns if str(c).startswith("p_")]
        shares = pd.DataFrame(
            {c: number_problems(c, frame[c])[0] for c in every}, index=frame.index
        )
        totals = shares.sum(axis=1).to_numpy()
        off = np.abs(totals - 1) > SUM_TOLERANCE
        if off.any():
            problems.append(
                f"proportions {'+'.join(every)}: {int(off.sum())} runs do not sum to 1 "
                f"(tolerance {SUM_TOLERANCE}; first sums to {totals[off][0]:.6g}), "
                f"in {where} {_rows(_labels(labelled, off))}"
            )
    if problems:
        raise ValidationError(problems)
    return checked


def check_runs(
    frame: pd.DataFrame, columns: Mapping[str, str | None], *, min_rows: int = 6
) -> pd.DataFrame:
    """Check the columns of a runs table and build the tidy table lawlib fits.

    Parameters
    ----------
    frame : DataFrame
        Your runs, as read from CSV (rows are reported by their line numbers
        when the frame comes from :func:`lawlib.io.read_runs`).
    columns : mapping
        Which column holds ``N`` (parameters), ``loss`` and either ``D``
        (tokens) or ``C`` (FLOPs; then D = C / (6 N)); map the unused one to None.
    min_rows : int
        Fewest usable rows.

    Returns
    -------
    DataFrame with columns N, D, C, loss, indexed like `frame`.

    Raises
    ------
    ValidationError
        Listing every problem: missing columns, text, missing or non-positive values.
    """
    needed = {key: name for key, name in columns.items() if name}
    if "N" not in needed or "loss" not in needed or not ({"D", "C"} & set(needed)):
        raise ValidationError(
            ["name the columns for N (parameters), loss, and D (tokens) or C (FLOPs)"]
        )
    missing = [f"{key} (column {name!r})" for key, name in needed.items() if name not in frame]
    if missing:
        listed = ", ".join(map(str, frame.columns))
        raise ValidationError([f"missing columns: {', '.join(missing)}; the file has: {listed}"])
    values, problems = {}, []
    for key, name in needed.items():
        values[key], found = number_problems(f"{name}", frame[name], positive=True)
        problems += [
            problem.replace(f"column {name!r}", f"column {name!r} ({key})") for problem in found
        ]
    if len(frame) < min_rows:
        problems.append(f"only {len(frame)} runs; at least {min_rows} are needed")
    if problems:
        raise ValidationError(problems)
    runs = pd.DataFrame({"N": values["N"], "loss": values["loss"]}, index=frame.index)
    if "D" in values:
        runs["D"] = values["D"]
        runs["C"] = values["C"] if "C" in values else 6 * runs["N"] * runs["D"]
    else:
        runs["C"] = values["C"]
        runs["D"] = runs["C"] / (6 * runs["N"])
    return runs[["N", "D", "C", "loss"]]


def check_one_model(frame: pd.DataFrame, column: str = "model") -> None:
    """Refuse runs of several model sizes pooled in one fit (a mixture law is fitted per model).

    Examples
    --------
    >>> check_one_model(pd.DataFrame({"model": ["70M", "160M"]}))
    Traceback (most recent call last):
    ...
    lawlib.validation.ValidationError: the runs: column 'model' holds 2 model sizes (70M, 160M): ...
    """
    if column in frame and frame[column].nunique() > 1:
        sizes = list(dict.fromkeys(map(str, frame[column])))
        problem = (
            f"column {column!r} holds {len(sizes)} model sizes ({', '.join(sizes)}): "
            f"select one (e.g. --query \"{column} == '{sizes[0]}'\") or pool them on purpose (--pool-models)"
        )
        raise ValidationError([problem])
