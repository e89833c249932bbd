"""Reference data supplied per run (issue 11): ``reference("…")`` declared by a pack, passed
like an override (API, ``with_references``, ``--reference NAME=FILE``), recorded in
provenance by rows and hash, listed by readiness and ``show --as-of``, type-checked when
the pack loads. All data here are SYNTHETIC (invented keys, no real person)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

import poverty_core as pc
from poverty_core.blocks import reference
from poverty_core.cli import EXIT_INPUT, EXIT_OK, EXIT_PACK, main
from poverty_core.expressions import any_member, field, member
from poverty_core.packfiles import pack_file_schema

DAY = dt.date(2016, 6, 30)
PERIOD = pc.Period(dt.date(2016, 1, 1), None)

SET_TOML = """\
kind = "set"
key = "id_number"
key_form = "id_number"
title = { zh = "财政供养人员（测试）", en = "Public payroll (test)" }
source = "tmp-src"
locator = "§2"
"""

TABLE_TOML = """\
kind = "table"
key = "unit_id"
columns = ["level"]
title = { zh = "帮扶单位表（测试）", en = "Assisting units (test)" }
source = "tmp-src"
locator = "§3"
"""


def _pack(packs: SimpleNamespace, pack_dir: Any, rules: list[Any], **files: str) -> pc.Pack:
    data = pack_dir()
    (data / "references").mkdir()
    for name, text in {"public_payroll": SET_TOML, "units": TABLE_TOML, **files}.items():
        (data / "references" / f"{name}.toml").write_text(text, encoding="utf-8")
    definition = packs.definition(data=data, rules=rules)
    pack: pc.Pack = packs.registry(packs.Plugin(definition)).load("tmp")
    return pack


def _criterion(test: Any, cid: str = "c") -> pc.Criterion:
    return pc.Criterion(
        id=cid,
        subject="household",
        title=pc.T("测试", "test"),
        citations=[pc.cite("tmp-src", "§1")],
        test=test,
        in_force=PERIOD,
    )


def _rules(*tests: Any) -> list[Any]:
    criteria = [_criterion(t, f"c{i}") for i, t in enumerate(tests)]
    decision = pc.Decision(
        id="d",
        subject="household",
        title=pc.T("测试", "test"),
        citations=[pc.cite("tmp-src", "§1")],
        criteria=[c.id for c in criteria],
        in_force=PERIOD,
    )
    return [*criteria, decision]


PAYROLL = any_member(member("id_number").isin(reference("public_payroll")))
LEVEL = reference("units").column("level", key=field("responsible_unit"))


def test_a_pack_declares_reads_and_describes_reference_data(
    packs: SimpleNamespace, pack_dir: Any
) -> None:
    pack = _pack(packs, pack_dir, _rules(PAYROLL, LEVEL.eq("county")))
    spec = pack.references["public_payroll"]
    assert (spec.kind, spec.key_form, spec.pack, spec.citation.source) == (
        "set",
        "id_number",
        "tmp",
        "tmp-src",
    )
    assert spec.citation.resolved is not None
    described = {r["id"]: r for r in pack.describe()["references"]}
    assert described["units"]["columns"] == ["level"]
    assert pack.rule_text(pack.criteria["c1"], "zh").startswith("帮扶单位表（测试）")
    assert "Assisting units (test)" in pack.rule_text(pack.criteria["c1"], "en")


def test_one_record_and_batch_read_the_run_data(packs: SimpleNamespace, pack_dir: Any) -> None:
    pack = _pack(packs, pack_dir, _rules(PAYROLL, LEVEL.eq("county")))
    number = "35062319800101007X"  # SYNTHETIC, valid check character
    h = pc.Household(
        id="h",
        responsible_unit="u1",
        members=[pc.Person(id="1", id_number=number)],
    )
    refs = {
        "public_payroll": ["35062319800101007x "],
        "units": [{"unit_id": "u1", "level": "county"}],
    }
    one = pack.decide("d", h, as_of=DAY, references=refs)
    batch = pack.decide_batch("d", [h], as_of=DAY, references=refs)
    assert one == batch.result(0)
    assert [f.status for f in one.findings] == [pc.Status.PASSED, pc.Status.PASSED]
    assert set(one.provenance.references) == {"public_payroll", "units"}
    assert one.provenance.to_dict()["references"]["units"]["rows"] == 1
    assert number[:-1] not in json.dumps(one.to_dict(), ensure_ascii=False)
    # nor in a representation a traceback or a log would show
    carried_repr = repr(pack.with_references(refs))
    assert "3506231980" not in carried_repr
    assert "3506231980" not in repr(pack.check_references(refs))
    assert "sha256=" in repr(pack.check_references(refs)["public_payroll"])
    # with_references: a new pack whose runs carry the data; the original is unchanged
    carried = pack.with_references(refs)
    assert carried is not pack
    assert pack.run_references == {}
    assert carried.decide("d", h, as_of=DAY) == one
    # a call's own data replace the carried ones of that name
    other = carried.decide("d", h, as_of=DAY, references={"units": []})
    assert other.findings[1].status is pc.Status.UNKNOWN
    assert other.findings[1].missing == ("reference:units",)
    # runs without data of their own, before and after runs with some (the engine keeps
    # the plain runs' plans): each reads the data it should
    assert pack.decide("d", h, as_of=DAY) == pc.engine.decide(pack, "d", h, as_of=DAY)
    empty = pc.engine.decide(carried, "d", h, as_of=DAY, references={})
    assert empty.provenance.references == {}
    assert carried.decide("d", h, as_of=DAY) == one
    assert pc.engine.decide(carried, "d", h, as_of=DAY) == one
    assert pack.decide("d", h, as_of=DAY, references=refs) == one
    assert pack.decide("d", h, as_of=DAY).provenance.references == {}


def test_unsupplied_reference_is_unknown_and_named_never_a_crash(
    packs: SimpleNamespace, pack_dir: Any
) -> None:
    pack = _pack(packs, pack_dir, _rules(PAYROLL, LEVEL.eq("county")))
    h = pc.Household(id="h", responsible_unit="u1", members=[pc.Person(id="1")])
    for result in (
        pack.decide("d", h, as_of=DAY),
        pack.decide_batch("d", [h], as_of=DAY).result(0),
    ):
        assert result.outcome is pc.Outcome.UNDETERMINED
        assert result.missing == (
            "members[].id_number",
            "reference:public_payroll",
            "reference:units",
        )
    known = pc.Household(
        id="k",
        responsible_unit="u1",
        members=[pc.Person(id="1", id_number="35062319800101007X")],
    )
    result = pack.decide("d", known, as_of=DAY)
    assert result.findings[0].missing == ("reference:public_payroll",)
    plan = pack.readiness("d", as_of=DAY)
    assert [(n.reference.id, n.supplied, n.blocking) for n in plan.references] == [
        ("public_payroll", False, True),
        ("units", False, True),
    ]
    assert "reference units" in plan.explain("en")
    assert "参考数据 units" in plan.explain("zh")


@pytest.mark.parametrize(
    ("test", "words"),
    [
        (field("responsible_unit").isin(reference("nowhere")), "declares no reference nowhere"),
        (
            reference("units").column("rank", key=field("responsible_unit")).eq("x"),
            "has no column rank",
        ),
        (
            reference("public_payroll").column("level", key=field("responsible_unit")).eq("x"),
            "public_payroll is a set",
        ),
        (
            reference("units").column("level", key=field("annual_net_income_per_capita")).eq("x"),
            "a reference table's key must be",
        ),
        (
            field("annual_net_income_per_capita").isin(reference("public_payroll")),
            "a value looked up must be",
        ),
    ],
)
def test_comparisons_with_reference_data_are_type_checked_at_load(
    packs: SimpleNamespace, pack_dir: Any, test: Any, words: str
) -> None:
    with pytest.raises(pc.PackError) as info:
        _pack(packs, pack_dir, _rules(test))
    assert words in str(info.value)
    assert "criterion c0" in str(info.value)


def test_bad_declarations_are_file_problems(packs: SimpleNamespace, pack_dir: Any) -> None:
    bad = 'kind = "list"\nkey = "k"\ntitle = { zh = "x", en = "x" }\nsource = "tmp-src"\n'
    columns = SET_TOML + 'columns = ["a"]\n'
    with pytest.raises(pc.PackError) as info:
        _pack(packs, pack_dir, [], broken=bad, set_with_columns=columns)
    message = str(info.value)
    assert "references/broken.toml: kind" in message
    assert "references/broken.toml: locator" in message
    assert "references/set_with_columns.toml: columns" in message
    schema = pack_file_schema("reference")
    assert schema["properties"]["kind"] == {"enum": ["set", "table"]}
    assert sorted(schema["required"]) == ["key", "kind", "locator", "source", "title"]


def test_bad_run_data_name_the_row_and_column_never_the_value(
    packs: SimpleNamespace, pack_dir: Any
) -> None:
    pack = _pack(packs, pack_dir, _rules(PAYROLL))
    with pytest.raises(pc.InputError) as info:
        pack.with_references(
            {
                "public_payroll": ["35062319800101007X", 7],
                "units": [{"unit_id": "u1", "level": "x", "leader": "张三"}],
                "other": [],
            }
        )
    problems = {p.path: p.message.en for p in info.value.problems}
    assert problems["references.public_payroll[1]"] == "an entry must be text"
    assert "undeclared columns: leader" in problems["references.units[0]"]
    assert "declares no reference other" in problems["references.other"]
    assert "张三" not in str(info.value)


def test_pack_is_frozen_and_old_names_still_import(national: pc.Pack) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        national.name = "other"  # type: ignore[misc]
    from poverty_core import packs as packs_module
    from poverty_core import plugins

    assert packs_module.load_pack is plugins.load_pack
    assert packs_module.PackRegistry is plugins.PackRegistry
    assert packs_module.BLOCK_ENV == plugins.BLOCK_ENV == "POVERTY_CORE_BLOCK_PLUGINS"
    assert "national" in pc.available_packs()
    with pytest.raises(AttributeError):
        _ = packs_module.no_such_name  # type: ignore[attr-defined]


# -- the command line ----------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


REGISTER = {
    "as_of": "2016-03-01",
    "households": [
        {"id": "h1", "members": [{"id": "1", "id_number": "35062319800101007X"}]},
        {"id": "h2", "members": [{"id": "1", "id_number": "350628198001010020"}]},
    ],
}


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    register = tmp_path / "register.json"
    register.write_text(json.dumps(REGISTER), encoding="utf-8")
    csv_file = tmp_path / "matches.csv"
    csv_file.write_text(
        "id_number,data_set,reason\n35062319800101007x,social_insurance,SYNTHETIC\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "matches.json"
    json_file.write_text(
        json.dumps([{"id_number": "35062319800101007X", "data_set": "social_insurance"}]),
        encoding="utf-8",
    )
    return register, csv_file, json_file


def test_cli_reference_from_csv_and_json(tmp_path: Path) -> None:
    register, csv_file, json_file = _files(tmp_path)
    hashes = []
    for file in (csv_file, json_file):
        code, text = run(
            "assess",
            str(register),
            "--pack",
            "zhangzhou",
            "--decision",
            "identification",
            "--reference",
            f"identification_matches={file}",
            "--format",
            "json",
            "-q",
        )
        assert code == EXIT_OK, text
        data = json.loads(text)
        outcomes = {h["id"]: h["outcome"] for h in data["households"]}
        assert outcomes == {"h1": "not_eligible", "h2": "eligible"}
        assert "35062319800101007" not in text
        provenance = data["provenance"]["references"]["identification_matches"]
        assert provenance["rows"] == 1
        hashes.append(provenance["sha256"])
    assert hashes[0] != hashes[1]  # the CSV gives a reason, the JSON none


def test_cli_reference_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register, csv_file, _ = _files(tmp_path)
    base = ("assess", str(register), "--pack", "zhangzhou", "--decision", "identification")
    code, _ = run(*base, "--reference", f"nowhere={csv_file}")
    assert code == EXIT_PACK
    assert "nowhere" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("number,data_set\n1,x\n", encoding="utf-8")
    code, _ = run(*base, "--reference", f"identification_matches={bad}")
    assert code == EXIT_INPUT
    assert "the header lacks the columns id_number" in capsys.readouterr().err


def test_show_as_of_lists_the_reference_to_supply() -> None:
    code, text = run("show", "zhangzhou", "--as-of", "2016-03-01")
    assert code == EXIT_OK
    assert "reference identification_matches" in text
    assert "--reference identification_matches=FILE" in text
    code, text = run("show", "zhangzhou", "--as-of", "2016-03-01", "--format", "json")
    plan = json.loads(text)["decisions"]["identification"]
    assert plan["references"][0]["reference"] == "identification_matches"
    assert plan["references"][0]["supplied"] is False
    assert plan["ready"] is False
    code, text = run("show", "zhangzhou", "--as-of", "2016-03-01", "--lang", "zh")
    assert "参考数据 identification_matches" in text


def test_a_table_given_as_a_mapping_of_rows(packs: SimpleNamespace, pack_dir: Any) -> None:
    pack = _pack(packs, pack_dir, _rules(LEVEL.eq("county")))
    data = pack.check_references({"units": {"u1": {"level": "county"}}})["units"]
    assert data.lookup("u1", "level") == "county"
    with pytest.raises(pc.InputError) as info:
        pack.check_references({"units": {"u1": "county"}})
    assert info.value.problems[0].path == "references.units[0]"
