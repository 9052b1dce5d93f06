"""The lawlib command line, run in a subprocess on real data and on malformed files."""

import contextlib
import io
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapes

from conftest import ROOT
from lawlib import BiMixLaw, ChinchillaLaw, fit_parametric, optimize_mixture
from lawlib.cli import JSON_KEYS, UsageError, main
from lawlib.data import load

EPOCH = str(ROOT / "data" / "epoch2024" / "svg_extracted_data.csv")
EPOCH_COLUMNS = "N=Model Size,C=Training FLOP,loss=loss"
MALFORMED = str(ROOT / "tests" / "fixtures" / "malformed_runs.csv")


def run(*args, module=False, script=False, stdin=None):
    """Run ``lawlib ARGS``: in this process by default, as a subprocess when asked.

    ``lawlib.cli.main`` is what both entry points call, so most tests run it here, under the
    warning filters a fresh interpreter has, with its own standard streams; ``module=True`` runs
    ``python -m lawlib`` and ``script=True`` the installed console script, as a user would.
    """
    if module or script:
        command = (
            [str(Path(sys.executable).parent / "lawlib"), *args]
            if script
            else [sys.executable, "-m", "lawlib", *args]
        )
        return subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, check=False, input=stdin
        )
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with (
            contextlib.chdir(ROOT),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(),
        ):
            warnings.resetwarnings()
            warnings.simplefilter("default")
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's usage errors
                code = stop.code if isinstance(stop.code, int) else 2
    finally:
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def run_json(*args, **how) -> dict:
    done = run(*args, "--json", **how)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_fit_chinchilla_matches_the_part_ii_fit():
    done = run(
        "fit",
        "chinchilla",
        EPOCH,
        "--columns",
        EPOCH_COLUMNS,
        "--drop-highest",
        "5",
        "--bootstrap",
        "200",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == sorted(JSON_KEYS["fit chinchilla"])
    runs = load("epoch2024")
    runs = runs[runs["in_default_fit"]]
    chapter = fit_parametric(runs["N"], runs["D"], runs["loss"])  # the Approach 3 chapter's fit
    for name in ("E", "A", "B", "alpha", "beta"):
        assert result["law"][name] == pytest.approx(chapter.params[name], rel=1e-9)
    assert result["n_runs"] == 240 and result["converged"]
    assert result["objective"] == pytest.approx(1.018274e-3, rel=1e-4)
    interval = result["intervals"]["alpha"]
    assert interval["low"] < result["law"]["alpha"] < interval["high"]
    assert done.stderr == ""  # not a terminal: no progress


def test_optimal_matches_the_calculator_and_the_console_script():
    done = run("optimal", "--budget", "5.76e23", "--law", "hoffmann2022", "--json", script=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    n_opt, _d_opt = ChinchillaLaw.published("hoffmann2022").compute_optimal(5.76e23)
    assert result["allocation"]["N_opt"] == pytest.approx(n_opt, rel=1e-12)
    assert result["allocation"]["tokens_per_parameter"] == pytest.approx(92.65, rel=1e-4)
    text = run("optimal", "--budget", "5.76e23", "--law", "hoffmann2022").stdout
    assert "tokens per parameter = 92.65" in text


def test_optimal_reads_a_fitted_law_from_json(tmp_path):
    fitted = run(
        "fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, "--bootstrap", "0", "--json"
    )
    path = tmp_path / "law.json"
    path.write_text(fitted.stdout)
    done = run("optimal", "--budget", "1e24", "--law", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["law"] == json.loads(fitted.stdout)["law"]


def test_fit_bimix_on_ye_runs():
    done = run(
        "fit",
        "bimix",
        str(ROOT / "data" / "mixinglaws" / "5mix_grouped.csv"),
        "--query",
        "model == '160M' and step <= 20000",
        "--step",
        "30000",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == sorted(JSON_KEYS["fit bimix"])
    assert result["coefficients"]["academic"]["alpha"] == pytest.approx(0.0541, rel=0.01)
    law = BiMixLaw(
        pd.DataFrame(result["coefficients"]).T[["alpha", "B", "beta", "C"]].astype(float)
    )
    expected = optimize_mixture(law, 30000).proportions
    assert pd.Series(result["optimal_mixture"])[expected.index].to_numpy() == pytest.approx(
        expected.to_numpy(), abs=1e-9
    )


def write_bad_inputs(folder: Path) -> dict[str, str]:
    """Files for the bad-input table, one per way a user's input can be wrong."""
    law = ChinchillaLaw.published("besiroglu2024")
    n = np.geomspace(1e8, 3e9, 6)
    one_budget = pd.DataFrame({"N": n, "D": 1e21 / (6 * n)})
    one_budget["loss"] = law.loss(one_budget["N"], one_budget["D"])
    grid = pd.DataFrame(
        {"N": np.repeat([4e7, 1e8, 3e8, 1e9], 3), "D": np.tile([1e9, 4e9, 2e10], 4)}
    )
    grid["loss"] = law.loss(grid["N"], grid["D"])
    constant = grid.assign(N=1e9)
    files = {
        "one_budget": one_budget,
        "constant_N": constant,
        "semicolons": None,
        "empty": None,
    }
    paths = {}
    for name, frame in files.items():
        paths[name] = str(folder / f"{name}.csv")
        if frame is not None:
            frame.to_csv(paths[name], index=False)
    grid.to_csv(paths["semicolons"], index=False, sep=";")
    Path(paths["empty"]).write_text("")
    (folder / "law_negative.json").write_text(
        json.dumps({"E": 1.8, "A": 400, "B": 400, "alpha": -0.3, "beta": 0.3})
    )
    (folder / "law_list.json").write_text(json.dumps([1.8, 400, 400, 0.3, 0.3]))
    paths["law_negative"] = str(folder / "law_negative.json")
    paths["law_list"] = str(folder / "law_list.json")
    paths["folder"] = str(folder)
    paths["slimpajama"] = str(shapes.slimpajama_shaped(folder / "slimpajama.csv"))
    (folder / "taken.json").write_text("{}")
    paths["taken"] = str(folder / "taken.json")
    grid.to_csv(folder / "trailing.csv", index=False)
    lines = (folder / "trailing.csv").read_text().splitlines()
    (folder / "trailing.csv").write_text("".join(line + ",\n" for line in lines))
    paths["trailing"] = str(folder / "trailing.csv")
    return paths


MIXINGLAWS = str(ROOT / "data" / "mixinglaws" / "5mix_grouped.csv")
REGMIX_1B = str(ROOT / "data" / "regmix2024" / "test_mixture_1B.csv")
REGMIX_1B_LOSSES = str(ROOT / "data" / "regmix2024" / "test_pile_loss_1B.csv")
OLMO_LOG = str(ROOT / "data" / "olmo_ladder2024" / "190M-1xC.csv")
SLIMPAJAMA = (
    "--proportions",
    "weight_{{domain}}",
    "--losses",
    "{{domain}}_loss",
    "--step-column",
    "tokens",
)

#: Every bad input the command line must answer with exit 2 and one line naming what is wrong.
BAD_INPUTS = [
    (("optimal", "--budget=-1e24"), "argument --budget: must be a positive finite number"),
    (("optimal", "--budget", "-1e24"), "argument --budget: must be a positive finite number"),
    (("optimal", "--budget", "0"), "must be a positive finite number of FLOPs, got 0"),
    (
        ("optimal", "--budget", "nan", "--json"),
        "must be a positive finite number of FLOPs, got nan",
    ),
    (("optimal", "--budget", "inf"), "must be a positive finite number of FLOPs, got inf"),
    (
        ("optimal", "--budget", "lots"),
        "argument --budget: must be a positive finite number of FLOPs, got 'lots'",
    ),
    (("optimal", "--budget", "1e22", "--law", "nope"), "--law nope: no such file, and not one of"),
    (
        ("optimal", "--budget", "1e22", "--law", "{law_negative}"),
        "alpha must be a positive number, got -0.3",
    ),
    (("optimal", "--budget", "1e22", "--law", "{law_list}"), "holds a list; expected an object"),
    (("optimal", "--budget", "1e22", "--law", "{folder}"), "is a directory, not a JSON file"),
    (("fit", "chinchilla", "{one_budget}"), "all 6 runs share one compute budget"),
    (
        ("fit", "chinchilla", "{constant_N}", "--json"),
        "column 'N' holds one value (1e+09) in all 12 runs",
    ),
    (
        ("fit", "chinchilla", EPOCH, "--drop-highest", "-3"),
        "--drop-highest: must be a whole number, 0 or more, got -3",
    ),
    (
        ("fit", "chinchilla", EPOCH, "--level", "95"),
        "--level: must be a number between 0 and 1, got 95",
    ),
    (("fit", "chinchilla", "{folder}"), "is a directory, not a CSV file"),
    (("fit", "chinchilla", "no/such/file.csv"), "file no/such/file.csv: no such file (looked in "),
    (("fit", "chinchilla", "{empty}"), "is empty: expected a header line and one line per run"),
    (("fit", "chinchilla", "{semicolons}"), "it looks separated by ';'; pass --sep ';'"),
    (
        ("fit", "chinchilla", MALFORMED, "--columns", "N=params,D=tokens,loss=final_loss"),
        "column 'tokens' (D): 1 values are not numbers (first 'abc'), in rows 4",
    ),
    (
        ("fit", "chinchilla", MALFORMED, "--columns", "N=params,D=tokens,loss=final_loss"),
        "column 'final_loss' (loss): 1 of 7 values are not positive (first -2.8), in rows 5",
    ),
    (
        ("fit", "chinchilla", MALFORMED),
        "missing columns: N (column 'N'), D (tokens) or C (FLOPs), loss (column 'loss')",
    ),
    (
        ("fit", "bimix", MIXINGLAWS),
        "column 'model' holds 5 model sizes (160M, 1B, 305M, 410M, 70M)",
    ),
    (
        ("fit", "bimix", MIXINGLAWS, "--query", "modle == '160M'"),
        "query \"modle == '160M'\": UndefinedVariableError",
    ),
    (
        ("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, "--query", "loss > 100"),
        "--query 'loss > 100' selects no runs of",
    ),
    (
        ("fit", "bimix", MIXINGLAWS, "--query", "model == '7B'"),
        "query \"model == '7B'\" selects no runs",
    ),
    (("fit", "bimix", MALFORMED), "no column matches the proportion pattern 'p_{domain}'"),
    (("check", "{one_budget}"), "cannot identify the Chinchilla law; all 6 runs share one compute"),
    (("data", "path", "chinchilla"), "unknown dataset 'chinchilla'; available: epoch2024"),
    # runs as other people's files hold them (issue 21)
    (
        ("fit", "bimix", "{slimpajama}", *SLIMPAJAMA),
        "column 'model_size' takes 6 values (70M, 120M, 250M, 500M, 1B, 3B)",
    ),
    (
        ("fit", "bimix", "{slimpajama}", *SLIMPAJAMA, "--model-column", "model_size"),
        "holds 6 model sizes (70M, 120M, 250M, 500M, 1B, 3B): select one",
    ),
    (
        ("fit", "bimix", "{slimpajama}", "--proportions", "weight"),
        "the proportion pattern 'weight' needs a {domain} placeholder",
    ),
    (
        ("fit", "mixing", REGMIX_1B, "--losses-file", REGMIX_1B_LOSSES),
        "joining two files needs a key column in both (join=None)",
    ),
    (
        ("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, "--save", "{taken}"),
        "taken.json: exists; choose another name or remove it",
    ),
    (
        ("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, "--plot", "no/such/x.png"),
        "--plot no/such/x.png: no folder no/such",
    ),
    (("predict", "--at", "N=abc,D=1e9"), "--at: values must be numbers"),
    (("predict", "--at", "N=1e9"), "--at: give every input of the law (N=...,D=...); missing D"),
    (("predict", "--law", "{taken}", "--at", "N=1e9,D=1e10"), "not a saved fit"),
    (("predict", "{slimpajama}"), "the points need the columns N, D; missing N, D"),
    (("optimal", "--budget", "1e22", "--flops-per-token", "0"), "must be a positive finite"),
    (("optimal", "--budget", "1e22", "--inference-tokens", "-1"), "0 or more of tokens, got -1"),
    (
        ("plan", "--budget", "1e19", "--target", "1e21", "--n-budgets", "2"),
        "n_budgets must be a whole number >= 3, got 2",
    ),
    (
        ("check", "{slimpajama}", *SLIMPAJAMA, "--model-column", "model_size"),
        "cannot be fitted as it is; column 'model' holds 6 model sizes",
    ),
    (("check", "--logs", EPOCH), "svg_extracted_data.csv: needs a step column '_step'"),
    (("fit", "chinchilla", "--logs", OLMO_LOG, "--loss-set", "nope"), "the logs have c4_en,"),
    (("fit", "decay", EPOCH), "missing columns: N (column 'N'), D (column 'D'), U (column 'U')"),
    (("fit", "downstream", EPOCH), "missing columns: error (column 'error')"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    paths = write_bad_inputs(tmp_path)
    done = run(*(arg.format(**paths) for arg in args))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("lawlib")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        (lambda frame: pd.concat([frame, frame]), "runs repeat another run exactly"),
        (lambda frame: frame.assign(D=frame["D"] / 1e9), "D looks like it is given in billions"),
    ],
)
def test_suspicious_runs_are_fitted_with_the_warning_in_the_json(change, warning, tmp_path):
    law = ChinchillaLaw.published("besiroglu2024")
    grid = pd.DataFrame(
        {"N": np.repeat([4e7, 1e8, 3e8, 1e9], 3), "D": np.tile([1e9, 4e9, 2e10], 4)}
    )
    grid["loss"] = law.loss(grid["N"], grid["D"])
    path = tmp_path / "runs.csv"
    change(grid).to_csv(path, index=False)
    done = run("fit", "chinchilla", str(path), "--bootstrap", "0", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert any(warning in text for text in result["warnings"])
    assert list(result) == sorted(JSON_KEYS["fit chinchilla"])


def test_check_reports_without_fitting(tmp_path):
    done = run("check", EPOCH, "--columns", EPOCH_COLUMNS, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == sorted(JSON_KEYS["check"])
    assert result["fittable"] and result["n_runs"] == 245 and result["problems"] == []


def test_check_report_fills_what_the_file_fixes_and_names_the_rest(tmp_path):
    result = run_json("check", EPOCH, "--columns", EPOCH_COLUMNS, "--report")
    report = result["report"]
    assert report["items"]["range"].startswith("N 5.73e7 to 1.62e10; D 2.45e8 to 3.18e11")
    # the file gives compute alone: the convention behind D is an assumption, and says so
    assert "the file gives C alone" in report["items"]["compute"]
    assert report["missing"] == ["data", "parameters", "compute", "loss_unit"]
    both = tmp_path / "both.csv"
    runs = load("epoch2024")
    runs.assign(C=7.0 * runs["N"] * runs["D"])[["N", "D", "C", "loss"]].to_csv(both, index=False)
    items = run_json("check", str(both), "--report")["report"]["items"]
    assert items["compute"] == "C / (N D) = 7, the median over runs (not the C = 6ND rule)"
    text = run("check", str(both), "--report").stdout
    assert "Reporting checklist" in text and "3 of 11 items not stated" in text
    assert run_json("check", str(both))["report"] is None


def test_semicolon_files_read_with_sep(tmp_path):
    paths = write_bad_inputs(tmp_path)
    done = run("check", paths["semicolons"], "--sep", ";")
    assert done.returncode == 0, done.stderr
    assert "12 runs; the Chinchilla law can be fitted" in done.stdout


def test_a_trailing_separator_on_every_line_is_read(tmp_path):
    paths = write_bad_inputs(tmp_path)
    done = run("check", paths["trailing"])
    assert done.returncode == 0, done.stderr
    assert "12 runs; the Chinchilla law can be fitted" in done.stdout
    assert "loss" not in done.stderr


def test_version_and_a_fast_help():
    import lawlib

    done = run("--version")
    assert done.stdout.strip() == f"lawlib {lawlib.__version__}"
    # --help must not load the numerical stack (matplotlib, pandas, scipy)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys, contextlib, io\n"
                "from lawlib.cli import main\n"
                "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
                "    main(['--help'])\n"
                "print(sorted(m for m in ('matplotlib', 'pandas', 'scipy', 'numpy') if m in sys.modules))"
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "[]"


def test_progress_shows_on_a_terminal_only():
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lawlib",
                "fit",
                "chinchilla",
                EPOCH,
                "--columns",
                EPOCH_COLUMNS,
                "--bootstrap",
                "100",
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            cwd=ROOT,
            check=False,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    text = shown.decode()
    assert "fitting the Chinchilla law to 245 runs" in text and "100/100" in text and "done" in text
    json.loads(done.stdout)  # progress never mixes into the JSON
    quiet = run(
        "fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, "--bootstrap", "0", "--quiet"
    )
    assert quiet.stderr == ""


def test_column_mapping():
    from lawlib.cli import _columns

    assert _columns("") == {"N": "N", "D": None, "C": None, "loss": "loss"}
    assert _columns("N=Count,C=flops,loss=L") == {
        "N": "Count",
        "D": None,
        "C": "flops",
        "loss": "L",
    }
    assert _columns("N=n,D=t,C=flops") == {"N": "n", "D": "t", "C": "flops", "loss": "loss"}
    with pytest.raises(
        UsageError,
        match=re.escape("--columns takes N=...,D=...,C=...,loss=...; cannot read 'X=1'"),
    ):
        _columns("X=1")


def test_a_saved_fit_predicts_and_loads_and_its_files_are_written(tmp_path):
    saved, plot, table = (str(tmp_path / name) for name in ("fit.json", "fit.png", "fit.csv"))
    outputs = ("--save", saved, "--plot", plot, "--predictions", table)
    result = run_json("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, *outputs)
    assert (result["saved"], result["plot"], result["predictions"]) == (saved, plot, table)
    assert Path(plot).stat().st_size > 10_000
    rows = pd.read_csv(table)
    assert len(rows) == result["n_runs"] == 245
    law = ChinchillaLaw(**result["law"])
    np.testing.assert_allclose(rows["predicted"], law.loss(rows["N"], rows["D"]), rtol=1e-12)
    from lawlib import load_fit

    assert load_fit(saved).law == law
    answer = run_json("predict", "--law", saved, "--at", "N=1e9,D=2e10", "--interval")
    (point,) = answer["predictions"]
    assert point["predicted"] == pytest.approx(float(law.loss(1e9, 2e10)), rel=1e-12)
    assert point["low 90%"] < point["predicted"] < point["high 90%"]
    again = run("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS, *outputs)
    assert again.returncode == 2 and "exists" in again.stderr  # nothing written over a file


def test_standard_input_is_read_for_a_dash():
    text = Path(EPOCH).read_text()
    piped = run_json("fit", "chinchilla", "-", "--columns", EPOCH_COLUMNS, stdin=text, module=True)
    direct = run_json("fit", "chinchilla", EPOCH, "--columns", EPOCH_COLUMNS)
    assert piped["law"] == direct["law"]
    points = "N,D\n1e9,2e10\n7e10,1.4e12\n"
    answer = run_json("predict", "-", "--law", "hoffmann2022", stdin=points)
    law = ChinchillaLaw.published("hoffmann2022")
    assert [p["predicted"] for p in answer["predictions"]] == pytest.approx(
        law.loss(np.array([1e9, 7e10]), np.array([2e10, 1.4e12])).tolist(), rel=1e-12
    )


def test_optimal_with_inference_tokens_trains_a_smaller_model_for_longer():
    result = run_json("optimal", "--budget", "1e22", "--inference-tokens", "1e12")
    chinchilla, served = result["allocation"], result["inference"]
    assert served["N"] < chinchilla["N_opt"] and served["D"] > chinchilla["D_opt"]
    assert served["total_flops"] < served["total_flops_of_the_training_optimum"]
    assert served["saving"] == pytest.approx(
        1 - served["total_flops"] / served["total_flops_of_the_training_optimum"], rel=1e-9
    )
    per_token = run_json("optimal", "--budget", "1e22", "--flops-per-token", "8")
    law = ChinchillaLaw.published("besiroglu2024")
    n_opt, _ = law.compute_optimal(1e22, flops_per_token=8)
    assert per_token["allocation"]["N_opt"] == pytest.approx(n_opt, rel=1e-9)


def test_plan_returns_a_design_on_its_budgets_and_an_interval_around_the_optimum():
    result = run_json("plan", "--budget", "1e19", "--target", "1e21", "--seed", "3")
    design = pd.DataFrame(result["design"])
    assert len(design) == 5 * 7 and design["C"].nunique() == 5
    assert design["C"].sum() == pytest.approx(1e19, rel=0.05)
    np.testing.assert_allclose(design["C"], 6 * design["N"] * design["D"], rtol=1e-9)
    n_true, _ = ChinchillaLaw.published("besiroglu2024").compute_optimal(1e21)
    assert result["interval"]["low"] < n_true < result["interval"]["high"]
    assert result == run_json("plan", "--budget", "1e19", "--target", "1e21", "--seed", "3")


def test_regmix_two_files_fitted_with_the_mixing_law():
    result = run_json(
        "fit",
        "mixing",
        REGMIX_1B,
        "--losses-file",
        REGMIX_1B_LOSSES,
        "--join",
        "index",
        "--proportions",
        "train_the_pile_{domain}",
        "--losses",
        "metric/the_pile_{domain}_val_loss",
        "--domains",
        "arxiv,github",
    )
    assert result["converged"] and result["n_runs"] == 64
    assert sorted(result["domains"]) == ["arxiv", "github"]
    assert any("renormalized" in w for w in result["warnings"])


def test_another_studys_file_fitted_with_bimix_by_its_patterns(tmp_path):
    path = shapes.slimpajama_shaped(tmp_path / "slim.csv")
    pattern = [a.replace("{{", "{").replace("}}", "}") for a in SLIMPAJAMA]
    done = run("fit", "bimix", str(path), *pattern, "--model-column", "model_size")
    assert done.returncode == 2 and "6 model sizes" in done.stderr  # never pooled silently
    result = run_json(
        "fit",
        "bimix",
        str(path),
        *pattern,
        "--model-column",
        "model_size",
        "--query",
        "model_size == '1B'",
    )
    fitted = pd.DataFrame(result["coefficients"]).T["alpha"].astype(float)
    np.testing.assert_allclose(fitted[shapes.SLIMPAJAMA], shapes.SLIMPAJAMA_LAW["alpha"], atol=0.01)
    notes = [w for w in result["warnings"] if "missing (NaN)" in w]
    assert len(notes) == 1  # one line per kind of note, with a count


def test_checkpoint_logs_fitted_with_the_codes_parameter_counts(tmp_path):
    logs = sorted(str(p) for p in (ROOT / "data" / "olmo_ladder2024").glob("*xC*.csv"))
    sizes = str(ROOT / "data" / "olmo_ladder2024" / "sizes.csv")
    checked = run_json("check", *logs, "--logs", "--sizes", sizes)
    assert checked["fittable"] and checked["n_runs"] == 30 and checked["kind"] == "log"
    assert not any("nominal" in w for w in checked["warnings"])
    result = run_json("fit", "chinchilla", *logs, "--logs", "--sizes", sizes, "--bootstrap", "0")
    assert result["converged"] and result["n_runs"] == 30
    nominal = run_json("fit", "chinchilla", *logs, "--logs", "--bootstrap", "0")
    assert any("nominal" in w for w in nominal["warnings"])
    assert nominal["law"] != result["law"]


def test_fit_decay_finds_the_datablations_optimum_of_the_chapter():
    c4 = str(ROOT / "data" / "datablations" / "c4_final_val_loss.csv")
    result = run_json(
        "fit",
        "decay",
        c4,
        "--columns",
        "N=params,D=tokens,U=unique_tokens,loss=val_loss",
        "--query",
        "in_default_fit",
    )
    assert result["n_runs"] == 182
    assert result["law"]["R_D_star"] == pytest.approx(95.4, rel=0.02)
    assert result["law"]["R_N_star"] == pytest.approx(1.71, rel=0.02)  # the profile at 95


def test_fit_pool_and_downstream_recover_known_laws(tmp_path):
    from lawlib import DownstreamLaw
    from lawlib.filtering import Pool

    pool = Pool.single(-0.137, 5.3, 12.8e6, a=0.025, d=0.1)
    n = pool.size * np.array([0.5, 1, 2, 4, 6, 8, 10])
    pd.DataFrame({"seen": n, "err": pool(n)}).to_csv(tmp_path / "pool.csv", index=False)
    options = ("--size", "12.8e6", "--a", "0.025", "--d", "0.1", "--columns", "n=seen,error=err")
    result = run_json("fit", "pool", str(tmp_path / "pool.csv"), *options)
    assert result["law"]["b"] == pytest.approx(-0.137, rel=1e-3)
    assert result["law"]["tau"] == pytest.approx(5.3, rel=1e-3)
    loss = np.linspace(2.5, 4.0, 14)
    error = DownstreamLaw(0.85, 2.0, 0.9)(loss)
    pd.DataFrame({"loss": loss, "error": error}).to_csv(tmp_path / "down.csv", index=False)
    result = run_json("fit", "downstream", str(tmp_path / "down.csv"))
    assert [result["law"][k] for k in ("epsilon", "k", "gamma")] == pytest.approx(
        [0.85, 2.0, 0.9], rel=1e-4
    )
