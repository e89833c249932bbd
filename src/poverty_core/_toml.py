"""Strict reading of pack data files (TOML, never executed).

Every table is checked against the keys it may hold; a problem raises
:class:`~poverty_core.errors.PackError` naming the pack, the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from typing import Any, NoReturn

from poverty_core._text import Text
from poverty_core.errors import PackError

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class DataFile:
    """One TOML file of a pack, with helpers that fail with the pack, file and key."""

    def __init__(self, pack: str, path: str, data: dict[str, Any]) -> None:
        self.pack = pack
        self.path = path
        self.data = data

    @classmethod
    def read(cls, pack: str, resource: Traversable, path: str) -> DataFile:
        """Parse ``resource``; a syntax error or a repeated key names the file."""
        try:
            raw = resource.read_bytes()
        except OSError as exc:
            raise PackError(
                pack, Text(f"无法读取：{exc}", f"cannot read: {exc}"), file=path
            ) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise PackError(pack, Text("不是 UTF-8 文本", "not UTF-8 text"), file=path) from None
        except tomllib.TOMLDecodeError as exc:
            raise PackError(
                pack, Text(f"TOML 语法错误：{exc}", f"TOML error: {exc}"), file=path
            ) from None
        return cls(pack, path, data)

    def fail(self, key: str, zh: str, en: str) -> NoReturn:
        """Raise a :class:`PackError` about ``key`` of this file."""
        where = f" [{key}]" if key else ""
        raise PackError(self.pack, Text(f"{zh}", f"{en}"), file=self.path + where)

    def keys(
        self,
        table: dict[str, Any],
        where: str,
        required: Iterable[str],
        optional: Iterable[str] = (),
    ) -> None:
        """Fail on a missing required key or an unknown key of ``table``."""
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in required:
            if key not in table:
                self.fail(where, f"缺少键 {key!r}", f"missing key {key!r}")
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.fail(
                where,
                f"未知键 {', '.join(unknown)}（可用：{', '.join(sorted(allowed))}）",
                f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})",
            )

    def text(self, table: dict[str, Any], key: str, where: str) -> Text:
        """A ``{zh = …, en = …}`` table as :class:`Text`."""
        value = table.get(key)
        here = f"{where}.{key}" if where else key
        if not isinstance(value, dict):
            self.fail(here, "应为含 zh 与 en 的表", "expected a table with zh and en")
        self.keys(value, here, ("zh", "en"))
        if not all(isinstance(value[k], str) and value[k].strip() for k in ("zh", "en")):
            self.fail(here, "zh 与 en 必须是非空文本", "zh and en must be non-empty text")
        return Text(value["zh"], value["en"])

    def optional_text(self, table: dict[str, Any], key: str, where: str) -> Text | None:
        """Like :meth:`text`, or ``None`` when the key is absent."""
        return self.text(table, key, where) if key in table else None

    def string(
        self, table: dict[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None
    ) -> str:
        """A non-empty string (matching ``pattern`` when given)."""
        value = table.get(key)
        here = f"{where}.{key}" if where else key
        if not isinstance(value, str) or not value.strip():
            self.fail(here, "应为非空文本", "expected non-empty text")
        if pattern is not None and not pattern.match(value):
            self.fail(
                here,
                f"{value!r} 格式不符（{pattern.pattern}）",
                f"{value!r} does not match {pattern.pattern}",
            )
        return value

    def date(self, table: dict[str, Any], key: str, where: str) -> dt.date:
        """A TOML date (not a date-time, not a string)."""
        value = table.get(key)
        here = f"{where}.{key}" if where else key
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.fail(
                here,
                f"应为 TOML 日期，如 2016-01-01（实为 {value!r}）",
                f"expected a TOML date such as 2016-01-01 (got {value!r})",
            )
        return value

    def boolean(self, table: dict[str, Any], key: str, where: str, default: bool) -> bool:
        """An optional boolean."""
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(
                f"{where}.{key}" if where else key, "应为 true 或 false", "expected true or false"
            )
        return value

    def array_of_tables(self, table: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        """A non-empty ``[[key]]`` array of tables."""
        value = table.get(key)
        here = f"{where}.{key}" if where else key
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            self.fail(
                here,
                f"应为非空的 [[{key}]] 表数组",
                f"expected a non-empty [[{key}]] array of tables",
            )
        return value


def list_toml(folder: Traversable) -> list[Traversable]:
    """The ``*.toml`` files of a folder, sorted by name (empty if the folder is absent)."""
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
