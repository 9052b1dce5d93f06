"""The error and warning types of lawlib (plain Python: the command line imports them cheaply)."""

from __future__ import annotations

import re
from collections.abc import Iterable


def listing(names: Iterable[object], limit: int = 12) -> str:
    """Names joined by commas for a message, the first `limit` of them and a count of the rest.

    Parameters
    ----------
    names : iterable
        Column names, domains or other labels.
    limit : int
        How many to show.

    Returns
    -------
    str

    Examples
    --------
    >>> listing(["N", "D", "loss"])
    'N, D, loss'
    >>> listing(range(20), limit=3)
    '0, 1, 2 and 17 more'
    """
    texts = [str(name) for name in names]
    shown = ", ".join(texts[:limit])
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")


_DOMAIN_NOTE = re.compile(r"^(?P<head>domain '(?P<domain>[^']+)': )(?P<rest>.*)$")


def collapse_notes(notes) -> list[str]:
    """Notes of one kind said once: the same remark for many domains becomes one line with a count.

    Parameters
    ----------
    notes : iterable of str

    Returns
    -------
    list of str

    Examples
    --------
    >>> collapse_notes(["domain 'web': 2 missing losses", "domain 'code': 5 missing losses"])
    ["2 domains (web, code), for example 'web': 2 missing losses"]
    """
    shown: list[str] = []
    kinds: dict[str, list[tuple[str, str]]] = {}
    for note in notes:
        found = _DOMAIN_NOTE.match(note)
        if not found:
            if note not in shown:
                shown.append(note)
            continue
        domain = found["domain"]
        key = re.sub(r"\d+(\.\d+)?", "#", found["rest"].replace(domain, "<domain>"))
        kinds.setdefault(key, []).append((domain, found["rest"]))
    for _, items in kinds.items():
        if len(items) == 1:
            shown.append(f"domain {items[0][0]!r}: {items[0][1]}")
        else:
            domains = ", ".join(d for d, _ in items[:8]) + (" ..." if len(items) > 8 else "")
            shown.append(
                f"{len(items)} domains ({domains}), for example {items[0][0]!r}: {items[0][1]}"
            )
    return shown


class ValidationError(ValueError):
    """Every problem found in an input, raised before any fitting.

    Attributes
    ----------
    problems : list of str
        One plain sentence per problem.
    subject : str
        What was checked ("the runs", "parameter 'budget'").

    Examples
    --------
    >>> err = ValidationError(["column 'N': 2 values are not positive"], "the runs")
    >>> str(err)
    "the runs: column 'N': 2 values are not positive"
    >>> err.problems
    ["column 'N': 2 values are not positive"]
    """

    def __init__(self, problems: Iterable[str], subject: str = "the runs"):
        self.problems = list(problems)
        self.subject = subject
        super().__init__(self._one_line())

    def __reduce__(self):
        return (type(self), (self.problems, self.subject))

    def _one_line(self) -> str:
        if len(self.problems) == 1:
            return f"{self.subject}: {self.problems[0]}"
        listed = "; ".join(f"({i}) {p}" for i, p in enumerate(self.problems, start=1))
        return f"{len(self.problems)} problems with {self.subject}: {listed}"

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        if len(self.problems) == 1:
            return [f"Stopped: {self}"]
        return [f"Stopped: {self.subject} cannot be used yet:"] + [
            f"  - {problem}" for problem in self.problems
        ]


class FitWarning(UserWarning):
    """A fit finished but its result deserves doubt (on a bound, tied optima, suspicious runs)."""
