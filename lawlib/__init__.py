"""lawlib: the equations and fitters of the Scaling Laws book.

The public API is flat; modules are named for what they hold:
``powerlaw`` (the one-variable law and its fits), ``chinchilla`` (the
Chinchilla and Kaplan laws, Approach 3), ``allocation`` (Approaches 1 and 2),
``repetition`` (data-constrained scaling), ``filtering`` (data-filtering laws),
``mixtures`` (BiMix and the exponential mixing law), ``entropy`` (entropy of token streams),
``toy`` (the power-law random-features lab), ``objectives`` (the Huber
objective), ``optimize`` (multi-start), ``result`` (the shared fit result),
``bootstrap``, ``data`` (published datasets by name), ``plotting`` (the book's
look), ``report`` (key numbers), ``validation`` (input checks).
"""

from . import data, entropy, filtering, plotting, toy
from .allocation import Allocation, AllocationResult, fit_envelope, fit_isoflop
from .bootstrap import BootstrapResult, bootstrap, bootstrap_power_law
from .chinchilla import ChinchillaLaw, KaplanLaw, bootstrap_parametric, fit_parametric
from .mixtures import BiMixLaw, MixingLaw, fit_bimix, fit_mixing_law, optimize_mixture
from .powerlaw import PowerLaw, fit_loglog_line, fit_power_law, start_grid
from .repetition import DataConstrainedLaw, fit_decay, profile_decay
from .report import glue, write_key_numbers
from .result import FitResult, FitWarning, Objective, Summary

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "AllocationResult",
    "BiMixLaw",
    "BootstrapResult",
    "ChinchillaLaw",
    "DataConstrainedLaw",
    "FitResult",
    "FitWarning",
    "KaplanLaw",
    "MixingLaw",
    "Objective",
    "PowerLaw",
    "Summary",
    "bootstrap",
    "bootstrap_parametric",
    "bootstrap_power_law",
    "data",
    "entropy",
    "filtering",
    "fit_bimix",
    "fit_decay",
    "fit_envelope",
    "fit_isoflop",
    "fit_loglog_line",
    "fit_mixing_law",
    "fit_parametric",
    "fit_power_law",
    "glue",
    "optimize_mixture",
    "plotting",
    "profile_decay",
    "start_grid",
    "toy",
    "write_key_numbers",
]
