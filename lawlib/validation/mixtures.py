"""Checks of mixture runs: proportions that sum to one, steps, losses, and pooled model sizes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ValidationError, listing
from .values import labels_where, number_problems, rows_text

#: How far the proportions of a run may sum from 1 before it is rejected.
SUM_TOLERANCE = 1e-3


def check_mixture_runs(
    frame: pd.DataFrame,
    domains: Sequence[str],
    *,
    step: str | None = "step",
    run_column: str | None = "run_id",
    loss: bool = True,
    missing_loss: bool = False,
) -> pd.DataFrame:
    """Check proportions, steps and losses of mixture runs; list every problem by column and run.

    Proportions (columns ``p_<domain>``) must be numbers, non-negative and sum
    to 1 within :data:`SUM_TOLERANCE` over every ``p_`` column of `frame` (so
    that `domains` may be a subset); steps and losses (``loss_<domain>``)
    must be positive numbers; with `missing_loss`, empty losses are allowed.

    Parameters
    ----------
    frame : DataFrame
        Wide form: one row per run (and step).
    domains : sequence of str
        Domains to check.
    step : str, optional
        Column of steps (None: no step column).
    run_column : str, optional
        Column naming runs, used in messages.
    loss : bool
        Whether ``loss_<domain>`` columns are needed.
    missing_loss : bool
        Whether NaN losses are allowed.

    Returns
    -------
    DataFrame
        `frame` with those columns as floats.

    Raises
    ------
    ValidationError
    """
    if not domains:
        raise ValidationError(
            ["no p_<domain> columns: name each proportion column p_<domain> (e.g. p_web)"]
        )
    wanted = [f"p_{d}" for d in domains] + ([f"loss_{d}" for d in domains] if loss else [])
    wanted += [step] if step is not None else []
    missing = [column for column in wanted if column not in frame]
    if missing:
        listed = listing(frame.columns)
        raise ValidationError([f"missing columns {', '.join(missing)}; the file has {listed}"])
    by_run = run_column is not None and run_column in frame
    labeled = frame.set_index(run_column) if by_run else frame
    where = "runs" if by_run else "rows"
    checked, problems = frame.copy(), []
    for column in wanted:
        values, found = number_problems(
            column,
            labeled[column],
            positive=not column.startswith("p_"),
            where=where,
            missing_ok=missing_loss and column.startswith("loss_"),
        )
        if column.startswith("p_"):
            negative = values < 0
            if negative.any():
                found.append(
                    f"column {column!r}: {int(negative.sum())} proportions are negative, "
                    f"in {where} {rows_text(labels_where(labeled[column], negative))}"
                )
        problems += found
        checked[column] = values
    if not problems:
        every = [c for c in frame.columns if str(c).startswith("p_")]
        shares = pd.DataFrame(
            {c: number_problems(c, frame[c])[0] for c in every}, index=frame.index
        )
        totals = shares.sum(axis=1).to_numpy()
        off = np.abs(totals - 1) > SUM_TOLERANCE
        if off.any():
            problems.append(
                f"proportions {'+'.join(every)}: {int(off.sum())} runs do not sum to 1 "
                f"(tolerance {SUM_TOLERANCE}; first sums to {totals[off][0]:.6g}), "
                f"in {where} {rows_text(labels_where(labeled, off))}"
            )
    if problems:
        raise ValidationError(problems)
    return checked


def pooled_columns(frame: pd.DataFrame, keys: Sequence[str], ignore: Sequence[str] = ()) -> dict:
    """Columns that tell apart rows with the same `keys`: model sizes (or seeds) pooled in one fit.

    Parameters
    ----------
    frame : DataFrame
    keys : sequence of str
        Columns that identify one run at one step (proportions and step).
    ignore : sequence of str
        Columns that may vary among such rows (losses, the run id).

    Returns
    -------
    dict of str to list
        Each such column and its distinct values, in order of appearance.
    """
    others = [c for c in frame.columns if c not in keys and c not in ignore]
    found: dict = {}
    if not keys or not others:
        return found
    grouped = frame.groupby(list(keys), sort=False, dropna=False)
    for column in others:
        if (grouped[column].nunique(dropna=False) > 1).any():
            found[column] = list(dict.fromkeys(frame[column].tolist()))
    return found


def check_one_model(
    frame: pd.DataFrame,
    *,
    model: str | None = None,
    keys: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> None:
    """Refuse runs of several model sizes pooled in one fit (a mixture law is fitted per model).

    Parameters
    ----------
    frame : DataFrame
    model : str, optional
        The column holding model sizes, if the user named one.
    keys : sequence of str
        Columns identifying one run at one step; without `model`, any other
        column that tells apart rows with equal keys is taken for model sizes.
    ignore : sequence of str
        Columns that may vary among rows with equal keys (losses, run ids).

    Returns
    -------
    None

    Raises
    ------
    ValidationError

    Examples
    --------
    >>> check_one_model(pd.DataFrame({"size": ["70M", "160M"]}), model="size")
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: the runs: column 'size' holds 2 model sizes (70M, 160M): ...
    """
    if model is not None:
        if model not in frame:
            listed = listing(frame.columns)
            raise ValidationError([f"no model column {model!r}; the data has {listed}"])
        sizes = list(dict.fromkeys(map(str, frame[model])))
        if len(sizes) > 1:
            raise ValidationError(
                [
                    (
                        f"column {model!r} holds {len(sizes)} model sizes ({', '.join(sizes)}): select "
                        f"one (e.g. --query \"{model} == '{sizes[0]}'\") or pool them on purpose "
                        "(pool_models=True, --pool-models)"
                    )
                ]
            )
        return
    pooled = pooled_columns(frame, keys, ignore)
    if pooled:
        column, values = next(iter(pooled.items()))
        shown = ", ".join(map(str, values[:6])) + (" ..." if len(values) > 6 else "")
        raise ValidationError(
            [
                (
                    f"column {column!r} takes {len(values)} values ({shown}) among runs of the same "
                    "mixture at the same step: these look like several model sizes pooled in one fit; "
                    f"select one size, name it as the model column (model={column!r}, --model-column), "
                    "or pool them on purpose (pool_models=True, --pool-models); for reruns of one "
                    f"model, name the column as the run column (run_column={column!r})"
                )
            ]
        )
