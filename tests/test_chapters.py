"""Every chapter in the table of contents, executed end to end with fast parameters.

Each chapter writes its key numbers to JSON; we assert on them, and a second
run with the same seed must write the same JSON.
"""

import json

import pytest
from conftest import BOOK

import bookbuild

#: Fast parameters per chapter (fewer resamples); every chapter must have an entry.
FAST = {
    "intro": {},
    "fitting_power_laws": {"n_resamples": 100},
}


def check_intro(numbers):
    assert numbers["n_runs"] == 245
    assert numbers["n_default_fit"] == 240
    assert numbers["chinchilla_flops"] == pytest.approx(5.88e23, rel=1e-12)
    assert numbers["chinchilla_tokens_per_parameter"] == pytest.approx(20.0)
    assert numbers["D_min"] == pytest.approx(8.19e8, rel=0.01)
    assert numbers["frontier_points"] == 12
    assert 1.6 < numbers["frontier_E"] < 2.0


def check_fitting_power_laws(numbers):
    huber, squared = numbers["huber"], numbers["least_squares"]
    assert numbers["line_alpha"] < 0.34 / 2
    assert huber["E"] == pytest.approx(1.69, abs=0.06)
    assert huber["alpha"] == pytest.approx(0.34, abs=0.05)
    assert abs(squared["E"] - 1.69) > 2 * abs(huber["E"] - 1.69)
    assert numbers["huber_converged"]
    assert numbers["hand_vs_lawlib_max_relative_difference"] < 1e-3
    assert 0.3 < numbers["share_of_starts_at_best"] <= 1.0
    assert numbers["bootstrap_failed"] <= 5
    assert numbers["interval_covers_truth"]["alpha"] and numbers["interval_covers_truth"]["E"]
    assert numbers["interval"]["alpha"]["low"] < huber["alpha"] < numbers["interval"]["alpha"]["high"]
    assert numbers["E_alpha_correlation"] > 0.8


CHECKS = {"intro": check_intro, "fitting_power_laws": check_fitting_power_laws}


def test_every_chapter_has_fast_parameters_and_checks():
    stems = {path.stem for path in bookbuild.chapters()}
    assert stems == set(FAST) == set(CHECKS)


def _run(chapter, tmp_path, tag):
    numbers_path = tmp_path / f"{chapter.stem}-{tag}.json"
    output = tmp_path / f"{chapter.stem}-{tag}.ipynb"
    bookbuild.execute(chapter, output, {**FAST[chapter.stem], "key_numbers_path": str(numbers_path)})
    notebook = json.loads(output.read_text())
    for index, cell in enumerate(notebook["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {index} raised"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), (
                f"{chapter.name} cell {index} printed to stderr: {''.join(out['text'])[:300]}"
            )
    return json.loads(numbers_path.read_text())


@pytest.mark.parametrize("chapter", bookbuild.chapters(), ids=lambda path: path.stem)
def test_chapter_runs_reproducibly_and_reports_its_numbers(chapter, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    first = _run(chapter, tmp_path, "first")
    second = _run(chapter, tmp_path, "second")
    assert first == second, "two runs with the same seed wrote different key numbers"
    CHECKS[chapter.stem](first)


def test_a_failing_cell_names_the_chapter_and_the_cell(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    source = tmp_path / "broken.ipynb"
    nbformat.write(notebook, source)
    with pytest.raises(SystemExit, match=r"chapter .*broken\.ipynb failed in cell \[2\] \(code cell 1\): "
                                         r"ZeroDivisionError: division by zero"):
        bookbuild.execute(source, tmp_path / "out.ipynb")


def test_make_chapter_runs_a_lab_with_other_parameters(tmp_path):
    import subprocess

    from conftest import ROOT

    numbers = tmp_path / "lab.json"
    run = subprocess.run(["make", "-s", "chapter", "NB=book/intro.ipynb",
                          f"PARAMS=-p n_compute_bins 6 -p key_numbers_path {numbers}"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert "executed notebook: book/_build/labs/intro.ipynb" in run.stdout
    assert json.loads(numbers.read_text())["frontier_points"] == 6
    assert (ROOT / "book" / "_build" / "labs" / "intro.ipynb").exists()
