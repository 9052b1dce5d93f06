"""The Huber-on-log-residual objective of Hoffmann et al. (2022), with its gradient.

Every law in lawlib of the form ``L = E + sum_j A_j * x_j**(-alpha_j)`` is
fitted in log space through the log-sum-exp parameterisation

    log L = LSE(e, a_1 - alpha_1 log x_1, ..., a_k - alpha_k log x_k),

with ``E = exp(e)`` and ``A_j = exp(a_j)``. The parameter vector is laid out as
``theta = [e, a_1, alpha_1, ..., a_k, alpha_k]``. Functions here accept a batch
of parameter vectors, shape ``(S, 1 + 2k)``, so that many starts can be
evaluated in one call. Derived in the chapter *Fitting power laws*.
"""

from __future__ import annotations

import numpy as np


def huber(r, delta: float):
    """Huber loss: ``r**2 / 2`` for ``|r| <= delta``, else ``delta * (|r| - delta / 2)``.

    ``delta = inf`` gives half the squared residual.

    Examples
    --------
    >>> float(huber(0.5, 1.0)), float(huber(3.0, 1.0))
    (0.125, 2.5)
    """
    magnitude = np.abs(r)
    clipped = np.minimum(magnitude, delta)
    return clipped * (magnitude - clipped / 2)


def log_model(theta, logx):
    """Log of ``E + sum_j A_j x_j**(-alpha_j)`` and the softmax weight of each term.

    Parameters
    ----------
    theta : array_like, shape (S, 1 + 2k)
        Batch of parameter vectors ``[e, a_1, alpha_1, ...]``.
    logx : ndarray, shape (n, k)
        Natural log of the inputs (for instance log N and log D).

    Returns
    -------
    logpred : ndarray, shape (S, n)
    weights : ndarray, shape (S, n, 1 + k)
        Share of each term (E first) in the predicted loss.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    e = theta[:, :1, None]                      # (S, 1, 1)
    a = theta[:, 1::2][:, None, :]              # (S, 1, k)
    alpha = theta[:, 2::2][:, None, :]          # (S, 1, k)
    terms = np.concatenate(
        [np.broadcast_to(e, (theta.shape[0], logx.shape[0], 1)), a - alpha * logx[None]], axis=2
    )
    top = terms.max(axis=2, keepdims=True)
    exp_terms = np.exp(terms - top)
    total = exp_terms.sum(axis=2, keepdims=True)
    return (top + np.log(total))[..., 0], exp_terms / total


def huber_log_objective(theta, logx, logy, delta: float, reduction: str = "sum"):
    """Huber loss of log residuals and its gradient, for a batch of parameter vectors.

    Parameters
    ----------
    theta : array_like, shape (S, 1 + 2k)
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
        Log of the observed loss.
    delta : float
        Huber threshold on the log residual (Hoffmann et al. use 1e-3).
    reduction : {"sum", "mean"}
        Sum the per-point terms (as the paper writes) or average them.

    Returns
    -------
    value : ndarray, shape (S,)
    grad : ndarray, shape (S, 1 + 2k)
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    logpred, weights = log_model(theta, logx)
    residual = logpred - logy
    value = huber(residual, delta).sum(axis=1)
    slope = np.clip(residual, -delta, delta)            # d huber / d residual
    weighted = slope[..., None] * weights               # (S, n, 1 + k)
    grad = np.empty((weights.shape[0], 1 + 2 * logx.shape[1]))
    grad[:, 0] = weighted[..., 0].sum(axis=1)
    grad[:, 1::2] = weighted[..., 1:].sum(axis=1)
    grad[:, 2::2] = -(weighted[..., 1:] * logx[None]).sum(axis=1)
    if reduction == "mean":
        return value / logy.size, grad / logy.size
    return value, grad


def objective_definition(delta: float, reduction: str, n_obs: int) -> str:
    """Plain-words definition of :func:`huber_log_objective`, for result objects."""
    loss = "squared error / 2" if np.isinf(delta) else f"Huber loss (delta = {delta:g})"
    how = "summed" if reduction == "sum" else "averaged"
    return f"{loss} of log(predicted loss) - log(observed loss), {how} over {n_obs} points"
