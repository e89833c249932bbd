"""``privacy.mask_ids`` leaves a column with no value of 18 bytes or more as it is
without looking further (an ID number has 18 characters): the same answer as the
regular expression gives, on columns with and without ID numbers."""

from __future__ import annotations

import pyarrow as pa

from poverty_core.privacy import mask_ids

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
