"""``privacy.mask_ids`` leaves a column with no value of 18 bytes or more as it is
without looking further, and ``redact_data`` a text shorter than 18 characters (an ID
number has 18): the same answers as the regular expressions give, on data with and
without ID numbers."""

from __future__ import annotations

import json

import pyarrow as pa

from poverty_core import jobs
from poverty_core.privacy import mask_ids, redact, redact_data

ID = "11010519491231002X"


def test_short_values_are_left_as_they_are() -> None:
    values = pa.array(["H000000001", None, "", "1101051949123100"])  # 16 digits: too short
    assert mask_ids(values) is values
    assert mask_ids(pa.chunked_array([values])).equals(values)


def test_id_numbers_among_short_values_are_masked() -> None:
    values = pa.array(["H1", ID, None, f" {ID.lower()} ", "110105194912310021"])
    masked = mask_ids(values).to_pylist()
    assert masked[0] == "H1"
    assert masked[2] is None
    assert ID not in masked
    assert masked[1] == "110105********002X"
    long_but_not_an_id = pa.array(["a household id that is long", "H2"])
    assert mask_ids(long_but_not_an_id).equals(long_but_not_an_id)


def _reference(data: object) -> object:
    """``redact_data`` as it was: every text searched."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {_reference(k): _reference(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_reference(v) for v in data]
    return data


def test_redact_data_skips_short_texts_only() -> None:
    data = {
        "short": ["H1", "", "12345678901234567", 5, 2.5, None, True],
        ID: {"nested": (f"id {ID} here", "x" * 17 + "X", ID[:-1])},
        "longer text without one": "a household of 11010519491231002 (17 digits) is fine",
        "sample": jobs.assess_register(sample="lianjiang").to_dict(),
    }
    assert redact_data(data) == _reference(data)
    assert ID not in json.dumps(redact_data(data))
