"""The two templates on files nobody here prepared: the shapes runs come in, from raw to fitted.

Each test executes a template with papermill on one file (the shipped examples,
RegMix's two files joined on a key, OLMo ladder checkpoint logs, and files made
here in other studies' shapes from known laws) and checks the numbers it writes.
"""

import json
import math
import re

import pytest
import shapes

import bookbuild
import lawlib
from conftest import BOOK

pytestmark = pytest.mark.book

RUNS = BOOK / "templates" / "fit_your_runs.ipynb"
MIXTURE = BOOK / "templates" / "fit_your_mixture.ipynb"
REGMIX = lawlib.data.file("regmix2024").parent
LOGS = lawlib.data.file("olmo_ladder2024").parent / "*-*xC*.csv"
FAST = {"n_resamples": 50, "start_stride": 10}


def execute(template, tmp_path, parameters):
    numbers = tmp_path / "numbers.json"
    bookbuild.execute(
        template,
        tmp_path / "executed.ipynb",
        {**parameters, "key_numbers_path": str(numbers)},
    )
    return json.loads(numbers.read_text())


def test_runs_template_on_its_example_csv(tmp_path):
    numbers = execute(RUNS, tmp_path, {"runs_csv": "templates/examples/runs.csv", **FAST})
    assert numbers["n_runs"] == 30  # the OLMo ladder's 30 runs, N and D only
    assert numbers["notes"] == ["compute C derived from tokens: C = 6 N D"]
    # a ladder of sizes x token multiples shares no budgets: snapped, and no profile has an optimum
    assert numbers["design"].startswith("the runs are not laid out on IsoFLOP curves")
    assert numbers["isoflop_a"] is None and numbers["envelope_a"] is None
    assert 0.1 < numbers["a_interval"]["low"] < numbers["a"] < numbers["a_interval"]["high"]


def test_runs_template_on_olmo_checkpoint_logs(tmp_path):
    numbers = execute(RUNS, tmp_path, {"runs_csv": str(LOGS), **FAST})
    assert numbers["n_runs"] == 30
    assert any("N from the size in the file name" in note for note in numbers["notes"])
    # Approach 1 runs on the curves; Approach 3 on each run's last checkpoint
    assert numbers["envelope_a"] == pytest.approx(0.35, abs=0.05)
    assert 0.2 < numbers["a"] < 0.5


def test_runs_template_detects_perplexities_and_derives_compute(tmp_path):
    path, truth = shapes.perplexity_runs(tmp_path / "ppl.csv")
    numbers = execute(RUNS, tmp_path, {"runs_csv": str(path), "loss_column": "val", **FAST})
    assert any("taken for a perplexity" in note for note in numbers["notes"])
    assert any("compute C derived from tokens" in note for note in numbers["notes"])
    # within 20% of the true 44.2 tokens per parameter, two decades beyond the runs
    assert abs(math.log(numbers["tokens_per_parameter"] / truth)) < math.log(1.2)


def test_runs_template_finds_isoflop_budgets_in_logged_compute(tmp_path):
    path, law = shapes.isoflop_runs(tmp_path / "iso.csv")
    numbers = execute(
        RUNS,
        tmp_path,
        {
            "runs_csv": str(path),
            "n_column": "params",
            "c_column": "flops",
            "loss_column": "final_loss",
            **FAST,
        },
    )
    assert numbers["design"].startswith("35 runs on 5 IsoFLOP budgets")
    assert numbers["isoflop_budgets"] == 5
    assert numbers["isoflop_a"] == pytest.approx(law.a, abs=0.02)
    assert numbers["notes"] == ["tokens D derived from compute: D = flops / (6 N)"]


def test_mixture_template_on_its_example_csv(tmp_path):
    numbers = execute(
        MIXTURE,
        tmp_path,
        {"runs_csv": "templates/examples/mixture_runs.csv", "n_random": 1},  # one start per pair
    )
    assert numbers["n_mixtures"] == 256 and not numbers["checkpoints"]
    assert len(numbers["domains"]) == 13  # RegMix logs 13 of its 17 training domains
    assert any("no run column" in note for note in numbers["notes"])
    assert any("renormalized" in note for note in numbers["notes"])
    assert max(numbers["held_out_error"].values()) < 0.08
    assert numbers["optimal_total"] < numbers["best_trained_total"]


def test_mixture_template_on_regmix_two_files_joined(tmp_path):
    numbers = execute(
        MIXTURE,
        tmp_path,
        {
            "runs_csv": str(REGMIX / "test_mixture_1B.csv"),
            "losses_csv": str(REGMIX / "test_pile_loss_1B.csv"),
            "join_column": "index",
            "proportions": "train_the_pile_{domain}",
            "losses": "metric/the_pile_{domain}_val_loss",
            "n_random": 1,  # a third of the mixing law's starts: the test is about reading
        },
    )
    assert numbers["n_mixtures"] == 64 and len(numbers["domains"]) == 13
    assert any("4 of 17 domains have no loss" in note for note in numbers["notes"])
    assert sum(numbers["held_out_error"].values()) / 13 < 0.03


def test_mixture_template_on_another_studys_shape(tmp_path):
    path = shapes.slimpajama_shaped(tmp_path / "slimpajama.csv")
    numbers = execute(
        MIXTURE,
        tmp_path,
        {
            "runs_csv": str(path),
            "proportions": "weight_{domain}",
            "losses": "{domain}_loss",
            "step_column": "tokens",
            "model_column": "model_size",
            "filter_query": "model_size == '250M'",
        },
    )
    assert numbers["checkpoints"] and numbers["n_mixtures"] == 16
    assert any("losses are missing (NaN)" in note for note in numbers["notes"])
    for domain, alpha in shapes.SLIMPAJAMA_LAW["alpha"].items():
        assert numbers["alpha"][domain] == pytest.approx(alpha, abs=0.01)
    assert max(numbers["held_out_error"].values()) < 0.01


def test_mixture_template_refuses_six_pooled_sizes_it_was_not_told_about(tmp_path):
    path = shapes.slimpajama_shaped(tmp_path / "slimpajama.csv")
    with pytest.raises(SystemExit, match=r"column 'model_size' takes 6 values"):
        bookbuild.execute(
            MIXTURE,
            tmp_path / "pooled.ipynb",
            {
                "runs_csv": str(path),
                "proportions": "weight_{domain}",
                "losses": "{domain}_loss",
                "step_column": "tokens",
            },
        )


@pytest.mark.parametrize(
    ("chapter", "parameters", "message"),
    [
        (
            BOOK / "fitting_power_laws.ipynb",
            {"n_points": 2},
            "parameter 'n_points': must be at least n_outliers + 4 = 7",
        ),
        (
            BOOK / "mixtures" / "bimix.ipynb",
            {"dataset": "bimix2024"},
            "parameter 'dataset': must be one of 'mixinglaws_5mix'; got 'bimix2024'",
        ),
        (MIXTURE, {"holdout_every": 0}, "parameter 'holdout_every': must be a positive number"),
        (
            MIXTURE,
            {"holdout_every": 20},
            "parameter 'holdout_every': must be at most half the number of mixtures (13), got 20",
        ),
        (RUNS, {"runs_csv": "no/such.csv"}, "parameter 'runs_csv': no such file or folder"),
        (
            RUNS,
            {"loss_set": "nope", "runs_csv": str(LOGS)},
            "parameter 'loss_set': the logs have no set 'nope'; they have c4_en,",
        ),
    ],
)
def test_dependent_parameters_stop_naming_the_parameter(chapter, parameters, message, tmp_path):
    with pytest.raises(SystemExit, match=re.escape(message)):
        bookbuild.execute(chapter, tmp_path / "lab.ipynb", parameters)
