"""Saving a fit to JSON and loading it again: :func:`save_fit` and :func:`load_fit`.

A saved fit keeps everything a :class:`lawlib.FitResult` holds (the law, the
recipe, the notes, the data fitted), so a loaded fit predicts, reports its
standard errors and prints the same summary. Only an attached bootstrap is
not kept (its resamples would dwarf the file); the command line's ``--save``
writes these files.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .errors import ValidationError
from .law import Law
from .result import FitResult

#: The format of saved fits; a loader refuses files of another.
FORMAT = "lawlib fit, version 1"


def _subclasses(cls) -> dict[str, type]:
    found = {cls.__name__: cls}
    for sub in cls.__subclasses__():
        found.update(_subclasses(sub))
    return found


def _plain(value):
    if isinstance(value, pd.DataFrame):
        columns = [str(c) for c in value.columns]
        data = [_plain(value[c].tolist()) for c in value.columns]
        return {
            "__frame__": {"columns": columns, "index": _plain(value.index.tolist()), "data": data}
        }
    if isinstance(value, pd.Series):
        return {"__series__": {str(k): _plain(v) for k, v in value.items()}, "name": value.name}
    if isinstance(value, np.ndarray):
        return {"__array__": [_plain(v) for v in value.tolist()]}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": str(value)}
    return value


def _restore(value):
    if isinstance(value, dict):
        if "__frame__" in value:
            split = value["__frame__"]
            data = {c: _restore(v) for c, v in zip(split["columns"], split["data"], strict=True)}
            return pd.DataFrame(data, index=_restore(split["index"]), columns=split["columns"])
        if "__series__" in value:
            items = {k: _restore(v) for k, v in value["__series__"].items()}
            return pd.Series(items, name=value.get("name"), dtype=float)
        if "__array__" in value:
            return np.array([_restore(v) for v in value["__array__"]], dtype=float)
        if "__float__" in value:
            return float(value["__float__"])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def fit_to_dict(fit: FitResult) -> dict[str, Any]:
    """A fit as a JSON-safe dict (see :func:`save_fit`).

    Parameters
    ----------
    fit : FitResult

    Returns
    -------
    dict
    """
    record = {
        "format": FORMAT,
        "lawlib": __version__,
        "result": type(fit).__name__,
        "law": type(fit.law).__name__,
        "law_params": _plain(fit.law.params),
    }
    for field in fields(fit):
        if field.name in ("law", "bootstrap"):
            continue
        record[field.name] = _plain(getattr(fit, field.name))
    return record


def save_fit(fit: FitResult, path, *, overwrite: bool = False) -> Path:
    """Write `fit` to a JSON file that :func:`load_fit` reads back.

    Parameters
    ----------
    fit : FitResult
    path : str or Path
    overwrite : bool
        Replace an existing file (refused by default: nothing is written over
        a user's file unasked).

    Returns
    -------
    Path

    Raises
    ------
    ValidationError
        When the file exists and `overwrite` is False.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ValidationError([f"{target} exists; choose another name or remove it"], "save_fit")
    target.write_text(json.dumps(fit_to_dict(fit), indent=1, allow_nan=False) + "\n")
    return target


def load_fit(path) -> FitResult:
    """A fit saved by :func:`save_fit` (or by the command line's ``--save``), ready to predict and report.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    FitResult (or the subclass that was saved)

    Raises
    ------
    ValidationError
        A missing or unreadable file, or one that is not a saved fit.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib, lawlib
    >>> x = np.logspace(6, 10, 20)
    >>> fit = lawlib.fit_power_law(x, lawlib.PowerLaw(1.7, 400.0, 0.34)(x))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fit.json"
    >>> _ = save_fit(fit, path)
    >>> again = load_fit(path)
    >>> again.law == fit.law, bool(np.allclose(again.predict(), fit.predict()))
    (True, True)
    """
    source = Path(path)
    where = f"fit file {source}"
    if not source.is_file():
        raise ValidationError(["no such file"], where)
    try:
        record = json.loads(source.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValidationError([f"not valid JSON ({err})"], where) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValidationError(
            [f"not a saved fit ({FORMAT!r}); write one with lawlib fit ... --save"], where
        )
    laws, results = _subclasses(Law), _subclasses(FitResult)
    if record.get("law") not in laws or record.get("result") not in results:
        raise ValidationError(
            [f"unknown law {record.get('law')!r} or result {record.get('result')!r}"], where
        )
    law_class: Any = laws[record["law"]]
    law = law_class.from_params(_restore(record["law_params"]), check=False)
    cls = results[record["result"]]
    values = {f.name: _restore(record[f.name]) for f in fields(cls) if f.name in record}
    values["law"] = law
    values["params"] = pd.Series(values["params"], dtype=float)
    values["derived"] = pd.Series(values.get("derived", {}), dtype=float)
    values["inputs"] = tuple(values.get("inputs", ()))
    values["constraints"] = tuple(tuple(c) for c in values.get("constraints", ()))
    if values.get("weights") is not None:
        values["weights"] = np.asarray(values["weights"], dtype=float)
    return cls(**values)
