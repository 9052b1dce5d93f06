"""The protocol every law in lawlib follows.

A law is a frozen dataclass of constants that predicts one quantity (its
``output``, e.g. the loss) from its ``inputs`` (e.g. ``N`` and ``D``). Every law
shares the same verbs:

- ``law(*inputs)`` and ``law.predict(*inputs)`` give the prediction; ``predict``
  also takes one DataFrame holding the input columns and returns a Series;
- ``law.params`` is a Series of the constants, ``type(law).from_params(params)``
  rebuilds the law, and ``law == other`` and ``hash(law)`` compare constants;
- ``type(law).published(name)`` builds a law from published constants (names in
  ``PUBLISHED``; the constants and their sources live in :mod:`lawlib.presets`);
- where a compute optimum exists, ``law.compute_optimal(C, *, flops_per_token=6.0)``
  gives ``(N_opt, D_opt)`` for a budget of C FLOPs spent as ``flops_per_token * N * D``.

Constants are checked when a law is built (finite; positive scales and
exponents, per law): a :class:`lawlib.ValidationError` names the constant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, ClassVar, cast

import numpy as np
import pandas as pd

from . import presets
from .errors import ValidationError, listing

#: What each rule of ``Law.RULES`` asks of a constant.
RULE_TEXT = {
    "positive": "a finite number > 0",
    "nonnegative": "a finite number >= 0",
    "negative": "a finite number < 0",
    "finite": "a finite number",
    "nonzero": "a finite number other than 0",
}


def _holds(rule: str, value: float) -> bool:
    if not math.isfinite(value):
        return False
    return {
        "positive": value > 0,
        "nonnegative": value >= 0,
        "negative": value < 0,
        "finite": True,
        "nonzero": value != 0,
    }[rule]


class Law:
    """Base of every lawlib law (subclasses are ``@dataclass(frozen=True, eq=False)``).

    Class attributes
    ----------------
    inputs : tuple of str
        Names of the inputs, in call order (``("N", "D")``).
    output : str
        What the law predicts (``"loss"``, ``"error"``, ``"N_opt"``).
    RULES : dict of str to str
        Constraint of each constant: ``"positive"``, ``"nonnegative"``,
        ``"negative"``, ``"finite"`` or ``"nonzero"`` (see :data:`RULE_TEXT`).
    LOG_PARAMS : tuple of str
        Constants that are scales: fitted, and given intervals, on a log scale.
    PRESETS : str
        Key of this law's table in :data:`lawlib.presets.TABLES` ("" if none).
    PUBLISHED : tuple of str
        Names :meth:`published` takes.

    Attributes
    ----------
    params : Series
        The constants by name.

    References
    ----------
    The published constants and their sources: :mod:`lawlib.presets`.
    """

    inputs: ClassVar[tuple[str, ...]] = ()
    output: ClassVar[str] = "loss"
    RULES: ClassVar[dict[str, str]] = {}
    LOG_PARAMS: ClassVar[tuple[str, ...]] = ()
    PRESETS: ClassVar[str] = ""
    PUBLISHED: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.PUBLISHED = tuple(presets.TABLES.get(cls.PRESETS, {}))

    def __post_init__(self):
        self.check_constants()

    def check_constants(self) -> None:
        """Raise :class:`lawlib.ValidationError` naming every constant that breaks its rule."""
        problems = []
        for name, value in self._constant_items():
            rule = self._rule(str(name))
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if rule is not None and not _holds(rule, number):
                problems.append(f"{name} must be {RULE_TEXT[rule]}, got {value!r}")
        if problems:
            raise ValidationError(problems, f"{type(self).__name__}")

    def _constant_items(self):
        """(name, value) of every constant: the fields, or ``params`` where a law flattens tables."""
        if type(self).params is not Law.params:
            return self.params.items()
        return ((f.name, getattr(self, f.name)) for f in fields(cast(Any, self)))

    @classmethod
    def _rule(cls, name: str) -> str | None:
        """The rule of constant `name` (per-domain names ``alpha[web]`` follow ``alpha``)."""
        return cls.RULES.get(name.split("[", 1)[0])

    @classmethod
    def is_log_param(cls, name: str) -> bool:
        """Whether constant `name` is a scale, fitted and given intervals on a log scale."""
        return name.split("[", 1)[0] in cls.LOG_PARAMS

    @classmethod
    def from_fit(cls, params: Mapping[str, Any] | pd.Series):
        """The law a fit found: checked, or unchecked if the fit broke a rule (a failed fit).

        Parameters
        ----------
        params : mapping or Series

        Returns
        -------
        Law
        """
        try:
            return cls.from_params(params)
        except ValidationError:
            return cls.from_params(params, check=False)

    @classmethod
    def unchecked(cls, **constants):
        """The law with `constants`, not checked: for a failed fit, so that it can be inspected."""
        law = object.__new__(cls)
        for name, value in constants.items():
            object.__setattr__(law, name, value)
        return law

    # -- constants ---------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        """The constants, by name."""
        return pd.Series(
            {f.name: getattr(self, f.name) for f in fields(cast(Any, self))}, dtype=float
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | pd.Series, *, check: bool = True):
        """The law with the constants in `params` (a mapping or Series; extra entries are ignored).

        Parameters
        ----------
        params : mapping or Series
            Constants by name, as :attr:`params` gives them.
        check : bool
            Check the constants (False: a perturbed or failed fit, see :meth:`unchecked`).

        Returns
        -------
        Law
        """
        names = [f.name for f in fields(cast(Any, cls))]
        missing = [name for name in names if name not in params]
        if missing:
            raise ValidationError(
                [f"needs {', '.join(missing)}; got {', '.join(map(str, params))}"], cls.__name__
            )
        constants = {name: float(params[name]) for name in names}
        return cls(**constants) if check else cls.unchecked(**constants)

    @classmethod
    def published(cls, name: str):
        """A law with published constants: `name` is one of ``PUBLISHED``.

        Sources of every constant are in :mod:`lawlib.presets`.
        """
        table = presets.TABLES.get(cls.PRESETS)
        if not table:
            raise ValidationError([f"{cls.__name__} has no published constants"], "published")
        try:
            constants = presets.lookup(table, name, cls.__name__)
        except ValueError as err:
            raise ValidationError([str(err)], f"{cls.__name__}.published") from None
        return cls.from_params(constants)

    def _key(self) -> tuple:
        values = self.params
        return (type(self), tuple(map(str, values.index)), tuple(values.to_numpy(dtype=float)))

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # -- prediction --------------------------------------------------------------------------
    def __call__(self, *inputs):
        """The prediction at `inputs` (see :meth:`predict`)."""
        return self.predict(*inputs)

    def predict(self, *inputs, columns: Mapping[str, str] | None = None):
        """The law's ``output`` at `inputs`.

        Parameters
        ----------
        *inputs : array_like, one per name in ``inputs``, or one DataFrame
            Arrays broadcast together. A DataFrame must hold a column for each
            input (named as in ``inputs``, or as `columns` maps them).
        columns : mapping of str to str, optional
            Column of the DataFrame for each input name.

        Returns
        -------
        ndarray, or a Series indexed like the DataFrame.
        """
        if len(inputs) == 1 and isinstance(inputs[0], pd.DataFrame):
            frame = inputs[0]
            names = [dict(columns or {}).get(name, name) for name in self.inputs]
            missing = [name for name in names if name not in frame]
            if missing:
                listed = listing(frame.columns)
                raise ValidationError(
                    [f"predict needs the columns {', '.join(missing)}; the data has {listed}"],
                    f"{type(self).__name__}.predict",
                )
            values = self.evaluate(*(frame[name].to_numpy() for name in names))
            return pd.Series(np.asarray(values, dtype=float), index=frame.index, name=self.output)
        if len(inputs) != len(self.inputs):
            raise ValidationError(
                [
                    (
                        f"takes {len(self.inputs)} input(s) ({', '.join(self.inputs)}) or one "
                        f"DataFrame; got {len(inputs)}"
                    )
                ],
                f"{type(self).__name__}.predict",
            )
        return self.evaluate(*inputs)

    def evaluate(self, *inputs):
        """The prediction from one array per input: the method named like ``output``.

        Parameters
        ----------
        *inputs : array_like

        Returns
        -------
        ndarray
        """
        return getattr(self, self.output)(*inputs)
