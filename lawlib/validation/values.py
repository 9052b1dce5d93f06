"""Checks of values: columns of numbers, arguments, numerical options and lab parameters.

Each check collects every problem it finds and raises one
:class:`lawlib.ValidationError` listing them, before any fitting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ValidationError


def rows_text(labels: Sequence, limit: int = 5) -> str:
    """The first `limit` row labels, and how many more there are.

    Parameters
    ----------
    labels : sequence
    limit : int

    Returns
    -------
    str
    """
    shown = ", ".join(str(label) for label in labels[:limit])
    more = "" if len(labels) <= limit else f" and {len(labels) - limit} more"
    return shown + more


def labels_where(values, mask: np.ndarray) -> list:
    """Row labels where `mask` holds: the pandas index if there is one, else positions.

    Parameters
    ----------
    values : array_like, Series or DataFrame
    mask : ndarray of bool

    Returns
    -------
    list
    """
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
            f"in {where} {rows_text(labels_where(series, text))}"
        )
    missing = ~np.isfinite(array) & ~text & ~(missing_ok & np.isnan(array))
    if missing.any():
        problems.append(
            f"column {name!r}: {int(missing.sum())} values are missing or infinite, "
            f"in {where} {rows_text(labels_where(series, missing))}"
        )
    if positive:
        bad = np.isfinite(array) & (array <= 0)
        if bad.any():
            problems.append(
                f"column {name!r}: {int(bad.sum())} of {bad.size} values are not positive "
                f"(first {array[bad][0]:g}), in {where} {rows_text(labels_where(series, bad))}"
            )
    return array, problems


def check_columns(
    columns: Mapping[str, object],
    *,
    positive: Sequence[str] = (),
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
    positive : sequence of str
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
    lawlib.errors.ValidationError: the runs: column 'y': 1 of 2 values are not positive (first -4), in rows 1
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


def positive_argument(name: str, value, unit: str = "", *, infinite: bool = False) -> np.ndarray:
    """`value` as a float array, or a :class:`ValidationError` naming the argument if any entry is not > 0.

    Parameters
    ----------
    name : str
        The argument, as the user knows it.
    value : array_like
    unit : str
        Shown in the message.
    infinite : bool
        Whether ``+inf`` is allowed (a law's limit, e.g. unlimited data); NaN never is.

    Returns
    -------
    ndarray, the shape of `value`

    Examples
    --------
    >>> positive_argument("C", [1e21, -1.0], "FLOPs")
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: C: must be finite and positive [FLOPs]; got -1
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError([f"must be a number; got {value!r}"], name) from None
    allowed = (array > 0) & (np.isfinite(array) | (infinite & (array == np.inf)))
    bad = ~allowed
    if bad.any():
        unit_text = f" [{unit}]" if unit else ""
        kind = "positive" if infinite else "finite and positive"
        raise ValidationError([f"must be {kind}{unit_text}; got {array[bad].flat[0]:g}"], name)
    return array


#: The rule of every numerical option a lawlib function takes, checked by :func:`lawlib.validation.check_options`:
#: ``(kind, bound)`` with kind one of "positive" (finite > 0), "positive or inf", "nonnegative",
#: "fraction" (strictly between 0 and 1), "integer" (whole number >= bound), "above" (> bound).
OPTIONS: dict[str, tuple[str, float]] = {
    "delta": ("positive or inf", 0),
    "flops_per_token": ("positive", 0),
    "inference_flops_per_token": ("positive", 0),
    "budget": ("positive", 0),
    "target": ("positive", 0),
    "experiment_budget": ("positive", 0),
    "step": ("positive", 0),
    "steps": ("positive", 0),
    "temperature": ("positive", 0),
    "decades": ("positive", 0),
    "noise": ("nonnegative", 0),
    "inference_tokens": ("nonnegative", 0),
    "level": ("fraction", 0),
    "alpha": ("fraction", 0),
    "size_span": ("above", 1),
    "n_nearest": ("integer", 3),
    "n_budgets": ("integer", 3),
    "sizes_per_budget": ("integer", 3),
    "n_grid": ("integer", 2),
    "n_resamples": ("integer", 2),
    "n_simulations": ("integer", 1),
    "n_random": ("integer", 1),
    "n_points": ("integer", 3),
    "seed": ("integer", 0),
    "tolerance_dex": ("positive", 0),
    "bin_width_dex": ("positive", 0),
    "min_sizes": ("integer", 2),
    "d_model": ("integer", 1),
    "n_layers": ("integer", 1),
    "vocab_size": ("integer", 1),
    "context": ("integer", 1),
    "ffn_hidden": ("integer", 1),
    "half_width": ("above", 1),
}


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)


def option_problem(name: str, value) -> str | None:
    """What is wrong with `value` for option `name` (see :data:`OPTIONS`), or None.

    Parameters
    ----------
    name : str
        A key of :data:`OPTIONS`.
    value : object

    Returns
    -------
    str or None
    """
    kind, bound = OPTIONS[name]
    number = _number(value)
    wanted = {
        "positive": "a finite number > 0",
        "positive or inf": "a number > 0 (inf allowed)",
        "nonnegative": "a finite number >= 0",
        "fraction": "a number strictly between 0 and 1",
        "integer": f"a whole number >= {bound:g}",
        "above": f"a finite number > {bound:g}",
    }[kind]
    if number is None or math.isnan(number):
        return f"{name} must be {wanted}, got {value!r}"
    ok = {
        "positive": math.isfinite(number) and number > 0,
        "positive or inf": number > 0,
        "nonnegative": math.isfinite(number) and number >= 0,
        "fraction": 0 < number < 1,
        "integer": math.isfinite(number) and number.is_integer() and number >= bound,
        "above": math.isfinite(number) and number > bound,
    }[kind]
    return None if ok else f"{name} must be {wanted}, got {value!r}"


def check_options(where: str, **values) -> None:
    """Check numerical options against :data:`OPTIONS`; one error lists every bad one.

    Parameters
    ----------
    where : str
        The function or command taking them, for the message.
    **values
        Option names (keys of :data:`OPTIONS`) and values; None means "not given".

    Returns
    -------
    None

    Raises
    ------
    ValidationError

    Examples
    --------
    >>> check_options("fit_isoflop", n_nearest=2, flops_per_token=6.0)
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: fit_isoflop: n_nearest must be a whole number >= 3, got 2
    """
    problems = [
        problem
        for name, value in values.items()
        if value is not None and (problem := option_problem(name, value)) is not None
    ]
    if problems:
        raise ValidationError(problems, where)
