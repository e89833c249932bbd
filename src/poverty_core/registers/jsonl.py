"""JSON Lines registers: one household per line, each read by the strict JSON converter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.aliases import option
from poverty_core.convert import age_problem, loads_json, structure
from poverty_core.errors import InputError, Problem
from poverty_core.model import Household
from poverty_core.registers.batch import RegisterBatch, Rejected, _Context
from poverty_core.registers.history import HISTORY_TYPE
from poverty_core.registers.ids import _key_bytes
from poverty_core.registers.problems import _fatal, _show
from poverty_core.registers.schema import MAX_ID_CHARS, tables_from_records
from poverty_core.registers.sniff import _SNIFF_BYTES, _detect_encoding
from poverty_core.registers.specs import _schema


class _JsonLines:
    """A JSON Lines file: one household per line, read by the strict converter."""

    def __init__(self, path: Path, file: str, encoding: str | None) -> None:
        self.path, self.file = path, file
        try:
            with open(path, "rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError as exc:
            raise _fatal(
                file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
            ) from None
        self.encoding = _detect_encoding(head, encoding, file)
        if not head.decode(self.encoding, errors="replace").removeprefix("\ufeff").strip():
            raise _fatal(file, "文件为空", "the file is empty")
        self.rows_read = 0

    def reset(self) -> None:
        """Forget what an earlier read counted."""
        self.rows_read = 0

    def lines(self, batch_rows: int) -> Iterator[list[tuple[int, str]]]:
        chunk: list[tuple[int, str]] = []
        encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        try:
            with open(self.path, encoding=encoding, newline="") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    self.rows_read += 1
                    chunk.append((number, line))
                    if len(chunk) >= batch_rows:
                        yield chunk
                        chunk = []
        except UnicodeDecodeError:
            raise _fatal(
                self.file,
                f"文件不是 {self.encoding} 编码；请用 {option('encoding')} 指定",
                f"the file is not {self.encoding} throughout; give the encoding with "
                f"{option('encoding')}",
            ) from None
        if chunk:
            yield chunk


def _assemble_lines(ctx: _Context, lines: list[tuple[int, str]]) -> RegisterBatch:
    """One batch of JSON Lines: each line through the strict converter, then repeated ids
    (in the batch and before it)."""

    file = ctx.files["households"]
    parsed: list[tuple[int, Household | None, list[Problem], str | None]] = []
    for number, line in lines:
        where = f"{file}:{number}"
        mine: list[Problem] = []
        record = None
        raw_id = None
        try:
            data = loads_json(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = getattr(exc, "msg", "too deeply nested")
            mine.append(
                Problem(where, Text(f"JSON 语法错误：{message}", f"invalid JSON: {message}"))
            )
        else:
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                raw_id = data["id"]
            try:
                record = structure(data, ctx.aliases.vocabulary.record_type("households"))
            except InputError as err:
                mine += [
                    Problem(where if p.path == "$" else f"{where}:{p.path}", p.message)
                    for p in err.problems
                ]
            except RecursionError:
                mine.append(Problem(where, Text("嵌套过深", "too deeply nested")))
        if record is not None and ctx.as_of is not None:
            for j, person in enumerate(record.members):
                at = f"{where}:members[{j}]"
                text = age_problem(person.age, person.birth_date, ctx.as_of, f"{at}.birth_date")
                if text is not None:
                    mine.append(Problem(f"{at}.age", text))
        if raw_id is not None and len(raw_id) > MAX_ID_CHARS:
            mine.append(
                Problem(
                    f"{where}:id",
                    Text(
                        f"过长（{len(raw_id)} 个字符，最多 {MAX_ID_CHARS}）",
                        f"too long ({len(raw_id)} characters; at most {MAX_ID_CHARS})",
                    ),
                )
            )
            raw_id, record = None, None
        parsed.append((number, record, mine, raw_id))
    candidates = [raw_id for _, _, _, raw_id in parsed if raw_id is not None]
    found = ctx.seen.find(_key_bytes(pa.array(candidates, pa.string())))
    earlier_rows = dict(zip(candidates, found.tolist(), strict=True))
    records: list[Household] = []
    rows: list[int] = []
    problems: list[Problem] = []
    rejected: list[Rejected] = []
    first: dict[str, int] = {}
    for number, record, mine, raw_id in parsed:
        if raw_id is not None:
            earlier = first.get(raw_id)
            if earlier is None and earlier_rows[raw_id] >= 0:
                earlier = earlier_rows[raw_id]
            if earlier is not None:
                mine.append(
                    Problem(
                        f"{file}:{number}:id",
                        Text(
                            f"编号 {_show(raw_id)} 与第 {earlier} 行重复",
                            f"id {_show(raw_id)} repeats line {earlier}",
                        ),
                    )
                )
            else:
                first[raw_id] = number
        if mine or record is None:
            problems += mine
            rejected.append(Rejected(file, number, raw_id, tuple(mine)))
            continue
        records.append(record)
        rows.append(number)
    ids = list(first)
    ctx.seen.add(_key_bytes(pa.array(ids, pa.string())), np.asarray(list(first.values()), np.int64))
    if records:
        households, members = tables_from_records(records, history=True)
    else:
        households, members = (
            _schema("households", (), ctx.aliases.vocabulary).empty_table(),
            _schema("members", (), ctx.aliases.vocabulary).empty_table(),
        )
        households = households.append_column("history", pa.array([], HISTORY_TYPE))
    assert members is not None
    member_rows = np.repeat(
        np.asarray(rows, np.int64), [len(r.members) for r in records] if records else 0
    )
    return RegisterBatch(
        households,
        members,
        np.asarray(rows, np.int64),
        problems,
        member_rows.astype(np.int64),
        tuple(rejected),
    )
