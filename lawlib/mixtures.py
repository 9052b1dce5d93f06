"""Data-mixture laws: BiMix (Ge et al. 2024) and the exponential mixing law (Ye et al. 2024).

A mixture gives each training domain a proportion r_i (summing to 1). Runs are
tidy frames with one column ``p_<domain>`` per proportion, a step column, and
one column ``loss_<domain>`` per validation domain. Derived in the Part IV
chapters *BiMix* and *Optimising the mixture*.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares

from .result import FitResult, FitWarning, Objective

#: How far the proportions of a run may sum from 1 before it is rejected.
SUM_TOLERANCE = 1e-3


def mixture_domains(frame: pd.DataFrame) -> list[str]:
    """Domains named by the ``p_<domain>`` columns of `frame`, in column order."""
    return [column[2:] for column in frame.columns if column.startswith("p_")]


def _run_label(frame: pd.DataFrame, position: int, run_column: str | None):
    if run_column is not None and run_column in frame:
        return f"run {frame[run_column].iloc[position]!r}"
    return f"row {frame.index[position]!r}"


def check_mixture_runs(
    frame: pd.DataFrame,
    domains,
    *,
    step: str | None = "step",
    run_column: str | None = "run_id",
    loss: bool = True,
) -> pd.DataFrame:
    """Check proportions, steps and losses of mixture runs; raise naming the run and the column.

    Proportions must be finite, non-negative and sum to 1 within
    :data:`SUM_TOLERANCE`; steps and losses must be positive.
    """
    missing = [f"p_{d}" for d in domains if f"p_{d}" not in frame] + [
        f"loss_{d}" for d in domains if loss and f"loss_{d}" not in frame
    ]
    if step is not None and step not in frame:
        missing.append(step)
    if missing:
        raise ValueError(
            f"unknown domains or missing columns: {', '.join(missing)}; "
            f"the frame has {', '.join(map(str, frame.columns))}"
        )
    proportions = frame[[f"p_{d}" for d in domains]].to_numpy(dtype=float)
    for index, domain in enumerate(domains):
        bad = ~np.isfinite(proportions[:, index]) | (proportions[:, index] < 0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column 'p_{domain}': {int(bad.sum())} proportions are negative or not finite; "
                f"first at {_run_label(frame, first, run_column)}: {proportions[first, index]}"
            )
    totals = proportions.sum(axis=1)
    off = np.abs(totals - 1) > SUM_TOLERANCE
    if off.any():
        first = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"proportions p_{'+p_'.join(domains)}: {int(off.sum())} runs do not sum to 1 "
            f"(tolerance {SUM_TOLERANCE}); first at {_run_label(frame, first, run_column)}: sum {totals[first]:.6g}"
        )
    positive = ([step] if step is not None else []) + (
        [f"loss_{d}" for d in domains] if loss else []
    )
    for column in positive:
        values = frame[column].to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column {column!r}: {int(bad.sum())} values are not positive and finite; "
                f"first at {_run_label(frame, first, run_column)}: {values[first]}"
            )
    return frame


def _proportions(mixture, domains) -> np.ndarray:
    """Mixture(s) as an array of shape (..., M) in the order of `domains`."""
    if isinstance(mixture, pd.DataFrame):
        return mixture[[f"p_{d}" if f"p_{d}" in mixture else d for d in domains]].to_numpy(
            dtype=float
        )
    if isinstance(mixture, (pd.Series, dict)):
        return np.array([mixture[d] for d in domains], dtype=float)
    return np.asarray(mixture, dtype=float)


@dataclass(frozen=True)
class BiMixLaw:
    """``L_i(r_i, s) = A_i / r_i**alpha_i * (B_i / s**beta_i + C_i)``, in its identifiable form.

    Only ``A_i B_i`` and ``A_i C_i`` can be told apart from data (``(A, B, C)`` and
    ``(cA, B/c, C/c)`` give the same losses), so the law is stored with
    ``A_i = 1``: ``coefficients`` has columns ``alpha``, ``B`` (= A B), ``beta``,
    ``C`` (= A C), indexed by domain.

    Examples
    --------
    >>> law = BiMixLaw(pd.DataFrame({"alpha": [0.0541], "B": [446.7], "beta": [0.746], "C": [2.079]},
    ...                              index=pd.Index(["academic"], name="domain")))
    >>> round(law.loss({"academic": 0.25}, 3e4)["academic"].item(), 9)
    2.461035532
    """

    coefficients: pd.DataFrame

    @property
    def domains(self) -> list[str]:
        """The domains, in order."""
        return list(self.coefficients.index)

    def scale(self, steps):
        """``K_i(s) = B_i s**-beta_i + C_i``: loss of domain i at s steps when r_i = 1; shape (..., M)."""
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
        """
        r = np.atleast_2d(_proportions(mixture, self.domains))
        if np.any(r < 0) or not np.isfinite(r).all():
            raise ValueError("BiMix needs proportions r_i >= 0 and finite")
        with np.errstate(divide="ignore"):
            values = r ** (-self.coefficients["alpha"].to_numpy()) * self.scale(
                np.broadcast_to(steps, r.shape[:-1])
            )
        return pd.DataFrame(values, columns=self.domains)


def _bimix_domain_fit(r, s, y):
    """Bounded least squares for one domain from several starts; returns (params, sse)."""

    def residual(theta):
        alpha, log_b, beta, log_c = theta
        return r ** (-alpha) * (np.exp(log_b) * s ** (-beta) + np.exp(log_c)) - y

    lower, upper = [0.0, -20.0, 0.0, -10.0], [2.0, 20.0, 3.0, 5.0]
    best = None
    for alpha, beta, log_b in itertools.product(
        (0.05, 0.3), (0.3, 0.6, 1.0), (np.log(5.0), np.log(500.0))
    ):
        start = np.clip([alpha, log_b, beta, np.log(y.min())], lower, upper)
        run = least_squares(residual, start, bounds=(lower, upper), method="trf", x_scale="jac")
        if best is None or run.cost < best.cost:
            best = run
    return best


@dataclass(frozen=True, eq=False)
class BiMixResult(FitResult):
    """A :class:`FitResult` for BiMix with a per-domain table.

    Attributes
    ----------
    coefficients : DataFrame
        Per domain: alpha, B, beta, C (identifiable form), r_squared,
        mean_relative_error (on the fitted points), n_points, n_excluded.
    """

    coefficients: pd.DataFrame = None

    def predict(self, mixture, steps) -> pd.DataFrame:
        """Per-domain losses predicted by the fitted law (see :meth:`BiMixLaw.loss`)."""
        return self.law.loss(mixture, steps)


def fit_bimix(
    frame: pd.DataFrame, *, domains=None, step: str = "step", run_column: str | None = "run_id"
) -> BiMixResult:
    """Fit BiMix per domain: ``L_i = r_i**-alpha_i (B_i s**-beta_i + C_i)`` by bounded least squares.

    Each domain is fitted separately (the law is separable) with scipy's
    trust-region-reflective least squares from 12 fixed starts, in the
    parameters (alpha, log B, beta, log C) with A_i = 1 (A_i alone is not
    identifiable). Runs whose proportion of domain i is 0 cannot inform domain
    i (the law diverges there); they are left out of that domain's fit with a
    :class:`FitWarning` saying how many.

    Parameters
    ----------
    frame : DataFrame
        Columns ``p_<domain>``, ``loss_<domain>`` and `step`.
    domains : sequence of str, optional
        Default: every domain with a ``p_`` column.
    step : str
        Column of training steps (or tokens).
    run_column : str, optional
        Column naming runs, used in error messages.

    Returns
    -------
    BiMixResult
    """
    domains = mixture_domains(frame) if domains is None else list(domains)
    check_mixture_runs(frame, domains, step=step, run_column=run_column)
    rows, total = [], 0.0
    for domain in domains:
        use = frame[f"p_{domain}"].to_numpy(dtype=float) > 0
        excluded = int((~use).sum())
        if excluded:
            warnings.warn(
                f"domain {domain!r}: {excluded} of {len(frame)} runs have p_{domain} = 0 and are left out "
                "of its fit (BiMix diverges at r = 0)",
                FitWarning,
                stacklevel=2,
            )
        r = frame.loc[use, f"p_{domain}"].to_numpy(dtype=float)
        s = frame.loc[use, step].to_numpy(dtype=float)
        y = frame.loc[use, f"loss_{domain}"].to_numpy(dtype=float)
        if y.size < 5:
            raise ValueError(
                f"domain {domain!r}: only {y.size} runs with p_{domain} > 0; BiMix needs at least 5"
            )
        run = _bimix_domain_fit(r, s, y)
        alpha, log_b, beta, log_c = run.x
        predicted = y + run.fun
        rows.append(
            {
                "domain": domain,
                "alpha": alpha,
                "B": np.exp(log_b),
                "beta": beta,
                "C": np.exp(log_c),
                "r_squared": 1 - np.sum(run.fun**2) / np.sum((y - y.mean()) ** 2),
                "mean_relative_error": float(np.mean(np.abs(predicted / y - 1))),
                "n_points": int(y.size),
                "n_excluded": excluded,
                "converged": bool(run.success),
            }
        )
        total += 2 * run.cost
    table = pd.DataFrame(rows).set_index("domain")
    law = BiMixLaw(table[["alpha", "B", "beta", "C"]])
    params = pd.Series(
        {
            f"{name}[{domain}]": table.loc[domain, name]
            for domain in domains
            for name in ("alpha", "B", "beta", "C")
        }
    )
    converged = bool(table["converged"].all())
    notes = (
        []
        if converged
        else [f"the fit did not converge for {', '.join(table.index[~table['converged']])}"]
    )
    return BiMixResult(
        model="L_i = r_i^(-alpha_i) (B_i s^(-beta_i) + C_i)   (A_i = 1: only A B and A C are identifiable)",
        params=params,
        law=law,
        objective=Objective(total, f"sum over {len(domains)} domains of squared loss residuals"),
        converged=converged,
        message="least_squares (trf) per domain, best of 12 starts",
        start_objectives=np.array([]),
        n_obs=int(table["n_points"].sum()),
        x=params.to_numpy(),
        settings={"Step column": step, "Domains": ", ".join(domains)},
        derived=table["r_squared"].rename(lambda d: f"r_squared[{d}]"),
        notes=notes,
        coefficients=table,
    )


def optimize_mixture(law: BiMixLaw, steps: float, weights=None) -> pd.Series:
    """Proportions on the simplex minimising ``sum_i w_i L_i(r_i, s)`` under BiMix, from the Lagrange conditions.

    Stationarity gives ``r_i(lam) = (w_i alpha_i K_i(s) / lam)**(1 / (1 + alpha_i))``;
    the multiplier lam solves ``sum_i r_i(lam) = 1`` (one-dimensional root finding).

    Parameters
    ----------
    law : BiMixLaw
    steps : float
        Target training steps.
    weights : mapping or array, optional
        Weight of each domain's loss (default 1 each).

    Returns
    -------
    Series indexed by domain; ``attrs["objective"]`` holds the weighted loss at the optimum.
    """
    alpha = law.coefficients["alpha"].to_numpy()
    if np.any(alpha <= 0):
        raise ValueError(
            "optimize_mixture needs every alpha_i > 0 (a domain with alpha = 0 does not depend on r)"
        )
    w = np.ones(len(alpha)) if weights is None else _proportions(weights, law.domains)
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError(f"weights must be non-negative and not all zero, got {w}")
    pull = w * alpha * law.scale(steps)

    def excess(log_lam):
        return np.sum((pull / np.exp(log_lam)) ** (1 / (1 + alpha))) - 1

    low, high = -50.0, 50.0
    log_lam = brentq(excess, low, high, xtol=1e-14, rtol=1e-15, maxiter=500)
    r = (pull / np.exp(log_lam)) ** (1 / (1 + alpha))
    r = r / r.sum()
    result = pd.Series(r, index=law.domains, name="proportion")
    result.attrs["objective"] = float(np.sum(w * law.loss(r, steps).to_numpy()[0]))
    return result


@dataclass(frozen=True)
class MixingLaw:
    """Ye et al. (2024): ``L_i(r) = c_i + k_i exp(sum_j t_ij r_j)``.

    ``c`` and ``k`` are Series by validation domain, ``t`` a DataFrame (rows:
    validation domains, columns: training domains).

    Examples
    --------
    >>> law = MixingLaw(c=pd.Series({"x": 1.0}), k=pd.Series({"x": 2.0}), t=pd.DataFrame({"x": [-1.0], "y": [0.5]}, index=["x"]))
    >>> round(law.loss({"x": 0.5, "y": 0.5})["x"].item(), 6)
    2.557602
    """

    c: pd.Series
    k: pd.Series
    t: pd.DataFrame

    def loss(self, mixture) -> pd.DataFrame:
        """Per-domain losses for mixture(s) (mapping, Series, DataFrame with ``p_`` columns, or array (..., M))."""
        r = np.atleast_2d(_proportions(mixture, list(self.t.columns)))
        values = self.c.to_numpy() + self.k.to_numpy() * np.exp(r @ self.t.to_numpy().T)
        return pd.DataFrame(values, columns=list(self.t.index))


def fit_mixing_law(
    frame: pd.DataFrame,
    *,
    domains=None,
    delta: float = 0.05,
    n_random: int = 3,
    seed: int = 0,
    run_column: str | None = "run_id",
) -> FitResult:
    """Fit Ye et al.'s law per validation domain at one step: Huber least squares from a grid of starts.

    Parameters
    ----------
    frame : DataFrame
        One row per run: ``p_<domain>`` and ``loss_<domain>`` columns (a single step).
    domains : sequence of str, optional
    delta : float
        Huber threshold on loss residuals (Ye et al. use 0.05 for five domains).
    n_random : int
        Random starting vectors t per (log c, log k) pair, drawn with `seed`.
    seed : int
    run_column : str, optional

    Returns
    -------
    FitResult
        ``law`` is a :class:`MixingLaw`.
    """
    domains = mixture_domains(frame) if domains is None else list(domains)
    check_mixture_runs(frame, domains, step=None, run_column=run_column)
    r = frame[[f"p_{d}" for d in domains]].to_numpy(dtype=float)
    if len(frame) <= len(domains) + 2:
        raise ValueError(
            f"{len(frame)} runs are too few for the mixing law with {len(domains) + 2} parameters per domain"
        )
    rng = np.random.default_rng(seed)
    random_t = rng.normal(0.0, 1.0, size=(n_random, len(domains)))
    c_values, k_values, t_rows, total, failed = {}, {}, {}, 0.0, []
    for domain in domains:
        y = frame[f"loss_{domain}"].to_numpy(dtype=float)

        def residual(theta, y=y):
            return np.exp(theta[0]) + np.exp(theta[1] + r @ theta[2:]) - y

        best = None
        for log_c, log_k, t in itertools.product(
            np.linspace(-2, np.log(y.min()), 4), np.linspace(-4, 1, 4), random_t
        ):
            run = least_squares(
                residual, np.concatenate([[log_c, log_k], t]), loss="huber", f_scale=delta
            )
            if best is None or run.cost < best.cost:
                best = run
        c_values[domain], k_values[domain] = np.exp(best.x[0]), np.exp(best.x[1])
        t_rows[domain] = best.x[2:]
        total += 2 * best.cost
        if not best.success:
            failed.append(domain)
    law = MixingLaw(
        c=pd.Series(c_values), k=pd.Series(k_values), t=pd.DataFrame(t_rows, index=domains).T
    )
    params = pd.concat([law.c.rename(lambda d: f"c[{d}]"), law.k.rename(lambda d: f"k[{d}]")])
    return FitResult(
        model="L_i = c_i + k_i exp(sum_j t_ij r_j)",
        params=params,
        law=law,
        objective=Objective(
            total,
            f"sum over {len(domains)} domains of the Huber (delta = {delta:g}) loss of residuals",
        ),
        converged=not failed,
        message="least_squares (trf, Huber) per domain, best of a start grid",
        start_objectives=np.array([]),
        n_obs=len(frame),
        x=params.to_numpy(),
        settings={"Huber delta": delta, "Random t starts": n_random, "Seed": seed},
        notes=[f"the fit did not converge for {', '.join(failed)}"] if failed else [],
    )


def relative_errors(
    predicted: pd.DataFrame, observed: pd.DataFrame, domains, mixtures: pd.DataFrame | None = None
) -> pd.Series:
    """Mean absolute relative error per domain of predicted against observed ``loss_<domain>`` values.

    Rows where a domain's proportion is 0 (``p_<domain>`` in `mixtures`) are
    skipped for that domain, since BiMix cannot predict there; pass the same
    `mixtures` to compare other laws on the same points.
    """
    errors = {}
    for domain in domains:
        keep = (
            np.ones(len(observed), dtype=bool)
            if mixtures is None
            else mixtures[f"p_{domain}"].to_numpy() > 0
        )
        truth = observed[f"loss_{domain}"].to_numpy()[keep]
        errors[domain] = float(np.mean(np.abs(predicted[domain].to_numpy()[keep] / truth - 1)))
    return pd.Series(errors, name="mean relative error")
