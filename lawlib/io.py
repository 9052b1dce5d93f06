"""Reading a CSV of your own runs, with one clear message for every way a file can be wrong.

Used by the templates and the command line. Paths are taken as given:
absolute, or relative to the working directory.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .validation import ValidationError


def read_runs(path, sep: str = ",") -> pd.DataFrame:
    """Read a runs CSV; rows are labeled by their line number in the file (header = line 1).

    Parameters
    ----------
    path : str or Path
        The file, absolute or relative to the working directory.
    sep : str
        Column separator (``";"`` for files written with a decimal comma).

    Returns
    -------
    DataFrame indexed by line number.

    Raises
    ------
    ValidationError
        Naming the file: missing, a directory, empty, unreadable, or with one
        column that holds another separator.
    """
    path = Path(path)
    shown = str(path)

    def fail(problem: str):
        raise ValidationError([problem], f"file {shown}")

    if not path.exists():
        fail(f"no such file (looked in {Path.cwd()})" if not path.is_absolute() else "no such file")
    if path.is_dir():
        fail("is a directory, not a CSV file")
    try:
        frame = pd.read_csv(path, sep=sep)
    except pd.errors.EmptyDataError:
        fail("is empty: expected a header line and one line per run")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        fail(f"cannot be read as CSV with separator {sep!r}: {str(err).strip()}")
    if frame.empty:
        fail("has a header but no runs")
    if frame.shape[1] == 1:
        header = str(frame.columns[0])
        other = next((s for s in (";", "\t", ",", "|") if s != sep and s in header), None)
        if other is not None:
            fail(
                f"has one column {header!r}: it looks separated by {other!r}; "
                f"pass --sep {other!r} (or sep={other!r})"
            )
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame
