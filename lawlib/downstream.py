"""From validation loss to downstream error: Gadre et al.'s (2024) exponential map.

Average top-1 error over a set of tasks falls with the validation loss ``L``
[nats/token] as ``Err(L) = epsilon - k * exp(-gamma * L)``: near chance
(``epsilon``) for a poor model, lower for a better one. For a fixed ``gamma``
the map is linear in ``(epsilon, k)``, so :func:`~lawlib.fit_downstream` scans
``gamma``, solves the linear part exactly, and polishes all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from .law import Law
from .result import FitResult
from .validation import (
    ValidationError,
    check_columns,
    check_design,
    positive_argument,
    take_columns,
)
from .validation.runs import Column

#: ``gamma`` scanned by :func:`fit_downstream` [per nat/token].
GAMMA_GRID = np.logspace(-2, 1.5, 351)


@dataclass(frozen=True, eq=False)
class DownstreamLaw(Law):
    """``Err(L) = epsilon - k * exp(-gamma * L)``: top-1 error (a fraction) at loss `L`.

    Calling the law (or :meth:`error`) gives the error at a validation loss.

    Parameters
    ----------
    epsilon : float
        Error of a model with no skill on these tasks (as ``L`` grows).
    k : float
        Scale of the improvement (> 0).
    gamma : float
        Rate [per nat/token] at which error falls as loss falls (> 0).

    References
    ----------
    S. Y. Gadre et al. (2024), "Language models scale reliably with
    over-training and on downstream tasks", eq. 5.
    """

    epsilon: float
    k: float
    gamma: float

    inputs = ("loss",)
    output = "error"
    RULES: ClassVar[dict[str, str]] = {"epsilon": "finite", "k": "positive", "gamma": "positive"}
    LOG_PARAMS = ("k", "gamma")

    def error(self, L: ArrayLike):
        """Predicted error (fraction) at validation loss `L` [nats/token], shape of `L`.

        Parameters
        ----------
        L : array_like
            Validation loss [nats/token].

        Returns
        -------
        ndarray
        """
        return self.epsilon - self.k * np.exp(-self.gamma * positive_argument("L", L, "nats/token"))

    def loss_for_error(self, error: ArrayLike):
        """The validation loss at which the law predicts `error`; NaN outside (epsilon - k, epsilon).

        Parameters
        ----------
        error : array_like
            Top-1 error (fraction).

        Returns
        -------
        ndarray
        """
        gap = (self.epsilon - np.asarray(error, dtype=float)) / self.k
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                (gap > 0) & (gap < 1), -np.log(np.where(gap > 0, gap, 1.0)) / self.gamma, np.nan
            )


def fit_downstream(
    loss: Column,
    error: Column,
    *,
    starts=None,
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit :class:`DownstreamLaw` to (validation loss, top-1 error) pairs by least squares.

    Every ``gamma`` of :data:`GAMMA_GRID` gets its exact least-squares
    ``(epsilon, k)``; the best is polished in all three parameters with
    ``k, gamma > 0``.

    Parameters
    ----------
    loss : array_like, shape (n,), or str
        Validation loss of each model [nats/token]; with `data`, its column name.
    error : array_like, shape (n,), or str
        Top-1 error of each model, a fraction in [0, 1] (one minus accuracy).
    starts : array_like, shape (3,), optional
        ``(epsilon, k, gamma)`` to polish from, instead of the scan; ``starts=fit.x``
        restarts at a fit's optimum.
    data : DataFrame, optional
        Models to take `loss` and `error` from by name.

    Returns
    -------
    FitResult
        ``law`` is a :class:`DownstreamLaw`; ``derived`` holds ``r_squared``;
        ``x`` is ``(epsilon, k, gamma)``. Residuals are in error units (fractions).

    Raises
    ------
    ValidationError
        Missing or non-positive losses, errors outside [0, 1], fewer than four
        distinct losses.

    References
    ----------
    S. Y. Gadre et al. (2024), sec. 3.2 (the exponential map from loss to error).

    Examples
    --------
    >>> L = np.linspace(2.5, 4.0, 12)
    >>> fit = fit_downstream(L, DownstreamLaw(0.85, 2.0, 0.9).error(L))
    >>> [round(v, 4) for v in fit.params]
    [0.85, 2.0, 0.9]
    """
    given, names = take_columns(data, {"loss": loss, "error": error})
    model = "the exponential map from loss to error"
    columns = check_columns(
        {names["loss"]: given["loss"], names["error"]: given["error"]},
        positive=(names["loss"],),
        n_params=3,
        model=model,
        subject="the models",
    )
    x, y = columns[names["loss"]], columns[names["error"]]
    outside = (y < 0) | (y > 1)
    if outside.any():
        raise ValidationError(
            [
                (
                    f"column '{names['error']}': {int(outside.sum())} values outside [0, 1] "
                    f"(first {y[outside][0]:g}); give top-1 error as a fraction"
                )
            ],
            subject="the models",
        )
    notes = check_design(
        {names["loss"]: x}, (names["error"], y), n_params=3, model=model, subject="the models"
    )
    if starts is not None:
        given_start = np.asarray(starts, dtype=float).ravel()
        if (
            given_start.size != 3
            or not np.isfinite(given_start).all()
            or np.any(given_start[1:] <= 0)
        ):
            raise ValidationError(
                ["starts must be (epsilon, k, gamma) with k and gamma > 0"], "fit_downstream"
            )
        start = np.array([given_start[0], np.log(given_start[1]), np.log(given_start[2])])
    else:
        best = None
        for gamma in GAMMA_GRID:
            basis = np.column_stack([np.ones_like(x), -np.exp(-gamma * x)])
            coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
            sse = float(np.sum((basis @ coef - y) ** 2))
            if coef[1] > 0 and (best is None or sse < best[0]):
                best = (sse, coef[0], coef[1], gamma)
        if best is None:
            raise ValidationError(
                [f"error does not fall as {names['loss']} falls: no k > 0 fits"],
                subject="the models",
            )
        start = np.array([best[1], np.log(best[2]), np.log(best[3])])

    def residual(theta):
        return theta[0] - np.exp(theta[1] - np.exp(theta[2]) * x) - y

    run = least_squares(residual, start, method="lm", xtol=1e-14, ftol=1e-14, gtol=1e-14)
    law = DownstreamLaw(
        epsilon=float(run.x[0]), k=float(np.exp(run.x[1])), gamma=float(np.exp(run.x[2]))
    )
    sse = float(np.sum(run.fun**2))
    r_squared = 1 - sse / float(np.sum((y - y.mean()) ** 2))
    return FitResult.build(
        model="Err = epsilon - k exp(-gamma L)",
        params=law.params,
        law=law,
        objective=sse / 2,
        definition=f"squared error / 2 of predicted - observed error, summed over {x.size} models",
        engine=f"scan of {GAMMA_GRID.size} gamma values with exact (epsilon, k), then "
        "Levenberg-Marquardt on all three",
        converged=bool(run.success),
        message=run.message,
        derived=pd.Series({"r_squared": r_squared}),
        cautions=notes,
        data=pd.DataFrame({names["loss"]: x, names["error"]: y}),
        inputs=(names["loss"],),
        observed=names["error"],
        residual="raw",
        x=law.params.to_numpy(),
    )
