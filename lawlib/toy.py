"""A scaling law you can train on a laptop: power-law random features (Paquette et al. 2024).

Data x in R^v with independent coordinates x_j ~ N(0, j^(-2 alpha)), target
y = <x, b> with b_j = j^(-beta) (plus optional label noise), random features
phi = W^T x with W (v x d) of N(0, 1/d) entries, and a linear readout of d
parameters (Chinchilla's N) trained by one-pass SGD with batch size B and a
constant learning rate; D = samples seen, C = N D.

Given W the problem is Gaussian least squares in the eigenbasis of
K = W^T D_alpha W, and the expected SGD loss has a closed form (engine
"expected"); :func:`sgd_training` runs real minibatch SGD on sampled data to
validate it. Derived in the chapter *Scaling laws you can train on a laptop*.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate

from .allocation import fit_envelope, fit_isoflop
from .chinchilla import fit_parametric
from .errors import ValidationError
from .powerlaw import fit_loglog_line
from .result import FitWarning


def _data(alpha: float, beta: float, v: int):
    j = np.arange(1, v + 1, dtype=float)
    return j ** (-alpha), j ** (-beta)  # sqrt of the variances, target coefficients


def tail_mass(alpha: float, beta: float, v: int, terms: int = 200000) -> float:
    """Target power beyond coordinate v, ``sum_{j>v} j^(-2(alpha+beta))``, added as unlearnable noise.

    Parameters
    ----------
    alpha, beta : float
        Decay of the data spectrum and of the target, ``x_j ~ N(0, j**-2 alpha)``, ``b_j = j**-beta``.
    v : int
        Coordinates kept.
    terms : int
        Terms summed exactly before the integral tail.

    Returns
    -------
    float

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    j = np.arange(v + 1, v + terms + 1, dtype=float)
    exponent = 2 * (alpha + beta)
    return float(np.sum(j**-exponent) + (v + terms + 0.5) ** (1 - exponent) / (exponent - 1))


@dataclass(frozen=True)
class Spectrum:
    """One draw of W reduced to Gaussian least squares: eigenvalues, initial error, irreducible loss.

    Attributes
    ----------
    lam : ndarray, shape (d,)
        Eigenvalues of K = W^T D_alpha W.
    c : ndarray, shape (d,)
        Optimum in the eigenbasis (the initial error is -c).
    p_star : float
        Loss of the best readout, plus label noise and the tail mass.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """

    lam: np.ndarray
    c: np.ndarray
    p_star: float


def draw_spectrum(
    alpha: float,
    beta: float,
    d: int,
    v: int,
    rng,
    *,
    sigma2: float = 0.0,
    tail: bool = True,
    W=None,
) -> Spectrum:
    """Draw W (or use the given one) and reduce the model to its spectrum.

    Parameters
    ----------
    alpha, beta : float
        Decay of the data spectrum and of the target, ``x_j ~ N(0, j**-2 alpha)``, ``b_j = j**-beta``.
    d : int
        Features (the model's parameters, N).
    v : int
        Coordinates of the data.
    rng : numpy.random.Generator
    sigma2 : float
        Label noise variance.
    tail : bool
        Add the target mass beyond v as unlearnable noise.
    W : ndarray, shape (v, d), optional
        The feature matrix, if already drawn.

    Returns
    -------
    Spectrum

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    scale, b = _data(alpha, beta, v)
    W = rng.normal(0.0, 1.0 / np.sqrt(d), size=(v, d)) if W is None else W
    X = scale[:, None] * W  # D_alpha^(1/2) W
    lam, U = np.linalg.eigh(X.T @ X)
    lam = np.clip(lam, 1e-300, None)
    projected = U.T @ (X.T @ (scale * b))  # U^T W^T D_alpha b
    p_star = float(np.sum((scale * b) ** 2) - np.sum(projected**2 / lam))
    p_star = max(p_star, 0.0) + sigma2 + (tail_mass(alpha, beta, v) if tail else 0.0)
    return Spectrum(lam=lam, c=projected / lam, p_star=p_star)


def check_step_size(spectrum: Spectrum, gamma: float, batch: int) -> float:
    """Raise if constant-rate SGD diverges in expectation; return the noise factor kappa.

    Stable iff ``(1 + 1/B) gamma lam_k < 2`` for every k and
    ``kappa = (gamma/B) sum_k lam_k / (2 - (1 + 1/B) gamma lam_k) < 1``.

    Parameters
    ----------
    spectrum : Spectrum
    gamma : float
        Learning rate.
    batch : int
        Batch size B.

    Returns
    -------
    float
        kappa.

    Raises
    ------
    ValidationError
        If the learning rate is too large for stability.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    product = (1 + 1 / batch) * gamma * spectrum.lam
    if np.any(product >= 2):
        raise ValidationError(
            [
                (
                    f"learning rate too large: (1 + 1/B) gamma lambda_max = {product.max():.3g} >= 2 "
                    f"(gamma = {gamma:.4g}, B = {batch}); lower lr"
                )
            ],
            "toy",
        )
    kappa = float(gamma / batch * np.sum(spectrum.lam / (2 - product)))
    if kappa >= 1:
        raise ValidationError(
            [
                (
                    f"learning rate too large: SGD noise factor kappa = {kappa:.3g} >= 1 "
                    f"(gamma = {gamma:.4g}, B = {batch}); lower lr or raise the batch size"
                )
            ],
            "toy",
        )
    return kappa


def expected_curve(spectrum: Spectrum, gamma: float, batch: int = 1, mode: str = "sgd"):
    """Closed form of the expected loss: ``L(t) = L_inf + sum_i w_i omega_i^t``.

    Parameters
    ----------
    spectrum : Spectrum
    gamma : float
        Learning rate.
    batch : int
        Batch size.
    mode : {"sgd", "gd"}
        One-pass SGD or full-batch gradient descent.

    Returns
    -------
    weights, rates : ndarray, shape (d,)
    limit : float

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws".
    """
    lam, c2, p_star = spectrum.lam, spectrum.c**2, spectrum.p_star
    if mode == "gd":
        return lam * c2, (1 - gamma * lam) ** 2, p_star
    if mode != "sgd":
        raise ValidationError([f"mode must be 'sgd' or 'gd', got {mode!r}"], "toy")
    kappa = check_step_size(spectrum, gamma, batch)
    T = np.diag((1 - gamma * lam) ** 2 + gamma**2 * lam**2 / batch) + (gamma**2 / batch) * np.outer(
        lam, lam
    )
    u = (gamma**2 / batch) * p_star * lam
    m_inf = np.linalg.solve(np.eye(lam.size) - T, u)
    omega, Q = np.linalg.eigh(T)
    weights = (Q.T @ lam) * (Q.T @ (c2 - m_inf))
    return weights, np.clip(omega, 0.0, None), p_star / (1 - kappa)


def recursion_loss(spectrum: Spectrum, gamma: float, batch: int, steps: int) -> np.ndarray:
    """Expected loss after 0..steps steps by iterating the second-moment recursion (for tests).

    Parameters
    ----------
    spectrum : Spectrum
    gamma : float
    batch : int
    steps : int

    Returns
    -------
    ndarray, shape (steps + 1,)

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    lam, p_star = spectrum.lam, spectrum.p_star
    m = spectrum.c**2
    losses = [p_star + lam @ m]
    diagonal = (1 - gamma * lam) ** 2 + gamma**2 * lam**2 / batch
    for _ in range(steps):
        m = diagonal * m + (gamma**2 / batch) * lam * (lam @ m) + (gamma**2 / batch) * p_star * lam
        losses.append(p_star + lam @ m)
    return np.array(losses)


def draws_for(d: int, total: int = 2048, most: int = 16) -> int:
    """Draws of W for size d: ``clip(total / d, 1, most)``, more where finite-size noise is larger.

    Parameters
    ----------
    d : int
        Size.
    total : int
    most : int

    Returns
    -------
    int

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    return int(np.clip(total // d, 1, most))


def learning_rate(alpha: float, v: int, lr: float) -> float:
    """gamma = lr / tr(D_alpha), the same for every size.

    Parameters
    ----------
    alpha : float
    v : int
    lr : float
        Learning rate in units of 1 / tr(D_alpha).

    Returns
    -------
    float

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    return lr / float(np.sum(np.arange(1, v + 1, dtype=float) ** (-2 * alpha)))


@dataclass(frozen=True)
class ToyCurves:
    """Expected loss curves of every size, averaged over draws of W.

    ``loss(i, D)`` evaluates size ``sizes[i]`` after D samples (t = D / B steps).

    Attributes
    ----------
    sizes : tuple of int
    gamma : float
    batch : int
    curves : tuple
        Per size: (weights, rates, limit), over draws.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """

    sizes: tuple
    gamma: float
    batch: int
    curves: tuple  # per size: (weights, rates, limit), concatenated over draws with weights / n

    def loss(self, index: int, D):
        weights, rates, limit = self.curves[index]
        t = np.asarray(D, dtype=float)[..., None] / self.batch
        return limit + np.sum(weights * rates**t, axis=-1)

    def frame(self, *, tokens=None, budgets=None) -> pd.DataFrame:
        """Tidy rows N, D, C, loss, step: every size at `tokens` samples, or at D = C / N for each budget C."""
        rows = []
        for index, d in enumerate(self.sizes):
            D = (
                np.asarray(budgets, dtype=float) / d
                if budgets is not None
                else (np.logspace(1, 8, 71) if tokens is None else np.asarray(tokens, dtype=float))
            )
            rows.append(
                pd.DataFrame(
                    {
                        "N": float(d),
                        "D": D,
                        "C": d * D,
                        "loss": self.loss(index, D),
                        "step": D / self.batch,
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)


def expected_curves(
    alpha: float,
    beta: float,
    sizes,
    *,
    v: int = 4096,
    draws=None,
    lr: float = 0.25,
    batch: int = 1,
    mode: str = "sgd",
    sigma2: float = 0.0,
    tail: bool = True,
    seed: int = 0,
) -> ToyCurves:
    """Build the averaged expected-loss curves of every size (engine "expected").

    ``tail`` adds the target mass beyond coordinate v as unlearnable noise (mimicking v = infinity).

    Parameters
    ----------
    alpha, beta : float
        Decay of the data spectrum and of the target, ``x_j ~ N(0, j**-2 alpha)``, ``b_j = j**-beta``.
    sizes : sequence of int
    v : int
    draws : int, optional
        Draws of W per size (default :func:`draws_for`).
    lr : float
    batch : int
    mode : {"sgd", "gd"}
    sigma2 : float
    tail : bool
    seed : int

    Returns
    -------
    ToyCurves

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    if 2 * alpha + 2 * beta <= 1:
        raise ValidationError(
            [f"need 2 alpha + 2 beta > 1 for a finite target, got alpha={alpha}, beta={beta}"],
            "toy",
        )
    if any(d > v for d in sizes):
        raise ValidationError([f"every size must be at most v = {v}, got {max(sizes)}"], "toy")
    rng = np.random.default_rng(seed)
    gamma = learning_rate(alpha, v, lr)
    curves = []
    for d in sizes:
        n = draws_for(d) if draws is None else int(draws)
        parts = [
            expected_curve(
                draw_spectrum(alpha, beta, d, v, rng, sigma2=sigma2, tail=tail), gamma, batch, mode
            )
            for _ in range(n)
        ]
        curves.append(
            (
                np.concatenate([w / n for w, _, _ in parts]),
                np.concatenate([r for _, r, _ in parts]),
                float(np.mean([limit for _, _, limit in parts])),
            )
        )
    return ToyCurves(
        sizes=tuple(int(d) for d in sizes), gamma=gamma, batch=batch, curves=tuple(curves)
    )


DEFAULT_SIZES = tuple(16 * 2**k for k in range(8))


def simulate_sweep(
    alpha: float = 1.0,
    beta: float = 0.25,
    sizes=DEFAULT_SIZES,
    *,
    tokens=None,
    budgets=None,
    v: int = 4096,
    draws=None,
    lr: float = 0.25,
    batch: int = 1,
    mode: str = "sgd",
    sigma2: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Expected losses of a sweep of sizes and sample counts, as a tidy frame that lawlib's fitters accept.

    Parameters
    ----------
    alpha, beta : float
        Data and target exponents.
    sizes : sequence of int
        Parameter counts N = d.
    tokens : array_like, optional
        Samples seen D for every size (default 71 log-spaced values, 10 to 1e8).
    budgets : array_like, optional
        Instead of `tokens`: compute budgets C = N D; each size gets D = C / N (IsoFLOP design).
    v, draws, lr, batch, mode, sigma2, seed
        Data dimension, W draws per size (default :func:`draws_for`), dimensionless
        learning rate (gamma = lr / tr D_alpha), batch size, "sgd" or "gd", label
        noise variance, seed of the draws.

    Returns
    -------
    DataFrame with columns N, D, C, loss, step.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).
    """
    curves = expected_curves(
        alpha,
        beta,
        sizes,
        v=v,
        draws=draws,
        lr=lr,
        batch=batch,
        mode=mode,
        sigma2=sigma2,
        seed=seed,
    )
    return curves.frame(tokens=tokens, budgets=budgets)


#: Starts for Approach 3 on the lab's data: the floor is tiny (log E near -13), far below Hoffmann et al.'s grid.
TOY_STARTS = np.array(
    [
        (e, 0.0, a, 0.0, b)
        for e, a, b in itertools.product((-14, -6, -2), (0.3, 0.8, 1.5), (0.3, 0.8))
    ]
)


def fit_three_approaches(
    curves: ToyCurves, *, tokens=None, budgets=None, min_steps_lr: float = 10.0, min_size: int = 32
) -> dict:
    """Fit Approaches 1-3 to the lab's curves with lawlib's fitters, unchanged, with C = N D.

    Approach 3 uses the grid of sample counts, without early transients
    (gamma D < `min_steps_lr`) and the noisiest size (d < `min_size`);
    Approaches 1 and 2 use the IsoFLOP design (every size at D = C / N). The
    frontier exponent eta is the slope of log(L* - E) against log C over the
    IsoFLOP vertices.

    Parameters
    ----------
    curves : ToyCurves
    tokens : array_like, optional
        Sample counts of the sweep for Approach 3.
    budgets : array_like, optional
        IsoFLOP budgets for Approaches 1 and 2.
    min_steps_lr : float
    min_size : int

    Returns
    -------
    dict with the fits ("approach1", "approach2", "approach3"), "eta", and
    the frames "sweep" and "isoflop".

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws".
    """
    budgets = (
        np.logspace(np.log10(100 * min(curves.sizes)), np.log10(1e5 * max(curves.sizes)), 40)
        if budgets is None
        else budgets
    )
    sweep, isoflop = curves.frame(tokens=tokens), curves.frame(budgets=budgets)
    window = sweep[(curves.gamma * sweep["D"] >= min_steps_lr) & (sweep["N"] >= min_size)]
    with warnings.catch_warnings():
        # expected here, and kept in each fit's notes: the tiny floor E is weakly identified,
        # and the toy's sizes (features) and sample counts are small next to a language model's
        warnings.simplefilter("ignore", FitWarning)
        approach3 = fit_parametric(window["N"], window["D"], window["loss"], starts=TOY_STARTS)
        approach2 = fit_isoflop(
            isoflop["N"],
            isoflop["D"],
            isoflop["loss"],
            isoflop["C"],
            flops_per_token=1.0,
            n_nearest=3,
        )
        approach1 = fit_envelope(
            isoflop["N"], isoflop["D"], isoflop["loss"], isoflop["C"], flops_per_token=1.0
        )
    above_floor = approach2.optima["loss_opt"] - approach3.params["E"]
    eta = -fit_loglog_line(approach2.optima["C"].to_numpy(), above_floor.to_numpy()).derived[
        "slope"
    ]
    return {
        "approach1": approach1,
        "approach2": approach2,
        "approach3": approach3,
        "eta": float(eta),
        "sweep": sweep,
        "isoflop": isoflop,
    }


def sgd_training(
    alpha: float,
    beta: float,
    d: int,
    v: int,
    *,
    lr: float = 0.25,
    batch: int = 1,
    steps: int = 1000,
    runs: int = 40,
    sigma2: float = 0.0,
    seed: int = 0,
    log_steps=None,
):
    """Real minibatch SGD on sampled data for one draw of W, several independent runs at once.

    Parameters
    ----------
    alpha, beta : float
        Decay of the data spectrum and of the target, ``x_j ~ N(0, j**-2 alpha)``, ``b_j = j**-beta``.
    d, v : int
    lr : float
    batch : int
    steps : int
    runs : int
        Independent runs.
    sigma2 : float
    seed : int
    log_steps : array_like, optional

    Returns
    -------
    steps_logged : ndarray
    losses : ndarray, shape (runs, len(steps_logged))
        Exact population loss P(theta) of each run at those steps.
    spectrum : Spectrum
        The same draw reduced to least squares (no tail mass), for the closed form.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws".
    """
    rng = np.random.default_rng(seed)
    scale, b = _data(alpha, beta, v)
    W = rng.normal(0.0, 1.0 / np.sqrt(d), size=(v, d))
    spectrum = draw_spectrum(alpha, beta, d, v, rng, sigma2=sigma2, tail=False, W=W)
    gamma = learning_rate(alpha, v, lr)
    check_step_size(spectrum, gamma, batch)
    X = scale[:, None] * W
    K = X.T @ X
    h = X.T @ (scale * b)
    theta_star = np.linalg.solve(K, h)
    log_steps = (
        np.unique(np.geomspace(1, steps, 25).astype(int))
        if log_steps is None
        else np.asarray(log_steps)
    )
    theta = np.zeros((runs, d))
    losses, logged = [], []
    for step in range(1, steps + 1):
        x = rng.normal(size=(runs, batch, v)) * scale
        y = x @ b + rng.normal(0.0, np.sqrt(sigma2), size=(runs, batch))
        phi = x @ W
        residual = np.einsum("rbd,rd->rb", phi, theta) - y
        theta -= (gamma / batch) * np.einsum("rb,rbd->rd", residual, phi)
        if step in log_steps:
            error = theta - theta_star
            losses.append(spectrum.p_star + np.einsum("rd,de,re->r", error, K, error))
            logged.append(step)
    return np.array(logged), np.array(losses).T, spectrum


def _mu(alpha: float, d: float, v: float, rtol: float = 1e-10) -> float:
    """Fixed point ``1/mu = int_0^(v/d) dx / (mu + x^(2 alpha))``, started from the v = inf value."""
    c = (np.pi / (2 * alpha)) / np.sin(np.pi / (2 * alpha))
    mu = c ** (-2 * alpha)
    for _ in range(500):
        integral, _ = integrate.quad(
            lambda x, mu=mu: 1.0 / (mu + x ** (2 * alpha)), 0.0, v / d, limit=200
        )
        new = 1.0 / integral
        if abs(new - mu) <= rtol * mu:
            return new
        mu = new
    return mu


@dataclass(frozen=True)
class PLRFTheory:
    """Phase Ia predictions of the power-law random-features model (exponents derived in the chapter).

    ``L ~ E + A_N N^(-a_N) + A_D D^(-b_D)`` with a_N = 2 alpha + 2 beta - 1 and
    b_D = a_N / (2 alpha); with C = N D, N_opt ~ C^(1/(2 alpha + 1)) and
    L* - E ~ C^(-(2 alpha + 2 beta - 1)/(2 alpha + 1)).

    Parameters
    ----------
    alpha, beta : float
        Decay of the data spectrum and of the target, ``x_j ~ N(0, j**-2 alpha)``, ``b_j = j**-beta``.

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao and J. Pennington (2024), "4+3 Phases of
    Compute-Optimal Neural Scaling Laws" (the model, its phases and Phase Ia's exponents).

    Examples
    --------
    >>> theory = PLRFTheory(1.0, 0.25)
    >>> theory.a_N, theory.b_D, round(theory.xi, 6), theory.eta
    (1.5, 0.75, 0.333333, 0.5)
    """

    alpha: float
    beta: float

    @property
    def phase_ia(self) -> bool:
        """Whether (alpha, beta) lies in Phase Ia: 2 alpha > 1, 2 beta < 1, 2 alpha + 2 beta > 1."""
        return 2 * self.alpha > 1 and 2 * self.beta < 1 and 2 * self.alpha + 2 * self.beta > 1

    @property
    def a_N(self) -> float:
        """Exponent of the parameter term: 2 alpha + 2 beta - 1."""
        return 2 * self.alpha + 2 * self.beta - 1

    @property
    def b_D(self) -> float:
        """Exponent of the data term: a_N / (2 alpha)."""
        return self.a_N / (2 * self.alpha)

    @property
    def xi(self) -> float:
        """N_opt ~ C^xi with xi = 1 / (2 alpha + 1)."""
        return 1 / (2 * self.alpha + 1)

    @property
    def eta(self) -> float:
        """Frontier exponent: L* - E ~ C^(-eta), eta = a_N / (2 alpha + 1)."""
        return self.a_N / (2 * self.alpha + 1)

    @property
    def tokens_per_parameter_exponent(self) -> float:
        """D_opt / N_opt ~ C^((2 alpha - 1) / (2 alpha + 1))."""
        return (2 * self.alpha - 1) / (2 * self.alpha + 1)

    def limit_loss(self, d, v: int = 4096):
        """Deterministic-equivalent loss as D -> infinity, F0(d) = sum_j j^(-2(a+b)) / (1 + mu d^(2a) j^(-2a)).

        Valid for 2 alpha > 1 (the un-halved loss).
        """
        if 2 * self.alpha <= 1:
            raise ValidationError(
                [f"the limit loss formula needs 2 alpha > 1, got alpha = {self.alpha}"], "toy"
            )
        j = np.arange(1, v, dtype=float)
        values = []
        for size in np.atleast_1d(d):
            mu = _mu(self.alpha, float(size), float(v))
            values.append(
                np.sum(
                    j ** (-2 * (self.alpha + self.beta))
                    / (1 + mu * size ** (2 * self.alpha) * j ** (-2 * self.alpha))
                )
            )
        return np.array(values) if np.ndim(d) else float(values[0])

    @classmethod
    def from_chinchilla(cls, a_N: float, b_D: float) -> PLRFTheory:
        """The (alpha, beta) whose Phase Ia exponents are (a_N, b_D): 2 alpha = a_N / b_D, 2 beta = 1 + a_N - a_N / b_D."""
        alpha, beta = a_N / b_D / 2, (1 + a_N - a_N / b_D) / 2
        theory = cls(alpha, beta)
        if not theory.phase_ia or beta < 0:
            raise ValidationError(
                [
                    (
                        f"no Phase Ia point has a_N = {a_N:g}, b_D = {b_D:g}: the solution alpha = "
                        f"{alpha:.4g}, beta = {beta:.4g} needs 2 alpha > 1 (a_N > b_D), 2 beta < 1 "
                        "(b_D < 1) and beta >= 0"
                    )
                ],
                "toy",
            )
        return theory
