"""A seeded, SYNTHETIC household register for the benchmarks — vectorised, no Python
loop per household or member.

Every share below is INVENTED to look plausible for a register of registered poor
households (建档立卡贫困户); none is a published figure, and the register describes no
real place or person:

* household size 1–6 members with shares 10 / 17 / 20 / 25 / 17 / 11 % (mean ≈ 3.55,
  so 1,000,000 households have ≈ 3.55M members);
* 200 households per village, 40 villages per county (so 1M households lie in 5,000
  villages of 125 counties);
* income per capita log-normal around the 2016 poverty line of 2952 yuan (≈ 80 %
  above it), food and clothing secure for ≈ 98 %, house grade A/B/C/D 40/40/12/8 %,
  6 % relocated (85 % of them with their keys);
* the first member is the head (aged 22–85), the second most often a spouse, the rest
  children, grandchildren, parents; ages 0–90; children aged 6–15 in school except
  ≈ 1 % out of school and 0.5 % kept from study by a disability; members in each of
  the three medical schemes for ≈ 97.5–98.5 %;
* every field the national household-exit rule reads, and a few others, is unknown
  (null) at ``null_rate`` (default 0.5 %), independently.

The tables are typed with :func:`poverty_core.columnar.arrow_schema`: households carry
the columns the national rules read plus ``id``, ``village_id``, ``county_id``,
``main_cause`` and ``attribute``; members carry ``household_id`` and the member fields.
Members are stored after their household, in household order.

The register is generated in chunks of :data:`CHUNK` households, each from its own
random stream (``numpy.random.default_rng([seed, chunk])``), so the same seed gives the
same register in memory and streamed to disk, and a 10M-household file is written in
bounded memory.

Usage::

    python benchmarks/generate.py --households 1000000 --out /tmp/register [--csv] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.columnar import MEMBER_KEY, arrow_schema
from poverty_core.model import Household, Person

__all__ = [
    "CHUNK",
    "GENERATOR",
    "HOUSEHOLD_COLUMNS",
    "MEMBER_COLUMNS",
    "generate",
    "iter_chunks",
    "nest",
    "write_jsonl",
    "write_register",
]

GENERATOR = 2
"""The version of what this module generates, kept in each benchmark folder's
``register.json`` stamp: the benchmarks that share a folder (``bench_household_exit``,
``bench_register``) regenerate it only when the households, the seed or this differ."""

CHUNK = 1_000_000
"""Households generated per random stream (and per write when streaming to disk)."""

HOUSEHOLDS_PER_VILLAGE = 200
VILLAGES_PER_COUNTY = 40
SIZE_SHARES = np.array([0.10, 0.17, 0.20, 0.25, 0.17, 0.11])  # sizes 1..6, invented
POVERTY_LINE_2016 = 2952.0

HOUSEHOLD_COLUMNS = (
    "id",
    "village_id",
    "county_id",
    "annual_net_income_per_capita",
    "food_secure",
    "clothing_secure",
    "house_grade",
    "relocated",
    "relocation_keys_received",
    "attribute",
    "main_cause",
)
"""The household columns written (a subset of ``arrow_schema(Household)``, its order)."""

MEMBER_COLUMNS = (
    MEMBER_KEY,
    "id",
    "relation",
    "birth_date",
    "age",
    "disabled",
    "schooling_stage",
    "schooling_status",
    "basic_medical_insurance",
    "serious_illness_insurance",
    "medical_assistance",
)
"""The member columns written (``birth_date`` only with ``birth_dates=True``)."""

_HOUSEHOLD_SCHEMA = arrow_schema(Household)
_MEMBER_SCHEMA = arrow_schema(Person, member_table=True)

# Code values (the ``value`` of poverty_core.codes members) and invented shares.
_GRADES = (["A", "B", "C", "D"], [0.40, 0.40, 0.12, 0.08])
_ATTRIBUTES = (["general", "dibao", "tekun"], [0.80, 0.17, 0.03])
_CAUSES = (
    [
        "illness",
        "disability",
        "schooling",
        "disaster",
        "lack_of_land",
        "lack_of_water",
        "lack_of_skills",
        "lack_of_labour",
        "lack_of_funds",
        "poor_transport",
        "lack_of_motivation",
        "other",
    ],
    [0.42, 0.06, 0.09, 0.02, 0.04, 0.01, 0.12, 0.08, 0.10, 0.02, 0.03, 0.01],
)
_RELATIONS = ["head", "spouse", "child", "grandchild", "parent", "other"]
_STAGES = ["preschool", "primary", "junior_secondary", "senior_high", "undergraduate"]
_STATUSES = ["in_school", "out_of_school", "disability_exempt", "graduated", "not_of_school_age"]


def _ids(prefix: str, numbers: np.ndarray[Any, Any], width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, built by Arrow kernels (no Python loop)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _codes(labels: list[str], index: np.ndarray[Any, Any], unknown: np.ndarray[Any, Any]) -> Any:
    """A string column of code values from positions (``unknown`` rows null)."""
    return pc.take(pa.array(labels, pa.string()), pa.array(index, pa.int32(), mask=unknown))


def _pick(rng: np.random.Generator, choice: tuple[list[str], list[float]], n: int) -> Any:
    labels, shares = choice
    return rng.choice(len(labels), size=n, p=np.asarray(shares) / np.sum(shares))


def _chunk(
    seed: int, chunk: int, start: int, n: int, *, null_rate: float, birth_dates: bool
) -> tuple[pa.Table, pa.Table]:
    """Households ``start .. start + n - 1`` (global numbers) and their members."""
    rng = np.random.default_rng([seed, chunk])

    def unknown(size: int) -> np.ndarray[Any, Any]:
        return rng.random(size) < null_rate

    def flag(p: float, size: int) -> pa.Array:
        return pa.array(rng.random(size) < p, pa.bool_(), mask=unknown(size))

    number = np.arange(start, start + n, dtype=np.int64)
    village = number // HOUSEHOLDS_PER_VILLAGE
    county = village // VILLAGES_PER_COUNTY
    household_ids = _ids("H", number, 9)

    income = np.round(POVERTY_LINE_2016 * np.exp(rng.normal(0.30, 0.35, n)), 2)
    relocated = rng.random(n) < 0.06
    keys = relocated & (rng.random(n) < 0.85)
    households = pa.table(
        {
            "id": household_ids,
            "village_id": _ids("V", village, 6),
            "county_id": _ids("C", county, 4),
            "annual_net_income_per_capita": pa.array(income, mask=unknown(n)),
            "food_secure": flag(0.98, n),
            "clothing_secure": flag(0.985, n),
            "house_grade": _codes(_GRADES[0], _pick(rng, _GRADES, n), unknown(n)),
            "relocated": pa.array(relocated, mask=unknown(n)),
            "relocation_keys_received": pa.array(keys, mask=unknown(n)),
            "attribute": _codes(_ATTRIBUTES[0], _pick(rng, _ATTRIBUTES, n), unknown(n)),
            "main_cause": _codes(_CAUSES[0], _pick(rng, _CAUSES, n), unknown(n)),
        }
    )
    households = households.cast(pa.schema([_HOUSEHOLD_SCHEMA.field(c) for c in HOUSEHOLD_COLUMNS]))

    # Members: sizes per household, then every member's household row and position.
    sizes = rng.choice(np.arange(1, 7), size=n, p=SIZE_SHARES)
    m = int(sizes.sum())
    owner = np.repeat(np.arange(n), sizes)
    first = np.cumsum(sizes) - sizes
    position = np.arange(m) - first[owner]

    # Relation by position (0 head, 1 mostly spouse, then children, grandchildren …).
    draw = rng.random(m)
    relation = np.select(
        [
            position == 0,
            (position == 1) & (draw < 0.8),
            draw < 0.65,
            draw < 0.85,
            draw < 0.95,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    )
    head_age = rng.integers(22, 86, n)[owner]
    spread = rng.integers(0, 1000, m)
    age = np.select(
        [relation == 0, relation == 1, relation == 2, relation == 3, relation == 4],
        [
            head_age,
            head_age + spread % 13 - 6,
            head_age - 20 - spread % 18,
            head_age - 45 - spread % 20,
            head_age + 20 + spread % 15,
        ],
        default=spread % 91,
    )
    age = np.clip(age, 0, 90)

    # Schooling: stage by age, status mostly in school for the compulsory ages.
    school_draw = rng.random(m)
    compulsory = (age >= 6) & (age <= 15)
    status = np.select(
        [
            age < 6,
            compulsory & (school_draw < 0.985),
            compulsory & (school_draw < 0.995),
            compulsory,
            (age <= 18) & (school_draw < 0.6),
            (age <= 22) & (school_draw < 0.25),
            age <= 22,
        ],
        [4, 0, 1, 2, 0, 0, 3],
        default=np.where(age < 60, 3, 4),
    )
    stage = np.select(
        [age < 6, age <= 11, age <= 15, age <= 18],
        [0, 1, 2, 3],
        default=4,
    )
    no_stage = (status != 0) & (age >= 6)  # a stage only for children in school or preschool
    disabled = (status == 2) | (rng.random(m) < 0.06)

    member_number = pa.array(position + 1, pa.int64())
    members_columns: dict[str, Any] = {
        MEMBER_KEY: pc.take(household_ids, pa.array(owner)),
        "id": pc.binary_join_element_wise(
            pc.take(household_ids, pa.array(owner)), pc.cast(member_number, pa.string()), "-"
        ),
        "relation": _codes(_RELATIONS, relation, unknown(m)),
    }
    if birth_dates:
        # Born on a random day of the year that makes the stated age true on 2016-12-31.
        year = 2016 - age
        day = rng.integers(0, 365, m)
        base = np.array([dt.date(int(y), 1, 1).toordinal() for y in range(1920, 2018)])
        ordinal = base[year - 1920] + day
        epoch = dt.date(1970, 1, 1).toordinal()
        members_columns["birth_date"] = pa.array(
            (ordinal - epoch).astype(np.int32), pa.int32(), mask=unknown(m)
        ).cast(pa.date32())
    members_columns["age"] = pa.array(age, pa.int64(), mask=unknown(m))
    members_columns["disabled"] = pa.array(disabled, mask=unknown(m))
    members_columns["schooling_stage"] = _codes(_STAGES, stage, no_stage | unknown(m))
    members_columns["schooling_status"] = _codes(_STATUSES, status, unknown(m))
    members_columns["basic_medical_insurance"] = flag(0.985, m)
    members_columns["serious_illness_insurance"] = flag(0.98, m)
    members_columns["medical_assistance"] = flag(0.975, m)
    members = pa.table(members_columns)
    members = members.cast(pa.schema([_MEMBER_SCHEMA.field(c) for c in members.column_names]))
    return households, members


def iter_chunks(
    households: int,
    *,
    seed: int = 1,
    null_rate: float = 0.005,
    birth_dates: bool = False,
    chunk: int = CHUNK,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """The register as ``(households, members)`` pairs of at most ``chunk`` households."""
    for k, start in enumerate(range(0, households, chunk)):
        n = min(chunk, households - start)
        yield _chunk(seed, k, start, n, null_rate=null_rate, birth_dates=birth_dates)


def generate(
    households: int, *, seed: int = 1, null_rate: float = 0.005, birth_dates: bool = False
) -> tuple[pa.Table, pa.Table]:
    """The whole register in memory: ``(households, members)`` Arrow tables."""
    parts = list(iter_chunks(households, seed=seed, null_rate=null_rate, birth_dates=birth_dates))
    h = pa.concat_tables([p[0] for p in parts])
    m = pa.concat_tables([p[1] for p in parts])
    return h.combine_chunks(), m.combine_chunks()


def write_register(
    out: str | Path,
    households: int,
    *,
    seed: int = 1,
    null_rate: float = 0.005,
    birth_dates: bool = False,
    csv: bool = False,
    parquet: bool = True,
    row_group_size: int = 262_144,
) -> dict[str, Path]:
    """Write ``households.parquet`` and ``members.parquet`` (and ``.csv`` with ``csv``)
    to ``out``, chunk by chunk (bounded memory); return the paths written."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, Any] = {}
    paths: dict[str, Path] = {}
    try:
        for h, m in iter_chunks(
            households, seed=seed, null_rate=null_rate, birth_dates=birth_dates
        ):
            for name, table in (("households", h), ("members", m)):
                kinds = (["parquet"] if parquet else []) + (["csv"] if csv else [])
                for kind in kinds:
                    key = f"{name}.{kind}"
                    if key not in writers:
                        paths[key] = folder / key
                        writers[key] = (
                            pq.ParquetWriter(paths[key], table.schema)
                            if kind == "parquet"
                            else pacsv.CSVWriter(paths[key], table.schema)
                        )
                    if kind == "parquet":
                        writers[key].write_table(table, row_group_size=row_group_size)
                    else:
                        writers[key].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()
    return paths


def nest(households: pa.Table, members: pa.Table) -> pa.Table:
    """The households with their members nested (a ``members`` list column, without
    ``household_id``): the shape of a JSON Lines register and of a nested Parquet one.
    Members must come in household order, as :func:`iter_chunks` gives them."""
    keys = members.column(MEMBER_KEY).combine_chunks()
    ids = households.column("id").combine_chunks()
    counts = pc.value_counts(keys)
    size = dict(
        zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)
    )
    lengths = np.array([size.get(i, 0) for i in ids.to_pylist()], np.int32)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    rest = members.drop_columns([MEMBER_KEY]).combine_chunks()
    struct = pa.StructArray.from_arrays([c.chunk(0) for c in rest.columns], names=rest.column_names)
    return households.append_column("members", pa.ListArray.from_arrays(offsets, struct))


def write_jsonl(
    out: str | Path, households: int, *, seed: int = 1, null_rate: float = 0.005
) -> Path:
    """Write ``households.jsonl`` (one household a line, members nested) to ``out``,
    chunk by chunk; return its path."""
    import json

    path = Path(out) / "households.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for h, m in iter_chunks(households, seed=seed, null_rate=null_rate):
            table = nest(h, m)
            for start in range(0, table.num_rows, 50_000):
                rows = table.slice(start, 50_000).to_pylist()
                handle.writelines(
                    json.dumps(
                        {k: v for k, v in row.items() if v is not None},
                        ensure_ascii=False,
                        default=str,
                    )
                    + "\n"
                    for row in rows
                )
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: write a SYNTHETIC register to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--out", required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--null-rate", type=float, default=0.005)
    parser.add_argument("--csv", action="store_true", help="also write CSV files")
    parser.add_argument("--no-parquet", action="store_true", help="do not write Parquet")
    parser.add_argument(
        "--jsonl", action="store_true", help="also write households.jsonl (members nested)"
    )
    parser.add_argument(
        "--birth-dates", action="store_true", help="members carry birth dates besides ages"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = write_register(
        args.out,
        args.households,
        seed=args.seed,
        null_rate=args.null_rate,
        birth_dates=args.birth_dates,
        csv=args.csv,
        parquet=not args.no_parquet,
    )
    if args.jsonl:
        paths["households.jsonl"] = write_jsonl(
            args.out, args.households, seed=args.seed, null_rate=args.null_rate
        )
    took = time.perf_counter() - started
    for path in paths.values():
        print(f"{path}  {path.stat().st_size / 1e6:,.1f} MB")
    print(f"{args.households:,} SYNTHETIC households written in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
