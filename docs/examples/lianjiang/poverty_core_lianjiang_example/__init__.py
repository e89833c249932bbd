"""The ``lianjiang_example`` pack: the worked example of the "writing a pack" guide.

It extends ``fujian`` with what the Lianjiang county account of 2017-10-23 states: it
overrides one value (a family-doctor contract is required of every poor household from
the account's date) and adds one rule (every poor village plans to exit by the end of
2017).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from poverty_core import PackDefinition, T, hookimpl


@hookimpl
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the lianjiang_example pack."""
    from poverty_core_lianjiang_example.rules import RULES

    register(
        PackDefinition(
            name="lianjiang_example",
            parent="fujian",
            version="0.1.0",
            title=T("连江县（示例）", "Lianjiang county (example)"),
            data=files(__package__) / "data",
            rules=RULES,
        )
    )
