"""Classifiers: the class one record falls in (:func:`classify`, a
:class:`Classification`) and the classes of a batch (:func:`classify_batch`, a
:class:`ClassificationBatch`), the first class whose test passes (see
:func:`~poverty_core.combining.first_classes`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from poverty_core._text import Language, Text
from poverty_core.combining import _missing_of, _status_matrix, first_classes
from poverty_core.evaluation import (
    BatchResult,
    CriterionColumns,
    PackLike,
    _check_subject,
    _columns,
    _findings,
    _frame_of,
    _params,
    _provenance,
    _references,
    _stacked,
    check_in_force,
)
from poverty_core.expressions import Many, One, subject_of
from poverty_core.findings import Finding, Provenance
from poverty_core.frame import Frame
from poverty_core.references import ReferenceData
from poverty_core.rules import (
    Classifier,
    Decision,
    Outcome,
)

__all__ = ["Classification", "ClassificationBatch", "classify", "classify_batch"]


@attrs.frozen
class Classification:
    """The class a classifier puts one record in (``None``: undetermined), with one
    finding per class test, in order."""

    classifier: Classifier
    subject_id: str
    code: str | None
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    provenance: Provenance

    @property
    def label(self) -> Text | None:
        """The bilingual label of the class."""
        return None if self.code is None else self.classifier.label(self.code)

    def explain(self, language: Language = "en") -> str:
        """A readable account: the class, then each class test."""
        shown = self.label[language] if self.label else Outcome.UNDETERMINED.label[language]
        lines = [f"{self.subject_id}: {self.classifier.title[language]} → {shown}"]
        lines += ["  " + f.explain(language) for f in self.findings]
        if self.missing:
            lines.append(
                ("缺少数据：" if language == "zh" else "missing data: ") + ", ".join(self.missing)
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.subject_id,
            "classifier": self.classifier.id,
            "class": self.code,
            "missing": list(self.missing),
            "findings": [f.to_dict() for f in self.findings],
            "provenance": self.provenance.to_dict(),
        }


def classify(
    pack: PackLike,
    classifier: Classifier,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> Classification:
    """Put one record in a class of ``classifier``."""
    classifier = check_in_force(pack, Text("分类器", "classifier"), classifier, as_of)
    subject = _check_subject(classifier.subject, classifier.id, record)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    plans = params.plans(classifier, classifier.class_criteria, subject)
    findings = _findings(plans, One(record, as_of, params))
    chosen, looked = first_classes(_status_matrix([f.status for f in findings]))
    provenance = params.provenance()
    return _classification(
        classifier, record.id, int(chosen[0]), int(looked[0]), findings, provenance
    )


def _class_code(classifier: Classifier, index: int) -> str | None:
    if index == -2:
        return None
    if index == -1:
        return classifier.otherwise.code if classifier.otherwise else None
    return classifier.classes[index].code


def _classification(
    classifier: Classifier,
    subject_id: str,
    index: int,
    looked: int,
    findings: Sequence[Finding],
    provenance: Provenance,
) -> Classification:
    """A record's class (both paths): undetermined, it names what the tests it looked at
    were missing."""
    code = _class_code(classifier, index)
    missing = _missing_of(findings[:looked]) if code is None else ()
    return Classification(classifier, subject_id, code, tuple(findings), missing, provenance)


@attrs.define
class ClassificationBatch:
    """A classifier over many records: each row's class code (``None`` undetermined)."""

    classifier: Classifier
    ids: npt.NDArray[Any]
    codes: list[str | None]
    criteria: list[CriterionColumns]
    provenance: Provenance
    subject: type[Any]
    chosen: npt.NDArray[np.int64]
    """Each row's class index (see :func:`first_classes`)."""
    looked: npt.NDArray[np.int64]
    """How many class tests decided each row."""

    def __len__(self) -> int:
        return len(self.codes)

    def counts(self) -> dict[str | None, int]:
        """How many rows fall in each class (``None``: undetermined)."""
        out: dict[str | None, int] = dict.fromkeys(self.classifier.codes(), 0)
        out[None] = 0
        for code in self.codes:
            out[code] += 1
        return out

    def result(self, row: int) -> Classification:
        """One row's classification, as :func:`~poverty_core.classification.classify` gives it."""
        batch = BatchResult(
            Decision(
                self.classifier.id,
                self.classifier.subject,
                self.classifier.title,
                self.classifier.citations,
                [c.rule.id for c in self.criteria],
            ),
            self.ids,
            np.zeros(len(self.ids), dtype=np.int8),
            self.criteria,
            self.provenance,
            self.subject,
        )
        return _classification(
            self.classifier,
            str(self.ids[row]),
            int(self.chosen[row]),
            int(self.looked[row]),
            batch.findings(row),
            self.provenance,
        )


def classify_batch(
    pack: PackLike,
    classifier: Classifier,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> ClassificationBatch:
    """Classify many records, vectorised over columns."""
    classifier = check_in_force(pack, Text("分类器", "classifier"), classifier, as_of)
    frame = _frame_of(records, classifier.subject, classifier.id, pack)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    columns = _columns(classifier.class_criteria(), frame, Many(frame, as_of, params))
    chosen, looked = first_classes(_stacked(columns, frame.n))
    by_index = {i: _class_code(classifier, i) for i in range(-2, len(classifier.classes))}
    codes = [by_index[int(i)] for i in chosen]
    provenance = _provenance(pack, as_of, checked, refs)
    subject = subject_of(classifier.subject)
    return ClassificationBatch(
        classifier, frame.column("id").values, codes, columns, provenance, subject, chosen, looked
    )
