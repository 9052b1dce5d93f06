"""The verbs every law shares: call it, read its ``params``, rebuild it ``from_params``."""

from __future__ import annotations

from dataclasses import fields

import pandas as pd


class Law:
    """Mixin for the laws (frozen dataclasses of float constants).

    ``law(*inputs)`` is its prediction (the same as ``law.loss``), ``law.params``
    its constants as a Series, and ``type(law).from_params(params)`` rebuilds it.
    """

    def __call__(self, *inputs):
        """The law's prediction at `inputs` (see ``loss``)."""
        return self.loss(*inputs)

    @property
    def params(self) -> pd.Series:
        """The constants, by name."""
        return pd.Series({f.name: getattr(self, f.name) for f in fields(self)}, dtype=float)

    @classmethod
    def from_params(cls, params):
        """The law with the constants in `params` (a mapping or Series; extra entries are ignored)."""
        names = [f.name for f in fields(cls)]
        missing = [name for name in names if name not in params]
        if missing:
            raise ValueError(f"{cls.__name__} needs {', '.join(missing)}; got {', '.join(params)}")
        return cls(**{name: float(params[name]) for name in names})
