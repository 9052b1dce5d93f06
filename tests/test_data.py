"""Datasets by name: shapes, units, checksums against the READMEs, clear errors."""

import hashlib
import re

import numpy as np
import pytest

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
