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
