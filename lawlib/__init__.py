"""lawlib: the equations and fitters of the Scaling Laws book.

The public API is flat; modules are named for what they hold:
``powerlaw`` (the one-variable law and its fits), ``chinchilla`` (the
Chinchilla and Kaplan laws, Approach 3), ``allocation`` (Approaches 1 and 2),
``inference`` (training plus inference compute), ``downstream`` (loss to
downstream error), ``sweep`` (planning and simulating a sweep), ``repetition``
(data-constrained scaling), ``filtering`` (data-filtering laws), ``mixtures``
(BiMix and the exponential mixing law), ``entropy`` (entropy of token streams),
``toy`` (the power-law random-features lab), ``objectives`` (the Huber
objective), ``logfit`` (fitting by it), ``optimize`` (multi-start), ``result``
(the shared fit result), ``uncertainty`` (standard errors without a
bootstrap), ``law`` (the protocol laws share), ``presets`` (published
constants), ``varpro`` (variable projection), ``resampling`` (the bootstrap),
``data`` (published datasets by name), ``io`` (reading your runs in the
shapes they come in), ``persist`` (saving and loading fits), ``graphics``
(a picture of any fit), ``extrapolation`` (how far a law extrapolates),
``metrics`` (accuracy on held-out runs), ``counting`` (parameters, FLOPs per
token and bits per byte under stated conventions), ``decisions`` (a proposed choice
against what was trained and the law's own error), ``book`` (what only the
book needs: its look, tables, lab checks, records), ``validation`` (input
checks), ``errors`` (the error and warning types).

Names are imported on first use, so ``import lawlib`` (and ``lawlib --help``)
stays fast and matplotlib loads only when a plot is drawn.
"""

from __future__ import annotations

import importlib

__version__ = "0.3.0"

#: Where each public name lives.
_HOME = {
    "Allocation": "allocation",
    "AllocationResult": "allocation",
    "fit_envelope": "allocation",
    "fit_isoflop": "allocation",
    "BootstrapResult": "resampling",
    "bootstrap": "resampling",
    "bootstrap_power_law": "resampling",
    "ChinchillaLaw": "chinchilla",
    "KaplanLaw": "chinchilla",
    "bootstrap_parametric": "chinchilla",
    "fit_parametric": "chinchilla",
    "BiMixLaw": "mixtures",
    "MixingLaw": "mixtures",
    "MixtureOptimum": "mixtures",
    "fit_bimix": "mixtures",
    "fit_mixing_law": "mixtures",
    "optimize_mixture": "mixtures",
    "PowerLaw": "powerlaw",
    "fit_loglog_line": "powerlaw",
    "fit_power_law": "powerlaw",
    "start_grid": "powerlaw",
    "DataConstrainedLaw": "repetition",
    "fit_decay": "repetition",
    "profile_decay": "repetition",
    "DownstreamLaw": "downstream",
    "fit_downstream": "downstream",
    "InferenceOptimum": "inference",
    "inference_optimal": "inference",
    "BudgetExceeded": "sweep",
    "SweepPlan": "sweep",
    "TrainingService": "sweep",
    "plan_sweep": "sweep",
    "sweep_design": "sweep",
    "FitResult": "result",
    "FitWarning": "errors",
    "Summary": "result",
    "ValidationError": "errors",
    "Law": "law",
    "Pool": "filtering",
    "fit_pool": "filtering",
    "load_fit": "persist",
    "save_fit": "persist",
    "plot_fit": "graphics",
    "extrapolation_audit": "extrapolation",
    "DecisionReport": "decisions",
    "decision_report": "decisions",
    "MixtureProposal": "decisions",
    "propose_mixture": "decisions",
    "read_runs": "io",
    "count_parameters": "counting",
    "flops_per_token": "counting",
    "bits_per_byte": "counting",
    "simulate_isoflop": "sweep",
    "read_mixture_runs": "io",
    "read_checkpoint_logs": "io",
    "runs_table": "io",
}
_MODULES = (
    "book",
    "data",
    "entropy",
    "extrapolation",
    "metrics",
    "filtering",
    "io",
    "mixtures",
    "formatting",
    "presets",
    "toy",
    "uncertainty",
    "validation",
)

__all__ = sorted([*_HOME, *_MODULES])


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'lawlib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
