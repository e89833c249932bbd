"""Dynamic management, 脱贫即出、返贫即入 (issue 14): each household's transition on a date
from its status and status history — on one record and over a register (records or Arrow
tables carrying the histories) alike — with its findings, the procedure it starts, the
gaps it meets, roll-ups per village and county, and the command line."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.dynamic import SAMPLE, TransitionKind, rollup
from poverty_core.expressions import field
from poverty_core.io import read_dataset
from poverty_core.samples import sample_path

AS_OF = dt.date(2016, 12, 31)
REMOVAL = pc.T(
    "核查认定不符合识别条件（调用方数据，SYNTHETIC）",
    "found on verification not to meet the identification conditions (caller's data, SYNTHETIC)",
)


@pytest.fixture(scope="module")
def sample() -> list[pc.Household]:
    with sample_path(SAMPLE) as path:
        data = read_dataset(path)
    assert data.synthetic
    assert "SYNTHETIC" in (data.description or {})["en"]
    return data.households


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


# -- each transition kind, one record and batch alike ---------------------------------------


def test_the_synthetic_register_yields_each_transition_kind(sample: list[pc.Household]) -> None:
    national = pc.load_pack("national")
    batch = pc.decide_transitions(national, sample, as_of=AS_OF, removals={"SYN-06": [REMOVAL]})
    kinds = {batch.transition(i).household_id: batch.transition(i) for i in range(len(batch))}
    assert {t.kind for t in kinds.values()} == set(TransitionKind)
    exit_ = kinds["SYN-01"]
    assert (exit_.kind, exit_.reason, exit_.state) == (
        TransitionKind.EXIT,
        "meets_exit",
        "registered",
    )
    assert exit_.exit is not None
    assert exit_.exit.outcome is pc.Outcome.ELIGIBLE
    assert exit_.procedure is not None
    assert exit_.procedure.id == "household_exit"
    steps = {s.id: s.done_on for s in exit_.procedure.steps}
    assert steps["democratic_appraisal"] == dt.date(2016, 11, 20)
    assert steps["deregistration"] is None
    assert not exit_.procedure.complete
    # re-entry: below the line, or a guarantee not met
    assert kinds["SYN-03"].kind is TransitionKind.RE_ENTRY
    assert [f.rule.id for f in kinds["SYN-03"].failed] == ["income_above_line"]
    assert [f.rule.id for f in kinds["SYN-04"].failed] == ["safe_housing"]
    assert kinds["SYN-03"].since == dt.date(2015, 12, 20)
    # removal on the caller's finding, with its reason and the stated gap of a procedure
    removal = kinds["SYN-06"]
    assert removal.kind is TransitionKind.REMOVAL
    assert removal.removal_reasons == (REMOVAL,)
    assert removal.procedure is None
    assert any("removal" in g.en for g in removal.gaps)
    # stays: still poor, still out, removed earlier, not yet identified on the date
    stays = {hid: t.reason for hid, t in kinds.items() if t.kind is TransitionKind.STAYS}
    assert stays == {
        "SYN-02": "still_poor",
        "SYN-05": "still_out",
        "SYN-09": "removed_earlier",
        "SYN-11": "not_registered",
    }
    # undetermined: a missing income (named), a status contradicting the history
    assert kinds["SYN-07"].missing == ("annual_net_income_per_capita",)
    assert kinds["SYN-08"].reason == "status_conflicts_with_history"
    # a household that returned in 2016 and meets the standard again exits again
    assert kinds["SYN-10"].kind is TransitionKind.EXIT
    assert kinds["SYN-10"].since == dt.date(2016, 5, 31)
    # the sources: 003 part 5 item 4, the 2017 meeting part 3
    assert [c.source for c in exit_.citations] == ["fujian-2018-three-year", "fujian-meeting-2017"]
    # one record and the batch agree on every household
    for i, household in enumerate(sample):
        one = pc.decide_transition(national, household, as_of=AS_OF, removals={"SYN-06": [REMOVAL]})
        assert one == batch.transition(i), household.id
    assert batch.counts() == {
        "exit": 2,
        "re_entry": 2,
        "removal": 1,
        "stays": 4,
        "undetermined": 2,
    }


def test_the_gaps_are_stated(sample: list[pc.Household]) -> None:
    national = pc.load_pack("national")
    returned = pc.decide_transition(national, sample[2], as_of=AS_OF)
    assert any("buffer period" in g.en for g in returned.gaps)
    assert any("re-entry" in g.en for g in returned.gaps)
    staying = pc.decide_transition(national, sample[1], as_of=AS_OF)
    assert any("Identification conditions" in g.en for g in staying.gaps)
    text = returned.explain("zh")
    assert "缓冲期" in text
    assert "返贫纳入" in text
    rules = {n.rule.en for n in national.not_encoded}
    assert any("buffer period for exited households" in r for r in rules)
    assert any("identification conditions" in r for r in rules)
    assert any("procedures of re-entry and of removal" in r for r in rules)


def test_history_travels_through_arrow(sample: list[pc.Household], tmp_path: Path) -> None:
    national = pc.load_pack("national")
    households, members = pc.tables_from_records(sample, history=True)
    assert households.schema.field("history").type == pa.list_(
        pa.struct([("kind", pa.string()), ("date", pa.date32())])
    )
    back = pc.records_from_tables(households, members)
    assert [h.history for h in back] == [h.history for h in sample]
    from_tables = pc.decide_transitions(national, (households, members), as_of=AS_OF)
    from_records = pc.decide_transitions(national, sample, as_of=AS_OF)
    assert from_tables.table().equals(from_records.table())
    # a JSON Lines register keeps the histories on their way to the tables
    path = tmp_path / "register.jsonl"
    path.write_text("\n".join(json.dumps(h.to_dict()) for h in sample) + "\n", "utf-8")
    read = pc.decide_transitions(national, read_dataset(path).households, as_of=AS_OF)
    assert read.table().equals(from_records.table())
    # without the column (the register file formats), the status alone decides
    plain, plain_members = pc.tables_from_records(sample)
    assert "history" not in plain.column_names
    status_only = pc.decide_transitions(national, (plain, plain_members), as_of=AS_OF)
    assert status_only.transition(0).since is None
    assert status_only.transition(0).kind is TransitionKind.EXIT


def test_status_without_history_and_history_without_status() -> None:
    national = pc.load_pack("national")
    base = _household()
    only_status = pc.Household.from_dict({**base, "status": "exited_supported"})
    t = pc.decide_transition(national, only_status, as_of=AS_OF)
    assert (t.kind, t.state, t.since) == (TransitionKind.STAYS, "exited", None)
    only_history = pc.Household.from_dict(
        {**base, "history": [{"kind": "identified", "date": "2014-10-15"}]}
    )
    assert pc.decide_transition(national, only_history, as_of=AS_OF).kind is TransitionKind.EXIT
    neither = pc.Household.from_dict(base)
    t = pc.decide_transition(national, neither, as_of=AS_OF)
    assert (t.kind, t.reason) == (TransitionKind.UNDETERMINED, "state_unknown")
    assert t.missing == ("status", "history")
    # events after the date do not count; the status describes a later register
    later = pc.Household.from_dict(
        {
            **base,
            "status": "exited_supported",
            "history": [
                {"kind": "identified", "date": "2014-10-15"},
                {"kind": "exited", "date": "2017-12-20"},
            ],
        }
    )
    t = pc.decide_transition(national, later, as_of=AS_OF)
    assert (t.kind, t.state) == (TransitionKind.EXIT, "registered")


def _household(**fields: Any) -> dict[str, Any]:
    member = {
        "id": "1",
        "age": 40,
        "basic_medical_insurance": True,
        "serious_illness_insurance": True,
        "medical_assistance": True,
    }
    out: dict[str, Any] = {
        "id": "SYN-X",
        "village_id": "SYN-V1",
        "county_id": "SYN-C1",
        "annual_net_income_per_capita": 3100,
        "food_secure": True,
        "clothing_secure": True,
        "house_grade": "B",
        "members": [member],
    }
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def test_random_households_one_record_equals_batch() -> None:
    """Random statuses, histories (in any order, some after the date) and incomes."""
    rng = random.Random(14)
    national = pc.load_pack("national")
    kinds = ["identified", "exited", "returned", "removed"]
    statuses = [None, "not_exited", "exited_supported", "returned", "exited"]
    records = []
    for i in range(160):
        history = [
            {
                "kind": rng.choice(kinds),
                "date": (dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(1600))).isoformat(),
            }
            for _ in range(rng.randrange(4))
        ]
        records.append(
            pc.Household.from_dict(
                _household(
                    id=f"SYN-{i}",
                    status=rng.choice(statuses),
                    history=history,
                    annual_net_income_per_capita=rng.choice([None, 2000, 2952, 3000]),
                    house_grade=rng.choice(["A", "C", None]),
                )
            )
        )
    removals = {r.id: ["SYNTHETIC"] for r in records[::17]}
    batch = pc.decide_transitions(national, records, as_of=AS_OF, removals=removals)
    seen = set()
    for i, record in enumerate(records):
        one = pc.decide_transition(national, record, as_of=AS_OF, removals=removals)
        assert one == batch.transition(i), record.to_dict()
        seen.add(one.kind)
    assert seen == set(TransitionKind)


def test_a_pack_identification_decision_removes(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    """A pack that has an identification decision (a throw-away one here: no source gives
    the conditions) removes a registered household that fails it."""
    cite = pc.cite("tmp-src", "§1")
    test = pc.Criterion(
        id="identification_recorded",
        subject="household",
        title=pc.T("识别标准已登记", "identification standard recorded"),
        citations=cite,
        test=field("identification_standard").eq("national"),
    )
    decision = pc.Decision(
        id="household_identification",
        subject="household",
        title=pc.T("识别条件（测试）", "identification conditions (test)"),
        citations=cite,
        criteria=["identification_recorded"],
    )
    sources = (
        '[tmp-src]\ntitle = { zh = "临时测试来源", en = "throw-away test source" }\n'
        "governs = { start = 2016-04-29, end = 2020-12-31 }\n"
    )
    pack = packs.registry(
        packs.Plugin(packs.definition(data=pack_dir(sources=sources), rules=[test, decision]))
    ).load("tmp")
    history = [{"kind": "identified", "date": "2014-10-15"}]
    records = [
        pc.Household.from_dict(_household(id="a", history=history, identification_standard=s))
        for s in ("national", "provincial", None)
    ]
    batch = pc.decide_transitions(pack, records, as_of=AS_OF)
    assert [batch.transition(i).kind for i in range(3)] == [
        TransitionKind.EXIT,
        TransitionKind.REMOVAL,
        TransitionKind.UNDETERMINED,
    ]
    removed = batch.transition(1)
    assert removed.reason == "identification_failed"
    assert removed.identification is not None
    assert removed.identification.outcome is pc.Outcome.NOT_ELIGIBLE
    assert not any("Identification conditions" in g.en for g in batch.transition(0).gaps)
    assert batch.transition(2).missing == ("identification_standard",)
    for i, record in enumerate(records):
        assert pc.decide_transition(pack, record, as_of=AS_OF) == batch.transition(i)


def test_a_procedure_for_a_transition_and_unknown_names(sample: list[pc.Household]) -> None:
    national = pc.load_pack("national")
    t = pc.decide_transition(
        national, sample[2], as_of=AS_OF, procedures={"re_entry": "household_exit"}
    )
    assert t.procedure is not None
    assert t.procedure.id == "household_exit"
    assert not any("re-entry" in g.en for g in t.gaps)
    with pytest.raises(pc.UnknownName):
        pc.decide_transition(national, sample[2], as_of=AS_OF, procedures={"re_entry": "nope"})
    with pytest.raises(pc.UnknownName):
        pc.decide_transition(national, sample[2], as_of=AS_OF, identification="nope")
    with pytest.raises(pc.NotInForce):
        pc.decide_transition(national, sample[0], as_of=dt.date(2015, 12, 31))


def test_rollups_reconcile(sample: list[pc.Household]) -> None:
    batch = pc.decide_transitions(
        pc.load_pack("national"), sample, as_of=AS_OF, removals={"SYN-06": ["SYNTHETIC"]}
    )
    villages = rollup(batch, "village_id")
    assert [g["village_id"] for g in villages] == ["SYN-V1", "SYN-V2"]
    assert villages[0]["exit"] == 2
    assert villages[0]["exit_people"] == 4
    counties = rollup(batch, "county_id")
    assert len(counties) == 1
    for kind in TransitionKind:
        assert sum(g[kind.value] for g in villages) == batch.counts()[kind.value]
        assert counties[0][kind.value] == batch.counts()[kind.value]
    assert sum(g[f"{k.value}_people"] for g in villages for k in TransitionKind) == sum(
        len(h.members) for h in sample
    )
    with pytest.raises(ValueError, match="village_id"):
        rollup(batch, "township")


def test_to_dict_has_no_personal_data(sample: list[pc.Household]) -> None:
    named = copy.deepcopy(sample[0].to_dict())
    named["members"][0]["name"] = "张三"
    named["members"][0]["id_number"] = "11010519491231002X"
    t = pc.decide_transition(pc.load_pack("national"), pc.Household.from_dict(named), as_of=AS_OF)
    text = json.dumps(t.to_dict(), ensure_ascii=False)
    assert "张三" not in text
    assert "11010519491231002X" not in text


# -- the command line -------------------------------------------------------------------------


def test_cli_table_in_chinese() -> None:
    code, out = run(
        "transitions", "--sample", "--removal", "SYN-06=核查认定不符合识别条件", "--lang", "zh"
    )
    assert code == 0
    assert out.startswith("合成数据（SYNTHETIC）")
    assert re.search(r"SYN-01\s+SYN-V1\s+在册（未脱贫或返贫）\s+脱贫退出", out)
    assert re.search(r"SYN-06\s+SYN-V2\s+\S+\s+清退", out)
    assert "缺：年人均纯收入（元）" in out
    assert "贫困户退出程序" in out
    assert "缓冲期" in out
    for english in ("exit", "stays", "re-entry", "registered", "missing", "Gaps", "village"):
        assert not re.search(rf"\b{english}\b", out), english


def test_cli_json_and_county_rollup() -> None:
    code, out = run("transitions", "--sample", "--format", "json", "--by", "county")
    assert code == 0
    data = json.loads(out)
    assert data["synthetic"] is True
    assert data["as_of"] == "2016-12-31"
    assert data["rollup"]["by"] == "county_id"
    assert data["rollup"]["groups"][0]["county_id"] == "SYN-C1"
    first = data["transitions"][0]
    assert first["transition"] == "exit"
    assert first["procedure"]["steps"][0]["done_on"] == "2016-11-20"
    assert first["exit"]["outcome"] == "eligible"


def test_cli_a_register_file_with_status_only(tmp_path: Path) -> None:
    households = tmp_path / "h.csv"
    members = tmp_path / "m.csv"
    households.write_text(
        "id,village_id,status,annual_net_income_per_capita,food_secure,clothing_secure,"
        "house_grade\nSYN-A,SYN-V1,exited_supported,2000,true,true,B\n",
        "utf-8",
    )
    members.write_text(
        "household_id,id,age,basic_medical_insurance,serious_illness_insurance,"
        "medical_assistance\nSYN-A,1,40,true,true,true\n",
        "utf-8",
    )
    register = pc.open_register(households, members).read_all()
    batch = pc.decide_transitions(
        pc.load_pack("national"), (register.households, register.members), as_of=AS_OF
    )
    assert batch.transition(0).kind is TransitionKind.RE_ENTRY


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["transitions"], 2),
        (["transitions", "--sample", "x.json"], 2),
        (["transitions", "--sample", "--removal", "no-equals-sign"], 3),
        (["transitions", "--sample", "--as-of", "2015-12-31"], 4),
        (["transitions", "--sample", "--pack", "nowhere"], 4),
    ],
)
def test_cli_errors(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*argv)[0] == code
    assert capsys.readouterr().err.strip()
