"""lawlib.book: records shared by prose and tests, lab parameters from the tagged cell, the Colab cell."""

import json

import numpy as np
import pytest

from lawlib import ValidationError
from lawlib.book import check_lab, record
from lawlib.book.lab import parameter_rules
from lawlib.book.records import records, start


def test_records_are_written_as_plain_json_as_they_come(tmp_path):
    path = tmp_path / "nested" / "numbers.json"
    start(path)
    assert json.loads(path.read_text()) == {}  # a new chapter starts empty
    record("alpha", np.float64(0.34), ".2f")
    record("n", np.int64(240))
    record("flags", [np.bool_(True), 1.5])
    record("interval", {"low": np.float32(0.25), "high": 0.5})
    written = json.loads(path.read_text())
    assert written == {
        "alpha": 0.34,
        "flags": [True, 1.5],
        "interval": {"high": 0.5, "low": 0.25},
        "n": 240,
    }
    assert records() == written
    record("n", 241)  # a cell run again replaces its record
    assert json.loads(path.read_text())["n"] == 241
    start(None)
    assert records() == {}


def test_unsupported_values_are_named():
    start(None)
    with pytest.raises(TypeError, match="a record of type object cannot be written as JSON"):
        record("x", object())


def test_record_glues_the_text_that_myst_nb_reads():
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb.ext.glue import extract_glue_data_cell

    InteractiveShell.instance()
    start(None)
    with capture_output() as captured:
        assert record("alpha", 0.34731, ".3f") == 0.34731
        record("budget", 5.76e23)
        record("interval", {"low": 1.0})  # recorded for the tests, not glued
    cell = nbformat.v4.new_code_cell(
        outputs=[
            nbformat.v4.new_output("display_data", data=out.data, metadata=out.metadata)
            for out in captured.outputs
        ]
    )
    glued = dict(extract_glue_data_cell(cell))
    assert set(glued) == {"alpha", "budget"}
    assert glued["alpha"]["data"] == {"text/plain": "0.347"}
    assert glued["budget"]["data"] == {"text/plain": "5.76e23"}
    assert cell.outputs == [], "glued values are stored, not shown"


CELL = """# Lab parameters: change any of them with papermill
budgets = [
    1e19,
    1e20,
]  # budgets [FLOPs] (positive)
n_points = 12  # runs per budget (positive integer)
level = 0.9  # coverage (fraction)
dataset = "epoch2024"  # which runs (None: the default)
key_numbers_path = None  # JSON file for the key numbers
"""


def test_parameter_rules_are_read_from_the_comments():
    assert parameter_rules(CELL) == {
        "budgets": ("positive",),
        "n_points": ("positive", "integer"),
        "level": ("fraction",),
        "dataset": (),
        "key_numbers_path": (),
    }


def test_check_lab_checks_every_parameter_and_starts_the_records(tmp_path):
    values = {"budgets": [1e19, 1e20], "n_points": 12, "level": 0.9, "dataset": "epoch2024"}
    path = tmp_path / "numbers.json"
    namespace = {**values, "key_numbers_path": str(path), "In": ["import lawlib", CELL, "x"]}
    assert check_lab(namespace, choices={"dataset": ["epoch2024"]})["n_points"] == 12
    assert path.read_text() == "{}\n"
    cases = [
        ({"n_points": 2.5}, "parameter 'n_points': must be a whole number >= 0, got 2.5"),
        ({"budgets": [1e19, -1.0]}, "parameter 'budgets': must be a positive number"),
        ({"level": 1.5}, "parameter 'level': must lie between 0 and 1, got 1.5"),
        ({"dataset": "other"}, "parameter 'dataset': must be one of 'epoch2024'; got 'other'"),
    ]
    for change, message in cases:
        with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            check_lab({**namespace, **change}, choices={"dataset": ["epoch2024"]})
    with pytest.raises(ValidationError, match="the parameters cell does not assign"):
        check_lab(namespace, choices={"datasett": ["epoch2024"]})
    with pytest.raises(ValidationError, match="no cell starting with '# Lab parameters'"):
        check_lab({**namespace, "In": ["import lawlib"]})


def test_every_chapter_has_the_one_line_colab_cell_of_the_configured_repository():
    import yaml

    import bookbuild
    from conftest import BOOK
    from lawlib.book.colab import install_cell

    url = yaml.safe_load((BOOK / "_config.yml").read_text())["repository"]["url"]
    for chapter in bookbuild.chapters():
        cells = json.loads(chapter.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        assert sources[0] == install_cell(url), chapter.name
        assert "remove-cell" in cells[1]["metadata"].get("tags", []), chapter.name


def test_a_parameter_takes_the_values_of_a_column_of_the_dataset_another_names():
    cell = (
        "# Lab parameters\n"
        "dataset = 'mixinglaws_5mix'  # runs (dataset with model run_id step)\n"
        "model = '160M'  # size fitted (a model of dataset)\n"
    )
    namespace = {"dataset": "mixinglaws_5mix", "model": "160M", "In": [cell]}
    assert check_lab(namespace)["model"] == "160M"
    with pytest.raises(
        ValidationError, match="parameter 'model': must be one of '160M', '1B', '305M'"
    ):
        check_lab({**namespace, "model": "7B"})
    with pytest.raises(
        ValidationError, match="parameter 'dataset': must be one of 'mixinglaws_5mix'"
    ):
        check_lab({**namespace, "dataset": "epoch2024"})  # the model rule waits for a valid dataset
