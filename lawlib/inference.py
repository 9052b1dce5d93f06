"""Sizing a model for its whole life: training plus inference compute at a target loss.

Training costs ``k_train N D`` FLOPs and serving ``D_inf`` tokens costs about
``k_inf N D_inf`` (a forward pass, ``k_inf = 2``). For a Chinchilla law
``L = E + A N**-alpha + B D**-beta`` and a target loss, minimize

    F(N, D) = k_train N D + k_inf N D_inf   subject to   L(N, D) = loss.

The Lagrangian ``k_train N D + k_inf N D_inf + lambda (E + A N**-alpha + B D**-beta - loss)``
is stationary where

    k_train D + k_inf D_inf = lambda alpha A N**(-alpha - 1)
    k_train N               = lambda beta  B D**(-beta - 1).

Dividing the first by the second and multiplying by N / D eliminates lambda:

    (k_train D + k_inf D_inf) / (k_train D) = (alpha A N**-alpha) / (beta B D**-beta),

the parameter term and the data term of the loss must stand in the ratio of the total to the
training compute per unit of D. With ``D_inf = 0`` this is Chinchilla's ``alpha A N**-alpha =
beta B D**-beta``; with ``D_inf > 0`` the parameter term must be larger, so N smaller and D
larger than Chinchilla's at the same loss. There is no closed form once ``D_inf > 0``. Along the
constraint N is a function of D, ``N(D) = (A / (loss - E - B D**-beta))**(1 / alpha)``, so the
optimum is a one-dimensional search in log D, which :func:`~lawlib.inference_optimal` does with Brent's
method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from .chinchilla import ChinchillaLaw
from .validation import ValidationError, check_options, positive_argument


@dataclass(frozen=True)
class InferenceOptimum:
    """The model :func:`inference_optimal` chose.

    Attributes
    ----------
    N, D : float
        Parameters and training tokens.
    training_flops, inference_flops : float
        ``k_train N D`` and ``k_inf N D_inf`` [FLOPs].
    loss : float
        The law's loss at (N, D) [nats/token] (the target, to solver precision).
    inference_tokens : float
        Tokens served over the model's life.

    References
    ----------
    N. Sardana et al. (2024), "Beyond Chinchilla-Optimal", sec. 2.
    """

    N: float
    D: float
    training_flops: float
    inference_flops: float
    loss: float
    inference_tokens: float

    @property
    def total_flops(self) -> float:
        """Training plus inference [FLOPs]."""
        return self.training_flops + self.inference_flops

    @property
    def tokens_per_parameter(self) -> float:
        """``D / N`` of the chosen model."""
        return self.D / self.N


def inference_optimal(
    law: ChinchillaLaw,
    loss: float,
    inference_tokens: float,
    *,
    flops_per_token: float = 6.0,
    inference_flops_per_token: float = 2.0,
) -> InferenceOptimum:
    """The (N, D) that reach `loss` with the least training plus inference compute.

    Parameters
    ----------
    law : ChinchillaLaw
    loss : float
        Target loss [nats/token]; must lie above the law's floor E.
    inference_tokens : float
        Tokens the model will serve over its life, ``D_inf`` (0 or more).
    flops_per_token : float
        Training FLOPs per parameter per token, ``k_train`` (6).
    inference_flops_per_token : float
        Inference FLOPs per parameter per token, ``k_inf`` (2: one forward pass).

    Returns
    -------
    InferenceOptimum

    References
    ----------
    N. Sardana et al. (2024), "Beyond Chinchilla-Optimal: Accounting for
    Inference in Language Model Scaling Laws", sec. 2; derived in the module
    docstring and the chapter *Over-training*.

    Examples
    --------
    >>> law = ChinchillaLaw.published("besiroglu2024")
    >>> alone = inference_optimal(law, 2.0, 0.0)
    >>> served = inference_optimal(law, 2.0, 1e13)
    >>> served.N < alone.N and served.tokens_per_parameter > alone.tokens_per_parameter
    True
    """
    if not isinstance(law, ChinchillaLaw):
        raise ValidationError(
            [f"takes a ChinchillaLaw, got {type(law).__name__}"], "inference_optimal"
        )
    loss = float(positive_argument("loss", loss, "nats/token"))
    if loss <= law.E:
        raise ValidationError(
            [f"must lie above the law's floor E = {law.E:.4g}; got {loss:g}"], "loss"
        )
    try:
        served = float(inference_tokens)
    except (TypeError, ValueError):
        served = np.nan
    check_options(
        "inference_optimal",
        inference_tokens=served if np.isfinite(served) else inference_tokens,
        flops_per_token=flops_per_token,
        inference_flops_per_token=inference_flops_per_token,
    )
    k_train = float(flops_per_token)
    k_inf = float(inference_flops_per_token)
    reducible = loss - law.E
    # along the constraint, D must leave room for the parameter term: B D**-beta < loss - E
    log_d_min = np.log(law.B / reducible) / law.beta

    def parameters(log_d):
        room = reducible - law.B * np.exp(-law.beta * log_d)
        return (law.A / room) ** (1 / law.alpha)

    def log_flops(log_d):
        n = parameters(log_d)
        return np.log(n) + np.log(k_train * np.exp(log_d) + k_inf * served)

    chinchilla_d = law.compute_optimal(1.0)[1]  # only to place the search bracket
    upper = max(log_d_min + 60.0, np.log(chinchilla_d) + 60.0)
    found = minimize_scalar(
        log_flops,
        bounds=(log_d_min + 1e-9, upper),
        method="bounded",
        options={"xatol": 1e-12, "maxiter": 2000},
    )
    d = float(np.exp(found.x))
    n = float(parameters(found.x))
    return InferenceOptimum(
        N=n,
        D=d,
        training_flops=k_train * n * d,
        inference_flops=k_inf * n * served,
        loss=float(law.loss(n, d)),
        inference_tokens=served,
    )
