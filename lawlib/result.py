"""The one result type every lawlib fitter returns.

Modelled on scipy's ``OptimizeResult`` (did it converge, and why it stopped),
statsmodels (a ``summary()`` a person can read) and lmfit (named parameters in
natural units, and a model object that predicts).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
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
        The optimum in the coordinates the fitter's ``starts=`` takes, so that
        ``starts=fit.x`` restarts there (empty for fitters without starts).
    settings : dict
        The recipe: every knob that changes the answer, as used.
    derived : pandas.Series
        Quantities computed from the parameters (may be empty).
    notes : list of str
        Cautions in plain words (also raised as :class:`FitWarning`).
    engine : str
        The optimiser that actually ran.
    nfev, nit : int
        Function evaluations and iterations of the final local run (0 for closed forms).
    data : DataFrame
        The data fitted: the law's inputs and the observed values.
    inputs : tuple of str
        Columns of `data` the law takes, in order (``law(*data[inputs])``).
    observed : str
        Column of `data` holding the observed values.
    residual : {"log", "raw"}
        How :attr:`resid` is measured: ``log(observed) - log(predicted)`` or the difference.
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
    engine: str = "closed form"
    nfev: int = 0
    nit: int = 0
    data: pd.DataFrame | None = None
    inputs: tuple[str, ...] = ()
    observed: str = ""
    residual: str = "log"

    @classmethod
    def build(
        cls,
        *,
        model: str,
        params,
        law,
        objective: float,
        definition: str,
        engine: str,
        outcome=None,
        converged: bool | None = None,
        message: str = "closed form",
        settings: dict | None = None,
        derived=None,
        notes: Sequence[str] = (),
        cautions: Sequence[str] = (),
        data: pd.DataFrame | None = None,
        inputs: Sequence[str] = (),
        observed: str = "",
        residual: str = "log",
        x=None,
        n_obs: int | None = None,
        stacklevel: int = 3,
        **extra,
    ):
        """The one way every lawlib fitter makes its result.

        Parameters
        ----------
        model : str
            The fitted formula.
        params : mapping or Series
            Fitted parameters in natural units.
        law : object
            The fitted law.
        objective : float
            Final objective value; `definition` says what it is.
        definition : str
        engine : str
            The optimiser that ran (shown in the summary).
        outcome : object, optional
            An optimiser's outcome with ``converged``, ``message``,
            ``start_values``, ``x``, ``nfev``, ``nit`` and ``notes``
            (:class:`lawlib.optimize.MultistartOutcome` or alike). Without it
            the fit is a closed form: converged, with `message`.
        converged : bool, optional
            The fitter's own verdict, combined (and) with the outcome's.
        message : str
            Why the fit stopped, where there is no `outcome`.
        notes : sequence of str
            What the fitter did that a reader should know (points left out,
            budgets skipped); kept in ``notes``.
        cautions : sequence of str
            Reasons to doubt the fit (suspicious runs): kept in ``notes`` and
            raised as :class:`FitWarning`.
        data, inputs, observed, residual
            What was fitted, for :meth:`predict` and :attr:`resid`.
        x : array_like, optional
            Restart point (default: ``outcome.x``, or empty).
        n_obs : int, optional
            Data points used (default: rows of `data`).
        **extra
            Further fields of a subclass.

        Cautions, the optimiser's own (an optimum on a bound, tied optima) and
        non-convergence are raised once as :class:`FitWarning`; every note is
        kept in ``notes``, non-convergence first.
        """
        cautions = list(cautions)
        verdict = converged
        if outcome is None:
            converged, nfev, nit, starts = True, 0, 0, np.array([])
        else:
            converged, message = bool(outcome.converged), str(outcome.message)
            nfev, nit = int(outcome.nfev), int(outcome.nit)
            starts = np.asarray(outcome.start_values, dtype=float)
            cautions += list(outcome.notes)
            if x is None:
                x = outcome.x
        if verdict is not None:  # the fitter's own verdict, e.g. per-domain fits
            converged = converged and verdict
        if not converged:
            cautions.insert(0, f"the optimiser did not converge: {message}")
        for caution in cautions:
            warnings.warn(caution, FitWarning, stacklevel=stacklevel)
        notes = cautions + list(notes)
        return cls(
            model=model,
            params=pd.Series(params, dtype=float),
            law=law,
            objective=Objective(objective, definition),
            converged=converged,
            message=message,
            start_objectives=starts,
            n_obs=int(len(data) if n_obs is None else n_obs),
            x=np.array([]) if x is None else np.asarray(x, dtype=float),
            settings={"Engine": engine, **(settings or {})},
            derived=pd.Series(dtype=float) if derived is None else derived,
            notes=notes,
            engine=engine,
            nfev=nfev,
            nit=nit,
            data=data,
            inputs=tuple(inputs),
            observed=observed,
            residual=residual,
            **extra,
        )

    def predict(self, data: pd.DataFrame | None = None):
        """The fitted law at the rows of `data` (default: the data fitted).

        Parameters
        ----------
        data : DataFrame, optional
            Holds the columns named in ``inputs``.

        Returns
        -------
        Series (indexed like `data`) or what the law returns.
        """
        data = self.data if data is None else data
        if data is None or not self.inputs:
            raise ValueError("this result keeps no inputs to predict from; call the law directly")
        missing = [name for name in self.inputs if name not in data]
        if missing:
            raise ValueError(f"predict needs the columns {', '.join(missing)}")
        values = self.law(*(data[name].to_numpy(dtype=float) for name in self.inputs))
        if isinstance(values, np.ndarray) and values.ndim == 1:
            return pd.Series(values, index=data.index, name=f"predicted {self.observed}")
        return values

    @property
    def resid(self) -> pd.Series:
        """Residuals on the data fitted, observed minus predicted (in logs when the fit is in logs)."""
        observed = self.data[self.observed]
        predicted = self.predict()
        if self.residual == "log":
            return (np.log(observed) - np.log(predicted)).rename("log residual")
        return (observed - predicted).rename("residual")

    def conf_int(self, bootstrap, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals of every parameter from `bootstrap` (a :class:`lawlib.BootstrapResult`).

        Returns
        -------
        DataFrame indexed by quantity with columns ``low`` and ``high``.
        """
        return bootstrap.interval(level)

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
        DataFrame indexed by quantity with column ``estimate`` (and ``low``,
        ``high``); ``attrs["converged"]`` and ``attrs["notes"]`` carry the
        fit's state and cautions.
        """
        frame = pd.concat([self.params, self.derived]).rename("estimate").to_frame()
        frame.index.name = "quantity"
        if intervals is not None:
            frame = frame.join(intervals[["low", "high"]])
        frame.attrs.update(converged=self.converged, notes=list(self.notes))
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
