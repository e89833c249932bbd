"""Cell coercion: text (and typed) columns to the model's types, with a reason per bad cell.

Numbers (grouped thousands, full-width digits; approximations and units rejected),
yes/no, codes by name, label or synonym, dates in the forms registers use (``2016年11月13日``
…), and lists. Hand-written with Arrow kernels because no reader gives a bilingual reason
for each cell it cannot read (polars and duckdb casts turn a bad cell into null or fail the
whole column).
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core import _arrow_buffers
from poverty_core._text import Text
from poverty_core.aliases import AliasMap
from poverty_core.codes import Code
from poverty_core.registers.problems import _show
from poverty_core.registers.schema import MAX_CELL_CHARS, MAX_ID_CHARS
from poverty_core.registers.specs import _KIND_WORDS, _Spec

Bad = list[tuple[int, Text]]
"""Problems of one column: (row index in the batch, message)."""


_whole = _arrow_buffers.whole  # used by the other readers (an explicit export)


def _expect(kind: str, value: Any) -> Text:
    zh, en = _KIND_WORDS.get(kind, (kind, kind))
    return Text(f"应为{zh}（实为 {_show(value)}）", f"expected {en} (got {_show(value)})")


def _bits(buffer: pa.Buffer, offset: int, n: int) -> npt.NDArray[np.bool_]:
    """``n`` bits of an Arrow bitmap from bit ``offset``, as NumPy booleans."""
    packed = np.frombuffer(buffer, np.uint8)
    return np.unpackbits(packed, count=offset + n, bitorder="little")[offset:].view(np.bool_)


def _mask(arr: Any) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array (nulls false) as numpy (its bitmaps unpacked)."""
    arr = _whole(arr)
    if not pa.types.is_boolean(arr.type):
        return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), np.bool_)
    n = len(arr)
    if arr.null_count == n:
        return np.zeros(n, np.bool_)
    validity, values = arr.buffers()
    out = _bits(values, arr.offset, n)
    if arr.null_count:
        out = out & _bits(validity, arr.offset, n)
    return out


def _logical_nulls(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_dictionary(kind) or pa.types.is_union(kind) or pa.types.is_run_end_encoded(kind)
    )


def _valid(arr: Any) -> npt.NDArray[np.bool_]:
    """Which cells are not null (the validity bitmap unpacked, where it says so: not for
    a dictionary, whose nulls may be in its values, nor a union or run-end encoding)."""
    if isinstance(arr, pa.ChunkedArray) or _logical_nulls(arr.type):
        return _mask(arr.is_valid())
    n = len(arr)
    nulls = arr.null_count
    if nulls == 0:
        return np.ones(n, np.bool_)
    if nulls == n:
        return np.zeros(n, np.bool_)
    validity = arr.buffers()[0]
    if validity is None:
        return _mask(arr.is_valid())
    return _bits(validity, arr.offset, n)


def _clean(arr: pa.Array) -> pa.Array:
    """Text trimmed of surrounding spaces; empty cells null."""
    if _may_need_trim(arr):
        arr = pc.utf8_trim_whitespace(arr)
    return _empty_to_null(arr)


def _may_need_trim(arr: pa.Array) -> bool:
    """Whether some cell may start or end with a space (a look at the first and last
    byte of each cell: ASCII ones other than spaces rule it out)."""
    n = len(arr)
    if not n or not pa.types.is_string(arr.type):
        return True
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return False
    raw = np.frombuffer(data, np.uint8)
    starts, stops = offsets[:-1], offsets[1:]
    # The bytes at each cell's start and end (an empty cell's are whatever lies there,
    # clipped to the buffer, and ignored): outside 0x21-0x7E is a space, a control
    # character or part of a non-ASCII one.
    first = raw.take(starts, mode="clip") - np.uint8(0x21)
    last = raw.take(stops - 1, mode="clip") - np.uint8(0x21)
    edge = (first >= 0x5E) | (last >= 0x5E)
    if not edge.any():
        return False
    return bool((edge & (stops > starts)).any())


def _empty_to_null(arr: pa.Array) -> pa.Array:
    """Empty cells null (the cheap first step before a fast cast)."""
    lengths = pc.binary_length(arr)
    if (pc.min(lengths).as_py() or 0) > 0:
        return arr
    return pc.if_else(pc.equal(lengths, 0), pa.scalar(None, arr.type), arr)


def _convert(arr: Any, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """One column as ``spec.type`` and the problems of its cells."""
    arr = _whole(arr)
    n = len(arr)
    t = arr.type
    if pa.types.is_dictionary(t):
        if spec.kind == "code":
            return _dictionary_codes(arr, spec, aliases)
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", _no)(t):
        arr = arr.cast(pa.string())
        t = arr.type
    if spec.kind == "unnamed":
        text = _clean(arr.cast(pa.string())) if not pa.types.is_string(t) else _clean(arr)
        rows = np.flatnonzero(_valid(text))
        message = Text("表头为空的列中有值", "a value in a column without a header")
        return pa.nulls(n), [(int(i), message) for i in rows]
    if pa.types.is_null(t) or arr.null_count == n:
        return pa.nulls(n, spec.type), []
    if pa.types.is_string(t):
        if not pc.max(pc.binary_length(arr)).as_py():
            return pa.nulls(n, spec.type), []
        return _from_text(arr, spec, aliases)
    return _from_typed(arr, spec, aliases)


def _dictionary_codes(arr: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """A code column read as a dictionary: its distinct words converted (as a column of
    text or typed cells is), then taken row by row through the indices; a bad word is a
    problem of every row holding it."""
    converted, bad_words = _convert(arr.dictionary, spec, aliases)
    out = pc.take(converted, arr.indices)
    if not bad_words:
        return out, []
    why = dict(bad_words)
    index = np.asarray(pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False), np.int64)
    rows = np.flatnonzero(np.isin(index, np.fromiter(why, np.int64, len(why))))
    return out, [(int(i), why[int(index[i])]) for i in rows]


def _no(_: Any) -> bool:
    return False


def _from_text(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """A text column (cells untrimmed) as ``spec.type``."""
    n = len(text)
    kind = spec.kind
    text = _clean(text) if kind in ("text", "list") else _empty_to_null(text)
    if text.null_count == n:
        return pa.nulls(n, spec.type), []
    if kind == "text":
        return _texts(text, spec)
    if kind in ("float", "int"):
        return _numbers(text, spec)
    if kind == "bool":
        return _booleans(text, aliases)
    if kind == "code":
        return _codes(text, spec, aliases)
    if kind == "date":
        return _dates(text)
    if kind == "list":
        return _lists(text, spec, aliases)
    raise AssertionError(kind)


_CONTROL = r"[\x00-\x1f\x7f]"


def _suspect(text: pa.Array, limit: int) -> bool:
    """Whether some cell may be too long or hold a control character (a fast scan of
    the bytes; the cells are looked at one by one only then)."""
    n = len(text)
    if not n:
        return False
    if (pc.max(pc.binary_length(text)).as_py() or 0) > limit:
        return True
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return False
    chunk = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]]
    if chunk.min() < 32:
        return True
    return bool(chunk.max() >= 127 and (chunk == 127).any())


def _texts(text: pa.Array, spec: _Spec) -> tuple[pa.Array, Bad]:
    limit = MAX_ID_CHARS if spec.id else MAX_CELL_CHARS
    if not _suspect(text, limit):
        return text, []
    long_ = pc.greater(pc.utf8_length(text), limit)
    control = pc.match_substring_regex(text, _CONTROL)
    bad_rows = np.flatnonzero(_mask(pc.or_(long_, control)))
    bad: Bad = []
    for i in bad_rows:
        value = text[int(i)].as_py()
        if len(value) > limit:
            bad.append(
                (
                    int(i),
                    Text(
                        f"过长（{len(value)} 个字符，最多 {limit}）",
                        f"too long ({len(value)} characters; at most {limit})",
                    ),
                )
            )
        else:
            bad.append(
                (
                    int(i),
                    Text(
                        f'含换行或控制字符（上方可能有未闭合的引号 "）：{_show(value)}',
                        f'contains a line break or control character (an unclosed quote " '
                        f"above?): {_show(value)}",
                    ),
                )
            )
    return text, bad


_ARROW_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


_NUMBER = re.compile(_ARROW_NUMBER)


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


_APPROX = ("约", "大约", "左右", "上下", "多", "余", "~", "≈")


_UNITS = ("元", "万", "%", "％", "亩", "人", "岁", "年", "米", "升", "分钟", "天")


def _parse_number(raw: str) -> float | Text:
    """A number from a cell the fast path did not take, or why it is not one."""
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        value = float(text)
        if math.isfinite(value):
            return value
        return _expect("float", raw)
    shown = _show(raw)
    if any(word in text for word in _APPROX):
        return Text(
            f"不接受约数：{shown}（请填写确数，如 3000）",
            f"an approximate value is not a number: {shown} (give the number alone, e.g. 3000)",
        )
    if re.search(r"\d", text) and any(unit in text for unit in _UNITS):
        return Text(
            f"数值不能带单位：{shown}（只填数字，如 3000）",
            f"a number without units, please: {shown} (e.g. 3000)",
        )
    if re.fullmatch(r"[+-]?\d+(,\d+)+(\.\d+)?", text):
        return Text(
            f"无法识别的数字分组：{shown}（小数点用 .，千分位只能写作 1,234）",
            f"unclear digit grouping: {shown} (use . for decimals; thousands only as 1,234)",
        )
    return Text(
        f"不是数值：{shown}（只填数字，如 3000）",
        f"not a number: {shown} (write digits only, e.g. 3000)",
    )


def _numbers(text: pa.Array, spec: _Spec) -> tuple[pa.Array, Bad]:
    is_int = spec.kind == "int"
    target = pa.int64() if is_int else pa.float64()
    with contextlib.suppress(pa.ArrowInvalid):
        values = pc.cast(text, target)
        if is_int or not _nonfinite(values).any():
            return values, []
    text = _clean(text)
    bad: Bad = []
    try:
        values = pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        plain = _mask(pc.match_substring_regex(text, _ARROW_NUMBER))
        fast = pc.cast(
            pc.if_else(pa.array(plain), text, pa.scalar(None, pa.string())), pa.float64()
        )
        v = np.array(pc.fill_null(fast, 0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        known = _valid(fast)
        for i in np.flatnonzero(_valid(text) & ~plain):
            parsed = _parse_number(text[int(i)].as_py())
            if isinstance(parsed, Text):
                bad.append((int(i), parsed))
            else:
                v[i] = parsed
                known[i] = True
        values = pa.array(v, mask=~known)
    v = np.array(pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    known = _valid(values)
    bad_rows = {i for i, _ in bad}
    for i in np.flatnonzero(known & ~np.isfinite(v)):
        bad.append((int(i), _expect("finite", text[int(i)].as_py())))
        known[i] = False
    if not is_int:
        return pa.array(v, mask=~known), bad
    whole = known & (np.floor(v) == v) & (np.abs(v) <= 2.0**53)
    for i in np.flatnonzero(known & ~whole):
        if int(i) not in bad_rows:
            bad.append((int(i), _expect("int", text[int(i)].as_py())))
    return pa.array(np.where(whole, v, 0).astype(np.int64), mask=~whole), bad


def _nonfinite(values: pa.Array) -> npt.NDArray[np.bool_]:
    return _valid(values) & ~_mask(pc.is_finite(values))


def _booleans(text: pa.Array, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.bool_()), []
    encoded = pc.dictionary_encode(text)
    words = encoded.dictionary.to_pylist()
    lut = [aliases.boolean(w) for w in words]
    blank = np.array([not w.strip() for w in words] or [False], dtype=np.bool_)
    values = np.array([bool(x) for x in lut] or [False], dtype=np.bool_)
    known = np.array([x is not None for x in lut] or [False], dtype=np.bool_)
    index = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False))
    valid = _valid(text)
    ok = valid & known[index]
    bad: Bad = []
    for i in np.flatnonzero(valid & ~ok & ~blank[index]):
        shown = _show(text[int(i)].as_py())
        bad.append(
            (
                int(i),
                Text(
                    f"不是是/否：{shown}（可用 是/否、true/false、1/0、Y/N）",
                    f"not yes/no: {shown} (use true/false, 是/否, 1/0 or Y/N)",
                ),
            )
        )
    return pa.array(values[index], mask=~ok), bad


def _code_message(value: Any, cls: type[Code]) -> Text:
    codes = ", ".join(f"{m.value}/{m.label.zh}" for m in cls)
    return Text(
        f"{_show(value)} 不是{cls.list_name()}的代码；可用：{codes}",
        f"{_show(value)} is not a {cls.list_name()} code; expected one of: {codes}",
    )


def _codes(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    assert spec.code is not None
    encoded = pc.dictionary_encode(text)
    words = encoded.dictionary.to_pylist()
    mapped = [aliases.code(spec.code, w) for w in words]
    if all(m is not None and m.value == w for m, w in zip(mapped, words, strict=True)):
        return text, []
    lut = pa.array([None if m is None else m.value for m in mapped], pa.string())
    blank = np.array([not w.strip() for w in words] or [False], dtype=np.bool_)
    out = pc.take(lut, encoded.indices)
    index = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False))
    bad: Bad = []
    for i in np.flatnonzero(_valid(text) & ~_valid(out) & ~blank[index]):
        bad.append((int(i), _code_message(text[int(i)].as_py(), spec.code)))
    return out, bad


_DATE_PATTERNS = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)


_EPOCH = np.datetime64("1970-01-01", "D")


def _ymd(y: Any, m: Any, d: Any) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.bool_]]:
    """Days since 1970 of year/month/day arrays, and which are real dates."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1) & (y <= 9999)
    y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
    months = ((y - 1970) * 12 + (m - 1)).astype("timedelta64[M]") + np.datetime64("1970-01", "M")
    days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months
    return (days - _EPOCH).astype(np.int32), ok


def _dates(text: pa.Array) -> tuple[pa.Array, Bad]:
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.date32()), []
    text = _clean(text)
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.date32()), []
    n = len(text)
    norm = pc.utf8_normalize(text, "NFKC")
    days = np.zeros(n, dtype=np.int32)
    known = np.zeros(n, dtype=np.bool_)
    for pattern in _DATE_PATTERNS:
        parts = pc.extract_regex(norm, pattern)
        hit = _valid(parts) & ~known
        if not hit.any():
            continue
        y, m, d = (
            np.asarray(
                pc.cast(pc.if_else(pa.array(hit), parts.field(k), "0"), pa.int64()).to_numpy(
                    zero_copy_only=False
                )
            )
            for k in ("y", "m", "d")
        )
        got, ok = _ymd(y, m, d)
        take = hit & ok
        days[take] = got[take]
        known |= take
    bad: Bad = []
    for i in np.flatnonzero(_valid(text) & ~known):
        shown = _show(text[int(i)].as_py())
        bad.append(
            (
                int(i),
                Text(
                    f"不是有效日期：{shown}（应为 YYYY-MM-DD）",
                    f"not a valid date: {shown} (expected YYYY-MM-DD)",
                ),
            )
        )
    return pa.array(days, pa.int32(), mask=~known).cast(pa.date32()), bad


def _lists(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    assert spec.item is not None
    seps = ["；", "、", "|"] + ([] if spec.item.kind in ("float", "int") else [",", "，"])
    text = pc.if_else(pc.equal(text, "[]"), "", text)
    for sep in seps:
        text = pc.replace_substring(text, sep, ";")
    parts = pc.split_pattern(text, ";")
    return _rebuild_list(parts, spec, aliases, is_text=True)


def _rebuild_list(
    parts: pa.Array, spec: _Spec, aliases: AliasMap, *, is_text: bool
) -> tuple[pa.Array, Bad]:
    """A list column with every item converted; empty text items dropped."""
    assert spec.item is not None
    n = len(parts)
    flat = pc.list_flatten(parts)
    parents = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False), np.int64)
    bad: Bad = []
    if is_text:
        flat = _clean(flat)
        keep = _valid(flat)
        flat = flat.filter(pa.array(keep))
        parents = parents[keep]
    else:
        for j in np.flatnonzero(~_valid(flat)):
            bad.append((int(parents[j]), Text("列表中有空项", "the list has an empty (null) item")))
    items, item_bad = _convert(flat, spec.item, aliases)
    bad += [(int(parents[j]), text) for j, text in item_bad]
    counts = np.bincount(parents, minlength=n) if len(parents) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    null = ~_valid(parts)
    out = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()), items, type=spec.type, mask=pa.array(null)
    )
    return out, bad


def _from_typed(arr: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """A typed (Parquet/Arrow) column: taken as it is when its type fits."""
    t = arr.type
    kind = spec.kind
    n = len(arr)
    is_int = pa.types.is_integer(t)
    is_num = is_int or pa.types.is_floating(t) or pa.types.is_decimal(t)

    def every_cell_bad() -> tuple[pa.Array, Bad]:
        valid = _valid(arr)
        return pa.nulls(n, spec.type), [
            (int(i), _expect(kind, arr[int(i)].as_py())) for i in np.flatnonzero(valid)
        ]

    if kind == "text":
        if is_int:
            return _texts(arr.cast(pa.string()), spec)
        return every_cell_bad()
    if kind in ("float", "int"):
        if not is_num:
            return every_cell_bad()
        values = pc.cast(arr, pa.float64(), safe=False)
        v = np.asarray(pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False), np.float64)
        known = _valid(arr)
        bad: Bad = []
        finite = np.isfinite(v)
        for i in np.flatnonzero(known & ~finite):
            bad.append((int(i), _expect("finite", str(arr[int(i)].as_py()))))
        if kind == "float":
            return pa.array(v, mask=~(known & finite)), bad
        if is_int:
            with contextlib.suppress(pa.ArrowInvalid):
                return pc.cast(arr, pa.int64()), []
        whole = known & finite & (np.floor(v) == v) & (np.abs(v) <= 2.0**53)
        for i in np.flatnonzero(known & finite & ~whole):
            bad.append((int(i), _expect("int", arr[int(i)].as_py())))
        return pa.array(np.where(whole, v, 0).astype(np.int64), mask=~whole), bad
    if kind == "bool":
        if pa.types.is_boolean(t):
            return arr, []
        if is_int:
            v = np.asarray(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False))
            known = _valid(arr)
            ok = known & ((v == 0) | (v == 1))
            return pa.array(v == 1, mask=~ok), [
                (int(i), _expect("bool", int(v[i]))) for i in np.flatnonzero(known & ~ok)
            ]
        return every_cell_bad()
    if kind == "date":
        if pa.types.is_date32(t):
            return arr, []
        if pa.types.is_date64(t):
            return arr.cast(pa.date32()), []
        if pa.types.is_timestamp(t):
            stamps = pc.cast(arr, pa.timestamp("s", t.tz), safe=False)
            day = pc.cast(stamps, pa.date32())
            midnight = _mask(pc.equal(pc.cast(day, pa.timestamp("s", t.tz)), stamps))
            known = _valid(arr)
            return pc.if_else(pa.array(midnight), day, pa.scalar(None, pa.date32())), [
                (int(i), _expect("date", str(arr[int(i)].as_py())))
                for i in np.flatnonzero(known & ~midnight)
            ]
        return every_cell_bad()
    if kind == "list":
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            return _rebuild_list(arr, spec, aliases, is_text=False)
        return every_cell_bad()
    return every_cell_bad()
