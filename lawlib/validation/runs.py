"""Checks of runs tables: the columns a fitter takes, and the tidy N, D, C, loss table.

The one convention for column arguments: a fitter's data arguments (``N``,
``D``, ``loss``, ...) take arrays, or, with ``data=frame``, the names of the
frame's columns. Messages name each column as the user knows it: by its
column name, a Series' name, or else the role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..errors import ValidationError, listing
from .values import number_problems

#: A fitter's data argument: an array, or the name of a column of its ``data`` frame.
Column: TypeAlias = ArrayLike | str


def take_columns(
    data: pd.DataFrame | None, given: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, str]]:
    """The columns a fitter works on: from `data` by name, or the arrays given.

    Parameters
    ----------
    data : DataFrame or None
        With a frame, each value of `given` names one of its columns
        (pandas in: ``fit_power_law("C", "loss", data=runs)``).
    given : mapping of role to column name or array_like

    Returns
    -------
    columns : dict of role to array_like
    names : dict of role to str
        How each column is named in messages and results.

    Examples
    --------
    >>> frame = pd.DataFrame({"params": [1.0], "val_loss": [2.0]})
    >>> take_columns(frame, {"x": "params", "loss": "val_loss"})[1]
    {'x': 'params', 'loss': 'val_loss'}
    """
    if data is None:
        names = {
            role: value.name
            if isinstance(value, pd.Series) and isinstance(value.name, str)
            else role
            for role, value in given.items()
        }
        if len(set(names.values())) < len(names):  # two Series of one name: name them by role
            names = {role: role for role in given}
        return dict(given), names
    if not isinstance(data, pd.DataFrame):
        raise ValidationError([f"data must be a DataFrame, got {type(data).__name__}"])
    missing = [
        repr(value) for value in given.values() if not isinstance(value, str) or value not in data
    ]
    if missing:
        listed = listing(data.columns)
        raise ValidationError([f"no column {', '.join(missing)} in the data; it has {listed}"])
    return {role: data[column] for role, column in given.items()}, {
        role: str(column) for role, column in given.items()
    }


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
        listed = listing(frame.columns)
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
    return runs[["N", "D", "C", "loss"]].astype(np.float64)


def check_weights(weights, data: pd.DataFrame | None, n: int, where: str) -> np.ndarray | None:
    """A fit's ``weights=`` as an array of n positive numbers (or None).

    Parameters
    ----------
    weights : array_like, str or None
        One weight per run, or (with `data`) the name of a column holding them.
    data : DataFrame, optional
    n : int
        Runs fitted.
    where : str
        The fitter, for messages.

    Returns
    -------
    ndarray, shape (n,), or None
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        if data is None or weights not in data:
            raise ValidationError(
                [f"weights names column {weights!r}, which the data lacks"], where
            )
        values, problems = number_problems(weights, data[weights], positive=True)
    else:
        values, problems = number_problems("weights", weights, positive=True)
    if not problems and values.size != n:
        problems.append(f"weights has {values.size} entries for {n} runs")
    if problems:
        raise ValidationError(problems, where)
    return values
