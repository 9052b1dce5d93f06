"""The lawlib command line, run in a subprocess on real data and on malformed files."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from lawlib import BiMixLaw, ChinchillaLaw, fit_parametric, optimize_mixture
from lawlib.cli import JSON_KEYS, UsageError
from lawlib.data import load

EPOCH = str(ROOT / "data" / "epoch2024" / "svg_extracted_data.csv")
EPOCH_COLUMNS = "N=Model Size,C=Training FLOP,loss=loss"
MALFORMED = str(ROOT / "tests" / "fixtures" / "malformed_runs.csv")


def run(*args, module=True):
    command = (
        [sys.executable, "-m", "lawlib", *args]
        if module
        else [str(Path(sys.executable).parent / "lawlib"), *args]
    )
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


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
    done = run("optimal", "--budget", "5.76e23", "--law", "hoffmann2022", "--json", module=False)
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
    return paths


MIXINGLAWS = str(ROOT / "data" / "mixinglaws" / "5mix_grouped.csv")

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
    (("fit", "chinchilla", MALFORMED), "missing columns: N (column 'N'), D (column 'D'), loss"),
    (
        ("fit", "bimix", MIXINGLAWS),
        "column 'model' holds 5 model sizes (160M, 1B, 305M, 410M, 70M)",
    ),
    (("fit", "bimix", MIXINGLAWS, "--query", "modle == '160M'"), "--query \"modle == '160M'\": "),
    (("fit", "bimix", MIXINGLAWS, "--query", "model == '7B'"), "selects no runs of"),
    (("fit", "bimix", MALFORMED), "no p_<domain> columns"),
    (("check", "{one_budget}"), "cannot identify the Chinchilla law; all 6 runs share one compute"),
    (("data", "path", "chinchilla"), "unknown dataset 'chinchilla'; available: epoch2024"),
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


def test_semicolon_files_read_with_sep(tmp_path):
    paths = write_bad_inputs(tmp_path)
    done = run("check", paths["semicolons"], "--sep", ";")
    assert done.returncode == 0, done.stderr
    assert "12 runs; the Chinchilla law can be fitted" in done.stdout


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

    assert _columns("") == {"N": "N", "D": "D", "C": None, "loss": "loss"}
    assert _columns("N=Count,C=flops,loss=L") == {
        "N": "Count",
        "D": None,
        "C": "flops",
        "loss": "L",
    }
    assert _columns("N=n,D=t,C=flops") == {"N": "n", "D": "t", "C": "flops", "loss": "loss"}
    with pytest.raises(
        UsageError,
        match=re.escape("--columns takes N=...,D=... or C=...,loss=...; cannot read 'X=1'"),
    ):
        _columns("X=1")
