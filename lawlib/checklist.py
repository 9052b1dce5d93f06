"""The reporting checklist: what a scaling-law fit must state for another person to reproduce it.

After Li et al.'s survey of how scaling-law fits go wrong (ICLR 2025): the
functional form; the objective (which loss, its threshold, how residuals are
summed); the optimizer and its initialization; whether it converged; which
runs and checkpoints were fitted and over what range; how parameters and
compute were counted; the unit of the loss; and how uncertainty was measured.
:meth:`lawlib.FitResult.report` fills it in for a fit, ``lawlib check --report``
for a runs file. Derived in the chapter *How fits go wrong*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formatting import format_number

#: Each item of the checklist: its key and what it asks for.
CHECKLIST = {
    "form": "functional form",
    "objective": "objective (loss, threshold, reduction)",
    "optimizer": "optimizer",
    "initialization": "initialization",
    "converged": "converged",
    "data": "runs and checkpoints fitted",
    "range": "fitted range",
    "parameters": "how parameters are counted",
    "compute": "how compute is counted",
    "loss_unit": "unit of the loss",
    "uncertainty": "uncertainty",
}

#: The value of an item nobody stated.
NOT_STATED = "NOT STATED"


@dataclass(frozen=True)
class Report:
    """The checklist filled in for one fit or one runs file.

    Attributes
    ----------
    subject : str
        What was reported on (a law's fit, a file).
    items : dict of str to str
        Every key of :data:`CHECKLIST`, with its value in words.
    """

    subject: str
    items: dict[str, str]

    @property
    def missing(self) -> list[str]:
        """Keys of the items nobody stated (the ones a paper must add)."""
        return [key for key, value in self.items.items() if NOT_STATED in value]

    def as_dict(self) -> dict:
        """The report as plain data: subject, items and the missing keys.

        Returns
        -------
        dict
        """
        return {"subject": self.subject, "items": dict(self.items), "missing": self.missing}

    def as_text(self) -> str:
        """The report as aligned text, one item per line.

        Returns
        -------
        str
        """
        width = max(len(label) for label in CHECKLIST.values())
        lines = [f"Reporting checklist: {self.subject}"]
        lines += [f"  {CHECKLIST[key]:<{width}}  {value}" for key, value in self.items.items()]
        if self.missing:
            lines.append(f"  {len(self.missing)} of {len(self.items)} items not stated")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()


def ranges(data: pd.DataFrame, columns) -> str:
    """The range of each numeric column, as ``N 7.3e7 to 1.6e10; D ...``.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str

    Returns
    -------
    str
    """
    parts = []
    for column in columns:
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
        values = values[np.isfinite(values)]  # a column of labels (domains) has no range
        if values.size:
            low, high = format_number(values.min(), 3), format_number(values.max(), 3)
            parts.append(f"{column} {low} to {high}")
    return "; ".join(parts)


def stated(value, default: str = NOT_STATED) -> str:
    """`value` in words, or `default` when it is None.

    Parameters
    ----------
    value : str or None
    default : str

    Returns
    -------
    str
    """
    return default if value is None else str(value)
