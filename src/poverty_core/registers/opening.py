"""Opening register files: format sniffing, options, :func:`open_register` and
:func:`read_table`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from poverty_core import vocabulary as _vocabulary
from poverty_core.aliases import AliasMap, normalize, option
from poverty_core.errors import InputError
from poverty_core.form import national_form
from poverty_core.model import County, Village
from poverty_core.registers.arrow import _arrow_schema_of, _ArrowSource, _flat_names
from poverty_core.registers.batch import RegisterBatch
from poverty_core.registers.csv import _csv_header, _CsvSource
from poverty_core.registers.jsonl import _JsonLines
from poverty_core.registers.problems import _fatal
from poverty_core.registers.register import Register
from poverty_core.registers.schema import _MEMBERS, FLAT, FORMATS, LAYOUTS, OnError
from poverty_core.registers.sources import _column_of
from poverty_core.registers.xlsx import (
    _pick_sheets,
    _sheet_named,
    _xlsx_header,
    _XlsxSource,
    forget_sheets,
    preload_sheets,
)
from poverty_core.vocabulary import CORE, Vocabulary

__all__ = ["open_register", "read_table"]


_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".arrows": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


def _format_of(path: Path, file: str) -> str:
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return "arrow"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


def _check_file(path: Path, file: str) -> None:
    if not path.exists():
        raise _fatal(file, "文件不存在", "no such file")
    if path.is_dir():
        raise _fatal(file, "是目录而不是文件", "is a directory, not a file")
    if path.stat().st_size == 0:
        raise _fatal(file, "文件为空", "the file is empty")


def _pack_columns(pack: Any, entity: str) -> tuple[set[str] | None, dict[str, str]]:
    """The flattened columns a pack knows, and its step/item labels as headers."""
    if pack is None:
        return None, {}
    subject = {"households": "household", "villages": "village", "counties": "county"}.get(entity)
    allowed: set[str] = set()
    labels: dict[str, list[str]] = {}
    for procedure in getattr(pack, "procedures", {}).values():
        if procedure.subject == subject:
            for step in procedure.steps:
                name = f"procedures.{procedure.id}.{step.id}"
                allowed.add(name)
                for text in (step.label.zh, step.label.en):
                    labels.setdefault(text, []).append(name)
    for checklist in getattr(pack, "checklists", {}).values():
        if checklist.subject == subject:
            for item in checklist.items:
                name = f"checklists.{checklist.id}.{item.id}"
                allowed.add(name)
                for text in (item.label.zh, item.label.en):
                    labels.setdefault(text, []).append(name)
    return allowed, {h: names[0] for h, names in labels.items() if len(set(names)) == 1}


def _aliases(
    aliases: AliasMap | Mapping[str, Any] | None,
    extra: Mapping[str, str],
    vocabulary: Vocabulary = CORE,
) -> AliasMap:
    """The alias map of a read: the caller's (or the default), knowing the columns of
    the applied pack's fields (``vocabulary``) and no other pack's."""
    if isinstance(aliases, AliasMap):
        base = aliases.for_vocabulary(vocabulary)
    else:
        base = AliasMap.default(vocabulary)
    if extra:
        labels = {h: c for h, c in extra.items() if normalize(h) not in base.columns["households"]}
        base = base.extended({"households": labels})
    if aliases is not None and not isinstance(aliases, AliasMap):
        base = base.extended(aliases)
    return base


def _source(
    path: Path,
    file: str,
    fmt: str,
    entity: str,
    encoding: str | None,
    aliases: AliasMap,
    ignore: set[str],
    allowed_flat: set[str] | None,
    sheet: str | None = None,
) -> Any:
    if fmt == "csv":
        return _CsvSource(path, file, entity, encoding, aliases, ignore, allowed_flat)
    if fmt in ("parquet", "arrow"):
        return _ArrowSource(path, file, fmt, entity, aliases, ignore, allowed_flat)
    if fmt == "xlsx":
        if sheet is None:
            sheet = _sheet_named(path, file, "households")
        return _XlsxSource(path, file, sheet, entity, aliases, ignore, allowed_flat)
    raise _fatal(
        file,
        f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
        f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
    )


def _options(on_error: str, batch_size: int) -> None:
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")


def _is_flat(headers: Sequence[str], aliases: AliasMap, ignore: set[str]) -> bool:
    """Whether a file's headers are those of a flat register: member columns are there
    (``与户主关系``, ``A10在校生状况``, ``members.age`` …) beside the household's."""
    for header in headers:
        text = "" if header is None else str(header)
        if not text.strip() or normalize(text) in ignore:
            continue
        column = _column_of(aliases, FLAT, text)
        if column is not None and column.startswith(_MEMBERS):
            return True
    return False


def _headers_in(path: Path, file: str, fmt: str, encoding: str | None, sheet: str | None) -> Any:
    """A file's headers, for telling its layout (nested members of Arrow: ``None``)."""
    if fmt == "csv":
        return _csv_header(path, file, encoding)[2]
    if fmt == "xlsx":
        assert sheet is not None
        return _xlsx_header(path, f"{file}[{sheet}]", sheet)[1]
    schema = _arrow_schema_of(path, file, fmt)
    headers = []
    for field in schema:
        t = field.type
        if field.name == "members" and (pa.types.is_list(t) or pa.types.is_large_list(t)):
            return None
        headers += _flat_names(field)
    return headers


def _layout_problem(file: str, zh: str, en: str) -> InputError:
    return _fatal(file, f"{option('layout', 'zh')}：{zh}", f"{option('layout')}: {en}")


def open_register(
    households: str | os.PathLike[str],
    members: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    encoding: str | None = None,
    aliases: AliasMap | Mapping[str, Any] | None = None,
    ignore_columns: Iterable[str] = (),
    on_error: OnError = "fail",
    batch_size: int = 65536,
    pack: Any = None,
    max_problems: int | None = 10_000,
    as_of: dt.date | None = None,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> Register:
    """Open a household register for reading in batches (see the module notes).

    :param households: the register file: a households file (CSV, JSON Lines, Parquet,
        Arrow IPC or xlsx; an xlsx workbook may hold the members sheet too), or a flat
        file with a row per person.
    :param members: the members file, keyed by ``household_id`` (``户编号``); not
        needed for JSON Lines, for tables with a nested ``members`` column, for a
        workbook holding both sheets, or for a flat file.
    :param format: one of :data:`FORMATS`; by default from the file name (or its
        first bytes).
    :param encoding: the text encoding; by default detected: UTF-8 (with or without a
        BOM), else GBK/GB18030; UTF-16 with a BOM. See :attr:`Register.encodings`.
    :param aliases: more column headers (``{"户主编号": "id"}``, or per table kind
        ``{"members": {...}}``), or a whole :class:`~poverty_core.aliases.AliasMap`.
    :param ignore_columns: headers of columns to leave unread (otherwise a column that
        names no field is an error).
    :param on_error: ``"fail"`` (raise :class:`~poverty_core.errors.InputError` with
        every problem before returning anything) or ``"skip"`` (leave bad households
        out, listed in :attr:`RegisterBatch.rejected`).
    :param batch_size: households per batch of :meth:`Register.batches`.
    :param pack: a loaded pack: flattened procedure/checklist columns must then be
        steps and items of its procedures and checklists, whose labels serve as
        headers too.
    :param max_problems: with ``on_error="fail"``, problems listed at most (the rest
        are counted by column); ``None`` for all.
    :param as_of: the assessment date: a member whose stated age and date of birth
        contradict by more than a year on it is a problem of the row (both cells named).
        Without it the two are not compared.
    :param layout: one of :data:`LAYOUTS`; by default told from the files: a members
        file (or a workbook's members sheet) makes ``two-file``, JSON Lines or a nested
        ``members`` column ``nested``, and one file whose columns include a member's
        (``与户主关系``, ``A10在校生状况``, ``members.age`` …) ``flat``.
    :param interpretations: readings of the national form's options other than the
        default, by interpretation (``{"non_student": "unknown"}``; see
        :mod:`poverty_core.register_form`).

    A flat file has a row per person and its household's columns repeated on each of
    the household's rows (a blank is no disagreement); rows that give a household column
    different values are a problem of the household naming them. Read in batches, a
    household's rows must come together. Its members are ``members.<field>`` columns or
    any header that names a member's field; without a member-id column, members are
    numbered 1, 2, … within their household (in two-file registers too).

    Problems of the files as a whole (missing, empty, unknown columns …) raise
    :class:`~poverty_core.errors.InputError` here already.
    """
    _options(on_error, batch_size)
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    readings = national_form().readings(interpretations)
    hpath = Path(households)
    hfile = os.fspath(households)
    _check_file(hpath, hfile)
    fmt = format.lower().lstrip(".") if format else _format_of(hpath, hfile)
    if fmt in ("ipc", "feather"):
        fmt = "arrow"
    if fmt not in FORMATS:
        raise _fatal(
            hfile,
            f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
            f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
        )
    allowed, labels = _pack_columns(pack, "households")
    amap = _aliases(aliases, labels, _vocabulary.of(pack))
    ignore = {normalize(c) for c in ignore_columns}
    sources: dict[str, Any] = {}
    flat: tuple[str, ...] = ()
    if members is not None and layout == FLAT:
        raise _layout_problem(
            os.fspath(members),
            "平铺登记表只有一个文件，不读成员文件",
            "a flat register is one file: no members file is read",
        )
    if fmt == "jsonl":
        if layout not in (None, "nested"):
            raise _layout_problem(
                hfile,
                f"JSON Lines 登记表的成员嵌套在每户中（不是 {layout}）",
                f"a JSON Lines register nests its members in each household (not {layout})",
            )
        if members is not None:
            raise _fatal(
                os.fspath(members),
                "JSON Lines 的成员嵌套在每户中，不需要成员文件",
                "JSON Lines households carry their members: no members file is read",
            )
        sources["households"] = _JsonLines(hpath, hfile, encoding, amap.vocabulary)
        found = "nested"
    elif members is None:
        sources, found = _one_file(hpath, hfile, fmt, encoding, amap, ignore, allowed, layout)
    else:
        if layout not in (None, "two-file"):
            raise _layout_problem(
                os.fspath(members),
                f"给出了成员文件，登记表为两表（不是 {layout}）",
                f"with a members file the register is two files (not {layout})",
            )
        sources["households"] = _source(
            hpath, hfile, fmt, "households", encoding, amap, ignore, allowed
        )
        mpath = Path(members)
        mfile = os.fspath(members)
        _check_file(mpath, mfile)
        mfmt = _format_of(mpath, mfile) if format is None else fmt
        if mfmt == "xlsx":
            sheet = _sheet_named(mpath, mfile, "members")
            sources["members"] = _XlsxSource(mpath, mfile, sheet, "members", amap, ignore, None)
        else:
            sources["members"] = _source(
                mpath, mfile, mfmt, "members", encoding, amap, ignore, None
            )
        main = sources["households"]
        if isinstance(main, _ArrowSource) and main.member_source is not None:
            raise _fatal(
                mfile,
                "户表已嵌套 members 列，不能再给成员文件",
                "the households table nests a members column: no members file is read",
            )
        found = "two-file"
    main = sources["households"]
    flat = tuple(c for c in main.columns if c.startswith(("procedures.", "checklists.")))
    return Register(
        fmt=fmt,
        entity="households",
        sources=sources,
        aliases=amap,
        on_error=on_error,
        batch_size=batch_size,
        max_problems=max_problems,
        flat=flat,
        as_of=as_of,
        layout=found,
        readings=readings,
    )


def _one_file(
    path: Path,
    file: str,
    fmt: str,
    encoding: str | None,
    amap: AliasMap,
    ignore: set[str],
    allowed: set[str] | None,
    layout: str | None,
) -> tuple[dict[str, Any], str]:
    """The sources of a register given as one file (no members file), and its layout.

    A workbook's two sheets are loaded at once, each on a thread (calamine parses
    without Python's lock), unless the register is flat (one sheet read)."""
    if fmt != "xlsx":
        return _one_file_sources(path, file, fmt, encoding, amap, ignore, allowed, layout)
    sheet, msheet = _pick_sheets(path, file)
    if msheet is None or layout not in (None, "two-file"):
        return _one_file_sources(
            path, file, fmt, encoding, amap, ignore, allowed, layout, sheet, msheet
        )
    preload_sheets(path, file, [sheet, msheet])
    try:
        sources, found = _one_file_sources(
            path, file, fmt, encoding, amap, ignore, allowed, layout, sheet, msheet
        )
    except BaseException:
        forget_sheets(path, [sheet, msheet])
        raise
    if found == FLAT:
        forget_sheets(path, [msheet])
    return sources, found


def _one_file_sources(
    path: Path,
    file: str,
    fmt: str,
    encoding: str | None,
    amap: AliasMap,
    ignore: set[str],
    allowed: set[str] | None,
    layout: str | None,
    sheet: str | None = None,
    msheet: str | None = None,
) -> tuple[dict[str, Any], str]:
    """:func:`_one_file` once a workbook's sheets are named (``sheet``: the households
    sheet or a flat register's, ``msheet``: the members sheet, if any)."""
    sources: dict[str, Any] = {}
    if fmt not in ("csv", "xlsx", "parquet", "arrow"):
        raise _fatal(
            file,
            f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
            f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
        )
    if layout == "two-file" and fmt != "xlsx":
        raise _layout_problem(
            file,
            f"两表登记表须给出成员文件（{option('members', 'zh')}）",
            f"a two-file register needs the members file ({option('members')})",
        )
    headers = _headers_in(path, file, fmt, encoding, sheet)
    if layout == FLAT or (
        layout is None and headers is not None and _is_flat(headers, amap, ignore)
    ):
        if headers is None:
            raise _layout_problem(
                file,
                "文件嵌套了 members 列，不是平铺登记表",
                "the file nests a members column: it is not a flat register",
            )
        if fmt == "xlsx":
            assert sheet is not None
            sources["households"] = _XlsxSource(path, file, sheet, FLAT, amap, ignore, allowed)
        else:
            sources["households"] = _source(path, file, fmt, FLAT, encoding, amap, ignore, allowed)
        return sources, FLAT
    if fmt == "xlsx":
        assert sheet is not None
        if layout == "nested":
            raise _layout_problem(
                file,
                "xlsx 登记表不嵌套成员（用 two-file 或 flat）",
                "an xlsx register does not nest members (use two-file or flat)",
            )
        sources["households"] = _XlsxSource(path, file, sheet, "households", amap, ignore, allowed)
        if msheet is None:
            raise _fatal(
                file,
                "工作簿中没有成员表（工作表名 members/成员），也不是平铺登记表（一人一行）；"
                f"请给出成员文件（{option('members', 'zh')}）",
                "the workbook has no members sheet (named members/成员) and is no flat "
                f"register (a row per person): give the members file ({option('members')})",
            )
        sources["members"] = _XlsxSource(path, file, msheet, "members", amap, ignore, None)
        return sources, "two-file"
    main = _source(path, file, fmt, "households", encoding, amap, ignore, allowed)
    sources["households"] = main
    if isinstance(main, _ArrowSource) and main.member_source is not None:
        if layout == "two-file":
            raise _layout_problem(
                file,
                "户表嵌套了成员，不是两表登记表",
                "the households table nests its members: it is not a two-file register",
            )
        return sources, "nested"
    raise _fatal(
        file,
        f"缺少成员表：请给出成员文件（{option('members', 'zh')}），或在表中嵌套 members 列，"
        "或用平铺登记表（一人一行，户的各列在每行重复）",
        f"no members: give the members file ({option('members')}), nest a members column "
        "in the households table, or give a flat register (a row per person, the "
        "household's columns repeated on each row)",
    )


def read_table(
    path: str | os.PathLike[str],
    kind: type[Any] = Village,
    *,
    format: str | None = None,
    encoding: str | None = None,
    aliases: AliasMap | Mapping[str, Any] | None = None,
    ignore_columns: Iterable[str] = (),
    on_error: OnError = "fail",
    pack: Any = None,
    max_problems: int | None = 10_000,
) -> RegisterBatch:
    """Read a table of villages or counties (CSV, Parquet, Arrow IPC or xlsx) as one
    typed batch matching ``arrow_schema(kind)``, with the same column names, cells,
    checks and ``on_error`` as :func:`open_register`."""
    _options(on_error, 1)
    entity = {Village: "villages", County: "counties"}.get(kind)
    if entity is None:
        raise ValueError(f"read_table reads villages or counties, not {kind!r}")
    p = Path(path)
    file = os.fspath(path)
    _check_file(p, file)
    fmt = format.lower().lstrip(".") if format else _format_of(p, file)
    if fmt == "jsonl":
        raise _fatal(
            file,
            "村、县表请用 CSV、Parquet、Arrow 或 xlsx",
            "villages and counties are read from CSV, Parquet, Arrow or xlsx",
        )
    allowed, labels = _pack_columns(pack, entity)
    amap = _aliases(aliases, {}, _vocabulary.of(pack))
    if labels:
        amap = amap.extended(
            {entity: {h: c for h, c in labels.items() if normalize(h) not in amap.columns[entity]}}
        )
    source = _source(
        p, file, fmt, entity, encoding, amap, {normalize(c) for c in ignore_columns}, allowed
    )
    register = Register(
        fmt=fmt,
        entity=entity,
        sources={"households": source},
        aliases=amap,
        on_error=on_error,
        batch_size=1 << 30,
        max_problems=max_problems,
        flat=tuple(c for c in source.columns if "." in c),
    )
    return register.read_all()
