"""The error and warning types of lawlib (plain Python: the command line imports them cheaply)."""

from __future__ import annotations

from collections.abc import Iterable


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
