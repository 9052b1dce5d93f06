"""Lab parameters: the checks a chapter runs on its tagged cell before anything else.

A chapter's parameters cell (tagged ``parameters``, first line ``# Lab
parameters``) holds every knob a lab changes, each with a comment. A comment
may end in rules in parentheses, ``(positive)``, ``(integer)``, ``(fraction)``
or combinations such as ``(positive integer)``; :func:`check_lab` reads the
cell, checks every value it names against its rules (with the values papermill
injected), and starts the chapter's records (:mod:`lawlib.book.records`) at
its ``key_numbers_path``. Rules that depend on the data are passed to it as
`choices` and `require`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..errors import ValidationError
from . import records

#: The first line of every chapter's parameters cell.
HEADER = "# Lab parameters"
#: The rule words a parameter's comment may end with, in parentheses.
RULES = ("positive", "integer", "fraction")
_RULES = re.compile(
    r"\((?P<words>(?:positive|integer|fraction)(?: (?:positive|integer|fraction))*)\)\s*$"
)
#: ``(one of: sum, mean)``: the values a text parameter takes.
_ONE_OF = re.compile(r"\(one of: (?P<values>[^()]+)\)\s*$")
#: ``(dataset with N D loss)``: a shipped dataset that has these columns.
_DATASET = re.compile(r"\(dataset with (?P<columns>[\w ]+)\)\s*$")
#: ``(a model of dataset)``: a value of that column of the dataset another parameter names.
_VALUE_OF = re.compile(r"\(an? (?P<column>\w+) of (?P<parameter>\w+)\)\s*$")


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)


def check_parameters(
    values: Mapping[str, object],
    *,
    positive: Sequence[str] = (),
    integer: Sequence[str] = (),
    fraction: Sequence[str] = (),
    choices: Mapping[str, Sequence] | None = None,
    require: Sequence[tuple[Callable[[], bool], str]] = (),
) -> None:
    """Check a chapter's lab parameters; stop with one line per wrong parameter.

    Parameters
    ----------
    values : mapping of str to object
        The parameters as the chapter received them.
    positive : sequence of str
        Names that must be finite numbers > 0 (a list: each element).
    integer : sequence of str
        Names that must be whole numbers >= 0.
    fraction : sequence of str
        Names that must lie strictly between 0 and 1.
    choices : mapping of str to sequence, optional
        Names that must take one of the listed values (a list: each element).
    require : sequence of (callable, str)
        Rules between parameters (or between a parameter and the data): each
        callable returns whether the rule holds, and the message, which names
        the parameter and the values it may take, is reported when it does
        not. Rules are checked only when every check above passed, so they
        may compare numbers freely.

    Returns
    -------
    None

    Examples
    --------
    >>> check_parameters({"budget": "lots"}, positive=["budget"])
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: parameter 'budget': must be a positive number, got 'lots'
    >>> n_points, n_outliers = 3, 3
    >>> check_parameters(
    ...     {"n_points": n_points},
    ...     integer=["n_points"],
    ...     require=[(lambda: n_points >= n_outliers + 4,
    ...               f"parameter 'n_points': must be at least n_outliers + 4 = 7, got {n_points}")],
    ... )
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: parameter 'n_points': must be at least n_outliers + 4 = 7, got 3
    """
    problems = []

    def each(name):
        value = values[name]
        return value if isinstance(value, (list, tuple)) else [value]

    def number(value):
        return _number(value) is not None

    for name in positive:
        if not all(number(v) and np.isfinite(v) and v > 0 for v in each(name)):
            problems.append(f"parameter {name!r}: must be a positive number, got {values[name]!r}")
    for name in integer:
        if not all(number(v) and float(v).is_integer() and v >= 0 for v in each(name)):
            problems.append(
                f"parameter {name!r}: must be a whole number >= 0, got {values[name]!r}"
            )
    for name in fraction:
        if not all(number(v) and 0 < v < 1 for v in each(name)):
            problems.append(f"parameter {name!r}: must lie between 0 and 1, got {values[name]!r}")
    for name, allowed in (choices or {}).items():
        if not all(v in allowed for v in each(name)) or not each(name):
            listed = ", ".join(repr(a) for a in allowed)
            problems.append(f"parameter {name!r}: must be one of {listed}; got {values[name]!r}")
    if not problems:
        problems += [message for holds, message in require if not holds()]
    if problems:
        subject = problems[0].split(":")[0] if len(problems) == 1 else "the lab parameters"
        raise ValidationError(
            [p.split(": ", 1)[1] for p in problems] if len(problems) == 1 else problems, subject
        )


def parameter_rules(source: str) -> dict[str, tuple[str, ...]]:
    """The parameters a cell assigns, each with the rules its comment ends with.

    Parameters
    ----------
    source : str
        The parameters cell.

    Returns
    -------
    dict of str to tuple of str
        Every assigned name, in order, and its rules (empty when none):
        ``positive``, ``integer``, ``fraction``, ``one of:<a>,<b>``,
        ``dataset with:<column>,<column>`` or ``value of:<column>,<parameter>``.

    Examples
    --------
    >>> parameter_rules("n = 5  # runs per budget (positive integer)\\nname = 'a'  # a label")
    {'n': ('positive', 'integer'), 'name': ()}
    >>> parameter_rules("how = 'sum'  # reduction (one of: sum, mean)")
    {'how': ('one of:sum,mean',)}
    >>> parameter_rules("dataset = 'epoch2024'  # runs (dataset with N D loss)")
    {'dataset': ('dataset with:N,D,loss',)}
    >>> parameter_rules("model = '160M'  # size (a model of dataset)")
    {'model': ('value of:model,dataset',)}
    """
    comments = {
        token.start[0]: token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    found: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                comment = comments.get(node.end_lineno or node.lineno, "")
                rules: tuple[str, ...] = ()
                if words := _RULES.search(comment):
                    rules = tuple(words["words"].split())
                elif one_of := _ONE_OF.search(comment):
                    values = [v.strip() for v in one_of["values"].split(",")]
                    rules = ("one of:" + ",".join(values),)
                elif dataset := _DATASET.search(comment):
                    rules = ("dataset with:" + ",".join(dataset["columns"].split()),)
                elif value_of := _VALUE_OF.search(comment):
                    rules = (f"value of:{value_of['column']},{value_of['parameter']}",)
                found[target.id] = rules
    return found


def lab_source(namespace: Mapping[str, object]) -> str:
    """The parameters cell as the kernel ran it (IPython's input history ``In``).

    Parameters
    ----------
    namespace : mapping
        The chapter's ``globals()``.

    Returns
    -------
    str

    Raises
    ------
    ValidationError
        When no cell starting with :data:`HEADER` was run.
    """
    history = namespace.get("In", [])
    for cell in reversed(list(history) if isinstance(history, list) else []):
        if isinstance(cell, str) and cell.lstrip().startswith(HEADER):
            return cell
    raise ValidationError([f"no cell starting with {HEADER!r} was run"], "check_lab")


def check_lab(
    namespace: Mapping[str, object],
    *,
    choices: Mapping[str, Sequence] | None = None,
    require: Sequence[tuple[Callable[[], bool], str]] = (),
    source: str | None = None,
) -> dict[str, object]:
    """Check a chapter's lab parameters from its own cell, and start its records.

    Parameters
    ----------
    namespace : mapping
        The chapter's ``globals()``: the values, after papermill's injection.
    choices : mapping of str to sequence, optional
        Values a parameter may take that come from the data (a dataset's
        model sizes); literal rules belong in the cell's comments.
    require : sequence of (callable, str)
        Rules between parameters or between a parameter and the data (see
        :func:`check_parameters`).
    source : str, optional
        The parameters cell (default: found in the kernel's history).

    Returns
    -------
    dict
        The parameters and their values.

    Raises
    ------
    ValidationError
        One line per wrong parameter, naming it and the values it takes.

    Examples
    --------
    >>> cell = "budget = 1e22  # FLOPs (positive)\\nkey_numbers_path = None  # JSON file"
    >>> check_lab({"budget": -1.0, "key_numbers_path": None}, source=cell)
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: parameter 'budget': must be a positive number, got -1.0
    """
    rules = parameter_rules(source if source is not None else lab_source(namespace))
    unknown = [name for name in (choices or {}) if name not in rules]
    if unknown:
        raise ValidationError(
            [f"choices for {', '.join(unknown)}, which the parameters cell does not assign"],
            "check_lab",
        )
    values = {name: namespace[name] for name in rules}
    choices = dict(choices or {})
    for name, rule in rules.items():
        for word in rule:
            if word.startswith("one of:"):
                choices.setdefault(name, word.removeprefix("one of:").split(","))
            elif word.startswith("dataset with:"):
                from ..data import with_columns

                choices.setdefault(
                    name, with_columns(*word.removeprefix("dataset with:").split(","))
                )
    for name, rule in rules.items():  # after the datasets' own rules: values of a valid one
        for word in rule:
            if word.startswith("value of:"):
                column, parameter = word.removeprefix("value of:").split(",")
                named = values.get(parameter)
                if named in choices.get(parameter, [named]):
                    from ..data import load

                    frame = load(named)  # type: ignore[arg-type]
                    if column in frame:
                        choices.setdefault(name, sorted(frame[column].dropna().unique()))
    check_parameters(
        values,
        positive=[n for n, r in rules.items() if "positive" in r],
        integer=[n for n, r in rules.items() if "integer" in r],
        fraction=[n for n, r in rules.items() if "fraction" in r],
        choices=choices,
        require=require,
    )
    records.start(values.get("key_numbers_path"))  # type: ignore[arg-type]
    return values
