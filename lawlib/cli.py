"""The ``lawlib`` command line.

    lawlib fit chinchilla RUNS.csv [--budget C] [--columns N=...,D=...,loss=...] [--bootstrap K] [--drop-highest K] [--json]
    lawlib optimal --budget C [--law hoffmann2022|hoffmann2022_unrounded|besiroglu2024|FILE] [--json]
    lawlib fit bimix RUNS.csv [--step S] [--query Q] [--json]

Bad input ends with exit status 2 and a one-line message on stderr. Progress
goes to stderr, only on a terminal and without ``--quiet``. ``--json`` prints
one JSON object on stdout with the keys documented in :data:`JSON_KEYS`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from .chinchilla import GOPHER_BUDGET, ChinchillaLaw, bootstrap_parametric, fit_parametric
from .mixtures import fit_bimix, mixture_domains, optimize_mixture
from .report import write_key_numbers
from .result import FitWarning
from .templates import check_runs, read_runs

PRESETS = {
    "hoffmann2022": ChinchillaLaw.hoffmann2022,
    "hoffmann2022_unrounded": ChinchillaLaw.hoffmann2022_unrounded,
    "besiroglu2024": ChinchillaLaw.besiroglu2024,
}

#: The keys of each command's ``--json`` object; they do not change without a new version.
JSON_KEYS = {
    "fit chinchilla": [
        "command",
        "n_runs",
        "law",
        "objective",
        "converged",
        "message",
        "intervals",
        "level",
        "n_resamples",
        "budget",
        "allocation",
    ],
    "optimal": ["command", "law", "budget", "allocation"],
    "fit bimix": ["command", "n_runs", "domains", "coefficients", "step", "optimal_mixture"],
}


class Progress:
    """Stage messages on stderr, shown only on a terminal and without --quiet."""

    def __init__(self, quiet: bool):
        self.active = not quiet and sys.stderr.isatty()
        self.start = None

    def begin(self, text: str) -> None:
        if self.active:
            self.start = time.perf_counter()
            print(f"{text} ...", end="", file=sys.stderr, flush=True)

    def update(self, done: int, total: int) -> None:
        if self.active:
            width = 30
            filled = int(width * done / total)
            print(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def end(self) -> None:
        if self.active:
            print(f" done ({time.perf_counter() - self.start:.1f} s)", file=sys.stderr, flush=True)


def _columns(text: str) -> dict:
    mapping = {"N": "N", "D": "D", "C": None, "loss": "loss"}
    given = set()
    for item in filter(None, text.split(",")):
        key, _, name = item.partition("=")
        if key not in mapping or not name:
            raise ValueError(f"--columns takes N=...,D=... or C=...,loss=...; cannot read {item!r}")
        mapping[key] = name
        given.add(key)
    if "C" in given and "D" not in given:
        mapping["D"] = None  # tokens from compute: D = C / (6 N)
    return mapping


def _allocation(law: ChinchillaLaw, budget: float) -> dict:
    n_opt, d_opt = law.compute_optimal(budget)
    return {
        "N_opt": float(n_opt),
        "D_opt": float(d_opt),
        "tokens_per_parameter": float(d_opt / n_opt),
        "loss": float(law.loss(n_opt, d_opt)),
    }


def _law_dict(law: ChinchillaLaw) -> dict:
    return {"E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta}


def _fit_chinchilla(args) -> dict:
    frame = read_runs(args.runs)
    runs, problems = check_runs(frame, _columns(args.columns))
    if problems:
        raise ValueError("; ".join(problems))
    if args.drop_highest:
        runs = runs.drop(runs["loss"].nlargest(args.drop_highest).index)
    progress = Progress(args.quiet)
    progress.begin(f"fitting the Chinchilla law to {len(runs)} runs from 4,500 starts")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        fit = fit_parametric(runs["N"], runs["D"], runs["loss"], budget=args.budget)
    progress.end()
    result = {
        "command": "fit chinchilla",
        "n_runs": len(runs),
        "law": _law_dict(fit.law),
        "objective": float(fit.objective),
        "converged": fit.converged,
        "message": fit.message,
        "intervals": None,
        "level": args.level,
        "n_resamples": args.bootstrap,
        "budget": args.budget,
        "allocation": _allocation(fit.law, args.budget),
    }
    text = [str(fit.summary())]
    if args.bootstrap:
        progress.begin(f"bootstrap, {args.bootstrap} resamples")
        boot = bootstrap_parametric(
            runs["N"],
            runs["D"],
            runs["loss"],
            n_resamples=args.bootstrap,
            seed=args.seed,
            budget=args.budget,
            fit=fit,
            progress=progress.update,
        )
        progress.end()
        interval = boot.interval(args.level)
        result["intervals"] = {
            name: {"low": float(row["low"]), "high": float(row["high"])}
            for name, row in interval.iterrows()
        }
        text = [str(fit.summary(interval))]
        low, high = (float(v) for v in interval.loc["tokens_per_parameter"])
        text.append(
            f"tokens per parameter at {args.budget:.3g} FLOPs, {args.level:.0%} interval: ({low:.2f}, {high:.2f})"
        )
    allocation = result["allocation"]
    text.append(
        f"compute-optimal allocation at {args.budget:.3g} FLOPs: N_opt = {allocation['N_opt']:.4g} parameters, "
        f"D_opt = {allocation['D_opt']:.4g} tokens, {allocation['tokens_per_parameter']:.2f} tokens per parameter, "
        f"predicted loss {allocation['loss']:.4f}"
    )
    text += [f"warning: {w.message}" for w in caught]
    return result, "\n".join(text)


def _optimal(args) -> dict:
    if args.law in PRESETS:
        law = PRESETS[args.law]()
    else:
        path = Path(args.law)
        if not path.is_file():
            raise ValueError(
                f"--law must be one of {', '.join(PRESETS)} or a JSON file; {args.law!r} is neither"
            )
        values = json.loads(path.read_text())
        values = values.get("law", values)
        missing = [key for key in ("E", "A", "B", "alpha", "beta") if key not in values]
        if missing:
            raise ValueError(f"{path} has no {', '.join(missing)}: give E, A, B, alpha and beta")
        law = ChinchillaLaw(**{key: float(values[key]) for key in ("E", "A", "B", "alpha", "beta")})
    allocation = _allocation(law, args.budget)
    result = {
        "command": "optimal",
        "law": _law_dict(law),
        "budget": args.budget,
        "allocation": allocation,
    }
    text = (
        f"law: E = {law.E:.5g}, A = {law.A:.5g}, B = {law.B:.5g}, alpha = {law.alpha:.5g}, beta = {law.beta:.5g}\n"
        f"budget: {args.budget:.4g} FLOPs\n"
        f"N_opt = {allocation['N_opt']:.4g} parameters\n"
        f"D_opt = {allocation['D_opt']:.4g} tokens\n"
        f"tokens per parameter = {allocation['tokens_per_parameter']:.2f}\n"
        f"predicted loss = {allocation['loss']:.4f}"
    )
    return result, text


def _fit_bimix(args) -> dict:
    frame = read_runs(args.runs)
    if args.query:
        frame = frame.query(args.query)
    if frame.empty:
        raise ValueError(
            f"no runs left in {args.runs} (after --query {args.query!r})"
            if args.query
            else f"{args.runs} has no runs"
        )
    progress = Progress(args.quiet)
    progress.begin(f"fitting BiMix to {len(frame)} rows")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        fit = fit_bimix(frame, step=args.step_column)
    progress.end()
    step = args.step if args.step else float(frame[args.step_column].max())
    mixture = optimize_mixture(fit.law, step)
    table = fit.coefficients[["alpha", "B", "beta", "C", "r_squared", "n_points", "n_excluded"]]
    result = {
        "command": "fit bimix",
        "n_runs": len(frame),
        "domains": mixture_domains(frame),
        "coefficients": {
            domain: {k: float(v) for k, v in row.items()} for domain, row in table.iterrows()
        },
        "step": step,
        "optimal_mixture": {k: float(v) for k, v in mixture.items()},
    }
    text = [
        table.to_string(float_format=lambda v: f"{v:.4g}"),
        f"optimal mixture at step {step:.4g}: "
        + ", ".join(f"{k} {v:.4f}" for k, v in mixture.items()),
    ]
    text += [f"note: {w.message}" for w in caught]
    return result, "\n".join(text)


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lawlib`` command."""
    main = argparse.ArgumentParser(
        prog="lawlib", description="Scaling-law fits and compute-optimal allocation."
    )
    commands = main.add_subparsers(dest="command", required=True)

    fit = commands.add_parser("fit", help="fit a law to your runs")
    laws = fit.add_subparsers(dest="law_name", required=True)
    chinchilla = laws.add_parser("chinchilla", help="Approach 3: L = E + A/N^alpha + B/D^beta")
    chinchilla.add_argument("runs", help="CSV of runs")
    chinchilla.add_argument(
        "--budget", type=float, default=GOPHER_BUDGET, help="compute for the allocation [FLOPs]"
    )
    chinchilla.add_argument(
        "--columns", default="", help="column names, e.g. N=params,C=flops,loss=final_loss"
    )
    chinchilla.add_argument(
        "--bootstrap", type=int, default=1000, help="bootstrap resamples (0: none)"
    )
    chinchilla.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    chinchilla.add_argument("--level", type=float, default=0.95, help="coverage of the intervals")
    chinchilla.add_argument(
        "--drop-highest",
        type=int,
        default=0,
        help="leave out the K highest losses (Besiroglu et al. drop 5)",
    )
    chinchilla.set_defaults(run=_fit_chinchilla)
    bimix = laws.add_parser("bimix", help="BiMix: per-domain loss in mixing proportion and steps")
    bimix.add_argument("runs", help="CSV with p_<domain>, loss_<domain> and a step column")
    bimix.add_argument("--step-column", default="step", help="column of training steps")
    bimix.add_argument(
        "--step",
        type=float,
        default=None,
        help="target step for the optimal mixture (default: the largest)",
    )
    bimix.add_argument(
        "--query", default="", help="pandas query selecting runs, e.g. \"model == '160M'\""
    )
    bimix.set_defaults(run=_fit_bimix)

    optimal = commands.add_parser("optimal", help="compute-optimal N and D for a budget")
    optimal.add_argument("--budget", type=float, required=True, help="compute budget [FLOPs]")
    optimal.add_argument(
        "--law",
        default="besiroglu2024",
        help=f"{', '.join(PRESETS)} or a JSON file with E, A, B, alpha, beta",
    )
    optimal.set_defaults(run=_optimal)

    for sub in (chinchilla, bimix, optimal):
        sub.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object (keys: see lawlib.cli.JSON_KEYS)",
        )
        sub.add_argument("--quiet", action="store_true", help="no progress messages")
    return main


def main(argv=None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        result, text = args.run(args)
    except (
        ValueError,
        KeyError,
        FileNotFoundError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ) as err:
        message = str(err).strip("'\"").replace("\n", " ")
        print(f"lawlib: error: {message}", file=sys.stderr)
        return 2
    print(
        json.dumps(write_key_numbers(None, result), indent=2, sort_keys=True) if args.json else text
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
