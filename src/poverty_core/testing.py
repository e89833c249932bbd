"""The pack testing kit: test cases as data, collected and run by pytest.

A pack author writes cases in ``*.cases.toml`` files — an input record, a date, the
expected outcome and findings — and enables the collector in the pack's
``conftest.py``::

    pytest_plugins = ["poverty_core.testing"]

Every case runs twice, on the one-record path and on the batch path, and fails if the
two disagree or if either differs from what the case expects. The format::

    pack = "fujian"                 # default for every case of the file
    as_of = 2016-12-31              # default date

    [records.eligible]              # named base records cases can start from
    id = "h1"
    annual_net_income_per_capita = 3100
    members = [{ id = "p1", age = 40 }]

    [[case]]
    name = "income at the line fails"
    decision = "household_exit"     # or classifier / entitlement / indicator
    record = "eligible"             # a base record's name, or an inline table
    set = { annual_net_income_per_capita = 2952 }   # top-level fields replaced
    unset = ["food_secure"]         # top-level fields removed (left unknown)
    expect = { outcome = "not_eligible", failed = ["income_above_line"] }
    note = "16号: 稳定超过国家扶贫标准 — 超过 excludes the bound"   # optional: the source

Expectations: ``outcome``; ``passed`` / ``failed`` / ``unknown`` / ``not_in_force``
(criteria that must have that status); ``error = "not_in_force"`` (the decision,
classifier, entitlement or indicator governs on none of the case's dates: both paths must
raise :class:`~poverty_core.errors.NotInForce`); ``missing`` (exactly these missing
fields); ``class`` (a classifier);
``total`` / ``known_total`` (an entitlement); ``values`` (an indicator: ``{group or code
= value}``, compared to ``places`` decimals, default 6) and ``meets_target``
(``{group = true/false}``). ``"undetermined"`` stands for a class, total, value or
target that cannot be decided. Indicator cases take
``records`` (a list) and/or ``groups`` (``[{count = N, record = …, set = …}]`` —
``count`` copies with ids suffixed ``-1``, ``-2`` …) and ``by``. Reference data the
rules read (:func:`poverty_core.blocks.reference`) are given as ``references = { name =
[…] }``, in a case or for the whole file; ``references = {}`` in a case runs it with none.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from poverty_core.convert import RECORD_TYPES, structure_many
from poverty_core.errors import NotInForce, PovertyCoreError
from poverty_core.packs import Pack
from poverty_core.plugins import PackRegistry, load_pack

__all__ = ["Case", "CaseFailure", "load_cases", "run_case"]

_CASE_KEYS = {
    "name", "pack", "as_of", "decision", "classifier", "entitlement", "indicator",
    "record", "set", "unset", "records", "groups", "by", "overrides", "expect", "kind",
    "note", "references",
}  # fmt: skip
_EXPECT_KEYS = {
    "outcome", "passed", "failed", "unknown", "not_in_force", "missing", "class", "total",
    "known_total", "values", "places", "meets_target", "error",
}  # fmt: skip


UNDETERMINED = "undetermined"
"""Expected in place of a class, total or indicator value that cannot be decided."""


class CaseFailure(AssertionError):
    """A case's result differs from what it expects (or the two paths disagree)."""


@attrs.frozen
class Case:
    """One test case read from a ``*.cases.toml`` file."""

    name: str
    pack: str
    as_of: dt.date
    target: tuple[str, str]
    """``("decision", "household_exit")`` and the like."""
    kind: str
    """The record kind (household, village or county)."""
    records: tuple[dict[str, Any], ...]
    expect: dict[str, Any]
    overrides: dict[str, Any]
    by: str | None = None
    file: str = ""
    references: dict[str, Any] = attrs.Factory(dict)
    """Reference data the case's runs use (by name, as the pack declares them)."""
    records_pack: str | None = None
    """The file's ``pack``: when the case's pack is one of its ancestors (a comparison
    with a parent), the records are built with this pack's record classes, so they keep
    the fields it declares (which the parent's rules do not read)."""


def _bad(file: str, where: str, message: str) -> CaseFailure:
    return CaseFailure(f"{file} {where}: {message}")


def _resolve(
    bases: dict[str, Any],
    spec: Any,
    patch: Any,
    file: str,
    where: str,
    unset: Any = (),
) -> dict[str, Any]:
    if isinstance(spec, str):
        if spec not in bases:
            raise _bad(file, where, f"unknown base record {spec!r}; known: {', '.join(bases)}")
        record: dict[str, Any] = copy.deepcopy(bases[spec])
    elif isinstance(spec, dict):
        record = copy.deepcopy(spec)
    else:
        raise _bad(file, where, "record must be a base record's name or a table")
    if patch is not None:
        if not isinstance(patch, dict):
            raise _bad(file, where, "set must be a table")
        record.update(copy.deepcopy(patch))
    if not isinstance(unset, list | tuple) or not all(isinstance(u, str) for u in unset):
        raise _bad(file, where, "unset must be a list of field names")
    for name in unset:
        if name not in record:
            raise _bad(file, where, f"unset names {name!r}, which the record does not have")
        del record[name]
    return record


def load_cases(path: str | Path) -> list[Case]:
    """Read a ``*.cases.toml`` file (strictly: unknown keys are errors)."""
    p = Path(path)
    file = p.name
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _bad(file, "", f"TOML error: {exc}") from None
    unknown = set(data) - {"pack", "as_of", "records", "case", "kind", "references"}
    if unknown:
        raise _bad(file, "", f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    bases = data.get("records", {})
    cases = []
    for i, raw in enumerate(data.get("case", [])):
        where = f"case[{i}]"
        extra = set(raw) - _CASE_KEYS
        if extra:
            raise _bad(file, where, f"unknown key(s): {', '.join(sorted(extra))}")
        name = raw.get("name") or where
        targets = [
            (k, raw[k]) for k in ("decision", "classifier", "entitlement", "indicator") if k in raw
        ]
        if len(targets) != 1:
            raise _bad(
                file, name, "needs exactly one of decision, classifier, entitlement, indicator"
            )
        expect = raw.get("expect", {})
        if not expect:
            raise _bad(file, name, "a case must expect something")
        bad_expect = set(expect) - _EXPECT_KEYS
        if bad_expect:
            raise _bad(file, name, f"unknown expectation(s): {', '.join(sorted(bad_expect))}")
        records: list[dict[str, Any]] = []
        if "record" in raw:
            records.append(
                _resolve(bases, raw["record"], raw.get("set"), file, name, raw.get("unset", ()))
            )
        for j, rec in enumerate(raw.get("records", [])):
            records.append(_resolve(bases, rec, None, file, f"{name} records[{j}]"))
        for j, group in enumerate(raw.get("groups", [])):
            count = group.get("count", 1)
            template = _resolve(
                bases, group.get("record"), group.get("set"), file, f"{name} groups[{j}]"
            )
            for k in range(1, count + 1):
                copy_ = copy.deepcopy(template)
                copy_["id"] = f"{template.get('id', f'g{j}')}-{k}"
                records.append(copy_)
        if not records:
            raise _bad(file, name, "no record: give record, records or groups")
        as_of = raw.get("as_of", data.get("as_of"))
        if not isinstance(as_of, dt.date):
            raise _bad(file, name, "as_of must be a TOML date (in the case or the file)")
        pack = raw.get("pack", data.get("pack"))
        if not isinstance(pack, str):
            raise _bad(file, name, "pack must be given (in the case or the file)")
        kind = raw.get("kind", data.get("kind", "household"))
        if kind not in RECORD_TYPES:
            raise _bad(file, name, f"kind must be one of {', '.join(RECORD_TYPES)}")
        cases.append(
            Case(
                name=name,
                pack=pack,
                as_of=as_of,
                target=targets[0],
                kind=kind,
                records=tuple(records),
                expect=dict(expect),
                overrides=dict(raw.get("overrides", {})),
                references=dict(raw.get("references", data.get("references", {}))),
                by=raw.get("by"),
                file=file,
                records_pack=data.get("pack"),
            )
        )
    return cases


def _check(condition: bool, case: Case, message: str) -> None:
    if not condition:
        raise CaseFailure(f"{case.file} — {case.name}: {message}")


def run_case(case: Case, *, registry: PackRegistry | None = None) -> None:
    """Run one case on both paths; raise :class:`CaseFailure` on any difference."""
    pack = load_pack(case.pack, registry=registry)
    if case.references:  # every path of the case runs with them
        pack = pack.with_references(case.references)
    cls = pack.record_type(case.kind)  # the pack's fields too
    if case.records_pack not in (None, case.pack):
        owner = load_pack(case.records_pack, registry=registry)
        if case.pack in owner.chain:  # the file's records, under a parent's rules
            cls = owner.record_type(case.kind)
    try:
        records = structure_many(list(case.records), cls, name="records")
    except PovertyCoreError as exc:
        raise CaseFailure(f"{case.file} — {case.name}: bad record: {exc}") from None
    what, target = case.target
    if case.expect.get("error") is not None:
        _expect_error(pack, what, target, case, records)
        return
    runner = {
        "decision": _run_decision,
        "classifier": _run_classifier,
        "entitlement": _run_entitlement,
        "indicator": _run_indicator,
    }[what]
    runner(pack, target, case, records)


def _expect_error(pack: Pack, what: str, target: str, case: Case, records: list[Any]) -> None:
    expected = case.expect["error"]
    _check(expected == "not_in_force", case, f"unknown expected error {expected!r}")
    kw: dict[str, Any] = {"as_of": case.as_of, "overrides": case.overrides}
    methods = {
        "decision": (pack.decide_batch, pack.decide),
        "classifier": (pack.classify_batch, pack.classify),
        "entitlement": (pack.entitle_batch, pack.entitle),
    }
    calls: list[Callable[[], Any]]
    if what in methods:
        many, one = methods[what]
        calls = [functools.partial(many, target, records, **kw)]
        calls += [functools.partial(one, target, r, **kw) for r in records]
    else:
        calls = [functools.partial(pack.indicator, target, records, by=case.by, **kw)]
    for call in calls:
        try:
            call()
        except NotInForce:
            continue
        _check(False, case, f"{target} decided on {case.as_of}; expected it not in force")


def _statuses(result: Any) -> dict[str, str]:
    return {f.rule.id: f.status.value for f in result.findings}


def _run_decision(pack: Pack, target: str, case: Case, records: list[Any]) -> None:
    kw: dict[str, Any] = {"as_of": case.as_of, "overrides": case.overrides}
    batch = pack.decide_batch(target, records, **kw)
    for i, record in enumerate(records):
        one = pack.decide(target, record, **kw)
        _check(one == batch.result(i), case, f"{record.id}: one-record and batch results differ")
        e = case.expect
        if "outcome" in e:
            _check(
                one.outcome.value == e["outcome"],
                case,
                f"{record.id}: outcome {one.outcome.value}, expected {e['outcome']}\n"
                + one.explain(),
            )
        statuses = _statuses(one)
        for status in ("passed", "failed", "unknown", "not_in_force"):
            for rule_id in e.get(status, []):
                _check(rule_id in statuses, case, f"no criterion {rule_id!r} in {target}")
                _check(
                    statuses[rule_id] == status,
                    case,
                    f"{record.id}: {rule_id} is {statuses[rule_id]}, expected {status}\n"
                    + one.explain(),
                )
        if "missing" in e:
            _check(
                set(one.missing) == set(e["missing"]),
                case,
                f"{record.id}: missing {list(one.missing)}, expected {e['missing']}",
            )


def _run_classifier(pack: Pack, target: str, case: Case, records: list[Any]) -> None:
    kw: dict[str, Any] = {"as_of": case.as_of, "overrides": case.overrides}
    batch = pack.classify_batch(target, records, **kw)
    for i, record in enumerate(records):
        one = pack.classify(target, record, **kw)
        _check(one == batch.result(i), case, f"{record.id}: one-record and batch results differ")
        if "class" in case.expect:
            wanted = case.expect["class"]
            _check(
                one.code == (None if wanted == UNDETERMINED else wanted),
                case,
                f"{record.id}: class {one.code}, expected {case.expect['class']}\n{one.explain()}",
            )
        if "missing" in case.expect:
            _check(
                set(one.missing) == set(case.expect["missing"]),
                case,
                f"{record.id}: missing {list(one.missing)}, expected {case.expect['missing']}",
            )


def _run_entitlement(pack: Pack, target: str, case: Case, records: list[Any]) -> None:
    kw: dict[str, Any] = {"as_of": case.as_of, "overrides": case.overrides}
    batch = pack.entitle_batch(target, records, **kw)
    for i, record in enumerate(records):
        one = pack.entitle(target, record, **kw)
        _check(
            one.total == batch.totals()[i],
            case,
            f"{record.id}: total {one.total} on one record, {batch.totals()[i]} in a batch",
        )
        _check(
            one.known_total == float(batch.known_total[i]),
            case,
            f"{record.id}: known totals differ between paths",
        )
        for key in ("total", "known_total"):
            if key in case.expect:
                wanted = case.expect[key]
                _check(
                    getattr(one, key) == (None if wanted == UNDETERMINED else wanted),
                    case,
                    f"{record.id}: {key} {getattr(one, key)}, expected {case.expect[key]}\n"
                    f"{one.explain()}",
                )


def _run_indicator(pack: Pack, target: str, case: Case, records: list[Any]) -> None:
    rows = pack.indicator(target, records, by=case.by, as_of=case.as_of, overrides=case.overrides)
    places = case.expect.get("places", 6)
    got: dict[str, Any] = {}
    for row in rows:
        key = row.get("code", row["group"])
        got["" if key is None else str(key)] = row["value"]
    for key, wanted in case.expect.get("values", {}).items():
        _check(key in got, case, f"no indicator row {key!r}; rows: {sorted(got)}")
        value = got[key]
        if wanted == UNDETERMINED:
            _check(value is None, case, f"{target}[{key}] = {value}, expected undetermined")
            continue
        _check(
            value is not None and round(value, places) == round(wanted, places),
            case,
            f"{target}[{key}] = {value}, expected {wanted} ({places} places)",
        )
    meets = {
        "" if row["group"] is None else str(row["group"]): row.get("meets_target") for row in rows
    }
    for key, wanted in case.expect.get("meets_target", {}).items():
        _check(key in meets, case, f"no indicator row {key!r}; rows: {sorted(meets)}")
        expected = None if wanted == UNDETERMINED else wanted
        _check(
            meets[key] == expected,
            case,
            f"{target}[{key}] meets target: {meets[key]}, expected {wanted}",
        )


# -- pytest collection ---------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """Collect ``*.cases.toml`` files."""
    if file_path.name.endswith(".cases.toml"):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """A ``*.cases.toml`` file: one test item per case."""

    def collect(self) -> Iterator[CaseItem]:
        for case in load_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One case, run on the one-record and the batch path."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        run_case(self.case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure | PovertyCoreError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"
