"""Rules of the ``fujian`` pack."""

from __future__ import annotations

from poverty_core.rules import Criterion, Decision

CRITERIA: list[Criterion] = []
DECISIONS: list[Decision] = []
OVERRIDES: list[Criterion | Decision] = []
