"""Variable projection for laws ``L = E + sum_j A_j x_j**(-alpha_j)``.

For fixed exponents the law is linear in ``(E, A_1, ..., A_k)``: the fit has k
nonlinear parameters, not 1 + 2k. :func:`profile` scans the exponents on a grid
and, at every grid point, solves the linear part exactly by non-negative least
squares (``E, A_j >= 0``) on relative residuals ``(prediction - L) / L``, the
first-order form of the log residuals of the published objective. The best
grid points then start a polish of all parameters on the published objective
(:func:`lawlib.logfit.minimize_huber_log`).

Non-negative least squares with three unknowns is solved exactly by
enumeration: the optimum is the least-squares solution on one of the seven
non-empty subsets of the unknowns, the feasible one with the smallest
residual. All grid points (and all bootstrap resamples) are solved at once.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Exponents scanned for each input: -0.98 to 2.5 in steps of 0.04, so never 0 (a constant, which E
#: already is). Negative exponents are in because the published objective allows them: an
#: unconstrained fit of a poorly identified term can end there.
EXPONENT_GRID = np.round(np.arange(-0.98, 2.52, 0.04), 2)

#: Grid points (best by the profile) that start the polish of all parameters.
N_POLISH = 8


def _features(logx, exponents):
    """``(x_j / x_ref)**(-alpha)`` for every exponent: list over inputs of (G, n) arrays, and log x_ref."""
    ref = logx.mean(axis=0)
    return [
        np.exp(-exponents[:, None] * (logx[:, j] - ref[j])[None]) for j in range(logx.shape[1])
    ], ref


def _gram(features, y, weights):
    """Normal equations of the weighted least squares at every grid point, for every weight row.

    The unknowns are ``(E, A_1, ..., A_k)`` with basis functions ``1`` and
    ``features[j]``; residuals are relative, ``(prediction - y) / y``.

    Returns
    -------
    G : ndarray, shape (R, P, m, m)
    r : ndarray, shape (R, P, m)
    yy : ndarray, shape (R,)
        With P the grid points (all combinations of the features' rows) and m = 1 + k.
    """
    w = weights / y**2
    R, k = w.shape[0], len(features)
    sizes = [f.shape[0] for f in features]

    def spread(values, axes):
        """Values of shape (R, sizes of `axes`...) broadcast over the whole grid, flattened."""
        shape = [R] + [sizes[a] if a in axes else 1 for a in range(k)]
        return np.broadcast_to(values.reshape(shape), (R, *sizes)).reshape(R, -1)

    m = 1 + k
    G = np.empty((R, int(np.prod(sizes)), m, m))
    r = np.empty((R, G.shape[1], m))
    G[..., 0, 0] = w.sum(axis=1)[:, None]
    r[..., 0] = (w * y).sum(axis=1)[:, None]
    for j, f in enumerate(features):
        G[..., 0, 1 + j] = G[..., 1 + j, 0] = spread(w @ f.T, [j])
        G[..., 1 + j, 1 + j] = spread(w @ (f**2).T, [j])
        r[..., 1 + j] = spread((w * y) @ f.T, [j])
    for i, j in itertools.combinations(range(k), 2):
        cross = (w[:, None, :] * features[i][None]) @ features[j].T  # (R, G_i, G_j)
        G[..., 1 + i, 1 + j] = G[..., 1 + j, 1 + i] = spread(cross, [i, j])
    yy = (w * y**2).sum(axis=1)
    return G, r, yy


def _solve_small(G, r):
    """Solve ``G c = r`` for stacks of 1x1, 2x2 or 3x3 systems by Cramer's rule.

    Returns the solution and a mask of the systems that are not singular.
    """
    size = G.shape[-1]
    if size == 1:
        det = G[..., 0, 0]
        ok = np.abs(det) > 0
        return (r / np.where(ok, det, 1.0)[..., None]), ok
    if size == 2:
        a, b, c, d = G[..., 0, 0], G[..., 0, 1], G[..., 1, 0], G[..., 1, 1]
        det = a * d - b * c
        ok = np.abs(det) > 1e-14 * np.abs(a * d)
        det = np.where(ok, det, 1.0)
        return np.stack(
            [(d * r[..., 0] - b * r[..., 1]) / det, (a * r[..., 1] - c * r[..., 0]) / det], -1
        ), ok

    def det3(c0, c1, c2):  # determinant from three columns, each (..., 3)
        return (
            c0[..., 0] * (c1[..., 1] * c2[..., 2] - c1[..., 2] * c2[..., 1])
            - c1[..., 0] * (c0[..., 1] * c2[..., 2] - c0[..., 2] * c2[..., 1])
            + c2[..., 0] * (c0[..., 1] * c1[..., 2] - c0[..., 2] * c1[..., 1])
        )

    cols = [G[..., :, i] for i in range(3)]
    det = det3(*cols)
    scale = np.prod(np.abs(np.diagonal(G, axis1=-2, axis2=-1)), axis=-1)
    ok = np.abs(det) > 1e-14 * scale
    det = np.where(ok, det, 1.0)
    solution = [det3(*[r if j == i else cols[j] for j in range(3)]) / det for i in range(3)]
    return np.stack(solution, -1), ok


def nonnegative_least_squares(G, r, yy):
    """Exact non-negative least squares from normal equations, by enumerating active sets.

    Where the unconstrained solution is non-negative it is the optimum (the
    problem is convex); elsewhere the optimum is the least-squares solution on
    a smaller subset of the unknowns (possibly none), the feasible one with the
    smallest residual.

    Parameters
    ----------
    G : ndarray, shape (..., m, m), m <= 3
    r : ndarray, shape (..., m)
    yy : ndarray, broadcastable to G.shape[:-2]
        Weighted sum of squares of the data.

    Returns
    -------
    coef : ndarray, shape (..., m)
    sse : ndarray, shape (...)
        The weighted sum of squared residuals at `coef`.

    References
    ----------
    G. H. Golub and V. Pereyra (1973), "The Differentiation of Pseudo-Inverses and Nonlinear
    Least Squares Problems Whose Variables Separate"; C. L. Lawson and R. J. Hanson (1974),
    *Solving Least Squares Problems*, ch. 23 (non-negative least squares).
    """
    m = G.shape[-1]
    batch = G.shape[:-2]
    G, r = G.reshape(-1, m, m), r.reshape(-1, m)
    yy = np.broadcast_to(yy, batch).reshape(-1)
    coef, ok = _solve_small(G, r)
    sse = yy - np.einsum("si,si->s", coef, r)
    done = ok & np.all(coef >= 0, axis=1)
    coef[~done], sse[~done] = 0.0, yy[~done]  # all coefficients zero is always feasible
    rest = np.flatnonzero(~done)
    G_rest, r_rest, yy_rest = G[rest], r[rest], yy[rest]
    coef_rest, sse_rest = coef[rest], sse[rest]
    for size in range(m - 1, 0, -1):
        for subset in itertools.combinations(range(m), size):
            idx = list(subset)
            sub_r = r_rest[:, idx]
            c, fine = _solve_small(G_rest[:, idx][:, :, idx], sub_r)
            value = yy_rest - np.einsum("si,si->s", c, sub_r)
            better = fine & np.all(c >= 0, axis=1) & (value < sse_rest)
            coef_rest[better] = 0.0
            coef_rest[np.ix_(better, idx)] = c[better]
            sse_rest[better] = value[better]
    coef[rest], sse[rest] = coef_rest, sse_rest
    return coef.reshape(*batch, m), sse.reshape(batch)


def _scan(logx, logy, exponents, weights, equal):
    """Coefficients and residuals of the linear solve at every grid point and weight row."""
    logx = np.atleast_2d(np.asarray(logx, dtype=float))
    y = np.exp(np.asarray(logy, dtype=float))
    weights = np.ones((1, y.size)) if weights is None else np.atleast_2d(weights)
    exponents = np.asarray(exponents, dtype=float)
    k = logx.shape[1]
    features, ref = _features(logx, exponents)
    G, r, yy = _gram(features, y, weights)
    mesh = np.stack(np.meshgrid(*([exponents] * k), indexing="ij"), axis=-1).reshape(-1, k)
    if equal:
        diagonal = np.all(mesh == mesh[:, :1], axis=1)
        G, r, mesh = G[:, diagonal], r[:, diagonal], mesh[diagonal]
    coef, sse = nonnegative_least_squares(G, r, yy[:, None])
    return coef, sse, mesh, ref


def _theta(coef, mesh, ref, floor):
    """``[e, a_1, alpha_1, ...]`` from linear coefficients at exponents `mesh` (inputs scaled by `ref`)."""
    k = mesh.shape[-1]
    logs = np.log(np.maximum(coef, floor))
    theta = np.empty((*coef.shape[:-1], 1 + 2 * k))
    theta[..., 0] = logs[..., 0]
    for j in range(k):
        theta[..., 1 + 2 * j] = logs[..., 1 + j] + mesh[..., j] * ref[j]
        theta[..., 2 + 2 * j] = mesh[..., j]
    return theta


def profile(logx, logy, *, exponents=EXPONENT_GRID, weights=None, equal=False):
    """The profile of a law ``E + sum_j A_j x_j**-alpha_j`` over a grid of exponents.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
        Log of the inputs.
    logy : ndarray, shape (n,)
        Log of the observed losses.
    exponents : ndarray, shape (G,)
        Exponent values scanned for every input.
    weights : ndarray, shape (R, n), optional
        Multiplicities of the points (bootstrap resamples); default one row of ones.
    equal : bool
        Scan only equal exponents for all inputs (the diagonal of the grid).

    Returns
    -------
    theta : ndarray, shape (R, P, 1 + 2k)
        ``[e, a_1, alpha_1, ...]`` at every grid point (P = G**k, or G when
        `equal`); a zero coefficient is replaced by a negligible positive one.
    sse : ndarray, shape (R, P)
        Weighted sum of squared relative residuals after the linear solve.

    References
    ----------
    G. H. Golub and V. Pereyra (1973), "The Differentiation of Pseudo-Inverses and Nonlinear
    Least Squares Problems Whose Variables Separate"; C. L. Lawson and R. J. Hanson (1974),
    *Solving Least Squares Problems*, ch. 23 (non-negative least squares).
    """
    coef, sse, mesh, ref = _scan(logx, logy, exponents, weights, equal)
    return _theta(coef, mesh[None], ref, _floor(logy)), sse


def best_per_row(logx, logy, weights, *, exponents=EXPONENT_GRID, equal=False):
    """The best grid point of :func:`profile` for every weight row: shape (R, 1 + 2k).

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    weights : ndarray, shape (R, n)
    exponents : ndarray, optional
    equal : bool

    Returns
    -------
    ndarray, shape (R, 1 + 2k)

    References
    ----------
    G. H. Golub and V. Pereyra (1973), "The Differentiation of Pseudo-Inverses and Nonlinear
    Least Squares Problems Whose Variables Separate"; C. L. Lawson and R. J. Hanson (1974),
    *Solving Least Squares Problems*, ch. 23 (non-negative least squares).
    """
    coef, sse, mesh, ref = _scan(logx, logy, exponents, weights, equal)
    best = np.argmin(sse, axis=1)
    rows = np.arange(coef.shape[0])
    return _theta(coef[rows, best], mesh[best], ref, _floor(logy))


def _floor(logy):
    """Size at which a zero coefficient starts the polish: negligible against the loss."""
    return 1e-12 * float(np.exp(np.mean(logy)))


def best_starts(theta, sse, count: int = N_POLISH, shape=None):
    """Starts for the polish: the profile's local minima on the grid, best first, then its best points.

    Parameters
    ----------
    theta, sse : ndarray
        From :func:`profile`, one weight row: shapes (P, 1 + 2k) and (P,).
    count : int
        Starts returned (fewer if the grid has fewer points).
    shape : tuple of int, optional
        Shape of the grid (default: a square of side ``P ** (1 / k)``).

    Returns
    -------
    ndarray, shape (count, 1 + 2k)

    References
    ----------
    G. H. Golub and V. Pereyra (1973), "The Differentiation of Pseudo-Inverses and Nonlinear
    Least Squares Problems Whose Variables Separate"; C. L. Lawson and R. J. Hanson (1974),
    *Solving Least Squares Problems*, ch. 23 (non-negative least squares).
    """
    k = (theta.shape[-1] - 1) // 2
    if shape is None:
        side = round(sse.size ** (1 / k))
        shape = (side,) * k if side**k == sse.size else (sse.size,)
    surface = sse.reshape(shape)
    padded = np.pad(surface, 1, constant_values=np.inf)
    minimum = np.ones(shape, dtype=bool)
    for offset in itertools.product((-1, 0, 1), repeat=len(shape)):
        if any(offset):
            window = tuple(slice(1 + o, 1 + o + n) for o, n in zip(offset, shape, strict=True))
            minimum &= surface <= padded[window]
    order = np.argsort(sse, kind="stable")
    local = order[minimum.ravel()[order]]
    rest = order[~minimum.ravel()[order]]
    return theta[np.concatenate([local, rest])[:count]]


def starts(logx, logy, *, equal: bool = False, count: int = N_POLISH, weights=None):
    """Starts ``[e, a_1, alpha_1, ...]`` for the polish of a fit by variable projection.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    equal : bool
        Scan equal exponents only.
    count : int
        Starts returned.
    weights : ndarray, shape (n,), optional
        Weight of each point.

    Returns
    -------
    ndarray, shape (count, 1 + 2k)

    References
    ----------
    G. H. Golub and V. Pereyra (1973), "The Differentiation of Pseudo-Inverses and Nonlinear
    Least Squares Problems Whose Variables Separate"; C. L. Lawson and R. J. Hanson (1974),
    *Solving Least Squares Problems*, ch. 23 (non-negative least squares).
    """
    theta, sse = profile(
        logx, logy, equal=equal, weights=None if weights is None else weights[None]
    )
    return best_starts(theta[0], sse[0], count)
