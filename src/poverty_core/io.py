"""Reading input files and writing result files (atomically, never over an input).

An input file is JSON: either an object with ``households``, ``villages`` and
``counties`` lists (and optional ``synthetic``, ``description``, ``as_of``), a JSON
array of households, or JSON Lines with one household per line. A key given twice in
one object is an error (never "the last value wins"). With ``on_error="fail"`` every
problem of every record is reported at once with its path and nothing is returned;
with ``on_error="skip"`` the bad records are left out and listed in
:attr:`Dataset.rejected`, so that records read = records kept + records rejected.

Writing: every output is written to a temporary file beside its target and renamed
into place only when the whole run succeeded (:class:`Outputs`, :func:`atomic_writer`).
The temporary file's name carries the writing process's id, so that a later run can
tell one left by a killed process (:func:`remove_stale_temps`). An output may not be an
input or another output (:func:`check_outputs`). JSON is written without ``NaN`` or
``Infinity`` (:func:`json_text`), and a failed write names the file
(:class:`OutputError`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import attrs

from poverty_core._text import Text
from poverty_core.convert import age_problem, loads_json, structure
from poverty_core.errors import InputError, PovertyCoreError, Problem
from poverty_core.model import County, Household, Village
from poverty_core.registers.batch import Rejected
from poverty_core.registers.opening import open_register
from poverty_core.registers.schema import records_from_tables

__all__ = [
    "Dataset",
    "OutputClash",
    "OutputError",
    "Outputs",
    "atomic_writer",
    "check_outputs",
    "json_text",
    "read_dataset",
    "remove_stale_temps",
    "safe_cell",
    "temp_beside",
    "write_json",
    "writing",
]

_TOP_KEYS = {"households", "villages", "counties", "synthetic", "description", "as_of"}

OnError = Literal["fail", "skip"]


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
    rejected: tuple[Rejected, ...] = ()
    """Records left out (``on_error="skip"``), each with its problems."""
    rows: dict[str, tuple[int, ...]] = attrs.field(factory=dict)
    """For ``households``, ``villages`` and ``counties``: the position of each record
    kept in its list of the file (as in problem paths: ``households[3]`` → 3); for JSON
    Lines, the line number of each household."""
    read: dict[str, int] = attrs.field(factory=dict)
    """Records read per list (``households``, ``villages``, ``counties``)."""

    def file_of(self, kind: str) -> str:
        """How rejects and row counts name a list of the file: ``in.json[villages]``
        (JSON Lines: the file itself)."""
        if self.source.lower().endswith((".jsonl", ".ndjson")):
            return self.source
        return f"{self.source}[{kind}]"


def _problem(path: str, zh: str, en: str) -> Problem:
    return Problem(path, Text(zh, en))


def read_dataset(
    path: str | os.PathLike[str],
    *,
    on_error: OnError = "fail",
    as_of: dt.date | None = None,
    pack: Any = None,
) -> Dataset:
    """Read a JSON or JSON Lines input file.

    :param on_error: ``"fail"`` raises :class:`InputError` listing every problem;
        ``"skip"`` leaves bad records out (:attr:`Dataset.rejected`). Problems of the
        file as a whole (unreadable, not JSON, unknown top-level keys …) raise in both.
    :param as_of: the assessment date. A member's age that contradicts their date of
        birth by more than a year on the file's own ``as_of`` (the date its ages were
        stated), or on this date when the file gives none, is a problem of the record.
        Without a date the two are not compared.
    :param pack: a loaded pack: records are built as its record classes, so the fields
        it declares (``fields.toml``) are read.
    """
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    p = Path(path)
    name = str(p)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        return _read_lines(p, name, on_error, as_of, pack)
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
    try:
        data = loads_json(text)
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
    except RecursionError:
        raise InputError([_problem(name, "嵌套过深", "too deeply nested")], what=name) from None
    return parse_dataset(data, source=name, on_error=on_error, as_of=as_of, pack=pack)


def _member_age_problems(household: Household, on: dt.date | None, path: str) -> list[Problem]:
    """Members whose age and date of birth contradict on ``on``."""
    if on is None:
        return []
    out = []
    for j, person in enumerate(household.members):
        where = f"{path}.members[{j}]" if path else f"members[{j}]"
        text = age_problem(person.age, person.birth_date, on, f"{where}.birth_date")
        if text is not None:
            out.append(Problem(f"{where}.age", text))
    return out


def _read_lines(
    path: Path, name: str, on_error: OnError, as_of: dt.date | None, pack: Any = None
) -> Dataset:
    """A JSON Lines file through the register reader (its lines read as columns and
    checked as a Parquet register's rows are; :func:`~poverty_core.registers.open_register`),
    its households rebuilt as records."""
    register = open_register(path, format="jsonl", on_error="skip", as_of=as_of, pack=pack)
    batch = register.read_all()
    problems = [p for r in batch.rejected for p in r.problems]
    if problems and on_error == "fail":
        raise InputError(problems, what=name)
    household_cls = Household if pack is None else pack.record_type("household")
    households = records_from_tables(batch.households, batch.members, cls=household_cls)
    return Dataset(
        households,
        [],
        [],
        source=name,
        rejected=batch.rejected,
        rows={"households": tuple(int(r) for r in batch.rows)},
        read={"households": register.rows_read[name]},
    )


def _shown(value: Any) -> str:
    from poverty_core.privacy import redact

    return redact(repr(value))


_KINDS: tuple[tuple[str, type[Any]], ...] = (
    ("households", Household),
    ("villages", Village),
    ("counties", County),
)
_SINGULAR = {"households": "household", "villages": "village", "counties": "county"}


def parse_dataset(
    data: Any,
    *,
    source: str = "input",
    on_error: OnError = "fail",
    as_of: dt.date | None = None,
    pack: Any = None,
) -> Dataset:
    """Build a :class:`Dataset` from parsed JSON (an object or an array of households);
    ``on_error``, ``as_of`` and ``pack`` as for :func:`read_dataset`."""
    if isinstance(data, list):
        data = {"households": data}
    if not isinstance(data, dict):
        raise InputError(
            [_problem("$", "应为 JSON 对象或数组", "expected a JSON object or array")], what=source
        )
    fatal: list[Problem] = [
        _problem(
            key,
            f"字段 {key!r} 在同一对象中出现了不止一次",
            f"key {key!r} is given more than once in this object",
        )
        for key in getattr(data, "repeated", ())
    ]
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        keys = ", ".join(unknown)
        fatal.append(_problem("$", f"未知字段：{keys}", f"unknown key(s): {keys}"))
    items: dict[str, list[Any]] = {}
    for key, _ in _KINDS:
        value = data.get(key, [])
        if not isinstance(value, list):
            fatal.append(_problem(key, "应为数组", "expected an array"))
            value = []
        items[key] = value
    file_as_of = None
    if "as_of" in data:
        try:
            file_as_of = dt.date.fromisoformat(str(data["as_of"]))
        except ValueError:
            fatal.append(_problem("as_of", "应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"))
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        fatal.append(_problem("synthetic", "应为 true 或 false", "expected true or false"))
    description = data.get("description")
    if description is not None and not (
        isinstance(description, dict) and all(isinstance(v, str) for v in description.values())
    ):
        fatal.append(_problem("description", "应为 {zh, en} 文本", "expected {zh, en} text"))
    if fatal:
        raise InputError(fatal, what=source)
    # A stated age is as of the register's own date; only a file without one is
    # checked on the assessment date.
    on = file_as_of or as_of
    # Each record with its own problems (None: it could not be built).
    records: dict[str, list[Any]] = {}
    why: dict[str, dict[int, list[Problem]]] = {}
    for key, cls in _KINDS:
        records[key], why[key] = [], {}
        seen: dict[str, int] = {}
        for i, item in enumerate(items[key]):
            path = f"{key}[{i}]"
            mine: list[Problem] = []
            record = None
            try:
                record = structure(
                    item, cls if pack is None else pack.record_type(_SINGULAR[key]), path=path
                )
            except InputError as err:
                mine += err.problems
            if record is not None:
                if cls is Household:
                    mine += _member_age_problems(record, on, path)
                if record.id in seen:
                    mine.append(
                        _problem(
                            f"{path}.id",
                            f"编号 {_shown(record.id)} 与 {key}[{seen[record.id]}] 重复",
                            f"id {_shown(record.id)} repeats {key}[{seen[record.id]}]",
                        )
                    )
                else:
                    seen[record.id] = i
            records[key].append(record)
            if mine:
                why[key][i] = mine
    _link_problems(items, records, why)
    problems = [p for key, _ in _KINDS for i in sorted(why[key]) for p in why[key][i]]
    if problems and on_error == "fail":
        raise InputError(problems, what=source)
    dataset_rows: dict[str, tuple[int, ...]] = {}
    kept: dict[str, list[Any]] = {}
    rejected: list[Rejected] = []
    shell = Dataset([], [], [], source=source)
    for key, _ in _KINDS:
        kept[key] = [r for i, r in enumerate(records[key]) if i not in why[key]]
        dataset_rows[key] = tuple(i for i in range(len(records[key])) if i not in why[key])
        for i in sorted(why[key]):
            item = items[key][i]
            rid = item.get("id") if isinstance(item, dict) else None
            rid = rid if isinstance(rid, str) else None
            rejected.append(Rejected(shell.file_of(key), i, rid, tuple(why[key][i])))
    return Dataset(
        kept["households"],
        kept["villages"],
        kept["counties"],
        synthetic=bool(synthetic),
        description=description,
        as_of=file_as_of,
        source=source,
        rejected=tuple(rejected),
        rows=dataset_rows,
        read={key: len(items[key]) for key, _ in _KINDS},
    )


def _link_problems(
    items: dict[str, list[Any]],
    records: dict[str, list[Any]],
    why: dict[str, dict[int, list[Problem]]],
) -> None:
    """Households in a village (or county) the file does not list — when the file lists
    villages (counties) at all — and villages in an unlisted county; a record whose
    village or county is itself bad goes with it (so that skipping leaves no household
    in a village that was left out)."""
    for key, by, target in (
        ("villages", "county_id", "counties"),
        ("households", "village_id", "villages"),
        ("households", "county_id", "counties"),
    ):
        if not items[target]:
            continue
        good = {
            r.id for i, r in enumerate(records[target]) if r is not None and i not in why[target]
        }
        listed = {
            item.get("id"): i for i, item in enumerate(items[target]) if isinstance(item, dict)
        }
        noun = {"villages": ("村", "village"), "counties": ("县", "county")}[target]
        for i, record in enumerate(records[key]):
            if record is None:
                continue
            value = getattr(record, by)
            if value is None or value in good:
                continue
            if value in listed:
                zh, en = (
                    f"{noun[0]} {_shown(value)} 的记录有误（{target}[{listed[value]}]）",
                    f"{noun[1]} {_shown(value)} has problems of its own "
                    f"({target}[{listed[value]}])",
                )
            else:
                zh, en = (
                    f"{noun[0]} {_shown(value)} 不在 {target} 中",
                    f"{noun[1]} {_shown(value)} is not among the {target}",
                )
            why[key].setdefault(i, []).append(_problem(f"{key}[{i}].{by}", zh, en))


# -- outputs ---------------------------------------------------------------------------


class OutputClash(PovertyCoreError, ValueError):
    """An output would replace an input or another output of the same run (raised
    before anything is read or written)."""


class OutputError(PovertyCoreError):
    """An output (or a temporary file beside it) could not be written; the message names
    the file. Nothing partial is left."""

    def __init__(self, path: str | os.PathLike[str], message: Text) -> None:
        self.path = os.fspath(path)
        super().__init__(
            Text(f"无法写入 {self.path}：{message.zh}", f"cannot write {self.path}: {message.en}")
        )
        self.reason = message


_ERRNO_ZH = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EFBIG: "文件超过大小限制",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "不允许写入",
    errno.EROFS: "文件系统只读",
    errno.ENOENT: "文件夹不存在",
    errno.EISDIR: "是一个目录",
}


def _os_reason(exc: OSError) -> Text:
    code = exc.errno
    if code is None:  # Arrow's I/O errors give the number in the message only
        found = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)
        code = int(found.group(1)) if found else None
    en = os.strerror(code) if code else str(exc) or type(exc).__name__
    zh = _ERRNO_ZH.get(code) if code is not None else None
    if zh is None:
        name = errno.errorcode.get(code, type(exc).__name__) if code else type(exc).__name__
        zh = f"写入失败（{name}）"
    return Text(zh, en)


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Within the block, an :class:`OSError` (a full disk, a file-size limit, no
    permission …) becomes an :class:`OutputError` naming ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(path, _os_reason(exc)) from None


def _identity(path: str | os.PathLike[str]) -> tuple[str, tuple[int, int] | None]:
    real = os.path.normcase(os.path.realpath(path))
    try:
        st = os.stat(path)
    except OSError:
        return real, None
    return real, (st.st_dev, st.st_ino)


def check_outputs(
    inputs: Mapping[str, str | os.PathLike[str] | None],
    outputs: Mapping[str, str | os.PathLike[str] | None],
) -> None:
    """Raise :class:`OutputClash` when an output is one of the inputs or another output:
    the same path once links and ``./`` spellings are resolved, or the same file (device
    and inode: a hard link). Keys are the names the caller knows them by (``-o``,
    ``--members`` …)."""
    known: list[tuple[str, str, str, tuple[int, int] | None]] = []
    for label, path in inputs.items():
        if path is not None:
            known.append((label, os.fspath(path), *_identity(path)))
    clashes: list[Text] = []
    for label, path in outputs.items():
        if path is None:
            continue
        given = os.fspath(path)
        real, ident = _identity(path)
        for other, other_given, other_real, other_ident in known:
            if real == other_real or (ident is not None and ident == other_ident):
                clashes.append(
                    Text(
                        f"{label} {given} 与 {other} {other_given} 是同一个文件",
                        f"{label} {given} is the same file as {other} {other_given}",
                    )
                )
                break
        known.append((label, given, real, ident))
    if clashes:
        raise OutputClash(
            Text(
                "输出不能覆盖输入或另一个输出：" + "；".join(c.zh for c in clashes),
                "an output may not replace an input or another output: "
                + "; ".join(c.en for c in clashes),
            )
        )


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection: a cell starting with ``=`` ``+`` ``-``
    ``@``, a tab or a carriage return gets a leading apostrophe.

    >>> safe_cell("=1+1"), safe_cell("plain")
    ("'=1+1", 'plain')
    """
    return "'" + text if text.startswith(_FORMULA) else text


def _non_finite(data: Any, path: str = "$") -> str | None:
    """The path of the first NaN or infinite number in ``data``."""
    if isinstance(data, float) and not math.isfinite(data):
        return path
    if isinstance(data, dict):
        for k, v in data.items():
            found = _non_finite(v, f"{path}.{k}")
            if found:
                return found
    if isinstance(data, list | tuple):
        for i, v in enumerate(data):
            found = _non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return None


def json_text(data: Any, where: str | os.PathLike[str], *, indent: int | None = 1) -> str:
    """``data`` as JSON text (UTF-8 kept readable), never with ``NaN`` or ``Infinity``
    (which other tools cannot parse): such a number raises :class:`OutputError` naming
    ``where`` (the file) and the value's path."""
    try:
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:
        path = _non_finite(data) or "?"
        raise OutputError(
            where,
            Text(
                f"{path} 不是有限数值（NaN 或无穷大），JSON 无法表示",
                f"{path} is not a finite number (NaN or infinity), which JSON cannot hold",
            ),
        ) from None


_TEMP_MARK = "poverty-core"
_STALE = re.compile(r"^\..+\." + _TEMP_MARK + r"\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
_STARTED = time.time()


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file in ``target``'s folder (so a rename replaces the target
    atomically), with the permissions a plain new file would get. Its name,
    ``.NAME.poverty-core.PID.<random>.tmp``, carries this process's id, by which
    :func:`remove_stale_temps` finds one a killed run left."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(target, Text(f"文件夹 {folder} 不存在", f"no such folder {folder}"))
    with writing(target):
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{_TEMP_MARK}.{os.getpid()}.", suffix=".tmp", dir=folder
        )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    return fd, tmp


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where the system says
    (Linux ``/proc``); ``None`` when it cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _still_writing(pid: int, modified: float) -> bool:
    """Could process ``pid`` still be writing a file last modified at ``modified``? Not
    when it is gone, belongs to someone else (the id was reused), or started after the
    file was last written (the id was reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process: not the one that wrote our file
    started = _process_started(pid)
    # /proc gives the boot time in whole seconds: only a clear gap counts as reuse.
    return started is None or started <= modified + 2


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files (:func:`temp_beside`) that runs killed before they
    finished left in ``folder``: those of this user, older than this process, whose
    writing process is gone. Returns what it removed (the caller says so)."""
    removed: list[Path] = []
    me = os.getpid()
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _STALE.match(entry.name)
        if found is None or int(found.group(1)) == me:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        if st.st_mtime >= _STARTED or _still_writing(int(found.group(1)), st.st_mtime):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


class Outputs:
    """The files one run writes, all or none: each is written to a temporary file beside
    its target, and they are renamed into place together by :meth:`commit`, only after
    the whole run succeeded; :meth:`abort` removes them."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    @staticmethod
    def check(*paths: str | os.PathLike[str] | None) -> None:
        """Fail early (:class:`OutputError`, naming the path) when an output's folder
        does not exist."""
        for path in paths:
            if path is None:
                continue
            folder = Path(path).parent
            if str(folder) and not folder.is_dir():
                raise OutputError(path, Text(f"文件夹 {folder} 不存在", f"no such folder {folder}"))

    def add(self, tmp: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        """Take over a finished temporary file for ``target``."""
        self._pending.append((Path(tmp), Path(target)))

    def text(self, target: str | os.PathLike[str], text: str) -> None:
        """Write ``text`` for ``target`` (into a temporary file, for now)."""
        fd, tmp = temp_beside(Path(target))
        self._pending.append((Path(tmp), Path(target)))
        with writing(target), os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    def commit(self) -> None:
        """Move every file into place."""
        for tmp, target in self._pending:
            with writing(target):
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
        with writing(target):
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
    """Write ``data`` as pretty JSON (UTF-8, Chinese kept readable; never ``NaN``),
    atomically."""
    text = json_text(data, path)
    with atomic_writer(path) as handle:
        handle.write(text + "\n")
