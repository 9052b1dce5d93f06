"""Key numbers JSON written by chapters."""

import json

import numpy as np
import pytest

from lawlib import write_key_numbers


def test_round_trip_with_numpy_types(tmp_path):
    path = tmp_path / "nested" / "numbers.json"
    written = write_key_numbers(
        path,
        {
            "b": np.float64(0.5),
            "a": {"n": np.int64(3), "ok": np.bool_(True)},
            "list": np.array([1.0, 2.0]),
        },
    )
    assert (
        json.loads(path.read_text())
        == written
        == {"a": {"n": 3, "ok": True}, "b": 0.5, "list": [1.0, 2.0]}
    )
    assert path.read_text().index('"a"') < path.read_text().index('"b"')


def test_unsupported_values_are_named():
    with pytest.raises(TypeError, match="key number of type object cannot be written as JSON"):
        write_key_numbers(None, {"x": object()})


def test_glue_writes_the_record_that_myst_nb_reads():
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb.ext.glue import extract_glue_data_cell

    from lawlib.report import glue

    InteractiveShell.instance()
    with capture_output() as captured:
        shown = glue("alpha", 0.34731, ".3f")
        glue("budget", 5.76e23)
    assert shown == "0.347"
    cell = nbformat.v4.new_code_cell(
        outputs=[
            nbformat.v4.new_output("display_data", data=out.data, metadata=out.metadata)
            for out in captured.outputs
        ]
    )
    records = dict(extract_glue_data_cell(cell))
    assert records["alpha"]["data"] == {"text/plain": "0.347"}
    assert records["budget"]["data"] == {"text/plain": "5.76e23"}
    assert cell.outputs == [], "glued values are stored, not shown"
