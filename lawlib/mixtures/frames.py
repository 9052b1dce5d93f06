"""Mixture runs as tables: the wide form the laws fit, the long form releases come in.

Wide form: one row per run and step, a column ``p_<domain>`` per training
proportion and ``loss_<domain>`` per validation loss. Long form: one row per
run (mixture), step and domain, with columns for the proportion and the loss.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ValidationError, listing


def mixture_domains(frame: pd.DataFrame) -> list[str]:
    """Domains named by the ``p_<domain>`` columns of `frame`, in column order.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    list of str
    """
    return [str(column)[2:] for column in frame.columns if str(column).startswith("p_")]


def fitted_domains(frame: pd.DataFrame) -> list[str]:
    """Domains with both a proportion (``p_<domain>``) and a loss (``loss_<domain>``), in order.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    list of str
    """
    return [d for d in mixture_domains(frame) if f"loss_{d}" in frame]


def flatten(table: pd.DataFrame) -> pd.Series:
    """A per-domain table as one Series named ``<column>[<domain>]``.

    Parameters
    ----------
    table : DataFrame indexed by domain

    Returns
    -------
    Series
    """
    return pd.Series(
        {f"{name}[{domain}]": table.loc[domain, name] for domain in table.index for name in table},
        dtype=float,
    )


def unflatten(params, columns) -> pd.DataFrame:
    """Inverse of :func:`flatten` for the given columns.

    Parameters
    ----------
    params : mapping or Series
    columns : sequence of str

    Returns
    -------
    DataFrame indexed by domain
    """
    rows: dict[str, dict[str, float]] = {}
    for key, value in dict(params).items():
        name, _, domain = str(key).rstrip("]").partition("[")
        if name in columns and domain:
            rows.setdefault(domain, {})[name] = float(value)
    missing = [name for name in columns if not any(name in row for row in rows.values())]
    if not rows or missing:
        raise ValidationError(
            [f"needs {', '.join(missing or columns)}[<domain>] entries"], "params"
        )
    return pd.DataFrame(rows).T[list(columns)]


def proportions(mixture, domains) -> np.ndarray:
    """Mixture(s) as an array of shape (..., M) in the order of `domains`.

    Parameters
    ----------
    mixture : mapping, Series, DataFrame (``p_<domain>`` or ``<domain>`` columns) or array (..., M)
    domains : sequence of str

    Returns
    -------
    ndarray
    """
    if isinstance(mixture, pd.DataFrame):
        names = [f"p_{d}" if f"p_{d}" in mixture else d for d in domains]
        missing = [name for name in names if name not in mixture]
        if missing:
            raise ValidationError(
                [f"the mixtures lack the columns {', '.join(missing)}"], "mixture"
            )
        return mixture[names].to_numpy(dtype=float)
    if isinstance(mixture, (pd.Series, dict)):
        missing = [d for d in domains if d not in mixture]
        if missing:
            raise ValidationError(
                [f"the mixture gives no proportion for {', '.join(missing)}"], "mixture"
            )
        return np.array([mixture[d] for d in domains], dtype=float)
    values = np.asarray(mixture, dtype=float)
    if values.shape[-1:] != (len(domains),):
        raise ValidationError(
            [
                f"an array of mixtures needs {len(domains)} proportions per row, got shape {values.shape}"
            ],
            "mixture",
        )
    return values


def vary_share(base, domain: str, shares) -> pd.DataFrame:
    """Mixtures that move one domain's share and keep the others in the ratios of `base`.

    With ``base`` = r-bar and domain i set to r, every other domain j gets
    ``r-bar_j (1 - r) / (1 - r-bar_i)``, so the mixture still sums to 1.

    Parameters
    ----------
    base : Series
        A mixture: a proportion per domain (index), summing to 1, with ``base[domain] < 1``.
    domain : str
        The domain whose share moves.
    shares : array_like, shape (K,)
        Its shares, each in [0, 1].

    Returns
    -------
    DataFrame, shape (K, M)
        One mixture per share, a column per domain of `base` (in its order).
    """
    base = pd.Series(base, dtype=float)
    problems = []
    if domain not in base.index:
        problems.append(f"{domain!r} is not a domain of the mixture ({listing(base.index)})")
    elif not base[domain] < 1:
        problems.append(f"the mixture gives {domain} everything; there is nothing to rescale")
    if (base < 0).any() or not np.isclose(base.sum(), 1.0, atol=1e-6):
        problems.append(f"the mixture must be non-negative and sum to 1, sums to {base.sum():.6g}")
    shares = np.atleast_1d(np.asarray(shares, dtype=float))
    if shares.ndim != 1 or not np.all((shares >= 0) & (shares <= 1)):
        problems.append("the shares must be a sequence of numbers in [0, 1]")
    if problems:
        raise ValidationError(problems, "vary_share")
    rest = (1 - shares)[:, None] * (base.to_numpy() / (1 - base[domain]))[None, :]
    frame = pd.DataFrame(rest, columns=base.index)
    frame[domain] = shares
    return frame


def loss_weights(weights, domains, subject: str) -> np.ndarray:
    """The weight of each domain's loss: 1 each by default, else finite, non-negative, not all zero.

    Parameters
    ----------
    weights : mapping, Series, array or None
    domains : sequence of str
    subject : str
        What the weights are for, in the error message.

    Returns
    -------
    ndarray, shape (M,)

    Raises
    ------
    ValidationError
        A missing, negative or non-finite weight, or all zero.
    """
    w = np.ones(len(domains)) if weights is None else proportions(weights, domains)
    if not np.isfinite(w).all() or np.any(w < 0) or not np.any(w > 0):
        raise ValidationError(
            [f"weights must be finite, non-negative and not all zero, got {w}"], subject
        )
    return w


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

    Parameters
    ----------
    frame : DataFrame
        Long form.
    mixture, domain, proportion, step, loss : str
        Its column names.

    Returns
    -------
    DataFrame
        One row per (mixture, step) with ``p_<domain>`` and ``loss_<domain>``
        columns; domains without a proportion (such as an average over domains)
        are left out.

    Raises
    ------
    ValidationError
        Naming the column, domain and mixture when a mixture gives one domain
        two proportions or a step two losses.
    """
    missing = [c for c in (mixture, domain, proportion, step, loss) if c not in frame]
    if missing:
        listed = listing(frame.columns)
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
    losses.columns.name = None
    wide = losses.merge(p.fillna(0.0).reset_index(), on=mixture)
    wide.columns.name = None
    return wide[[mixture, step, *p.columns, *[f"loss_{d}" for d in domains]]]


def wide_to_long(
    frame: pd.DataFrame,
    domains,
    *,
    step: str | None = "step",
    run_column: str | None = None,
    keep=(),
) -> pd.DataFrame:
    """Wide mixture runs as one row per run (and step) and domain.

    Parameters
    ----------
    frame : DataFrame
        Wide form, ``p_<domain>`` and ``loss_<domain>`` columns.
    domains : sequence of str
    step : str, optional
        Step column (None: runs at one step).
    run_column : str, optional
        Run id column; default the row label.
    keep : sequence of str
        Further columns copied to every row of a run (e.g. all ``p_`` columns).

    Returns
    -------
    DataFrame with columns ``run``, (`step`), ``domain``, ``proportion``,
    ``loss`` and `keep`, indexed ``<row>:<domain>``.
    """
    pieces = []
    for name in domains:
        piece = pd.DataFrame(
            {
                "run": frame[run_column].to_numpy() if run_column else frame.index.to_numpy(),
                **({step: frame[step].to_numpy(dtype=float)} if step else {}),
                "domain": name,
                "proportion": frame[f"p_{name}"].to_numpy(dtype=float),
                "loss": frame[f"loss_{name}"].to_numpy(dtype=float),
                **{column: frame[column].to_numpy() for column in keep},
            },
            index=[f"{label}:{name}" for label in frame.index],
        )
        pieces.append(piece)
    return pd.concat(pieces)


def relative_errors(
    predicted: pd.DataFrame, observed: pd.DataFrame, domains, mixtures: pd.DataFrame | None = None
) -> pd.Series:
    """Mean absolute relative error per domain of predicted against observed ``loss_<domain>`` values.

    Rows where a domain's proportion is 0 (``p_<domain>`` in `mixtures`) are
    skipped for that domain, since BiMix cannot predict there, and so are
    missing (NaN) observed losses; pass the same
    `mixtures` to compare other laws on the same points.

    Parameters
    ----------
    predicted : DataFrame
        One column per domain.
    observed : DataFrame
        ``loss_<domain>`` columns, rows as `predicted`.
    domains : sequence of str
    mixtures : DataFrame, optional

    Returns
    -------
    Series by domain
    """
    errors = {}
    for domain in domains:
        keep = (
            np.ones(len(observed), dtype=bool)
            if mixtures is None
            else mixtures[f"p_{domain}"].to_numpy() > 0
        )
        keep = keep & np.isfinite(observed[f"loss_{domain}"].to_numpy(dtype=float))
        truth = observed[f"loss_{domain}"].to_numpy(dtype=float)[keep]
        errors[domain] = float(np.mean(np.abs(predicted[domain].to_numpy()[keep] / truth - 1)))
    return pd.Series(errors, name="mean relative error")


def _natural(name) -> tuple:
    """Sort key: the numbers in a run name compared as numbers (``160M_9`` before ``160M_10``)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


def split_runs(
    runs: pd.DataFrame, every: int, *, run_column: str = "run", order: str = "natural"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out every `every`-th run (mixture): the rows of the runs kept and of those held out.

    Parameters
    ----------
    runs : DataFrame
        Mixture runs, wide or long, all steps.
    every : int
        Hold out runs ``every - 1, 2 * every - 1, ...`` of the ordered ids (2 or more).
    run_column : str
        The run id column.
    order : {"natural", "appearance"}
        Order of the ids: run names sorted with their numbers as numbers
        (``160M_9`` before ``160M_10``), or as they first appear.

    Returns
    -------
    train, test : DataFrame
        The rows of the runs kept and of the runs held out.

    Raises
    ------
    ValidationError
        No run column, `every` below 2 or above half the number of runs.

    Examples
    --------
    >>> runs = pd.DataFrame({"run": [f"m_{k}" for k in range(1, 9)], "loss": 3.0})
    >>> train, test = split_runs(runs, 4)
    >>> test["run"].tolist()
    ['m_4', 'm_8']
    """
    if run_column not in runs:
        raise ValidationError([f"no run column {run_column!r}"], "split_runs")
    ids = list(dict.fromkeys(runs[run_column]))
    if order == "natural":
        ids = sorted(ids, key=_natural)
    elif order != "appearance":
        raise ValidationError(
            [f"order must be 'natural' or 'appearance', got {order!r}"], "split_runs"
        )
    if not (isinstance(every, (int, np.integer)) and 2 <= every <= len(ids) // 2):
        raise ValidationError(
            [
                f"every must be a whole number from 2 to half the runs ({len(ids) // 2}), got {every!r}"
            ],
            "split_runs",
        )
    held = runs[run_column].isin(set(ids[every - 1 :: every]))
    return runs[~held], runs[held]
