"""Column names and cell words of register files: English or Chinese.

A register file may name its columns by the model's field names
(``annual_net_income_per_capita``), by the fields' own labels in Chinese or English
(``年人均纯收入（元）``, ``年人均纯收入``, ``annual net income per capita (yuan)``) or by
the other headers register exports use (``人均纯收入``, ``致贫原因``, ``证件号码`` …),
listed in the bundled ``data/aliases.toml``. The same file lists the other words
exports write for codes (``之子`` for the relation ``child``) and for yes/no cells
(``是``/``否``).

The national register form's headers (``A10在校生状况``, ``是否参加新型农村合作医疗`` …;
:mod:`poverty_core.register_form`) are in the default map too: a field the model has a
column for names that column (or the form's own column, ``A10``, which the form's
readings turn into the model's); a field the model has no column for, and the form's
address and bank details, are *unused* headers — known, and not read.

Headers and words are compared in a normal form (:func:`normalize`): Unicode NFKC
(full-width letters, digits and brackets become half-width), case-folded, with every
space removed; a header not found as it is is looked up again without a bracketed note
at its end (``家庭年人均纯收入（元）``, ``主要致贫原因（单选）``). :class:`AliasMap` holds
the result; extend it with :meth:`AliasMap.extended` (a mapping, as
``open_register(..., aliases=...)`` takes) or :meth:`AliasMap.from_toml` (a file shaped
like the bundled one).

Messages about the caller's options name them as the caller wrote them: Python names
(``aliases=``, ``ignore_columns=``) by default, the command line's
(``--alias HEADER=FIELD``, ``--ignore-column HEADER``) inside
:func:`command_line_options` — see :func:`option`.

>>> m = AliasMap.default()
>>> m.column("households", "年人均纯收入（元）"), m.column("households", "人均纯收入")
('annual_net_income_per_capita', 'annual_net_income_per_capita')
>>> m.column("members", "户编号"), m.column("members", "证件号码")
('household_id', 'id_number')
>>> m.boolean("是"), m.boolean("FALSE"), m.boolean("maybe")
(True, False, None)
>>> from poverty_core.codes import Relation
>>> m.code(Relation, "之子")
<Relation.CHILD: 'child'>
>>> m.column("members", "A10 在校生状况"), m.unused_column("members", "A8民族")
('A10', 'A8')
>>> option("aliases")
'aliases='
>>> with command_line_options():
...     option("aliases")
'--alias HEADER=FIELD'
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import typing
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any, ClassVar

import attrs

from poverty_core._text import Text
from poverty_core._wording import command_line_options, normalize, on_command_line, option
from poverty_core.codes import CODE_LISTS, Code
from poverty_core.errors import InputError, Problem
from poverty_core.model import County, Household, Person, Village
from poverty_core.register_form import national_form
from poverty_core.vocabulary import CORE, ENTITY_SUBJECTS, Vocabulary

__all__ = [
    "ENTITIES",
    "AliasMap",
    "command_line_options",
    "entity_columns",
    "form_columns",
    "header_problems",
    "normalize",
    "on_command_line",
    "option",
]

ENTITIES: dict[str, type[Any]] = {
    "households": Household,
    "members": Person,
    "villages": Village,
    "counties": County,
}
"""The kinds of table a register file can hold, by name, with their model class."""

_MEMBER_KEY = "household_id"  # = poverty_core.columnar.MEMBER_KEY (not imported: no cycle)
_NOT_COLUMNS = ("members", "history", "procedures", "checklists")
_FLAT = re.compile(r"^(procedures|checklists)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def form_columns(entity: str) -> list[str]:
    """The national form's own columns of a table kind (``A10`` in members …): headers
    name them, and the form's readings turn them into the model's columns."""
    if entity not in ("households", "members"):
        return []
    return list(national_form().derived(entity))


def entity_columns(entity: str, vocabulary: Vocabulary = CORE) -> list[str]:
    """The columns of a table of ``entity`` (``households``, ``members`` …), in order:
    the model's fields less the nested ones, then the fields the pack of ``vocabulary``
    declares (:mod:`poverty_core.vocabulary`), and ``household_id`` first for members.
    (Flattened ``procedures.<id>.<step>`` / ``checklists.<id>.<item>`` come on top.)"""
    kind = ENTITIES[entity]
    names = [a.name for a in attrs.fields(kind) if a.name not in _NOT_COLUMNS]
    names += [n for n in vocabulary.on(entity) if n not in names]
    return [_MEMBER_KEY, *names] if entity == "members" else names


def _flat_prefixes(entity: str) -> tuple[str, ...]:
    kind = ENTITIES[entity]
    fields = attrs.fields_dict(kind)
    return tuple(p for p in ("procedures", "checklists") if p in fields and entity != "members")


def _is_flat(entity: str, name: str) -> bool:
    return bool(_FLAT.match(name)) and name.split(".")[0] in _flat_prefixes(entity)


def _label_headers(entity: str, vocabulary: Vocabulary = CORE) -> dict[str, str]:
    """Each column's own headers: its name and its labels (with and without the unit)."""
    kind = ENTITIES[entity]
    labels: dict[str, Text] = kind.field_labels()
    declared = vocabulary.on(entity)
    labels.update({name: f.title for name, f in declared.items()})
    out: dict[str, set[str]] = {}
    for name in entity_columns(entity, vocabulary):
        heads = {name}
        label = labels.get(name)
        if name == _MEMBER_KEY and entity == "members":
            label = Household.field_labels()["id"]
        if label is not None:
            for text in (label.zh, label.en):
                heads.add(text)
                heads.add(_UNIT.sub("", text))
        if name in declared:  # the register headers the pack lists for its field
            heads.update(declared[name].aliases)
        out[name] = {normalize(h) for h in heads if h.strip()}
    # A header two columns share (none today) would be ambiguous: it belongs to neither.
    seen: dict[str, str] = {}
    ambiguous: set[str] = set()
    for name, heads in out.items():
        for h in heads:
            if h in seen and seen[h] != name:
                ambiguous.add(h)
            seen.setdefault(h, name)
    return {h: n for h, n in seen.items() if h not in ambiguous}


def _problem(where: str, zh: str, en: str) -> Problem:
    return Problem(where, Text(zh, en))


@attrs.frozen
class AliasMap:
    """Which column a header names, per table kind, and the words cells may use.

    Build it with :meth:`default` (the model's labels plus the bundled
    ``data/aliases.toml``), then :meth:`extended` or :meth:`from_toml` for more.
    """

    columns: Mapping[str, Mapping[str, str]]
    """Per table kind (``households``, ``members``, ``villages``, ``counties``): each
    normalized header with the column it names."""
    booleans: Mapping[str, bool]
    """Each normalized yes/no word with its value."""
    codes: Mapping[str, Mapping[str, str]]
    """Per code list (``relation`` …): each normalized word with its code."""
    unused: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    """Per table kind: each normalized header known and not read (a field of the
    national form the model has no column for, the form's address and bank details),
    with the form field's code (``""`` for none)."""
    vocabulary: Vocabulary = CORE
    """The fields whose columns the map knows: the core model's, and the declared
    fields of the pack being applied (:meth:`default`, :meth:`for_vocabulary`)."""

    SECTIONS: ClassVar[tuple[str, ...]] = ("columns", "booleans", "codes")

    @classmethod
    def default(cls, vocabulary: Vocabulary = CORE) -> AliasMap:
        """The model's field names and labels plus the bundled ``data/aliases.toml``;
        with a pack's ``vocabulary`` (:func:`poverty_core.vocabulary.of`), the names,
        titles and register headers of the fields the pack declares too."""
        found = _default(vocabulary)
        if found.vocabulary is vocabulary:
            return found
        return attrs.evolve(found, vocabulary=vocabulary)

    def for_vocabulary(self, vocabulary: Vocabulary) -> AliasMap:
        """This map knowing the columns of ``vocabulary`` (a pack's declared fields, with
        their headers); its own headers and words stay and win."""
        if vocabulary == self.vocabulary:
            if self.vocabulary is vocabulary:
                return self
            return attrs.evolve(self, vocabulary=vocabulary)
        base = AliasMap.default(vocabulary)
        columns = {e: {**base.columns.get(e, {}), **m} for e, m in self.columns.items()}
        return AliasMap(columns, self.booleans, self.codes, self.unused, vocabulary)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], *, base: AliasMap | None = None) -> AliasMap:
        """``base`` (the default map) extended by a TOML file shaped like the bundled
        one. Raises :class:`~poverty_core.errors.InputError` naming every bad entry."""
        name = os.fspath(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.loads(handle.read().decode("utf-8"))
        except OSError as exc:
            raise InputError(
                [_problem(name, f"无法读取：{exc.strerror}", f"cannot read: {exc.strerror}")],
                what=name,
            ) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(
                [_problem(name, f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}")], what=name
            ) from None
        return (base or cls.default())._with_data(data, name, override=True)

    def extended(self, extra: Mapping[str, Any]) -> AliasMap:
        """This map with more column headers; the caller's headers win over built-in ones.

        ``extra`` maps a header to a column for every table that has that column
        (``{"户主编号": "id"}``), or, per table kind, ``{"members": {"人码": "id"}}``.
        A target that is no column raises :class:`~poverty_core.errors.InputError`.
        """
        flat: dict[str, str] = {}
        per: dict[str, dict[str, str]] = {}
        problems: list[Problem] = []
        for key, value in extra.items():
            if isinstance(value, Mapping) and key in ENTITIES:
                per.setdefault(key, {}).update({str(k): v for k, v in value.items()})
            elif isinstance(value, str) and isinstance(key, str):
                flat[key] = value
            else:
                problems.append(
                    _problem(
                        _alias_where(key, value),
                        "应为 表头 → 列名，或 表类型 → {表头 → 列名}",
                        "expected header → column, or table kind → {header → column}",
                    )
                )
        columns = {e: dict(m) for e, m in self.columns.items()}
        for header, target in flat.items():
            hit = [e for e in ENTITIES if _valid_target(e, target, self.vocabulary)]
            if not hit:
                problems.append(_unknown_target(_alias_where(header, target), target, "households"))
            for e in hit:
                columns[e][normalize(header)] = target
        for entity, mapping in per.items():
            for header, target in mapping.items():
                if not isinstance(target, str) or not _valid_target(
                    entity, target, self.vocabulary
                ):
                    problems.append(
                        _unknown_target(
                            _alias_where(header, target, entity),
                            str(target),
                            entity,
                            self.vocabulary,
                        )
                    )
                    continue
                columns[entity][normalize(header)] = target
        if problems:
            raise InputError(problems, what=option("aliases").split()[0].rstrip("="))
        return AliasMap(columns, self.booleans, self.codes, self.unused, self.vocabulary)

    def column(self, entity: str, header: str) -> str | None:
        """The column ``header`` names in a table of ``entity``, or ``None``."""
        if _is_flat(entity, header.strip()):
            return header.strip()
        return _lookup(self.columns.get(entity, {}), header)

    def unused_column(self, entity: str, header: str) -> str | None:
        """For a header known and not read in a table of ``entity`` (``A8民族``, ``行政村``
        …): the national form's code of its field, ``""`` for the form's address and
        bank details; ``None`` for any other header."""
        if self.column(entity, header) is not None:
            return None
        return _lookup(self.unused.get(entity, {}), header)

    def headers(self, entity: str) -> dict[str, list[str]]:
        """Each column of ``entity`` with the (normalized) headers that name it."""
        out: dict[str, list[str]] = {c: [] for c in entity_columns(entity, self.vocabulary)}
        out.update({c: [] for c in form_columns(entity)})
        for header, column in self.columns[entity].items():
            out.setdefault(column, []).append(header)
        return {c: sorted(h) for c, h in out.items()}

    def boolean(self, word: str) -> bool | None:
        """The value of a yes/no word, or ``None`` when it is not one."""
        return self.booleans.get(normalize(word))

    def code(self, cls: type[Code], word: str) -> Code | None:
        """The code of ``cls`` a word names (its code, either label, or a listed
        synonym), or ``None``."""
        try:
            return cls.parse(word)
        except ValueError:
            pass
        value = self.codes.get(cls.list_name(), {}).get(normalize(word))
        if value is None:
            value = _code_words(cls).get(normalize(word))
        return None if value is None else cls(value)

    # -- building -------------------------------------------------------------------

    def _with_data(self, data: dict[str, Any], name: str, *, override: bool) -> AliasMap:
        problems: list[Problem] = []
        unknown = sorted(set(data) - set(self.SECTIONS))
        if unknown:
            problems.append(
                _problem(
                    name,
                    f"未知节：{', '.join(unknown)}（可用：{', '.join(self.SECTIONS)}）",
                    f"unknown section(s): {', '.join(unknown)} "
                    f"(allowed: {', '.join(self.SECTIONS)})",
                )
            )
        columns = {e: dict(m) for e, m in self.columns.items()}
        booleans = dict(self.booleans)
        codes = {k: dict(v) for k, v in self.codes.items()}
        for entity, table in _table(data, "columns", name, problems).items():
            where = f"{name}: columns.{entity}"
            if entity not in ENTITIES:
                problems.append(
                    _problem(
                        where,
                        f"未知表类型（可用：{', '.join(ENTITIES)}）",
                        f"unknown table kind (allowed: {', '.join(ENTITIES)})",
                    )
                )
                continue
            if not isinstance(table, dict):
                problems.append(_problem(where, "应为表", "expected a table"))
                continue
            own = _label_headers(entity, self.vocabulary)
            for target, words in table.items():
                here = f"{where}.{target}"
                if not _valid_target(entity, target, self.vocabulary):
                    problems.append(_unknown_target(here, target, entity, self.vocabulary))
                    continue
                for word in _words(words, here, problems):
                    key = normalize(word)
                    current = columns[entity].get(key)
                    taken = own.get(key)
                    if taken is not None and taken != target and not override:
                        problems.append(_clash(here, word, taken))
                    elif current is not None and current not in (target, taken) and not override:
                        problems.append(_clash(here, word, current))
                        continue
                    columns[entity][key] = target
        table = _table(data, "booleans", name, problems)
        for key in table:
            if key not in ("true", "false"):
                problems.append(
                    _problem(
                        f"{name}: booleans.{key}",
                        "只能有 true 和 false",
                        "only true and false are allowed",
                    )
                )
        for value in (True, False):
            here = f"{name}: booleans.{str(value).lower()}"
            for word in _words(table.get(str(value).lower(), []), here, problems):
                key = normalize(word)
                if booleans.get(key, value) != value and not override:
                    problems.append(
                        _problem(
                            here,
                            f"{word!r} 既是 true 又是 false",
                            f"{word!r} is both true and false",
                        )
                    )
                booleans[key] = value
        for list_name, table in _table(data, "codes", name, problems).items():
            where = f"{name}: codes.{list_name}"
            cls = CODE_LISTS.get(list_name)
            if cls is None:
                problems.append(
                    _problem(
                        where,
                        f"未知代码表（可用：{', '.join(CODE_LISTS)}）",
                        f"unknown code list (allowed: {', '.join(CODE_LISTS)})",
                    )
                )
                continue
            if not isinstance(table, dict):
                problems.append(_problem(where, "应为表", "expected a table"))
                continue
            words_of = _code_words(cls)
            known = {m.value for m in cls}
            target_map = codes.setdefault(list_name, {})
            for code, words in table.items():
                here = f"{where}.{code}"
                if code not in known:
                    problems.append(
                        _problem(
                            here,
                            f"不是 {list_name} 的代码（可用：{', '.join(sorted(known))}）",
                            f"not a {list_name} code (allowed: {', '.join(sorted(known))})",
                        )
                    )
                    continue
                for word in _words(words, here, problems):
                    key = normalize(word)
                    other = words_of.get(key) or target_map.get(key)
                    if other is not None and other != code and not override:
                        problems.append(
                            _problem(
                                here,
                                f"{word!r} 已表示代码 {other}",
                                f"{word!r} already stands for the code {other}",
                            )
                        )
                        continue
                    target_map[key] = code
        if problems:
            raise InputError(problems, what=name)
        return AliasMap(columns, booleans, codes, self.unused, self.vocabulary)


def _lookup(table: Mapping[str, str], header: str) -> str | None:
    found = table.get(normalize(header))
    if found is None:
        bare = _UNIT.sub("", header)
        if bare != header and bare.strip():
            found = table.get(normalize(bare))
    return found


def _valid_target(entity: str, target: str, vocabulary: Vocabulary = CORE) -> bool:
    return (
        target in entity_columns(entity, vocabulary)
        or _is_flat(entity, target)
        or target in form_columns(entity)
    )


def _alias_where(header: Any, target: Any, entity: str | None = None) -> str:
    """Where a bad alias is, as the caller gave it: ``aliases['户主编号']`` from Python,
    ``--alias 户主编号=idd`` on the command line."""
    if on_command_line():
        return f"--alias {header}={target}"
    if entity is not None:
        return f"aliases[{entity!r}][{header!r}]"
    return f"aliases[{header!r}]"


def _unknown_target(where: str, target: str, entity: str, vocabulary: Vocabulary = CORE) -> Problem:
    columns = ", ".join(entity_columns(entity, vocabulary) + form_columns(entity))
    return _problem(
        where,
        f"{target!r} 不是列名（{entity} 的列：{columns}）",
        f"{target!r} is not a column ({entity} columns: {columns})",
    )


def _clash(where: str, word: str, taken: str) -> Problem:
    return _problem(
        where,
        f"表头 {word!r} 已指列 {taken}",
        f"the header {word!r} already names the column {taken}",
    )


def _table(data: dict[str, Any], key: str, name: str, problems: list[Problem]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(_problem(f"{name}: {key}", "应为表", "expected a table"))
        return {}
    return value


def _words(value: Any, where: str, problems: list[Problem]) -> Iterable[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        problems.append(
            _problem(where, "应为非空文本的列表", "expected a list of non-empty strings")
        )
        return []
    return typing.cast(list[str], value)


@functools.cache
def _code_words(cls: type[Code]) -> dict[str, str]:
    """A code list's own words (code, labels), normalized."""
    out: dict[str, str] = {}
    for m in cls:
        for word in (m.value, m.label.zh, m.label.en):
            out.setdefault(normalize(word), m.value)
    return out


@functools.cache
def _default(vocabulary: Vocabulary = CORE) -> AliasMap:
    columns = {entity: _label_headers(entity, vocabulary) for entity in ENTITIES}
    form = national_form()
    unused: dict[str, dict[str, str]] = {}
    for entity in ("households", "members"):
        # The model's own labels first: where the form prints the same label (健康状况,
        # 贫困户属性) it names the same column.
        for header, target in form.columns(entity).items():
            columns[entity].setdefault(header, target)
        unused[entity] = {
            h: code for h, code in form.unused(entity).items() if h not in columns[entity]
        }
    base = AliasMap(columns, {}, {}, unused, vocabulary)
    resource = files("poverty_core").joinpath("data/aliases.toml")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    return base._with_data(data, "poverty_core/data/aliases.toml", override=False)


def header_problems(vocabulary: Vocabulary) -> list[Text]:
    """Headers of the declared fields (name, titles, ``aliases``) that already name
    another column in the core model's alias map (a load error of the pack: a header
    names one column)."""
    core = AliasMap.default()
    problems: list[Text] = []
    for entity in ENTITY_SUBJECTS:
        for f in vocabulary.on(entity).values():
            for head in (f.name, f.title.zh, f.title.en, *f.aliases):
                taken = core.column(entity, head)
                if taken is not None and taken != f.name:
                    problems.append(
                        Text(
                            f"fields.toml：字段 {f.name} 的表头 {head!r} 已指核心列 {taken}",
                            f"fields.toml: field {f.name}: the header {head!r} already "
                            f"names the core column {taken}",
                        )
                    )
    return problems
