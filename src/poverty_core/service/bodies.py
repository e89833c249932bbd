"""Request bodies and batch answers of the HTTP service.

A body is read as it streams, against a limit per endpoint (one record: small; a batch:
large), so a body too large is refused before it is read whole (413). Batch answers are
written batch by batch into the request's private temporary folder — JSON, JSON Lines,
Arrow IPC or Parquet — and streamed from there, so memory stays bounded whatever the
number of records; the folder is removed once the answer is sent.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from starlette.requests import Request

from poverty_core._text import Text
from poverty_core.convert import loads_json
from poverty_core.privacy import mask_ids, redact_data
from poverty_core.service.openapi import BATCH_OUTPUT
from poverty_core.service.problems import ServiceProblem

__all__ = [
    "Results",
    "accepted",
    "chunks",
    "media_of",
    "parse_json",
    "read_body",
    "stream_file",
]


def accepted(request: Request) -> str:
    """The answer's format (a value of ``BATCH_OUTPUT``) from ``Accept``: the first
    media type named that the answer comes in (JSON for none or ``*/*``); 406 else."""
    header = request.headers.get("accept", "")
    if not header.strip():
        return "json"
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0") for p in params):
            continue
        media = media.lower()
        if media in BATCH_OUTPUT:
            return BATCH_OUTPUT[media]
        if media in ("*/*", "application/*"):
            return "json"
    raise ServiceProblem(
        "not-acceptable",
        Text(
            "可给出的格式：" + "、".join(BATCH_OUTPUT),
            "the formats this answer comes in: " + ", ".join(BATCH_OUTPUT),
        ),
    )


def _too_large(limit: int) -> ServiceProblem:
    return ServiceProblem(
        "content-too-large",
        Text(
            f"请求体超过 {limit} 字节的上限", f"the body is larger than the limit of {limit} bytes"
        ),
    )


async def chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body as it streams; 413 as soon as it passes ``limit`` bytes (at once when
    ``Content-Length`` says so)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        yield chunk


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes (413 beyond)."""
    return b"".join([chunk async for chunk in chunks(request, limit)])


def parse_json(body: bytes) -> Any:
    """The body as JSON (keys given twice remembered, as the library's reader does);
    400 when it is not UTF-8 JSON."""
    try:
        return loads_json(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        detail = Text(f"不是 UTF-8 文本（字节 {exc.start}）", f"not UTF-8 text (byte {exc.start})")
    except json.JSONDecodeError as exc:
        where = f"{exc.lineno}:{exc.colno}"
        detail = Text(f"JSON 语法错误（{where}）：{exc.msg}", f"invalid JSON ({where}): {exc.msg}")
    except RecursionError:
        detail = Text("嵌套过深", "too deeply nested")
    raise ServiceProblem("malformed-body", detail)


def media_of(request: Request) -> str:
    """The body's media type, without parameters, lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _plain(table: pa.Table) -> pa.Table:
    """Ids that are ID numbers masked (as in the CLI's results), dictionary columns
    decoded (so that every batch of a stream has one schema)."""
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if name == "id":
            column = mask_ids(column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _split(text: str | None) -> list[str]:
    return [t for t in (text or "").split(";") if t]


class Results:
    """Result tables, batch by batch, into a file of the request's temporary folder in
    the answer's format, so that memory stays bounded whatever the number of records.
    JSON is written as it comes too: the rows first, the totals after them."""

    def __init__(self, fmt: str, folder: Path) -> None:
        self.format = fmt
        self.path = folder / f"results.{fmt}"
        self.counts = {"eligible": 0, "not_eligible": 0, "undetermined": 0}
        self._writer: Any = None
        self._text: Any = None
        self._rows = 0

    def write(self, table: pa.Table) -> None:
        """Add one batch of :func:`poverty_core.batch.result_table` rows."""
        table = _plain(table)
        for outcome, n in zip(*_value_counts(table.column("outcome")), strict=True):
            self.counts[outcome] += n
        if self.format in ("json", "jsonl"):
            if self._text is None:
                self._text = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
                if self.format == "json":
                    self._text.write('{"results": [')
            for row in table.to_pylist():
                row = {**row, "failed": _split(row["failed"]), "missing": _split(row["missing"])}
                text = json.dumps(row, ensure_ascii=False)
                if self.format == "jsonl":
                    self._text.write(text + "\n")
                else:
                    self._text.write(("," if self._rows else "") + "\n" + text)
                self._rows += 1
        elif self.format == "arrow":
            if self._writer is None:
                self._writer = pa.ipc.new_stream(str(self.path), table.schema)
            self._writer.write_table(table)
        else:
            if self._writer is None:
                self._writer = pq.ParquetWriter(str(self.path), table.schema)
            self._writer.write_table(table)

    def close(self, decision: str, provenance: dict[str, Any] | None) -> None:
        """Finish the file; JSON ends with the decision, its provenance and the counts."""
        if self.format == "json":
            if self._text is None:
                self._text = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
                self._text.write('{"results": [')
            tail = {"decision": decision, "provenance": provenance, "counts": self.counts}
            self._text.write("\n], " + json.dumps(redact_data(tail), ensure_ascii=False)[1:])
        for handle in (self._writer, self._text):
            if handle is not None:
                handle.close()
        self._writer = self._text = None
        if not self.path.exists():  # no record at all
            empty = pa.table({n: pa.array([], pa.string()) for n in _EMPTY_COLUMNS})
            if self.format == "arrow":
                with pa.ipc.new_stream(str(self.path), empty.schema) as writer:
                    writer.write_table(empty)
            elif self.format == "parquet":
                pq.write_table(empty, str(self.path))
            else:
                self.path.write_text("", "utf-8")


_EMPTY_COLUMNS = ("id", "outcome", "failed", "missing")


def _value_counts(column: Any) -> tuple[list[str], list[int]]:
    counts = column.value_counts()
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


def stream_file(path: Path, folder: Path) -> Iterator[bytes]:
    """The file in chunks; ``folder`` (the request's temporary folder) removed after."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)
