"""The exponential data mixing law of Ye et al. (2024), fitted per validation domain at one step.

``L_i(r) = c_i + k_i exp(sum_j t_ij r_j)``: every training domain's share moves
every validation domain's loss. Derived in the Part IV chapter *BiMix* (beside BiMix).
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
from ..validation import check_mixture_runs, check_one_model, check_options
from .frames import fitted_domains, mixture_domains, proportions, unflatten, wide_to_long


@dataclass(frozen=True, eq=False)
class MixingLaw(Law):
    """Ye et al. (2024): ``L_i(r) = c_i + k_i exp(sum_j t_ij r_j)``.

    Predicts in the wide form, ``law(mixture)`` (a DataFrame with one column per
    validation domain), and in the long form, ``law.predict(frame)`` with a
    ``domain`` column and the ``p_<domain>`` proportions of each row's run.

    Parameters
    ----------
    c : Series
        Floor per validation domain (>= 0).
    k : Series
        Scale per validation domain (> 0).
    t : DataFrame
        Rows: validation domains; columns: training domains.

    References
    ----------
    J. Ye et al. (2024), "Data Mixing Laws: Optimizing Data Mixtures by
    Predicting Language Modeling Performance", eq. 6.

    Examples
    --------
    >>> law = MixingLaw(c=pd.Series({"x": 1.0}), k=pd.Series({"x": 2.0}), t=pd.DataFrame({"x": [-1.0], "y": [0.5]}, index=["x"]))
    >>> round(law.loss({"x": 0.5, "y": 0.5})["x"].item(), 6)
    2.557602
    """

    c: pd.Series
    k: pd.Series
    t: pd.DataFrame

    inputs = ("domain",)
    RULES: ClassVar[dict[str, str]] = {"c": "nonnegative", "k": "positive", "t": "finite"}
    LOG_PARAMS = ("c", "k")

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
    def from_params(cls, params, *, check: bool = True) -> MixingLaw:
        """The law from :attr:`params`.

        Parameters
        ----------
        params : mapping or Series
        check : bool

        Returns
        -------
        MixingLaw
        """
        params = dict(params)
        table = unflatten(
            {k: v for k, v in params.items() if str(k)[:2] in ("c[", "k[")}, ["c", "k"]
        )
        t: dict[str, dict[str, float]] = {}
        for key, value in params.items():
            if str(key).startswith("t["):
                row, column = str(key)[2:-1].split(", ")
                t.setdefault(column, {})[row] = float(value)
        constants = {"c": table["c"], "k": table["k"], "t": pd.DataFrame(t).loc[table.index]}
        return cls(**constants) if check else cls.unchecked(**constants)

    @property
    def training_domains(self) -> list[str]:
        """The training domains (columns of ``t``)."""
        return list(self.t.columns)

    @property
    def validation_domains(self) -> list[str]:
        """The validation domains (rows of ``t``)."""
        return list(self.t.index)

    def loss(self, mixture) -> pd.DataFrame:
        """Per-domain losses for mixture(s).

        Parameters
        ----------
        mixture : mapping, Series, DataFrame with ``p_`` columns, or array (..., M)

        Returns
        -------
        DataFrame, one column per validation domain
        """
        r = np.atleast_2d(proportions(mixture, self.training_domains))
        values = self.c.to_numpy() + self.k.to_numpy() * np.exp(r @ self.t.to_numpy().T)
        return pd.DataFrame(values, columns=list(self.t.index))

    def predict(self, *inputs, columns=None):
        """Wide or long predictions (see the class docstring).

        Parameters
        ----------
        *inputs : one mixture (mapping, array) or one DataFrame
        columns : mapping, optional
            The column holding the domain in the long form.

        Returns
        -------
        DataFrame (wide) or Series (long)
        """
        if len(inputs) != 1:
            raise ValidationError(
                [f"takes one mixture or one DataFrame, got {len(inputs)} inputs"],
                "MixingLaw.predict",
            )
        frame = inputs[0]
        name = dict(columns or {}).get("domain", "domain")
        if isinstance(frame, pd.DataFrame) and name in frame:
            wide = self.loss(frame)
            domains = frame[name].to_numpy()
            unknown = sorted(set(map(str, domains)) - set(map(str, wide.columns)))
            if unknown:
                raise ValidationError(
                    [f"no coefficients for domain {', '.join(unknown)}"], "MixingLaw"
                )
            picked = wide.to_numpy()[np.arange(len(frame)), wide.columns.get_indexer(domains)]
            return pd.Series(picked, index=frame.index, name="loss")
        return self.loss(frame)


#: Relative step of the forward differences: scipy's default for its '2-point' Jacobian.
_STEP = np.finfo(float).eps ** 0.5


def _forward_difference(theta, y, rows):
    """The forward-difference Jacobian of the law's residuals, step for step as scipy's '2-point'.

    Each column is ``(f(theta + h_i e_i) - f(theta)) / h_i`` with scipy's step
    ``h_i = sqrt(eps) sign(theta_i) max(1, |theta_i|)``, evaluated in the same
    order of operations as the residual, so the fit takes the same path as
    with ``jac="2-point"``, without its per-column overhead.
    """
    log_c, log_k, t = theta[0], theta[1], theta[2:]
    h = _STEP * np.where(theta >= 0, 1.0, -1.0) * np.maximum(1.0, np.abs(theta))
    moved = theta + h
    dx = moved - theta
    z = rows @ t
    scale = np.exp(log_k + z)
    f0 = np.exp(log_c) + scale - y
    columns = [np.exp(moved[0]) + scale - y, np.exp(log_c) + np.exp(moved[1] + z) - y]
    for j in range(t.size):
        shifted = t.copy()
        shifted[j] = moved[2 + j]
        columns.append(np.exp(log_c) + np.exp(log_k + rows @ shifted) - y)
    return (np.array(columns) - f0).T / dx


def fit_mixing_law(
    data: pd.DataFrame,
    *,
    domains=None,
    delta: float = 0.05,
    n_random: int = 3,
    seed: int = 0,
    run_column: str | None = "run_id",
    model: str | None = None,
    pool_models: bool = False,
) -> FitResult:
    """Fit Ye et al.'s law per validation domain at one step: Huber least squares from a grid of starts.

    On the simplex (``sum_j r_j = 1``) the law cannot tell a row of ``t`` shifted
    by a constant m from ``k_i`` multiplied by ``exp(m)``: the predictions are
    the same. The fit fixes this gauge by centering each row of ``t``
    (``sum_j t_ij = 0``) and moving its mean into ``log k_i``, so that the
    reported ``t`` and ``k`` are identifiable; only differences ``t_ij - t_il``
    within a row carry meaning. The summary says so.

    Parameters
    ----------
    data : DataFrame
        One row per run: ``p_<domain>`` and ``loss_<domain>`` columns (a single step).
        Every ``p_`` column is a training domain (the law's ``r``); missing
        (NaN) losses are left out of their domain's fit, with a note.
    domains : sequence of str, optional
        Validation domains to fit (default: every domain with a loss column).
    delta : float
        Huber threshold on loss residuals (Ye et al. use 0.05 for five domains).
    n_random : int
        Random starting vectors t per (log c, log k) pair, drawn with `seed`.
    seed : int
    run_column : str, optional
    model : str, optional
        The column of model sizes; it must hold one size (a law is fitted per
        model). Without it, any other column that tells apart runs of the same
        mixture is taken for model sizes, and the fit is refused.
    pool_models : bool
        Fit runs of several model sizes together on purpose.

    Returns
    -------
    FitResult
        ``law`` is a :class:`MixingLaw`; ``data`` is the long form of the points
        fitted (one row per run and validation domain), each domain a block.

    References
    ----------
    J. Ye et al. (2024), eq. 6 and App. (the fit with Huber loss).
    """
    if not isinstance(data, pd.DataFrame):
        raise ValidationError(
            [f"data must be a DataFrame, got {type(data).__name__}"], "fit_mixing_law"
        )
    check_options("fit_mixing_law", delta=delta, n_random=n_random, seed=seed)
    if not pool_models:
        keys = [c for c in data.columns if str(c).startswith("p_") or c == "step"]
        ignore = [c for c in data.columns if str(c).startswith("loss_")] + [run_column]
        check_one_model(data, model=model, keys=keys, ignore=ignore)
    training = mixture_domains(data)
    domains = fitted_domains(data) if domains is None else list(domains)
    frame = check_mixture_runs(data, training, step=None, run_column=run_column, loss=False)
    frame = check_mixture_runs(frame, domains, step=None, run_column=run_column, missing_loss=True)
    r = frame[[f"p_{d}" for d in training]].to_numpy(dtype=float)
    n_params = len(training) + 2
    if len(frame) <= n_params:
        raise ValidationError(
            [
                f"{len(frame)} runs are too few for the mixing law with {n_params} parameters per domain"
            ]
        )
    notes = []
    rng = np.random.default_rng(seed)
    random_t = rng.normal(0.0, 1.0, size=(n_random, len(training)))
    c_values, k_values, t_rows, total, failed = {}, {}, {}, 0.0, []
    for domain in domains:
        y = frame[f"loss_{domain}"].to_numpy(dtype=float)
        use = ~np.isnan(y)
        if not use.all():
            notes.append(
                f"domain {domain!r}: {int((~use).sum())} missing (NaN) losses left out of its fit"
            )
        y, rows = y[use], r[use]

        def residual(theta, y=y, rows=rows):
            return np.exp(theta[0]) + np.exp(theta[1] + rows @ theta[2:]) - y

        def jacobian(theta, y=y, rows=rows):
            return _forward_difference(theta, y, rows)

        best = None
        for log_c, log_k, t in itertools.product(
            np.linspace(-2, np.log(y.min()), 4), np.linspace(-4, 1, 4), random_t
        ):
            run = least_squares(
                residual,
                np.concatenate([[log_c, log_k], t]),
                jac=jacobian,
                loss="huber",
                f_scale=delta,
            )
            if best is None or run.cost < best.cost:
                best = run
        assert best is not None
        # the gauge: on the simplex, adding m to every t_ij of a row multiplies k_i by exp(m)
        # without changing a prediction; centering the row makes t and k identifiable
        shift = float(np.mean(best.x[2:]))
        c_values[domain], k_values[domain] = np.exp(best.x[0]), np.exp(best.x[1] + shift)
        t_rows[domain] = best.x[2:] - shift
        total += 2 * best.cost
        if not best.success:
            failed.append(domain)
    law = MixingLaw(
        c=pd.Series(c_values), k=pd.Series(k_values), t=pd.DataFrame(t_rows, index=training).T
    )
    long = wide_to_long(
        frame,
        domains,
        step=None,
        run_column=run_column if run_column in frame else None,
        keep=[f"p_{d}" for d in training],
    ).dropna(subset=["loss"])
    return FitResult.build(
        model="L_i = c_i + k_i exp(sum_j t_ij r_j)",
        params=law.params,
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
            "Gauge": "each row of t centered (sum_j t_ij = 0), its mean moved into log k_i",
        },
        cautions=[f"the fit did not converge for {', '.join(failed)}"] if failed else [],
        notes=notes,
        data=long,
        inputs=("domain",),
        observed="loss",
        residual="raw",
        delta=delta,
        groups="domain",
        constraints=[[f"t[{i}, {j}]" for j in training] for i in domains],
    )
