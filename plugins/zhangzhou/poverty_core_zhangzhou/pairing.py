"""Cadre pairing quotas ("321"): rules over the caller's pairing table, and the load check.

In 2016 Zhao'an county paired cadres with poor households by the "321" rule — each
division-level cadre (处级) three households, each section chief (正科级) two, each
deputy section chief (副科级) one — and Yunxiao county's "thousand cadres" campaign had
division-level cadres pair with 3 households, section-level (科级) with 2 and ordinary
cadres with 1. The quotas are pack parameters ``pairing_quota_<county>_<rank>``.

The pairing table is reference data the caller supplies per run (the table
``pairing_table``: cadre id, rank and county codes). The pack's rules read it:

* criterion and decision ``pairing_cadre_listed``: the household's pairing cadre is a
  cadre of the table (unknown without the table or the cadre);
* classifier ``pairing_quota``: the quota the household's cadre is under — one class per
  quota parameter (``zhaoan_division`` …; a section chief or deputy in Yunxiao under
  ``yunxiao_section``, 科级 covering both), otherwise ``no_quota``;
* indicator ``cadre_load``: households per cadre (``by="pairing_cadre"``).

A cadre's load is an aggregate over the register, so the comparison with the quota is a
report over those rules: :func:`check_load` takes the table (codes or Chinese labels:
``处级``, ``诏安县`` …), classifies each cadre with ``pairing_quota`` (as a household paired
with that cadre would be), counts the households per cadre, and compares. Whether a cadre
must pair with exactly, at most or at least the quota is the parameter
``pairing_quota_mode`` — **an interpretation** (default ``exact``); the source does not
say how more or fewer households are treated.

>>> import datetime as dt
>>> from poverty_core import Household
>>> from poverty_core_zhangzhou import pairing
>>> table = [{"cadre_id": "c1", "rank": "处级", "county": "诏安"}]
>>> households = [
...     Household.from_dict({"id": f"h{i}", "pairing_cadre": "c1", "members": [{"id": "1"}]})
...     for i in range(2)
... ]
>>> report = pairing.check_load(table, households, as_of=dt.date(2016, 9, 23))
>>> load = report.cadres[0]
>>> load.load, load.quota, load.status
(2, 3, 'under')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from poverty_core import (
    Household,
    InputError,
    Language,
    Outcome,
    Pack,
    Problem,
    T,
    Taxonomy,
    Text,
    cite,
    load_pack,
)
from poverty_core.blocks import reference
from poverty_core.expressions import Expr, all_of, field, filled
from poverty_core.rules import (
    Classifier,
    ClassRule,
    Criterion,
    Decision,
    Indicator,
    TaxonomyItem,
)

__all__ = [
    "CLASSIFIERS",
    "COUNTY_TAXONOMY",
    "CRITERIA",
    "DECISIONS",
    "INDICATORS",
    "MODES",
    "MODE_PARAMETER",
    "RANK_TAXONOMY",
    "TABLE",
    "Assignment",
    "CadreLoad",
    "LoadReport",
    "check_load",
    "quota_parameter",
]

MODE_PARAMETER = "pairing_quota_mode"
"""The pack parameter saying how a load is compared with its quota (interpretation)."""

MODES = ("exact", "at_most", "at_least")
"""The values ``pairing_quota_mode`` may take."""

RANK_TAXONOMY = "cadre_ranks"
COUNTY_TAXONOMY = "zhangzhou_key_counties"

# 科级 (section level) covers 正科级 and 副科级: where a county sets a section-level
# quota only (Yunxiao), section chiefs and their deputies are checked against it.
_SECTION_RANKS = ("section_chief", "deputy_section_chief")

TABLE = "pairing_table"
"""The reference table of the pairing (``data/references/pairing_table.toml``)."""

PAIRING = cite(
    "zhangzhou-2016-review",
    "深入发动，广泛参与，初步形成社会大扶贫格局 三是干部挂钩帮扶：云霄县……处级干部挂钩3户贫困户，"
    "科级挂钩2户，普通干部挂钩1户。诏安县……按照“321”的原则，由处级干部每人挂三户，正科级干部每人"
    "挂两户，副科级干部每人挂一户 / section 'society-wide assistance', item 3 'cadre pairing'",
)

_table = reference(TABLE)
_rank = _table.column("rank", key=field("pairing_cadre"))
_county = _table.column("county", key=field("pairing_cadre"))


def _quota_class(county: str, ranks: tuple[str, ...], zh: str, en: str) -> ClassRule:
    test: Expr = all_of(_county.eq(county), _rank.isin(ranks))
    return ClassRule(f"{county}_{ranks[0]}", T(zh, en), test)


CRITERIA: list[Criterion] = [
    Criterion(
        id="pairing_cadre_listed",
        subject="household",
        title=T(
            "户的挂钩帮扶干部在干部挂钩帮扶表中",
            "The household's pairing cadre is in the pairing table",
        ),
        citations=[PAIRING],
        test=field("pairing_cadre").isin(_table),
        description=T(
            "pairing_cadre 填挂钩帮扶表（参考数据 pairing_table）的干部编号；没有提供挂钩表或"
            "没有填写干部时无法判定。",
            "pairing_cadre holds a cadre id of the pairing table (the reference "
            "pairing_table); unknown without the table or the cadre.",
        ),
    ),
]

DECISIONS: list[Decision] = [
    Decision(
        id="pairing_cadre_listed",
        subject="household",
        title=T("挂钩帮扶干部在册", "Pairing cadre on the table"),
        citations=[PAIRING],
        criteria=["pairing_cadre_listed"],
    ),
]

CLASSIFIERS: list[Classifier] = [
    Classifier(
        id="pairing_quota",
        subject="household",
        title=T(
            "挂钩户数配额：户的挂钩干部适用的配额",
            "Pairing quota: the quota the household's cadre is under",
        ),
        citations=[PAIRING],
        classes=[
            _quota_class("zhaoan", ("division",), "诏安县处级干部", "Zhao'an, division level"),
            _quota_class(
                "zhaoan",
                ("section_chief",),
                "诏安县正科级干部",
                "Zhao'an, section chief",
            ),
            _quota_class(
                "zhaoan",
                ("deputy_section_chief",),
                "诏安县副科级干部",
                "Zhao'an, deputy section chief",
            ),
            _quota_class("yunxiao", ("division",), "云霄县处级干部", "Yunxiao, division level"),
            _quota_class(
                "yunxiao",
                ("section", *_SECTION_RANKS),
                "云霄县科级干部（含正科、副科）",
                "Yunxiao, section level (chiefs and deputies)",
            ),
            _quota_class("yunxiao", ("ordinary",), "云霄县普通干部", "Yunxiao, ordinary cadre"),
        ],
        otherwise=TaxonomyItem(
            "no_quota", T("来源没有规定配额", "no quota in the source (county or rank)")
        ),
        description=T(
            "每类对应一个配额参数 pairing_quota_<类>；干部的级别和县取自挂钩表（参考数据 "
            "pairing_table）。云霄县只规定“科级”配额，正科级、副科级干部按科级核对。",
            "Each class is a quota parameter pairing_quota_<class>; the cadre's rank and "
            "county come from the pairing table (the reference pairing_table). Yunxiao sets "
            "a section-level quota only: section chiefs and deputies are checked against it.",
        ),
    ),
]

INDICATORS: list[Indicator] = [
    Indicator(
        id="cadre_load",
        subject="household",
        title=T("干部挂钩户数", "Households per pairing cadre"),
        citations=[PAIRING],
        kind="count",
        condition=filled("pairing_cadre"),
        description=T(
            "按 pairing_cadre 分组计算：每名干部挂钩的户数（与配额的比较见 check_load）。",
            "Computed by pairing_cadre: the households each cadre is paired with (compared "
            "with the quota by check_load).",
        ),
    ),
]

Status = Literal["meets", "over", "under", "no_quota", "unknown"]


@attrs.frozen(kw_only=True)
class Assignment:
    """A row of the pairing table: a cadre, the cadre's rank and the county.

    ``rank`` is a code of the taxonomy ``cadre_ranks`` or its Chinese label (``处级``,
    ``正科级``, ``副科``, ``科级``, ``普通干部`` …); ``county`` a code of
    ``zhangzhou_key_counties`` or the county's name (``诏安``, ``诏安县``); another
    county has no quota.
    """

    cadre_id: str
    rank: str
    county: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assignment:
        """A row from a dict with the keys ``cadre_id``, ``rank`` and ``county``."""
        return cls(
            cadre_id=str(data["cadre_id"]), rank=str(data["rank"]), county=str(data["county"])
        )


@attrs.frozen(kw_only=True)
class CadreLoad:
    """One cadre's load (the households paired with the cadre) against the quota."""

    cadre_id: str
    rank: str
    """The rank's code."""
    county: str | None
    """The county's code, ``None`` when the county is not one of the key counties."""
    households: tuple[str, ...]
    quota: int | None
    quota_parameter: str | None
    """The parameter the quota comes from (``None``: no quota for this county and rank)."""
    status: Status
    reason: Text

    @property
    def load(self) -> int:
        """How many households the cadre is paired with."""
        return len(self.households)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "cadre_id": self.cadre_id,
            "rank": self.rank,
            "county": self.county,
            "households": list(self.households),
            "load": self.load,
            "quota": self.quota,
            "quota_parameter": self.quota_parameter,
            "status": self.status,
            "reason": self.reason.to_dict(),
        }


@attrs.frozen(kw_only=True)
class LoadReport:
    """Every cadre's load, the households with no pairing cadre, and the cadre ids that
    households name but the table lacks."""

    cadres: tuple[CadreLoad, ...]
    unpaired: tuple[str, ...]
    """Households whose ``pairing_cadre`` is unknown."""
    unknown_cadres: dict[str, tuple[str, ...]]
    """Cadre ids named by households but absent from the table, with those households."""
    mode: str | None
    """The value of ``pairing_quota_mode`` used (``None``: it has no value on the date)."""
    as_of: dt.date

    @property
    def problems(self) -> tuple[CadreLoad, ...]:
        """Cadres over or under their quota, or whose check is unknown."""
        return tuple(c for c in self.cadres if c.status in ("over", "under", "unknown"))

    @property
    def ok(self) -> bool:
        """True when every cadre with a quota meets it and every household names a cadre
        of the table."""
        return not self.problems and not self.unpaired and not self.unknown_cadres

    def explain(self, language: Language = "en") -> str:
        """One line per cadre, then the unpaired households and unknown cadres."""
        lines = [f"{c.cadre_id}: {c.reason[language]}" for c in self.cadres]
        if self.unpaired:
            head = "无挂钩干部的户：" if language == "zh" else "households without a cadre: "
            lines.append(head + ", ".join(self.unpaired))
        for cadre, households in self.unknown_cadres.items():
            if language == "zh":
                lines.append(f"挂钩表中没有干部 {cadre}（户 {', '.join(households)}）")
            else:
                lines.append(
                    f"cadre {cadre} is not in the table (households {', '.join(households)})"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "as_of": self.as_of.isoformat(),
            "mode": self.mode,
            "interpretation": True,
            "cadres": [c.to_dict() for c in self.cadres],
            "unpaired": list(self.unpaired),
            "unknown_cadres": {k: list(v) for k, v in self.unknown_cadres.items()},
        }


def _aliases(taxonomy: Taxonomy, suffixes: tuple[str, ...]) -> dict[str, str]:
    """Every way a table may name a code: the code, the labels, the Chinese label without
    a suffix (``诏安县`` → ``诏安``; ``正科级干部`` → ``正科级`` → ``正科``)."""
    out: dict[str, str] = {}
    for item in taxonomy.items:
        names = {item.code, item.label.zh, item.label.en.lower()}
        short = item.label.zh
        for suffix in suffixes:
            if short.endswith(suffix) and len(short) > len(suffix):
                short = short.removesuffix(suffix)
                names.add(short)
        for name in names:
            out[name] = item.code
    return out


def quota_parameter(
    pack: Pack, county: str, rank: str, *, as_of: dt.date | None = None
) -> str | None:
    """The name of the quota parameter for a county and rank codes, or ``None``: the
    class the classifier ``pairing_quota`` puts a household paired with such a cadre in
    (on ``as_of``, default 2016-09-23, the date of the source's figures).

    A section chief or deputy in a county that sets only a section-level (科级) quota
    falls under that quota.
    """
    day = as_of or dt.date(2016, 9, 23)
    rows = [{"cadre_id": "c", "rank": rank, "county": county}]
    return _classes(pack, rows, day, {})["c"]


def _classes(
    pack: Pack, rows: list[dict[str, str]], as_of: dt.date, checked: Mapping[str, Any]
) -> dict[str, str | None]:
    """Each cadre's quota parameter, by the classifier ``pairing_quota`` applied to a
    record paired with the cadre (``None``: no quota)."""
    probes = [
        pack.structure(
            {"id": r["cadre_id"], "pairing_cadre": r["cadre_id"], "members": [{"id": "1"}]}
        )
        for r in rows
    ]
    batch = pack.classify_batch(
        "pairing_quota", probes, as_of=as_of, overrides=checked, references={TABLE: rows}
    )
    out: dict[str, str | None] = {}
    for row, code in zip(rows, batch.codes, strict=True):
        name = f"pairing_quota_{code}"
        out[row["cadre_id"]] = name if name in pack.parameters else None
    return out


def _value(pack: Pack, name: str, as_of: dt.date, checked: Mapping[str, Any]) -> Any:
    if name in checked:
        return checked[name]
    value = pack.parameter(name).value_on(as_of)
    return None if value is None else value.value


def check_load(
    table: Iterable[Assignment | Mapping[str, Any]],
    households: Iterable[Household],
    *,
    as_of: dt.date,
    pack: Pack | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> LoadReport:
    """Check each cadre's number of paired households against the quota.

    :param table: the pairing table: :class:`Assignment` rows or dicts with ``cadre_id``,
        ``rank`` and ``county``.
    :param households: the households; ``pairing_cadre`` holds a cadre id of the table.
    :param as_of: the date (selects the quotas' values; they cover 2016).
    :param pack: the pack (default: zhangzhou).
    :param overrides: caller values for parameters, e.g. ``{"pairing_quota_mode":
        "at_most"}`` or a quota for another year.
    :raises InputError: listing every bad row (unknown rank, repeated cadre id) at once.
    :raises NotInForce: on a date the rules do not govern (the source describes 2016;
        a caller extends them with :meth:`~poverty_core.Pack.with_periods`).

    A cadre whose quota has no value on ``as_of`` (or when the mode has none) is
    ``unknown``, naming the parameter; a cadre of a county or rank without a quota is
    ``no_quota``. The table is recorded in the rules' provenance by row count and hash.
    """
    pack = pack if pack is not None else load_pack("zhangzhou")
    checked = pack.check_overrides(overrides or {})
    ranks = _aliases(pack.taxonomies[RANK_TAXONOMY], ("干部", "级"))
    counties = _aliases(pack.taxonomies[COUNTY_TAXONOMY], ("县",))
    mode = _value(pack, MODE_PARAMETER, as_of, checked)
    if mode is not None and mode not in MODES:
        raise InputError(
            [
                Problem(
                    MODE_PARAMETER,
                    T(
                        f"应为 {'、'.join(MODES)} 之一（实为 {mode!r}）",
                        f"must be one of {', '.join(MODES)} (got {mode!r})",
                    ),
                )
            ],
            what="overrides",
        )

    rows: list[tuple[str, str, str | None, str]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, raw in enumerate(table):
        if not isinstance(raw, Assignment):
            absent = [k for k in ("cadre_id", "rank", "county") if raw.get(k) is None]
            if absent:
                problems.append(
                    Problem(
                        f"table[{i}]",
                        T(f"缺少 {'、'.join(absent)}", f"missing {', '.join(absent)}"),
                    )
                )
                continue
        row = raw if isinstance(raw, Assignment) else Assignment.from_dict(raw)
        rank = ranks.get(row.rank.strip()) or ranks.get(row.rank.strip().lower())
        if rank is None:
            codes = sorted(set(ranks.values()))
            problems.append(
                Problem(
                    f"table[{i}].rank",
                    T(
                        f"未知干部级别 {row.rank!r}；可用：{'、'.join(codes)}",
                        f"unknown rank {row.rank!r}; known: {', '.join(codes)}",
                    ),
                )
            )
        if row.cadre_id in seen:
            problems.append(
                Problem(
                    f"table[{i}].cadre_id",
                    T(f"干部编号 {row.cadre_id!r} 重复", f"repeated cadre id {row.cadre_id!r}"),
                )
            )
        seen.add(row.cadre_id)
        county = counties.get(row.county.strip()) or counties.get(row.county.strip().lower())
        rows.append((row.cadre_id, rank or "", county, row.county))
    if problems:
        raise InputError(problems, what="pairing table")

    # The table as the pack's reference data; a county that is not a key county keeps
    # the name given (no class of pairing_quota matches it).
    table_rows = [
        {"cadre_id": cadre, "rank": rank, "county": county or given}
        for cadre, rank, county, given in rows
    ]
    quotas = _classes(pack, table_rows, as_of, checked) if table_rows else {}
    records = list(households)
    paired: dict[str, list[str]] = {}
    unpaired: list[str] = []
    unknown: dict[str, tuple[str, ...]] = {}
    if records:
        # the decision pairing_cadre_listed: unknown without a cadre, failed for a cadre
        # the table lacks
        listed = pack.decide_batch(
            "pairing_cadre_listed",
            records,
            as_of=as_of,
            overrides=checked,
            references={TABLE: table_rows},
        )
        for household, outcome in zip(records, listed.outcomes(), strict=True):
            cadre = household.pairing_cadre
            if cadre is None:
                unpaired.append(household.id)
                continue
            paired.setdefault(cadre, []).append(household.id)
            if outcome is Outcome.NOT_ELIGIBLE:
                unknown[cadre] = (*unknown.get(cadre, ()), household.id)

    loads = [
        _load(
            pack,
            cadre,
            rank,
            county,
            given,
            tuple(paired.get(cadre, ())),
            mode,
            as_of,
            checked,
            quotas.get(cadre),
        )
        for cadre, rank, county, given in rows
    ]
    return LoadReport(
        cadres=tuple(loads),
        unpaired=tuple(unpaired),
        unknown_cadres=unknown,
        mode=mode,
        as_of=as_of,
    )


def _load(
    pack: Pack,
    cadre: str,
    rank: str,
    county: str | None,
    given_county: str,
    households: tuple[str, ...],
    mode: str | None,
    as_of: dt.date,
    checked: Mapping[str, Any],
    name: str | None,
) -> CadreLoad:
    n = len(households)
    rank_label = pack.taxonomies[RANK_TAXONOMY].label(rank)

    def result(quota: int | None, status: Status, reason: Text) -> CadreLoad:
        return CadreLoad(
            cadre_id=cadre,
            rank=rank,
            county=county,
            households=households,
            quota=quota,
            quota_parameter=name,
            status=status,
            reason=reason,
        )

    if county is None:
        return result(
            None,
            "no_quota",
            T(
                f"挂钩 {n} 户；{given_county} 不是规定了挂钩户数的重点县",
                f"paired with {n}; {given_county} is not a key county with quotas",
            ),
        )
    county_label = pack.taxonomies[COUNTY_TAXONOMY].label(county)
    if name is None:
        return result(
            None,
            "no_quota",
            T(
                f"挂钩 {n} 户；{county_label.zh}没有规定{rank_label.zh}的挂钩户数",
                f"paired with {n}; {county_label.en} sets no quota for a {rank_label.en}",
            ),
        )
    quota = _value(pack, name, as_of, checked)
    if quota is None or mode is None:
        missing = name if quota is None else MODE_PARAMETER
        return result(
            None,
            "unknown",
            T(
                f"挂钩 {n} 户；参数 {missing} 在 {as_of} 没有取值，无法核对",
                f"paired with {n}; parameter {missing} has no value on {as_of}: cannot check",
            ),
        )
    quota = int(quota)
    meets = {"exact": n == quota, "at_most": n <= quota, "at_least": n >= quota}[mode]
    status: Status = "meets" if meets else ("over" if n > quota else "under")
    words = {
        "meets": T("符合", "meets"),
        "over": T("超过", "over"),
        "under": T("不足", "under"),
    }[status]
    mode_text = {
        "exact": T("恰好", "exactly"),
        "at_most": T("至多", "at most"),
        "at_least": T("至少", "at least"),
    }[mode]
    return result(
        quota,
        status,
        T(
            f"{county_label.zh}{rank_label.zh}挂钩 {n} 户，"
            f"配额{mode_text.zh} {quota} 户：{words.zh}",
            f"{county_label.en}, {rank_label.en}: paired with {n}, quota {mode_text.en} "
            f"{quota}: {words.en}",
        ),
    )
