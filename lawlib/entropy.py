"""Entropy of token streams, and training-free mixtures from it.

Plug-in estimates with the Miller-Madow bias correction, on equal-size samples
per domain (the bias depends on the sample size, so only equal sizes compare).
Derived in the Part IV chapter *Training-free mixtures from entropy*.
"""

from __future__ import annotations

import ast
import re
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ValidationError

_WORD = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str, unit: str = "word") -> list:
    """Split text into tokens: ``"word"`` (lower-cased words and punctuation marks) or ``"byte"`` (UTF-8 bytes).

    Parameters
    ----------
    text : str
    unit : {"word", "byte"}

    Returns
    -------
    list

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).
    """
    if unit == "word":
        return _WORD.findall(text.lower())
    if unit == "byte":
        return list(text.encode("utf-8"))
    raise ValidationError([f"unit must be 'word' or 'byte', got {unit!r}"], "entropy")


def _codes(tokens) -> np.ndarray:
    tokens = list(tokens)
    if len(tokens) < 2:
        raise ValidationError([f"need at least 2 tokens, got {len(tokens)}"], "entropy")
    _, codes = np.unique(
        np.array(tokens, dtype=object if not isinstance(tokens[0], (int, np.integer)) else int),
        return_inverse=True,
    )
    return codes.ravel()


def _plugin(codes: np.ndarray):
    """Plug-in entropy [nats] of the symbols in `codes`, and the number of distinct symbols."""
    counts = np.bincount(codes)
    counts = counts[counts > 0]
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum()), counts.size


def _convert(value: float, base: float) -> float:
    return float(value / np.log(base))


def unigram_entropy(tokens, *, correction: bool = True, base: float = 2.0) -> float:
    """Shannon entropy H(X) of the token distribution.

    Parameters
    ----------
    tokens : sequence of hashable
    correction : bool
        Add the Miller-Madow term ``(K - 1) / (2N)`` (K distinct tokens seen, N tokens).
    base : float
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        In units of log `base`.

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).

    Examples
    --------
    >>> round(unigram_entropy(list("abcd") * 1000, correction=False), 10)
    2.0
    """
    codes = _codes(tokens)
    h, k = _plugin(codes)
    return _convert(h + ((k - 1) / (2 * codes.size) if correction else 0.0), base)


def _pairs(codes: np.ndarray) -> np.ndarray:
    return codes[:-1] * (codes.max() + 1) + codes[1:]


def joint_entropy(tokens, *, correction: bool = True, base: float = 2.0) -> float:
    """Entropy H(X_t, X_t+1) of adjacent pairs (N - 1 pairs), with optional Miller-Madow correction.

    Parameters
    ----------
    tokens : sequence of hashable
    correction : bool
        Add the Miller-Madow term.
    base : float

    Returns
    -------
    float

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).
    """
    codes = _codes(tokens)
    h, k = _plugin(_pairs(codes))
    return _convert(h + ((k - 1) / (2 * (codes.size - 1)) if correction else 0.0), base)


def conditional_entropy(tokens, *, correction: bool = True, base: float = 2.0) -> float:
    """Conditional entropy H(X_t+1 | X_t) = H(pairs) - H(first elements), on the same N - 1 positions.

    The Miller-Madow correction of both terms gives ``(K_pairs - K_first) / (2 (N - 1))``.
    A deterministic successor gives exactly 0 (before correction).

    Parameters
    ----------
    tokens : sequence of hashable
    correction : bool
    base : float

    Returns
    -------
    float

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).

    Examples
    --------
    >>> conditional_entropy(list("abcd") * 1000, correction=False)
    0.0
    """
    codes = _codes(tokens)
    h_pairs, k_pairs = _plugin(_pairs(codes))
    h_first, k_first = _plugin(codes[:-1])
    value = max(h_pairs - h_first, 0.0)
    if correction:
        value += (k_pairs - k_first) / (2 * (codes.size - 1))
    return _convert(value, base)


def domain_entropies(
    texts: Mapping[str, str] | Mapping[str, Sequence],
    *,
    n_tokens: int,
    unit: str = "word",
    base: float = 2.0,
) -> pd.DataFrame:
    """Unigram, joint and conditional entropies of each domain on its first `n_tokens` tokens.

    Parameters
    ----------
    texts : mapping of domain name to text (or to a token sequence)
    n_tokens : int
        Equal sample size for every domain; a domain with fewer tokens is an error.
    unit : {"word", "byte"}
        Tokenisation of texts (see :func:`tokenize`).
    base : float

    Returns
    -------
    DataFrame indexed by domain with columns ``unigram``, ``joint``, ``conditional``
    (Miller-Madow corrected), the same with suffix ``_plugin``, and ``distinct``.

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).
    """
    rows = {}
    for name, text in texts.items():
        tokens = tokenize(text, unit) if isinstance(text, str) else list(text)
        if len(tokens) < n_tokens:
            raise ValidationError(
                [f"domain {name!r} has {len(tokens)} tokens, fewer than n_tokens = {n_tokens}"],
                "entropy",
            )
        sample = tokens[:n_tokens]
        rows[name] = {
            "unigram": unigram_entropy(sample, base=base),
            "joint": joint_entropy(sample, base=base),
            "conditional": conditional_entropy(sample, base=base),
            "unigram_plugin": unigram_entropy(sample, correction=False, base=base),
            "joint_plugin": joint_entropy(sample, correction=False, base=base),
            "conditional_plugin": conditional_entropy(sample, correction=False, base=base),
            "distinct": len(set(sample)),
        }
    frame = pd.DataFrame(rows).T
    frame.index.name = "domain"
    return frame


def entropy_mixture(entropies, mapping: str = "softmax", temperature: float = 1.0) -> pd.Series:
    """Turn per-domain entropies into mixing proportions.

    - ``"softmax"`` (the default, as published): ``r_i = exp(H_i / T) / sum_j exp(H_j / T)``
      with H in **nats** and T = 1 (Ge et al. 2024, Eq. 13; their CE mixture uses the
      bigram conditional entropy of GPT-NeoX tokens). The result depends on the units
      of H (pass nats) and on T.
    - ``"linear"``: ``r_i = H_i / sum_j H_j``, an alternative some secondary
      descriptions of the paper give; it does not depend on the units.

    Parameters
    ----------
    entropies : Series or mapping of domain to entropy
        Per-domain entropies, in nats for the softmax (which depends only on
        their differences, so entropies relative to a reference will do).
    mapping : {"softmax", "linear"}
    temperature : float
        T of the softmax (1 as published).

    Returns
    -------
    Series of proportions summing to 1, indexed by domain.

    References
    ----------
    C. Ge et al. (2024), eq. 13 (the softmax of conditional entropies in nats).

    Examples
    --------
    >>> H = {"code": 2.791, "docs": 2.662, "chat": 1.995, "kjv": 3.019}  # nats
    >>> entropy_mixture(H).round(4).tolist()
    [0.2788, 0.2451, 0.1258, 0.3503]
    >>> entropy_mixture(H, "linear").round(4).tolist()
    [0.2666, 0.2543, 0.1906, 0.2884]
    """
    values = pd.Series(entropies, dtype=float)
    if not np.isfinite(values).all():
        raise ValidationError([f"entropies must be finite, got {values.to_dict()}"], "entropy")
    if mapping == "linear":
        if (values < 0).any():
            raise ValidationError(
                [f"the linear map needs non-negative entropies, got {values.to_dict()}"], "entropy"
            )
        if values.sum() <= 0:
            raise ValidationError(["entropies sum to 0: the linear map is undefined"], "entropy")
        weights = values
    elif mapping == "softmax":
        if temperature <= 0:
            raise ValidationError([f"temperature must be positive, got {temperature!r}"], "entropy")
        weights = np.exp((values - values.max()) / temperature)
    else:
        raise ValidationError(
            [f"mapping must be 'linear' or 'softmax', got {mapping!r}"], "entropy"
        )
    return (weights / weights.sum()).rename("proportion")


def python_corpora() -> dict[str, str]:
    """Four text domains that ship with CPython itself, so they are available offline everywhere.

    - ``code``: the standard library's ``*.py`` sources (top-level package files, sorted);
    - ``docstrings``: the docstrings of those modules, functions and classes;
    - ``reference``: the language reference behind ``help()`` (``pydoc_data.topics``);
    - ``changelog``: IDLE's change notes (``idlelib/NEWS.txt``, ``NEWS2x.txt``, ``HISTORY.txt``).

    Returns
    -------
    dict of domain name to text (contents depend on the Python version).

    References
    ----------
    C. E. Shannon (1948), "A Mathematical Theory of Communication"; G. A. Miller (1955),
    "Note on the bias of information estimates" (the correction); C. Ge et al. (2024), sec. 6
    (entropy as a proxy for a domain's mixing proportion).
    """
    from pydoc_data.topics import topics

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources = sorted(p for p in stdlib.glob("*.py"))
    code = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sources)
    docstrings = []
    for path in sources:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if doc:
                    docstrings.append(doc)
    changelog = "\n".join(
        (stdlib / "idlelib" / name).read_text(encoding="utf-8", errors="replace")
        for name in ("NEWS.txt", "NEWS2x.txt", "HISTORY.txt")
        if (stdlib / "idlelib" / name).exists()
    )
    return {
        "code": code,
        "docstrings": "\n".join(docstrings),
        "reference": "\n".join(topics[k] for k in sorted(topics)),
        "changelog": changelog,
    }
