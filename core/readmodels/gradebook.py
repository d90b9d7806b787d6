"""The «Журнал» page as a frozen read model: students × columns, marks, and the decisions.

Built by ``core.readmodels.grid.load_gradebook``.  Besides the data (students with
their stay in the class, one column per assignment of each lesson, marks,
absences, averages, suggested and existing period marks) it carries, for the user
who loaded it, whether and why not they may write:

- per column: ``Column.editable`` / ``Column.why_not`` (another's lesson, grade 1,
  the lock, «вперёд»);
- per cell: ``Gradebook.cell_why_not(student_id, column_index)`` — the column's
  reason, a student outside their stay in the class, an answer in class for an
  absent student;
- per value: ``Gradebook.value_why_not(raw)`` (a value the school's scale does not
  have, e.g. the debt mark «точка» when the policy has none), ``mark_value(raw)``;
- per period mark: ``period_mark_choices``, ``suggested``, ``period_mark_editable`` /
  ``period_mark_why_not(student_id)``;
- per locked cell: ``correction_why_not(student_id, column_index)`` and
  ``period_mark_correction_why_not(student_id)`` — "" when this user may ask the
  director to change it («Запросить корректировку», [004 §7.2]).

Each text is the message the command would raise (``core.access``): a screen shows
it and tests no rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

from zhurnal.core.access import student_mark_refusal, why_not
from zhurnal.core.context import StudentAtLesson, group_title
from zhurnal.core.policy import Policy
from zhurnal.core.readmodels.corrections import OPEN_MINE, OPEN_THEIRS
from zhurnal.core.rules import (
    mark_value_refusal,
    normalize_mark,
    not_enrolled,
    suggest_period_mark,
    weighted_average,
)

NO_COLUMN = "За этот урок нет задания: корректировка меняет только выставленные графы."


class PeriodInfo(NamedTuple):
    id: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class StudentRow:
    id: int
    name: str
    arrived: date | None = None  # joined the course after the period began
    left: date | None = None  # left the course before the period ended
    outside: frozenset[int] = frozenset()  # column indexes outside the student's stay


@dataclass(frozen=True)
class Column:
    index: int
    lesson_id: int
    date: date
    number: int
    topic: str
    assignment_id: int | None  # None: the default column, created with its first mark
    work_type_code: str
    work_type_name: str
    weight: float
    lock_class: str
    started: bool
    lock_at: datetime
    locked: bool
    editable: bool
    """The user may write marks in this column now (``why_not`` is "")."""
    why_not: str = ""
    """Why not: another's lesson, grade 1, the lock, «вперёд»; "" when editable."""


@dataclass(frozen=True)
class Cell:
    value: str
    mark_id: int
    version: int
    late: bool = False
    correction_id: int | None = None


@dataclass(frozen=True)
class PeriodMarkCell:
    value: str
    version: int


@dataclass(frozen=True)
class Gradebook:
    course_id: int
    class_id: int
    class_title: str
    grade: int
    subject: str
    subgroup: str
    teacher_name: str
    period: PeriodInfo
    students: tuple[StudentRow, ...]
    columns: tuple[Column, ...]
    marks: Mapping[tuple[int, int], Cell]  # (student_id, column index)
    absences: Mapping[tuple[int, int], str]  # (student_id, lesson_id) -> Н/Б/УП/ОП
    averages: Mapping[int, float | None]
    suggested: Mapping[int, str | None]
    """The period mark the policy's thresholds suggest per student (None: none)."""
    period_marks: Mapping[int, PeriodMarkCell]
    no_marks: bool
    """The class gets no marks (grade 1): no work types, averages or suggestions to show."""
    no_marks_reason: str  # the grade-1 line with its clause, "" when marks are given
    mark_values: tuple[str, ...]
    debt_mark: str | None
    work_types: tuple[tuple[str, str, float], ...]  # (code, name, weight) of the policy
    counter: int
    loaded_at: datetime
    policy: Policy = field(repr=False, compare=False)
    period_mark_choices: tuple[str, ...] = ()
    """The values the period mark may take in this class (grade 1: «н/оц»), in order."""
    period_mark_refusal: str = ""
    """Why this user cannot set period marks here now ("" when they can); see
    ``period_mark_why_not`` for one student."""
    period_mark_outside: frozenset[int] = frozenset()
    """Students not in the class on ``period_mark_day``: no period mark for them."""
    period_mark_day: date | None = None
    correction_refusal: str = ""
    """Why this user may not request a late correction in this course ("" when they may:
    the course's teacher, the class teacher, the deputy [004 §7.2])."""
    period_mark_locked: bool = False
    """The period's marks are past their lock: only a correction changes them."""
    valid_until: datetime | None = None
    """The next moment a decision of this page changes by the clock alone (a lesson
    begins, a column locks, the period's marks open or lock): the screen reloads then."""

    @property
    def title(self) -> str:
        group = f" ({self.subgroup})" if self.subgroup else ""
        return f"{self.class_title}{group} · {self.subject} · {self.period.name}"

    @property
    def group(self) -> str:
        return group_title(self.class_title, self.subgroup)

    @cached_property
    def _rows(self) -> dict[int, StudentRow]:
        return {s.id: s for s in self.students}

    def summary(self, marks: Iterable[tuple[str, float]]) -> tuple[float | None, str | None]:
        """(weighted average, suggested period mark) of one student's (value, weight) pairs."""
        return summarize(self.policy, list(marks), self.no_marks)

    # --- decisions ----------------------------------------------------------------------

    def cell_why_not(self, student_id: int, column_index: int, *, clear: bool = False) -> str:
        """Why this user cannot write this cell now, "" when they can (``clear``: the
        write removes the mark — an absent student's answer mark can still be cleared)."""
        column = self.columns[column_index]
        if column.why_not:
            return column.why_not
        row = self._rows.get(student_id)
        if row is None:
            return ""
        student = StudentAtLesson(
            student_id,
            row.name,
            column_index not in row.outside,
            self.absences.get((student_id, column.lesson_id)),
        )
        return why_not(
            student_mark_refusal(
                self.policy, self.group, column.date, column.work_type_code, student, not clear
            )
        )

    def correction_why_not(self, student_id: int, column_index: int) -> str:
        """Why this user cannot request a correction of this mark cell, "" when they can:
        only a locked cell of an existing column, of a student in the class then."""
        column = self.columns[column_index]
        if not column.locked:
            return OPEN_MINE if column.editable else OPEN_THEIRS
        if self.correction_refusal:
            return self.correction_refusal
        if self.no_marks:
            return self.no_marks_reason
        if column.assignment_id is None:
            return NO_COLUMN
        row = self._rows.get(student_id)
        if row is not None and column_index in row.outside:
            return not_enrolled(row.name, self.group, column.date).message
        return ""

    def period_mark_correction_why_not(self, student_id: int) -> str:
        """The same for a period mark: after the period's lock."""
        if not self.period_mark_locked:
            return OPEN_MINE if self.period_mark_editable else OPEN_THEIRS
        if self.correction_refusal:
            return self.correction_refusal
        row = self._rows.get(student_id)
        if row is not None and student_id in self.period_mark_outside and self.period_mark_day:
            return not_enrolled(row.name, self.group, self.period_mark_day).message
        return ""

    def value_why_not(self, raw: str) -> str:
        """Why ``raw`` is no mark of the school's scale ("" when it is; «.» is the debt mark
        «точка» where the policy has one)."""
        return why_not(mark_value_refusal(self.policy, raw))

    def mark_value(self, raw: str) -> str:
        """The stored form of a typed value («.» -> «точка»); check ``value_why_not`` first."""
        return normalize_mark(self.policy, raw)

    @property
    def period_mark_editable(self) -> bool:
        return not self.period_mark_refusal

    def period_mark_why_not(self, student_id: int) -> str:
        """Why this user cannot set this student's period mark now, "" when they can."""
        if self.period_mark_refusal:
            return self.period_mark_refusal
        row = self._rows.get(student_id)
        if row is not None and student_id in self.period_mark_outside and self.period_mark_day:
            return not_enrolled(row.name, self.group, self.period_mark_day).message
        return ""


def summarize(
    policy: Policy, marks: list[tuple[str, float]], no_marks: bool = False
) -> tuple[float | None, str | None]:
    if no_marks:
        return None, None
    numeric = [(v, w) for v, w in marks if v.isdigit()]
    average = weighted_average(numeric)
    return average, suggest_period_mark(policy, average, len(numeric))
