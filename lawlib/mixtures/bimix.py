"""BiMix (Ge et al. 2024): each domain's loss as a function of its own proportion and the step.

``L_i(r_i, s) = A_i / r_i**alpha_i * (B_i / s**beta_i + C_i)``, fitted per domain.
Derived in the Part IV chapter *BiMix*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ..errors import ValidationError
from ..law import Law
from ..result import FitResult
from ..validation import check_mixture_runs, check_one_model
from .frames import (
    fitted_domains,
    flatten,
    long_to_wide,
    mixture_domains,
    proportions,
    unflatten,
    wide_to_long,
)

#: Bounds of the exponents in BiMix fits; log B and log C are unbounded (steps are scaled first).
EXPONENT_BOUNDS = (0.0, 5.0)


@dataclass(frozen=True, eq=False)
class BiMixLaw(Law):
    """``L_i(r_i, s) = A_i / r_i**alpha_i * (B_i / s**beta_i + C_i)``, in its identifiable form.

    Only ``A_i B_i`` and ``A_i C_i`` can be told apart from data (``(A, B, C)`` and
    ``(cA, B/c, C/c)`` give the same losses), so the law is stored with
    ``A_i = 1``: ``coefficients`` has columns ``alpha``, ``B`` (= A B), ``beta``,
    ``C`` (= A C), indexed by domain.

    Predicts in the wide form, ``law(mixture, steps)`` (a DataFrame with one
    column per domain), and in the long form, ``law(domain, proportion, step)``
    or ``law.predict(frame)`` with columns ``domain``, ``proportion`` and ``step``.

    Parameters
    ----------
    coefficients : DataFrame
        Per domain: alpha, B, beta and C, each >= 0.

    References
    ----------
    C. Ge et al. (2024), "BiMix: A Bivariate Data Mixing Law for Language Model
    Pretraining", eq. 4.

    Examples
    --------
    >>> law = BiMixLaw(pd.DataFrame({"alpha": [0.0541], "B": [446.7], "beta": [0.746], "C": [2.079]},
    ...                              index=pd.Index(["academic"], name="domain")))
    >>> round(law.loss({"academic": 0.25}, 3e4)["academic"].item(), 9)
    2.461035532
    >>> round(float(law("academic", 0.25, 3e4)[0]), 9)
    2.461035532
    """

    coefficients: pd.DataFrame

    inputs = ("domain", "proportion", "step")
    RULES: ClassVar[dict[str, str]] = {
        "alpha": "nonnegative",
        "B": "nonnegative",
        "beta": "nonnegative",
        "C": "nonnegative",
    }
    LOG_PARAMS = ("B", "C")

    @property
    def domains(self) -> list[str]:
        """The domains, in order."""
        return list(self.coefficients.index)

    @property
    def training_domains(self) -> list[str]:
        """The domains whose proportions the law takes (BiMix: every domain)."""
        return self.domains

    @property
    def validation_domains(self) -> list[str]:
        """The domains whose losses the law predicts (BiMix: every domain)."""
        return self.domains

    @property
    def params(self) -> pd.Series:
        """The constants as one Series, named ``alpha[<domain>]``, ``B[<domain>]``, ..."""
        return flatten(self.coefficients[["alpha", "B", "beta", "C"]])

    @classmethod
    def from_params(cls, params, *, check: bool = True) -> BiMixLaw:
        """The law from :attr:`params` (names ``alpha[<domain>]``, ``B[<domain>]``, ...).

        Parameters
        ----------
        params : mapping or Series
        check : bool

        Returns
        -------
        BiMixLaw
        """
        table = unflatten(params, ["alpha", "B", "beta", "C"]).rename_axis("domain")
        return cls(table) if check else cls.unchecked(coefficients=table)

    def scale(self, steps):
        """``K_i(s) = B_i s**-beta_i + C_i``: loss of domain i at s steps when r_i = 1; shape (..., M).

        Parameters
        ----------
        steps : array_like

        Returns
        -------
        ndarray
        """
        s = np.asarray(steps, dtype=float)[..., None]
        c = self.coefficients
        return c["B"].to_numpy() * s ** (-c["beta"].to_numpy()) + c["C"].to_numpy()

    def loss(self, mixture, steps) -> pd.DataFrame:
        """Per-domain losses for mixture(s) at step(s): a DataFrame with one column per domain.

        Parameters
        ----------
        mixture : mapping, Series, DataFrame (``p_<domain>`` columns) or array (..., M)
            Proportions, non-negative. A domain with r_i = 0 gets ``inf``: the law
            diverges as r_i -> 0 (and cannot describe a domain that is not trained on).
        steps : float or array broadcasting against the mixtures

        Returns
        -------
        DataFrame
        """
        r = np.atleast_2d(proportions(mixture, self.domains))
        if np.any(r < 0) or not np.isfinite(r).all():
            raise ValidationError(["proportions must be finite and >= 0"], "BiMixLaw")
        steps = _positive_steps(steps)
        with np.errstate(divide="ignore"):
            values = r ** (-self.coefficients["alpha"].to_numpy()) * self.scale(
                np.broadcast_to(steps, r.shape[:-1])
            )
        return pd.DataFrame(values, columns=self.domains)

    def evaluate(self, domain, proportion, step):
        """Long form: the loss of each row's domain at its proportion and step.

        Parameters
        ----------
        domain : array_like of str
        proportion, step : array_like

        Returns
        -------
        ndarray
        """
        domain = np.atleast_1d(np.asarray(domain, dtype=object))
        unknown = sorted({str(d) for d in domain} - set(map(str, self.domains)))
        if unknown:
            raise ValidationError(
                [
                    f"no coefficients for domain {', '.join(unknown)}; the law has {', '.join(self.domains)}"
                ],
                "BiMixLaw",
            )
        r = np.asarray(proportion, dtype=float)
        if np.any(r < 0) or not np.isfinite(r).all():
            raise ValidationError(["proportions must be finite and >= 0"], "BiMixLaw")
        s = _positive_steps(step)
        c = self.coefficients.loc[domain]
        with np.errstate(divide="ignore"):
            return r ** (-c["alpha"].to_numpy()) * (
                c["B"].to_numpy() * s ** (-c["beta"].to_numpy()) + c["C"].to_numpy()
            )

    def predict(self, *inputs, columns=None):
        """Wide or long predictions (see the class docstring).

        Parameters
        ----------
        *inputs : (mixture, steps), (domain, proportion, step) or one DataFrame
            A DataFrame with a domain and a proportion column is the long form;
            one with ``p_<domain>`` columns and a step column the wide form.
        columns : mapping, optional
            Column names for ``domain``, ``proportion`` and ``step``.

        Returns
        -------
        DataFrame (wide) or Series / ndarray (long)
        """
        names = {role: dict(columns or {}).get(role, role) for role in self.inputs}
        if len(inputs) == 1 and isinstance(inputs[0], pd.DataFrame):
            frame = inputs[0]
            if names["domain"] in frame and names["proportion"] in frame:
                return super().predict(frame, columns=names)
            if names["step"] not in frame:
                raise ValidationError(
                    [f"the wide form needs a step column {names['step']!r} and p_<domain> columns"],
                    "BiMixLaw.predict",
                )
            return self.loss(frame, frame[names["step"]].to_numpy(dtype=float))
        if len(inputs) == 2:
            return self.loss(*inputs)
        return super().predict(*inputs)


def _positive_steps(steps):
    values = np.asarray(steps, dtype=float)
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValidationError(["steps must be finite and > 0"], "BiMixLaw")
    return values


def _bimix_domain_fit(r, u, y):
    """Least squares for one domain in (alpha, log B, beta, log C), steps `u` scaled to order 1.

    Only the exponents are bounded (non-negative, at most 5); the best of 12 starts is kept.
    """

    def residual(theta):
        alpha, log_b, beta, log_c = theta
        return r ** (-alpha) * (np.exp(log_b) * u ** (-beta) + np.exp(log_c)) - y

    low, high = EXPONENT_BOUNDS
    lower, upper = [low, -np.inf, low, -np.inf], [high, np.inf, high, np.inf]
    spread = max(float(y.max() - y.min()), 1e-3 * float(y.min()))
    best = None
    for alpha, beta, share in itertools.product((0.05, 0.3), (0.3, 0.6, 1.0), (0.5, 2.0)):
        start = [alpha, np.log(share * spread), beta, np.log(max(y.min() - spread, 0.5 * y.min()))]
        run = least_squares(residual, start, bounds=(lower, upper), method="trf", x_scale="jac")
        if best is None or run.cost < best.cost:
            best = run
    return best


def _mixture_axis_fit(r, y):
    """Least squares for ``y = exp(log C) r**-alpha`` in (alpha, log C), from the log-log line.

    The straight line through (log r, log y) gives the start; alpha is bounded as in
    :func:`_bimix_domain_fit`.
    """
    slope, intercept = np.polyfit(np.log(r), np.log(y), 1)
    low, high = EXPONENT_BOUNDS
    start = [float(np.clip(-slope, low, high)), float(intercept)]

    def residual(theta):
        return np.exp(theta[1]) * r ** (-theta[0]) - y

    return least_squares(
        residual, start, bounds=([low, -np.inf], [high, np.inf]), method="trf", x_scale="jac"
    )


@dataclass(frozen=True, eq=False)
class BiMixResult(FitResult):
    """A :class:`FitResult` for BiMix with a per-domain table.

    ``data`` is the long form of the points fitted (one row per run, step and
    domain); each domain is a block of the covariance.

    Attributes
    ----------
    coefficients : DataFrame
        Per domain: alpha, B, beta, C (identifiable form), r_squared,
        mean_relative_error (on the fitted points), n_points, n_excluded.

    References
    ----------
    C. Ge et al. (2024), "BiMix: A Bivariate Data Mixing Law for Language Model Pretraining", eq. 4.
    """

    coefficients: pd.DataFrame = None


def _wide(data, *, step, run_column, mixture, domain, proportion, loss, model, pool_models):
    """The runs in wide form, checked for pooled model sizes; and the run column."""
    if not isinstance(data, pd.DataFrame):
        raise ValidationError([f"data must be a DataFrame, got {type(data).__name__}"], "fit_bimix")
    if model is not None or not pool_models:
        long = domain in data and proportion in data and not mixture_domains(data)
        if long:
            keys, ignore = [mixture, step, domain], [loss, proportion]
        else:
            keys = [c for c in data.columns if str(c).startswith("p_")] + [step]
            ignore = [c for c in data.columns if str(c).startswith("loss_")] + [run_column]
        if not pool_models:
            check_one_model(data, model=model, keys=[k for k in keys if k in data], ignore=ignore)
    if domain in data and proportion in data and not mixture_domains(data):
        return long_to_wide(
            data, mixture=mixture, domain=domain, proportion=proportion, step=step, loss=loss
        ), mixture
    return data, run_column


def fit_bimix(
    data: pd.DataFrame,
    *,
    domains=None,
    step: str = "step",
    run_column: str | None = "run_id",
    mixture: str = "mixture",
    domain: str = "domain",
    proportion: str = "proportion",
    loss: str = "loss",
    model: str | None = None,
    pool_models: bool = False,
    axes: str = "both",
) -> BiMixResult:
    """Fit BiMix per domain: ``L_i = r_i**-alpha_i (B_i s**-beta_i + C_i)`` by least squares.

    Each domain is fitted separately (the law is separable) with scipy's
    trust-region-reflective least squares from 12 starts, in the parameters
    (alpha, log B, beta, log C) with A_i = 1 (A_i alone is not identifiable).
    Steps are divided by their geometric mean before fitting and B converted
    back, so the answer does not depend on the unit of the steps (steps or
    tokens). Only the exponents are bounded, to [0, 5]; an exponent on a bound
    is a :class:`FitWarning` and a note, and one at 0 makes the fit fail (the
    domain's loss does not depend on its share, or on the step). Runs whose
    proportion of domain i is 0 cannot inform domain i (the law diverges
    there), and missing (NaN) losses carry no information: both are left out
    of that domain's fit, with a note saying how many.

    Parameters
    ----------
    data : DataFrame
        Wide form: columns ``p_<domain>``, ``loss_<domain>`` and `step`, one row
        per run and step. Or long form, one row per mixture, step and domain,
        with columns `mixture`, `domain`, `proportion`, `step` and `loss` (as
        released runs come; see :func:`lawlib.mixtures.long_to_wide`).
    domains : sequence of str, optional
        Domains to fit (default: every domain with a proportion and a loss).
        The proportions must still sum to 1 over all domains of the file.
    step : str
        Column of training steps (or tokens), any unit.
    run_column : str, optional
        Column naming runs in the wide form (also: reruns of one mixture).
    mixture, domain, proportion, loss : str
        Column names of the long form.
    model : str, optional
        Column holding model sizes: refused if it holds several (unless
        `pool_models`). Without it, any other column that tells apart runs of
        the same mixture at the same step is taken for model sizes and refused.
    pool_models : bool
        Fit runs of several model sizes together, on purpose.
    axes : {"both", "mixture"}
        ``"mixture"`` fits the mixture axis alone, ``L_i = C_i r_i**-alpha_i``,
        for runs that all end at one step (released final losses): the law is
        stored with ``B_i = beta_i = 0``, so ``C_i`` is domain i's loss at
        ``r_i = 1`` at that step, and it says nothing about other steps.

    Returns
    -------
    BiMixResult

    Raises
    ------
    ValidationError
        Bad values, pooled model sizes, or a domain whose runs all sit at one
        step or at one proportion (the law cannot learn that dependence), or
        fewer than 5 usable runs.

    References
    ----------
    C. Ge et al. (2024), eq. 4 and sec. 4 (the fit per domain).
    """
    frame, run_column = _wide(
        data,
        step=step,
        run_column=run_column,
        mixture=mixture,
        domain=domain,
        proportion=proportion,
        loss=loss,
        model=model,
        pool_models=pool_models,
    )
    if axes not in ("both", "mixture"):
        raise ValidationError([f"axes must be 'both' or 'mixture', got {axes!r}"], "fit_bimix")
    domains = fitted_domains(frame) if domains is None else list(domains)
    frame = check_mixture_runs(frame, domains, step=step, run_column=run_column, missing_loss=True)
    if axes == "mixture" and frame[step].nunique() > 1:
        raise ValidationError(
            [
                (
                    f"axes='mixture' fits runs at one step; these are at {frame[step].nunique()} "
                    f"steps (select one, e.g. the last: data[data[{step!r}] == data[{step!r}].max()])"
                )
            ],
            "fit_bimix",
        )
    scale = float(np.exp(np.mean(np.log(frame[step].to_numpy(dtype=float)))))
    long = wide_to_long(
        frame, domains, step=step, run_column=run_column if run_column in frame else None
    )
    rows, total, cautions, notes, problems, used_rows = [], 0.0, [], [], [], []
    for name in domains:
        part = long[long["domain"] == name]
        shares = part["proportion"].to_numpy()
        observed = part["loss"].to_numpy()
        missing = np.isnan(observed)
        use = (shares > 0) & ~missing
        excluded = int((shares <= 0).sum())
        if excluded:
            cautions.append(
                f"domain {name!r}: {excluded} of {len(frame)} rows (runs x steps) have p_{name} = 0 and are "
                "left out of its fit (BiMix diverges at r = 0)"
            )
        if missing.any():
            notes.append(
                f"domain {name!r}: {int(missing.sum())} missing (NaN) losses left out of its fit"
            )
        r, y = shares[use], observed[use]
        steps = part[step].to_numpy()[use]
        if y.size < 5:
            problems.append(
                f"domain {name!r}: only {y.size} runs with p_{name} > 0 and a loss; BiMix needs 5"
            )
            continue
        if axes == "both" and np.unique(steps).size == 1:
            problems.append(
                f"domain {name!r}: every run is at one step ({steps[0]:g}): BiMix cannot learn how "
                "the loss falls with steps; add checkpoints, fit the mixture axis alone "
                "(axes='mixture'), or fit the mixing law (fit_mixing_law)"
            )
            continue
        if np.unique(r).size == 1:
            problems.append(
                f"domain {name!r}: every run trains it at one proportion ({r[0]:g}): BiMix cannot "
                "learn how its loss depends on its share; add mixtures"
            )
            continue
        if axes == "mixture":
            run = _mixture_axis_fit(r, y)
            (alpha, log_c), log_b, beta = run.x, -np.inf, 0.0
        else:
            run = _bimix_domain_fit(r, steps / scale, y)
            alpha, log_b, beta, log_c = run.x
        for label, value in (("alpha", alpha), ("beta", beta))[: 2 if axes == "both" else 1]:
            if np.isclose(value, EXPONENT_BOUNDS, rtol=0, atol=1e-5).any():
                cautions.append(
                    f"domain {name!r}: {label} = {value:.4g} sits on its bound {EXPONENT_BOUNDS}"
                )
        predicted = y + run.fun
        rows.append(
            {
                "domain": name,
                "alpha": alpha,
                "B": np.exp(log_b) * scale**beta,
                "beta": beta,
                "C": np.exp(log_c),
                "r_squared": 1 - np.sum(run.fun**2) / np.sum((y - y.mean()) ** 2),
                "mean_relative_error": float(np.mean(np.abs(predicted / y - 1))),
                "n_points": int(y.size),
                "n_excluded": excluded + int(missing.sum()),
                "converged": bool(run.success),
            }
        )
        used_rows.append(part[use])
        total += 2 * run.cost
    if problems:
        raise ValidationError(problems)
    table = pd.DataFrame(rows).set_index("domain")
    law = BiMixLaw.from_fit(flatten(table[["alpha", "B", "beta", "C"]]))
    engine = "least_squares (trf) per domain, " + (
        "best of 12 starts" if axes == "both" else "from the log-log least-squares line"
    )
    failed = list(table.index[~table["converged"]])
    if axes == "mixture":
        notes.append(
            f"the mixture axis alone, at one step ({frame[step].iloc[0]:g}): B = beta = 0, and C_i "
            "is domain i's loss at r_i = 1 there; the law says nothing about other steps"
        )
    fitted = pd.concat(used_rows)
    fitted.columns = [step if c == step else c for c in fitted.columns]
    return BiMixResult.build(
        model=(
            "L_i = r_i^(-alpha_i) (B_i s^(-beta_i) + C_i)   (A_i = 1: only A B and A C are identifiable)"
            if axes == "both"
            else "L_i = C_i r_i^(-alpha_i)   (the mixture axis at one step: B_i = beta_i = 0)"
        ),
        params=law.params,
        law=law,
        objective=total,
        definition=f"sum over {len(domains)} domains of squared loss residuals",
        engine=engine,
        message=engine,
        converged=not failed,
        settings={
            "Step column": step,
            "Step scale (geometric mean)": scale,
            "Domains": ", ".join(domains),
            "Exponent bounds": str(EXPONENT_BOUNDS),
            "Axes": axes,
        },
        derived=table["r_squared"].rename(lambda d: f"r_squared[{d}]"),
        cautions=cautions
        + ([f"the fit did not converge for {', '.join(failed)}"] if failed else []),
        notes=notes,
        data=fitted,
        inputs=("domain", "proportion", step),
        observed="loss",
        residual="raw",
        groups="domain",
        exponents=[
            f"{p}[{d}]"
            for d in table.index
            for p in ("alpha", "beta")[: 2 if axes == "both" else 1]
        ],
        fixed={}
        if axes == "both"
        else {f"{p}[{d}]": 0.0 for d in table.index for p in ("B", "beta")},
        stacklevel=3,
        coefficients=table,
    )
