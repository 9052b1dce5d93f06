"""The one result type every lawlib fitter returns.

Modelled on scipy's ``OptimizeResult`` (did it converge, and why it stopped),
statsmodels (a ``summary()`` a person can read) and lmfit (named parameters in
natural units, and a model object that predicts).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


class FitWarning(UserWarning):
    """A fit finished but its optimum deserves doubt (on a bound, or tied with another)."""


class Objective(float):
    """A fit's final objective value that also carries its exact definition.

    Behaves as a float; ``.definition`` says what was minimised.

    Examples
    --------
    >>> obj = Objective(1.5e-3, "Huber loss (delta = 0.001) of log residuals, summed over 240 points")
    >>> float(obj), obj.definition.startswith("Huber")
    (0.0015, True)
    """

    definition: str

    def __new__(cls, value: float, definition: str):
        obj = super().__new__(cls, value)
        obj.definition = definition
        return obj


@dataclass(frozen=True, eq=False)
class FitResult:
    """Outcome of a lawlib fit.

    Attributes
    ----------
    model : str
        The fitted formula, e.g. ``"L = E + A * x^(-alpha)"``.
    params : pandas.Series
        Fitted parameters in natural units, indexed by name.
    law : object
        A law object built from `params`; call or use it to predict.
    objective : Objective
        Final objective value; ``objective.definition`` states it exactly.
    converged : bool
        Whether the optimiser met its stopping test (closed forms: True).
    message : str
        Why the optimiser stopped.
    start_objectives : ndarray, shape (n_starts,)
        Final objective reached from every start (empty for closed forms).
    n_obs : int
        Number of data points used.
    x : ndarray
        Optimum in the optimiser's internal parameterisation (for restarts).
    settings : dict
        The recipe: every knob that changes the answer, as used.
    derived : pandas.Series
        Quantities computed from the parameters (may be empty).
    notes : list of str
        Cautions in plain words.
    """

    model: str
    params: pd.Series
    law: object
    objective: Objective
    converged: bool
    message: str
    start_objectives: np.ndarray
    n_obs: int
    x: np.ndarray
    settings: dict = field(default_factory=dict)
    derived: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    notes: list[str] = field(default_factory=list)

    @property
    def n_starts(self) -> int:
        """Number of starting points tried."""
        return int(np.size(self.start_objectives))

    @property
    def start_spread(self) -> pd.Series:
        """Min, median and max of the final objectives over starts."""
        values = np.asarray(self.start_objectives, dtype=float)
        if values.size == 0:
            return pd.Series({"min": np.nan, "median": np.nan, "max": np.nan})
        return pd.Series({"min": values.min(), "median": np.median(values), "max": values.max()})

    def to_frame(self, intervals: pd.DataFrame | None = None) -> pd.DataFrame:
        """Parameters and derived quantities as a DataFrame.

        Parameters
        ----------
        intervals : DataFrame, optional
            From :meth:`lawlib.BootstrapResult.interval`: adds ``low`` and ``high``.

        Returns
        -------
        DataFrame indexed by quantity with column ``estimate`` (and ``low``, ``high``).
        """
        frame = pd.concat([self.params, self.derived]).rename("estimate").to_frame()
        frame.index.name = "quantity"
        if intervals is not None:
            frame = frame.join(intervals[["low", "high"]])
        return frame

    def summary(self, intervals: pd.DataFrame | None = None) -> Summary:
        """A readable report: header, parameter table, derived quantities, notes."""
        spread = self.start_spread
        header = [
            ("Model", self.model),
            ("Observations", str(self.n_obs)),
            ("Objective", f"{float(self.objective):.6g}"),
            ("Definition", self.objective.definition),
            ("Converged", f"{'yes' if self.converged else 'NO'} ({self.message})"),
        ]
        if self.n_starts:
            header.append(
                (
                    "Starts",
                    (
                        f"{self.n_starts}; final objectives min {spread['min']:.4g}, "
                        f"median {spread['median']:.4g}, max {spread['max']:.4g}"
                    ),
                )
            )
        header += [(key, _format_setting(value)) for key, value in self.settings.items()]
        return Summary(
            title=f"{type(self.law).__name__} fit",
            header=header,
            table=self.to_frame(intervals),
            notes=self.notes,
            level=None if intervals is None else intervals.attrs.get("level"),
        )

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        state = "converged" if self.converged else "NOT converged"
        return f"<FitResult {self.model}: {values}; objective {float(self.objective):.4g}, {state}>"


def _six_digits(value) -> str:
    """Six significant digits; blank where a quantity has no value (an interval not computed)."""
    return "" if np.isnan(value) else f"{value:.6g}"


def _format_setting(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True, eq=False, repr=False)
class Summary:
    """Printable report of a fit; ``str()`` gives text, notebooks show HTML."""

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    notes: list[str]
    level: float | None = None

    def _table_for_display(self) -> pd.DataFrame:
        table = self.table.copy()
        if self.level is not None and "low" in table:
            pct = (1 - self.level) / 2 * 100
            table = table.rename(columns={"low": f"low {pct:g}%", "high": f"high {100 - pct:g}%"})
        return table

    def as_text(self) -> str:
        """The report as plain text."""
        width = 78
        key_width = max(len(key) for key, _ in self.header)
        lines = [self.title.center(width), "=" * width]
        lines += [f"{key:<{key_width}}  {value}" for key, value in self.header]
        lines.append("-" * width)
        lines.append(self._table_for_display().to_string(float_format=_six_digits, na_rep=""))
        if self.notes:
            lines.append("-" * width)
            lines.append("Notes:")
            lines += [f"[{i}] {note}" for i, note in enumerate(self.notes, start=1)]
        lines.append("=" * width)
        return "\n".join(lines)

    def as_html(self) -> str:
        """The report as an HTML fragment."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.header
        )
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        table = self._table_for_display().to_html(float_format=_six_digits, na_rep="")
        return (
            f"<div class='lawlib-summary'><strong>{html.escape(self.title)}</strong>"
            f"<table>{rows}</table>{table}"
            + (f"<p>Notes:</p><ol>{notes}</ol>" if notes else "")
            + "</div>"
        )

    def __str__(self) -> str:
        return self.as_text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.as_html()
