"""The ``lawlib`` command line.

    lawlib check RUNS.csv|LOGS... [--kind runs|mixture|log] [reading options] [--json]
    lawlib fit chinchilla RUNS.csv|-  [--columns N=...,D=...|C=...,loss=...] [--logs --loss-set S]
                                      [--budget C] [--bootstrap K] [--drop-highest K]
    lawlib fit bimix|mixing RUNS.csv  [--proportions 'p_{domain}'] [--losses 'loss_{domain}']
                                      [--losses-file F --join KEY] [--step-column S]
                                      [--model-column M] [--run-column R] [--domains a,b]
                                      [--query Q] [--pool-models]
    lawlib fit decay RUNS.csv        [--columns N=...,D=...,U=...,loss=...]
    lawlib fit pool RUNS.csv         --size S --a A --d D [--columns n=...,error=...]
    lawlib fit downstream RUNS.csv   [--columns loss=...,error=...]
        every fit: [--save FIT.json] [--plot FIT.png] [--predictions FILE.csv] [--json]
    lawlib predict --law NAME|FIT.json [RUNS.csv|-] [--at N=1e9,D=2e10] [--interval]
    lawlib optimal --budget C [--law NAME|FIT.json] [--flops-per-token K] [--inference-tokens T]
    lawlib plan --budget C --target C [--law NAME|FIT.json] [--n-budgets K] [--sizes-per-budget K]
    lawlib data [path NAME]
    lawlib --version

Bad input ends with exit status 2 and one line on stderr naming the file,
column, row or option; a failure of lawlib itself with exit status 1 and a
line asking to report it. Notes of one kind (the same remark for many domains)
are shown once with a count. Progress goes to stderr, only on a terminal and
without ``--quiet``. ``--json`` prints one JSON object on stdout with the keys
documented in :data:`JSON_KEYS`; it always carries ``converged`` and
``warnings``. Nothing is written over an existing file. Heavy modules are
imported only by the command that needs them, so ``lawlib --help`` answers at once.
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
from .errors import FitWarning, ValidationError, collapse_notes, listing

#: Hoffmann et al.'s Gopher budget [FLOPs], the default budget of ``fit chinchilla``.
GOPHER_BUDGET = 5.76e23
SIZES_HELP = "logs: CSV of parameters per size label (label column, then N or params)"

_FIT_KEYS = [
    "command",
    "n_runs",
    "law",
    "objective",
    "converged",
    "message",
    "warnings",
    "saved",
    "plot",
    "predictions",
]

#: The keys of each command's ``--json`` object; they change only with an entry in CHANGELOG.md.
JSON_KEYS = {
    "fit chinchilla": [
        *_FIT_KEYS,
        "intervals",
        "level",
        "n_resamples",
        "budget",
        "allocation",
    ],
    "fit bimix": [*_FIT_KEYS, "domains", "coefficients", "step", "optimal_mixture"],
    "fit mixing": [*_FIT_KEYS, "domains"],
    "fit decay": _FIT_KEYS,
    "fit pool": _FIT_KEYS,
    "fit downstream": _FIT_KEYS,
    "optimal": ["command", "law", "budget", "allocation", "inference", "converged", "warnings"],
    "predict": ["command", "law", "n", "predictions", "converged", "warnings"],
    "plan": [
        "command",
        "law",
        "budget",
        "target",
        "design",
        "interval",
        "width",
        "converged",
        "warnings",
    ],
    "check": [
        "command",
        "kind",
        "n_runs",
        "fittable",
        "problems",
        "converged",
        "warnings",
        "report",
    ],
}

#: Options whose value is a number: ``--budget -1e24`` is read as a value, not as an option.
NUMERIC_OPTIONS = (
    "--budget",
    "--target",
    "--bootstrap",
    "--seed",
    "--level",
    "--drop-highest",
    "--step",
    "--flops-per-token",
    "--inference-tokens",
    "--size",
    "--a",
    "--d",
)
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
    """An argparse type: a number of `kind`, else a one-line error."""
    rules = {
        "positive": (float, lambda v: math.isfinite(v) and v > 0, "a positive finite number"),
        "nonnegative": (float, lambda v: math.isfinite(v) and v >= 0, "a finite number, 0 or more"),
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


def _mapping(text: str, defaults: dict, option: str = "--columns") -> dict:
    """``role=column,...`` over `defaults` (roles not given keep their default)."""
    mapping, given = dict(defaults), set()
    for item in filter(None, text.split(",")):
        key, _, name = item.partition("=")
        if key not in defaults or not name:
            roles = ",".join(f"{k}=..." for k in defaults)
            raise UsageError(f"{option} takes {roles}; cannot read {item!r}")
        mapping[key] = name
        given.add(key)
    return mapping


def _columns(text: str) -> dict:
    """The runs columns: N and loss, and D or C (found in the file when not named)."""
    mapping = _mapping(text, {"N": "N", "D": None, "C": None, "loss": "loss"})
    if not text:
        return mapping
    if "=" in text and "D=" not in text and "C=" not in text:
        mapping["D"] = None
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


def _read(args, path=None):
    from .io import read_runs

    return read_runs(path or args.runs, sep=args.sep)


def _sizes(path) -> dict[str, float] | None:
    """Parameters per model-size label from --sizes FILE (first column the label, then N or params)."""
    if path is None:
        return None
    import pandas as pd

    from .io import read_runs

    table = read_runs(path)
    column = next((c for c in ("N", "params", "parameters") if c in table), None)
    if column is None or table.shape[1] < 2:
        raise UsageError(
            f"--sizes {path}: needs a first column of size labels (190M) and a column N or "
            f"params; it has {listing(table.columns)}"
        )
    counts = pd.to_numeric(table[column], errors="coerce")
    if not (counts > 0).all():
        raise UsageError(f"--sizes {path}: column {column!r} must hold positive parameter counts")
    return dict(zip(table.iloc[:, 0].astype(str), counts.astype(float), strict=True))


def _runs(args):
    """The runs as the tidy N, D, C, loss table (checked), with --drop-highest applied."""
    from .io import read_checkpoint_logs, runs_table

    if getattr(args, "logs", False):
        logs = read_checkpoint_logs(
            args.runs_files, final=True, sizes=_sizes(args.sizes), sep=args.sep
        )
        column = f"loss_{args.loss_set}"
        if column not in logs:
            sets = ", ".join(c[5:] for c in logs.columns if c.startswith("loss_"))
            raise UsageError(f"--loss-set {args.loss_set!r}: the logs have {sets}")
        frame = logs.rename(columns={"tokens": "D", column: "loss"})
        runs = runs_table(frame, N="N", D="D", C="C", loss="loss", min_rows=6)
        runs.attrs["notes"] = [
            *logs.attrs.get("notes", []),
            f"the last checkpoint of each of {len(runs)} runs; loss on {args.loss_set}, C as logged",
        ]
    else:
        frame = _select(_read(args), getattr(args, "query", ""), args.runs)
        columns = _columns(args.columns)
        runs = runs_table(
            frame,
            N=columns["N"],
            D=columns["D"],
            C=columns["C"],
            loss=columns["loss"],
            flops_per_token=args.flops_per_token,
        )
    dropped = list(runs.attrs.get("notes", []))
    if getattr(args, "drop_highest", 0):
        if args.drop_highest >= len(runs):
            raise UsageError(f"--drop-highest {args.drop_highest} would leave no runs")
        highest = runs["loss"].nlargest(args.drop_highest).index
        dropped.append(
            f"left out the {args.drop_highest} highest losses: lines {', '.join(map(str, highest))}"
        )
        runs = runs.drop(highest)
    return runs, dropped


def _fit_quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # every caution is in the fit's notes
        return function(*args, **kwargs)


def _refuse_existing(args) -> None:
    """One line, before any fitting, when an output file exists or its folder does not."""
    from pathlib import Path

    for option in ("save", "plot", "predictions"):
        target = getattr(args, option, None)
        if not target:
            continue
        if Path(target).exists():
            raise UsageError(f"--{option} {target}: exists; choose another name or remove it")
        if not Path(target).resolve().parent.is_dir():
            raise UsageError(f"--{option} {target}: no folder {Path(target).parent}")


def _outputs(args, fit, notes: list[str]) -> dict:
    """Write the fit's --save, --plot and --predictions files (never over a file)."""
    written: dict[str, str | None] = {"saved": None, "plot": None, "predictions": None}
    _refuse_existing(args)
    if args.save:
        from .persist import save_fit

        written["saved"] = str(save_fit(fit, args.save))
    if args.plot:
        from .graphics import plot_fit

        plot_fit(fit, args.plot)
        written["plot"] = args.plot
    if args.predictions:
        table = fit.data.copy()
        try:
            band = fit.predict(interval=True, level=0.9)
            table["predicted"] = band["predicted"].to_numpy()
            table["low 90%"], table["high 90%"] = band["low"].to_numpy(), band["high"].to_numpy()
        except ValidationError as err:  # no standard errors: predictions alone
            table["predicted"] = fit.predict().to_numpy()
            notes.append(f"predictions without intervals: {err}")
        table["residual"] = fit.resid.to_numpy()
        table.to_csv(args.predictions, index=False)
        written["predictions"] = args.predictions
    return written


def _fit_result(command: str, fit, args, notes: list[str], n_runs: int, **extra) -> dict:
    from .io import MISSING_LOSSES

    fitted = fit.notes
    if any(MISSING_LOSSES in note for note in notes):  # counted once, by the reader
        fitted = [n for n in fitted if "missing (NaN) losses left out of its fit" not in n]
    notes = collapse_notes([*notes, *fitted])
    written = _outputs(args, fit, notes)
    return {
        "command": command,
        "n_runs": n_runs,
        "law": fit.law.params.to_dict(),
        "objective": float(fit.objective),
        "converged": fit.converged,
        "message": fit.message,
        "warnings": notes,
        **written,
        **extra,
    }


def _text(result: dict, body: list[str]) -> str:
    lines = [*body]
    lines += [f"warning: {note}" for note in result["warnings"]]
    lines += [f"wrote {result[k]}" for k in ("saved", "plot", "predictions") if result.get(k)]
    return "\n".join(lines)


def _allocation(law, budget: float, flops_per_token: float = 6.0) -> dict:
    n_opt, d_opt = law.compute_optimal(budget, flops_per_token=flops_per_token)
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


def _fit_chinchilla(args):
    from .chinchilla import bootstrap_parametric, fit_parametric

    runs, notes = _runs(args)
    progress = Progress(args.quiet)
    progress.begin(f"fitting the Chinchilla law to {len(runs)} runs")
    fit = _fit_quietly(fit_parametric, "N", "D", "loss", data=runs, budget=args.budget)
    progress.end()
    if fit.converged:
        compute = 6 * runs["N"] * runs["D"]
        notes += _extrapolation(
            args.budget, (compute.min(), compute.max()), fit.law.compute_optimal(args.budget)[0]
        )
    extra = {
        "intervals": None,
        "level": args.level,
        "n_resamples": args.bootstrap,
        "budget": args.budget,
        "allocation": _allocation(fit.law, args.budget) if fit.converged else None,
    }
    text = [str(fit.summary(1 - args.level))]
    if args.bootstrap and fit.converged:
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
        extra["intervals"] = {
            name: {"low": float(row["low"]), "high": float(row["high"])}
            for name, row in interval.iterrows()
        }
        text = [str(fit.with_bootstrap(boot).summary(1 - args.level))]
        low, high = (float(v) for v in interval.loc["tokens_per_parameter"])
        text.append(
            f"tokens per parameter at {args.budget:.3g} FLOPs, {args.level:.0%} interval: "
            f"({low:.2f}, {high:.2f})"
        )
    result = _fit_result("fit chinchilla", fit, args, notes, len(runs), **extra)
    allocation = result["allocation"]
    if allocation:
        text.append(
            f"compute-optimal allocation at {args.budget:.3g} FLOPs: N_opt = "
            f"{allocation['N_opt']:.4g} parameters, D_opt = {allocation['D_opt']:.4g} tokens, "
            f"{allocation['tokens_per_parameter']:.2f} tokens per parameter, "
            f"predicted loss {allocation['loss']:.4f}"
        )
    return result, _text(result, text)


def _law_from_file(path_text: str):
    """A Chinchilla law from a saved fit, the JSON of ``fit chinchilla --json``, or E, A, B, alpha, beta."""
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
    if isinstance(values, dict) and "format" in values:
        from .persist import load_fit

        fit = load_fit(path)
        if not isinstance(fit.law, ChinchillaLaw):
            raise UsageError(f"{where}: holds a {type(fit.law).__name__} fit, not a Chinchilla law")
        if fit.data is None:
            raise UsageError(f"{where}: the saved fit holds no runs")
        compute = 6 * fit.data[fit.inputs[0]] * fit.data[fit.inputs[1]]
        return fit.law, (float(compute.min()), float(compute.max()))
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
    return ChinchillaLaw(**law), None


def _chinchilla_law(name: str):
    """A published Chinchilla law and its runs' compute range, or one from a file."""
    from .chinchilla import ChinchillaLaw

    if name in presets.CHINCHILLA:
        return ChinchillaLaw.published(name), presets.RANGES.get(name)
    return _law_from_file(name)


def _optimal(args):
    from .inference import inference_optimal

    law, compute_range = _chinchilla_law(args.law)
    allocation = _allocation(law, args.budget, args.flops_per_token)
    notes = _extrapolation(args.budget, compute_range, allocation["N_opt"])
    result = {
        "command": "optimal",
        "law": law.params.to_dict(),
        "budget": args.budget,
        "allocation": allocation,
        "inference": None,
        "converged": True,
        "warnings": notes,
    }
    text = [
        (
            f"law: E = {law.E:.5g}, A = {law.A:.5g}, B = {law.B:.5g}, alpha = {law.alpha:.5g}, "
            f"beta = {law.beta:.5g}"
        ),
        f"budget: {args.budget:.4g} FLOPs at {args.flops_per_token:g} FLOPs per parameter and token",
        f"N_opt = {allocation['N_opt']:.4g} parameters",
        f"D_opt = {allocation['D_opt']:.4g} tokens",
        f"tokens per parameter = {allocation['tokens_per_parameter']:.2f}",
        f"predicted loss = {allocation['loss']:.4f}",
    ]
    if args.inference_tokens:
        served = inference_optimal(
            law,
            allocation["loss"],
            args.inference_tokens,
            flops_per_token=args.flops_per_token,
        )
        plain_total = (
            args.flops_per_token * allocation["N_opt"] * allocation["D_opt"]
            + 2 * allocation["N_opt"] * args.inference_tokens
        )
        result["inference"] = {
            "inference_tokens": args.inference_tokens,
            "N": served.N,
            "D": served.D,
            "tokens_per_parameter": served.tokens_per_parameter,
            "training_flops": served.training_flops,
            "inference_flops": served.inference_flops,
            "total_flops": served.total_flops,
            "total_flops_of_the_training_optimum": plain_total,
            "saving": 1 - served.total_flops / plain_total,
        }
        text.append(
            f"serving {args.inference_tokens:.3g} tokens at the same loss: N = {served.N:.4g}, "
            f"D = {served.D:.4g} ({served.tokens_per_parameter:.1f} tokens per parameter); "
            f"training plus inference {served.total_flops:.4g} FLOPs, "
            f"{result['inference']['saving']:.1%} less than the training-optimal model's "
            f"{plain_total:.4g}"
        )
    return result, _text(result, text)


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


def _mixture_runs(args):
    """The mixture runs file read with the given patterns, columns, join and --query.

    The query sees the runs as read (``run``, ``model``, ``step``, ``p_<domain>``,
    ``loss_<domain>``) and the file's other columns under their own names.
    """
    from .io import read_mixture_runs

    other = _read(args, args.losses_file) if args.losses_file else None
    runs = read_mixture_runs(
        _read(args),
        proportions=args.proportions,
        losses=args.losses,
        losses_source=other,
        join=args.join,
        step=args.step_column,
        model=args.model_column,
        run=args.run_column,
        query=args.query,
    )
    domains = args.domains.split(",") if args.domains else None
    return runs, domains


def _fit_mixture(fitter, runs, domains, args, what: str):
    """A mixture law fitted to the runs as read, per model size unless --pool-models."""
    progress = Progress(args.quiet)
    progress.begin(f"fitting {what}")
    fit = _fit_quietly(
        fitter,
        runs,
        domains=domains,
        run_column="run",
        model="model" if "model" in runs else None,
        pool_models=args.pool_models,
    )
    progress.end()
    return fit


def _fit_bimix(args):
    from .mixtures import fit_bimix, fitted_domains, optimize_mixture

    runs, domains = _mixture_runs(args)
    if "step" not in runs:
        raise UsageError(
            "fit bimix needs checkpoints: name the step (or tokens) column with --step-column; "
            "for runs at one step use fit mixing"
        )
    fit = _fit_mixture(fit_bimix, runs, domains, args, f"BiMix to {len(runs)} rows")
    step = args.step if args.step else float(runs["step"].max())
    mixture = optimize_mixture(fit.law, step).proportions if fit.converged else None
    table = fit.coefficients[["alpha", "B", "beta", "C", "r_squared", "n_points", "n_excluded"]]
    result = _fit_result(
        "fit bimix",
        fit,
        args,
        list(runs.attrs.get("notes", [])),
        len(runs),
        domains=domains or fitted_domains(runs),
        coefficients={d: {k: float(v) for k, v in row.items()} for d, row in table.iterrows()},
        step=step,
        optimal_mixture=None if mixture is None else {k: float(v) for k, v in mixture.items()},
    )
    text = [table.to_string(float_format=lambda v: f"{v:.4g}")]
    if mixture is not None:
        text.append(
            f"optimal mixture at step {step:.4g}: "
            + ", ".join(f"{k} {v:.4f}" for k, v in mixture.items())
        )
    return result, _text(result, text)


def _fit_mixing(args):
    from .mixtures import fit_mixing_law, fitted_domains

    runs, domains = _mixture_runs(args)
    if "step" in runs:
        step = args.step if args.step else float(runs["step"].max())
        runs = runs[runs["step"] == step]
        if runs.empty:
            raise UsageError(f"--step {step:g}: no runs at that step")
    fit = _fit_mixture(fit_mixing_law, runs, domains, args, f"the mixing law to {len(runs)} runs")
    result = _fit_result(
        "fit mixing",
        fit,
        args,
        list(runs.attrs.get("notes", [])),
        len(runs),
        domains=domains or fitted_domains(runs),
    )
    return result, _text(result, [str(fit.summary())])


def _fit_columns(args, defaults: dict):
    """The file read and its columns named by --columns over `defaults`."""
    frame = _select(_read(args), args.query, args.runs)
    columns = _mapping(args.columns, defaults)
    missing = [f"{role} (column {name!r})" for role, name in columns.items() if name not in frame]
    if missing:
        listed = listing(frame.columns)
        raise UsageError(f"missing columns: {', '.join(missing)}; the file has {listed}")
    return frame, columns


def _fit_decay(args):
    from .repetition import fit_decay

    frame, c = _fit_columns(args, {"N": "N", "D": "D", "U": "U", "loss": "loss"})
    fit = _fit_quietly(fit_decay, c["N"], c["D"], c["U"], c["loss"], data=frame)
    result = _fit_result("fit decay", fit, args, [], len(frame))
    return result, _text(result, [str(fit.summary())])


def _fit_pool(args):
    from .filtering import fit_pool

    frame, c = _fit_columns(args, {"n": "n", "error": "error"})
    fit = _fit_quietly(fit_pool, c["n"], c["error"], data=frame, size=args.size, a=args.a, d=args.d)
    result = _fit_result("fit pool", fit, args, [], len(frame))
    return result, _text(result, [str(fit.summary())])


def _fit_downstream(args):
    from .downstream import fit_downstream

    frame, c = _fit_columns(args, {"loss": "loss", "error": "error"})
    fit = _fit_quietly(fit_downstream, c["loss"], c["error"], data=frame)
    result = _fit_result("fit downstream", fit, args, [], len(frame))
    return result, _text(result, [str(fit.summary())])


def _predict(args):
    import pandas as pd

    from .chinchilla import ChinchillaLaw

    if args.law in presets.CHINCHILLA:
        law, fit, compute_range = ChinchillaLaw.published(args.law), None, presets.RANGES[args.law]
    else:
        from pathlib import Path

        if not Path(args.law).exists():
            raise UsageError(
                f"--law {args.law}: no such file, and not one of {', '.join(presets.CHINCHILLA)}"
            )
        from .persist import load_fit

        fit = load_fit(args.law)
        law, compute_range = fit.law, None
    if args.runs:
        points = _read(args)
    elif args.at:
        points = pd.DataFrame([_mapping(at, dict.fromkeys(law.inputs), "--at") for at in args.at])
        unset = [name for name in law.inputs if points[name].isna().any()]
        if unset:
            example = ",".join(f"{name}=..." for name in law.inputs)
            raise UsageError(f"--at: give every input of the law ({example}); missing {unset[0]}")
        try:
            points = points.astype(float)
        except ValueError as err:
            raise UsageError(f"--at: values must be numbers ({err})") from None
    else:
        raise UsageError("give the points: a CSV (or - for standard input) or --at name=value,...")
    missing = [name for name in law.inputs if name not in points]
    if missing:
        raise UsageError(
            f"the points need the columns {', '.join(law.inputs)}; missing {', '.join(missing)}"
        )
    notes = []
    if args.interval:
        if fit is None:
            raise UsageError("--interval needs a saved fit (a published law carries no data)")
        band = fit.predict(points[list(law.inputs)], interval=True, level=0.9)
        table = points.assign(
            predicted=band["predicted"].to_numpy(),
            **{"low 90%": band["low"].to_numpy(), "high 90%": band["high"].to_numpy()},
        )
    else:
        table = points.assign(predicted=law.predict(points[list(law.inputs)]).to_numpy())
    if compute_range is not None and {"N", "D"} <= set(points):
        for budget in 6 * points["N"] * points["D"]:
            notes += [
                n for n in _extrapolation(float(budget), compute_range, None) if n not in notes
            ]
    if args.predictions:
        from pathlib import Path

        if Path(args.predictions).exists():
            raise UsageError(
                f"--predictions {args.predictions}: exists; choose another name or remove it"
            )
        table.to_csv(args.predictions, index=False)
    result = {
        "command": "predict",
        "law": law.params.to_dict(),
        "n": len(table),
        "predictions": table.to_dict(orient="records"),
        "converged": True,
        "warnings": notes,
    }
    text = [table.to_string(index=False, float_format=lambda v: f"{v:.6g}")]
    text += [f"warning: {note}" for note in notes]
    if args.predictions:
        text.append(f"wrote {args.predictions}")
    return result, "\n".join(text)


def _plan(args):
    from .sweep import plan_sweep

    law, _ = _chinchilla_law(args.law)
    plan = plan_sweep(
        law,
        args.budget,
        args.target,
        n_budgets=args.n_budgets,
        sizes_per_budget=args.sizes_per_budget,
        decades=args.decades,
        size_span=args.size_span,
        noise=args.noise,
        n_simulations=args.simulations,
        seed=args.seed,
    )
    low, high = plan.interval
    notes = _extrapolation(args.target, (plan.design["C"].min(), plan.design["C"].max()), None)
    if plan.failed:
        notes.append(f"{plan.failed} of {args.simulations} simulated sweeps could not be fitted")
    result = {
        "command": "plan",
        "law": law.params.to_dict(),
        "budget": args.budget,
        "target": args.target,
        "design": plan.design.to_dict(orient="records"),
        "interval": {"level": plan.level, "low": low, "high": high},
        "width": plan.width,
        "converged": True,
        "warnings": notes,
    }
    design = plan.design.groupby("C")["N"].agg(["min", "max", "count"])
    text = [
        (
            f"train these {len(plan.design)} runs ({plan.design['C'].nunique()} IsoFLOP budgets, "
            f"{plan.cost:.4g} FLOPs in all):"
        ),
        design.rename(columns={"min": "smallest N", "max": "largest N", "count": "runs"}).to_string(
            float_format=lambda v: f"{v:.3g}"
        ),
        (
            f"N_opt at {args.target:.3g} FLOPs, {plan.level:.0%} interval from {args.simulations} "
            f"simulated sweeps: {low:.4g} to {high:.4g} parameters (a factor {plan.width:.3g}); "
            f"the prior law says {plan.truth:.4g}"
        ),
    ]
    text += [f"warning: {note}" for note in notes]
    return result, "\n".join(text)


def _check(args):
    from .io import read_checkpoint_logs, read_runs, runs_kind

    kind = args.kind
    first = args.runs_files[0]
    if kind == "auto":
        from pathlib import Path

        if len(args.runs_files) > 1 or Path(first).is_dir():
            kind = "log"
        elif args.proportions != "p_{domain}" or args.losses_file:
            kind = "mixture"
        else:
            kind = runs_kind(read_runs(first, sep=args.sep))
    args.runs = first
    problems, cautions, verdict = [], [], ""
    if kind == "mixture":
        from .mixtures import fitted_domains

        runs, _ = _mixture_runs(args)
        cautions = list(runs.attrs.get("notes", []))
        if not args.pool_models:  # as the fits will: a mixture law is fitted per model size
            from .validation import check_one_model

            keys = [c for c in runs.columns if str(c).startswith("p_") or c == "step"]
            ignore = [c for c in runs.columns if str(c).startswith("loss_")] + ["run"]
            try:
                check_one_model(
                    runs, model="model" if "model" in runs else None, keys=keys, ignore=ignore
                )
            except ValidationError as err:
                problems = err.problems
        steps = runs["step"].nunique() if "step" in runs else 1
        fits = ["the mixing law (one step)"] + (["BiMix"] if steps > 1 else [])
        n_runs = int(runs["run"].nunique())
        verdict = (
            f"{args.runs}: {n_runs} mixture runs of {len(fitted_domains(runs))} domains with losses, "
            f"{steps} step{'s' if steps > 1 else ''}; "
            + (
                f"can be fitted with {' and '.join(fits)}"
                if not problems
                else "cannot be fitted as it is"
            )
        )
    else:
        from .validation import check_design

        if kind == "log":
            logs = read_checkpoint_logs(args.runs_files, sizes=_sizes(args.sizes), sep=args.sep)
            args.logs = True
            cautions = list(logs.attrs.get("notes", []))
            verdict_head = (
                f"{len(args.runs_files) if len(args.runs_files) > 1 else 'the'} logs: "
                f"{logs['run'].nunique()} runs, {len(logs)} checkpoints"
            )
        runs, notes = _runs(args)
        cautions += notes
        n_runs = len(runs)
        try:
            cautions += check_design(
                {"N": runs["N"].to_numpy(), "D": runs["D"].to_numpy()},
                ("loss", runs["loss"].to_numpy()),
                n_params=5,
                model="the Chinchilla law",
                budget=("C", runs["C"].to_numpy()),
                tokens=("N", "D"),
                decreasing=True,
            )
        except ValidationError as err:
            problems = err.problems
        head = verdict_head if kind == "log" else f"{args.runs}: {n_runs} runs"
        verdict = (
            f"{head}; the Chinchilla law can be fitted"
            if not problems
            else f"{head} cannot identify the Chinchilla law"
        )
    report = _file_report(args, kind, runs, n_runs) if args.report else None
    result = {
        "command": "check",
        "kind": kind,
        "n_runs": n_runs,
        "fittable": not problems,
        "problems": problems,
        "converged": True,
        "warnings": collapse_notes(cautions),
        "report": None if report is None else report.as_dict(),
    }
    if problems:
        raise UsageError("; ".join([verdict, *problems]))
    lines = [verdict] + [f"warning: {c}" for c in result["warnings"]]
    return result, "\n".join(lines + ([str(report)] if report is not None else []))


def _file_report(args, kind, runs, n_runs):
    """The reporting checklist as far as a runs file fixes it (``lawlib check --report``)."""
    import numpy as np
    import pandas as pd

    from .checklist import NOT_STATED, Report, ranges

    by_fit = "set by the fit (FitResult.report() fills it in)"
    items = dict.fromkeys(["form", "objective", "optimizer", "initialization", "converged"], by_fit)
    if kind == "mixture":
        shares = [c for c in runs.columns if str(c).startswith("p_")]
        steps = runs["step"].nunique() if "step" in runs else 1
        items["data"] = f"{n_runs} mixture runs, {steps} step{'s' if steps > 1 else ''} each"
        items["range"] = ranges(runs, [*(["step"] if "step" in runs else []), *shares])
        items["compute"] = f"{NOT_STATED}: tokens per step and the model's FLOPs per token"
    else:
        ratio = float(np.median(runs["C"] / (runs["N"] * runs["D"])))
        last = "the last checkpoint of each run" if kind == "log" else None
        items["data"] = f"{n_runs} runs; " + (
            f"checkpoints: {last}" if last else f"{NOT_STATED}: which checkpoints"
        )
        items["range"] = ranges(runs, ["N", "D", "C", "loss"])
        notes = " ".join(runs.attrs.get("notes", []))
        raw = _read(args) if kind == "runs" else None
        if "derived from" in notes and raw is not None and {"N", "D", "C"} <= set(raw.columns):
            # the file has both: runs_table kept D, so the ratio comes from the file itself
            both = raw[["N", "D", "C"]].apply(pd.to_numeric, errors="coerce").dropna()
            ratio = float(np.median(both["C"] / (both["N"] * both["D"])))
            notes = ""
        if "derived from" in notes:
            given = "C" if "tokens D derived" in notes else "D"
            items["compute"] = (
                f"{NOT_STATED}: the file gives {given} alone, and C = k N D with k = "
                f"{args.flops_per_token:g} was assumed to complete it"
            )
        else:
            rule = "the C = 6ND rule" if abs(ratio - 6) < 0.01 else "not the C = 6ND rule"
            items["compute"] = f"C / (N D) = {ratio:.4g}, the median over runs ({rule})"
    items["parameters"] = f"{NOT_STATED}: whether N counts the embeddings and the output head"
    items["loss_unit"] = f"{NOT_STATED} (lawlib assumes nats/token)"
    items["uncertainty"] = by_fit
    order = ["form", "objective", "optimizer", "initialization", "converged", "data", "range"]
    order += ["parameters", "compute", "loss_unit", "uncertainty"]
    return Report(subject=str(args.runs), items={key: items[key] for key in order})


def _data(args):
    from . import data

    if args.action == "path":
        if not args.name:
            raise UsageError("lawlib data path NAME: give a dataset name (see `lawlib data`)")
        return None, str(data.file(args.name))
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
    laws_help = f"{', '.join(presets.CHINCHILLA)}, or a saved fit (--save) or JSON with E, A, B, alpha, beta"

    def runs_options(sub, columns=True, query=True):
        sub.add_argument("runs", help="CSV of runs (one row per run); - reads standard input")
        sub.add_argument("--sep", default=",", help="column separator of the CSV (default ',')")
        if columns:
            sub.add_argument(
                "--columns", default="", help="column names, e.g. N=params,C=flops,loss=final_loss"
            )
        if query:
            sub.add_argument(
                "--query", default="", help="pandas query selecting runs, e.g. \"model == '160M'\""
            )

    def output_options(sub):
        sub.add_argument("--save", default=None, help="write the fit to FIT.json (lawlib.load_fit)")
        sub.add_argument("--plot", default=None, help="draw the fit into FILE.png")
        sub.add_argument(
            "--predictions", default=None, help="write the fit's predictions to FILE.csv"
        )

    def mixture_options(sub):
        sub.add_argument("--proportions", default="p_{domain}", help="proportion columns pattern")
        sub.add_argument("--losses", default="loss_{domain}", help="loss columns pattern")
        sub.add_argument("--losses-file", default=None, help="a second file with the losses")
        sub.add_argument("--join", default=None, help="key column joining the two files")
        sub.add_argument("--step-column", default=None, help="column of steps (or tokens)")
        sub.add_argument("--model-column", default=None, help="column of model sizes")
        sub.add_argument("--run-column", default=None, help="column naming runs")
        sub.add_argument("--domains", default="", help="domains to fit, comma-separated")
        sub.add_argument(
            "--pool-models", action="store_true", help="fit several model sizes together"
        )

    fit = commands.add_parser("fit", help="fit a law to your runs")
    laws = fit.add_subparsers(dest="law_name", required=True)
    chinchilla = laws.add_parser("chinchilla", help="Approach 3: L = E + A/N^alpha + B/D^beta")
    runs_options(chinchilla)
    chinchilla.add_argument(
        "more_runs", nargs="*", help="more checkpoint logs (with --logs)", metavar="LOG"
    )
    chinchilla.add_argument(
        "--logs", action="store_true", help="the files (or a folder) are checkpoint logs"
    )
    chinchilla.add_argument(
        "--loss-set", default="c4_en", help="validation set of the logs' loss (default c4_en)"
    )
    chinchilla.add_argument("--sizes", default=None, help=SIZES_HELP)
    chinchilla.add_argument(
        "--budget",
        type=_number("positive", " of FLOPs"),
        default=GOPHER_BUDGET,
        help="compute for the allocation [FLOPs]",
    )
    chinchilla.add_argument(
        "--flops-per-token", type=_number("positive"), default=6.0, help="k in C = k N D"
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
    output_options(chinchilla)
    chinchilla.set_defaults(run=_fit_chinchilla)

    bimix = laws.add_parser("bimix", help="BiMix: per-domain loss in mixing proportion and steps")
    runs_options(bimix, columns=False)
    mixture_options(bimix)
    bimix.add_argument(
        "--step",
        type=_number("positive"),
        default=None,
        help="target step for the optimal mixture (default: the largest)",
    )
    output_options(bimix)
    bimix.set_defaults(run=_fit_bimix)

    mixing = laws.add_parser("mixing", help="Ye et al.'s mixing law at one step")
    runs_options(mixing, columns=False)
    mixture_options(mixing)
    mixing.add_argument(
        "--step", type=_number("positive"), default=None, help="the step (default: the largest)"
    )
    output_options(mixing)
    mixing.set_defaults(run=_fit_mixing)

    for name, helptext, runner in (
        (
            "decay",
            "Muennighoff et al.'s decay constants R_D*, R_N* (columns N, D, U, loss)",
            _fit_decay,
        ),
        ("pool", "a data pool's utility and half-life (columns n, error)", _fit_pool),
        ("downstream", "loss to downstream error (columns loss, error)", _fit_downstream),
    ):
        sub = laws.add_parser(name, help=helptext)
        runs_options(sub)
        if name == "pool":
            sub.add_argument("--size", type=_number("positive"), required=True, help="pool size")
            sub.add_argument("--a", type=_number("positive"), required=True, help="shared scale a")
            sub.add_argument("--d", type=_number("nonnegative"), required=True, help="floor d")
        output_options(sub)
        sub.set_defaults(run=runner)

    predict = commands.add_parser("predict", help="a published law or a saved fit at new points")
    predict.add_argument("runs", nargs="?", default=None, help="CSV of points (- for stdin)")
    predict.add_argument("--sep", default=",", help="column separator of the CSV")
    predict.add_argument("--law", default="besiroglu2024", help=laws_help)
    predict.add_argument(
        "--at", action="append", default=[], help="a point, e.g. N=1e9,D=2e10 (repeatable)"
    )
    predict.add_argument(
        "--interval", action="store_true", help="90%% prediction intervals (saved fits)"
    )
    predict.add_argument("--predictions", default=None, help="write the predictions to FILE.csv")
    predict.set_defaults(run=_predict)

    optimal = commands.add_parser("optimal", help="compute-optimal N and D for a budget")
    optimal.add_argument(
        "--budget", type=_number("positive", " of FLOPs"), required=True, help="compute [FLOPs]"
    )
    optimal.add_argument("--law", default="besiroglu2024", help=laws_help)
    optimal.add_argument(
        "--flops-per-token", type=_number("positive"), default=6.0, help="k in C = k N D"
    )
    optimal.add_argument(
        "--inference-tokens",
        type=_number("nonnegative", " of tokens"),
        default=0.0,
        help="tokens the model will serve: the model that reaches the same loss with the least "
        "training plus inference compute",
    )
    optimal.set_defaults(run=_optimal)

    plan = commands.add_parser("plan", help="which runs to train next, and what they tell")
    plan.add_argument(
        "--budget", type=_number("positive", " of FLOPs"), required=True, help="FLOPs of the sweep"
    )
    plan.add_argument(
        "--target", type=_number("positive", " of FLOPs"), required=True, help="compute of interest"
    )
    plan.add_argument("--law", default="besiroglu2024", help=f"the prior: {laws_help}")
    plan.add_argument("--n-budgets", type=_number("count"), default=5, help="IsoFLOP budgets")
    plan.add_argument(
        "--sizes-per-budget", type=_number("count"), default=7, help="runs per budget"
    )
    plan.add_argument("--decades", type=_number("positive"), default=2.0, help="span of budgets")
    plan.add_argument("--size-span", type=_number("positive"), default=4.0, help="size factor")
    plan.add_argument("--noise", type=_number("nonnegative"), default=0.005, help="sd of log loss")
    plan.add_argument("--simulations", type=_number("count"), default=200, help="simulated sweeps")
    plan.add_argument("--seed", type=_number("count"), default=0, help="seed of the simulations")
    plan.set_defaults(run=_plan)

    check = commands.add_parser(
        "check",
        help="check a runs file, mixture runs or checkpoint logs without fitting (exit 2 if unfittable)",
    )
    check.add_argument(
        "runs_files", nargs="+", help="a runs CSV, or checkpoint logs (files or a folder)"
    )
    check.add_argument("--sep", default=",", help="column separator of the CSV")
    check.add_argument(
        "--kind",
        choices=["auto", "runs", "mixture", "log"],
        default="auto",
        help="what the files are",
    )
    check.add_argument(
        "--logs", dest="kind", action="store_const", const="log", help="same as --kind log"
    )
    check.add_argument("--columns", default="", help="runs: N=...,D=... or C=...,loss=...")
    check.add_argument("--loss-set", default="c4_en", help="logs: the validation set of the loss")
    check.add_argument("--sizes", default=None, help=SIZES_HELP)
    check.add_argument(
        "--flops-per-token", type=_number("positive"), default=6.0, help="k in C = k N D"
    )
    check.add_argument("--query", default="", help="pandas query selecting runs")
    check.add_argument(
        "--report",
        action="store_true",
        help="also print the reporting checklist as far as the file fixes it",
    )
    mixture_options(check)
    check.set_defaults(run=_check, logs=False)

    data = commands.add_parser("data", help="the published datasets that ship with lawlib")
    data.add_argument("action", nargs="?", choices=["list", "path"], default="list")
    data.add_argument("name", nargs="?", help="dataset name (for `path`)")
    data.set_defaults(run=_data, json=False, quiet=True)

    for sub in (chinchilla, bimix, mixing, *laws.choices.values(), predict, optimal, plan, check):
        if not any(a.dest == "json" for a in sub._actions):
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
    if args.command == "fit" and args.law_name == "chinchilla":
        args.runs_files = [args.runs, *args.more_runs]
        if args.more_runs and not args.logs:
            print(
                "lawlib: error: several files are read as checkpoint logs: add --logs",
                file=sys.stderr,
            )
            return 2
    try:
        _refuse_existing(args)
        result, text = args.run(args)
    except (ValidationError, UsageError) as err:
        print(f"lawlib: error: {str(err).splitlines()[0]}", file=sys.stderr)
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
