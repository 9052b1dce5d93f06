"""The ``lawlib`` command line.

    lawlib fit chinchilla RUNS.csv [--budget C] [--columns N=...,D=...,loss=...] [--bootstrap K]
                                   [--drop-highest K] [--sep S] [--json]
    lawlib fit bimix RUNS.csv [--step S] [--query Q] [--pool-models] [--sep S] [--json]
    lawlib optimal --budget C [--law hoffmann2022|hoffmann2022_unrounded|besiroglu2024|FILE] [--json]
    lawlib check RUNS.csv [--columns ...] [--sep S] [--json]
    lawlib data [path NAME]
    lawlib --version

Bad input ends with exit status 2 and one line on stderr naming the file,
column, row or option. Progress goes to stderr, only on a terminal and without
``--quiet``. ``--json`` prints one JSON object on stdout with the keys
documented in :data:`JSON_KEYS`; it always carries ``converged`` and
``warnings``. Heavy modules are imported only by the command that needs them,
so ``lawlib --help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings

from . import __version__, presets

#: Hoffmann et al.'s Gopher budget [FLOPs], the default budget of ``fit chinchilla``.
GOPHER_BUDGET = 5.76e23

#: The keys of each command's ``--json`` object; they do not change without a new version.
JSON_KEYS = {
    "fit chinchilla": [
        "command",
        "n_runs",
        "law",
        "objective",
        "converged",
        "message",
        "warnings",
        "intervals",
        "level",
        "n_resamples",
        "budget",
        "allocation",
    ],
    "optimal": ["command", "law", "budget", "allocation", "converged", "warnings"],
    "fit bimix": [
        "command",
        "n_runs",
        "domains",
        "coefficients",
        "step",
        "optimal_mixture",
        "converged",
        "warnings",
    ],
    "check": ["command", "n_runs", "fittable", "problems", "converged", "warnings"],
}

#: Options whose value is a number: ``--budget -1e24`` is read as a value, not as an option.
NUMERIC_OPTIONS = ("--budget", "--bootstrap", "--seed", "--level", "--drop-highest", "--step")
_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|nan)$", re.IGNORECASE)


class UsageError(ValueError):
    """A bad option value: exit 2 with its message."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error printed as one line (``lawlib: error: ...``) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class Progress:
    """Stage messages on stderr, shown only on a terminal and without --quiet.

    Parameters
    ----------
    quiet : bool
        No messages at all.
    """

    def __init__(self, quiet: bool):
        self.active = not quiet and sys.stderr.isatty()
        self.start = 0.0

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


def _number(kind: str, unit: str = ""):
    """An argparse type: a number of `kind` ("positive", "count" or "fraction"), else a one-line error."""
    rules = {
        "positive": (float, lambda v: math.isfinite(v) and v > 0, "a positive finite number"),
        "count": (int, lambda v: v >= 0, "a whole number, 0 or more"),
        "fraction": (float, lambda v: 0 < v < 1, "a number between 0 and 1"),
    }
    convert, valid, wanted = rules[kind]

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {wanted}{unit}, got {text!r}") from None
        if not valid(value):
            raise argparse.ArgumentTypeError(f"must be {wanted}{unit}, got {text}")
        return value

    parse.__name__ = kind
    return parse


def _columns(text: str) -> dict:
    mapping = {"N": "N", "D": "D", "C": None, "loss": "loss"}
    given = set()
    for item in filter(None, text.split(",")):
        key, _, name = item.partition("=")
        if key not in mapping or not name:
            raise UsageError(f"--columns takes N=...,D=... or C=...,loss=...; cannot read {item!r}")
        mapping[key] = name
        given.add(key)
    if "C" in given and "D" not in given:
        mapping["D"] = None  # tokens from compute: D = C / (6 N)
    return mapping


def _plain(value):
    """JSON-safe: numbers as floats, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _allocation(law, budget: float) -> dict:
    n_opt, d_opt = law.compute_optimal(budget)
    return {
        "N_opt": float(n_opt),
        "D_opt": float(d_opt),
        "tokens_per_parameter": float(d_opt / n_opt),
        "loss": float(law.loss(n_opt, d_opt)),
    }


def _extrapolation(budget: float, compute_range, n_opt: float) -> list[str]:
    from .validation import extrapolation_notes

    return extrapolation_notes(
        budget=budget, compute_range=compute_range, n_opt=n_opt, what="the allocation"
    )


def _read(args):
    from .io import read_runs

    return read_runs(args.runs, sep=args.sep)


def _runs(args):
    """The runs file as the tidy N, D, C, loss table (checked), with --drop-highest applied."""
    from .validation import check_runs

    runs = check_runs(_read(args), _columns(args.columns))
    dropped = []
    if getattr(args, "drop_highest", 0):
        if args.drop_highest >= len(runs):
            raise UsageError(f"--drop-highest {args.drop_highest} would leave no runs")
        highest = runs["loss"].nlargest(args.drop_highest).index
        dropped = [
            f"left out the {args.drop_highest} highest losses: lines {', '.join(map(str, highest))}"
        ]
        runs = runs.drop(highest)
    return runs, dropped


def _fit_chinchilla(args):
    from .chinchilla import bootstrap_parametric, fit_parametric
    from .result import FitWarning

    runs, dropped = _runs(args)
    progress = Progress(args.quiet)
    progress.begin(f"fitting the Chinchilla law to {len(runs)} runs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # every caution is in fit.notes
        fit = fit_parametric("N", "D", "loss", data=runs, budget=args.budget)
    progress.end()
    notes = dropped + list(fit.notes)
    if fit.converged:
        compute = 6 * runs["N"] * runs["D"]
        notes += [
            note
            for note in _extrapolation(
                args.budget, (compute.min(), compute.max()), fit.law.compute_optimal(args.budget)[0]
            )
            if note not in notes
        ]
    result = {
        "command": "fit chinchilla",
        "n_runs": len(runs),
        "law": fit.law.params.to_dict(),
        "objective": float(fit.objective),
        "converged": fit.converged,
        "message": fit.message,
        "warnings": notes,
        "intervals": None,
        "level": args.level,
        "n_resamples": args.bootstrap,
        "budget": args.budget,
        "allocation": _allocation(fit.law, args.budget),
    }
    text = [str(fit.summary(1 - args.level))]
    if args.bootstrap:
        progress.begin(f"bootstrap, {args.bootstrap} resamples")
        boot = bootstrap_parametric(
            "N",
            "D",
            "loss",
            data=runs,
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
        text = [str(fit.with_bootstrap(boot).summary(1 - args.level))]
        low, high = (float(v) for v in interval.loc["tokens_per_parameter"])
        text.append(
            f"tokens per parameter at {args.budget:.3g} FLOPs, {args.level:.0%} interval: "
            f"({low:.2f}, {high:.2f})"
        )
    allocation = result["allocation"]
    text.append(
        f"compute-optimal allocation at {args.budget:.3g} FLOPs: N_opt = {allocation['N_opt']:.4g} "
        f"parameters, D_opt = {allocation['D_opt']:.4g} tokens, "
        f"{allocation['tokens_per_parameter']:.2f} tokens per parameter, "
        f"predicted loss {allocation['loss']:.4f}"
    )
    text += [f"warning: {note}" for note in notes]
    return result, "\n".join(text)


def _law_from_file(path_text: str):
    from pathlib import Path

    from .chinchilla import ChinchillaLaw

    path = Path(path_text)
    where = f"--law {path_text}"
    if not path.exists():
        raise UsageError(f"{where}: no such file, and not one of {', '.join(presets.CHINCHILLA)}")
    if path.is_dir():
        raise UsageError(f"{where}: is a directory, not a JSON file")
    try:
        values = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{where}: not valid JSON ({err})") from None
    if isinstance(values, dict) and isinstance(values.get("law"), dict):
        values = values["law"]  # the output of `lawlib fit chinchilla --json`
    if not isinstance(values, dict):
        raise UsageError(
            f"{where}: holds a {type(values).__name__}; expected an object with E, A, B, alpha, beta"
        )
    missing = [key for key in ("E", "A", "B", "alpha", "beta") if key not in values]
    if missing:
        raise UsageError(f"{where}: has no {', '.join(missing)}: give E, A, B, alpha and beta")
    law = {}
    for key in ("E", "A", "B", "alpha", "beta"):
        value = values[key]
        ok = (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
        if not ok or value < 0 or (value == 0 and key != "E"):
            rule = "0 or more" if key == "E" else "positive"
            raise UsageError(f"{where}: {key} must be a {rule} number, got {value!r}")
        law[key] = float(value)
    return ChinchillaLaw(**law)


def _optimal(args):
    from .chinchilla import ChinchillaLaw

    law = (
        ChinchillaLaw.published(args.law)
        if args.law in presets.CHINCHILLA
        else _law_from_file(args.law)
    )
    allocation = _allocation(law, args.budget)
    notes = _extrapolation(args.budget, presets.RANGES.get(args.law), allocation["N_opt"])
    result = {
        "command": "optimal",
        "law": law.params.to_dict(),
        "budget": args.budget,
        "allocation": allocation,
        "converged": True,
        "warnings": notes,
    }
    text = (
        f"law: E = {law.E:.5g}, A = {law.A:.5g}, B = {law.B:.5g}, alpha = {law.alpha:.5g}, "
        f"beta = {law.beta:.5g}\n"
        f"budget: {args.budget:.4g} FLOPs\n"
        f"N_opt = {allocation['N_opt']:.4g} parameters\n"
        f"D_opt = {allocation['D_opt']:.4g} tokens\n"
        f"tokens per parameter = {allocation['tokens_per_parameter']:.2f}\n"
        f"predicted loss = {allocation['loss']:.4f}"
    )
    text += "".join(f"\nwarning: {note}" for note in notes)
    return result, text


def _select(frame, query: str, source: str):
    """Rows of `frame` selected by a pandas query, or one line saying why the query fails."""
    if not query:
        return frame
    try:
        selected = frame.query(query)
    except Exception as err:  # pandas raises many types for a bad query; all are the user's input
        raise UsageError(f"--query {query!r}: {type(err).__name__}: {err}") from None
    if selected.empty:
        raise UsageError(f"--query {query!r} selects no runs of {source}")
    return selected


def _fit_bimix(args):
    from .mixtures import fit_bimix, mixture_domains, optimize_mixture
    from .result import FitWarning

    frame = _select(_read(args), args.query, args.runs)
    model = "model" if "model" in frame else None
    progress = Progress(args.quiet)
    progress.begin(f"fitting BiMix to {len(frame)} rows")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        fit = fit_bimix(frame, step=args.step_column, model=model, pool_models=args.pool_models)
    progress.end()
    step = args.step if args.step else float(frame[args.step_column].max())
    mixture = optimize_mixture(fit.law, step).proportions
    table = fit.coefficients[["alpha", "B", "beta", "C", "r_squared", "n_points", "n_excluded"]]
    notes = [str(w.message) for w in caught]
    result = {
        "command": "fit bimix",
        "n_runs": len(frame),
        "domains": mixture_domains(frame),
        "coefficients": {
            domain: {k: float(v) for k, v in row.items()} for domain, row in table.iterrows()
        },
        "step": step,
        "optimal_mixture": {k: float(v) for k, v in mixture.items()},
        "converged": fit.converged,
        "warnings": notes,
    }
    text = [
        table.to_string(float_format=lambda v: f"{v:.4g}"),
        f"optimal mixture at step {step:.4g}: "
        + ", ".join(f"{k} {v:.4f}" for k, v in mixture.items()),
    ]
    text += [f"note: {note}" for note in notes]
    return result, "\n".join(text)


def _check(args):
    from .validation import ValidationError, check_design

    runs, _ = _runs(args)
    try:
        cautions = check_design(
            {"N": runs["N"].to_numpy(), "D": runs["D"].to_numpy()},
            ("loss", runs["loss"].to_numpy()),
            n_params=5,
            model="the Chinchilla law",
            budget=("C", runs["C"].to_numpy()),
            tokens=("N", "D"),
        )
        problems = []
    except ValidationError as err:
        problems, cautions = err.problems, []
    result = {
        "command": "check",
        "n_runs": len(runs),
        "fittable": not problems,
        "problems": problems,
        "converged": True,
        "warnings": cautions,
    }
    verdict = (
        f"{args.runs}: {len(runs)} runs; the Chinchilla law can be fitted"
        if not problems
        else f"{args.runs}: {len(runs)} runs cannot identify the Chinchilla law"
    )
    text = [verdict] + [f"problem: {p}" for p in problems] + [f"warning: {c}" for c in cautions]
    if problems:
        raise UsageError("; ".join([verdict, *problems]))
    return result, "\n".join(text)


def _data(args):
    from . import data

    if args.action == "path":
        if not args.name:
            raise UsageError("lawlib data path NAME: give a dataset name (see `lawlib data`)")
        try:
            return None, str(data.file(args.name))
        except KeyError as err:
            raise UsageError(str(err).strip("'\"")) from None
    table = data.available()
    return None, "\n".join(f"{name:26s} {row['description']}" for name, row in table.iterrows())


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lawlib`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    main = _Parser(prog="lawlib", description="Scaling-law fits and compute-optimal allocation.")
    main.add_argument("--version", action="version", version=f"lawlib {__version__}")
    commands = main.add_subparsers(dest="command", required=True)

    def runs_options(sub, columns=True):
        sub.add_argument("runs", help="CSV of runs (one row per run)")
        sub.add_argument("--sep", default=",", help="column separator of the CSV (default ',')")
        if columns:
            sub.add_argument(
                "--columns", default="", help="column names, e.g. N=params,C=flops,loss=final_loss"
            )

    fit = commands.add_parser("fit", help="fit a law to your runs")
    laws = fit.add_subparsers(dest="law_name", required=True)
    chinchilla = laws.add_parser("chinchilla", help="Approach 3: L = E + A/N^alpha + B/D^beta")
    runs_options(chinchilla)
    chinchilla.add_argument(
        "--budget",
        type=_number("positive", " of FLOPs"),
        default=GOPHER_BUDGET,
        help="compute for the allocation [FLOPs]",
    )
    chinchilla.add_argument(
        "--bootstrap", type=_number("count"), default=1000, help="bootstrap resamples (0: none)"
    )
    chinchilla.add_argument(
        "--seed", type=_number("count"), default=0, help="seed of the bootstrap"
    )
    chinchilla.add_argument(
        "--level", type=_number("fraction"), default=0.95, help="coverage of the intervals"
    )
    chinchilla.add_argument(
        "--drop-highest",
        type=_number("count"),
        default=0,
        help="leave out the K highest losses (Besiroglu et al. drop 5)",
    )
    chinchilla.set_defaults(run=_fit_chinchilla)

    bimix = laws.add_parser("bimix", help="BiMix: per-domain loss in mixing proportion and steps")
    runs_options(bimix, columns=False)
    bimix.add_argument("--step-column", default="step", help="column of training steps")
    bimix.add_argument(
        "--step",
        type=_number("positive"),
        default=None,
        help="target step for the optimal mixture (default: the largest)",
    )
    bimix.add_argument(
        "--query", default="", help="pandas query selecting runs, e.g. \"model == '160M'\""
    )
    bimix.add_argument(
        "--pool-models",
        action="store_true",
        help="fit runs of several model sizes together (refused by default)",
    )
    bimix.set_defaults(run=_fit_bimix)

    optimal = commands.add_parser("optimal", help="compute-optimal N and D for a budget")
    optimal.add_argument(
        "--budget", type=_number("positive", " of FLOPs"), required=True, help="compute [FLOPs]"
    )
    optimal.add_argument(
        "--law",
        default="besiroglu2024",
        help=f"{', '.join(presets.CHINCHILLA)} or a JSON file with E, A, B, alpha, beta",
    )
    optimal.set_defaults(run=_optimal)

    check = commands.add_parser(
        "check", help="check a runs file and its design without fitting (exit 2 if unfittable)"
    )
    runs_options(check)
    check.set_defaults(run=_check)

    data = commands.add_parser("data", help="the published datasets that ship with lawlib")
    data.add_argument("action", nargs="?", choices=["list", "path"], default="list")
    data.add_argument("name", nargs="?", help="dataset name (for `path`)")
    data.set_defaults(run=_data, json=False, quiet=True)

    for sub in (chinchilla, bimix, optimal, check):
        sub.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object (keys: see lawlib.cli.JSON_KEYS)",
        )
        sub.add_argument("--quiet", action="store_true", help="no progress messages")
    return main


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--budget -1e24`` as ``--budget=-1e24``, so that the value is checked, not taken for an option."""
    joined, items = [], iter(argv)
    for item in items:
        if item in NUMERIC_OPTIONS:
            value = next(items, None)
            if value is not None and _NUMBER.match(value):
                joined.append(f"{item}={value}")
                continue
            joined.append(item)
            if value is not None:
                joined.append(value)
            continue
        joined.append(item)
    return joined


def main(argv=None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for bad input (one line on stderr), 1 for an internal error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(_join_negative_values(argv))
    from .errors import ValidationError

    try:
        result, text = args.run(args)
    except (ValidationError, UsageError) as err:
        print(f"lawlib: error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug of lawlib's, not the user's input
        print(
            f"lawlib: internal error, please report (with the command you ran): "
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
            file=sys.stderr,
        )
        return 1
    if args.json and result is not None:
        print(json.dumps(_plain(result), indent=2, sort_keys=True, allow_nan=False))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
