"""lawlib: the equations and fitters of the Scaling Laws book.

The public API is flat; modules are named for what they hold:
``powerlaw`` (the one-variable law and its fits), ``objectives`` (the Huber
objective), ``optimize`` (multi-start), ``result`` (the shared fit result),
``bootstrap``, ``data`` (published datasets by name), ``plotting`` (the book's
look), ``report`` (key numbers), ``validation`` (input checks).
"""

from . import data, plotting
from .bootstrap import BootstrapResult, bootstrap, bootstrap_power_law
from .powerlaw import PowerLaw, fit_loglog_line, fit_power_law, start_grid
from .report import write_key_numbers
from .result import FitResult, Objective, Summary

__version__ = "0.1.0"

__all__ = [
    "BootstrapResult",
    "FitResult",
    "Objective",
    "PowerLaw",
    "Summary",
    "bootstrap",
    "bootstrap_power_law",
    "data",
    "fit_loglog_line",
    "fit_power_law",
    "plotting",
    "start_grid",
    "write_key_numbers",
]
