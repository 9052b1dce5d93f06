"""One record per number a chapter reports: the text the prose quotes and the value the tests read.

A chapter calls :func:`record` once per number. The record is glued (the page
quotes it as ``{glue}`name```) and written, with every other record of the
chapter, to the key-numbers JSON file that the chapter tests read. A number
shown in the text and a number tested are then one and the same;
``tests/test_chapters.py`` checks that every glued name is recorded and every
record is shown or tested.

The file is the chapter's ``key_numbers_path`` lab parameter, set by
:func:`lawlib.book.check_lab`; without one, records are kept in memory only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..formatting import format_count, format_number, plain_exponents

#: MIME prefix under which a glued value is stored without being shown (myst-nb's convention).
GLUE_PREFIX = "application/papermill.record/"

_RECORDS: dict[str, object] = {}
_TARGET: list[Path | None] = [None]


def _plain(value):
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"a record of type {type(value).__name__} cannot be written as JSON: {value!r}")


def start(path: str | Path | None) -> None:
    """Begin a chapter's records: forget earlier ones, and write to `path` (None: keep in memory).

    Parameters
    ----------
    path : str, Path or None
        The key-numbers JSON file; parent folders are created.

    Returns
    -------
    None
    """
    _RECORDS.clear()
    _TARGET[0] = Path(path) if path else None
    if _TARGET[0] is not None:
        _TARGET[0].parent.mkdir(parents=True, exist_ok=True)
        _TARGET[0].write_text("{}\n")


def records() -> dict[str, object]:
    """The records made since :func:`start`, as plain Python values.

    Returns
    -------
    dict
    """
    return dict(_RECORDS)


def text(value, fmt: str | None = None) -> str:
    """The text a record shows: `value` formatted by `fmt`, a number by :func:`~lawlib.formatting.format_number`.

    Parameters
    ----------
    value : object
    fmt : str, optional
        A format specification (``".3f"``, ``",.0f"``), or ``"count"`` for
        :func:`lawlib.formatting.format_count` (``1.1B``).

    Returns
    -------
    str

    Examples
    --------
    >>> text(1.0182740178e-3, ".4e"), text(240), text(1.005e8, "count"), text(0.3473)
    ('1.0183e-3', '240', '100M', '0.3473')
    >>> text(1.296e22, ".1e")  # the book's exponents: no plus sign, no leading zero
    '1.3e22'
    """
    if fmt == "count":
        return format_count(value)
    if fmt is not None:
        return plain_exponents(format(value, fmt))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _glue(name: str, shown: str) -> None:
    """Store `shown` under `name` as myst-nb's ``glue(name, value, display=False)`` does."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(
            {GLUE_PREFIX + "text/plain": shown},
            raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
        )


def record(name: str, value, fmt: str | None = None):
    """Record one of the chapter's numbers: glued for the prose, written for the tests.

    Parameters
    ----------
    name : str
        The record's name, unique within the chapter (a cell run again
        replaces its records); the text quotes it as ``{glue}`name``` and the
        tests read it under the same name.
    value : object
        A number, a string, a boolean, or a list or mapping of them (lists and
        mappings are written for the tests but not glued).
    fmt : str, optional
        How the text shows it (see :func:`text`).

    Returns
    -------
    object
        `value` as a plain Python value (``np.float64`` becomes ``float``).

    Examples
    --------
    >>> start(None)
    >>> record("alpha", np.float64(0.3392), ".3f")
    0.3392
    >>> records()
    {'alpha': 0.3392}
    """
    plain = _plain(value)
    _RECORDS[name] = plain
    if not isinstance(plain, (dict, list)):
        _glue(name, text(value, fmt))
    if _TARGET[0] is not None:
        _TARGET[0].write_text(json.dumps(_RECORDS, indent=2, sort_keys=True) + "\n")
    return plain
