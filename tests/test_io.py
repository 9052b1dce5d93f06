"""The readers for the shapes runs come in (lawlib.io), and saving and loading a fit."""

import numpy as np
import pandas as pd
import pytest
import shapes

import lawlib
from conftest import ROOT
from lawlib.errors import ValidationError
from lawlib.io import (
    loss_in_nats,
    parse_size,
    read_checkpoint_logs,
    read_mixture_runs,
    read_runs,
    runs_table,
)

REGMIX = ROOT / "data" / "regmix2024"
LADDER = ROOT / "data" / "olmo_ladder2024"


def test_runs_table_derives_compute_or_tokens_and_says_so():
    frame = pd.DataFrame({"N": [1e8, 2e8, 4e8] * 2, "D": [2e9] * 3 + [8e9] * 3, "loss": 3.0})
    frame["loss"] = frame["loss"] - np.arange(6) * 0.1
    runs = runs_table(frame, N="N", D="D")
    np.testing.assert_allclose(runs["C"], 6 * frame["N"] * frame["D"])
    assert any("C = 6 N D" in note for note in runs.attrs["notes"])
    back = runs_table(runs.drop(columns="D"), N="N", C="C", flops_per_token=6)
    np.testing.assert_allclose(back["D"], frame["D"])
    with pytest.raises(ValidationError, match=r"missing columns: D \(column 'tokens'\)"):
        runs_table(frame.drop(columns="D"), N="N", D="tokens")
    with pytest.raises(ValidationError, match=r"D \(tokens\) or C \(FLOPs\)"):
        runs_table(frame.drop(columns="D"), N="N")


def test_perplexities_are_turned_into_nats_by_name_or_by_range():
    values, notes = loss_in_nats(np.array([19.5, 25.0, 14.0]), "val")  # median above 12.5
    np.testing.assert_allclose(values, np.log([19.5, 25.0, 14.0]))
    assert "taken for a perplexity" in notes[0]
    values, notes = loss_in_nats(np.array([3.0, 2.5]), "val_ppl")  # by name
    np.testing.assert_allclose(values, np.log([3.0, 2.5]))
    values, notes = loss_in_nats(np.array([3.0, 2.5]), "loss")
    assert notes == [] and values.tolist() == [3.0, 2.5]


def test_trailing_separators_are_not_an_index_column(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("N,D,loss,\n1e8,2e9,3.1,\n2e8,2e9,3.0,\n")
    frame = read_runs(path)
    assert list(frame.columns) == ["N", "D", "loss"] and frame["loss"].tolist() == [3.1, 3.0]
    assert frame.index.tolist() == [2, 3]  # line numbers


def test_regmix_two_files_joined_renormalized_and_unlogged_domains_left_out():
    runs = read_mixture_runs(
        REGMIX / "test_mixture_1B.csv",
        proportions="train_the_pile_{domain}",
        losses="metric/the_pile_{domain}_val_loss",
        losses_source=REGMIX / "test_pile_loss_1B.csv",
        join="index",
    )
    assert runs["run"].nunique() == 64
    shares = runs.filter(like="p_")
    assert shares.shape[1] == 17 and np.allclose(shares.sum(axis=1), 1.0, atol=1e-12)
    assert runs.filter(like="loss_").shape[1] == 13  # four domains have no loss
    notes = " ".join(runs.attrs["notes"])
    assert "renormalized" in notes and "nih_exporter" in notes


def test_wide_file_of_another_study_read_by_its_patterns(tmp_path):
    path = shapes.slimpajama_shaped(tmp_path / "slim.csv")
    runs = read_mixture_runs(
        path,
        proportions="weight_{domain}",
        losses="{domain}_loss",
        step="tokens",
        model="model_size",
    )
    raw = pd.read_csv(path)
    assert set(runs["model"]) == set(shapes.MODEL_SIZES)
    assert runs["run"].nunique() == 16 * 6  # one run per mixture and model size, no run column
    assert runs["step"].nunique() == 5
    assert int(runs.filter(like="loss_").isna().to_numpy().sum()) == int(
        raw.filter(like="_loss").isna().to_numpy().sum()
    )  # NaN losses kept as NaN (the fitters leave them out) and counted in a note
    assert any("missing (NaN)" in note for note in runs.attrs["notes"])


def test_proportions_far_from_one_are_refused(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"p_a": [0.5, 0.6], "p_b": [0.4, 0.5], "loss_a": [3.0, 2.9]}).to_csv(path)
    with pytest.raises(ValidationError, match="sum"):
        read_mixture_runs(path)


@pytest.mark.parametrize(
    ("label", "value"), [("190M", 1.9e8), ("1B", 1e9), ("1.3b", 1.3e9), ("7B", 7e9), ("2T", 2e12)]
)
def test_parse_size(label, value):
    assert parse_size(label) == pytest.approx(value)


@pytest.mark.parametrize("label", ["50k", "step-150k", "peteish13_eval", "v2.5B"])
def test_parse_size_finds_no_size_where_there_is_none(label):
    assert np.isnan(parse_size(label))  # thousands are steps; a size needs M, B or T


def test_checkpoint_logs_by_glob_with_the_codes_counts():
    sizes = pd.read_csv(LADDER / "sizes.csv").set_index("size")["params"].to_dict()
    logs = read_checkpoint_logs(str(LADDER / "*xC*.csv"), sizes=sizes)
    assert logs["run"].nunique() == 30
    ladder = {k: v for k, v in sizes.items() if k in {"190M", "370M", "760M", "1B", "3B"}}
    assert set(logs["N"]) == set(ladder.values())  # the code's counts, not 190M = 1.9e8
    final = read_checkpoint_logs(str(LADDER / "*xC*.csv"), sizes=sizes, final=True)
    assert len(final) == 30
    assert final["tokens"].max() == pytest.approx(logs["tokens"].max())
    nominal = read_checkpoint_logs([LADDER / "190M-1xC.csv"], final=True)
    assert nominal["N"].iloc[0] == 1.9e8
    assert any("nominal" in note for note in nominal.attrs["notes"])


def test_a_log_without_a_size_is_named():
    with pytest.raises(ValidationError, match=r"peteish7_eval_full\.csv: no model size"):
        read_checkpoint_logs([LADDER / "peteish7_eval_full.csv"])


def test_a_saved_fit_loads_with_the_same_numbers(tmp_path):
    runs = lawlib.data.load("epoch2024")
    runs = runs[runs["in_default_fit"]]
    fit = lawlib.fit_parametric("N", "D", "loss", data=runs)
    path = lawlib.save_fit(fit, tmp_path / "fit.json")
    again = lawlib.load_fit(path)
    assert type(again) is type(fit) and again.converged == fit.converged
    assert again.params.equals(fit.params)
    assert again.law == fit.law
    np.testing.assert_array_equal(again.predict(runs), fit.predict(runs))
    np.testing.assert_array_equal(again.bse, fit.bse)
    with pytest.raises(ValidationError, match="exists"):
        lawlib.save_fit(fit, path)  # never over a file unless asked
    lawlib.save_fit(fit, path, overwrite=True)


def test_plot_fit_draws_observed_against_predicted(tmp_path):
    runs = lawlib.data.load("epoch2024")
    fit = lawlib.fit_parametric("N", "D", "loss", data=runs[runs["in_default_fit"]])
    figure = lawlib.plot_fit(fit, tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 10_000
    assert len(figure.axes[0].collections[0].get_offsets()) == 240
