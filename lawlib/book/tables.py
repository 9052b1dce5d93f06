"""The book's one table look: numbers for people, human column names (pandas in, a Styler out)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..formatting import format_number

#: pandas display options applied by :func:`use_style`: numbers to four significant digits,
#: very large and very small ones as 5.76e23 (see :func:`lawlib.formatting.format_number`).
DISPLAY = {
    "display.float_format": format_number,
    "display.max_columns": 12,
    "display.width": 100,
    "display.max_colwidth": None,
}


def table(frame: pd.DataFrame, *, columns: dict | None = None, digits: int = 4):
    """A DataFrame styled for the book: human column names, numbers by :func:`lawlib.formatting.format_number`.

    Parameters
    ----------
    frame : DataFrame
        The table; rows that are all NaN are dropped.
    columns : dict, optional
        New names for columns (with units, e.g. ``{"N_opt": "N_opt [parameters]"}``).
    digits : int
        Significant digits.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    shown = frame.dropna(how="all").rename(columns=columns or {})
    numeric = shown.select_dtypes("number").columns
    return shown.style.format(
        lambda v: format_number(v, digits), subset=list(numeric)
    ).format_index(
        lambda v: format_number(v, digits) if isinstance(v, (int, float, np.number)) else v
    )
