"""poverty_core: explainable, cited poverty-status decisions under regional policy packs.

>>> import datetime as dt
>>> import poverty_core as pc
>>> pack = pc.load_pack("national")
>>> household = pc.Household.from_dict({
...     "id": "h1", "annual_net_income_per_capita": 3100,
...     "food_secure": True, "clothing_secure": True, "house_grade": "B",
...     "members": [{"id": "p1", "age": 40, "basic_medical_insurance": True,
...                  "serious_illness_insurance": True, "medical_assistance": True}],
... })
>>> result = pack.decide("household_exit", household, as_of=dt.date(2016, 12, 31))
>>> result.outcome.value
'eligible'
"""

from __future__ import annotations

from poverty_core._text import Language, T, Text
from poverty_core._version import __version__
from poverty_core.aliases import AliasMap
from poverty_core.batch import ResultWriter, RunSummary, assess
from poverty_core.codes import (
    Code,
    HealthStatus,
    HouseGrade,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    LabourCapacity,
    Pathway,
    PovertyCause,
    Region,
    Relation,
    SchoolingStage,
    SchoolingStatus,
    StatusEventKind,
)
from poverty_core.convert import json_schema, structure, structure_many
from poverty_core.diff import PackDiff, diff_dates, diff_packs
from poverty_core.dynamic import (
    Transition,
    TransitionBatch,
    TransitionKind,
    decide_transition,
    decide_transitions,
)
from poverty_core.engine import BatchResult, DecisionResult, Finding, ParameterUse, Provenance
from poverty_core.errors import (
    InputError,
    NotInForce,
    PackError,
    ParameterNotDefined,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.frame import Frame, frame_from_arrow
from poverty_core.hookspecs import hookimpl
from poverty_core.jobs import Assessment, assess_register
from poverty_core.model import County, Household, Person, StatusEvent, Village
from poverty_core.packs import Pack, PackDefinition, Rule
from poverty_core.parameters import Citation, Parameter, ParameterValue, Period, Source, cite
from poverty_core.plugins import PackRegistry, available_packs, get_plugin_manager, load_pack
from poverty_core.read_options import ReadOptions
from poverty_core.registers import (
    Register,
    RegisterBatch,
    Rejected,
    open_register,
    read_table,
    records_from_tables,
    tables_from_records,
)
from poverty_core.rules import (
    Checklist,
    Classifier,
    ClassRule,
    Criterion,
    Decision,
    Entitlement,
    EntitlementLine,
    Indicator,
    Outcome,
    Procedure,
    Status,
    Taxonomy,
)

__all__ = [
    "AliasMap",
    "Assessment",
    "BatchResult",
    "Checklist",
    "Citation",
    "ClassRule",
    "Classifier",
    "Code",
    "County",
    "Criterion",
    "Decision",
    "DecisionResult",
    "Entitlement",
    "EntitlementLine",
    "Finding",
    "Frame",
    "HealthStatus",
    "HouseGrade",
    "Household",
    "HouseholdAttribute",
    "HouseholdStatus",
    "IdentificationStandard",
    "Indicator",
    "InputError",
    "LabourCapacity",
    "Language",
    "NotInForce",
    "Outcome",
    "Pack",
    "PackDefinition",
    "PackDiff",
    "PackError",
    "PackRegistry",
    "Parameter",
    "ParameterNotDefined",
    "ParameterUse",
    "ParameterValue",
    "Pathway",
    "Period",
    "Person",
    "PovertyCause",
    "PovertyCoreError",
    "Problem",
    "Procedure",
    "Provenance",
    "ReadOptions",
    "Region",
    "Register",
    "RegisterBatch",
    "Rejected",
    "Relation",
    "ResultWriter",
    "Rule",
    "RunSummary",
    "SchoolingStage",
    "SchoolingStatus",
    "Source",
    "Status",
    "StatusEvent",
    "StatusEventKind",
    "T",
    "Taxonomy",
    "Text",
    "Transition",
    "TransitionBatch",
    "TransitionKind",
    "UnknownName",
    "Village",
    "__version__",
    "assess",
    "assess_register",
    "available_packs",
    "cite",
    "decide_transition",
    "decide_transitions",
    "diff_dates",
    "diff_packs",
    "frame_from_arrow",
    "get_plugin_manager",
    "hookimpl",
    "json_schema",
    "load_pack",
    "open_register",
    "read_table",
    "records_from_tables",
    "structure",
    "structure_many",
    "tables_from_records",
]
