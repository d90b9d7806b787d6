"""The year rollover before anything changes: every student's move [000 §5.2.1].

``promotion_preview`` lists each student of the year being finished (in a class on its
last day) with the move the director's order makes: class g → class g+1 of the next year
(same letter) from its first day; grade 11 → graduates («окончил обучение»); and the
exceptions the administrator marks: held back (остаётся на повторное обучение, the class
of the same grade and letter next year), conditionally promoted (условно переведён),
left (выбыл, from a date, by an order).  A move that cannot be made (no such class next
year) carries its ``problem``; the order is applied only when there is none
(``core.services.rollover.apply_promotion`` builds the very same plan in its
transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import Session, col, or_, select

from zhurnal.core.actor import Actor
from zhurnal.core.context import parse_class_title
from zhurnal.core.db import Database
from zhurnal.core.errors import NotFound, PermissionDenied, ValidationError
from zhurnal.core.live import reading
from zhurnal.core.models import Enrolment, SchoolClass, SchoolYear, Setting, Student
from zhurnal.core.rules import fmt_date
from zhurnal.core.uow import current_year

READ_ROLES = ("admin", "director", "deputy")
LAST_GRADE = 11
PROMOTED_KEY = "promotion:{year_id}"
"""``Setting`` key marking a year whose promotion order was applied (its JSON)."""

EXCEPTION_KINDS = {
    "hold_back": "оставить на повторное обучение",
    "conditional": "перевести условно",
    "leave": "выбыл",
}
COUNT_TITLES = (
    ("promote", "переводятся"),
    ("conditional", "условно"),
    ("hold_back", "остаются на повторное обучение"),
    ("graduate", "выпуск"),
    ("leave", "выбывают"),
)


def counts_text(counts: dict[str, int]) -> str:
    """«переводятся: 5, выбывают: 1» — how many students each kind of move has."""
    return ", ".join(f"{title}: {counts[k]}" for k, title in COUNT_TITLES if counts.get(k))


@dataclass(frozen=True)
class PromotionException:
    """One student's exception to the order: ``hold_back``, ``conditional`` or ``leave``
    (``day``: the first day not in the school, by default the day after the year; ``order``
    and ``reason`` of the leaving, by default the promotion order and «выбыл»)."""

    student_id: int
    kind: str
    day: date | None = None
    order: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Move:
    student_id: int
    student: str
    enrolment_id: int
    from_class_id: int
    from_class: str
    kind: str  # promote | conditional | graduate | hold_back | leave
    to_class_id: int | None
    to_class: str
    text: str  # what the row says: «6А», «выпуск», «остаётся в 5А», «выбывает с …»
    end: date  # the last day in the class of the finished year
    problem: str = ""
    order: str = ""  # the leaving's own order (``leave``), else ""
    reason: str = ""


@dataclass(frozen=True)
class PromotionPreview:
    from_year_id: int
    from_year: str
    from_end: date
    to_year_id: int
    to_year: str
    to_start: date
    moves: tuple[Move, ...]
    promoted_by: str = ""  # the order already applied ("" — not yet)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{m.student} ({m.from_class}): {m.problem}" for m in self.moves if m.problem)

    def count(self, kind: str) -> int:
        return sum(1 for m in self.moves if m.kind == kind)

    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k, _ in COUNT_TITLES}


def _source_and_next(session: Session, year_id: int | None) -> tuple[SchoolYear, SchoolYear | None]:
    """The year being finished (``year_id``; by default the one before the current year,
    else the current one) and the year after it, if created."""
    years = list(session.exec(select(SchoolYear).order_by(col(SchoolYear.start))))
    if year_id is not None:
        source = next((y for y in years if y.id == year_id), None)
        if source is None:
            raise NotFound(f"Учебный год № {year_id} не найден.")
    else:
        now = current_year(session)
        before = [y for y in years if y.end < now.start]
        source = before[-1] if before else now
    after = [y for y in years if y.start > source.end]
    return source, after[0] if after else None


def years_of_promotion(session: Session, year_id: int | None) -> tuple[SchoolYear, SchoolYear]:
    """The year being finished and the next one (which must exist)."""
    source, target = _source_and_next(session, year_id)
    if target is None:
        raise ValidationError(
            f"Следующий учебный год после {source.name} ещё не создан: сначала создайте его "
            "(«Переход на новый учебный год», клавиша n, или zhurnal rollover next)."
        )
    return source, target


def promoted_by(session: Session, year_id: int) -> str:
    row = session.get(Setting, PROMOTED_KEY.format(year_id=year_id))
    return str(json.loads(row.value).get("order", "")) if row is not None else ""


def plan_promotion(
    session: Session,
    source: SchoolYear,
    target: SchoolYear,
    exceptions: tuple[PromotionException, ...] = (),
) -> list[Move]:
    """Every student in a class of ``source`` on its last day, with their move."""
    rows = session.exec(
        select(Enrolment, SchoolClass, Student)
        .where(
            Enrolment.class_id == SchoolClass.id,
            Enrolment.student_id == Student.id,
            SchoolClass.year_id == source.id,
            Enrolment.start <= source.end,
            or_(col(Enrolment.end).is_(None), col(Enrolment.end) >= source.end),
        )
        .order_by(
            col(SchoolClass.grade),
            col(SchoolClass.letter),
            col(Student.last_name),
            col(Student.first_name),
        )
    ).all()
    targets = {
        (k.grade, k.letter): k
        for k in session.exec(select(SchoolClass).where(SchoolClass.year_id == target.id))
    }
    by_student = {x.student_id: x for x in exceptions}
    known = {st.id for _, _, st in rows}
    for x in exceptions:
        if x.student_id not in known:
            raise ValidationError(
                f"Ученик № {x.student_id} не числится в классах {source.name} на конец года."
            )
        if x.kind not in EXCEPTION_KINDS:
            raise ValidationError(
                f"Исключение «{x.kind}»: допустимо hold_back, conditional или leave."
            )
    return [
        _move(e, k, st, by_student.get(st.id or 0), source, target, targets) for e, k, st in rows
    ]


def _move(
    e: Enrolment,
    k: SchoolClass,
    st: Student,
    x: PromotionException | None,
    source: SchoolYear,
    target: SchoolYear,
    targets: dict[tuple[int, str], SchoolClass],
) -> Move:
    kind = x.kind if x is not None else ("graduate" if k.grade >= LAST_GRADE else "promote")
    base = Move(
        student_id=st.id or 0,
        student=st.full_name,
        enrolment_id=e.id or 0,
        from_class_id=k.id or 0,
        from_class=k.title,
        kind=kind,
        to_class_id=None,
        to_class="",
        text="выпуск",
        end=source.end,
    )
    if kind == "graduate":
        return base
    if kind == "leave":
        day = x.day if x is not None and x.day is not None else source.end + timedelta(days=1)
        end = min(day - timedelta(days=1), source.end)
        late = end < e.start
        return replace(
            base,
            text=f"выбывает с {fmt_date(day)}",
            end=end,
            problem=f"дата выбытия {fmt_date(day)} не позже зачисления" if late else "",
            order=x.order if x is not None else "",
            reason=(x.reason if x is not None else "") or "выбыл",
        )
    if kind == "conditional" and k.grade >= LAST_GRADE:
        return replace(
            base,
            text="—",
            problem="из 11 класса условно не переводят: выпуск, повторное обучение или выбытие",
        )
    grade = k.grade if kind == "hold_back" else k.grade + 1
    klass = targets.get((grade, k.letter))
    title = f"{grade}{k.letter}"
    text = {"hold_back": f"остаётся в {title}", "conditional": f"{title} (условно)"}.get(
        kind, title
    )
    missing = f"нет класса {title} в {target.name}: создайте его («Классы») до перевода"
    return replace(
        base,
        to_class_id=klass.id if klass is not None else None,
        to_class=title,
        text=text,
        problem="" if klass is not None else missing,
    )


def promotion_preview(
    db: Database,
    actor: Actor,
    exceptions: tuple[PromotionException, ...] = (),
    year_id: int | None = None,
) -> PromotionPreview:
    """What ``apply_promotion`` would do with these exceptions (nothing is written)."""
    if not actor.has(*READ_ROLES):
        raise PermissionDenied(
            "Перевод учащихся видят администратор, директор и заместитель директора."
        )
    with reading(db, actor) as session:
        source, target = years_of_promotion(session, year_id)
        moves = plan_promotion(session, source, target, exceptions)
        return PromotionPreview(
            source.id or 0,
            source.name,
            source.end,
            target.id or 0,
            target.name,
            target.start,
            tuple(moves),
            promoted_by(session, source.id or 0),
        )


@dataclass(frozen=True)
class RolloverState:
    """Where the rollover stands: the year being finished and the next one."""

    year_id: int
    year: str
    start: date
    end: date
    closed: bool
    next_year: str  # "" — not created yet
    next_start: date | None
    next_end: date | None
    promoted_by: str


def rollover_state(db: Database, actor: Actor) -> RolloverState:
    if not actor.has(*READ_ROLES):
        raise PermissionDenied(
            "Переход на новый учебный год видят администратор, директор и заместитель директора."
        )
    with reading(db, actor) as session:
        source, nxt = _source_and_next(session, None)
        return RolloverState(
            source.id or 0,
            source.name,
            source.start,
            source.end,
            source.closed,
            nxt.name if nxt else "",
            nxt.start if nxt else None,
            nxt.end if nxt else None,
            promoted_by(session, source.id or 0),
        )


def year_id_by_name(db: Database, name: str) -> int:
    """The id of the school year «2026/2027» (NotFound names the years there are)."""
    with db.read() as session:
        years = list(session.exec(select(SchoolYear).order_by(col(SchoolYear.start))))
    wanted = name.strip().replace("-", "/")
    for y in years:
        if y.name == wanted:
            return y.id or 0
    known = ", ".join(y.name for y in years) or "нет ни одного"
    raise NotFound(f"Учебного года «{name.strip()}» нет; есть: {known}.")


def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).lower()


def find_move(preview: PromotionPreview, name: str, class_title: str) -> Move:
    """The student «Фамилия Имя [Отчество]» of class «5А» among the preview's moves."""
    parsed = parse_class_title(class_title)
    title = f"{parsed[0]}{parsed[1]}" if parsed else class_title.strip()
    wanted = _norm(name)
    found = [
        m
        for m in preview.moves
        if m.from_class == title
        and (_norm(m.student) == wanted or _norm(m.student).startswith(wanted + " "))
    ]
    if not found:
        raise NotFound(
            f"«{name.strip()}» нет среди учеников {title} на конец {preview.from_year}: "
            "проверьте ФИО и класс."
        )
    if len(found) > 1:
        raise ValidationError(f"В {title} несколько учеников «{name.strip()}»: укажите отчество.")
    return found[0]
