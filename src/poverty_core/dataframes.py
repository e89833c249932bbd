"""pandas and polars DataFrames in and out of the register job, through Arrow.

:func:`decide_frame` decides a DataFrame of households (with a DataFrame of their
members, or one flat DataFrame with a row per person) under a pack and returns a
DataFrame of the results — ``id``, ``outcome``, a column per criterion, ``failed`` and
``missing`` — of the same library (pandas or polars), row for row what
:func:`~poverty_core.jobs.assess_register` writes to a results file for the same
register. :func:`assess_frames` returns the whole
:class:`~poverty_core.jobs.Assessment` (counts, roll-ups, villages and counties,
rejects) with the results kept.

The frames become Arrow tables without copying where the columns allow it
(``DataFrame.to_arrow`` for polars, ``pyarrow.Table.from_pandas`` for pandas; numbers
and booleans are shared, pandas' text is converted). They are then checked by the same
register reader as a file — the same checks, messages, ``on_error`` and no-loss
accounting — which reads Arrow IPC: each table is written once into an anonymous
in-memory file (``memfd``; on a system without it, a private temporary folder removed
at the end of the call) that the reader maps without copying. No file with the
register's data outlives the call. Problems name the frame, the row (the first row of
a frame is 1, as in a Parquet or Arrow file) and the column: ``households:2:age``.

The results come back as an Arrow table turned into the caller's library
(``Table.to_pandas``, ``polars.from_arrow``), status columns as plain text.

pandas and polars are optional (``pip install 'poverty-core[pandas]'`` or
``'poverty-core[polars]'``); neither is imported by this module: it works with the
frame it is given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.batch import plain_columns
from poverty_core.errors import InputError, Problem
from poverty_core.jobs import Assessment, assess_register
from poverty_core.packs import Pack
from poverty_core.read_options import ReadOptions, read_options
from poverty_core.sources import OnError

__all__ = ["assess_frames", "decide_frame", "from_arrow", "to_arrow"]


def _library(frame: Any) -> str:
    module = type(frame).__module__.split(".")[0]
    if module in ("pandas", "polars"):
        return module
    if isinstance(frame, pa.Table):
        return "pyarrow"
    raise TypeError(
        f"expected a pandas or polars DataFrame or an Arrow table, not {type(frame).__name__}"
    )


def to_arrow(frame: Any) -> pa.Table:
    """A pandas or polars DataFrame (or an Arrow table, as it is) as an Arrow table,
    without copying the columns that allow it; a pandas index is dropped."""
    library = _library(frame)
    if library == "polars":
        return frame.to_arrow()
    if library == "pandas":
        return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata()
    return frame


def from_arrow(table: pa.Table, like: Any) -> Any:
    """``table`` as a DataFrame of the library ``like`` is of (pandas or polars; an
    Arrow table for an Arrow table)."""
    library = _library(like)
    if library == "polars":
        return importlib.import_module("polars").from_arrow(table)
    if library == "pandas":
        return table.to_pandas()
    return table


def _small_text(table: pa.Table) -> pa.Table:
    """Text columns as Arrow ``string`` (32-bit offsets), as the register reader reads
    files: pandas and polars give ``large_string`` (or ``string_view``). Only the
    offsets are rebuilt; the text itself is shared."""
    fields = []
    for field in table.schema:
        if pa.types.is_large_string(field.type) or str(field.type) == "string_view":
            field = field.with_type(pa.string())
        fields.append(field)
    schema = pa.schema(fields)
    return table if schema == table.schema else table.cast(schema)


@contextlib.contextmanager
def _in_memory(tables: Mapping[str, pa.Table]) -> Iterator[dict[str, str]]:
    """Each table as an Arrow IPC file the register reader opens by path: the paths,
    by name. Anonymous memory where the system has it, else a private folder; gone
    when the block ends."""
    paths: dict[str, str] = {}
    descriptors: list[int] = []
    folder: str | None = None
    try:
        for name, table in tables.items():
            if hasattr(os, "memfd_create"):
                fd = os.memfd_create(f"{name}.arrow")
                descriptors.append(fd)
                sink: Any = os.fdopen(os.dup(fd), "wb")
                paths[name] = f"/proc/self/fd/{fd}"
            else:  # pragma: no cover - systems without memfd
                folder = folder or tempfile.mkdtemp(prefix="poverty-core-")
                paths[name] = os.path.join(folder, f"{name}.arrow")
                sink = open(paths[name], "wb")  # noqa: SIM115 - closed below
            table = _small_text(table)
            with sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        yield paths
    finally:
        for fd in descriptors:
            os.close(fd)
        if folder is not None:  # pragma: no cover - systems without memfd
            shutil.rmtree(folder, ignore_errors=True)


def _renamer(paths: Mapping[str, str]) -> Callable[[str], str]:
    """A function putting each frame's name where its in-memory file's path is."""
    pairs = sorted(((path, name) for name, path in paths.items()), key=lambda p: -len(p[0]))

    def rename(text: str) -> str:
        for path, name in pairs:
            text = text.replace(path, name)
        return text

    return rename


def _problems(problems: Sequence[Problem], rename: Callable[[str], str]) -> tuple[Problem, ...]:
    return tuple(
        Problem(rename(p.path), Text(rename(p.message.zh), rename(p.message.en))) for p in problems
    )


def assess_frames(
    households: Any,
    members: Any = None,
    *,
    pack: Pack | str = "national",
    decision: str = "household_exit",
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    villages: Any = None,
    counties: Any = None,
    read: ReadOptions | None = None,
    allow_undetermined: bool = False,
    on_error: OnError | None = None,
    aliases: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] | None = None,
    batch_size: int | None = None,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> Assessment:
    """Run the register job (:func:`~poverty_core.jobs.assess_register`) on
    DataFrames: ``households`` (two-file with ``members``, keyed by ``household_id``;
    or flat, a row per person; or nested), the optional ``villages`` and ``counties``
    frames, read as files of those shapes are. The assessment keeps its results
    (:attr:`~poverty_core.jobs.Assessment.results`, an Arrow table); problems and
    rejects name the frames (``households``, ``members``, ``villages``, ``counties``).

    ``read`` is how the frames are read (:class:`~poverty_core.read_options.ReadOptions`;
    its layout, when not given, is ``two-file`` with ``members``, else told from the
    columns). ``on_error``, ``aliases``, ``ignore_columns``, ``batch_size``, ``layout``
    and ``interpretations`` are its fields as separate keywords, deprecated since 0.2
    (they warn with a :class:`DeprecationWarning`)."""
    read = read_options(
        read,
        "assess_frames",
        {
            "on_error": on_error,
            "aliases": aliases,
            "ignore_columns": ignore_columns,
            "batch_size": batch_size,
            "layout": layout,
            "interpretations": interpretations,
        },
    )
    if read.layout is None and members is not None:
        read = attrs.evolve(read, layout="two-file")
    frames = {
        name: to_arrow(frame)
        for name, frame in (
            ("households", households),
            ("members", members),
            ("villages", villages),
            ("counties", counties),
        )
        if frame is not None
    }
    with _in_memory(frames) as paths:
        rename = _renamer(paths)
        try:
            assessment = assess_register(
                paths["households"],
                paths.get("members"),
                pack=pack,
                decision=decision,
                as_of=as_of,
                overrides=overrides,
                villages=paths.get("villages"),
                counties=paths.get("counties"),
                read=read,
                allow_undetermined=allow_undetermined,
                keep_results=True,
            )
        except InputError as err:
            raise InputError(_problems(err.problems, rename), what=rename(err.what)) from None
    return attrs.evolve(
        assessment,
        source=rename(assessment.source),
        files=tuple(attrs.evolve(f, file=rename(f.file)) for f in assessment.files),
        rejects=tuple(
            attrs.evolve(r, file=rename(r.file), problems=_problems(r.problems, rename))
            for r in assessment.rejects
        ),
    )


def decide_frame(
    households: Any,
    members: Any = None,
    *,
    pack: Pack | str = "national",
    decision: str = "household_exit",
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    read: ReadOptions | None = None,
    allow_undetermined: bool = False,
    on_error: OnError | None = None,
    aliases: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] | None = None,
    layout: str | None = None,
) -> Any:
    """Decide a DataFrame of households (and of their ``members``) under ``pack``: a
    DataFrame of the same library with a row per household decided — ``id``,
    ``outcome``, a column per criterion (``failed``, ``passed``, ``unknown``,
    ``not_in_force``), ``failed`` and ``missing`` (``;``-separated) — the rows a
    results file of :func:`~poverty_core.jobs.assess_register` holds. ``read`` as
    :func:`assess_frames` takes it (``on_error``, ``aliases``, ``ignore_columns`` and
    ``layout`` as separate keywords are deprecated since 0.2).

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> households = pa.table({"id": ["h1"], "annual_net_income_per_capita": [4100.0],
    ...                        "food_secure": [True], "clothing_secure": [True],
    ...                        "house_grade": ["A"]})
    >>> members = pa.table({"household_id": ["h1"], "id": ["p1"], "age": [40],
    ...                     "basic_medical_insurance": [True],
    ...                     "serious_illness_insurance": [True], "medical_assistance": [True]})
    >>> results = decide_frame(households, members, pack="national",
    ...                        as_of=dt.date(2016, 12, 31))
    >>> results.column("outcome").to_pylist()
    ['eligible']
    """
    assessment = assess_frames(
        households,
        members,
        pack=pack,
        decision=decision,
        as_of=as_of,
        overrides=overrides,
        read=read_options(
            read,
            "decide_frame",
            {
                "on_error": on_error,
                "aliases": aliases,
                "ignore_columns": ignore_columns,
                "layout": layout,
            },
        ),
        allow_undetermined=allow_undetermined,
    )
    table = assessment.results
    if table is None:  # no household was decided: the columns, no row
        table = pa.table({"id": pa.array([], pa.string())})
    return from_arrow(plain_columns(table), households)
