"""Input checks that run before any fitting.

Every check raises :class:`ValueError` with a message that names the column,
how many values are wrong, and the first offending row, so that a lab sees one
plain sentence instead of an optimiser traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def _row_label(values, position: int):
    """Label of the row at `position`: the pandas index label if there is one."""
    if isinstance(values, pd.Series):
        return values.index[position]
    return position


def as_column(name: str, values) -> np.ndarray:
    """Return `values` as a 1-D float array, or raise naming the column.

    Parameters
    ----------
    name : str
        Column name used in error messages.
    values : array_like, shape (n,)
        Numbers to check.
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"column {name!r} must hold numbers: {err}") from None
    if array.ndim != 1:
        raise ValueError(f"column {name!r} must be one-dimensional, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"column {name!r}: {int(bad.sum())} of {array.size} values are NaN or infinite; "
            f"first at row {_row_label(values, first)!r}: {float(array[first])}"
        )
    return array


def check_columns(
    columns: Mapping[str, object],
    *,
    positive: tuple[str, ...] = (),
    n_params: int | None = None,
    model: str = "the model",
) -> dict[str, np.ndarray]:
    """Check named columns for a fit and return them as float arrays.

    Parameters
    ----------
    columns : mapping of str to array_like, each shape (n,)
        The fit's inputs, keyed by the names a user knows them by.
    positive : tuple of str
        Columns whose values must all be strictly positive.
    n_params : int, optional
        Number of free parameters; the fit needs more rows than this.
    model : str
        Name of the model, for the error message about too few rows.

    Returns
    -------
    dict of str to ndarray, shape (n,)

    Examples
    --------
    >>> check_columns({"x": [1, 2], "y": [3, -4]}, positive=("y",))
    Traceback (most recent call last):
    ...
    ValueError: column 'y': 1 of 2 values are not positive; first at row 1: -4.0
    """
    arrays = {name: as_column(name, values) for name, values in columns.items()}
    lengths = {name: array.size for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {size}" for name, size in lengths.items())
        raise ValueError(f"columns have different lengths: {listed} rows")
    for name in positive:
        bad = arrays[name] <= 0
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column {name!r}: {int(bad.sum())} of {bad.size} values are not positive; "
                f"first at row {_row_label(columns[name], first)!r}: {float(arrays[name][first])}"
            )
    n_rows = next(iter(lengths.values()), 0)
    if n_params is not None and n_rows <= n_params:
        raise ValueError(
            f"{n_rows} rows are too few for {model} with {n_params} parameters: "
            f"need at least {n_params + 1}"
        )
    return arrays
