"""Reading your runs as they come: one clear message for every way a file can be wrong.

Three shapes of runs files, each read by one function that the templates and
the command line share:

- **runs** (one row per run: parameters, tokens or compute, final loss):
  :func:`read_runs` reads the CSV, :func:`runs_table` builds the tidy
  ``N, D, C, loss`` table (the missing one of D and C derived, a perplexity
  column turned into a loss, each said in a note);
- **mixture runs** (proportions and losses per domain, wide or long, in one
  file or two joined on a key): :func:`read_mixture_runs` gives the wide
  form the mixture laws fit (``p_<domain>``, ``loss_<domain>``), with
  proportions renormalized when they sum to within 1% of 1;
- **checkpoint logs** (one file per run, one row per checkpoint, as training
  frameworks export them): :func:`read_checkpoint_logs`.

Every reader returns a DataFrame whose ``attrs["notes"]`` says, in plain
words, what it derived, renormalized or left out. Paths are taken as given
(absolute, or relative to the working directory); ``"-"`` reads standard input.
"""

from __future__ import annotations

import glob as _glob
import io as _io
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError, listing
from .validation import check_runs, number_problems

#: How far the proportions of a run may sum from 1 and still be renormalized (1%).
RENORMALIZE = 0.01
#: Above this median a loss column cannot be nats per token (ln of a 256k vocabulary is 12.45).
PERPLEXITY_MEDIAN = 12.5
#: Column names that say perplexity.
PERPLEXITY_NAME = re.compile(r"ppl|perplex", re.IGNORECASE)
#: A model size in a file or run name: 190M, 1B, 6.9B, pythia-1.4b (k is left out: 50k is a step).
SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([MBTmbt])(?![a-zA-Z])")
_SCALE = {"M": 1e6, "B": 1e9, "T": 1e12}


def _notes(frame: pd.DataFrame, notes: Sequence[str]) -> pd.DataFrame:
    frame.attrs["notes"] = [*frame.attrs.get("notes", []), *notes]
    return frame


def read_runs(path, sep: str = ",") -> pd.DataFrame:
    """Read one runs CSV; rows are labeled by their line number in the file (header = line 1).

    A trailing separator on every line (as some exporters write) is not taken
    for an index column, and empty columns it leaves are dropped with a note.

    Parameters
    ----------
    path : str or Path
        The file, absolute or relative to the working directory; ``"-"`` reads
        standard input.
    sep : str
        Column separator (``";"`` for files written with a decimal comma).

    Returns
    -------
    DataFrame indexed by line number (``attrs["notes"]`` lists what was dropped).

    Raises
    ------
    ValidationError
        Naming the file: missing, a directory, empty, unreadable, or with one
        column that holds another separator.

    Examples
    --------
    >>> import io
    >>> frame = read_runs(io.StringIO("N,D,loss,\\n1e8,2e9,3.1,\\n"))
    >>> list(frame.columns), frame.attrs["notes"]
    (['N', 'D', 'loss'], ['dropped 1 empty column (a separator at the end of each line)'])
    """
    source: Any
    if isinstance(path, (str, Path)) and str(path) == "-":
        source, shown = _io.StringIO(sys.stdin.read()), "standard input"
    elif isinstance(path, (str, Path)):
        source, shown = Path(path), str(path)
    else:
        source, shown = path, "the input"

    def fail(problem: str):
        raise ValidationError([problem], shown if shown == "standard input" else f"file {shown}")

    if isinstance(source, Path):
        if not source.exists():
            fail(
                f"no such file (looked in {Path.cwd()})"
                if not source.is_absolute()
                else "no such file"
            )
        if source.is_dir():
            fail("is a directory, not a CSV file")
    try:
        frame = pd.read_csv(source, sep=sep, index_col=False)
    except pd.errors.EmptyDataError:
        fail("is empty: expected a header line and one line per run")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        fail(f"cannot be read as CSV with separator {sep!r}: {str(err).strip()}")
    if frame.empty:
        fail("has a header but no runs")
    empty = [c for c in frame.columns if str(c).startswith("Unnamed: ") and frame[c].isna().all()]
    frame = frame.drop(columns=empty)
    notes = []
    if empty:
        notes.append(
            f"dropped {len(empty)} empty column{'s' if len(empty) > 1 else ''} "
            "(a separator at the end of each line)"
        )
    if frame.shape[1] == 1:
        header = str(frame.columns[0])
        other = next((s for s in (";", "\t", ",", "|") if s != sep and s in header), None)
        if other is not None:
            fail(
                f"has one column {header!r}: it looks separated by {other!r}; "
                f"pass --sep {other!r} (or sep={other!r})"
            )
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return _notes(frame, notes)


def loss_in_nats(values, name: str) -> tuple[np.ndarray, list[str]]:
    """A loss column in nats per token: perplexities (by name or by range) are turned into logs.

    Parameters
    ----------
    values : array_like
        The column's values (positive).
    name : str
        The column's name: ``ppl`` or ``perplexity`` in it marks perplexities.

    Returns
    -------
    loss : ndarray
    notes : list of str
        What was done, if anything.

    Examples
    --------
    >>> loss, notes = loss_in_nats([19.0, 25.0, 40.0], "val")
    >>> [round(float(v), 4) for v in loss], notes[0][:36]
    ([2.9444, 3.2189, 3.6889], "column 'val' has a median of 25: abo")
    """
    array = np.asarray(values, dtype=float)
    median = float(np.median(array))
    if PERPLEXITY_NAME.search(name):
        return np.log(array), [
            f"column {name!r} is named as a perplexity: fitting its log, the loss in nats per token"
        ]
    if median > PERPLEXITY_MEDIAN:
        return np.log(array), [
            (
                f"column {name!r} has a median of {median:.4g}: above {PERPLEXITY_MEDIAN} no loss "
                "in nats per token lies (not even for a vocabulary of 256k tokens), so it is taken "
                "for a perplexity; fitting its log"
            )
        ]
    return array, []


def runs_table(
    frame: pd.DataFrame,
    *,
    N: str = "N",
    D: str | None = None,
    C: str | None = None,
    loss: str = "loss",
    flops_per_token: float = 6.0,
    min_rows: int = 6,
) -> pd.DataFrame:
    """The tidy ``N, D, C, loss`` table from a runs file: N and D, or N and C, or all three.

    Parameters
    ----------
    frame : DataFrame
        The runs, as :func:`read_runs` gives them.
    N, D, C, loss : str
        Column names; give D (tokens) or C (FLOPs) or both. The missing one is
        derived with ``C = flops_per_token * N * D`` and a note says so.
    flops_per_token : float
        FLOPs per parameter per token of the compute column.
    min_rows : int
        Fewest usable runs.

    Returns
    -------
    DataFrame with columns N, D, C, loss, indexed like `frame`;
    ``attrs["notes"]`` says what was derived or converted.

    Raises
    ------
    ValidationError
        Missing columns, text, missing or non-positive values, too few runs.
    """
    if D is None and C is None:
        D = "D" if "D" in frame else None
        C = "C" if "C" in frame and D is None else None
    if D is None and C is None:
        missing = [f"{key} (column {name!r})" for key, name in (("N", N),) if name not in frame]
        missing.append("D (tokens) or C (FLOPs)")
        missing += [f"loss (column {loss!r})"] if loss not in frame else []
        listed = listing(frame.columns)
        raise ValidationError([f"missing columns: {', '.join(missing)}; the file has: {listed}"])
    runs = check_runs(frame, {"N": N, "D": D, "C": C, "loss": loss}, min_rows=min_rows)
    notes = list(frame.attrs.get("notes", []))
    if D is None:
        runs["D"] = runs["C"] / (flops_per_token * runs["N"])
        notes.append(f"tokens D derived from compute: D = {C} / ({flops_per_token:g} N)")
    elif C is None:
        runs["C"] = flops_per_token * runs["N"] * runs["D"]
        notes.append(f"compute C derived from tokens: C = {flops_per_token:g} N {D}")
    runs["loss"], converted = loss_in_nats(runs["loss"], loss)
    runs.attrs["notes"] = notes + converted
    return runs


def _pattern(template: str, role: str) -> re.Pattern:
    if "{domain}" not in template:
        raise ValidationError(
            [
                f"the {role} pattern {template!r} needs a {{domain}} placeholder, e.g. 'p_{{domain}}'"
            ],
            "mixture runs",
        )
    head, tail = template.split("{domain}", 1)
    return re.compile(f"^{re.escape(head)}(?P<domain>.+?){re.escape(tail)}$")


def _matched(frame: pd.DataFrame, template: str, role: str) -> dict[str, str]:
    pattern = _pattern(template, role)
    return {m["domain"]: c for c in map(str, frame.columns) if (m := pattern.match(c))}


def _read(source, sep: str) -> pd.DataFrame:
    return source.copy() if isinstance(source, pd.DataFrame) else read_runs(source, sep=sep)


def read_mixture_runs(
    source,
    *,
    proportions: str = "p_{domain}",
    losses: str = "loss_{domain}",
    losses_source=None,
    join: str | None = None,
    step: str | None = None,
    model: str | None = None,
    run: str | None = None,
    sep: str = ",",
    tolerance: float = RENORMALIZE,
    query: str = "",
) -> pd.DataFrame:
    """Mixture runs in the wide form the mixture laws fit, from the shapes runs come in.

    Parameters
    ----------
    source : str, Path or DataFrame
        The runs file (``"-"``: standard input). Wide: a proportion column and a
        loss column per domain, named by the patterns. Long: one row per run
        (mixture), step and domain, with columns ``domain``, ``proportion`` and
        ``loss`` (and `run`), as released runs come.
    proportions, losses : str
        Column patterns with a ``{domain}`` placeholder, e.g. ``"weight_{domain}"``
        and ``"{domain}_loss"``.
    losses_source : str, Path or DataFrame, optional
        A second file holding the losses, joined to `source` on `join`.
    join : str, optional
        The key column of both files (e.g. ``"index"``).
    step : str, optional
        The step (or tokens) column, if the runs have checkpoints (default: a
        column named ``step``, if there is one).
    model : str, optional
        The model-size column, if several sizes are in the file (default: a
        column named ``model``).
    run : str, optional
        The run id column (default: ``run`` or ``run_id``); without one, runs
        are numbered by their mixture (and model size): rows with the same
        proportions are the same run.
    sep : str
    tolerance : float
        Proportions that sum to within this of 1 are renormalized (a note says
        by how much); others are an error.
    query : str
        A pandas query selecting runs, on the columns returned (``model``,
        ``step``, ``p_<domain>``, ``loss_<domain>`` and the file's other
        columns under their own names); the notes count what it selects.

    Returns
    -------
    DataFrame
        Columns ``run`` (and ``model``, and `step` as ``step``), ``p_<domain>``
        for every proportion and ``loss_<domain>`` for every domain with a loss,
        then the file's other columns unchanged (so a size column the options
        did not name is still seen, and refused when sizes would be pooled; the
        `model` column stays under its own name too);
        ``attrs["notes"]`` says what was renormalized and left out.

    Raises
    ------
    ValidationError
        Missing columns or keys, no domain with both a proportion and a loss,
        proportions that do not sum to 1 within `tolerance`.

    Examples
    --------
    >>> frame = pd.DataFrame({"weight_web": [0.6, 0.3], "weight_code": [0.4, 0.7],
    ...                       "web_loss": [2.9, 3.1], "code_loss": [1.8, 1.6]})
    >>> runs = read_mixture_runs(frame, proportions="weight_{domain}", losses="{domain}_loss")
    >>> list(runs.columns)
    ['run', 'p_web', 'p_code', 'loss_web', 'loss_code']
    """
    frame = _read(source, sep)
    notes = list(frame.attrs.get("notes", []))
    if losses_source is not None:
        other = _read(losses_source, sep)
        if join is None or join not in frame or join not in other:
            raise ValidationError(
                [f"joining two files needs a key column in both (join={join!r})"], "mixture runs"
            )
        unmatched = set(frame[join]) ^ set(other[join])
        frame = frame.merge(other, on=join, how="inner", validate="one_to_one")
        if unmatched:
            notes.append(
                f"{len(unmatched)} keys of {join!r} are in only one of the two files: left out"
            )
        if run is None:
            run = join
    step = step or _present(frame, "step")
    model = model or _present(frame, "model")
    run = run or _present(frame, "run", "run_id")
    long = "domain" in frame and "proportion" in frame and not _matched(frame, proportions, "")
    if long:
        from .mixtures import long_to_wide

        key = run or "mixture"
        if key not in frame:
            raise ValidationError([f"the long form needs a run column ({key!r})"], "mixture runs")
        frame = long_to_wide(frame, mixture=key, step=step or "step", proportion="proportion")
        proportions, losses = "p_{domain}", "loss_{domain}"
    shares = _matched(frame, proportions, "proportion")
    measured = _matched(frame, losses, "loss")
    if not shares:
        listed = listing(frame.columns)
        raise ValidationError(
            [f"no column matches the proportion pattern {proportions!r}; the file has {listed}"],
            "mixture runs",
        )
    fitted = [d for d in shares if d in measured]
    if not fitted:
        raise ValidationError(
            [f"no domain has both a proportion ({proportions!r}) and a loss ({losses!r})"],
            "mixture runs",
        )
    unmeasured = [d for d in shares if d not in measured]
    if unmeasured:
        notes.append(
            f"{len(unmeasured)} of {len(shares)} domains have no loss ({', '.join(unmeasured)}): "
            "their proportions count in the mixture, but they are not fitted"
        )
    orphans = [d for d in measured if d not in shares]
    if orphans:
        notes.append(f"losses without a proportion left out: {', '.join(orphans)}")
    out = pd.DataFrame(index=frame.index)
    problems = []
    for domain, column in shares.items():
        out[f"p_{domain}"], found = number_problems(column, frame[column])
        problems += found
    for domain in fitted:
        column = measured[domain]
        out[f"loss_{domain}"], found = number_problems(
            column, frame[column], positive=True, missing_ok=True
        )
        problems += found
    for role, named in (("step", step), ("model", model)):
        if named is not None:
            if named not in frame:
                problems.append(f"no {role} column {named!r}")
            else:
                out[role] = frame[named].to_numpy()
    if problems:
        raise ValidationError(problems, "mixture runs")
    p = out[[f"p_{d}" for d in shares]]
    if (p < 0).any().any():
        raise ValidationError(["proportions must not be negative"], "mixture runs")
    totals = p.sum(axis=1)
    off = (totals - 1).abs()
    if (off > tolerance).any():
        bad = off.idxmax()
        raise ValidationError(
            [
                (
                    f"{int((off > tolerance).sum())} runs have proportions that do not sum to 1 "
                    f"within {tolerance:.0%} (row {bad} sums to {totals[bad]:.4g})"
                )
            ],
            "mixture runs",
        )
    if (off > 1e-12).any():
        out[p.columns] = p.div(totals, axis=0)
        notes.append(
            f"proportions renormalized to sum to 1: their sums ranged from {totals.min():.4g} to "
            f"{totals.max():.4g} (at most {off.max():.2%} from 1)"
        )
    numbered = run is None or run not in frame
    if numbered:
        keys = [*(["model"] if model else []), *p.columns]
        out.insert(0, "run", pd.factorize(pd.MultiIndex.from_frame(out[keys].round(12)))[0] + 1)
        out["run"] = "mixture " + out["run"].astype(str)
    else:
        out.insert(0, "run", frame[run].to_numpy())
    ordered = ["run", *(r for r in ("model", "step") if r in out)]
    ordered += [f"p_{d}" for d in shares] + [f"loss_{d}" for d in fitted]
    used = {run, step, join, *shares.values(), *measured.values()}
    for column in frame.columns:
        if column not in used and column not in out:
            out[column] = frame[column].to_numpy()
            ordered.append(column)
    out = out[ordered]
    if query:
        try:
            out = out.query(query)
        except Exception as err:  # pandas raises many types for a bad query; all are the user's
            raise ValidationError(
                [f"query {query!r}: {type(err).__name__}: {err}"], "mixture runs"
            ) from None
        if out.empty:
            raise ValidationError([f"query {query!r} selects no runs"], "mixture runs")
    if numbered:
        notes.append(
            f"no run column: runs numbered by their mixture{' and model size' if model else ''} "
            f"({out['run'].nunique()} runs)"
        )
    return _notes(out, notes + missing_losses(out))


MISSING_LOSSES = "losses are missing (NaN) and left out of their domain's fit"


def missing_losses(runs: pd.DataFrame) -> list[str]:
    """The note counting missing (NaN) losses per domain of wide mixture runs, if there are any.

    Parameters
    ----------
    runs : DataFrame
        Wide mixture runs (``loss_<domain>`` columns).

    Returns
    -------
    list of str
        No note, or one.

    Examples
    --------
    >>> missing_losses(pd.DataFrame({"loss_web": [2.9, None], "loss_code": [1.8, 1.6]}))
    ["1 losses are missing (NaN) and left out of their domain's fit: web 1"]
    """
    missing = runs[[c for c in runs.columns if str(c).startswith("loss_")]].isna()
    if not missing.any().any():
        return []
    where = missing.sum()
    listed = ", ".join(f"{d[5:]} {int(n)}" for d, n in where[where > 0].items())
    return [f"{int(missing.to_numpy().sum())} {MISSING_LOSSES}: {listed}"]


def _present(frame: pd.DataFrame, *names: str) -> str | None:
    """The first of `names` that is a column of `frame` (the conventional names need no option)."""
    return next((name for name in names if name in frame), None)


def parse_size(label: str) -> float:
    """The number of parameters a size label names: ``"190M"`` is 1.9e8, ``"6.9B"`` 6.9e9.

    Parameters
    ----------
    label : str
        A label or a name that holds one (``"1B-5xC"``).

    Returns
    -------
    float, or NaN when no size is found

    Examples
    --------
    >>> parse_size("190M-1xC"), parse_size("peteish13_eval"), parse_size("pythia-6.9b")
    (190000000.0, nan, 6900000000.0)

    Thousands are steps, not sizes: ``"eval_50k-150k"`` names no size.

    >>> parse_size("eval_50k-150k")
    nan
    """
    found = SIZE.search(str(label))
    return float(found[1]) * _SCALE[found[2].upper()] if found else float("nan")


def read_checkpoint_logs(
    sources,
    *,
    step: str = "_step",
    tokens: str | None = "throughput/total_tokens",
    flops: str | None = "throughput/total_training_Gflops",
    flops_scale: float = 1e9,
    batch: str | None = "batch_size_in_tokens",
    losses: str = "eval/{domain}-validation/CrossEntropyLoss",
    model: str | None = None,
    sizes: Mapping[str, float] | None = None,
    final: bool = False,
    sep: str = ",",
) -> pd.DataFrame:
    """Training logs exported per checkpoint, one file per run, as one long table.

    Parameters
    ----------
    sources : str, Path, or a sequence of them
        A folder (every ``*.csv`` in it), a glob pattern (``"logs/*-*xC.csv"``)
        or files; each file is one run, named by its file name.
    step : str
        The step column.
    tokens : str, optional
        The tokens-seen column; where it is missing, tokens are ``step * batch``.
    flops : str, optional
        The training-FLOPs column (logged in units of `flops_scale`); where it
        is missing, compute is ``6 N tokens``.
    flops_scale : float
        FLOPs per unit of the FLOPs column (1e9 for GFLOPs).
    batch : str, optional
        The batch-size column [tokens], for tokens from steps.
    losses : str
        Pattern of the loss columns, with a ``{domain}`` placeholder for the
        validation set: each becomes ``loss_<set>``.
    model : str, optional
        A column holding each run's model size label; by default the size is
        read from the file name (``190M-1xC.csv``).
    sizes : mapping of str to float, optional
        Parameters per size label (e.g. a code's exact counts); default the
        label's nominal value (:func:`parse_size`).
    final : bool
        Keep only each run's last checkpoint.
    sep : str

    Returns
    -------
    DataFrame
        One row per run and checkpoint: ``run``, ``model``, ``N``, ``step``,
        ``tokens``, ``C``, and ``loss_<set>``; ``attrs["notes"]`` says what was
        derived.

    Raises
    ------
    ValidationError
        No files, a file without the step column or loss columns, a run whose
        size cannot be found.
    """
    paths = []
    for given in [sources] if isinstance(sources, (str, Path)) else sources:
        if _glob.has_magic(str(given)):
            paths += sorted(Path(p) for p in _glob.glob(str(given)))
        elif Path(given).is_dir():
            paths += sorted(Path(given).glob("*.csv"))
        else:
            paths.append(Path(given))
    if not paths:
        raise ValidationError([f"no CSV files in {sources}"], "checkpoint logs")
    pieces, notes, problems = [], [], []
    derived = {
        "tokens from step x batch": 0,
        "compute from 6 N tokens": 0,
        "N from the size in the file name (nominal, e.g. 190M = 1.9e8; pass sizes, --sizes FILE, for counts)": 0,
    }
    for path in paths:
        frame = read_runs(path, sep=sep)
        name = path.stem
        measured = _matched(frame, losses, "loss")
        if step not in frame or not measured:
            problems.append(
                f"{path.name}: needs a step column {step!r} and loss columns like {losses!r}"
            )
            continue
        label = str(frame[model].iloc[0]) if model and model in frame else None
        if label is None:
            found = SIZE.search(name)
            label = f"{found[1]}{found[2]}" if found else None
            if found and label not in (sizes or {}):
                derived[next(k for k in derived if k.startswith("N from"))] += 1
        n = (sizes or {}).get(label, parse_size(label) if label else np.nan) if label else np.nan
        if not np.isfinite(n):
            problems.append(
                f"{path.name}: no model size in the file name or a model column; name the run "
                "like 190M-1xC.csv, or pass model= or sizes= (--sizes FILE)"
            )
            continue
        piece = pd.DataFrame(
            {"run": name, "model": label, "N": float(n), "step": frame[step].to_numpy(dtype=float)}
        )
        if tokens and tokens in frame:
            piece["tokens"] = frame[tokens].to_numpy(dtype=float)
        elif batch and batch in frame:
            piece["tokens"] = piece["step"] * frame[batch].to_numpy(dtype=float)
            derived["tokens from step x batch"] += 1
        else:
            problems.append(
                f"{path.name}: no tokens column {tokens!r} and no batch column {batch!r}"
            )
            continue
        if flops and flops in frame:
            piece["C"] = frame[flops].to_numpy(dtype=float) * flops_scale
        else:
            piece["C"] = 6 * piece["N"] * piece["tokens"]
            derived["compute from 6 N tokens"] += 1
        for domain, column in measured.items():
            piece[f"loss_{domain}"] = pd.to_numeric(frame[column], errors="coerce").to_numpy()
        pieces.append(piece)
    if problems:
        raise ValidationError(problems, "checkpoint logs")
    table = pd.concat(pieces, ignore_index=True)
    loss_columns = [c for c in table.columns if c.startswith("loss_")]
    empty = table[loss_columns].isna().all(axis=1) | (table["step"] <= 0)
    if empty.any():
        notes.append(f"{int(empty.sum())} checkpoints without a loss (or at step 0) left out")
        table = table[~empty]
    for what, count in derived.items():
        if count:
            notes.append(f"{what} for {count} of {len(paths)} runs")
    if final:
        table = table.loc[table.groupby("run")["step"].idxmax()].reset_index(drop=True)
    return _notes(table.reset_index(drop=True), notes)


def runs_kind(frame: pd.DataFrame) -> str:
    """Which kind of runs a frame holds: ``"mixture"``, ``"log"`` or ``"runs"``.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    str
    """
    columns = list(map(str, frame.columns))
    if any(c.startswith("p_") for c in columns) or {"domain", "proportion"} <= set(columns):
        return "mixture"
    if any(c in ("_step", "step") for c in columns) and not {"N", "D"} <= set(columns):
        return "log"
    return "runs"
