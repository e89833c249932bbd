"""The ``zhangzhou`` pack: Zhangzhou city's rules of targeted poverty alleviation.

It extends the ``fujian`` pack (which extends ``national``) and is found through the
``poverty_core`` entry-point group. The rules that compare the register with data the
caller supplies per run (reference data, :func:`poverty_core.blocks.reference`) are in
:mod:`poverty_core_zhangzhou.identification` (一核查二比对三清退) and
:mod:`poverty_core_zhangzhou.pairing` (the "321" cadre pairing quotas, with the load
check :func:`poverty_core_zhangzhou.pairing.check_load` over them).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from poverty_core import PackDefinition, T, hookimpl

__all__ = ["PACK", "__version__", "poverty_core_register_packs"]

__version__ = "0.1.0"

PACK = "zhangzhou"
"""The pack's name."""


@hookimpl
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the zhangzhou pack."""
    from poverty_core_zhangzhou import identification, pairing
    from poverty_core_zhangzhou.rules import CRITERIA, DECISIONS, INDICATORS, OVERRIDES

    register(
        PackDefinition(
            name=PACK,
            parent="fujian",
            version=__version__,
            title=T("漳州市", "Zhangzhou city"),
            description=T(
                "漳州市2016年精准扶贫规则（闽南日报《漳州市精准扶贫工作综述》）：重点县村登记、"
                "“一核查二比对三清退”、“四因五缺”、无房户安居工程与“八有”标准、增收项目、"
                "干部挂钩“321”、造福工程数字；继承福建省包。",
                "Zhangzhou city's 2016 targeted poverty-alleviation rules (Minnan Daily's "
                "review of 2016-09-26): key counties and villages, identification by 'one "
                "verification, two comparisons, three removals', the 'four causes, five "
                "lacks', the housing programme and its 'eight haves', income projects, the "
                "'321' cadre pairing quotas, the Zaofu relocation figures; extends the "
                "fujian pack.",
            ),
            data=files(__package__) / "data",
            rules=[
                *CRITERIA,
                *DECISIONS,
                *INDICATORS,
                *identification.CRITERIA,
                *identification.DECISIONS,
                *identification.CLASSIFIERS,
                *pairing.CRITERIA,
                *pairing.DECISIONS,
                *pairing.CLASSIFIERS,
                *pairing.INDICATORS,
            ],
            overrides=OVERRIDES,
        )
    )
