"""Runs files made for the tests in the shapes other people's runs come in (nothing here is real data).

Each function writes a CSV from a known law, so a test can check that the
templates and the command line recover it from a file they were not written for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import lawlib

#: SlimPajama's seven domains, as another study names them.
SLIMPAJAMA = ["cc", "c4", "github", "book", "arxiv", "wikipedia", "stackexchange"]
#: The BiMix law the SlimPajama-shaped file is drawn from, per domain: alpha, B, beta, C.
SLIMPAJAMA_LAW = pd.DataFrame(
    {
        "alpha": [0.02, 0.03, 0.08, 0.05, 0.07, 0.06, 0.05],
        "B": [40.0, 35.0, 60.0, 45.0, 50.0, 55.0, 42.0],
        "beta": [0.45, 0.42, 0.5, 0.4, 0.48, 0.47, 0.44],
        "C": [2.4, 2.5, 0.9, 2.3, 1.6, 1.9, 1.7],
    },
    index=SLIMPAJAMA,
)
MODEL_SIZES = ["70M", "120M", "250M", "500M", "1B", "3B"]


def slimpajama_shaped(path: Path, *, seed: int = 0, n_mixtures: int = 16) -> Path:
    """Wide mixture runs as another study ships them: ``weight_<d>``, ``<d>_loss``, six sizes, NaN.

    One row per model size, mixture and checkpoint (tokens, not steps), in a
    column ``model_size``; no run id; proportions rounded to 1e-3 (so they sum
    to 1 only within 0.5%); about 3% of the losses missing.
    """
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.full(len(SLIMPAJAMA), 2.0), n_mixtures).round(3)
    rows = []
    for k, size in enumerate(MODEL_SIZES):
        for mixture in weights:
            for tokens in (2e8, 5e8, 1e9, 2e9, 4e9):
                shares = np.maximum(mixture, 1e-3)
                scale = SLIMPAJAMA_LAW["B"] * (tokens / 1e6) ** -SLIMPAJAMA_LAW[
                    "beta"
                ] + SLIMPAJAMA_LAW["C"] * (1 - 0.03 * k)
                loss = shares ** -SLIMPAJAMA_LAW["alpha"].to_numpy() * scale.to_numpy()
                loss *= np.exp(rng.normal(0, 0.002, loss.size))
                row = {"model_size": size, "tokens": tokens}
                row |= {f"weight_{d}": w for d, w in zip(SLIMPAJAMA, mixture, strict=True)}
                row |= {f"{d}_loss": v for d, v in zip(SLIMPAJAMA, loss, strict=True)}
                rows.append(row)
    frame = pd.DataFrame(rows)
    losses = [f"{d}_loss" for d in SLIMPAJAMA]
    missing = rng.random((len(frame), len(losses))) < 0.03
    frame[losses] = frame[losses].mask(missing)
    frame.to_csv(path, index=False)
    return path


def perplexity_runs(path: Path, *, seed: int = 0) -> tuple[Path, float]:
    """N, D and the validation perplexity in a column ``val`` (median 19.5) on a grid: no compute column.

    Returns the path and the true tokens per parameter at 5.76e23 FLOPs.
    """
    law = lawlib.ChinchillaLaw(E=1.6, A=400.0, B=1800.0, alpha=0.33, beta=0.34)
    rng = np.random.default_rng(seed)
    N = np.repeat(np.logspace(np.log10(5e7), np.log10(3e9), 7), 6)
    D = np.tile(np.logspace(np.log10(1e9), np.log10(2e11), 6), 7)
    loss = law.loss(N, D) * np.exp(rng.normal(0, 0.003, N.size))
    pd.DataFrame({"N": N, "D": D, "val": np.exp(loss)}).to_csv(path, index=False)
    n_opt, d_opt = law.compute_optimal(5.76e23)
    return path, float(d_opt / n_opt)


def isoflop_runs(path: Path, *, seed: int = 0) -> tuple[Path, lawlib.ChinchillaLaw]:
    """N, C (as logged, a little off the nominal budgets) and loss, laid out on five IsoFLOP curves."""
    law = lawlib.ChinchillaLaw.published("besiroglu2024")
    rng = np.random.default_rng(seed)
    rows = []
    for budget in (1e18, 3e18, 1e19, 3e19, 1e20):
        centre = law.compute_optimal(budget)[0]
        for n in centre * np.logspace(-0.6, 0.6, 7):
            flops = budget * np.exp(rng.normal(0, 0.02))
            loss = law.loss(n, flops / (6 * n)) * np.exp(rng.normal(0, 0.002))
            rows.append({"params": n, "flops": flops, "final_loss": loss})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, law
