"""Numbers for readers: a chapter's key numbers as a small JSON file, and numbers formatted for people."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np


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
    raise TypeError(
        f"key number of type {type(value).__name__} cannot be written as JSON: {value!r}"
    )


def write_key_numbers(path: str | Path | None, numbers: Mapping) -> dict:
    """Write `numbers` as sorted, indented JSON to `path` (skip when `path` is None or empty).

    Parameters
    ----------
    path : str, Path or None
        Where to write; parent folders are created.
    numbers : mapping
        Names to numbers, strings, booleans, lists or nested mappings.

    Returns
    -------
    dict
        The numbers as plain Python types, as written.

    Examples
    --------
    >>> write_key_numbers(None, {"alpha": np.float64(0.34), "n": np.int64(240)})
    {'alpha': 0.34, 'n': 240}
    """
    plain = _plain(numbers)
    if path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(plain, indent=2, sort_keys=True) + "\n")
    return plain


def format_number(value, digits: int = 4) -> str:
    """A number for people: fixed notation between 1e-3 and 1e6, else ``5.76e23``.

    Parameters
    ----------
    value : float or None
    digits : int
        Significant digits.

    Returns
    -------
    str

    Examples
    --------
    >>> [format_number(v) for v in (5.76e23, 0.3473, 1817.2, 2.0, 1.2e-5, float("nan"))]
    ['5.76e23', '0.3473', '1817', '2', '1.2e-5', '']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    value = float(value)
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


_COUNT_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_count(value, digits: int = 2) -> str:
    """A count of parameters, tokens or samples as people write it: ``100M``, ``1.1B``, ``14T``.

    Parameters
    ----------
    value : float
    digits : int

    Returns
    -------
    str

    Examples
    --------
    >>> [format_count(v) for v in (1.005e8, 1.097e9, 1.4e12, 6.9e9, 512, 3.2e4)]
    ['100M', '1.1B', '1.4T', '6.9B', '512', '32k']
    """
    value = float(value)
    scale, suffix = next(((s, x) for s, x in _COUNT_SUFFIXES if abs(value) >= s), (1.0, ""))
    scaled = value / scale
    if abs(scaled) >= 10**digits:  # 100M, not 1e+02M
        return f"{scaled:.0f}{suffix}"
    return f"{scaled:.{digits}g}{suffix}"


#: MIME prefix under which a glued value is stored without being shown (myst-nb's convention).
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value, fmt: str | None = None) -> str:
    """Store `value` so that the chapter's text can quote it as ``{glue}`name```.

    The same record as myst-nb's ``glue(name, value, display=False)``, written
    without importing myst-nb (a lab needs only lawlib, papermill and a
    kernel). Outside a notebook it only returns the text.

    Parameters
    ----------
    name : str
        Key quoted in the text; unique within a chapter.
    value : object
        A number (formatted by `fmt`, else by :func:`lawlib.report.format_number`) or text.
    fmt : str, optional
        A format specification, e.g. ``".3f"`` or ``",.0f"``, or ``"count"``
        for :func:`lawlib.report.format_count` (``1.1B``).

    Returns
    -------
    str
        The text the page shows.

    Examples
    --------
    >>> glue("objective", 1.0182740178e-3, ".4e")
    '1.0183e-03'
    >>> glue("runs", 240)
    '240'
    >>> glue("switch", 1.005e8, "count")
    '100M'
    """
    if fmt == "count":
        text = format_count(value)
    elif fmt is not None:
        text = format(value, fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        text = format_number(value)
    else:
        text = str(value)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return text
    if get_ipython() is not None:
        display(
            {GLUE_PREFIX + "text/plain": text},
            raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
        )
    return text
