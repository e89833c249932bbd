"""The head of a text file: its encoding.

A byte-order mark means UTF-16; otherwise strict UTF-8 over the first
:data:`_SNIFF_BYTES`, else GB18030. Twenty lines are deterministic and right for
registers, where a detector library would guess.
"""

from __future__ import annotations

import codecs

from poverty_core.aliases import on_command_line, option
from poverty_core.registers.problems import _fatal


def _encoding_example() -> str:
    return "--encoding gb18030" if on_command_line() else "encoding='gb18030'"


def _detect_encoding(head: bytes, given: str | None, file: str) -> str:
    if given is not None:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise _fatal(file, f"未知编码 {given!r}", f"unknown encoding {given!r}") from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # A head shorter than the sniffing window is the whole file: a multi-byte sequence
    # cut off at its end is then an error, not a sequence continued further on.
    whole = len(head) < _SNIFF_BYTES
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=whole)
        return "gb18030"
    except UnicodeDecodeError:
        raise _fatal(
            file,
            f"无法识别编码（不是 UTF-8 也不是 GBK/GB18030）；请用 {option('encoding', 'zh')} 指定",
            f"cannot tell the encoding (neither UTF-8 nor GBK/GB18030); give it with "
            f"{option('encoding')}",
        ) from None


_SNIFF_BYTES = 1 << 23
