"""The one result type every lawlib fitter returns.

Modeled on scipy's ``OptimizeResult`` (did it converge, and why it stopped),
statsmodels' results (``params``, ``bse``, ``cov_params()``, ``conf_int()``,
``aic``, ``bic``, ``predict``, ``resid`` and a ``summary()`` a person can read) and
lmfit (named parameters in natural units, parameters held fixed, a law object
that predicts, correlations in the report).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import uncertainty
from .errors import FitWarning, ValidationError
from .formatting import plain_exponents
from .law import Law

__all__ = ["FitResult", "FitWarning", "Summary"]

#: Correlations shown in a summary: pairs at least this strong (lmfit shows them the same way).
CORRELATION_SHOWN = 0.5


@dataclass(frozen=True, eq=False)
class FitResult:
    """Outcome of a lawlib fit.

    Attributes
    ----------
    model : str
        The fitted formula, e.g. ``"L = E + A * x^(-alpha)"``.
    params : pandas.Series
        Fitted parameters in natural units, indexed by name (fixed ones included).
    law : Law
        The law built from `params`; ``law(*inputs)`` predicts.
    objective : float
        Final objective value; `objective_definition` states it exactly.
    objective_definition : str
        What was minimized, in words.
    converged : bool
        Whether the optimizer met its stopping test and the fit is a result
        (closed forms: True; exponents that came out <= 0: False).
    message : str
        Why the optimizer stopped.
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
        Cautions and remarks in plain words (cautions are also raised as
        :class:`FitWarning`).
    engine : str
        The optimizer that actually ran.
    nfev, nit : int
        Function evaluations and iterations of the final local run (0 for closed forms).
    data : DataFrame
        The data fitted, one row per residual: the law's inputs and the observed values.
    inputs : tuple of str
        Columns of `data` holding the law's inputs, in the order of ``law.inputs``.
    observed : str
        Column of `data` holding the observed values.
    residual : {"log", "raw"}
        How :attr:`resid` is measured: ``log(observed) - log(predicted)`` or the difference.
    delta : float
        Huber threshold of the objective on those residuals (``inf``: least squares).
    weights : ndarray, shape (n_obs,), optional
        Weight of each run's term in the objective.
    fixed : dict
        Parameters held at a given value, not fitted.
    tied : dict
        Parameters that take another's value (``{"beta": "alpha"}``).
    groups : str, optional
        Column of `data` whose groups were fitted separately (one block of the
        covariance, and one noise scale, each).
    constraints : tuple of tuple of str
        Sets of parameters whose sum the fit held fixed (a gauge).
    bootstrap : BootstrapResult, optional
        A bootstrap of this fit (:meth:`with_bootstrap`): intervals then come from it.
    """

    model: str
    params: pd.Series
    law: Law
    objective: float
    objective_definition: str
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
    delta: float = np.inf
    weights: np.ndarray | None = None
    fixed: dict = field(default_factory=dict)
    tied: dict = field(default_factory=dict)
    groups: str | None = None
    constraints: tuple = ()
    bootstrap: Any = None

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
        delta: float = np.inf,
        weights=None,
        fixed: dict | None = None,
        tied: dict | None = None,
        groups: str | None = None,
        constraints=(),
        x=None,
        n_obs: int | None = None,
        exponents: Sequence[str] = (),
        stacklevel: int = 3,
        **extra,
    ):
        """The one way every lawlib fitter makes its result.

        Parameters
        ----------
        model : str
            The fitted formula.
        params : mapping or Series
            Fitted parameters in natural units (fixed ones included).
        law : Law
            The fitted law.
        objective : float
            Final objective value; `definition` says what it is.
        definition : str
        engine : str
            The optimizer that ran (shown in the summary).
        outcome : object, optional
            An optimizer's outcome with ``converged``, ``message``,
            ``start_values``, ``x``, ``nfev``, ``nit`` and ``notes``
            (:class:`lawlib.optimize.MultistartOutcome` or alike). Without it
            the fit is a closed form: converged, with `message`.
        converged : bool, optional
            The fitter's own verdict, combined (and) with the outcome's.
        message : str
            Why the fit stopped, where there is no `outcome`.
        settings : dict, optional
        derived : Series, optional
        notes : sequence of str
            What the fitter did that a reader should know (points left out,
            budgets skipped); kept in ``notes``.
        cautions : sequence of str
            Reasons to doubt the fit (suspicious runs): kept in ``notes`` and
            raised as :class:`FitWarning`.
        data, inputs, observed, residual, delta, weights, fixed, tied, groups, constraints
            What was fitted and how, for :meth:`predict`, :attr:`resid` and the
            standard errors.
        x : array_like, optional
            Restart point (default: ``outcome.x``, or empty).
        n_obs : int, optional
            Data points used (default: rows of `data`).
        exponents : sequence of str
            Parameters that must come out positive: an exponent <= 0 makes the
            fit fail (``converged=False``, with a note), whatever the optimizer said.
        stacklevel : int
        **extra
            Further fields of a subclass.

        Returns
        -------
        FitResult (or the subclass it is called on)

        Cautions, the optimizer's own (an optimum on a bound, tied optima) and
        non-convergence are raised once as :class:`FitWarning`; every note is
        kept in ``notes``, non-convergence first.
        """
        cautions = list(cautions)
        verdict = converged
        params = pd.Series(params, dtype=float)
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
        wrong = [name for name in exponents if not params[name] > 0]
        if wrong:
            converged = False
            message = "an exponent came out <= 0"
            listed = ", ".join(f"{name} = {params[name]:.3g}" for name in wrong)
            cautions.insert(
                0,
                f"the fit failed: {listed}; a law whose loss does not fall as the input grows is "
                "not a result (the runs do not identify it)",
            )
        elif not converged:
            cautions.insert(0, f"the optimizer did not converge: {message}")
        for caution in cautions:
            warnings.warn(caution, FitWarning, stacklevel=stacklevel)
        return cls(
            model=model,
            params=params,
            law=law,
            objective=float(objective),
            objective_definition=definition,
            converged=converged,
            message=message,
            start_objectives=starts,
            n_obs=int(len(data) if n_obs is None and data is not None else n_obs or 0),
            x=np.array([]) if x is None else np.asarray(x, dtype=float),
            settings={"Engine": engine, **(settings or {})},
            derived=pd.Series(dtype=float) if derived is None else derived,
            notes=cautions + list(notes),
            engine=engine,
            nfev=nfev,
            nit=nit,
            data=data,
            inputs=tuple(inputs),
            observed=observed,
            residual=residual,
            delta=float(delta),
            weights=None if weights is None else np.asarray(weights, dtype=float),
            fixed=dict(fixed or {}),
            tied=dict(tied or {}),
            groups=groups,
            constraints=tuple(tuple(c) for c in constraints),
            **extra,
        )

    # -- prediction and residuals ---------------------------------------------------------
    def _frame(self) -> pd.DataFrame:
        """The data fitted (a result without data can only be inspected)."""
        if self.data is None:
            raise ValidationError(["this result keeps no data; pass the inputs"], "the fit")
        return self.data

    def _columns(self) -> dict[str, str]:
        return dict(zip(self.law.inputs, self.inputs, strict=False))

    def _law_at(self, params: pd.Series):
        values = {**self.law.params.to_dict(), **params.to_dict()}
        for name, source in self.tied.items():
            values[name] = values[source]
        return type(self.law).from_params(values, check=False)

    def _evaluate(self, law, inputs):
        """`law` at `inputs`: nothing (the data fitted), one DataFrame, or one array per input."""
        if not inputs:
            return law.predict(self._frame(), columns=self._columns())
        if len(inputs) == 1 and isinstance(inputs[0], pd.DataFrame):
            frame = inputs[0]
            columns = self._columns()
            if not all(name in frame for name in columns.values()):
                columns = {}  # the law's own input names
            return law.predict(frame, columns=columns)
        return law.predict(*inputs)

    def _transform(self, values):
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.residual == "log" else values

    def _untransform(self, values):
        return np.exp(values) if self.residual == "log" else values

    def predict(self, *inputs, interval: bool | str = False, level: float = 0.95):
        """The fitted law at `inputs` (default: the data fitted), with an interval if asked.

        Parameters
        ----------
        *inputs : DataFrame, or array_like per input of the law
            Nothing: the data fitted. A DataFrame: its columns named as in the
            fit (or as the law's inputs, e.g. ``N`` and ``D``). Arrays: one per
            input, in the order of ``law.inputs``.
        interval : bool or {"prediction", "confidence"}
            ``True`` or ``"prediction"``: an interval for a new run's observed
            value (the parameters' uncertainty plus the noise of the runs);
            ``"confidence"``: for the law's value alone.
        level : float
            Coverage of the interval.

        Returns
        -------
        Series or ndarray (or what the law returns); with an interval, a
        DataFrame with columns ``predicted``, ``low`` and ``high``.
        """
        if self.data is None and not inputs:
            raise ValidationError(["this result keeps no data; pass the inputs"], "predict")
        predicted = self._evaluate(self.law, inputs)
        if not interval:
            return predicted
        if interval not in (True, "prediction", "confidence"):
            raise ValidationError(
                [f"interval must be True, 'prediction' or 'confidence', got {interval!r}"],
                "predict",
            )
        from .validation import check_options

        check_options("predict", level=level)
        unc = self.uncertainty
        working = uncertainty.to_working(unc.estimate, unc.log_scale)

        def at(point):
            trial = self.params.copy()
            trial[unc.names] = uncertainty.from_working(point, unc.log_scale)
            return self._transform(self._evaluate(self._law_at(trial), inputs)).ravel()

        center = self._transform(predicted).ravel()
        g = uncertainty.jacobian(at, working)
        variance = np.einsum("ij,jk,ik->i", g, unc.cov_working, g)
        sigma, dof = self._noise(inputs, center.size)
        if interval != "confidence":
            variance = variance + sigma**2
        half = stats.t.ppf(0.5 + level / 2, np.maximum(dof, 1)) * np.sqrt(variance)
        index = predicted.index if isinstance(predicted, pd.Series) else None
        frame = pd.DataFrame(
            {
                "predicted": np.asarray(predicted, dtype=float).ravel(),
                "low": self._untransform(center - half),
                "high": self._untransform(center + half),
            },
            index=index,
        )
        frame.attrs.update(
            level=level,
            kind="confidence" if interval == "confidence" else "prediction",
            method=unc.method,
        )
        return frame

    def _noise(self, inputs, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Residual scale and degrees of freedom for each predicted row (per group if grouped)."""
        unc = self.uncertainty
        key = self._prediction_group()
        if key is not None or self.groups is None or len(unc.sigma) == 1:
            key = key if key is not None else next(iter(unc.sigma))
            return np.full(size, unc.sigma[key]), np.full(size, unc.dof[key])
        frame = self._frame() if not inputs else inputs[0]
        labels = frame[self.groups]
        return (
            labels.map(unc.sigma).to_numpy(dtype=float),
            labels.map(unc.dof).to_numpy(dtype=float),
        )

    def _prediction_group(self):
        """The block whose noise a prediction carries, when it is always the same (else None)."""
        return None

    @property
    def resid(self) -> pd.Series:
        """Residuals on the data fitted, observed minus predicted (in logs when the fit is in logs)."""
        observed = self._frame()[self.observed].to_numpy(dtype=float)
        predicted = np.asarray(self.predict(), dtype=float)
        values = self._transform(observed) - self._transform(predicted)
        name = "log residual" if self.residual == "log" else "residual"
        return pd.Series(values, index=self._frame().index, name=name)

    def _residual_vector(self, params: pd.Series) -> np.ndarray:
        """Residuals at other parameters (for the standard errors)."""
        observed = self._transform(self._frame()[self.observed].to_numpy(dtype=float))
        predicted = self._evaluate(self._law_at(params), ())
        return observed - self._transform(predicted)

    def _residual_groups(self):
        return None if self.groups is None else self._frame()[self.groups].to_numpy()

    # -- uncertainty ----------------------------------------------------------------------
    @property
    def free(self) -> list[str]:
        """Parameters that were fitted (not held fixed, not tied to another)."""
        return [n for n in self.params.index if n not in self.fixed and n not in self.tied]

    @cached_property
    def uncertainty(self) -> uncertainty.Uncertainty:
        """The asymptotic covariance and residual scales (:mod:`lawlib.uncertainty`)."""
        self._frame()
        free = self.free
        log_scale = np.array([self.law.is_log_param(name) for name in free], dtype=np.bool_)
        return uncertainty.estimate(
            self._residual_vector,
            self.params,
            free,
            log_scale,
            delta=self.delta,
            weights=self.weights,
            groups=self._residual_groups(),
            constraints=self.constraints,
        )

    def cov_params(self) -> pd.DataFrame:
        """Asymptotic covariance of the fitted parameters, in natural units (delta method)."""
        unc = self.uncertainty
        return pd.DataFrame(unc.cov_natural(), index=unc.names, columns=unc.names)

    def corr_params(self) -> pd.DataFrame:
        """Correlations of the fitted parameters (in working coordinates: logs for scales)."""
        unc = self.uncertainty
        se = np.sqrt(np.diag(unc.cov_working))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = unc.cov_working / np.outer(se, se)
        return pd.DataFrame(corr, index=unc.names, columns=unc.names)

    @property
    def bse(self) -> pd.Series:
        """Standard errors in natural units: asymptotic, or from the bootstrap when one is attached."""
        if self.bootstrap is not None:
            return self.bootstrap.se().reindex(self.params.index).fillna(0.0).rename("std err")
        unc = self.uncertainty
        values = pd.Series(np.sqrt(np.diag(unc.cov_natural())), index=unc.names)
        return values.reindex(self.params.index).fillna(0.0).rename("std err")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Two-sided ``1 - alpha`` intervals of every parameter.

        Asymptotic t intervals in working coordinates (scales in logs, so their
        intervals are positive), or percentile intervals of the attached
        bootstrap (then derived quantities too); ``attrs["method"]`` says which.
        Fixed parameters get an interval of one point.

        Parameters
        ----------
        alpha : float
            One minus the coverage (0.05: 95% intervals).

        Returns
        -------
        DataFrame indexed by quantity with columns ``low`` and ``high``.
        """
        from .validation import check_options

        check_options("conf_int", alpha=alpha)
        if self.bootstrap is not None:
            frame = self.bootstrap.interval(1 - alpha)
            frame.attrs.update(
                method=f"bootstrap percentile, {self.bootstrap.n_resamples:,} resamples",
                level=1 - alpha,
            )
            return frame
        unc = self.uncertainty
        bounds = pd.DataFrame(unc.intervals(alpha), index=unc.names, columns=["low", "high"])
        for name, value in self.fixed.items():
            bounds.loc[name] = (value, value)
        for name, source in self.tied.items():
            bounds.loc[name] = bounds.loc[source]
        frame = bounds.reindex(self.params.index)
        frame.index.name = "quantity"
        frame.attrs.update(method=f"{unc.method}, t intervals", level=1 - alpha)
        return frame

    @property
    def llf(self) -> float:
        """Log-likelihood under the fit's noise model (see :mod:`lawlib.uncertainty`)."""
        return self.uncertainty.llf

    @property
    def n_estimated(self) -> int:
        """Parameters estimated: the free ones and one noise scale per block."""
        return len(self.free) + self.uncertainty.n_scale

    @property
    def aic(self) -> float:
        """Akaike's criterion, ``2 k - 2 llf`` (k: :attr:`n_estimated`); NaN for weighted fits."""
        return 2 * self.n_estimated - 2 * self.llf

    @property
    def bic(self) -> float:
        """Schwarz's criterion, ``k log n - 2 llf``; NaN for weighted fits."""
        return self.n_estimated * np.log(self.uncertainty.n_residuals) - 2 * self.llf

    def with_bootstrap(self, bootstrap) -> FitResult:
        """This result with `bootstrap` attached: :meth:`conf_int` and :attr:`bse` then use it.

        Parameters
        ----------
        bootstrap : BootstrapResult
            A bootstrap of this fit (:func:`lawlib.bootstrap_parametric` and alike).

        Returns
        -------
        FitResult
        """
        return replace(self, bootstrap=bootstrap)

    # -- reports --------------------------------------------------------------------------
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

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """Parameters and derived quantities with standard errors and intervals, as a DataFrame.

        Parameters
        ----------
        alpha : float
            One minus the coverage of the intervals.

        Returns
        -------
        DataFrame indexed by quantity with columns ``estimate``, ``std err``,
        ``low``, ``high`` and ``fixed``; ``attrs`` carry ``converged``,
        ``notes``, ``level`` and the interval ``method``.
        """
        frame = pd.concat([self.params, self.derived]).rename("estimate").to_frame()
        frame.index.name = "quantity"
        try:
            bounds, se = self.conf_int(alpha), self.bse
        except ValidationError:  # a result without data: estimates alone
            bounds = pd.DataFrame(columns=["low", "high"], dtype=float)
            se = pd.Series(dtype=float)
        frame["std err"] = se.reindex(frame.index)
        frame = frame.join(bounds[["low", "high"]])
        frame["fixed"] = [name in self.fixed for name in frame.index]
        for name, source in self.tied.items():
            frame.loc[name, "std err"] = frame.loc[source, "std err"]
        frame.attrs.update(
            converged=self.converged,
            notes=list(self.notes),
            level=1 - alpha,
            method=bounds.attrs.get("method", ""),
        )
        return frame

    def _correlations(self) -> list[str]:
        try:
            corr = self.corr_params()
        except ValidationError:
            return []
        pairs = []
        names = list(corr.index)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                value = corr.loc[a, b]
                if np.isfinite(value) and abs(value) >= CORRELATION_SHOWN:
                    pairs.append((abs(value), f"{a} ~ {b}: {value:+.3f}"))
        return [text for _, text in sorted(pairs, reverse=True)[:12]]

    def summary(self, alpha: float = 0.05) -> Summary:
        """A readable report: header, parameters with standard errors and intervals, correlations, notes.

        Parameters
        ----------
        alpha : float
            One minus the coverage of the intervals.

        Returns
        -------
        Summary
        """
        spread = self.start_spread
        header = [
            ("Model", self.model),
            ("Observations", str(self.n_obs)),
            ("Objective", f"{self.objective:.6g}"),
            ("Definition", self.objective_definition),
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
        table = self.to_frame(alpha)
        if table.attrs.get("method"):
            header.append(("Intervals", f"{1 - alpha:.0%}: {table.attrs['method']}"))
        try:
            if np.isfinite(self.aic):
                header.append(("AIC, BIC", f"{self.aic:.6g}, {self.bic:.6g}"))
            notes = list(self.notes) + self.uncertainty.notes
        except ValidationError:
            notes = list(self.notes)
        if self.fixed:
            header.append(
                (
                    "Held fixed",
                    ", ".join(f"{k} = {_format_setting(float(v))}" for k, v in self.fixed.items()),
                )
            )
        if self.tied:
            header.append(("Tied", ", ".join(f"{k} = {v}" for k, v in self.tied.items())))
        return Summary(
            title=f"{type(self.law).__name__} fit",
            header=header,
            table=table,
            notes=notes,
            correlations=self._correlations(),
        )

    def report(
        self,
        *,
        checkpoints: str | None = None,
        parameters: str | None = None,
        compute: str | None = None,
        loss_unit: str | None = None,
    ):
        """The reporting checklist filled in for this fit (text with ``str()``, or ``.as_dict()``).

        What the fit knows (form, objective, optimizer, starts, convergence,
        the points and their range, the intervals' method) is filled in from
        the result; what only its author knows is taken from the arguments and
        marked ``NOT STATED`` when they are not given.

        Parameters
        ----------
        checkpoints : str, optional
            Which checkpoints were fitted ("the final one of each run", ...).
        parameters : str, optional
            How parameters were counted ("non-embedding", "all, tied head", ...).
        compute : str, optional
            How compute was counted (default: the fit's FLOPs per token, when it has one).
        loss_unit : str, optional
            The loss's unit ("nats/token", "bits/byte", ...).

        Returns
        -------
        lawlib.checklist.Report

        References
        ----------
        Li et al. (2025), the reporting checklist; derived in the chapter *How fits go wrong*.
        """
        from .checklist import NOT_STATED, Report, ranges, stated

        if self.n_starts:
            spread = self.start_spread
            starts = (
                f"{self.n_starts} starts; final objectives from {spread['min']:.4g} to "
                f"{spread['max']:.4g}"
            )
        else:
            starts = "none needed (closed form)"
        per_token = self.settings.get("FLOPs per token")
        counted = f"C = {_format_setting(per_token)} N D" if per_token is not None else None
        method = self.to_frame().attrs.get("method")
        items = {
            "form": self.model,
            "objective": self.objective_definition,
            "optimizer": self.engine,
            "initialization": starts,
            "converged": f"{'yes' if self.converged else 'NO'} ({self.message})",
            "data": (
                f"{NOT_STATED}: which checkpoints ({self.n_obs} points)"
                if checkpoints is None
                else f"{self.n_obs} points; checkpoints: {checkpoints}"
            ),
            "range": ranges(self.data, [*self.inputs, self.observed]),
            "parameters": stated(parameters),
            "compute": stated(compute if compute is not None else counted),
            "loss_unit": stated(loss_unit),
            "uncertainty": method or "none computed (standard errors need a fit with noise)",
        }
        return Report(subject=f"{type(self.law).__name__} fit", items=items)

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        state = "converged" if self.converged else "NOT converged"
        return f"<FitResult {self.model}: {values}; objective {self.objective:.4g}, {state}>"


def _six_digits(value) -> str:
    """Six significant digits; blank where a quantity has no value (an interval not computed)."""
    return "" if not np.isfinite(value) else plain_exponents(f"{value:.6g}")


def _format_setting(value) -> str:
    if isinstance(value, float):
        return plain_exponents(f"{value:g}")
    return str(value)


@dataclass(frozen=True, eq=False, repr=False)
class Summary:
    """Printable report of a fit; ``str()`` gives text, notebooks show HTML.

    Attributes
    ----------
    title : str
    header : list of (str, str)
    table : DataFrame
        From :meth:`FitResult.to_frame`.
    notes : list of str
    correlations : list of str
        Pairs of parameters whose estimates are strongly correlated.
    """

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    notes: list[str]
    correlations: list[str] = field(default_factory=list)

    def _table_for_display(self) -> pd.DataFrame:
        table = self.table.copy()
        level = table.attrs.get("level")
        fixed = table.pop("fixed") if "fixed" in table else None
        if level is not None and "low" in table:
            pct = (1 - level) / 2 * 100
            table = table.rename(columns={"low": f"low {pct:g}%", "high": f"high {100 - pct:g}%"})
        shown = table.map(_six_digits)
        if fixed is not None and fixed.any():
            shown[""] = np.where(fixed, "fixed", "")
        return shown

    def as_text(self) -> str:
        """The report as plain text."""
        width = 78
        key_width = max(len(key) for key, _ in self.header)
        lines = [self.title.center(width), "=" * width]
        lines += [f"{key:<{key_width}}  {value}" for key, value in self.header]
        lines.append("-" * width)
        lines.append(self._table_for_display().to_string())
        if self.correlations:
            lines.append("-" * width)
            lines.append(f"Correlations (|r| >= {CORRELATION_SHOWN}; scales in logs):")
            lines += [f"  {pair}" for pair in self.correlations]
        if self.notes:
            lines.append("-" * width)
            lines.append("Notes:")
            lines += [f"[{i}] {note}" for i, note in enumerate(self.notes, start=1)]
        lines.append("=" * width)
        return "\n".join(lines)

    def as_html(self) -> str:
        """The report as an HTML fragment: the estimates and notes, then the fit's settings in a
        collapsed ``<details>`` block."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.header
        )
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        pairs = "".join(f"<li>{html.escape(pair)}</li>" for pair in self.correlations)
        table = self._table_for_display().to_html()
        # the estimates and the notes in view; how the fit was run (engine, starts, objective,
        # correlations) one click away
        return (
            f"<div class='lawlib-summary'><strong>{html.escape(self.title)}</strong>{table}"
            + (f"<p>Notes:</p><ol>{notes}</ol>" if notes else "")
            + "<details><summary>How it was fitted</summary>"
            f"<table>{rows}</table>"
            + (
                f"<p>Correlations (|r| &ge; {CORRELATION_SHOWN}; scales in logs):</p><ul>{pairs}</ul>"
                if pairs
                else ""
            )
            + "</details></div>"
        )

    def __str__(self) -> str:
        return self.as_text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.as_html()
