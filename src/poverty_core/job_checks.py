"""What a register job checks before it reads a row: the options themselves
(:func:`check_options`: a bad batch size, results format or rejects option, an output
that is an input or another output; :class:`~poverty_core.sources.UsageError`; with the
reading options, :func:`job_options`), that
the decision can decide on the date (:func:`check_ready`; :class:`NotReady`), and the
temporary files an interrupted run left (:func:`remove_stale`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from poverty_core._text import Text
from poverty_core._wording import option
from poverty_core.errors import PovertyCoreError
from poverty_core.io import check_outputs, remove_stale_temps
from poverty_core.packs import Pack
from poverty_core.read_options import ReadOptions, read_options
from poverty_core.readiness import Readiness
from poverty_core.record_model import record_path
from poverty_core.sources import UsageError

RESULT_SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")
"""The results files :func:`assess_register` writes: a row per household (CSV, Parquet,
JSON Lines) or the whole :class:`Assessment` with its households (JSON)."""


class NotReady(PovertyCoreError):
    """The pack cannot decide on the date: a parameter every eligible record needs has
    no value (``poverty-core`` exit code 4, before any row is read)."""


def _usage(zh: str, en: str) -> UsageError:
    return UsageError(Text(zh, en))


def check_options(
    *,
    households: str | os.PathLike[str] | None,
    members: str | os.PathLike[str] | None = None,
    villages: str | os.PathLike[str] | None = None,
    counties: str | os.PathLike[str] | None = None,
    output: str | None = None,
    report: str | None = None,
    rejects: str | None = None,
    on_error: str = "fail",
    batch_size: int = 65536,
) -> None:
    """Raise :class:`UsageError` for what is wrong with the job itself, before
    anything is read or written: a bad batch size, results format or rejects option;
    :class:`~poverty_core.io.OutputClash` for an output that would replace an input or
    another output. Each option is named as the caller gave it (``output=`` from Python,
    ``-o`` on the command line: :func:`poverty_core._wording.option`)."""
    if batch_size < 1:
        name = option("batch_size")
        raise _usage(
            f"{name} 须为正整数（实为 {batch_size}）",
            f"{name} must be a positive whole number (got {batch_size})",
        )
    if output is not None and not output.lower().endswith(RESULT_SUFFIXES):
        formats = ", ".join(RESULT_SUFFIXES)
        name = option("output")
        raise _usage(
            f"{name} {output}：结果文件须以 {formats} 结尾",
            f"{name} {output}: a results file ends in {formats}",
        )
    if rejects and on_error != "skip":
        name, skip = option("rejects"), option("skip")
        raise _usage(f"{name} 需配合 {skip}", f"{name} needs {skip}")
    beside = (
        record_path(output) if output is not None and not output.lower().endswith(".json") else None
    )
    check_outputs(
        {
            option("households"): households,
            option("members_file"): members,
            option("villages"): villages,
            option("counties"): counties,
        },
        {
            option("output"): output,
            f"{option('output')} (record)": beside,
            option("report"): report,
            option("rejects"): rejects,
        },
    )


def job_options(
    function: str,
    read: ReadOptions | None,
    separate: Mapping[str, Any],
    *,
    households: str | os.PathLike[str] | None,
    members: str | os.PathLike[str] | None,
    villages: str | os.PathLike[str] | None,
    counties: str | os.PathLike[str] | None,
    output: str | None,
    report: str | None,
    rejects: str | None,
) -> ReadOptions:
    """A register job's reading options (``read``, or the deprecated ``separate``
    keywords: :func:`~poverty_core.read_options.read_options`), its options checked
    (:func:`check_options`) — what :func:`~poverty_core.jobs.assess_register` and
    :func:`~poverty_core.compare.compare_register` do first."""
    chosen = read_options(read, function, separate, stacklevel=4)
    check_options(
        households=households,
        members=members,
        villages=villages,
        counties=counties,
        output=output,
        report=report,
        rejects=rejects,
        on_error=chosen.on_error,
        batch_size=chosen.batch_size,
    )
    return chosen


def check_ready(
    pack: Pack,
    decision: str,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    *,
    allow_undetermined: bool = False,
    notify: Callable[[Text], None] | None = None,
) -> Readiness:
    """Before any row is read: ``decision`` must govern on ``as_of`` (else
    :class:`~poverty_core.errors.NotInForce`) and no parameter every eligible record
    needs may lack a value (else :class:`NotReady`, naming it and how to supply it,
    unless ``allow_undetermined``: then each gap is told to ``notify``)."""
    plan = pack.readiness(decision, as_of=as_of, overrides=dict(overrides))
    if plan.blocking:
        if not allow_undetermined:
            zh = "；".join(g.explain("zh") for g in plan.blocking)
            en = "; ".join(g.explain("en") for g in plan.blocking)
            hint_zh = (
                f"（或用 {option('allow_undetermined', 'zh')} 照常运行，这些户将为「无法判定」）"
            )
            hint_en = (
                f" (or run anyway with {option('allow_undetermined')}: "
                "those rows come out undetermined)"
            )
            raise NotReady(
                Text(
                    f"策略包 {pack.name} 在 {as_of} 无法判定 {decision}：{zh}{hint_zh}",
                    f"pack {pack.name} cannot decide {decision} on {as_of}: {en}{hint_en}",
                )
            )
        if notify is not None:
            for gap in plan.blocking:
                notify(Text(gap.explain("zh"), gap.explain("en")))
    return plan


def remove_stale(paths: Sequence[str | None], notify: Callable[[Text], None] | None) -> None:
    """Temporary files that killed runs left beside these outputs: removed, with a note."""
    folders = {os.path.dirname(os.path.abspath(p)) for p in paths if p}
    for folder in sorted(folders):
        for path in remove_stale_temps(folder):
            if notify is not None:
                notify(
                    Text(
                        f"已删除此前被中断的运行留下的临时文件：{path}",
                        f"removed a temporary file an interrupted run left: {path}",
                    )
                )
