"""Import of marks from CSV: the automatic registration of external testing
results [001 §2.1].

Columns: date, lesson number, class, subject, student, work type, value (a
header row in Russian or English is recognised and skipped; ``;`` or ``,``).
Every row is checked by the rules of ``marks.set_lesson_mark`` (the screen's) in a
read transaction; if any row is refused, nothing is applied and each refused row is
reported with its line number and reason. Then every row is written by that service,
in short transactions of one batch (``services.import_batches``): reverted whole if a
row is refused meanwhile.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlmodel import Session, col, func, select

from zhurnal.core.actor import Actor
from zhurnal.core.context import class_by_title, parse_class_title, roster_ids
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError
from zhurnal.core.models import Course, Lesson, Mark, SchoolClass, Student, Subject, WorkType
from zhurnal.core.services import marks
from zhurnal.core.services.import_batches import Chunking, Row, apply_batch, pin, record_refusal
from zhurnal.core.uow import UnitOfWork, check_writer, current_year

HEADER_WORDS = {"дата", "date"}


@dataclass
class ImportResult:
    applied: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    batch_id: int = 0
    longest_chunk: float = 0.0  # seconds: the longest write transaction of the batch

    @property
    def ok(self) -> bool:
        return not self.refused


class RowError(DomainError):
    pass


def _parse_date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise RowError(f"дата «{text}» не распознана (нужно ДД.ММ.ГГГГ)")


def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).lower()


class _Resolver:
    """Names of a file's cells to rows of the database, remembered across rows (a large
    file names the same classes, subjects and rosters again and again)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.year = current_year(session)
        self.subjects = list(session.exec(select(Subject)))
        self.work_types = list(session.exec(select(WorkType)))
        self._classes: dict[str, SchoolClass | None] = {}
        self._courses: dict[tuple[int, int], list[Course]] = {}
        self._rosters: dict[tuple[int, date], set[int]] = {}
        self._students: dict[int, Student | None] = {}
        self._names: dict[tuple[tuple[int, ...], date], dict[str, list[Student]]] = {}
        self._lessons: dict[tuple[int, date, int], Lesson | None] = {}

    def klass(self, title: str) -> SchoolClass:
        if parse_class_title(title) is None:
            raise RowError(f"класс «{title}» не распознан (нужно, например, 5А)")
        if title not in self._classes:
            self._classes[title] = class_by_title(self.s, self.year.id, title)
        row = self._classes[title]
        if row is None:
            raise RowError(f"класса «{title}» нет в текущем учебном году")
        return row

    def subject(self, name: str) -> Subject:
        for subj in self.subjects:
            if _norm(name) in (_norm(subj.name), _norm(subj.short)):
                return subj
        raise RowError(f"предмет «{name}» не найден")

    def work_type(self, text: str) -> WorkType:
        for wt in self.work_types:
            if _norm(text) in (_norm(wt.code), _norm(wt.name)):
                return wt
        raise RowError(f"вид работы «{text}» не задан в настройках школы")

    def courses(self, klass: SchoolClass, subject: Subject) -> list[Course]:
        key = (klass.id or 0, subject.id or 0)
        if key not in self._courses:
            self._courses[key] = list(
                self.s.exec(
                    select(Course).where(
                        Course.class_id == klass.id, Course.subject_id == subject.id
                    )
                )
            )
        if not self._courses[key]:
            raise RowError(f"в {klass.title} не ведётся «{subject.name}»")
        return self._courses[key]

    def roster(self, course: Course, day: date) -> set[int]:
        key = (course.id or 0, day)
        if key not in self._rosters:
            self._rosters[key] = roster_ids(self.s, course, day)
        return self._rosters[key]

    def _student(self, student_id: int) -> Student | None:
        if student_id not in self._students:
            self._students[student_id] = self.s.get(Student, student_id)
        return self._students[student_id]

    def _by_name(self, courses: list[Course], day: date) -> dict[str, list[Student]]:
        """The students of the courses on ``day`` by their normalised full name and by
        their last and first name."""
        key = (tuple(c.id or 0 for c in courses), day)
        if key not in self._names:
            ids: set[int] = set()
            for c in courses:
                ids |= self.roster(c, day)
            names: dict[str, list[Student]] = {}
            for st in (self._student(i) for i in sorted(ids)):
                if st is None:
                    continue
                for variant in {_norm(st.full_name), _norm(f"{st.last_name} {st.first_name}")}:
                    names.setdefault(variant, []).append(st)
            self._names[key] = names
        return self._names[key]

    def student(self, klass: SchoolClass, name: str, day: date, courses: list[Course]) -> Student:
        found = self._by_name(courses, day).get(_norm(name), [])
        if not found:
            raise RowError(f"ученик «{name}» не числится в {klass.title} на {day:%d.%m.%Y}")
        if len(found) > 1:
            raise RowError(f"в {klass.title} несколько учеников «{name}»: укажите отчество")
        return found[0]

    def _lesson(self, course: Course, day: date, number: int) -> Lesson | None:
        key = (course.id or 0, day, number)
        if key not in self._lessons:
            self._lessons[key] = self.s.exec(
                select(Lesson).where(
                    Lesson.course_id == course.id, Lesson.date == day, Lesson.number == number
                )
            ).first()
        return self._lessons[key]

    def lesson(
        self,
        klass: SchoolClass,
        subject: Subject,
        student: Student,
        day: date,
        number: int,
        courses: list[Course],
    ) -> Lesson:
        for c in courses:
            if student.id in self.roster(c, day):
                lesson = self._lesson(c, day, number)
                if lesson is not None:
                    return lesson
        raise RowError(
            f"в {klass.title} нет урока «{subject.name}» {day:%d.%m.%Y}, {number}-й урок"
        )


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if line_no == 1 and cells and _norm(cells[0].lstrip("\ufeff")) in HEADER_WORDS:
            continue
        rows.append((line_no, cells))
    return rows


@dataclass(frozen=True)
class _Checked:
    line: int
    lesson_id: int
    student_id: int
    work_type: str
    value: str


def import_marks(
    db: Database, actor: Actor, text: str, chunking: Chunking | None = None
) -> ImportResult:
    """Check every row (a read transaction: no write lock), then apply them in short
    transactions as one batch (``services.import_batches``): all rows or none."""
    result = ImportResult()
    rows = read_rows(text)
    with db.read() as session:
        pin(session)
        checked = _check_rows(session, actor, rows, result)
    if not result.refused:
        outcome = apply_batch(
            db,
            actor,
            "marks",
            [Row(c.line, partial(_write, db, actor, c)) for c in checked],
            ("import.marks", "", {"rows": len(checked)}),
            chunking,
        )
        result.batch_id, result.longest_chunk = outcome.batch_id, outcome.longest_chunk
        if outcome.refused is None:
            result.applied = len(checked)
            return result
        result.refused.append(outcome.refused)
    record_refusal(db, actor, "", len(rows), len(result.refused))
    return result


def _write(db: Database, actor: Actor, row: _Checked) -> None:
    marks.set_lesson_mark(db, actor, row.lesson_id, row.student_id, row.work_type, row.value)


def _check_rows(
    session: Session, actor: Actor, rows: list[tuple[int, list[str]]], result: ImportResult
) -> list[_Checked]:
    """Every row through the rules of ``marks.set_lesson_mark``, without writing."""
    uow = UnitOfWork(session, actor, actor.now())
    try:
        resolver = _Resolver(session)
        check_writer(uow)
    except DomainError as exc:
        result.refused = [(line_no, exc.message) for line_no, _ in rows]
        return []
    checked = []
    for line_no, cells in rows:
        try:
            if len(cells) != 7:
                raise RowError(f"ожидается 7 столбцов, а их {len(cells)}")
            day = _parse_date(cells[0])
            if not cells[1].isdigit():
                raise RowError(f"номер урока «{cells[1]}» не число")
            klass = resolver.klass(cells[2])
            subject = resolver.subject(cells[3])
            courses = resolver.courses(klass, subject)
            student = resolver.student(klass, cells[4], day, courses)
            lesson = resolver.lesson(klass, subject, student, day, int(cells[1]), courses)
            wt = resolver.work_type(cells[5])
            marks.check_lesson_mark(uow, lesson.id or 0, student.id or 0, wt, cells[6])
            checked.append(_Checked(line_no, lesson.id or 0, student.id or 0, wt.code, cells[6]))
        except DomainError as exc:
            result.refused.append((line_no, exc.message))
    return checked


def count_marks(session: Session) -> int:
    return session.exec(select(func.count(col(Mark.id)))).one()
