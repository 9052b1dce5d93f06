"""Data-mixture laws: BiMix (Ge et al. 2024) and the exponential mixing law (Ye et al. 2024).

A mixture gives each training domain a proportion r_i (summing to 1). Runs are
tidy frames with one column ``p_<domain>`` per proportion, a step column, and
one column ``loss_<domain>`` per validation domain. Derived in the Part IV
chapters *BiMix* and *Optimising the mixture*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares

from .law import Law
from .result import FitResult
from .validation import ValidationError, check_mixture_runs


def mixture_domains(frame: pd.DataFrame) -> list[str]:
    """Domains named by the ``p_<domain>`` columns of `frame`, in column order."""
    return [column[2:] for column in frame.columns if column.startswith("p_")]


def _flatten(table: pd.DataFrame) -> pd.Series:
    """A per-domain table as one Series named ``<column>[<domain>]``."""
    return pd.Series(
        {f"{name}[{domain}]": table.loc[domain, name] for domain in table.index for name in table},
        dtype=float,
    )


def _unflatten(params, columns) -> pd.DataFrame:
    """Inverse of :func:`_flatten` for the given columns."""
    rows: dict[str, dict[str, float]] = {}
    for key, value in dict(params).items():
        name, _, domain = str(key).rstrip("]").partition("[")
        if name in columns:
            rows.setdefault(domain, {})[name] = float(value)
    return pd.DataFrame(rows).T[list(columns)]


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
class BiMixLaw(Law):
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

    @property
    def params(self) -> pd.Series:
        """The constants as one Series, named ``alpha[<domain>]``, ``B[<domain>]``, ..."""
        return _flatten(self.coefficients[["alpha", "B", "beta", "C"]])

    @classmethod
    def from_params(cls, params) -> BiMixLaw:
        """The law from :attr:`params` (names ``alpha[<domain>]``, ``B[<domain>]``, ...)."""
        return cls(_unflatten(params, ["alpha", "B", "beta", "C"]).rename_axis("domain"))

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


#: Bounds of the exponents in BiMix fits; log B and log C are unbounded (steps are scaled first).
EXPONENT_BOUNDS = (0.0, 5.0)


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


def long_to_wide(
    frame: pd.DataFrame,
    *,
    mixture: str = "mixture",
    domain: str = "domain",
    proportion: str = "proportion",
    step: str = "step",
    loss: str = "loss",
) -> pd.DataFrame:
    """Mixture runs in long form (one row per mixture, step and domain) as the wide form BiMix fits.

    Returns one row per (mixture, step) with ``p_<domain>`` and ``loss_<domain>``
    columns; domains without a proportion (such as an average over domains)
    are left out. Raises :class:`ValidationError` naming the column, domain
    and mixture when a mixture gives one domain two proportions or a step two
    losses.
    """
    missing = [c for c in (mixture, domain, proportion, step, loss) if c not in frame]
    if missing:
        listed = ", ".join(map(str, frame.columns))
        raise ValidationError([f"missing columns {', '.join(missing)}; the file has {listed}"])
    shares = frame[frame[proportion].notna()]
    problems = []
    counts = shares.groupby([mixture, domain])[proportion].nunique()
    for (name, where), n in counts[counts > 1].items():
        problems.append(
            f"column {proportion!r}: mixture {name!r} gives domain {where!r} {n} proportions"
        )
    repeats = frame.duplicated([mixture, step, domain], keep=False)
    if repeats.any():
        first = frame[repeats].iloc[0]
        problems.append(
            f"column {loss!r}: {int(repeats.sum())} rows repeat a (mixture, step, domain); first "
            f"mixture {first[mixture]!r}, step {first[step]}, domain {first[domain]!r}"
        )
    if problems:
        raise ValidationError(problems)
    p = shares.groupby([mixture, domain])[proportion].first().unstack(domain).add_prefix("p_")
    domains = [c[2:] for c in p.columns]
    losses = (
        frame[frame[domain].isin(domains)]
        .pivot_table(
            index=[mixture, step], columns=domain, values=loss, aggfunc="first", dropna=False
        )
        .reindex(columns=domains)
        .add_prefix("loss_")
        .reset_index()
    )
    return losses.merge(p.fillna(0.0).reset_index(), on=mixture)[
        [mixture, step, *p.columns, *[f"loss_{d}" for d in domains]]
    ]


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
        """Per-domain losses predicted by the fitted law (see :meth:`lawlib.BiMixLaw.loss`)."""
        return self.law.loss(mixture, steps)


def fit_bimix(
    frame: pd.DataFrame,
    *,
    domains=None,
    step: str = "step",
    run_column: str | None = "run_id",
    mixture: str = "mixture",
    domain: str = "domain",
    proportion: str = "proportion",
    loss: str = "loss",
) -> BiMixResult:
    """Fit BiMix per domain: ``L_i = r_i**-alpha_i (B_i s**-beta_i + C_i)`` by least squares.

    Each domain is fitted separately (the law is separable) with scipy's
    trust-region-reflective least squares from 12 starts, in the parameters
    (alpha, log B, beta, log C) with A_i = 1 (A_i alone is not identifiable).
    Steps are divided by their geometric mean before fitting and B converted
    back, so the answer does not depend on the unit of the steps (steps or
    tokens). Only the exponents are bounded, to [0, 5]; an exponent on a bound
    is a :class:`FitWarning` and a note. Runs whose proportion of domain i is 0
    cannot inform domain i (the law diverges there), and missing (NaN) losses
    carry no information: both are left out of that domain's fit, with a note
    saying how many.

    Parameters
    ----------
    frame : DataFrame
        Wide form: columns ``p_<domain>``, ``loss_<domain>`` and `step`, one row
        per run and step. Or long form, one row per mixture, step and domain,
        with columns `mixture`, `domain`, `proportion`, `step` and `loss` (as
        released runs come; see :func:`lawlib.mixtures.long_to_wide`).
    domains : sequence of str, optional
        Domains to fit (default: every domain with a proportion). The
        proportions must still sum to 1 over all domains of the file.
    step : str
        Column of training steps (or tokens), any unit.
    run_column : str, optional
        Column naming runs in the wide form, used in messages.
    mixture, domain, proportion, loss : str
        Column names of the long form.

    Returns
    -------
    BiMixResult
    """
    long = domain in frame and proportion in frame and not mixture_domains(frame)
    if long:
        frame = long_to_wide(
            frame, mixture=mixture, domain=domain, proportion=proportion, step=step, loss=loss
        )
        run_column = mixture
    domains = mixture_domains(frame) if domains is None else list(domains)
    frame = check_mixture_runs(frame, domains, step=step, run_column=run_column, missing_loss=True)
    scale = float(np.exp(np.mean(np.log(frame[step].to_numpy(dtype=float)))))
    rows, total, cautions, notes = [], 0.0, [], []
    for name in domains:
        shares = frame[f"p_{name}"].to_numpy(dtype=float)
        observed = frame[f"loss_{name}"].to_numpy(dtype=float)
        missing = np.isnan(observed)
        use = (shares > 0) & ~missing
        excluded = int((shares <= 0).sum())
        if excluded:
            cautions.append(
                f"domain {name!r}: {excluded} of {len(frame)} runs have p_{name} = 0 and are "
                "left out of its fit (BiMix diverges at r = 0)"
            )
        if missing.any():
            notes.append(
                f"domain {name!r}: {int(missing.sum())} missing (NaN) losses left out of its fit"
            )
        r, y = shares[use], observed[use]
        u = frame[step].to_numpy(dtype=float)[use] / scale
        if y.size < 5:
            raise ValidationError(
                [f"domain {name!r}: only {y.size} runs with p_{name} > 0 and a loss; BiMix needs 5"]
            )
        run = _bimix_domain_fit(r, u, y)
        alpha, log_b, beta, log_c = run.x
        for label, value in (("alpha", alpha), ("beta", beta)):
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
        total += 2 * run.cost
    table = pd.DataFrame(rows).set_index("domain")
    law = BiMixLaw(table[["alpha", "B", "beta", "C"]])
    params = law.params
    failed = list(table.index[~table["converged"]])
    return BiMixResult.build(
        model="L_i = r_i^(-alpha_i) (B_i s^(-beta_i) + C_i)   (A_i = 1: only A B and A C are identifiable)",
        params=params,
        law=law,
        objective=total,
        definition=f"sum over {len(domains)} domains of squared loss residuals",
        engine="least_squares (trf) per domain, best of 12 starts",
        message="least_squares (trf) per domain, best of 12 starts",
        converged=not failed,
        settings={
            "Step column": step,
            "Step scale (geometric mean)": scale,
            "Domains": ", ".join(domains),
            "Exponent bounds": str(EXPONENT_BOUNDS),
        },
        derived=table["r_squared"].rename(lambda d: f"r_squared[{d}]"),
        cautions=cautions
        + ([f"the fit did not converge for {', '.join(failed)}"] if failed else []),
        notes=notes,
        n_obs=int(table["n_points"].sum()),
        stacklevel=3,
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
    MixtureOptimum
        ``proportions`` by domain and ``objective``, the weighted loss there.
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
    return MixtureOptimum(
        proportions=pd.Series(r, index=law.domains, name="proportion"),
        objective=float(np.sum(w * law.loss(r, steps).to_numpy()[0])),
        steps=float(steps),
        weights=pd.Series(w, index=law.domains, name="weight"),
    )


@dataclass(frozen=True)
class MixtureOptimum:
    """The mixture :func:`optimize_mixture` found.

    Attributes
    ----------
    proportions : Series
        Optimal proportion of each domain (sums to 1).
    objective : float
        Weighted sum of the predicted domain losses there [nats/token].
    steps : float
        The target step.
    weights : Series
        Weight of each domain's loss.
    """

    proportions: pd.Series
    objective: float
    steps: float
    weights: pd.Series

    def __repr__(self) -> str:
        shares = ", ".join(f"{d} {r:.4f}" for d, r in self.proportions.items())
        return f"<MixtureOptimum at step {self.steps:g}: {shares}; objective {self.objective:.5g}>"


@dataclass(frozen=True)
class MixingLaw(Law):
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

    @property
    def params(self) -> pd.Series:
        """The constants as one Series: ``c[<domain>]``, ``k[<domain>]`` and ``t[<domain>, <domain>]``."""
        t = self.t.stack()
        return pd.concat(
            [
                self.c.rename(lambda d: f"c[{d}]"),
                self.k.rename(lambda d: f"k[{d}]"),
                pd.Series(t.to_numpy(), index=[f"t[{i}, {j}]" for i, j in t.index]),
            ]
        ).astype(float)

    @classmethod
    def from_params(cls, params) -> MixingLaw:
        """The law from :attr:`params`."""
        table = _unflatten({k: v for k, v in dict(params).items() if k[0] in "ck"}, ["c", "k"])
        t = {}
        for key, value in dict(params).items():
            if str(key).startswith("t["):
                row, column = str(key)[2:-1].split(", ")
                t.setdefault(column, {})[row] = float(value)
        return cls(c=table["c"], k=table["k"], t=pd.DataFrame(t).loc[table.index])

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

    On the simplex (``sum_j r_j = 1``) the law cannot tell a row of ``t`` shifted
    by a constant m from ``k_i`` multiplied by ``exp(m)``: the predictions are
    the same. The fit fixes this gauge by centring each row of ``t``
    (``sum_j t_ij = 0``) and moving its mean into ``log k_i``, so that the
    reported ``t`` and ``k`` are identifiable; only differences ``t_ij - t_il``
    within a row carry meaning. The summary says so.

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
    frame = check_mixture_runs(frame, domains, step=None, run_column=run_column)
    r = frame[[f"p_{d}" for d in domains]].to_numpy(dtype=float)
    if len(frame) <= len(domains) + 2:
        n_params = len(domains) + 2
        raise ValidationError(
            [
                f"{len(frame)} runs are too few for the mixing law with {n_params} parameters per domain"
            ]
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
        # the gauge: on the simplex, adding m to every t_ij of a row multiplies k_i by exp(m)
        # without changing a prediction; centring the row makes t and k identifiable
        shift = float(np.mean(best.x[2:]))
        c_values[domain], k_values[domain] = np.exp(best.x[0]), np.exp(best.x[1] + shift)
        t_rows[domain] = best.x[2:] - shift
        total += 2 * best.cost
        if not best.success:
            failed.append(domain)
    law = MixingLaw(
        c=pd.Series(c_values), k=pd.Series(k_values), t=pd.DataFrame(t_rows, index=domains).T
    )
    params = law.params
    return FitResult.build(
        model="L_i = c_i + k_i exp(sum_j t_ij r_j)",
        params=params,
        law=law,
        objective=total,
        definition=f"sum over {len(domains)} domains of the Huber (delta = {delta:g}) loss of residuals",
        engine="least_squares (trf, Huber) per domain, best of a start grid",
        message="least_squares (trf, Huber) per domain, best of a start grid",
        converged=not failed,
        settings={
            "Huber delta": delta,
            "Random t starts": n_random,
            "Seed": seed,
            "Gauge": "each row of t centred (sum_j t_ij = 0), its mean moved into log k_i",
        },
        cautions=[f"the fit did not converge for {', '.join(failed)}"] if failed else [],
        n_obs=len(frame),
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
