"""«Учебный год» kept up by the administrator and the deputy [004 §5]: a typical Russian
school year 2026/2027 built from nothing, made current, its dates, periods and holidays
corrected while nothing depends on them, refused with the reason when something does."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import select

from tests.conftest import add_user
from tests.test_school_services import db_state
from zhurnal.core.actor import Actor
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, Holiday, Period, PeriodMark, SchoolYear, Student
from zhurnal.core.readmodels import year_setup
from zhurnal.core.readmodels.year_setup import (
    grades_label,
    parse_bell,
    parse_bells_text,
    parse_grades_text,
    parse_holiday_kind,
    parse_scheme,
)
from zhurnal.core.services import school, timetable
from zhurnal.core.services import year_setup as ys

NOW = datetime(2026, 8, 25, 10, 0)
QUARTERS = [
    (date(2026, 9, 1), date(2026, 10, 24)),
    (date(2026, 11, 5), date(2026, 12, 28)),
    (date(2027, 1, 11), date(2027, 3, 21)),
    (date(2027, 3, 31), date(2027, 5, 26)),
]


def quarters_year(db, admin: Actor) -> int:  # type: ignore[no-untyped-def]
    """2026/2027 (current) with its four quarters; the year's id."""
    year_id = school.create_year(db, admin, "2026/2027", date(2026, 9, 1), date(2027, 5, 31)).id
    for n, (a, b) in enumerate(QUARTERS, start=1):
        school.add_period(db, admin, year_id, "quarters", "quarter", n, f"{n} четверть", a, b)
    return year_id


class Y:
    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.admin = add_user(db, "admin", "admin").at(NOW)
        self.deputy = add_user(db, "zavuch", "deputy").at(NOW)
        self.teacher = add_user(db, "uchitel", "teacher").at(NOW)
        self.director = add_user(db, "direktor", "director").at(NOW)
        self.year_id = quarters_year(db, self.deputy)
        with db.read() as s:
            self.q = list(s.exec(select(Period.id).order_by(Period.start)))
        self.h1 = school.add_period(
            db,
            self.deputy,
            self.year_id,
            "halves",
            "half",
            1,
            "1 полугодие",
            QUARTERS[0][0],
            QUARTERS[1][1],
        ).id
        self.autumn = school.add_holiday(
            db, self.admin, self.year_id, "Осенние каникулы", date(2026, 10, 25), date(2026, 11, 4)
        ).id
        self.feb1 = school.add_holiday(
            db,
            self.admin,
            self.year_id,
            "Дополнительные каникулы для 1 класса",
            date(2027, 2, 15),
            date(2027, 2, 21),
            grades=parse_grades_text("1"),
        ).id
        self.unity = school.add_holiday(
            db,
            self.admin,
            self.year_id,
            "День народного единства",
            date(2026, 11, 4),
            date(2026, 11, 4),
            kind="public",
        ).id
        school.set_bells(
            db,
            self.admin,
            parse_bells_text("1 08:30-09:15\n2 09:25-10:10\n# большая перемена\n3 10:30-11:15"),
        )


@pytest.fixture
def y(db) -> Y:
    return Y(db)


def _lessons_in_5a(y: Y, start: date, end: date) -> None:
    """5А (quarters) has maths on Mondays; lessons generated from ``start`` to ``end``."""
    klass = school.create_class(y.db, y.admin, y.year_id, 5, "А").id
    maths = school.add_subject(y.db, y.admin, "Математика").id
    course = school.create_course(y.db, y.admin, klass, maths, y.teacher.user_id).id
    timetable.add_slot(y.db, y.admin, course, 0, 1, "12", date(2026, 9, 1))
    assert timetable.generate_lessons(y.db, y.admin, start, end) > 0


def test_the_year_from_nothing_reads_back_with_its_schemes_holidays_and_bells(y: Y) -> None:
    setup = year_setup(y.db, y.deputy)
    assert setup.year is not None and setup.year.name == "2026/2027" and setup.year.is_current
    quarters, halves = setup.schemes
    assert [p.name for p in quarters.periods] == [f"{n} четверть" for n in range(1, 5)]
    assert (quarters.grades, halves.grades, quarters.typical) == (
        tuple(range(1, 10)),
        (10, 11),
        True,
    )
    assert [p.name for p in halves.periods] == ["1 полугодие"]
    assert [(h.name, h.kind, h.grades) for h in setup.holidays][:2] == [
        ("Осенние каникулы", "vacation", ""),
        ("День народного единства", "public", ""),
    ]
    assert [b.number for b in setup.bells] == [1, 2, 3]
    assert setup.bells[0].start == time(8, 30)
    assert setup.editable
    director = year_setup(y.db, y.director)  # the director reads, never sets up
    assert not director.editable and "заместитель директора" in director.why_not
    school.create_class(y.db, y.admin, y.year_id, 1, "А")
    assert year_setup(y.db, y.admin).schemes[1].grades_text == "нет классов"
    school.create_class(y.db, y.admin, y.year_id, 10, "А", period_scheme="halves")
    quarters, halves = year_setup(y.db, y.admin).schemes
    assert (quarters.grades, halves.grades, quarters.typical) == ((1,), (10,), False)


def test_a_teacher_does_not_see_the_setup_004_5(y: Y) -> None:
    with pytest.raises(PermissionDenied):
        year_setup(y.db, y.teacher)


def test_a_new_year_is_made_current_and_the_old_one_stops_being_current(y: Y) -> None:
    nxt = school.create_year(
        y.db, y.admin, "2027/2028", date(2027, 9, 1), date(2028, 5, 31), make_current=False
    )
    assert year_setup(y.db, y.admin).year.name == "2026/2027"
    ys.set_current_year(y.db, y.deputy, nxt.id)
    with y.db.read() as s:
        current = s.exec(select(SchoolYear.name).where(SchoolYear.is_current == True)).all()  # noqa: E712
    assert current == ["2027/2028"]
    assert [r.name for r in year_setup(y.db, y.admin).years] == ["2027/2028", "2026/2027"]


def test_a_closed_year_is_not_made_current(y: Y) -> None:
    nxt = school.create_year(
        y.db, y.admin, "2027/2028", date(2027, 9, 1), date(2028, 5, 31), make_current=False
    )
    with y.db.write() as s:
        s.get(SchoolYear, nxt.id).closed = True
    before = db_state(y.db)
    with pytest.raises(ValidationError, match="закрыт"):
        ys.set_current_year(y.db, y.admin, nxt.id)
    assert db_state(y.db) == before


def test_the_year_end_is_corrected_but_never_cuts_off_a_period(y: Y) -> None:
    before = db_state(y.db)
    with pytest.raises(ValidationError, match=r"«4 четверть».*вне учебного года"):
        ys.change_year(y.db, y.admin, y.year_id, "2026/2027", date(2026, 9, 1), date(2027, 5, 20))
    assert db_state(y.db) == before
    view = ys.change_year(
        y.db, y.admin, y.year_id, "2026/2027", date(2026, 9, 1), date(2027, 5, 26)
    )
    assert view.end == date(2027, 5, 26)


def test_an_overlapping_period_of_the_same_scheme_is_refused_with_the_reason(y: Y) -> None:
    school.add_period(
        y.db, y.admin, y.year_id, "quarters", "exam", 1, "Экзамены",
        date(2027, 5, 1), date(2027, 5, 10),
    )  # fmt: skip
    before = db_state(y.db)
    with pytest.raises(ValidationError) as exc:
        school.add_period(
            y.db, y.admin, y.year_id, "quarters", "exam", 2, "Пересдачи",
            date(2027, 5, 5), date(2027, 5, 20),
        )  # fmt: skip
    assert "пересекаются с периодом «Экзамены» (01.05.2027–10.05.2027)" in exc.value.message
    assert db_state(y.db) == before


def test_a_fifth_quarter_or_a_third_half_year_is_refused(y: Y) -> None:
    before = db_state(y.db)
    for scheme, kind, number, most in (("quarters", "quarter", 5, "4 четверти"),
                                       ("halves", "half", 3, "2 полугодия")):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            school.add_period(
                y.db, y.admin, y.year_id, scheme, kind, number, f"{number}",
                date(2027, 5, 27), date(2027, 5, 28),
            )  # fmt: skip
        assert f"в учебном году {most}" in exc.value.message
    assert db_state(y.db) == before
    # A half-year may span quarters: another scheme.
    school.add_period(
        y.db,
        y.admin,
        y.year_id,
        "halves",
        "half",
        2,
        "2 полугодие",
        date(2027, 1, 11),
        date(2027, 5, 26),
    )


def test_a_holiday_outside_the_year_is_refused_and_nothing_written(y: Y) -> None:
    before = db_state(y.db)
    with pytest.raises(ValidationError, match="внутри учебного года 2026/2027"):
        school.add_holiday(
            y.db, y.admin, y.year_id, "Летние каникулы", date(2027, 6, 1), date(2027, 8, 31)
        )
    assert db_state(y.db) == before


def test_a_period_is_corrected_unless_it_would_meet_another(y: Y) -> None:
    view = ys.change_period(
        y.db, y.admin, y.q[3], "4 четверть", date(2027, 3, 30), date(2027, 5, 26)
    )
    assert view.start == date(2027, 3, 30)
    before = db_state(y.db)
    with pytest.raises(ValidationError, match="пересекаются с периодом «3 четверть»"):
        ys.change_period(y.db, y.admin, y.q[3], "4 четверть", date(2027, 3, 15), date(2027, 5, 26))
    with pytest.raises(ValidationError, match="внутри учебного года"):
        ys.change_period(y.db, y.admin, y.q[3], "4 четверть", date(2027, 3, 30), date(2027, 6, 30))
    assert db_state(y.db) == before
    with y.db.read() as s:
        last = s.exec(select(AuditEvent).where(AuditEvent.action == "period.change")).one()
    assert last.entity_id == y.q[3]


def test_a_period_with_lessons_is_not_removed_nor_shrunk_off_them(y: Y) -> None:
    _lessons_in_5a(y, date(2026, 9, 1), date(2026, 10, 31))
    before = db_state(y.db)
    with pytest.raises(ValidationError, match="уже созданы уроки"):
        ys.remove_period(y.db, y.admin, y.q[0])
    with pytest.raises(ValidationError, match="выпадут из периода"):
        ys.change_period(y.db, y.admin, y.q[0], "1 четверть", date(2026, 9, 1), date(2026, 10, 10))
    assert db_state(y.db) == before
    # Growing it, or renaming, is fine; the 2nd quarter has no lessons yet: removable.
    ys.change_period(y.db, y.admin, y.q[0], "I четверть", date(2026, 9, 1), date(2026, 10, 24))
    assert year_setup(y.db, y.admin).schemes[0].periods[0].in_use
    assert not year_setup(y.db, y.admin).schemes[0].periods[1].in_use
    ys.remove_period(y.db, y.admin, y.q[1])
    with y.db.read() as s:
        assert s.get(Period, y.q[1]) is None


def test_a_period_with_period_marks_keeps_its_dates(y: Y) -> None:
    _lessons_in_5a(y, date(2026, 9, 1), date(2026, 9, 30))
    with y.db.write() as s:
        student = Student(last_name="Антонов", first_name="Антон")
        s.add(student)
        s.flush()
        s.add(
            PeriodMark(
                course_id=1,
                student_id=student.id,
                period_id=y.h1,
                value="5",
                entered_at=NOW,
                entered_by_id=y.teacher.user_id,
            )
        )
    with pytest.raises(ValidationError, match="уже выставлены отметки"):
        ys.change_period(y.db, y.admin, y.h1, "1 полугодие", date(2026, 9, 1), date(2026, 12, 27))
    with pytest.raises(ValidationError, match="уже выставлены отметки"):
        ys.remove_period(y.db, y.admin, y.h1)
    ys.change_period(y.db, y.admin, y.h1, "I полугодие", date(2026, 9, 1), date(2026, 12, 28))


def test_a_future_holiday_is_corrected_and_removed(y: Y) -> None:
    view = ys.change_holiday(
        y.db,
        y.admin,
        y.feb1,
        "Дополнительные каникулы",
        date(2027, 2, 8),
        date(2027, 2, 14),
        grades="1",
    )
    assert (view.start, view.grades) == (date(2027, 2, 8), "1")
    with pytest.raises(ValidationError, match="выходной для всех"):
        ys.change_holiday(
            y.db, y.admin, y.feb1, "x", date(2027, 2, 8), date(2027, 2, 14), "public", "1"
        )
    ys.remove_holiday(y.db, y.admin, y.feb1)
    with y.db.read() as s:
        assert s.get(Holiday, y.feb1) is None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "holiday.remove")).one()


def test_a_holiday_whose_days_are_kept_in_the_register_stays(y: Y) -> None:
    """The autumn vacation is over on 23.11.2026 and lessons were held around it: the
    lessons and their entry deadlines were counted with it [004 §3.8]."""
    _lessons_in_5a(y, date(2026, 9, 1), date(2026, 11, 30))
    later = y.admin.at(datetime(2026, 11, 23, 10, 0))
    before = db_state(y.db)
    with pytest.raises(ValidationError, match="уже прошли, а журнал за них ведётся"):
        ys.remove_holiday(y.db, later, y.autumn)
    with pytest.raises(ValidationError, match="уже прошли"):
        ys.change_holiday(
            y.db, later, y.autumn, "Осенние каникулы", date(2026, 10, 26), date(2026, 11, 4)
        )
    assert db_state(y.db) == before
    # Its name may still be corrected (nothing counted depends on a name).
    ys.change_holiday(
        y.db, later, y.autumn, "Осенние каникулы 2026", date(2026, 10, 25), date(2026, 11, 4)
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda y, a: ys.set_current_year(y.db, a, y.year_id),
        lambda y, a: ys.change_year(
            y.db, a, y.year_id, "2026/27", date(2026, 9, 1), date(2027, 5, 31)
        ),
        lambda y, a: ys.change_period(y.db, a, y.q[0], "1", date(2026, 9, 1), date(2026, 10, 24)),
        lambda y, a: ys.remove_period(y.db, a, y.q[1]),
        lambda y, a: ys.change_holiday(y.db, a, y.feb1, "x", date(2027, 2, 8), date(2027, 2, 9)),
        lambda y, a: ys.remove_holiday(y.db, a, y.feb1),
    ],
)
def test_only_the_administrator_and_the_deputy_set_up_the_year_004_5(y: Y, call) -> None:
    before = db_state(y.db)
    for actor in (y.teacher, y.director):
        with pytest.raises(PermissionDenied, match="администратор"):
            call(y, actor)
    assert db_state(y.db) == before
    call(y, y.deputy)


@pytest.mark.parametrize(
    ("text", "stored"),
    [("2-9", "2,3,4,5,6,7,8,9"), ("1", "1"), ("", ""), ("10, 11", "10,11"), ("1;5–6", "1,5,6")],
)
def test_grades_are_typed_as_lists_and_ranges(text: str, stored: str) -> None:
    assert parse_grades_text(text) == stored


@pytest.mark.parametrize("text", ["0", "12", "9-2", "пятый", "2-"])
def test_impossible_grades_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="Классы"):
        parse_grades_text(text)


def test_the_words_of_the_setup() -> None:
    assert grades_label("2,3,4,5,6,7,8,9") == "2–9"
    assert grades_label("1,2,5") == "1, 2, 5"
    assert grades_label("") == "все"
    assert parse_bell("1 08:30-09:15") == (1, time(8, 30), time(9, 15))
    assert parse_bell(" 2. 9.25 – 10.10 ") == (2, time(9, 25), time(10, 10))
    for bad in ("1 25:00-26:00", "первый 08:30-09:15", "1 08:30"):
        with pytest.raises(ValidationError, match="Звонок"):
            parse_bell(bad)
    assert (parse_scheme("четверти"), parse_scheme("Полугодия"), parse_scheme("halves")) == (
        "quarters",
        "halves",
        "halves",
    )
    assert (parse_holiday_kind("каникулы"), parse_holiday_kind("праздник")) == (
        "vacation",
        "public",
    )
    with pytest.raises(ValidationError, match="четверти или полугодия"):
        parse_scheme("триместры")


def test_every_change_of_the_year_is_named_in_the_audit_journal(y: Y) -> None:
    """«Журнал действий» names each of them and files it under «Настройки» [002 §2.9]."""
    from zhurnal.core.readmodels.audit_text import KIND_ACTIONS, LABELS

    nxt = school.create_year(
        y.db, y.admin, "2027/2028", date(2027, 9, 1), date(2028, 5, 31), make_current=False
    )
    ys.set_current_year(y.db, y.admin, nxt.id)
    ys.change_year(y.db, y.admin, nxt.id, "2027/2028", date(2027, 9, 1), date(2028, 5, 26))
    ys.change_period(y.db, y.admin, y.q[3], "IV четверть", date(2027, 3, 31), date(2027, 5, 26))
    ys.remove_period(y.db, y.admin, y.q[3])
    ys.change_holiday(y.db, y.admin, y.feb1, "Доп. каникулы", date(2027, 2, 15), date(2027, 2, 21))
    ys.remove_holiday(y.db, y.admin, y.feb1)
    with y.db.read() as s:
        actions = set(s.exec(select(AuditEvent.action)))
    assert actions - {"user.create"} <= set(KIND_ACTIONS["Настройки"])
    assert all(action in LABELS for action in actions)
