"""The ``fujian`` pack: Fujian province's rules of targeted poverty alleviation.

It extends the built-in ``national`` pack and is found through the ``poverty_core``
entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from poverty_core import T
from poverty_core.hookspecs import hookimpl
from poverty_core.packs import PackDefinition

__version__ = "0.1.0"


@hookimpl
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the fujian pack."""
    from poverty_core_fujian import targets
    from poverty_core_fujian.rules import (
        CLASSIFIERS,
        CRITERIA,
        DECISIONS,
        ENTITLEMENTS,
        INDICATORS,
        OVERRIDES,
    )

    register(
        PackDefinition(
            name="fujian",
            parent="national",
            version=__version__,
            title=T("福建省", "Fujian province"),
            description=T(
                "福建省脱贫攻坚规则（《关于打赢脱贫攻坚战三年行动的实施意见》等），继承国家包。",
                "Fujian province's poverty-alleviation rules (the 2018 implementing opinions "
                "on the three-year battle and others); extends the national pack.",
            ),
            data=files(__package__) / "data",
            rules=[*CRITERIA, *DECISIONS, *CLASSIFIERS, *ENTITLEMENTS, *INDICATORS, *targets.RULES],
            overrides=OVERRIDES,
        )
    )
