"""Checks behind the analysis templates and the command line: your runs, in plain words.

The templates and ``lawlib fit`` read a CSV of your own training runs. Before
any fitting, :func:`check_runs` lists every problem it finds (which column,
which rows, what is wrong) so that a lab or a researcher sees one readable
report instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .data import DATA_DIR


class InvalidRuns(Exception):
    """Raised by :func:`require_valid`; shown in notebooks as its message alone, without a traceback."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"Stopped: {self}"]


def _rows(mask: np.ndarray, frame: pd.DataFrame, limit: int = 5) -> str:
    labels = [str(label) for label in frame.index[mask][:limit]]
    more = "" if mask.sum() <= limit else f" and {int(mask.sum()) - limit} more"
    return ", ".join(labels) + more


def check_runs(
    frame: pd.DataFrame, columns: dict[str, str | None], *, min_rows: int = 6
) -> tuple[pd.DataFrame, list[str]]:
    """Check the columns of a runs table and build the tidy table lawlib fits.

    Parameters
    ----------
    frame : DataFrame
        Your runs, as read from CSV (rows are reported by their CSV line numbers
        when the frame comes from :func:`read_runs`).
    columns : mapping
        Which column holds ``N`` (parameters), ``loss`` and either ``D``
        (tokens) or ``C`` (FLOPs; then D = C / (6 N)); map the unused one to None.
    min_rows : int
        Fewest usable rows.

    Returns
    -------
    runs : DataFrame with columns N, D, C, loss (empty if there are problems)
    problems : list of str, one plain sentence per problem (empty if none)
    """
    problems = []
    needed = {key: name for key, name in columns.items() if name}
    missing = [
        f"{key} (expected column {name!r})"
        for key, name in needed.items()
        if name not in frame.columns
    ]
    if missing:
        problems.append(
            f"missing columns: {', '.join(missing)}; the file has: {', '.join(map(str, frame.columns))}"
        )
        return pd.DataFrame(), problems
    if "N" not in needed or "loss" not in needed or not ({"D", "C"} & set(needed)):
        problems.append("name the columns for N (parameters), loss, and D (tokens) or C (FLOPs)")
        return pd.DataFrame(), problems
    values = {}
    for key, name in needed.items():
        numbers = pd.to_numeric(frame[name], errors="coerce")
        text = numbers.isna() & frame[name].notna()
        if text.any():
            problems.append(
                f"column {name!r} ({key}): {int(text.sum())} values are not numbers, in rows {_rows(text.to_numpy(), frame)}"
            )
        empty = frame[name].isna() | ~np.isfinite(numbers.fillna(0))
        if empty.any():
            problems.append(
                f"column {name!r} ({key}): {int(empty.sum())} values are missing or infinite, in rows {_rows(empty.to_numpy(), frame)}"
            )
        bad = numbers <= 0
        if bad.any():
            problems.append(
                f"column {name!r} ({key}): {int(bad.sum())} values are zero or negative, in rows {_rows(bad.to_numpy(), frame)}"
            )
        values[key] = numbers
    if len(frame) < min_rows:
        problems.append(f"only {len(frame)} runs; at least {min_rows} are needed")
    if problems:
        return pd.DataFrame(), problems
    runs = pd.DataFrame({"N": values["N"], "loss": values["loss"]}, index=frame.index)
    if "D" in values:
        runs["D"] = values["D"]
        runs["C"] = values["C"] if "C" in values else 6 * runs["N"] * runs["D"]
    else:
        runs["C"] = values["C"]
        runs["D"] = runs["C"] / (6 * runs["N"])
    return runs[["N", "D", "C", "loss"]], problems


def resolve(path) -> Path:
    """`path` as given if it exists (absolute, or relative to the working directory), else relative to the repository."""
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return DATA_DIR.parent / candidate


def read_runs(path) -> pd.DataFrame:
    """Read a runs CSV; rows are labelled by their line number in the file (header = line 1)."""
    frame = pd.read_csv(resolve(path))
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame


def require_valid(problems: list[str]) -> None:
    """Print the problems found, in plain words, and stop (raise :class:`InvalidRuns`) if there are any."""
    if problems:
        print("The runs file cannot be fitted yet:")
        for problem in problems:
            print(f"  - {problem}")
        raise InvalidRuns(f"{len(problems)} problem(s) in the runs file, listed above")
    print("The runs file passed every check.")
