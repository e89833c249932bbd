"""The national register form, 《贫困户登记表》 (2014), as poverty_core reads it.

A county office's register comes out of the national information system (扶贫开发信息
系统, 建档立卡) in the words of its household form: columns headed ``A10在校生状况`` or
``是否参加新型农村合作医疗``, cells reading ``非在校生`` or ``五保户``. This module gathers,
under one name, what poverty_core knows of that form — the bundled
``data/national_form.toml``, read once by :func:`national_form`
(:mod:`poverty_core.form`), the readings that turn it into the model's fields
(:mod:`poverty_core.form_reading`) and the register template headed in its words
(:mod:`poverty_core.register_template`):

* every field the model has a column for is found under its printed label, with and
  without its A-code (``A10在校生状况``, ``A10 在校生状况``, ``在校生状况``), with and
  without 是否 for a yes/no field, with and without a bracketed note (``（元）``);
* a field the model has no column for (``A8民族``, ``A9文化程度`` …), the address above the
  form and its bank details are *known and not read* — never an "unknown column";
* where a printed option needs a reading to become a field the rules read, the reading
  is an :class:`Interpretation`: documented (its basis says where it comes from),
  overridable (``open_register(interpretations={"non_student": "unknown"})``, on the
  command line ``--interpret non_student=unknown``) and named, with the number of cells
  it read, in :attr:`poverty_core.columnar.Register.interpretations` and the provenance of
  a command-line run.

>>> form = national_form()
>>> form.field("A10").label.zh, form.field("A10").supplies
('在校生状况', ('schooling_stage', 'schooling_status'))
>>> sorted(form.interpretations)  # doctest: +NORMALIZE_WHITESPACE
['attribute_2014', 'birth_date_from_id', 'disability_in_health', 'ncms', 'no_house_area',
 'non_student']
>>> form.readings({"non_student": "unknown"})["non_student"]
'unknown'

The register reader imports the lower modules (:mod:`poverty_core.form`,
:mod:`poverty_core.form_reading`) directly: this one also holds the template, which
reads the register's column types and so sits above the reader.
"""

from __future__ import annotations

from poverty_core.form import (
    NON_STUDENT,
    TABLES,
    FormField,
    Interpretation,
    NationalForm,
    national_form,
    schooling_words,
)
from poverty_core.form_reading import FormReading
from poverty_core.register_template import RegisterTemplate, TemplateColumn, register_template

__all__ = [
    "NON_STUDENT",
    "TABLES",
    "FormField",
    "FormReading",
    "Interpretation",
    "NationalForm",
    "RegisterTemplate",
    "TemplateColumn",
    "national_form",
    "register_template",
    "schooling_words",
]
