"""The ``gansu_tianshui`` pack: Tianshui city's (Gansu province) rules of targeted
poverty alleviation.

It extends the built-in ``national`` pack and is found through the ``poverty_core``
entry-point group. Its facts (sources, parameters, coded lists, the 五清 and 六有
checklists, what is not encoded) are TOML files in ``data/``; its tests are in
:mod:`poverty_core_gansu_tianshui.rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from poverty_core import PackDefinition, T, hookimpl

__all__ = ["__version__", "poverty_core_register_packs"]

__version__ = "0.1.0"


@hookimpl
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the gansu_tianshui pack (parent: ``national``)."""
    from poverty_core_gansu_tianshui.rules import (
        CLASSIFIERS,
        CRITERIA,
        DECISIONS,
        INDICATORS,
        OVERRIDES,
    )

    register(
        PackDefinition(
            name="gansu_tianshui",
            parent="national",
            version=__version__,
            title=T("甘肃省天水市", "Tianshui city, Gansu province"),
            description=T(
                "甘肃省贫困退出验收规则（2018年8月修订：贫困户6项否决指标含饮水安全；西部贫困发生率"
                "3%）与天水市精准扶贫“1+18”方案（2015年）的规则，继承国家包。",
                "Gansu's exit acceptance rules (August 2018 revision: 6 veto indicators of "
                "household exit, with safe drinking water; the western incidence threshold of "
                "3%) and the rules of Tianshui's 2015 '1+18' targeted poverty alleviation "
                "plan; extends the national pack.",
            ),
            data=files(__package__) / "data",
            rules=[*CRITERIA, *DECISIONS, *CLASSIFIERS, *INDICATORS],
            overrides=OVERRIDES,
        )
    )
