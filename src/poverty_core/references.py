"""Reference data supplied per run: the lists a rule compares records with.

Some rules compare a register with data the pack cannot ship — the ID numbers found in
another department's records (the comparison step of 一核查二比对三清退, one verification,
two comparisons, three removals), a pairing table of cadres. A pack *declares* such data
in ``data/references/<name>.toml`` (:class:`ReferenceSpec`: a ``set`` of keys or a
``table`` of rows with a key column, zh/en title, source); a rule reads it with the block
:func:`poverty_core.blocks.reference`; the caller *supplies* it for a run like an override
(``pack.decide(..., references={"name": ...})``, :meth:`~poverty_core.packs.Pack.with_references`,
``--reference NAME=FILE`` on the command line).

What a run used is recorded in its provenance by name, row count and a SHA-256 hash of
the content (:meth:`ReferenceData.summary`), never the data itself: the lists hold ID
numbers. A rule that reads a reference the caller did not supply is unknown, naming
``reference:<name>`` among the missing inputs.

Reading a file is hand-written over the standard library's ``csv`` and ``json``: the
shapes are two (a list of keys, a list of rows) and the errors must name the row and
column without echoing a value (a value may be an ID number).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from poverty_core._text import Text
from poverty_core.errors import InputError, Problem
from poverty_core.parameters import Citation

__all__ = ["ReferenceData", "ReferenceSpec", "normalise_key", "read_reference_file"]

Kind = Literal["set", "table"]
KeyForm = Literal["text", "id_number"]


def normalise_key(value: str, form: KeyForm = "text") -> str:
    """A key as it is compared: stripped; an ID number also without inner spaces and with
    an upper-case check character (``x`` → ``X``)."""
    if form == "id_number":
        return "".join(value.split()).upper()
    return value.strip()


@attrs.frozen
class ReferenceSpec:
    """A pack's declaration of reference data a run supplies (``references/<name>.toml``).

    :param id: the name rules and callers use (``reference("public_payroll")``).
    :param kind: ``set`` (keys only) or ``table`` (rows with a ``key`` column and other
        ``columns``, all text).
    :param key: what the keys are (a set) or the key column (a table).
    :param key_form: ``id_number`` to compare keys as ID numbers (spaces and the case of
        ``x`` ignored), ``text`` to compare them stripped.
    """

    id: str
    kind: Kind
    title: Text
    citation: Citation
    key: str
    key_form: KeyForm = "text"
    columns: tuple[str, ...] = ()
    description: Text | None = None
    pack: str = ""
    overrides: str | None = None
    file: str = attrs.field(default="", eq=False)

    def problem(self, where: str, zh: str, en: str) -> InputError:
        """An :class:`~poverty_core.errors.InputError` about the supplied data."""
        at = f"references.{self.id}{where}"
        return InputError([Problem(at, Text(zh, en))], what="references")

    def data(self, value: Any) -> ReferenceData:
        """Check and normalise the caller's data for this reference.

        A set takes an iterable of strings (or a mapping whose keys are the entries); a
        table takes an iterable of mappings with the key column and the declared columns
        (extra columns are an error), or a mapping key → row. Errors name the row and
        column, never the value.
        """
        if isinstance(value, ReferenceData):
            if value.name != self.id or value.kind != self.kind:
                raise self.problem(
                    "", "数据属于另一项参考数据", "the data belong to another reference"
                )
            return value
        if isinstance(value, str | bytes) or not isinstance(value, Iterable | Mapping):
            raise self.problem(
                "",
                "应为条目的集合（或行的列表），而不是单个值",
                "expected a collection of entries (or a list of rows), not a single value",
            )
        if self.kind == "set":
            keys: set[str] = set()
            for i, entry in enumerate(value):
                if not isinstance(entry, str):
                    raise self.problem(f"[{i}]", "条目应为文本", "an entry must be text")
                k = normalise_key(entry, self.key_form)
                if k:
                    keys.add(k)
            return ReferenceData.of_set(self.id, keys)
        rows: dict[str, dict[str, str | None]] = {}
        items: Iterable[Any]
        if isinstance(value, Mapping):  # key → row
            items = (
                {**row, self.key: k} if isinstance(row, Mapping) else row
                for k, row in value.items()
            )
        else:
            items = value
        wanted = {self.key, *self.columns}
        for i, row in enumerate(items):
            if not isinstance(row, Mapping):
                raise self.problem(f"[{i}]", "每行应为一个映射", "each row must be a mapping")
            extra = sorted(str(c) for c in row if c not in wanted)
            if extra:
                raise self.problem(
                    f"[{i}]",
                    f"未声明的列：{'、'.join(extra)}（已声明：{'、'.join(sorted(wanted))}）",
                    f"undeclared columns: {', '.join(extra)} "
                    f"(declared: {', '.join(sorted(wanted))})",
                )
            raw = row.get(self.key)
            if not isinstance(raw, str) or not normalise_key(raw, self.key_form):
                raise self.problem(
                    f"[{i}].{self.key}", "键列应为非空文本", "the key column must be non-empty text"
                )
            k = normalise_key(raw, self.key_form)
            if k in rows:
                raise self.problem(f"[{i}].{self.key}", "键重复", "the key repeats")
            cells: dict[str, str | None] = {}
            for c in self.columns:
                cell = row.get(c)
                if cell is not None and not isinstance(cell, str | int | float):
                    raise self.problem(f"[{i}].{c}", "单元格应为文本", "a cell must be text")
                text = None if cell is None else str(cell).strip()
                cells[c] = text or None
            rows[k] = cells
        return ReferenceData.of_table(self.id, rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (the declaration; no data)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "key_form": self.key_form,
            "columns": list(self.columns),
            "title": self.title.to_dict(),
            "description": self.description.to_dict() if self.description else None,
            "pack": self.pack,
            "overrides": self.overrides,
            "citation": self.citation.to_dict(),
        }


@attrs.frozen(eq=False)
class ReferenceData:
    """Reference data supplied for a run, normalised: the keys, and for a table each
    key's row. Only :meth:`summary` (name, rows, hash) ever leaves the run."""

    name: str
    kind: Kind
    keys: frozenset[str] = attrs.field(repr=False)
    """The keys (never shown: they may be ID numbers)."""
    rows: Mapping[str, Mapping[str, str | None]] = attrs.field(repr=False)
    sha256: str = ""
    file: str | None = None
    """The file the data were read from, as the caller named it (``None``: given in
    memory); a decision record keeps it so that ``verify`` reads the data again."""

    @classmethod
    def of_set(cls, name: str, keys: Iterable[str]) -> ReferenceData:
        """A set reference from normalised keys."""
        frozen = frozenset(keys)
        return cls(name, "set", frozen, {}, _digest(sorted(frozen)))

    @classmethod
    def of_table(cls, name: str, rows: Mapping[str, Mapping[str, str | None]]) -> ReferenceData:
        """A table reference from normalised rows (key → column → text)."""
        content = sorted((k, sorted(r.items())) for k, r in rows.items())
        return cls(name, "table", frozenset(rows), dict(rows), _digest(content))

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, key: str, column: str) -> str | None:
        """The ``column`` of the row whose key is ``key`` (``None``: no such row or an
        empty cell)."""
        row = self.rows.get(key)
        return None if row is None else row.get(column)

    def summary(self) -> dict[str, Any]:
        """What provenance records: name, kind, row count, content hash."""
        return {"name": self.name, "kind": self.kind, "rows": len(self), "sha256": self.sha256}


def _digest(content: Any) -> str:
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_reference_file(spec: ReferenceSpec, path: Path) -> ReferenceData:
    """Read reference data for ``spec`` from a CSV or JSON file.

    CSV: a header row; a set reads the column named as its ``key`` (or the only column),
    a table the key column and its declared columns. JSON: a list of keys (a set) or a
    list of row objects (a table). Raises :class:`~poverty_core.errors.InputError` naming
    the file, row and column (never a value).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise spec.problem(
            "", f"无法读取 {path.name}：{exc.strerror}", f"cannot read {path.name}: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise spec.problem(
            "", f"{path.name} 不是 UTF-8 文本", f"{path.name} is not UTF-8 text"
        ) from None
    if path.suffix.lower() == ".json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise spec.problem(
                "",
                f"{path.name} 不是有效的 JSON（第 {exc.lineno} 行）",
                f"{path.name} is not valid JSON (line {exc.lineno})",
            ) from None
        return attrs.evolve(spec.data(value), file=str(path))
    if path.suffix.lower() != ".csv":
        raise spec.problem(
            "",
            f"{path.name}：应为 .csv 或 .json 文件",
            f"{path.name}: expected a .csv or .json file",
        )
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if spec.kind == "set":
        column = spec.key if spec.key in header else (header[0] if len(header) == 1 else None)
        if column is None:
            raise spec.problem(
                "",
                f"{path.name}：表头应有列 {spec.key}",
                f"{path.name}: the header needs a column {spec.key}",
            )
        return attrs.evolve(spec.data([row.get(column) or "" for row in reader]), file=str(path))
    missing = [c for c in (spec.key, *spec.columns) if c not in header]
    if missing:
        raise spec.problem(
            "",
            f"{path.name}：表头缺少列 {'、'.join(missing)}",
            f"{path.name}: the header lacks the columns {', '.join(missing)}",
        )
    data = spec.data(
        [{k: v for k, v in row.items() if k in (spec.key, *spec.columns)} for row in reader]
    )
    return attrs.evolve(data, file=str(path))
