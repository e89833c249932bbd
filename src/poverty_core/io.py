"""Reading input files and writing result files (atomically).

An input file is JSON: either an object with ``households``, ``villages`` and
``counties`` lists (and optional ``synthetic``, ``description``, ``as_of``), a JSON
array of households, or JSON Lines with one household per line. Every problem of
every record is reported at once with its path; nothing is written on failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from poverty_core._text import Text
from poverty_core.convert import structure, structure_many
from poverty_core.errors import InputError, Problem
from poverty_core.model import County, Household, Village

__all__ = ["Dataset", "Outputs", "atomic_writer", "read_dataset", "temp_beside", "write_json"]

_TOP_KEYS = {"households", "villages", "counties", "synthetic", "description", "as_of"}


@attrs.frozen
class Dataset:
    """The records of one input file."""

    households: list[Household]
    villages: list[Village]
    counties: list[County]
    synthetic: bool = False
    description: dict[str, str] | None = None
    as_of: dt.date | None = None
    source: str = ""


def _problem(path: str, zh: str, en: str) -> Problem:
    return Problem(path, Text(zh, en))


def read_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Read a JSON or JSON Lines input file; raise :class:`InputError` listing every problem."""
    p = Path(path)
    name = str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(
            [
                _problem(
                    name, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
                )
            ],
            what=name,
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                _problem(
                    name,
                    f"不是 UTF-8 文本（字节 {exc.start}）",
                    f"not UTF-8 text (byte {exc.start})",
                )
            ],
            what=name,
        ) from None
    if not text.strip():
        raise InputError([_problem(name, "文件为空", "the file is empty")], what=name)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        return _read_lines(text, name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                _problem(
                    f"{name}:{exc.lineno}:{exc.colno}",
                    f"JSON 语法错误：{exc.msg}",
                    f"invalid JSON: {exc.msg}",
                )
            ],
            what=name,
        ) from None
    return parse_dataset(data, source=name)


def _read_lines(text: str, name: str) -> Dataset:
    households: list[Household] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                _problem(where, f"JSON 语法错误：{exc.msg}", f"invalid JSON: {exc.msg}")
            )
            continue
        try:
            household = structure(record, Household, path=where)
        except InputError as err:
            problems += err.problems
            continue
        if household.id in seen:
            problems.append(
                _problem(
                    f"{where}.id",
                    f"户编号 {household.id!r} 与第 {seen[household.id]} 行重复",
                    f"household id {household.id!r} repeats line {seen[household.id]}",
                )
            )
        seen.setdefault(household.id, lineno)
        households.append(household)
    if problems:
        raise InputError(problems, what=name)
    return Dataset(households, [], [], source=name)


def parse_dataset(data: Any, *, source: str = "input") -> Dataset:
    """Build a :class:`Dataset` from parsed JSON (an object or an array of households)."""
    if isinstance(data, list):
        return Dataset(structure_many(data, Household, name="households"), [], [], source=source)
    if not isinstance(data, dict):
        raise InputError(
            [_problem("$", "应为 JSON 对象或数组", "expected a JSON object or array")], what=source
        )
    problems: list[Problem] = []
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        keys = ", ".join(unknown)
        problems.append(_problem("$", f"未知字段：{keys}", f"unknown key(s): {keys}"))
    lists: dict[str, list[Any]] = {}
    for key, cls in (("households", Household), ("villages", Village), ("counties", County)):
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(_problem(key, "应为数组", "expected an array"))
            continue
        try:
            lists[key] = structure_many(items, cls, name=key)
        except InputError as err:
            problems += err.problems
    as_of = None
    if "as_of" in data:
        try:
            as_of = dt.date.fromisoformat(str(data["as_of"]))
        except ValueError:
            problems.append(_problem("as_of", "应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"))
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(_problem("synthetic", "应为 true 或 false", "expected true or false"))
    description = data.get("description")
    if description is not None and not (
        isinstance(description, dict) and all(isinstance(v, str) for v in description.values())
    ):
        problems.append(_problem("description", "应为 {zh, en} 文本", "expected {zh, en} text"))
    problems += _check_links(lists)
    if problems:
        raise InputError(problems, what=source)
    return Dataset(
        lists.get("households", []),
        lists.get("villages", []),
        lists.get("counties", []),
        synthetic=bool(synthetic),
        description=description,
        as_of=as_of,
        source=source,
    )


def _check_links(lists: dict[str, list[Any]]) -> list[Problem]:
    """Households in a village (or county) the file does not list are an error, when the
    file lists villages (counties) at all."""
    problems: list[Problem] = []
    village_ids = {v.id for v in lists.get("villages", [])}
    county_ids = {c.id for c in lists.get("counties", [])}
    for i, h in enumerate(lists.get("households", [])):
        if village_ids and h.village_id is not None and h.village_id not in village_ids:
            problems.append(
                _problem(
                    f"households[{i}].village_id",
                    f"村 {h.village_id!r} 不在 villages 中",
                    f"village {h.village_id!r} is not among the villages",
                )
            )
        if county_ids and h.county_id is not None and h.county_id not in county_ids:
            problems.append(
                _problem(
                    f"households[{i}].county_id",
                    f"县 {h.county_id!r} 不在 counties 中",
                    f"county {h.county_id!r} is not among the counties",
                )
            )
    for i, v in enumerate(lists.get("villages", [])):
        if county_ids and v.county_id is not None and v.county_id not in county_ids:
            problems.append(
                _problem(
                    f"villages[{i}].county_id",
                    f"县 {v.county_id!r} 不在 counties 中",
                    f"county {v.county_id!r} is not among the counties",
                )
            )
    return problems


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file in ``target``'s folder (so a rename replaces the target
    atomically), with the permissions a plain new file would get."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder for {target}: {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return fd, tmp


class Outputs:
    """The files one run writes, all or none: each is written to a temporary file beside
    its target, and they are renamed into place together by :meth:`commit`, only after
    the whole run succeeded; :meth:`abort` removes them."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    @staticmethod
    def check(*paths: str | os.PathLike[str] | None) -> None:
        """Fail early, naming the path, when an output's folder does not exist."""
        for path in paths:
            if path is None:
                continue
            folder = Path(path).parent
            if str(folder) and not folder.is_dir():
                raise FileNotFoundError(f"no such folder for {path}: {folder}")

    def add(self, tmp: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        """Take over a finished temporary file for ``target``."""
        self._pending.append((Path(tmp), Path(target)))

    def text(self, target: str | os.PathLike[str], text: str) -> None:
        """Write ``text`` for ``target`` (into a temporary file, for now)."""
        fd, tmp = temp_beside(Path(target))
        self._pending.append((Path(tmp), Path(target)))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    def commit(self) -> None:
        """Move every file into place."""
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending.clear()

    def abort(self) -> None:
        """Remove every temporary file; the targets are left as they were."""
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._pending.clear()


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Write a text file atomically: to a temporary file beside it, renamed into place
    only when the block finishes without error. No partial file is ever left."""
    target = Path(path)
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as pretty JSON (UTF-8, Chinese kept readable), atomically."""
    with atomic_writer(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
