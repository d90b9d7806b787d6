"""Class lists imported from a file, and one student's arrival (движение учащихся).

Who: the secretary enters class lists and the contingent's changes [004 §5 «Секретарь»];
the administrator keeps the lists of students up to date [000 §5.2.1]. The deputy is not
named for the contingent in either, so the deputy cannot import (``CONTINGENT_ROLES``).

All or nothing: every row is checked (name, birth date, class, duplicates in the file and
in the school) in a read transaction before anything is written; if any row is refused,
nothing is written and every refused row is returned with its line and column. The rows
are then written in short transactions of one batch, reverted whole if a row is refused
meanwhile (``services.import_batches``). Each student written is audited
(``student.add``, ``student.enrol``) and so is the import (``student.import``) or its
refusal (``import.refused``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlmodel import Session, select

from zhurnal.core.actor import Actor
from zhurnal.core.context import class_by_title
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, NotFound, ValidationError
from zhurnal.core.ledger import state_of
from zhurnal.core.models import Enrolment, SchoolClass, SchoolYear, Student
from zhurnal.core.roster_file import FIELD_NAMES, Cell, RosterRow
from zhurnal.core.rules import check_text, fmt_date
from zhurnal.core.services.import_batches import Chunking, Row, apply_batch, record_refusal
from zhurnal.core.services.school import CONTINGENT_ONLY, CONTINGENT_ROLES
from zhurnal.core.uow import UnitOfWork, current_year, require, snapshot, unit_of_work

NAME_LIMIT = 100
OLDEST_BIRTH_YEAR = 1900


@dataclass
class ClassListResult:
    imported: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


class _RowError(DomainError):
    pass


@dataclass(frozen=True)
class _Person:
    line: int
    last: str
    first: str
    middle: str
    birth: date
    klass: SchoolClass

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last, self.first, self.middle) if p)

    @property
    def key(self) -> tuple[str, date]:
        return (_norm(self.full_name), self.birth)


def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).lower()


def _where(row: RosterRow, key: str) -> str:
    cell = row.cells.get(key)
    if cell is None or not cell.column:
        return f"«{FIELD_NAMES[key]}»"
    return f"столбец {cell.column} «{FIELD_NAMES[key]}»"


def _text(row: RosterRow, key: str, required: bool) -> str:
    try:
        text = check_text(row.text(key), FIELD_NAMES[key], NAME_LIMIT)
    except ValidationError as exc:
        raise _RowError(f"{_where(row, key)}: {exc.message}") from exc
    if required and not text:
        raise _RowError(f"{_where(row, key)}: не заполнено")
    return text


def parse_birth(value: str | date, today: date) -> date:
    """A birth date as written in class lists; a ``ValidationError`` says why not."""
    if isinstance(value, date):
        day = value
    else:
        text = value.strip()
        if not text:
            raise ValidationError("дата рождения не заполнена")
        for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
            try:
                day = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValidationError(f"дата «{text[:40]}» невозможна или не распознана (ДД.ММ.ГГГГ)")
    if day > today:
        raise ValidationError(f"дата рождения {fmt_date(day)} в будущем")
    if day.year < OLDEST_BIRTH_YEAR:
        raise ValidationError(f"дата рождения {fmt_date(day)} невозможна")
    return day


def _person(
    session: Session, year: SchoolYear, row: RosterRow, default_class: str, today: date
) -> _Person:
    if "last" in row.cells:
        last, first = _text(row, "last", True), _text(row, "first", True)
        middle = _text(row, "middle", False)
    else:
        parts = _text(row, "fio", True).split()
        if len(parts) < 2:
            raise _RowError(f"{_where(row, 'fio')}: нужны фамилия и имя")
        last, first, middle = parts[0], parts[1], " ".join(parts[2:])
    try:
        birth = parse_birth(row.cells.get("birth", Cell(0, "")).value, today)
    except ValidationError as exc:
        raise _RowError(f"{_where(row, 'birth')}: {exc.message}") from exc
    title = _text(row, "class", False) if "class" in row.cells else ""
    if default_class and title and _norm(title) != _norm(default_class):
        raise _RowError(f"{_where(row, 'class')}: класс «{title}», а загружается {default_class}")
    title = title or default_class
    if not title:
        raise _RowError(f"{_where(row, 'class')}: не заполнено (или укажите класс при загрузке)")
    klass = class_by_title(session, year.id, title)
    if klass is None:
        raise _RowError(f"{_where(row, 'class')}: класса «{title}» нет в учебном году {year.name}")
    return _Person(row.line, last, first, middle, birth, klass)


def _start_of(year: SchoolYear, start: date | None, today: date) -> date:
    day = start or max(year.start, today)
    if not year.start <= day <= year.end:
        raise ValidationError(
            f"Дата зачисления {fmt_date(day)} вне учебного года {year.name} "
            f"({fmt_date(year.start)}–{fmt_date(year.end)})."
        )
    return day


def _existing(uow: UnitOfWork, person: _Person, start: date) -> Student | None:
    """The same person already in the school: refused if still enrolled on ``start``."""
    for st in uow.session.exec(select(Student).where(Student.birth_date == person.birth)):
        if _norm(st.full_name) != person.key[0]:
            continue
        for e in uow.session.exec(select(Enrolment).where(Enrolment.student_id == st.id)):
            if e.end is None or e.end >= start:
                other = uow.session.get(SchoolClass, e.class_id)
                where = other.title if other else str(e.class_id)
                raise _RowError(
                    f"{person.full_name} ({fmt_date(person.birth)}) уже числится в {where} "
                    f"с {fmt_date(e.start)}"
                )
        return st  # came back after leaving: the same record, history kept
    return None


def _write(
    uow: UnitOfWork, person: _Person, known: Student | None, start: date, order: str
) -> None:
    student = known
    if student is None:
        student = Student(
            last_name=person.last,
            first_name=person.first,
            middle_name=person.middle,
            birth_date=person.birth,
            version=0,
        )
        uow.touch(student)
        uow.session.flush()
        uow.audit(
            "student.add",
            "student",
            student.id,
            None,
            snapshot(student, "last_name", "first_name", "middle_name", "birth_date"),
        )
    e = Enrolment(
        student_id=student.id or 0,
        class_id=person.klass.id or 0,
        start=start,
        order_in=order,
        version=0,
    )
    uow.touch(e)
    uow.session.flush()
    uow.audit("student.enrol", "enrolment", e.id, None, state_of(uow.session, "enrolment", e))


def import_class_list(
    db: Database,
    actor: Actor,
    rows: Sequence[RosterRow],
    order: str,
    start: date | None = None,
    default_class: str = "",
    unreadable: Sequence[tuple[int, str]] = (),
    chunking: Chunking | None = None,
) -> ClassListResult:
    """Enrol every row's student in its class from ``start`` by ``order``, or none: every
    row checked in a read transaction first, then written in short transactions of one
    batch (``services.import_batches``)."""
    result = ClassListResult(refused=list(unreadable))
    with unit_of_work(db, actor, "student.import") as uow:  # rights and the year: refusals
        require(actor.has(*CONTINGENT_ROLES), CONTINGENT_ONLY)
        year = current_year(uow.session)
        if year.closed:
            raise ValidationError(f"Учебный год {year.name} закрыт: изменения не принимаются.")
        day = _start_of(year, start, uow.now.date())
        order_text = check_text(order, "Приказ о зачислении", NAME_LIMIT)
        if not order_text:
            raise ValidationError("Укажите номер и дату приказа о зачислении.")
        if not rows:
            raise ValidationError("В списке нет ни одного ученика.")
    with db.read() as session:
        people = _check_rows(
            UnitOfWork(session, actor, actor.now()), year, rows, day, default_class, result
        )
    if not result.refused:
        outcome = apply_batch(
            db,
            actor,
            "students",
            [
                Row(person.line, partial(_apply, db, actor, person, day, order_text))
                for person in people
            ],
            (
                "student.import",
                "enrolment",
                {"rows": len(people), "start": day, "order_in": order_text},
            ),
            chunking,
        )
        if outcome.refused is None:
            result.imported = len(people)
            return result
        result.refused.append(outcome.refused)
    result.refused.sort()
    record_refusal(db, actor, "student.import", len(rows), len(result.refused))
    return result


def _check_rows(
    uow: UnitOfWork,
    year: SchoolYear,
    rows: Sequence[RosterRow],
    day: date,
    default_class: str,
    result: ClassListResult,
) -> list[_Person]:
    """Every row: name, birth date, class, duplicates in the file and in the school."""
    seen: dict[tuple[str, date], int] = {}
    people: list[_Person] = []
    for row in rows:
        try:
            person = _person(uow.session, year, row, default_class.strip(), uow.now.date())
            if person.key in seen:
                raise _RowError(
                    f"{person.full_name} ({fmt_date(person.birth)}) повторяет "
                    f"строку {seen[person.key]}"
                )
            seen[person.key] = row.line
            _existing(uow, person, day)
            people.append(person)
        except _RowError as exc:
            result.refused.append((row.line, exc.message))
    return people


def _apply(db: Database, actor: Actor, person: _Person, day: date, order: str) -> None:
    """One student enrolled, inside the batch's chunk (checked again: the school may have
    changed since the file was checked)."""
    with unit_of_work(db, actor, "student.import") as uow:
        _write(uow, person, _existing(uow, person, day), day, order)


def arrive(
    db: Database,
    actor: Actor,
    full_name: str,
    birth: str,
    class_title: str,
    order: str,
    start: date | None = None,
) -> int:
    """One student arrives in a class by an order: the one-row class list; their id."""
    row = RosterRow(1, {"fio": Cell(0, full_name), "birth": Cell(0, birth)})
    result = import_class_list(db, actor, [row], order, start, class_title)
    if not result.ok:
        message = result.refused[0][1]
        raise ValidationError(message[:1].upper() + message[1:] + ".")
    return find_student(db, full_name, birth)


def find_student(db: Database, name: str, birth: str | date | None = None) -> int:
    """The student named «Фамилия Имя [Отчество]» (and born on ``birth``): their id."""
    wanted = _norm(name)
    with db.read() as s:
        found = [
            st
            for st in s.exec(select(Student))
            if wanted in (_norm(st.full_name), _norm(f"{st.last_name} {st.first_name}"))
        ]
        if birth:
            day = parse_birth(birth, date.max) if isinstance(birth, str) else birth
            found = [st for st in found if st.birth_date == day]
    if not found:
        raise NotFound(f"Ученик «{name.strip()}» не найден.")
    if len(found) > 1:
        raise ValidationError(
            f"Учеников «{name.strip()}» несколько: укажите отчество или дату рождения."
        )
    return found[0].id or 0
