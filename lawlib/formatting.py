"""Numbers for people: ``5.76e23``, ``0.3473``, ``1.1B`` (summaries, tables and the book's prose)."""

from __future__ import annotations

import math

import numpy as np


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
