"""Data-mixture laws: BiMix (Ge et al. 2024) and the exponential mixing law (Ye et al. 2024).

A mixture gives each training domain a proportion r_i (summing to 1). Modules:
:mod:`~lawlib.mixtures.frames` (wide and long tables of mixture runs),
:mod:`~lawlib.mixtures.bimix` (BiMix), :mod:`~lawlib.mixtures.mixing_law`
(Ye et al.'s law), :mod:`~lawlib.mixtures.optimum` (the optimal mixture).
Derived in the Part IV chapters *BiMix* and *Optimising the mixture*.
"""

from .bimix import EXPONENT_BOUNDS, BiMixLaw, BiMixResult, fit_bimix
from .frames import (
    fitted_domains,
    long_to_wide,
    mixture_domains,
    relative_errors,
    split_runs,
    vary_share,
    wide_to_long,
)
from .mixing_law import MixingLaw, fit_mixing_law
from .optimum import MixtureOptimum, optimize_mixture

__all__ = [
    "EXPONENT_BOUNDS",
    "BiMixLaw",
    "BiMixResult",
    "MixingLaw",
    "MixtureOptimum",
    "fit_bimix",
    "fit_mixing_law",
    "fitted_domains",
    "long_to_wide",
    "mixture_domains",
    "optimize_mixture",
    "relative_errors",
    "split_runs",
    "vary_share",
    "wide_to_long",
]
