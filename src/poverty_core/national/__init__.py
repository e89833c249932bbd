"""The built-in ``national`` pack: the parent of every regional pack.

It is registered through the same hook as any plugin pack.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from poverty_core._text import T
from poverty_core._version import __version__
from poverty_core.hookspecs import hookimpl
from poverty_core.national.rules import CRITERIA, DECISIONS
from poverty_core.packs.definition import PackDefinition


@hookimpl
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the national pack."""
    register(
        PackDefinition(
            name="national",
            parent=None,
            version=__version__,
            title=T("国家", "National"),
            description=T(
                "国家层面的贫困退出标准与程序（中办发〔2016〕16号等），所有地方策略包的上级。",
                "National exit standards and procedures (Zhongbanfa [2016] No. 16 and others); "
                "the parent of every regional pack.",
            ),
            data=files(__package__) / "data",
            rules=[*CRITERIA, *DECISIONS],
        )
    )
