"""Uncertainty of a fit without a bootstrap: covariance from the Jacobian at the optimum.

For a fit that minimizes ``sum_i w_i rho(r_i(theta))`` over residuals ``r_i`` (in
logs or raw), with ``rho`` the squared error / 2 or the Huber loss of threshold
``delta``, the asymptotic covariance of the estimate is (Huber 1981, sec. 7.6;
statsmodels' ``RLM`` with ``cov="H1"``)::

    cov(theta) = K**2 * [sum_i w_i psi_i**2 / (n - p)] / m**2 * (J' W J)**-1,

with ``J`` the Jacobian of the residuals at the optimum (n x p), ``psi_i`` the
clipped residual (``r_i`` itself for least squares), ``m`` the (weighted) share
of residuals inside the threshold, ``E psi'``, and ``K = 1 + (p / n) var(psi') / m**2``
Huber's small-sample correction (1 for least squares, where this is the usual
``s**2 (J' W J)**-1``). A robust fit pins some residuals at exactly zero, so the
raw count of residuals inside a small threshold overstates ``m``; ``m`` is read
off the residuals smoothed by a Gaussian kernel instead (Silverman's bandwidth
on the robust scale), which in simulation brings nominal 90% intervals of the
Huber recipe (delta = 1e-3, 1% noise) to 89-95% coverage, against 74-81% with
the raw count. The assumptions: runs independent, residuals identically
distributed (up to the weights), the law correct, the optimum interior, n much
larger than p. Scales (``E``, ``A``, ``B``, ...) are handled in logs, so their
intervals stay positive. Fits made of separate blocks (BiMix per domain) get
one block of the covariance, and one residual scale, per block.

The log-likelihood (for AIC and BIC) is that of the noise model for which the
fit is maximum likelihood: Gaussian residuals for least squares, the Huber
density ``exp(-rho(r) / s) / Z(s)`` for a Huber fit, with the scale ``s`` fitted by
maximum likelihood.

References
----------
P. J. Huber (1981), *Robust Statistics*, Wiley, sec. 7.6 (the covariance of
M-estimates and the correction factor K).
S. Seabold and J. Perktold (2010), statsmodels: ``RLM`` covariance ``"H1"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .objectives import huber

#: Relative step of the central differences that give the Jacobian.
STEP = 1e-6


@dataclass(frozen=True)
class Uncertainty:
    """The asymptotic uncertainty of a fit, in its working coordinates.

    Attributes
    ----------
    names : list of str
        Free parameters, in order.
    log_scale : ndarray of bool, shape (p,)
        Which parameters are handled in logs.
    estimate : ndarray, shape (p,)
        The estimate in natural units.
    cov_working : ndarray, shape (p, p)
        Covariance in working coordinates (log for scales); NaN where a block
        cannot be estimated.
    sigma : dict
        Residual scale per block (key None for a single block): the standard
        deviation of the noise for least squares, 1.4826 times the median
        absolute residual for a Huber fit.
    dof : dict
        Residual degrees of freedom, n - p, per block (key None for a single block).
    param_dof : ndarray, shape (p,)
        The degrees of freedom of each parameter's block (for its t interval).
    n_residuals : int
        Residuals in the fit.
    llf : float
        Log-likelihood under the fit's noise model (NaN for weighted fits).
    n_scale : int
        Scale parameters counted by AIC and BIC (one per block).
    method : str
        How the covariance was estimated.
    notes : list of str

    References
    ----------
    P. J. Huber (1981), *Robust Statistics*, sec. 7.6; B. W. Silverman (1986), *Density
    Estimation for Statistics and Data Analysis*, eq. 3.31 (the bandwidth).
    """

    names: list[str]
    log_scale: np.ndarray
    estimate: np.ndarray
    cov_working: np.ndarray
    sigma: dict
    dof: dict
    param_dof: np.ndarray
    n_residuals: int
    llf: float
    n_scale: int
    method: str
    notes: list[str] = field(default_factory=list)

    @property
    def jacobian_to_natural(self) -> np.ndarray:
        """d natural / d working, per parameter (the estimate for scales, 1 otherwise)."""
        return np.where(self.log_scale, self.estimate, 1.0)

    def cov_natural(self) -> np.ndarray:
        """Covariance in natural units, by the delta method."""
        d = self.jacobian_to_natural
        return self.cov_working * np.outer(d, d)

    def intervals(self, alpha: float) -> np.ndarray:
        """Two-sided ``1 - alpha`` intervals, shape (p, 2): t intervals in working coordinates."""
        se = np.sqrt(np.diag(self.cov_working))
        quantile = stats.t.ppf(1 - alpha / 2, np.maximum(self.param_dof, 1))
        working = to_working(self.estimate, self.log_scale)
        low, high = working - quantile * se, working + quantile * se
        return np.column_stack(
            [from_working(low, self.log_scale), from_working(high, self.log_scale)]
        )


def to_working(values, log_scale):
    """Natural values to working coordinates (log where `log_scale`).

    Parameters
    ----------
    values : array_like
    log_scale : array_like of bool

    Returns
    -------
    ndarray

    References
    ----------
    G. Casella and R. L. Berger (2002), *Statistical Inference*, sec. 5.5.4 (the delta method).
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(log_scale, np.log(np.where(log_scale, values, 1.0)), values)


def from_working(values, log_scale):
    """Inverse of :func:`to_working`.

    Parameters
    ----------
    values : array_like
    log_scale : array_like of bool

    Returns
    -------
    ndarray

    References
    ----------
    G. Casella and R. L. Berger (2002), *Statistical Inference*, sec. 5.5.4 (the delta method).
    """
    values = np.asarray(values, dtype=float)
    return np.where(log_scale, np.exp(np.where(log_scale, values, 0.0)), values)


def jacobian(function, point: np.ndarray) -> np.ndarray:
    """Central-difference Jacobian of a vector `function` at `point`, shape (len(f), len(point)).

    Parameters
    ----------
    function : callable
        Maps a point, shape (p,), to a vector, shape (n,).
    point : ndarray, shape (p,)

    Returns
    -------
    ndarray, shape (n, p)

    References
    ----------
    J. Nocedal and S. J. Wright (2006), *Numerical Optimization*, sec. 8.1 (central differences).
    """
    point = np.asarray(point, dtype=float)
    columns = []
    for j in range(point.size):
        h = STEP * max(1.0, abs(point[j]))
        up, down = point.copy(), point.copy()
        up[j] += h
        down[j] -= h
        columns.append((np.asarray(function(up)) - np.asarray(function(down))) / (2 * h))
    return np.column_stack(columns) if columns else np.zeros((0, 0))


def log_normalizer(s: float, delta: float) -> float:
    """``log Z(s)`` of the density ``exp(-rho_delta(r) / s) / Z(s)``.

    ``Z = sqrt(2 pi s) (2 Phi(delta / sqrt(s)) - 1) + 2 (s / delta) exp(-delta**2 / (2 s))``:
    the Gaussian core inside the threshold and two exponential tails.

    Parameters
    ----------
    s : float
        Scale (a variance for the Gaussian core).
    delta : float
        Huber threshold (``inf``: Gaussian).

    Returns
    -------
    float

    References
    ----------
    P. J. Huber (1981), *Robust Statistics*, sec. 7.6; B. W. Silverman (1986), *Density
    Estimation for Statistics and Data Analysis*, eq. 3.31 (the bandwidth).
    """
    if np.isinf(delta):
        return 0.5 * np.log(2 * np.pi * s)
    core = np.sqrt(2 * np.pi * s) * special.erf(delta / np.sqrt(2 * s))
    tails = 2 * (s / delta) * np.exp(-(delta**2) / (2 * s))
    return float(np.log(core + tails))


def log_likelihood(residuals: np.ndarray, delta: float) -> float:
    """Maximum over the scale s of the log-likelihood of `residuals` under the fit's density.

    Gaussian for ``delta = inf`` (s = mean squared residual); otherwise the Huber
    density with s found by a bounded search in log s.

    Parameters
    ----------
    residuals : ndarray, shape (n,)
    delta : float

    Returns
    -------
    float

    References
    ----------
    P. J. Huber (1981), *Robust Statistics*, sec. 7.6; B. W. Silverman (1986), *Density
    Estimation for Statistics and Data Analysis*, eq. 3.31 (the bandwidth).
    """
    total = float(np.sum(huber(residuals, delta)))
    n = residuals.size
    if total == 0:
        return np.inf
    if np.isinf(delta):
        s = 2 * total / n
        return -total / s - n * log_normalizer(s, delta)

    def negative(log_s):
        s = np.exp(log_s)
        return total / s + n * log_normalizer(s, delta)

    center = np.log(2 * total / n)
    found = optimize.minimize_scalar(
        negative, bounds=(center - 30, center + 10), method="bounded", options={"xatol": 1e-10}
    )
    return -float(found.fun)


def _share_inside(r: np.ndarray, delta: float) -> np.ndarray:
    """Each residual's probability of lying inside the threshold, under a smoothed residual distribution.

    A robust fit pins some residuals at exactly zero (a least-absolute-deviations
    fit pins p of them), so the raw share of residuals inside a small threshold
    overstates ``E psi'`` and understates the variance. Each residual is
    smoothed by a Gaussian kernel of Silverman's bandwidth (on the robust scale
    1.4826 MAD), and ``P(|r| <= delta)`` is read off the smoothed distribution;
    for least squares (``delta = inf``) it is 1.
    """
    if np.isinf(delta):
        return np.ones(r.size)
    scale = 1.4826 * float(np.median(np.abs(r - np.median(r))))
    if scale == 0:
        return (np.abs(r) <= delta).astype(float)
    h = 1.06 * scale * r.size ** (-0.2)
    return stats.norm.cdf((delta - r) / h) - stats.norm.cdf((-delta - r) / h)


def _block(J, r, w, delta, notes, label, constraints=None):
    """Covariance (working coordinates) of one block, its residual scale and its dof.

    `constraints` (c x p) are linear combinations of the block's parameters
    held fixed (a gauge): the covariance lives in their null space.
    """
    n, p = J.shape
    basis = np.eye(p)
    if constraints is not None and constraints.size:
        _, singular, vt = np.linalg.svd(constraints)
        rank = int(np.sum(singular > 1e-12))
        basis = vt[rank:].T
    p_free = basis.shape[1]
    if n <= p:
        notes.append(f"{label}{n} residuals for {p} parameters: no standard errors")
        return np.full((p, p), np.nan), np.nan, n - p
    inside = _share_inside(r, delta)
    psi = np.clip(r, -delta, delta)
    share = float(np.sum(w * inside) / np.sum(w))
    if share == 0:
        notes.append(
            f"{label}no residual lies within the Huber threshold {delta:g}: asymptotic standard "
            "errors are undefined (use a bootstrap, or a larger delta)"
        )
        return np.full((p, p), np.nan), np.nan, n - p
    correction = 1 + (p_free / n) * float(np.var(inside)) / share**2
    scale = correction**2 * float(np.sum(w * psi**2)) / (n - p_free) / share**2
    Jz = J @ basis
    information = Jz.T @ (w[:, None] * Jz)
    singular_values = np.linalg.svd(information, compute_uv=False)
    if singular_values[-1] <= 1e-12 * singular_values[0]:
        notes.append(
            f"{label}the Jacobian is singular at the optimum: some parameters cannot be told "
            "apart by these runs, so they have no standard errors"
        )
        return np.full((p, p), np.nan), np.nan, n - p
    cov = scale * basis @ np.linalg.inv(information) @ basis.T
    if np.isinf(delta):
        sigma = float(np.sqrt(np.sum(w * r**2) / (n - p_free)))
    else:
        sigma = float(1.4826 * np.median(np.abs(r - np.median(r))))
    return cov, sigma, n - p_free


def estimate(
    residual_function,
    params: pd.Series,
    free: list[str],
    log_scale: np.ndarray,
    *,
    delta: float,
    weights=None,
    groups=None,
    constraints=(),
) -> Uncertainty:
    """The asymptotic covariance of a fit (see the module docstring).

    Parameters
    ----------
    residual_function : callable
        ``residual_function(params) -> ndarray, shape (n,)``: the residuals for a
        Series of all parameters.
    params : Series
        All parameters at the optimum.
    free : list of str
        The fitted ones (the others are held fixed).
    log_scale : ndarray of bool, shape (len(free),)
        Which free parameters are scales (handled in logs).
    delta : float
        Huber threshold of the fit (``inf`` for least squares).
    weights : ndarray, shape (n,), optional
        Weight of each residual's term in the objective.
    groups : ndarray, shape (n,), optional
        Block of each residual: blocks are fitted separately (one scale each).
    constraints : sequence of sequences of str
        Sets of free parameters whose sum the fit holds fixed (a gauge, such as
        the centered rows of the mixing law's ``t``): the covariance is that of
        the constrained estimate.

    Returns
    -------
    Uncertainty

    References
    ----------
    P. J. Huber (1981), *Robust Statistics*, sec. 7.6; B. W. Silverman (1986), *Density
    Estimation for Statistics and Data Analysis*, eq. 3.31 (the bandwidth).
    """
    values = params[free].to_numpy(dtype=float)
    working = to_working(values, log_scale)

    def residuals(point):
        trial = params.copy()
        trial[free] = from_working(point, log_scale)
        return residual_function(trial)

    r = np.asarray(residual_function(params), dtype=float)
    J = jacobian(residuals, working)
    w = np.ones(r.size) if weights is None else np.asarray(weights, dtype=float)
    labels = np.zeros(r.size, dtype=int) if groups is None else pd.factorize(np.asarray(groups))[0]
    names = list(pd.unique(np.asarray(groups))) if groups is not None else [None]
    p = len(free)
    K = np.zeros((len(constraints), p))
    for row, names_in in enumerate(constraints):
        K[row, [free.index(name) for name in names_in]] = 1.0
    cov = np.zeros((p, p))
    param_dof = np.zeros(p, dtype=int)
    sigma: dict = {}
    dof: dict = {}
    notes: list[str] = []
    llf = 0.0
    for code, name in enumerate(names):
        rows = labels == code
        used = np.flatnonzero(np.any(J[rows] != 0, axis=0)) if groups is not None else np.arange(p)
        label = f"{name}: " if name is not None else ""
        within = K[:, used][np.any(K[:, used] != 0, axis=1)] if K.size else None
        block, sigma[name], dof[name] = _block(
            J[np.ix_(rows, used)], r[rows], w[rows], delta, notes, label, within
        )
        cov[np.ix_(used, used)] = block
        param_dof[used] = dof[name]
        llf += log_likelihood(r[rows], delta) if weights is None else np.nan
    kind = "least squares" if np.isinf(delta) else f"Huber (delta = {delta:g}), Huber's H1 form"
    method = (
        f"asymptotic, from the Jacobian at the optimum ({kind}; runs independent, the law "
        "correct; scales in logs)"
    )
    if weights is not None:
        notes.append("weighted fit: no log-likelihood, so no AIC or BIC")
    return Uncertainty(
        names=list(free),
        log_scale=np.asarray(log_scale, dtype=bool),
        estimate=values,
        cov_working=cov,
        sigma=sigma,
        dof=dof,
        param_dof=param_dof,
        n_residuals=int(r.size),
        llf=float(llf),
        n_scale=len(names),
        method=method,
        notes=notes,
    )
