"""Input checks that run before any fitting: one error type, every problem listed.

Every fitter, law, template and the command line check their inputs here. A
check collects *every* problem it finds (which column, which rows, what is
wrong) and raises one :class:`lawlib.ValidationError` listing them, before
any fitting; a notebook shows the list without a traceback, the command line
prints it on one line. The checks live in four modules:

- :mod:`~lawlib.validation.values`: numbers in columns, arguments, numerical
  options (:data:`~lawlib.validation.values.OPTIONS`) and lab parameters;
- :mod:`~lawlib.validation.design`: whether runs can identify a law, whether
  they look like what it takes, and when an answer is an extrapolation;
- :mod:`~lawlib.validation.runs`: the columns a fitter takes, and runs tables;
- :mod:`~lawlib.validation.mixtures`: mixture runs and pooled model sizes.
"""

from ..errors import ValidationError
from .design import check_dependence, check_design, extrapolation_notes, unit_warnings
from .mixtures import SUM_TOLERANCE, check_mixture_runs, check_one_model, pooled_columns
from .runs import check_runs, check_weights, take_columns
from .values import (
    OPTIONS,
    check_columns,
    check_options,
    number_problems,
    positive_argument,
)

__all__ = [
    "OPTIONS",
    "SUM_TOLERANCE",
    "ValidationError",
    "check_columns",
    "check_dependence",
    "check_design",
    "check_mixture_runs",
    "check_one_model",
    "check_options",
    "check_runs",
    "check_weights",
    "extrapolation_notes",
    "number_problems",
    "pooled_columns",
    "positive_argument",
    "take_columns",
    "unit_warnings",
]
