"""Fitting a law ``E + sum_j A_j x_j**(-alpha_j)`` by the Huber loss of log residuals.

The objective is :mod:`lawlib.objectives`; this module minimizes it from many
starts (:func:`minimize_huber_log`, with parameters tied or held fixed through
a :class:`ParameterMap`) and wraps the outcome as the shared
:class:`lawlib.FitResult` (:func:`huber_log_result`). Used by
:func:`lawlib.fit_power_law` and :func:`lawlib.fit_parametric`.

References
----------
J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
App. D.2 (Huber loss of log residuals, L-BFGS from a grid of starts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .errors import ValidationError
from .objectives import HuberLogProblem
from .optimize import multistart
from .result import FitResult


@dataclass(frozen=True)
class ParameterMap:
    """Full parameters ``theta = embed @ phi + offset`` from the free ones ``phi``.

    Attributes
    ----------
    names : list of str
        Names of the full vector, e.g. ``["e", "a", "alpha", "b", "beta"]``.
    free : list of str
        Names of the free coordinates, in order.
    embed : ndarray, shape (P, F)
        0/1 matrix: which free coordinate each full one takes (ties share one).
    offset : ndarray, shape (P,)
        Values of the fixed coordinates (0 elsewhere).

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """

    names: list[str]
    free: list[str]
    embed: np.ndarray
    offset: np.ndarray

    def full(self, phi) -> np.ndarray:
        """Full vectors from free ones, shape (..., P)."""
        return np.asarray(phi, dtype=float) @ self.embed.T + self.offset

    def free_of(self, theta) -> np.ndarray:
        """Free coordinates of full vectors, shape (..., F)."""
        return (np.asarray(theta, dtype=float) - self.offset) @ np.linalg.pinv(self.embed).T

    @property
    def fixed(self) -> list[str]:
        """Names of the full coordinates held fixed."""
        return [name for name, row in zip(self.names, self.embed, strict=True) if not row.any()]


def parameter_map(
    names: Sequence[str],
    *,
    tied: Mapping[str, str] | None = None,
    fixed: Mapping[str, float] | None = None,
) -> ParameterMap:
    """The map from free to full parameters, with ties (``{"beta": "alpha"}``) and fixed values.

    Parameters
    ----------
    names : sequence of str
        Names of the full vector.
    tied : mapping of str to str, optional
        Each key takes the value of the coordinate it names.
    fixed : mapping of str to float, optional
        Coordinates held at a value (in the full vector's units, e.g. ``e = log E``).

    Returns
    -------
    ParameterMap

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    tied, fixed = dict(tied or {}), dict(fixed or {})
    free = [n for n in names if n not in tied and n not in fixed]
    embed = np.zeros((len(names), len(free)))
    offset = np.zeros(len(names))
    for i, name in enumerate(names):
        source = tied.get(name, name)
        if source in fixed:
            offset[i] = fixed[source]
        else:
            embed[i, free.index(source)] = 1.0
    return ParameterMap(list(names), free, embed, offset)


def natural_names(scales: Sequence[str], exponents: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """``{natural name: (coordinate name, in logs)}`` for the layout ``[e, a_1, alpha_1, ...]``.

    The coordinates are named ``log E``, ``log A``, ``alpha``, ... in that order.

    Parameters
    ----------
    scales : sequence of str
        Natural names of ``E, A_1, ..., A_k`` (e.g. ``["E", "A", "B"]``).
    exponents : sequence of str
        Natural names of ``alpha_1, ..., alpha_k``.

    Returns
    -------
    dict

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    coordinates = {scales[0]: (f"log {scales[0]}", True)}
    for scale, exponent in zip(scales[1:], exponents, strict=True):
        coordinates[scale] = (f"log {scale}", True)
        coordinates[exponent] = (exponent, False)
    return coordinates


def fixed_coordinates(
    fixed: Mapping[str, float] | None, coordinates: dict[str, tuple[str, bool]], where: str
) -> dict[str, float]:
    """A user's ``fixed={"E": 1.69}`` as coordinate values (``{"e": log 1.69}``), checked.

    Parameters
    ----------
    fixed : mapping of str to float, optional
        Natural parameter names and values.
    coordinates : dict
        From :func:`natural_names`.
    where : str
        The fitter, for messages.

    Returns
    -------
    dict of str to float

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    problems, values = [], {}
    for name, value in dict(fixed or {}).items():
        if name not in coordinates:
            problems.append(
                f"fixed names {name!r}, which is not a parameter; choose from {', '.join(coordinates)}"
            )
            continue
        coordinate, log = coordinates[name]
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = np.nan
        if not np.isfinite(number) or (log and number <= 0):
            rule = "a finite number > 0" if log else "a finite number"
            problems.append(f"fixed {name} must be {rule}, got {value!r}")
            continue
        values[coordinate] = np.log(number) if log else number
    if problems:
        raise ValidationError(problems, where)
    return values


def minimize_huber_log(
    logx,
    logy,
    starts,
    *,
    delta: float,
    reduction: str = "sum",
    engine: str = "batched",
    options=None,
    bounds=None,
    pmap: ParameterMap,
    weights=None,
):
    """Fit ``E + sum_j A_j x_j**(-alpha_j)`` to `logy` from every start; see :func:`lawlib.optimize.multistart`.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    starts : ndarray, shape (S, F)
        Starting points in the free coordinates of `pmap`.
    delta, reduction
        As in :func:`lawlib.objectives.huber_log_objective`.
    engine : {"batched", "scipy", "varpro"}
        As in :func:`lawlib.optimize.multistart`. The batched engine works in
        centered coordinates (:class:`~lawlib.objectives.HuberLogProblem`; an
        input whose scale is held fixed is not centered); the scipy engine in
        the plain ones, as replications do. ``"varpro"`` runs the batched
        engine and reports variable projection: the caller's `starts` came
        from :func:`lawlib.varpro.starts`.
    options : dict, optional
    bounds : sequence of (low, high), optional
        Box bounds on the free coordinates; they imply the scipy engine in
        plain coordinates, and a best fit on a bound is reported.
    pmap : ParameterMap
        Free and full coordinates ``[e, a_1, alpha_1, ...]``.
    weights : ndarray, shape (n,), optional
        Weight of each point's term.

    Returns
    -------
    MultistartOutcome
        With `x` and `end_points` in the full coordinates ``[e, a_1, alpha_1, ...]``.

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    searched = engine == "varpro"
    engine = "batched" if searched else engine
    k = logx.shape[1]
    fixed = set(pmap.fixed)
    plain = engine != "batched" or bounds is not None
    center = False if plain else [pmap.names[1 + 2 * j] not in fixed for j in range(k)]
    problem = HuberLogProblem(logx, logy, delta, reduction, center=center, weights=weights)
    # fixed coordinates are the same in centered and plain coordinates (e, exponents, and the
    # scales of inputs left uncentered), so the map applies in the optimizer's coordinates too
    to_int = problem.to_internal(pmap.full(np.atleast_2d(starts)))

    def objective(phi, rows=None):
        value, grad = problem(np.atleast_2d(phi) @ pmap.embed.T + pmap.offset, rows)
        return value, grad @ pmap.embed

    outcome = multistart(
        objective,
        pmap.free_of(to_int),
        names=pmap.free,
        options=options,
        engine=engine if bounds is None else "scipy",
        bounds=bounds,
    )
    if searched:
        outcome = replace(outcome, engine="varpro" if bounds is None else "varpro, bounded")
    return replace(
        outcome,
        x=problem.to_external(pmap.full(outcome.x)),
        end_points=problem.to_external(pmap.full(outcome.end_points)),
    )


#: How each engine is described in a fit's summary.
OPTIMIZER = {
    "batched": "BFGS on all starts at once, best polished by L-BFGS-B; analytic gradient",
    "scipy": "L-BFGS-B per start; analytic gradient",
    "varpro": "variable projection: exponents on a grid, the linear part by non-negative least "
    "squares; BFGS from the best grid points, polished by L-BFGS-B",
    "varpro, bounded": "variable projection: exponents on a grid, the linear part by non-negative "
    "least squares; L-BFGS-B within the bounds from the best grid points",
}


def objective_definition(delta: float, reduction: str, n_obs: int, weighted: bool = False) -> str:
    """Plain-words definition of :func:`lawlib.objectives.huber_log_objective`, for results.

    Parameters
    ----------
    delta : float
    reduction : {"sum", "mean"}
    n_obs : int
    weighted : bool

    Returns
    -------
    str

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    loss = "squared error / 2" if np.isinf(delta) else f"Huber loss (delta = {delta:g})"
    how = "summed" if reduction == "sum" else "averaged"
    weights = ", weighted," if weighted else ""
    return f"{loss} of log(predicted loss) - log(observed loss){weights} {how} over {n_obs} points"


def huber_log_result(
    outcome,
    *,
    model: str,
    params: dict,
    law,
    delta: float,
    reduction: str,
    data: pd.DataFrame,
    inputs,
    observed: str,
    x,
    settings: dict | None = None,
    derived=None,
    notes=(),
    cautions=(),
    fixed: dict | None = None,
    tied: dict | None = None,
    weights=None,
    exponents=(),
):
    """Wrap a :func:`minimize_huber_log` outcome as a :class:`lawlib.FitResult` (via its builder).

    Parameters
    ----------
    outcome : MultistartOutcome
    model : str
    params : dict
    law : Law
    delta, reduction
    data : DataFrame
    inputs : sequence of str
    observed : str
    x : ndarray
        The optimum in the coordinates the fitter's ``starts`` take.
    settings, derived, notes, cautions, fixed, tied, weights, exponents
        As in :meth:`lawlib.FitResult.build`.

    Returns
    -------
    FitResult

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    return FitResult.build(
        model=model,
        params=params,
        law=law,
        objective=outcome.value,
        definition=objective_definition(delta, reduction, len(data), weights is not None),
        engine=OPTIMIZER[outcome.engine],
        outcome=outcome,
        settings={"Huber delta": delta, "Reduction": reduction, **(settings or {})},
        derived=derived,
        notes=notes,
        cautions=cautions,
        data=data,
        inputs=inputs,
        observed=observed,
        residual="log",
        delta=delta,
        weights=weights,
        fixed=fixed,
        tied=tied,
        exponents=exponents,
        x=x,
        stacklevel=4,
    )


#: Engines the Huber-on-log fitters take.
ENGINES = ("varpro", "batched", "scipy")


def resolve_engine(engine: str | None, starts, where: str) -> str:
    """The engine that runs: the given one, or variable projection (batched when `starts` are given).

    Parameters
    ----------
    engine : str or None
    starts : array_like or None
    where : str
        The fitter, for messages.

    Returns
    -------
    str

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    if engine is None:
        return "varpro" if starts is None else "batched"
    if engine not in ENGINES:
        raise ValidationError(
            [f"engine must be one of {', '.join(ENGINES)}, got {engine!r}"], where
        )
    if engine == "varpro" and starts is not None:
        raise ValidationError(
            ["engine='varpro' chooses its own starts; leave starts=None or use engine='batched'"],
            where,
        )
    return engine


def fit_law(
    logx,
    logy,
    *,
    coordinates: dict[str, tuple[str, bool]],
    grid,
    starts=None,
    engine: str | None = None,
    delta: float,
    reduction: str,
    options=None,
    bounds=None,
    fixed: Mapping[str, float] | None = None,
    tied: Mapping[str, str] | None = None,
    weights=None,
    where: str,
):
    """Minimize the Huber loss of log residuals of ``E + sum_j A_j x_j**-alpha_j``, ties and fixed values applied.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    coordinates : dict
        From :func:`natural_names`: natural name to (coordinate, in logs).
    grid : ndarray, shape (S, 1 + 2k)
        The default starts of the batched and scipy engines (full coordinates).
    starts : array_like, shape (S, F), optional
        Starts in the free coordinates (the fitter's ``starts``).
    engine : {"varpro", "batched", "scipy"} or None
        See :func:`resolve_engine`.
    delta, reduction, options, bounds
        As in :func:`minimize_huber_log`.
    fixed : mapping of natural name to value, optional
    tied : mapping of coordinate to coordinate, optional
        E.g. ``{"beta": "alpha"}``.
    weights : ndarray, shape (n,), optional
    where : str
        The fitter, for messages.

    Returns
    -------
    outcome : MultistartOutcome
        ``x`` in full coordinates.
    x : ndarray, shape (F,)
        The optimum in the free coordinates (what ``starts`` takes).
    params : dict
        The natural parameters at the optimum.

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 3 and App. D.2.
    """
    from . import varpro

    engine = resolve_engine(engine, starts, where)
    names = [coordinate for coordinate, _ in coordinates.values()]
    pmap = parameter_map(names, tied=tied, fixed=fixed_coordinates(fixed, coordinates, where))
    if engine == "varpro":
        full = varpro.starts(logx, logy, equal=bool(tied), weights=weights)
    elif starts is None:
        full = np.asarray(grid, dtype=float)
    if starts is None:
        free = np.unique(pmap.free_of(full), axis=0) if engine != "varpro" else pmap.free_of(full)
    else:
        free = np.atleast_2d(np.asarray(starts, dtype=float))
        if free.shape[1] != len(pmap.free):
            raise ValidationError(
                [f"starts must have {len(pmap.free)} columns ({', '.join(pmap.free)})"], where
            )
    outcome = minimize_huber_log(
        logx,
        logy,
        free,
        delta=delta,
        reduction=reduction,
        engine=engine,
        options=options,
        bounds=bounds,
        pmap=pmap,
        weights=weights,
    )
    theta = outcome.x
    params = {
        name: float(np.exp(value)) if log else float(value)
        for (name, (_, log)), value in zip(coordinates.items(), theta, strict=True)
    }
    return outcome, pmap.free_of(theta), params
