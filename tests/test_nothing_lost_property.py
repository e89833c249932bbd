"""Property: for random small registers — CSV or xlsx, with blank, merged and bad cells,
ragged rows, repeated ids, orphan members and a villages file with bad rows — a run in
skip mode puts every row of every input file either in the results or in the rejects
file, never both and never neither; a household is never decided without one of its
member rows; and the counts per file add up. Through the command line's entry point."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poverty_core.cli import EXIT_OK, main

H_HEAD = ["id", "village_id", "annual_net_income_per_capita", "food_secure", "house_grade"]
M_HEAD = ["household_id", "id", "age", "basic_medical_insurance"]
V_HEAD = ["id", "rural_registered_population"]


@st.composite
def registers(draw: st.DrawFn) -> dict[str, Any]:
    """A plan of a register: rows as cells, with the key each row really has (a member
    row's household, a village row's id) and the merged ranges of an xlsx workbook."""
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    villages: list[list[str]] | None = None
    if draw(st.booleans()):
        villages = []
        for k in range(draw(st.integers(1, 3))):
            vid = draw(st.sampled_from([f"v{k + 1}"] * 3 + ["", "v1"]))  # blank, repeated
            population = draw(st.sampled_from(["10000", "10000", "", "-1", "many"]))
            villages.append([vid, population or ("" if vid else "5")])
    households: list[list[str]] = []
    members: list[dict[str, Any]] = []  # {"cells", "key", "ragged"}
    merges: dict[str, list[str]] = {"households": [], "members": []}
    for i in range(draw(st.integers(1, 6))):
        hid = f"h{i}"
        village = draw(st.sampled_from(["v1", "v2", "v3", "", "v9"]))
        cells = [hid, village, "3100", "true", "B"]
        fault = draw(
            st.sampled_from(["none"] * 6 + ["blank id", "repeat id", "income", "bool", "code"])
        )
        if fault == "blank id":
            cells[0] = ""
        elif fault == "repeat id" and i:
            cells[0] = f"h{draw(st.integers(0, i - 1))}"
        elif fault == "income":
            cells[2] = draw(st.sampled_from(["-5", "约3000", "nan"]))
        elif fault == "bool":
            cells[3] = "maybe"
        elif fault == "code":
            cells[4] = "E"
        households.append(cells)
        if cells[0] != hid and cells[0]:
            continue  # a repeated id brings no members of its own (they would be its first's)
        first = len(members)
        for j in range(draw(st.integers(0, 3))):
            mcells = [hid, str(j + 1), "40", "true"]
            mfault = draw(
                st.sampled_from(["none"] * 8 + ["blank key", "age", "repeat id", "ragged"])
            )
            if mfault == "blank key":
                mcells[0] = ""
            elif mfault == "age":
                mcells[2] = draw(st.sampled_from(["-1", "abc", "200"]))
            elif mfault == "repeat id" and j:
                mcells[1] = "1"
            members.append(
                {"cells": mcells, "key": mcells[0] or None, "ragged": mfault == "ragged"}
            )
        run = members[first:]
        if fmt == "xlsx" and len(run) > 1 and draw(st.booleans()):
            # The household id written once, merged down the household's rows.
            for k, m in enumerate(run):
                m["cells"][0] = "" if k else hid
                m["key"] = hid
            merges["members"].append(f"A{first + 2}:A{first + len(run) + 1}")
        elif fmt == "xlsx" and len(run) > 1 and draw(st.booleans()):
            # A merged cell outside the key columns: the rows under it are refused.
            run[1]["cells"][2] = ""
            merges["members"].append(f"C{first + 2}:C{first + 3}")
    if not members:
        members.append({"cells": ["h99", "1", "40", "true"], "key": "h99", "ragged": False})
    if draw(st.booleans()):
        members.append({"cells": ["h99", "1", "40", "true"], "key": "h99", "ragged": False})
    if fmt == "xlsx" and len(households) > 1 and draw(st.booleans()):
        # One village written once, merged down the households that follow it.
        start = draw(st.integers(0, len(households) - 2))
        stop = draw(st.integers(start + 1, len(households) - 1))
        for cells in households[start + 1 : stop + 1]:
            cells[1] = ""
        households[start][1] = households[start][1] or "v1"
        merges["households"].append(f"B{start + 2}:B{stop + 2}")
        for cells in households[start + 1 : stop + 1]:
            cells.append(households[start][1])  # the value the merge gives (not written)
    batch_size = draw(st.sampled_from([1, 2, 3, 65536]))
    return {"format": fmt, "households": households, "members": members, "villages": villages,
            "merges": merges, "batch_size": batch_size}  # fmt: skip


def write(folder: Path, plan: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The input files; the arguments and each role's file name as the run names it."""
    households = [c[:5] for c in plan["households"]]
    members = [m["cells"] + (["x"] if m["ragged"] else []) for m in plan["members"]]
    args: list[str] = []
    names: dict[str, str] = {}
    if plan["format"] == "csv":
        for name, head, rows in (("h.csv", H_HEAD, households), ("m.csv", M_HEAD, members)):
            (folder / name).write_text(
                "\n".join(",".join(r) for r in [head, *rows]) + "\n", "utf-8"
            )
        args = [str(folder / "h.csv"), "--members", str(folder / "m.csv")]
        names = {"households": str(folder / "h.csv"), "members": str(folder / "m.csv")}
    else:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheets = {"households": book.active, "members": book.create_sheet("members")}
        sheets["households"].title = "households"
        for role, head, rows in (("households", H_HEAD, households), ("members", M_HEAD, members)):
            sheets[role].append(head)
            for row in rows:
                sheets[role].append([c if c != "" else None for c in row])
            for ref in plan["merges"][role]:
                sheets[role].merge_cells(ref)
        book.save(folder / "book.xlsx")
        args = [str(folder / "book.xlsx")]
        names = {role: f"{folder / 'book.xlsx'}[{role}]" for role in sheets}
    if plan["villages"] is not None:
        text = "\n".join(",".join(r) for r in [V_HEAD, *plan["villages"]]) + "\n"
        (folder / "v.csv").write_text(text, "utf-8")
        args += ["--villages", str(folder / "v.csv")]
        names["villages"] = str(folder / "v.csv")
    return args, names


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(registers())
def test_every_row_is_in_the_results_or_the_rejects(plan: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        args, names = write(folder, plan)
        out = io.StringIO()
        code = main(
            ["assess", *args, "--as-of", "2016-12-31", "--on-error", "skip",
             "--batch-size", str(plan["batch_size"]), "-o", str(folder / "results.csv"),
             "--rejects", str(folder / "rejects.json"), "--format", "json"],
            stdout=out,
        )  # fmt: skip
        assert code == EXIT_OK
        report = json.loads(out.getvalue())
        results = (folder / "results.csv").read_text("utf-8")
        rejects = json.loads((folder / "rejects.json").read_text("utf-8"))
    kept = [r["id"] for r in csv.DictReader(io.StringIO(results))]
    assert len(kept) == len(set(kept))
    rejected: dict[str, set[int]] = {role: set() for role in ("households", "members", "villages")}
    for r in rejects:
        assert r["problems"]
        role = next(role for role, name in names.items() if name == r["file"])
        assert r["row"] not in rejected[role]
        rejected[role].add(r["row"])
    # Households: each row kept (its id in the results) or rejected.
    rows = {i + 2: cells for i, cells in enumerate(plan["households"])}
    assert rejected["households"] <= set(rows)
    assert sorted(rows[r][0] for r in set(rows) - rejected["households"]) == sorted(kept)
    # Members: kept exactly when their household is in the results.
    for i, m in enumerate(plan["members"]):
        assert ((i + 2) in rejected["members"]) is (m["key"] not in kept), (i + 2, m)
    # Villages: each row decided (its id among the village decisions) or rejected.
    decided = sorted(v["id"] for v in report["villages"])
    v_rows = {i + 2: cells[0] for i, cells in enumerate(plan["villages"] or [])}
    assert rejected["villages"] <= set(v_rows)
    assert sorted(v_rows[r] for r in set(v_rows) - rejected["villages"]) == decided
    # Households in the results are in a village the villages file lists (and kept).
    if plan["villages"] is not None:
        village: dict[str, str] = {}
        for cells in plan["households"]:
            village.setdefault(cells[0], cells[5] if len(cells) > 5 else cells[1])
        assert all(village[h] in decided or village[h] == "" for h in kept)
    # The counts per file add up, and match.
    for c in report["files"]:
        role = next(role for role, name in names.items() if name == c["file"])
        assert c["read"] == c["assessed"] + c["rejected"]
        assert c["rejected"] == len(rejected[role])
