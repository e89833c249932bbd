"""ID numbers: validated with their check character and never shown in full."""

from __future__ import annotations

from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core.privacy import mask_id_number, valid_id_number

VALID = "350122198001010017"


def test_valid_id_number() -> None:
    assert valid_id_number(VALID)
    assert valid_id_number("11010519491231002x")


@pytest.mark.parametrize(
    "value",
    ["350122198001010011", "35012219800101001", "3501221980010100171", "35012219800101001Y"],
)
def test_invalid_id_numbers(value: str) -> None:
    assert not valid_id_number(value)


def test_mask_keeps_area_code_and_last_four() -> None:
    assert mask_id_number(VALID) == "350122********0017"


def test_bad_id_number_is_reported_masked() -> None:
    with pytest.raises(pc.InputError) as err:
        pc.Household.from_dict(
            {"id": "h", "members": [{"id": "1", "id_number": "350122198001010011"}]}
        )
    text = str(err.value)
    assert "members[0].id_number" in text
    assert "350122198001010011" not in text
    assert "350122********0011" in text


def test_wrong_type_id_number_is_masked_too() -> None:
    with pytest.raises(pc.InputError) as err:
        pc.Household.from_dict(
            {"id": "h", "members": [{"id": "1", "id_number": 350122198001010017}]}
        )
    assert "350122198001010017" not in str(err.value)


def test_explanations_never_show_personal_data() -> None:
    import datetime as dt

    household = pc.Household.from_dict(
        {"id": "h", "members": [{"id": "1", "name": "张三", "id_number": VALID, "age": 40}]}
    )
    result = pc.load_pack("national").decide(
        "household_exit", household, as_of=dt.date(2016, 12, 31)
    )
    for language in ("zh", "en"):
        text = result.explain(language)
        assert VALID not in text
        assert "张三" not in text
    assert VALID not in str(result.to_dict())


def test_csv_results_neutralise_formula_injection(tmp_path: Path) -> None:
    import pyarrow as pa

    from poverty_core.batch import ResultWriter

    target = tmp_path / "results.csv"
    with ResultWriter(target) as writer:
        writer.write(pa.table({"id": ["=HYPERLINK(1)", "+1", "-2", "@x", "350122-0001"]}))
    cells = [line.strip('"') for line in target.read_text("utf-8").splitlines()[1:]]
    assert cells == ["'=HYPERLINK(1)", "'+1", "'-2", "'@x", "350122-0001"]


def test_rejects_file_neutralises_formula_injection(tmp_path: Path) -> None:
    from poverty_core.io import safe_cell

    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("plain") == "plain"


def test_id_numbers_shown_only_when_asked(tmp_path: Path) -> None:
    import io
    import json

    from poverty_core.cli import main

    bad = "350122198001010011"
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"id": "h", "members": [{"id": "1", "id_number": bad}]}]), "utf-8")
    for flag, shown in (([], False), (["--show-id-numbers"], True)):
        err = io.StringIO()
        import contextlib

        with contextlib.redirect_stderr(err):
            assert main([*flag, "validate", str(path)], stdout=io.StringIO()) == 3
        assert (bad in err.getvalue()) is shown


def test_an_impossible_birth_date_is_not_an_id_number() -> None:
    """Month 13 with a right check character (issue 11): refused by the model (python-stdnum)
    and by the register's column check alike; a real number of a county created after the
    holder's birth is accepted."""
    import numpy as np
    import pyarrow as pa

    from poverty_core.checks import ID_NUMBER
    from poverty_core.privacy import valid_id_number

    month_13 = "110105194913310021"
    real = "350122198001010017"  # 连江县 350122 exists from 1983; the holder born in 1980
    assert not valid_id_number(month_13)
    assert valid_id_number(real)
    assert ID_NUMBER.column is not None
    bad = ID_NUMBER.column(pa.array([month_13, real]))
    assert np.flatnonzero(bad).tolist() == [0]
