"""Numbers for people: ``5.76e23``, ``0.3473``, ``1.1B`` (summaries, tables and the book's prose)."""

from __future__ import annotations

import math
import re

import numpy as np


def format_number(value, digits: int = 4) -> str:
    """A number for people: fixed notation between 1e-3 and 1e6, else ``5.76e23``.

    Whole numbers (integers) below 1e6 are shown exactly, with thousands separators from 10,000;
    other numbers from ``10**digits`` on are rounded to `digits` significant digits but written
    without an exponent (``15,860``).

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
    >>> [format_number(v) for v in (15857, 15857.4, 2022)]
    ['15,857', '15,860', '2022']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    exact = isinstance(value, (int, np.integer))
    value = float(value)
    if abs(value) >= 10**digits and abs(value) < 1e6:
        shown = value if exact else round(value, digits - 1 - math.floor(math.log10(abs(value))))
        return f"{shown:,.0f}" if abs(shown) >= 1e4 else f"{shown:.0f}"
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


#: An exponent as Python writes it (``1e+22``, ``2.5e-03``).
_EXPONENT = re.compile(r"(\d)e\+?(-?)0*(\d)")


def plain_exponents(text: str) -> str:
    """Python's exponents in `text` written as the book writes them: ``5.76e+23`` as ``5.76e23``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> plain_exponents("N_opt at 5.76e+23, tolerance 1e-03")
    'N_opt at 5.76e23, tolerance 1e-3'
    """
    return _EXPONENT.sub(r"\1e\2\3", text)


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
