"""Datasets by name: shapes, units, checksums against the READMEs, clear errors."""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from lawlib import ValidationError, data
from lawlib.data import DATA_DIR, DATASETS, available, load


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_loads_with_its_documented_columns(name):
    frame = load(name)
    assert len(frame) > 0
    documented = {column.strip() for key in DATASETS[name].columns for column in key.split(",")}
    for column in documented:
        if "*" not in column:
            assert column in frame.columns, f"{name}: documented column {column!r} missing"


@pytest.mark.parametrize("name", list(DATASETS))
def test_file_matches_the_checksum_in_its_readme(name):
    path = DATA_DIR / DATASETS[name].path
    readme = (path.parent / "README.md").read_text()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in readme, f"{path.name}: sha256 {digest} is not the one recorded in its README"


def test_every_dataset_is_indexed_in_data_readme():
    index = (DATA_DIR / "README.md").read_text()
    for name, dataset in DATASETS.items():
        assert f"`{name}`" in index and dataset.path in index


def test_epoch2024_counts_ranges_and_default_filter():
    runs = load("epoch2024")
    assert len(runs) == 245
    kept = runs[runs["in_default_fit"]]
    assert len(kept) == 240
    assert kept["loss"].max() < runs.loc[~runs["in_default_fit"], "loss"].min()
    assert runs["D"].min() == pytest.approx(2.45e8, rel=0.01)
    assert runs["D"].max() == pytest.approx(3.18e11, rel=0.01)
    np.testing.assert_allclose(6 * runs["N"] * runs["D"], runs["C"], rtol=1e-12)
    assert runs["loss"].min() == pytest.approx(2.077, abs=1e-3)


def test_projection_table_respects_6nd_except_the_flagged_typo():
    table = load("hoffmann2022_projections")
    assert len(table) == 27
    ratio = 6 * table["N"] * table["D"] / table["C"]
    typo = table["source"].str.contains("typo")
    assert typo.sum() == 1 and table.loc[typo, "N"].item() == 1.75e11
    assert ratio[~typo].between(0.95, 1.05).all()
    assert ratio[typo].item() == pytest.approx(10, rel=0.01)


def test_table2_and_porian_values():
    exponents = load("hoffmann2022_exponents").set_index("approach")
    assert exponents.loc["2. IsoFLOP profiles", "a"] == 0.49
    fits = load("porian2024_fits").set_index("label")
    assert fits.loc["Optimizer tuning (no decay)", "a"] == pytest.approx(0.4969, abs=1e-3)
    points = load("porian2024_isoflop")
    assert len(points) == 1745
    np.testing.assert_allclose(points["D"], points["C"] / (6 * points["N"]), rtol=1e-3)
    assert len(load("hoffmann2022_models")) == 50


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(
        ValidationError, match=re.escape("unknown dataset 'chinchila'; available: epoch2024, ")
    ):
        load("chinchila")
    assert set(available().index) == set(DATASETS)


def test_missing_file_says_where_it_was_expected(tmp_path):
    with pytest.raises(ValidationError, match="dataset 'epoch2024' expects its file at"):
        data.load("epoch2024", data_dir=tmp_path)


def test_bimix_release_ce_mixtures_equal_the_training_configs():
    import json

    shares = load("bimix2024_mixtures")
    for corpus, name in (("pile", "config_pile_ce.json"), ("slimpajama", "config_sp_ce.json")):
        config = json.loads((DATA_DIR / "bimix2024" / name).read_text())["train_domain_weights"]
        ce = shares[(shares["dataset"] == corpus) & (shares["mixture"] == "CE")]
        released = dict(zip(ce["domain"], ce["proportion"], strict=True))
        assert {k.removeprefix("RedPajama"): v for k, v in config.items()} == pytest.approx(
            released
        )
    losses = load("bimix2024")
    assert len(losses) == 3720 and losses["step"].max() == 200000
    assert losses.loc[losses["domain"] != "avg", "proportion"].notna().all()
    optimised = load("bimix2024_optimized")
    assert optimised.groupby("dataset")["proportion"].sum().to_numpy() == pytest.approx(
        1.0, abs=1e-6
    )


def test_gadre_runs_losses_and_tasks():
    runs = load("gadre2024_runs")
    assert len(runs) == 104 and runs["N"].min() == pytest.approx(10.6e6, rel=0.01)
    assert runs["D"].to_numpy() == pytest.approx(20 * runs["M"] * runs["N"], rel=1e-6)  # D = 20 M N
    assert runs["tokens_per_parameter"].max() == pytest.approx(640, rel=1e-6)
    losses = load("gadre2024_losses")
    assert (losses.groupby("run").size() == 8).all() and losses["N"].notna().all()
    downstream = load("gadre2024_downstream")
    assert (downstream.groupby("run").size() == 46).all()
    tasks = load("gadre2024_tasks")
    assert set(downstream["task"]) <= set(tasks["task"])
    assert tasks["random_baseline"].between(0, 1).all()


def test_regmix_runs_renormalized_and_joined():
    runs = load("regmix2024")
    counts = runs.groupby(["model", "split"])["run"].nunique()
    assert counts.to_dict() == {
        ("1B", "test"): 64,
        ("1M", "test"): 256,
        ("1M", "train"): 512,
        ("60M", "test"): 256,
    }
    assert (runs.groupby("run").size() == 17).all()
    assert runs.groupby("run")["proportion"].sum().to_numpy() == pytest.approx(1.0, abs=1e-12)
    unlogged = runs.loc[runs["loss"].isna(), "domain"].unique()
    assert set(unlogged) == {"nih_exporter", "philpapers", "enron_emails", "europarl"}
    raw = __import__("pandas").read_csv(DATA_DIR / "regmix2024" / "train_mixture_1m.csv")
    sums = raw.drop(columns="index").sum(axis=1)
    assert 0.995 < sums.min() and sums.max() < 1.004  # rounded to 1e-3 as published
    # the same 256 test mixtures at 1M and 60M
    one = runs[(runs["model"] == "1M") & (runs["split"] == "test")].set_index(["index", "domain"])
    sixty = runs[runs["model"] == "60M"].set_index(["index", "domain"])
    assert one["proportion"].equals(sixty["proportion"])


def test_olmo_ladder_counts_and_flops_per_token():
    ladder = load("olmo_ladder2024")
    runs = ladder[~ladder["target"]]
    assert runs["run"].nunique() == 30 and set(runs["multiple"]) == {0.5, 1.0, 2.0, 5.0, 10.0}
    assert runs.loc[runs["rerun"], "run"].nunique() == 5
    last = runs.loc[runs.groupby("run")["tokens"].idxmax()]
    # the logged FLOPs are the code's FLOPs per token times tokens, not 6 N D
    np.testing.assert_allclose(last["C"] / last["tokens"], last["flops_per_token"], rtol=5e-4)
    small = last[last["size"] == "190M"].iloc[0]
    assert small["flops_per_token"] / (6 * small["N"]) == pytest.approx(1.67, abs=0.01)
    np.testing.assert_allclose(last["tokens"] / (20 * last["N"]), last["multiple"], rtol=0.03)
    targets = ladder[ladder["target"]].groupby("run")["tokens"].max()
    assert targets["peteish7"] == pytest.approx(3.88e12, rel=1e-3)
    assert targets["peteish13"] == pytest.approx(5.0e12, rel=1e-3)
    sizes = load("olmo_ladder2024_sizes").set_index("size")
    assert sizes.loc["190M", "N"] == 190_354_176 and sizes.loc["1B", "N"] == 1_279_395_840


def test_template_examples_are_derived_from_the_shipped_datasets():
    """The templates' example CSVs, rebuilt as book/templates/examples/README.md says."""
    examples = ROOT / "book" / "templates" / "examples"
    ladder = load("olmo_ladder2024")
    ladder = ladder[~ladder["target"]]
    last = ladder.loc[ladder.groupby("run")["step"].idxmax()].set_index("run")
    runs = pd.read_csv(examples / "runs.csv").set_index("run")
    assert sorted(runs.index) == sorted(last.index) and len(runs) == 30
    np.testing.assert_array_equal(runs["N"], last.loc[runs.index, "N"])
    np.testing.assert_array_equal(runs["D"], last.loc[runs.index, "tokens"])
    np.testing.assert_allclose(runs["loss"], last.loc[runs.index, "loss_c4_en"], atol=5e-7)
    mixtures = pd.read_csv(DATA_DIR / "regmix2024" / "test_mixture_60m.csv")
    losses = pd.read_csv(DATA_DIR / "regmix2024" / "test_pile_loss_60m.csv")
    joined = mixtures.merge(losses, on="index").drop(columns="index")
    joined.columns = [
        re.sub(r"^metric/the_pile_(.*)_val_loss$", r"loss_\1", c).replace("train_the_pile_", "p_")
        for c in joined.columns
    ]
    example = pd.read_csv(examples / "mixture_runs.csv")
    assert list(example.columns) == list(joined.columns)
    np.testing.assert_array_equal(example.to_numpy(), joined.to_numpy())
