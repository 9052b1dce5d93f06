"""The lawlib command line, run in a subprocess on real data and on malformed files."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from lawlib import BiMixLaw, ChinchillaLaw, fit_parametric, optimize_mixture
from lawlib.cli import JSON_KEYS
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
    n_opt, _d_opt = ChinchillaLaw.hoffmann2022().compute_optimal(5.76e23)
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
    expected = optimize_mixture(law, 30000)
    assert pd.Series(result["optimal_mixture"])[expected.index].to_numpy() == pytest.approx(
        expected.to_numpy(), abs=1e-9
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("fit", "chinchilla", MALFORMED, "--columns", "N=params,D=tokens,loss=final_loss"),
            "column 'tokens' (D): 1 values are not numbers, in rows 4",
        ),
        (
            ("fit", "chinchilla", MALFORMED, "--columns", "N=params,D=tokens,loss=final_loss"),
            "column 'final_loss' (loss): 1 values are zero or negative, in rows 5",
        ),
        (("fit", "chinchilla", MALFORMED), "missing columns: N (expected column 'N')"),
        (("fit", "chinchilla", "no/such/file.csv"), "No such file or directory"),
        (("optimal", "--budget", "1e22", "--law", "nope"), "--law must be one of hoffmann2022"),
        (("fit", "bimix", MALFORMED), "unknown domains or missing columns"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("lawlib: error: ")
    assert "Traceback" not in done.stderr


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
        ValueError,
        match=re.escape("--columns takes N=...,D=... or C=...,loss=...; cannot read 'X=1'"),
    ):
        _columns("X=1")
