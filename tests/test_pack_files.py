"""Pack data files read with one strict cattrs converter: every problem of every file at
once, with its path; the JSON Schema of each kind of file (issue 11, R3)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import jsonschema
import pytest

import poverty_core as pc
from poverty_core.packfiles import pack_file_schema
from poverty_core.packs import load_data


def test_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "parameters").mkdir(parents=True)
    (root / "taxonomies").mkdir()
    (root / "sources.toml").write_text(
        '[s-1]\ntitle = { zh = "来源", en = "A source" }\npublished = "2016/04"\n',
        encoding="utf-8",
    )
    (root / "parameters" / "line.toml").write_text(
        'title = { zh = "线", en = "Line" }\nunit = "yuan"\ntype = "number"\ncolour = "red"\n'
        '[[values]]\nstart = 2016-01-01\nvalue = 1\nsource = "s-1"\nlocator = "x"\n'
        '[[values]]\nstart = "2017-01-01"\nvalue = 2\nsource = "s-1"\nlocator = "x"\n',
        encoding="utf-8",
    )
    (root / "taxonomies" / "kinds.toml").write_text(
        'source = "s-1"\nlocator = "x"\n[[items]]\ncode = "a"\nlabel = { zh = "甲", en = "A" }\n',
        encoding="utf-8",
    )
    with pytest.raises(pc.PackError) as info:
        load_data("tmp", root)
    message = str(info.value)
    assert "4 problem(s)" in message
    assert "sources.toml: s-1.published" in message
    assert "parameters/line.toml: colour" in message or "colour" in message
    assert "parameters/line.toml: values[1].start" in message
    assert "taxonomies/kinds.toml: title: missing key" in message
    assert "缺少此键" in info.value.message("zh")


@pytest.mark.parametrize(
    ("kind", "folder"),
    [("parameter", "parameters"), ("taxonomy", "taxonomies"), ("procedure", "procedures"),
     ("checklist", "checklists")],
)  # fmt: skip
def test_shipped_files_match_their_schema(kind: str, folder: str) -> None:
    """Every data file the installed packs ship validates against the published schema."""
    schema = pack_file_schema(kind)
    checked = 0
    for pack in ("national", "fujian", "gansu_tianshui", "zhangzhou"):
        data = pc.load_pack(pack).definition.data
        assert data is not None
        if not (data / folder).is_dir():
            continue
        for f in (data / folder).iterdir():
            if f.name.endswith(".toml"):
                doc = tomllib.loads(f.read_text(encoding="utf-8"))
                jsonschema.validate(_jsonable(doc), schema)
                checked += 1
    assert checked > 0


def _jsonable(value: object) -> object:
    import datetime as dt

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_a_schema_refuses_an_unknown_key() -> None:
    schema = pack_file_schema("parameter")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"title": {"zh": "线", "en": "Line"}, "unit": "yuan", "type": "number", "x": 1},
            schema,
        )
