"""The Huber-on-log-residual objective of Hoffmann et al. (2022), with its gradient.

Every law in lawlib of the form ``L = E + sum_j A_j * x_j**(-alpha_j)`` is
fitted in log space through the log-sum-exp parameterization

    log L = LSE(e, a_1 - alpha_1 log x_1, ..., a_k - alpha_k log x_k),

with ``E = exp(e)`` and ``A_j = exp(a_j)``. The parameter vector is laid out as
``theta = [e, a_1, alpha_1, ..., a_k, alpha_k]``. Functions here accept a batch
of parameter vectors, shape ``(S, 1 + 2k)``, so that many starts can be
evaluated in one call. Derived in the chapter *Fitting power laws*; the
minimization and the fit result are in :mod:`lawlib.logfit`.

References
----------
J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
eq. 3 and App. D.2 (the objective and the parameterization).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .errors import ValidationError

#: Rows of a batch evaluated together: small enough for the cache, large enough for numpy.
CHUNK_ROWS = 512
_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)


def huber(r, delta: float):
    """Huber loss: ``r**2 / 2`` for ``|r| <= delta``, else ``delta * (|r| - delta / 2)``.

    ``delta = inf`` gives half the squared residual.

    Parameters
    ----------
    r : array_like
        Residuals.
    delta : float
        Threshold.

    Returns
    -------
    ndarray, the shape of `r`

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2; P. J. Huber (1964), "Robust Estimation of a Location Parameter".

    Examples
    --------
    >>> float(huber(0.5, 1.0)), float(huber(3.0, 1.0))
    (0.125, 2.5)
    """
    magnitude = np.abs(r)
    clipped = np.minimum(magnitude, delta)
    return clipped * (magnitude - clipped / 2)


def _terms(theta, logx):
    """Exponents of the terms, shifted by their maximum, and the shift (S, n)."""
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    e = theta[:, :1]
    terms = [
        theta[:, 1 + 2 * j, None] - theta[:, 2 + 2 * j, None] * logx[None, :, j]
        for j in range(logx.shape[1])
    ]
    top = np.maximum.reduce([np.broadcast_to(e, terms[0].shape), *terms])
    return [np.exp(e - top)] + [np.exp(term - top) for term in terms], top


def log_model(theta, logx):
    """Log of ``E + sum_j A_j x_j**(-alpha_j)`` and the share of each term.

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

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2; P. J. Huber (1964), "Robust Estimation of a Location Parameter".
    """
    exps, top = _terms(theta, logx)
    total = sum(exps)
    return top + np.log(total), np.stack([term / total for term in exps], axis=2)


def huber_log_objective(theta, logx, logy, delta: float, reduction: str = "sum", weights=None):
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
    weights : ndarray, shape (n,) or (S, n), optional
        Weight of each point (bootstrap counts, or a user's weights), per row
        of `theta` if 2-D; ``mean`` then divides by the total weight.

    Returns
    -------
    value : ndarray, shape (S,)
    grad : ndarray, shape (S, 1 + 2k)

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2; P. J. Huber (1964), "Robust Estimation of a Location Parameter".
    """
    if reduction not in ("sum", "mean"):
        raise ValidationError(
            [f"reduction must be 'sum' or 'mean', got {reduction!r}"], "objective"
        )
    exps, top = _terms(theta, logx)
    total = sum(exps)
    residual = top + np.log(total) - logy
    losses, pull = (
        huber(residual, delta),
        np.clip(residual, -delta, delta) / total,
    )  # pull: d huber / d log L̂
    if weights is not None:
        losses, pull = losses * weights, pull * weights
    value = losses.sum(axis=1)
    grad = np.empty((residual.shape[0], 1 + 2 * logx.shape[1]))
    grad[:, 0] = (pull * exps[0]).sum(axis=1)
    for j in range(logx.shape[1]):
        weighted = pull * exps[1 + j]
        grad[:, 1 + 2 * j] = weighted.sum(axis=1)
        grad[:, 2 + 2 * j] = -(weighted @ logx[:, j])
    if reduction == "mean":
        count = logy.size if weights is None else np.sum(weights, axis=-1, keepdims=False)
        count = np.reshape(count, (-1,))
        return value / count, grad / count[:, None]
    return value, grad


class HuberLogProblem:
    """The objective :func:`huber_log_objective` on fixed data, in optimizer coordinates.

    With centering, input j is centered, ``log x_j - c_j`` with
    ``c_j = mean(log x_j)``, and ``a_j`` becomes ``a_j - alpha_j c_j``. The model
    and the optimum are unchanged, but ``a_j`` and ``alpha_j`` no longer move
    together, which makes the problem far better conditioned for the optimizer.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    delta : float
    reduction : {"sum", "mean"}
    center : bool or sequence of bool
        Center every input, none, or those marked (one flag per input).
    weights : ndarray, shape (n,) or (R, n), optional
        Point weights; 2-D gives one row per start (bootstrap resamples).

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2; P. J. Huber (1964), "Robust Estimation of a Location Parameter".
    """

    def __init__(self, logx, logy, delta: float, reduction: str = "sum", center=True, weights=None):
        flags = np.broadcast_to(np.asarray(center, dtype=bool), (logx.shape[1],))
        self.shift = np.where(flags, logx.mean(axis=0), 0.0)
        self.logx = logx - self.shift
        self.logy = logy
        self.delta = delta
        self.reduction = reduction
        self.weights = weights

    def __call__(self, theta, rows=None):
        """Objective and gradient at optimizer coordinates `theta`, shape (S, 1 + 2k).

        `rows` selects the weight rows of the starts being evaluated when the
        weights are per start. Large batches are split into chunks of
        :data:`CHUNK_ROWS` rows evaluated on all cores; each chunk is
        independent, so results do not depend on scheduling.
        """
        theta = np.atleast_2d(theta)
        weights = self.weights
        if weights is not None and weights.ndim == 2:
            weights = weights[rows]

        def part(i):
            chunk = weights if weights is None or weights.ndim == 1 else weights[i : i + CHUNK_ROWS]
            return huber_log_objective(
                theta[i : i + CHUNK_ROWS], self.logx, self.logy, self.delta, self.reduction, chunk
            )

        if theta.shape[0] <= CHUNK_ROWS:
            return part(0)
        parts = list(_POOL.map(part, range(0, theta.shape[0], CHUNK_ROWS)))
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def to_internal(self, theta):
        """Map parameters ``[e, a_1, alpha_1, ...]`` (shape (..., 1 + 2k)) to optimizer coordinates."""
        internal = np.array(theta, dtype=float)
        internal[..., 1::2] -= internal[..., 2::2] * self.shift
        return internal

    def to_external(self, internal):
        """Inverse of :meth:`to_internal`."""
        theta = np.array(internal, dtype=float)
        theta[..., 1::2] += theta[..., 2::2] * self.shift
        return theta
