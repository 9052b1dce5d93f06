"""The book's one table look: each column's numbers in one format, human column names.

Every DataFrame a chapter shows goes through :func:`table`: :func:`lawlib.book.plotting.use_style`
registers it as the notebook's HTML form of a DataFrame, so a chapter that ends a cell with
``frame`` and one that calls ``table(frame, percent=[...])`` look the same. The page's CSS
(``book/_static/lawlib.css``, ``table.lawlib-table``) pads the cells and breaks headers between
words only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..formatting import format_number, plain_exponents

#: pandas display options applied by :func:`lawlib.book.plotting.use_style` (plain-text output).
DISPLAY = {
    "display.float_format": format_number,
    "display.max_columns": 12,
    "display.width": 100,
    "display.max_colwidth": None,
}

#: Whole numbers from this size on get thousands separators (``12,345``, not ``2022``'s ``2,022``).
SEPARATORS_FROM = 10_000
#: Whole numbers from this size on, and any column spanning more than :data:`MAX_RATIO`, are
#: written ``5.76e23``.
SCIENTIFIC_FROM = 1e9
MAX_RATIO = 1e5
#: The fewest significant digits a column's largest value shows; more are added (up to
#: :data:`MAX_EXTRA` more) while they still separate values that differ at six digits.
MIN_DIGITS = 3
MAX_EXTRA = 3

#: The CSS class of every table the book shows.
CSS_CLASS = "dataframe lawlib-table"


def _distinct(values) -> int:
    """How many different values (numbers or their texts) there are."""
    return len(set(np.asarray(values).tolist()))


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def column_format(values: Iterable, *, percent: bool = False) -> Callable[[object], str]:
    """The one format for a column of numbers, chosen from its spread.

    Whole numbers get thousands separators from :data:`SEPARATORS_FROM`; a column whose values
    reach :data:`SCIENTIFIC_FROM` or span more than :data:`MAX_RATIO` is written ``5.76e23`` with
    one mantissa length; any other column gets one number of decimals: enough for
    :data:`MIN_DIGITS` significant digits of its largest value and two of its smallest, and more
    while they separate values that differ at six significant digits (13.3241 and 13.3244 are
    not both shown as 13.32).

    Parameters
    ----------
    values : iterable of numbers
        The column (NaN and None are skipped when choosing and shown empty).
    percent : bool
        Show fractions as percentages (0.0271 as ``2.71%``).

    Returns
    -------
    callable
        ``value -> str``.

    Examples
    --------
    >>> f = column_format([13.3241, 13.3244, 13.27])
    >>> [f(v) for v in (13.3241, 13.3244, 13.27)]
    ['13.3241', '13.3244', '13.2700']
    >>> f = column_format([719.0, 5340.0])
    >>> [f(v) for v in (719.0, 5340.0)]
    ['719', '5340']
    >>> [column_format([16020, 3])(v) for v in (16020, 3)]
    ['16,020', '3']
    >>> [column_format([1e22, 3e23])(v) for v in (1e22, 3e23)]
    ['1.00e22', '3.00e23']
    >>> [column_format([0.0271, 0.1], percent=True)(v) for v in (0.0271, 0.1)]
    ['2.7%', '10.0%']
    """
    scale, suffix = (100.0, "%") if percent else (1.0, "")
    x = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)
    x = x[np.isfinite(x)] * scale
    nonzero = np.abs(x[x != 0])

    def shown(write: Callable[[float], str]) -> Callable[[object], str]:
        def fmt(value) -> str:
            if value is None or isinstance(value, (bool, np.bool_, str)):
                return "" if value is None else str(value)
            value = float(value)
            return "" if math.isnan(value) else write(value * scale) + suffix

        return fmt

    if nonzero.size == 0:
        return shown(lambda v: f"{v:.0f}")
    big, small = nonzero.max(), nonzero.min()
    whole = bool(np.all(x == np.round(x)))
    if (whole and big >= SCIENTIFIC_FROM) or (not whole and big >= 1e6) or big / small > MAX_RATIO:
        target = _distinct([float(f"{v:.5e}") for v in x])
        digits = MIN_DIGITS
        while digits < MIN_DIGITS + MAX_EXTRA and (
            _distinct([_scientific(v, digits) for v in x]) < target
        ):
            digits += 1
        return shown(lambda v: _scientific(v, digits))
    if whole:
        return shown(lambda v: f"{v:,.0f}" if big >= SEPARATORS_FROM else f"{v:.0f}")
    first = MIN_DIGITS - 1 - math.floor(math.log10(big))
    decimals = max(0, first, 1 - math.floor(math.log10(small)))
    target = _distinct([float(f"{v:.5e}") for v in x])
    while decimals < max(0, first) + MAX_EXTRA and _distinct(np.round(x, decimals)) < target:
        decimals += 1
    return shown(lambda v: f"{v:.{decimals}f}")


def table(
    frame: pd.DataFrame,
    *,
    columns: dict | None = None,
    percent: Iterable[str] = (),
):
    """A DataFrame in the book's table look: one format per column, human column names.

    Parameters
    ----------
    frame : DataFrame
        The table; rows that are all NaN are dropped.
    columns : dict, optional
        New names for columns (with units, e.g. ``{"N_opt": "N_opt [parameters]"}``).
    percent : iterable of str
        Columns (by their new names) holding fractions to show as percentages.

    Returns
    -------
    pandas.io.formats.style.Styler
        Its HTML carries the class :data:`CSS_CLASS`.

    Examples
    --------
    >>> frame = pd.DataFrame({"N": [4.4e7, 1.6e10], "error": [0.0271, 0.1]})
    >>> html = table(frame, percent=["error"]).to_html()
    >>> "4.40e7" in html and "2.7%" in html and "lawlib-table" in html
    True
    """
    shown = frame.dropna(how="all").rename(columns=columns or {})
    percent = set(percent)
    unknown = percent - set(shown.columns)
    if unknown:
        raise KeyError(f"percent: no column named {sorted(unknown)}")
    styler = Styler(shown, uuid_len=0, cell_ids=False, table_attributes=f'class="{CSS_CLASS}"')
    for name in shown.columns:
        column = shown[name]
        if pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_numeric_dtype(column):
            fmt = column_format(column, percent=name in percent)
        else:
            fmt = _label
        styler = styler.format(fmt, subset=[name])
    for axis, labels in ((0, shown.index), (1, shown.columns)):
        if labels.nlevels == 1 and pd.api.types.is_numeric_dtype(labels):
            styler = styler.format_index(column_format(labels), axis=axis)
        else:
            styler = styler.format_index(_label, axis=axis)
    return styler


def _label(value) -> str:
    """A label or a text cell: numbers by :func:`~lawlib.formatting.format_number`, text with the
    book's exponents (``5.76e23``, not ``5.76e+23``)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float, np.number)):
        return format_number(value)
    return plain_exponents(str(value))


def html(frame: pd.DataFrame) -> str:
    """The HTML of ``table(frame)``: the notebook's form of every DataFrame a chapter shows.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    str
    """
    return table(frame).to_html()
