"""Parquet code columns are read as dictionaries and converted word by word: the results
and the problems are those of the same column read as plain text."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from poverty_core.aliases import AliasMap
from poverty_core.registers import open_register
from poverty_core.registers.cells import _convert
from poverty_core.registers.specs import _column_spec

CAUSES = ["illness", "因病", "  disaster ", None, "", "no such cause", "illness", "缺资金", "x"]


def test_a_dictionary_column_converts_as_its_text() -> None:
    spec = _column_spec("households", "main_cause")
    aliases = AliasMap.default()
    plain = pa.array(CAUSES * 3, pa.string())
    typed, bad = _convert(plain, spec, aliases)
    typed_d, bad_d = _convert(plain.dictionary_encode(), spec, aliases)
    assert typed_d.to_pylist() == typed.to_pylist()
    assert [(i, t.en) for i, t in bad_d] == [(i, t.en) for i, t in bad]
    assert len(bad) == 6  # 'no such cause' and 'x', three times


def test_parquet_with_dictionaries_reads_as_arrow_ipc_without(tmp_path: Path) -> None:
    n = len(CAUSES)
    households = pa.table(
        {
            "id": [f"H{i}" for i in range(n)],
            "main_cause": CAUSES,
            "house_grade": ["A", "B", "C", "D", "A", "b", "B", None, "Z"],
        }
    )
    members = pa.table(
        {
            "household_id": [f"H{i}" for i in range(n)],
            "id": ["01"] * n,
            "relation": ["head", "户主", "spouse", "head", "head", "no", "head", "head", "head"],
        }
    )
    pq.write_table(households, tmp_path / "h.parquet")
    pq.write_table(members, tmp_path / "m.parquet")
    feather.write_feather(households, tmp_path / "h.arrow")
    feather.write_feather(members, tmp_path / "m.arrow")
    from_parquet = open_register(tmp_path / "h.parquet", tmp_path / "m.parquet", on_error="skip")
    assert from_parquet._sources["households"].dictionary == ["main_cause", "house_grade"]
    assert from_parquet._sources["members"].dictionary == ["relation"]
    a = from_parquet.read_all()
    b = open_register(tmp_path / "h.arrow", tmp_path / "m.arrow", on_error="skip").read_all()
    assert a.households.equals(b.households)
    assert a.members is not None
    assert b.members is not None
    assert a.members.equals(b.members)
    assert a.rows.tolist() == b.rows.tolist()

    def problems(batch: object) -> list[tuple[int, list[str]]]:
        return [
            (r.row, [p.message.en for p in r.problems])
            for r in batch.rejected  # type: ignore[attr-defined]
        ]

    assert problems(a) == problems(b)
    assert [r for r, _ in problems(a)] == [6, 9, 6, 9]  # households, then their members
