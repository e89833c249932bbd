"""Benchmark: the library against the established peer, OpenFisca, and bare numpy.

The national household-exit rule (国开办发〔2016〕16号 as the ``national`` pack encodes
it on 2016-12-31: income above the line, 不愁吃, 不愁穿, no member of compulsory-school
age out of school, every member in the three medical schemes, safe housing) is decided
three ways **in one run, on the same arrays** of a SYNTHETIC register written by
``generate.py`` (every share in it is invented):

* **the library** — ``pack.decide_batch("household_exit", frame_from_arrow(h, m))``,
  every finding kept;
* **OpenFisca** — the same rule written as an OpenFisca tax-benefit system (a
  ``household`` group entity of ``person`` members, one variable per criterion, the
  thresholds as OpenFisca parameters read from the national pack), built from the
  same numpy arrays (``SimulationBuilder`` → ``set_input``) and calculated; the time
  reported is build + calculate. OpenFisca has no notion of an unknown input (an unset
  input is ``False``), so each input travels with a "known" mask variable and the
  formulas carry out the same three-valued (Kleene) logic as the library — otherwise the
  two could not agree household by household;
* **numpy** — the hand-written expression of ``bench_household_exit.py`` on the same
  arrays.

Each engine runs in its own process (so each peak memory, ``ru_maxrss``, is its own),
reading the same Parquet files into the same Arrow tables; times are the best of
``--repeat``. The run then stops unless OpenFisca and numpy give, for every household and
criterion, the library's status (passed / failed / unknown) and outcome. Every time is
reported from the Arrow tables (the library converts its own columns; OpenFisca and numpy
take arrays converted by hand, ``arrays_from_arrow``, timed apart), and without the
conversion for OpenFisca and numpy.

Requires the ``bench`` extra (``pip install -e '.[bench]'``: openfisca-core).

Usage::

    python benchmarks/bench_openfisca.py [--households 1000000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_household_exit as bhe  # noqa: E402

import poverty_core as pcore  # noqa: E402
from poverty_core.frame import frame_from_arrow  # noqa: E402

Array = np.ndarray[Any, Any]

PERSON_INPUTS = ("age", "out", "basic", "serious", "assist")
HOUSEHOLD_INPUTS = ("income", "food", "clothing", "grade_ab", "relocated", "keys")


def openfisca_system(line: float, lo: float, hi: float) -> Any:
    """The national household-exit rule as an OpenFisca tax-benefit system.

    Statuses are coded as the library codes them (0 failed, 1 passed, 2 unknown), the
    outcome likewise (0 not eligible, 1 eligible, 2 undetermined).
    """
    from openfisca_core import periods
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    person = build_entity(key="person", plural="persons", label="a member", is_person=True)
    household = build_entity(
        key="household",
        plural="households",
        label="a registered household",
        roles=[{"key": "member", "plural": "members", "label": "member"}],
    )
    system = TaxBenefitSystem([person, household])
    since = "2016-01-01"
    system.parameters = ParameterNode(
        "",
        data={
            "poverty_line": {"values": {since: {"value": line}}},
            "school_age_min": {"values": {since: {"value": lo}}},
            "school_age_max": {"values": {since: {"value": hi}}},
        },
    )

    def inputs(entity: Any, names: tuple[str, ...], kinds: dict[str, type]) -> None:
        for name in names:
            for suffix, value_type in (("", kinds.get(name, bool)), ("_k", bool)):
                system.add_variable(
                    type(
                        name + suffix,
                        (Variable,),
                        {
                            "value_type": value_type,
                            "entity": entity,
                            "definition_period": periods.DateUnit.YEAR,
                            "label": name + suffix,
                        },
                    )
                )

    inputs(household, HOUSEHOLD_INPUTS, {"income": float})
    inputs(person, PERSON_INPUTS, {"age": int})

    def status(passed: Array, failed: Array) -> Array:
        out = np.full(len(passed), 2, dtype=np.int8)
        out[passed] = 1
        out[failed] = 0
        return out

    def criterion(name: str, formula: Any) -> None:
        system.add_variable(
            type(
                name,
                (Variable,),
                {
                    "value_type": int,
                    "entity": household,
                    "definition_period": periods.DateUnit.YEAR,
                    "label": name,
                    "formula": formula,
                },
            )
        )

    def income_above_line(h: Any, period: Any, parameters: Any) -> Array:
        known = h("income_k", period)
        above = h("income", period) > parameters(period).poverty_line
        return status(known & above, known & ~above)

    def flag(name: str) -> Any:
        def formula(h: Any, period: Any) -> Array:
            known, value = h(f"{name}_k", period), h(name, period)
            return status(known & value, known & ~value)

        return formula

    def compulsory_education(h: Any, period: Any, parameters: Any) -> Array:
        p = h.members
        age, age_k = p("age", period), p("age_k", period)
        out, out_k = p("out", period), p("out_k", period)
        params = parameters(period)
        in_age = (age >= params.school_age_min) & (age <= params.school_age_max)
        m_true = age_k & in_age & out_k & out
        m_false = (age_k & ~in_age) | (out_k & ~out)
        some_out = h.any(m_true)
        some_unknown = h.any(~(m_true | m_false))
        return status(~some_out & ~some_unknown, some_out)

    def basic_medical(h: Any, period: Any) -> Array:
        p = h.members
        false = np.zeros(p.count, dtype=np.bool_)
        known_true = np.ones(p.count, dtype=np.bool_)
        for scheme in ("basic", "serious", "assist"):
            value, known = p(scheme, period), p(f"{scheme}_k", period)
            false |= known & ~value
            known_true &= known & value
        uninsured = h.any(false)
        unsure = h.any(~false & ~known_true)
        return status(~uninsured & ~unsure, uninsured)

    def safe_housing(h: Any, period: Any) -> Array:
        ab, ab_k = h("grade_ab", period), h("grade_ab_k", period)
        rel, rel_k = h("relocated", period), h("relocated_k", period)
        keys, keys_k = h("keys", period), h("keys_k", period)
        rk_true = rel_k & rel & keys_k & keys
        rk_false = (rel_k & ~rel) | (keys_k & ~keys)
        return status((ab_k & ab) | rk_true, (ab_k & ~ab) & rk_false)

    criterion("income_above_line", income_above_line)
    criterion("food_secure", flag("food"))
    criterion("clothing_secure", flag("clothing"))
    criterion("compulsory_education", compulsory_education)
    criterion("basic_medical", basic_medical)
    criterion("safe_housing", safe_housing)

    def household_exit(h: Any, period: Any) -> Array:
        statuses = [h(name, period) for name in bhe.CRITERIA]
        any_failed = np.logical_or.reduce([s == 0 for s in statuses])
        all_passed = np.logical_and.reduce([s == 1 for s in statuses])
        return status(all_passed & ~any_failed, any_failed)

    criterion("household_exit", household_exit)
    return system


def openfisca_decide(system: Any, a: dict[str, Array], n: int) -> tuple[dict[str, Array], Array]:
    """Build an OpenFisca simulation of ``n`` households from the arrays and calculate."""
    from openfisca_core.simulations import SimulationBuilder

    owner = a["owner"]
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(owner)))
    households = builder.declare_entity("household", np.arange(n))
    builder.join_with_persons(households, owner, np.full(len(owner), "member"))
    simulation = builder.build(system)
    period = "2016"
    for name in HOUSEHOLD_INPUTS + PERSON_INPUTS:
        simulation.set_input(name, period, a[name])
        simulation.set_input(f"{name}_k", period, a[f"{name}_k"])
    statuses = {
        name: np.asarray(simulation.calculate(name, period), dtype=np.int8) for name in bhe.CRITERIA
    }
    outcome = np.asarray(simulation.calculate("household_exit", period), dtype=np.int8)
    return statuses, outcome


ENGINES = ("library", "openfisca", "numpy")


def run_engine(engine: str, data: Path, repeat: int, out: Path) -> dict[str, Any]:
    """Decide the register with one engine (in this process); save statuses and outcome.

    Each engine runs in its own process so that its peak memory is its own; all three
    read the same Parquet files into the same Arrow tables, and OpenFisca and numpy take
    the same numpy arrays built from them (``arrays_from_arrow``).
    """
    pack = pcore.load_pack("national")
    line, lo, hi = bhe._params(pack)
    h, m = bhe._read_parquet(data)
    n = h.num_rows
    tables_mb = bhe.rss_mb()
    timing: dict[str, float] = {}
    if engine == "library":

        def decide(h: Any, m: Any) -> Any:
            return pack.decide_batch(bhe.DECISION, frame_from_arrow(h, m), as_of=bhe.AS_OF)

        timing["seconds"], timing["cpu_s"], result = bhe.best_of_both(repeat, lambda: decide(h, m))
        statuses = {c.rule.id: np.asarray(c.status, dtype=np.int8) for c in result.criteria}
        outcome = np.asarray(result.outcome, dtype=np.int8)
        peak = bhe.peak_mb()  # before the second pair of tables below
        # The same register with its code columns read as Arrow dictionaries (as Parquet
        # stores them): the library alone, checked against the run above.
        hd, md = _read_parquet_dictionaries(data)
        timing["dictionary_s"], timing["dictionary_cpu_s"], again = bhe.best_of_both(
            repeat, lambda: decide(hd, md)
        )
        if not np.array_equal(again.outcome, result.outcome) or any(
            not np.array_equal(a.status, b.status)
            for a, b in zip(again.criteria, result.criteria, strict=True)
        ):
            raise SystemExit("MISMATCH: dictionary code columns give other statuses")
    else:
        timing["arrays_s"], timing["arrays_cpu_s"], arrays = bhe.best_of_both(
            repeat, lambda: bhe.arrays_from_arrow(h, m)
        )
        if engine == "numpy":
            timing["seconds"], timing["cpu_s"], (statuses, outcome) = bhe.best_of_both(
                repeat, lambda: bhe.numpy_household_exit(arrays, n, line, lo, hi)
            )
        else:
            timing["system_s"], system = bhe.best_of(1, lambda: openfisca_system(line, lo, hi))
            timing["seconds"], timing["cpu_s"], (statuses, outcome) = bhe.best_of_both(
                repeat, lambda: openfisca_decide(system, arrays, n)
            )
    if engine != "library":
        peak = bhe.peak_mb()
    np.savez(out, outcome=outcome, **{name: statuses[name] for name in bhe.CRITERIA})
    return {
        **timing,
        "households": n,
        "members": m.num_rows,
        "tables_mb": tables_mb,
        "peak_mb": peak,
    }


def _read_parquet_dictionaries(folder: Path) -> tuple[Any, Any]:
    """Both Parquet files with the columns of code fields read as Arrow dictionaries."""
    import pyarrow.parquet as pq

    from poverty_core.frame import kinds_of
    from poverty_core.model import Household, Person

    out = []
    for name, cls in (("households", Household), ("members", Person)):
        path = folder / f"{name}.parquet"
        columns = pq.read_schema(path).names
        codes = [c for c, k in kinds_of(cls).items() if k.kind == "code" and c in columns]
        out.append(pq.read_table(path, read_dictionary=codes))
    return out[0], out[1]


def _same(engine: str, reference: Any, other: Any, ids: Any) -> None:
    """Stop the run unless ``other`` gives the reference's every status and outcome."""
    for name in (*bhe.CRITERIA, "outcome"):
        differ = np.flatnonzero(reference[name] != other[name])
        if len(differ):
            i = int(differ[0])
            raise SystemExit(
                f"MISMATCH in {name}: {engine} differs from the library on {len(differ)} "
                f"households, first row {i} ({ids[i]}): library {reference[name][i]}, "
                f"{engine} {other[name][i]}"
            )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The three engines on the same register, each in its own process; then compared."""
    folder = Path(args.workdir) / "openfisca-compare"
    folder.mkdir(parents=True, exist_ok=True)
    runs: dict[str, Any] = {}
    for engine in ENGINES:
        command = [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--data",
            args.data,
            "--repeat",
            str(args.repeat),
            "--workdir",
            str(folder),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{engine} failed (exit {done.returncode})")
        runs[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{engine}: done", file=sys.stderr)
    saved = {e: np.load(folder / f"{e}.npz") for e in ENGINES}
    import pyarrow.parquet as pq

    ids = pq.read_table(Path(args.data) / "households.parquet", columns=["id"]).column("id")
    for engine in ("openfisca", "numpy"):
        _same(engine, saved["library"], saved[engine], ids)
    counts = np.bincount(saved["library"]["outcome"], minlength=3)
    lib, of, npy = runs["library"], runs["openfisca"], runs["numpy"]
    return {
        "households": lib["households"],
        "members": lib["members"],
        "counts": dict(
            zip(("not_eligible", "eligible", "undetermined"), map(int, counts), strict=True)
        ),
        "runs": runs,
        "library_from_arrow_s": lib["seconds"],
        "library_from_arrow_cpu_s": lib["cpu_s"],
        "library_dictionary_codes_s": lib["dictionary_s"],
        "library_dictionary_codes_cpu_s": lib["dictionary_cpu_s"],
        "openfisca_from_arrow_cpu_s": of["arrays_cpu_s"] + of["cpu_s"],
        "numpy_from_arrow_cpu_s": npy["arrays_cpu_s"] + npy["cpu_s"],
        "numpy_cpu_s": npy["cpu_s"],
        "openfisca_from_arrow_over_library_cpu": (of["arrays_cpu_s"] + of["cpu_s"]) / lib["cpu_s"],
        "openfisca_over_library_cpu": of["cpu_s"] / lib["cpu_s"],
        "openfisca_build_calculate_s": of["seconds"],
        "openfisca_from_arrow_s": of["arrays_s"] + of["seconds"],
        "openfisca_system_s": of["system_s"],
        "numpy_s": npy["seconds"],
        "numpy_from_arrow_s": npy["arrays_s"] + npy["seconds"],
        "arrays_from_arrow_s": npy["arrays_s"],
        "openfisca_over_library": of["seconds"] / lib["seconds"],
        "openfisca_from_arrow_over_library": (of["arrays_s"] + of["seconds"]) / lib["seconds"],
        "library_over_numpy": lib["seconds"] / npy["seconds"],
        "openfisca_core": _version("openfisca-core"),
    }


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument(
        "--workdir",
        default=os.path.join(tempfile.gettempdir(), "poverty-core-bench"),
        help="where the generated register goes (reused between runs)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        out = Path(args.workdir) / f"{args.child}.npz"
        print(json.dumps(run_engine(args.child, Path(args.data), args.repeat, out)))
        return 0
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    args.data = str(
        bhe._ensure_register(
            Path(args.workdir) / f"register-{args.households}-{args.seed}",
            args.households,
            args.seed,
            False,
        )
    )
    load_before = bhe._load()
    compare = measure(args)
    results = {"machine": {**bhe.machine(), "load_before": load_before}, "compare": compare}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    r, mach = results["compare"], results["machine"]
    print(
        f"{mach['date']} — {mach['nproc']} × {mach['cpu']}; Python {mach['python']}, "
        f"numpy {mach['numpy']}, pyarrow {mach['pyarrow']}, openfisca-core {r['openfisca_core']}"
    )
    print(f"load average (1, 5, 15 min): {mach['load_before']} before, {mach['load']} after")
    print(
        f"{r['households']:,} households, {r['members']:,} members; "
        f"identical statuses and outcomes on all three: {r['counts']}"
    )
    runs = r["runs"]
    of_run = runs["openfisca"]
    rows = [
        ["measure", "time", "CPU time", "peak memory (tables alone)"],
        [
            "library: Arrow tables → every finding",
            f"{r['library_from_arrow_s']:.3f} s",
            f"{r['library_from_arrow_cpu_s']:.3f} s",
            f"{runs['library']['peak_mb']:.0f} MB ({runs['library']['tables_mb']:.0f} MB)",
        ],
        [
            "— same, code columns as Arrow dictionaries",
            f"{r['library_dictionary_codes_s']:.3f} s",
            f"{r['library_dictionary_codes_cpu_s']:.3f} s",
            "",
        ],
        [
            "OpenFisca: arrays from Arrow + build + calculate",
            f"{r['openfisca_from_arrow_s']:.3f} s",
            f"{r['openfisca_from_arrow_cpu_s']:.3f} s",
            f"{of_run['peak_mb']:.0f} MB ({of_run['tables_mb']:.0f} MB)",
        ],
        [
            "— OpenFisca build + calculate alone",
            f"{r['openfisca_build_calculate_s']:.3f} s",
            f"{of_run['cpu_s']:.3f} s",
            "",
        ],
        ["— OpenFisca system built (once)", f"{r['openfisca_system_s']:.3f} s", "", ""],
        [
            "numpy: arrays from Arrow + expression",
            f"{r['numpy_from_arrow_s']:.3f} s",
            f"{r['numpy_from_arrow_cpu_s']:.3f} s",
            f"{runs['numpy']['peak_mb']:.0f} MB ({runs['numpy']['tables_mb']:.0f} MB)",
        ],
        [
            "— numpy expression alone, same arrays",
            f"{r['numpy_s']:.3f} s",
            f"{r['numpy_cpu_s']:.3f} s",
            "",
        ],
        ["— arrays from Arrow (hand-written)", f"{r['arrays_from_arrow_s']:.3f} s", "", ""],
        [
            "OpenFisca / library, both from Arrow",
            f"{r['openfisca_from_arrow_over_library']:.1f}×",
            f"{r['openfisca_from_arrow_over_library_cpu']:.1f}×",
            "",
        ],
        [
            "OpenFisca alone / library",
            f"{r['openfisca_over_library']:.1f}×",
            f"{r['openfisca_over_library_cpu']:.1f}×",
            "",
        ],
        ["library / numpy expression alone", f"{r['library_over_numpy']:.1f}×", "", ""],
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
