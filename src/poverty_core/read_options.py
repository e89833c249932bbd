"""How a register is read: :class:`ReadOptions`, one value for the reading options the
register jobs take (:func:`poverty_core.jobs.assess_register`,
:func:`poverty_core.compare.compare_register`) and the command line maps from its
arguments (``--on-error``, ``--encoding``, ``--alias``, ``--ignore-column``,
``--batch-size``, ``--layout``, ``--interpret``).

What is read — the households file or a sample, the members, villages and counties
files — stays an argument of the job; how it is read is this value. It is a frozen attrs
class of plain types, so cattrs (the library's own converter: :meth:`ReadOptions.to_dict`,
:meth:`ReadOptions.from_dict`) or a caller's converter turns it into JSON and back.

The jobs took these options as separate keywords until 0.2; those keywords still work
and warn (:class:`DeprecationWarning`): :func:`read_options` is the one place that maps
them.

>>> from poverty_core.read_options import ReadOptions
>>> read = ReadOptions(aliases={"户编号": "id"}, ignore_columns=["备注"], on_error="skip")
>>> read.ignore_columns, read.batch_size
(('备注',), 65536)
>>> ReadOptions.from_dict(read.to_dict()) == read
True
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

from poverty_core._text import Text
from poverty_core.errors import InputError, Problem
from poverty_core.sources import OnError, UsageError

__all__ = ["ReadOptions", "read_options"]


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(values)


def _pairs(values: Mapping[str, str] | None) -> dict[str, str]:
    return dict(values or {})


@attrs.frozen
class ReadOptions:
    """How a register is read (the options of
    :func:`~poverty_core.columnar.open_register` a register job passes on).

    ``ReadOptions()`` reads as the command line does by default: a bad row stops the
    run, the encoding of CSV files is detected, every column must be known, the layout
    is told from the files."""

    on_error: OnError = "fail"
    """``fail`` (a bad row stops the run, every problem listed) or ``skip`` (bad rows
    are rejected with their reasons and the run goes on)."""
    encoding: str | None = None
    """The text encoding of CSV files (``None``: detected)."""
    aliases: dict[str, str] = attrs.field(factory=dict, converter=_pairs)
    """Column headers read as fields (``{"户编号": "id"}``)."""
    ignore_columns: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    """Column headers left unread (otherwise an unknown column is an error)."""
    batch_size: int = 65536
    """Households per batch (memory; the results are the same whatever it is)."""
    layout: str | None = None
    """``flat``, ``two-file`` or ``nested`` (``None``: told from the files)."""
    interpretations: dict[str, str] = attrs.field(factory=dict, converter=_pairs)
    """Options of the national form read another way (``{"non_student": "unknown"}``;
    see :doc:`register-layouts`)."""

    def keywords(self) -> dict[str, Any]:
        """The options as the keywords of :func:`poverty_core.sources.open_source`."""
        return {
            "on_error": self.on_error,
            "encoding": self.encoding,
            "aliases": dict(self.aliases),
            "ignore_columns": list(self.ignore_columns),
            "batch_size": self.batch_size,
            "layout": self.layout,
            "interpretations": dict(self.interpretations),
        }

    def recorded(self) -> dict[str, Any]:
        """The options a decision record keeps (those that change what is read; not
        the batch size), leaving out those at their default."""
        out = {
            "on_error": self.on_error,
            "encoding": self.encoding,
            "aliases": dict(self.aliases),
            "ignore_columns": list(self.ignore_columns),
            "layout": self.layout,
            "interpretations": dict(self.interpretations),
        }
        return {k: v for k, v in out.items() if v not in (None, {}, [])}

    @classmethod
    def from_recorded(cls, reading: Mapping[str, Any]) -> ReadOptions:
        """The options a decision record's ``reading`` holds (other keys — the files
        read — are ignored)."""
        known = {f.name for f in attrs.fields(cls)}
        return cls.from_dict({k: v for k, v in reading.items() if k in known and v is not None})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (every option, defaults included)."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadOptions:
        """The options from their JSON form (missing keys take their default).

        :raises ~poverty_core.errors.InputError: an unknown key or a value of the wrong
            type, each named by its path (``$.batch_size``)."""
        try:
            options: ReadOptions = _CONVERTER.structure(dict(data), cls)
        except Exception as exc:  # cattrs reports every bad field in one group
            lines = (
                cattrs.transform_error(exc)
                if isinstance(exc, cattrs.BaseValidationError)
                else [str(exc)]
            )
            raise InputError(
                [
                    Problem(
                        "read",
                        Text(f"读取选项无效：{line}", f"invalid read options: {line}"),
                    )
                    for line in lines
                ],
                what="read",
            ) from None
        return options


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_unstructure_hook_func(lambda t: t == tuple[str, ...], list)
    return conv


_CONVERTER = _make_converter()

_SEPARATE = (
    "on_error",
    "encoding",
    "aliases",
    "ignore_columns",
    "batch_size",
    "layout",
    "interpretations",
)


def read_options(
    read: ReadOptions | None,
    function: str,
    separate: Mapping[str, Any],
    *,
    stacklevel: int = 3,
) -> ReadOptions:
    """The reading options of a call to ``function``: ``read``, or — the deprecated
    spelling — the separate keywords ``separate`` holds (``None``: not given), which warn
    with a :class:`DeprecationWarning` naming them (``stacklevel``: as
    :func:`warnings.warn` takes it, so that the warning points at ``function``'s caller —
    3 when ``function`` calls this directly).

    :raises ~poverty_core.sources.UsageError: both ``read`` and a separate keyword."""
    given = {k: v for k, v in separate.items() if v is not None}
    unknown = set(given) - set(_SEPARATE)
    if unknown:  # a caller's mistake in this library, not a user's
        raise TypeError(f"{function}: not a reading option: {sorted(unknown)}")
    if not given:
        return read if read is not None else ReadOptions()
    names = ", ".join(sorted(given))
    if read is not None:
        raise UsageError(
            Text(
                f"{function}：read= 与单独的读取选项（{names}）不能同时给出",
                f"{function}: give read= or the separate reading options ({names}), not both",
            )
        )
    warnings.warn(
        f"{function}: the keywords {names} are deprecated; pass "
        f"read=ReadOptions({', '.join(f'{k}=…' for k in sorted(given))}) instead "
        f"/ 这些单独的读取选项已弃用，请改用 read=ReadOptions(…)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return ReadOptions(**given)
