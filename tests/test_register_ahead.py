"""``Register.batches(ahead=True)`` — what the register job reads with — prepares each
batch on a thread while the caller works on the one before: the same batches, rows,
rejects, counts and errors, in the same order, as reading in the caller's thread; on a
clean register and on one with bad cells, unknown codes, repeated ids, members of no
household and members out of order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import poverty_core as pc
from poverty_core.columnar import open_register

H_HEAD = "id,village_id,annual_net_income_per_capita,food_secure,main_cause\n"
M_HEAD = "household_id,id,age,relation\n"


def _register(tmp_path: Path, bad: bool, out_of_order: bool = False) -> tuple[Path, Path]:
    households, members = [H_HEAD], [M_HEAD]
    for i in range(40):
        income = "abc" if bad and i in (3, 17) else str(2000 + 50 * i)
        cause = "no such cause" if bad and i == 25 else "illness"
        hid = "H05" if bad and i == 30 else f"H{i:02d}"  # a repeated id
        households.append(f"{hid},V{i % 3},{income},true,{cause}\n")
        members.append(f"H{i:02d},01,{30 + i},head\n")
        members.append(f"H{i:02d},02,{i % 18},child\n")
    if bad:
        members.append("H99,01,40,head\n")  # of no household
    if out_of_order:
        members.insert(3, "H35,03,10,child\n")  # early: waits for its household
        members.append("H01,03,10,child\n")  # late: its batch is gone
    h, m = tmp_path / "h.csv", tmp_path / "m.csv"
    h.write_text("".join(households), encoding="utf-8")
    m.write_text("".join(members), encoding="utf-8")
    return h, m


def _read(h: Path, m: Path, on_error: str, ahead: bool) -> tuple[list[Any], Any, Any]:
    register = open_register(h, m, on_error=on_error, batch_size=7)  # type: ignore[arg-type]
    got: list[Any] = []
    error = None
    try:
        for batch in register.batches(validate_first=False, ahead=ahead):
            got.append(
                (
                    batch.households,
                    batch.members,
                    batch.rows.tolist(),
                    None if batch.member_rows is None else batch.member_rows.tolist(),
                    [r.to_dict() for r in batch.rejected],
                )
            )
    except pc.InputError as err:
        error = err.format("en")
    return got, error, dict(register.rows_read)


@pytest.mark.parametrize(
    ("bad", "out_of_order", "on_error"),
    [
        (False, False, "fail"),
        (False, False, "skip"),
        (True, False, "fail"),
        (True, False, "skip"),
        (False, True, "skip"),
        (False, True, "fail"),
    ],
)
def test_batches_read_ahead_are_the_batches(
    tmp_path: Path, bad: bool, out_of_order: bool, on_error: str
) -> None:
    h, m = _register(tmp_path, bad, out_of_order)
    here = _read(h, m, on_error, ahead=False)
    there = _read(h, m, on_error, ahead=True)
    assert there[1] == here[1]  # the same error, or none
    assert there[2] == here[2]  # the same rows read
    assert len(there[0]) == len(here[0])
    for a, b in zip(there[0], here[0], strict=True):
        assert a[0].equals(b[0])
        assert (a[1] is None) == (b[1] is None)
        if a[1] is not None:
            assert a[1].equals(b[1])
        assert a[2:] == b[2:]
    if bad or out_of_order:
        assert here[1] is not None or any(batch[4] for batch in here[0])


def test_leaving_early_stops_the_reading_thread(tmp_path: Path) -> None:
    h, m = _register(tmp_path, False)
    batches = open_register(h, m, batch_size=5).batches(validate_first=False, ahead=True)
    first = next(batches)
    assert first.households.num_rows == 5
    batches.close()  # the thread is told to stop and joined
