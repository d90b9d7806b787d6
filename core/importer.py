"""Import of marks from CSV: the automatic registration of external testing
results [001 §2.1].

Columns: date, lesson number, class, subject, student, work type, value (a
header row in Russian or English is recognised and skipped; ``;`` or ``,``).
Every row goes through ``marks.set_lesson_mark`` — the same service and rules
as the screen — inside one ``batch``: if any row is refused, nothing is
applied and each refused row is reported with its line number and reason.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from zhurnal.core import audit
from zhurnal.core.actor import Actor
from zhurnal.core.context import class_by_title, parse_class_title, roster_ids
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError
from zhurnal.core.models import Course, Lesson, Mark, SchoolClass, Student, Subject, WorkType
from zhurnal.core.services import marks
from zhurnal.core.uow import BatchRefused, batch, current_year

HEADER_WORDS = {"дата", "date"}


@dataclass
class ImportResult:
    applied: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

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
    def __init__(self, session: Session) -> None:
        self.s = session
        self.year = current_year(session)

    def klass(self, title: str) -> SchoolClass:
        if parse_class_title(title) is None:
            raise RowError(f"класс «{title}» не распознан (нужно, например, 5А)")
        row = class_by_title(self.s, self.year.id, title)
        if row is None:
            raise RowError(f"класса «{title}» нет в текущем учебном году")
        return row

    def subject(self, name: str) -> Subject:
        for subj in self.s.exec(select(Subject)):
            if _norm(name) in (_norm(subj.name), _norm(subj.short)):
                return subj
        raise RowError(f"предмет «{name}» не найден")

    def work_type(self, text: str) -> WorkType:
        for wt in self.s.exec(select(WorkType)):
            if _norm(text) in (_norm(wt.code), _norm(wt.name)):
                return wt
        raise RowError(f"вид работы «{text}» не задан в настройках школы")

    def student(self, klass: SchoolClass, name: str, day: date, courses: list[Course]) -> Student:
        ids: set[int] = set()
        for c in courses:
            ids |= roster_ids(self.s, c, day)
        wanted = _norm(name)
        found = [
            st
            for st in self.s.exec(select(Student).where(col(Student.id).in_(ids)))
            if _norm(st.full_name) == wanted or _norm(f"{st.last_name} {st.first_name}") == wanted
        ]
        if not found:
            raise RowError(f"ученик «{name}» не числится в {klass.title} на {day:%d.%m.%Y}")
        if len(found) > 1:
            raise RowError(f"в {klass.title} несколько учеников «{name}»: укажите отчество")
        return found[0]

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
            if student.id in roster_ids(self.s, c, day):
                lesson = self.s.exec(
                    select(Lesson).where(
                        Lesson.course_id == c.id, Lesson.date == day, Lesson.number == number
                    )
                ).first()
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


def import_marks(db: Database, actor: Actor, text: str) -> ImportResult:
    result = ImportResult()
    rows = read_rows(text)
    try:
        with batch(db) as session:
            resolver = _Resolver(session)
            for line_no, cells in rows:
                try:
                    if len(cells) != 7:
                        raise RowError(f"ожидается 7 столбцов, а их {len(cells)}")
                    day = _parse_date(cells[0])
                    if not cells[1].isdigit():
                        raise RowError(f"номер урока «{cells[1]}» не число")
                    klass = resolver.klass(cells[2])
                    subject = resolver.subject(cells[3])
                    courses = list(
                        session.exec(
                            select(Course).where(
                                Course.class_id == klass.id, Course.subject_id == subject.id
                            )
                        )
                    )
                    if not courses:
                        raise RowError(f"в {klass.title} не ведётся «{subject.name}»")
                    student = resolver.student(klass, cells[4], day, courses)
                    lesson = resolver.lesson(klass, subject, student, day, int(cells[1]), courses)
                    wt = resolver.work_type(cells[5])
                    marks.set_lesson_mark(
                        db, actor, lesson.id or 0, student.id or 0, wt.code, cells[6]
                    )
                    result.applied += 1
                except DomainError as exc:
                    result.refused.append((line_no, exc.message))
            if result.refused:
                raise BatchRefused
            audit.append(
                session,
                ts=actor.now(),
                actor_id=actor.user_id,
                actor_login=actor.login,
                action="import.marks",
                after={"rows": result.applied},
            )
    except BatchRefused:
        result.applied = 0
        with db.write() as session:
            audit.append(
                session,
                ts=actor.now(),
                actor_id=actor.user_id,
                actor_login=actor.login,
                action="import.refused",
                after={"rows": len(rows), "refused": len(result.refused)},
            )
    return result


def count_marks(session: Session) -> int:
    return session.exec(select(func.count(col(Mark.id)))).one()
