"""The values of dynamic management (:mod:`poverty_core.dynamic`): the transition kinds,
the register states a household can be in, why a transition was decided (each reason
with its zh/en text), the gaps the sources leave (no buffer period, no identification
test, no re-entry or removal procedure — stated, never invented), and the
:class:`Transition` of one household with the procedure it starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from poverty_core._text import Language, Text
from poverty_core.codes import Code, HouseholdStatus, StatusEventKind
from poverty_core.engine import DecisionResult, Finding
from poverty_core.parameters import Citation

IDENTIFICATION_DECISION = "household_identification"
"""The id a pack gives a decision that tests the identification conditions (none of the
shipped packs has one: the sources do not give the conditions)."""

EXIT_DECISION = "household_exit"
EXIT_PROCEDURE = "household_exit"


class TransitionKind(Code):
    """The transition dynamic management calls for."""

    EXIT = "exit", "脱贫退出", "exit"
    RE_ENTRY = "re_entry", "返贫纳入", "re-entry (returned to poverty)"
    REMOVAL = "removal", "清退", "removal (does not meet the identification conditions)"
    STAYS = "stays", "维持现状", "stays"
    UNDETERMINED = "undetermined", "无法判定", "undetermined"


KINDS: tuple[TransitionKind, ...] = tuple(TransitionKind)
STATES = ("registered", "exited", "removed", "not_registered", None)
"""Register states by code (``None``: unknown)."""
STATE_LABELS = {
    "registered": Text("在册（未脱贫或返贫）", "registered (not exited, or returned)"),
    "exited": Text("已脱贫", "exited"),
    "removed": Text("已清退", "removed"),
    "not_registered": Text("该日尚未识别纳入", "not yet identified on the date"),
    None: Text("未知", "unknown"),
}
REGISTERED, EXITED, REMOVED, NOT_REGISTERED, UNKNOWN = range(5)

EVENT_STATE = {
    StatusEventKind.IDENTIFIED: REGISTERED,
    StatusEventKind.RETURNED: REGISTERED,
    StatusEventKind.EXITED: EXITED,
    StatusEventKind.REMOVED: REMOVED,
}
STATUS_STATE = {
    HouseholdStatus.NOT_EXITED: REGISTERED,
    HouseholdStatus.RETURNED: REGISTERED,
    HouseholdStatus.EXITED_SUPPORTED: EXITED,
    HouseholdStatus.EXITED: EXITED,
}
EVENT_CODES = {k.value: i for i, k in enumerate(StatusEventKind)}
EVENT_BY_CODE = list(StatusEventKind)

# Why a transition was decided, by code (index into REASONS).
REASONS: tuple[tuple[str, Text], ...] = (
    (
        "status_conflicts_with_history",
        Text(
            "登记的脱贫状态与状态变动记录不一致：请核对",
            "the recorded status contradicts the status history: check the record",
        ),
    ),
    (
        "state_unknown",
        Text(
            "没有脱贫状态，也没有该日以前的状态变动记录",
            "no status and no status event on or before the date",
        ),
    ),
    (
        "flagged_for_removal",
        Text(
            "调用方的识别核查认定不符合识别条件",
            "the caller's identification check found it does not meet the conditions",
        ),
    ),
    (
        "identification_failed",
        Text("不符合本包的识别条件", "does not meet the pack's identification conditions"),
    ),
    (
        "identification_undetermined",
        Text("无法判定是否符合识别条件（缺数据）", "identification undetermined (data missing)"),
    ),
    ("meets_exit", Text("符合脱贫退出标准：脱贫即出", "meets the exit standard: exit")),
    (
        "exit_undetermined",
        Text("无法判定是否符合脱贫退出标准（缺数据）", "exit undetermined (data missing)"),
    ),
    ("still_poor", Text("尚未达到脱贫退出标准", "does not yet meet the exit standard")),
    (
        "returned",
        Text(
            "已脱贫户不再符合脱贫标准（收入或两不愁三保障）：返贫即入",
            "an exited household no longer meets the exit standard (income, or the two "
            "assurances and three guarantees): re-entry",
        ),
    ),
    ("still_out", Text("已脱贫户仍符合脱贫标准", "the exited household still meets the standard")),
    (
        "exited_undetermined",
        Text(
            "无法判定已脱贫户是否返贫（缺数据）",
            "whether the exited household returned is undetermined (data missing)",
        ),
    ),
    ("removed_earlier", Text("此前已清退", "removed earlier")),
    ("not_registered", Text("该日尚未识别纳入", "not yet identified on the date")),
)
REASON_CODES = {code: i for i, (code, _) in enumerate(REASONS)}

GAP_BUFFER = Text(
    "缓冲期：来源未给出贫困户脱贫后的缓冲期长度（福建省脱贫攻坚现场推进会报道，三是成果要再巩固），"
    "故返贫按判定日的情况判定，不设缓冲期。",
    "Buffer period: the sources give no length of a buffer period for exited households "
    "(Fujian provincial meeting report, part 3), so a return is decided on the date's "
    "data, with no buffer.",
)
GAP_IDENTIFICATION = Text(
    "识别条件：来源未给出识别（及清退）的检验条件；清退只依本包的识别决策（如有）"
    "或调用方提供的识别核查结论。",
    "Identification conditions: the sources give no test of the identification (or "
    "removal) conditions; removal follows only the pack's identification decision (if any) "
    "or the caller's identification findings.",
)
GAP_PROCEDURE = {
    TransitionKind.RE_ENTRY: Text(
        "返贫纳入的程序：来源未给出（只有脱贫退出程序），由调用方或下级包凭出处提供。",
        "Procedure of re-entry: not given by the sources (only the exit procedure is); a "
        "caller or child pack supplies one with a citation.",
    ),
    TransitionKind.REMOVAL: Text(
        "清退的程序：来源未给出，由调用方或下级包凭出处提供。",
        "Procedure of removal: not given by the sources; a caller or child pack supplies "
        "one with a citation.",
    ),
}


@attrs.frozen
class ProcedureStep:
    """One step of the procedure a transition starts, with the date the record gives."""

    id: str
    label: Text
    done_on: dt.date | None


@attrs.frozen
class ProcedureStart:
    """The pack procedure a transition starts, with the steps the record has dated."""

    id: str
    title: Text
    citation: Citation
    steps: tuple[ProcedureStep, ...]

    @property
    def complete(self) -> bool:
        """True when every step is dated."""
        return all(s.done_on is not None for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.id,
            "title": self.title.to_dict(),
            "citation": self.citation.to_dict(),
            "complete": self.complete,
            "steps": [
                {
                    "id": s.id,
                    "label": s.label.to_dict(),
                    "done_on": s.done_on.isoformat() if s.done_on else None,
                }
                for s in self.steps
            ],
        }


@attrs.frozen
class Transition:
    """The transition dynamic management calls for, for one household on one date."""

    household_id: str
    as_of: dt.date
    kind: TransitionKind
    reason: str
    """Why, as a code (``meets_exit``, ``returned``, ``flagged_for_removal`` …)."""
    reason_text: Text
    state: str | None
    """The register state on the date: ``registered``, ``exited``, ``removed``,
    ``not_registered`` or ``None`` (unknown)."""
    since: dt.date | None
    """The date of the status event that set the state (``None``: from ``status``)."""
    exit: DecisionResult | None
    """The exit decision on the date, with its findings (``None`` when not needed)."""
    identification: DecisionResult | None
    """The pack's identification decision, when it has one."""
    removal_reasons: tuple[Text, ...]
    """The caller's identification findings for this household (``removals=``)."""
    procedure: ProcedureStart | None
    gaps: tuple[Text, ...]
    citations: tuple[Citation, ...]
    village_id: str | None = None
    county_id: str | None = None

    @property
    def failed(self) -> tuple[Finding, ...]:
        """The exit findings that failed (why a household stays poor or returned)."""
        return () if self.exit is None else self.exit.failed

    @property
    def missing(self) -> tuple[str, ...]:
        """What was missing where the transition is undetermined."""
        out: list[str] = []
        if self.kind is TransitionKind.UNDETERMINED:
            if self.reason == "state_unknown":
                out += ["status", "history"]
            for result in (self.identification, self.exit):
                if result is not None:
                    out += [m for m in result.missing if m not in out]
        return tuple(out)

    def explain(self, language: Language = "en") -> str:
        """A readable account: the transition, why, the findings, the procedure, gaps."""
        zh = language == "zh"
        state = STATE_LABELS[self.state][language]
        since = (
            f"（{self.since}）" if zh and self.since else f" ({self.since})" if self.since else ""
        )
        lines = [
            f"{self.household_id}: {self.kind.label[language]} — {self.reason_text[language]}",
            ("状态：" if zh else "state: ") + state + since,
        ]
        for reason in self.removal_reasons:
            lines.append(("清退依据：" if zh else "removal finding: ") + reason[language])
        for result in (self.identification, self.exit):
            if result is not None:
                lines += ["  " + f.explain(language) for f in result.findings]
        if self.procedure is not None:
            steps = "、".join if zh else ", ".join
            lines.append(
                ("启动程序：" if zh else "starts the procedure: ")
                + f"{self.procedure.title[language]} ("
                + steps(
                    s.label[language] + (f" {s.done_on}" if s.done_on else "")
                    for s in self.procedure.steps
                )
                + ")"
            )
        lines += [("缺口：" if zh else "gap: ") + g[language] for g in self.gaps]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (no personal data: ids, codes, findings, dates)."""
        return {
            "household_id": self.household_id,
            "village_id": self.village_id,
            "county_id": self.county_id,
            "as_of": self.as_of.isoformat(),
            "transition": self.kind.value,
            "label": self.kind.label.to_dict(),
            "reason": self.reason,
            "reason_text": self.reason_text.to_dict(),
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "missing": list(self.missing),
            "removal_reasons": [r.to_dict() for r in self.removal_reasons],
            "identification": None
            if self.identification is None
            else self.identification.to_dict(),
            "exit": None if self.exit is None else self.exit.to_dict(),
            "procedure": None if self.procedure is None else self.procedure.to_dict(),
            "gaps": [g.to_dict() for g in self.gaps],
            "citations": [c.to_dict() for c in self.citations],
        }


SAMPLE = "dynamic_synthetic.json"
"""The bundled SYNTHETIC register with status histories (``transitions --sample``)."""
