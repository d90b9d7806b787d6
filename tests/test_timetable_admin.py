"""The timetable run by the deputy (issue 9): clashes named, changes from a date,
cancellations and substitutions; the КТП from XLSX against the curriculum's hours."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from sqlmodel import select

from tests.conftest import add_user, db_arg, signed
from tests.test_school_services import db_state
from zhurnal.cli.main import main
from zhurnal.core.actor import Actor
from zhurnal.core.errors import PermissionDenied, ValidationError
from zhurnal.core.models import AuditEvent, Lesson, TimetableSlot
from zhurnal.core.readmodels import my_lessons
from zhurnal.core.services import lessons, school, timetable, timetable_changes
from zhurnal.core.services.plan_hours import read_plan_xlsx

NOW = datetime(2026, 10, 5, 10, 0)  # Monday, 1st quarter
MON, TUE, WED, THU = range(4)
START = date(2026, 9, 1)


@dataclass
class TS:
    db: object
    admin: Actor
    deputy: Actor
    ivanova: Actor
    petrov: Actor
    sidorova: Actor
    c5: int
    c6: int
    c1: int
    m5: int  # 5Б Математика, Иванова, 5 h/week: Tue #2, room 12
    m6: int  # 6А Математика, Иванова (no slot)
    r5: int  # 5Б Русский язык, Сидорова (no slot)
    r6: int  # 6А Русский язык, Петров: Tue #2, room 20
    en1: int  # 5Б Английский язык «1 гр.», Петров
    en2: int  # 5Б Английский язык «2 гр.», Сидорова
    m1: int  # 1А Математика, Сидорова, 4 h/week
    slot_m5: int


@pytest.fixture
def ts(db, fast_argon2) -> TS:
    admin = add_user(db, "admin", "admin").at(NOW)
    deputy = add_user(db, "zavuch", "deputy", "Завучева Нина Павловна").at(NOW)
    ivanova = add_user(db, "ivanova", "teacher", "Иванова Анна Петровна").at(NOW)
    petrov = add_user(db, "petrov", "teacher", "Петров Пётр Ильич").at(NOW)
    sidorova = add_user(db, "sidorova", "teacher", "Сидорова Ольга Ивановна").at(NOW)
    school.set_bells(db, admin, [(n, time(8 + n, 0), time(8 + n, 45)) for n in range(1, 4)])
    y = school.create_year(db, admin, "2026/2027", START, date(2027, 5, 31)).id
    for n, (a, b) in enumerate(
        [
            (date(2026, 9, 1), date(2026, 10, 24)),
            (date(2026, 11, 5), date(2026, 12, 28)),
            (date(2027, 1, 11), date(2027, 3, 21)),
            (date(2027, 3, 31), date(2027, 5, 31)),
        ],
        start=1,
    ):
        school.add_period(db, deputy, y, "quarters", "quarter", n, f"{n} четверть", a, b)
    school.add_holiday(
        db, admin, y, "Доп. каникулы 1 кл.", date(2027, 2, 15), date(2027, 2, 21), grades="1"
    )
    c5 = school.create_class(db, admin, y, 5, "Б").id
    c6 = school.create_class(db, admin, y, 6, "А").id
    c1 = school.create_class(db, admin, y, 1, "А").id
    maths = school.add_subject(db, admin, "Математика").id
    russian = school.add_subject(db, admin, "Русский язык").id
    english = school.add_subject(db, admin, "Английский язык").id
    course = school.create_course
    m5 = course(db, admin, c5, maths, ivanova.user_id, hours_per_week=5).id
    m6 = course(db, admin, c6, maths, ivanova.user_id).id
    r5 = course(db, admin, c5, russian, sidorova.user_id).id
    r6 = course(db, admin, c6, russian, petrov.user_id).id
    en1 = course(db, admin, c5, english, petrov.user_id, "1 гр.").id
    en2 = course(db, admin, c5, english, sidorova.user_id, "2 гр.").id
    m1 = course(db, admin, c1, maths, sidorova.user_id, hours_per_week=4).id
    slot_m5 = timetable.add_slot(db, admin, m5, TUE, 2, "12", START).id
    timetable.add_slot(db, admin, r6, TUE, 2, "20", START)
    return TS(
        db, admin, deputy, ivanova, petrov, sidorova, c5, c6, c1, m5, m6, r5, r6, en1, en2, m1,
        slot_m5,
    )  # fmt: skip


def lesson_on(db, course_id: int, day: date) -> Lesson | None:
    with db.read() as s:
        return s.exec(
            select(Lesson).where(Lesson.course_id == course_id, Lesson.date == day)
        ).first()


def audited(db, action: str) -> int:
    with db.read() as s:
        return len(s.exec(select(AuditEvent.id).where(AuditEvent.action == action)).all())


# --- clashes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course", "room", "message"),
    [
        (
            "m6",
            "21",
            "Учитель Иванова А. П. уже ведёт 5Б Математика во вторник 2-м уроком (каб. 12).",
        ),
        (
            "r5",
            "14",
            "У 5Б уже стоит Математика во вторник 2-м уроком (каб. 12, учитель Иванова А. П.).",
        ),
    ],
)
def test_a_clash_is_refused_naming_the_other_lesson(
    ts: TS, course: str, room: str, message
) -> None:
    before = db_state(ts.db)
    with pytest.raises(ValidationError) as exc:
        timetable.add_slot(ts.db, ts.deputy, getattr(ts, course), TUE, 2, room, START)
    assert exc.value.message == message
    assert db_state(ts.db) == before


def test_the_course_teacher_is_no_substitute_for_their_own_lesson_004_5(ts: TS) -> None:
    from zhurnal.core.readmodels.timetable_grid import substitute_teachers

    timetable.generate_lessons(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 11))
    lesson = lesson_on(ts.db, ts.m5, date(2026, 10, 6))
    offered = {i for i, _ in substitute_teachers(ts.db, ts.deputy, lesson.id)}
    assert ts.ivanova.user_id not in offered and ts.sidorova.user_id in offered
    before = db_state(ts.db)
    with pytest.raises(ValidationError, match="учитель самого предмета"):
        lessons.assign_substitute(ts.db, ts.deputy, lesson.id, ts.ivanova.user_id)
    assert db_state(ts.db) == before


def test_a_timetable_date_outside_the_school_year_is_refused(ts: TS) -> None:
    before = db_state(ts.db)
    with pytest.raises(ValidationError, match=re.escape("01.09.2030 вне учебного года 2026/2027")):
        timetable.add_slot(ts.db, ts.deputy, ts.m6, TUE, 3, "30", date(2030, 9, 1))
    with pytest.raises(ValidationError, match="вне учебного года"):
        timetable_changes.change_slot(
            ts.db, ts.deputy, ts.slot_m5, from_date=date(2030, 9, 1), weekday=WED
        )  # fmt: skip
    assert db_state(ts.db) == before


def test_a_room_clash_names_the_lesson_and_its_teacher(ts: TS) -> None:
    room_of_5b = timetable.add_slot(ts.db, ts.deputy, ts.r5, MON, 1, "12", START)
    assert room_of_5b.room == "12"
    with pytest.raises(ValidationError) as exc:
        timetable.add_slot(ts.db, ts.deputy, ts.m6, MON, 1, "12", START)
    assert exc.value.message == (
        "Кабинет 12 уже занят: 5Б Русский язык в понедельник 1-м уроком (учитель Сидорова О. И.)."
    )


def test_two_subgroups_share_a_bell_and_validity_that_does_not_overlap_is_free(ts: TS) -> None:
    timetable.add_slot(ts.db, ts.deputy, ts.en1, WED, 1, "31", START)
    timetable.add_slot(ts.db, ts.deputy, ts.en2, WED, 1, "32", START)
    with pytest.raises(ValidationError, match="У 5Б уже стоит Математика"):  # vs whole class
        timetable.add_slot(ts.db, ts.deputy, ts.en1, TUE, 2, "31", START)
    with pytest.raises(ValidationError, match=r"У 5Б уже стоит Английский язык \(1 гр\.\)"):
        timetable.add_slot(ts.db, ts.deputy, ts.r5, WED, 1, "14", START)
    timetable.add_slot(ts.db, ts.deputy, ts.m6, THU, 1, "12", START, date(2026, 12, 31))
    timetable.add_slot(ts.db, ts.deputy, ts.r6, THU, 1, "12", date(2027, 1, 1))


def test_a_substitute_busy_at_that_bell_is_refused_naming_the_lesson_004_5(ts: TS) -> None:
    timetable.generate_lessons(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 11))
    lesson = lesson_on(ts.db, ts.m5, date(2026, 10, 6))
    assert lesson is not None
    with pytest.raises(ValidationError) as exc:
        lessons.assign_substitute(ts.db, ts.deputy, lesson.id, ts.petrov.user_id)
    assert exc.value.message == (
        "Учитель Петров П. И. уже ведёт 6А Русский язык во вторник 06.10.2026 2-м уроком (каб. 20)."
    )


# --- a change from a date ------------------------------------------------------------------


def test_a_change_from_a_date_keeps_held_lessons_and_regenerates_empty_ones(ts: TS) -> None:
    db = ts.db
    timetable.generate_lessons(db, ts.deputy, START, date(2026, 10, 24))
    held_future = lesson_on(db, ts.m5, date(2026, 10, 13))
    with db.write() as s:  # the teacher has already put the topic in
        row = s.get(Lesson, held_future.id)
        row.topic = "Дроби"
    change = timetable_changes.change_slot(
        db, ts.deputy, ts.slot_m5, from_date=date(2026, 9, 29), weekday=THU, number=3, room="14"
    )
    # the old slot ends the day before; the new one starts on the date
    assert change.old.valid_to == date(2026, 9, 28)
    assert (change.new.weekday, change.new.number, change.new.room) == (THU, 3, "14")
    assert change.new.valid_from == date(2026, 9, 29)
    # 29.09 is past: kept; 13.10 has a topic: kept; 06.10, 20.10 empty: removed
    assert lesson_on(db, ts.m5, date(2026, 9, 29)) is not None
    assert lesson_on(db, ts.m5, date(2026, 10, 13)).topic == "Дроби"
    assert lesson_on(db, ts.m5, date(2026, 10, 6)) is None
    assert lesson_on(db, ts.m5, date(2026, 10, 20)) is None
    assert change.removed == 2
    assert change.kept == (
        "29.09.2026, 2-й урок: уже начался",
        "13.10.2026, 2-й урок: есть записи (тема)",
    )
    # new lessons from today on (Thursdays 3rd bell, room 14), none in the past
    new = lesson_on(db, ts.m5, date(2026, 10, 8))
    assert (new.number, new.room) == (3, "14")
    assert lesson_on(db, ts.m5, date(2026, 10, 1)) is None
    assert lesson_on(db, ts.m5, date(2027, 5, 27)) is not None  # to the end of the year
    assert audited(db, "slot.change") == 1
    # the earlier weeks are untouched
    assert lesson_on(db, ts.m5, date(2026, 9, 22)).number == 2


def test_a_change_into_a_clash_is_refused_and_changes_nothing(ts: TS) -> None:
    timetable.generate_lessons(ts.db, ts.deputy, START, date(2026, 10, 24))
    timetable.add_slot(ts.db, ts.deputy, ts.r6, THU, 3, "14", START)
    before = db_state(ts.db)
    with pytest.raises(ValidationError, match="Кабинет 14 уже занят: 6А Русский язык в четверг"):
        timetable_changes.change_slot(
            ts.db, ts.deputy, ts.slot_m5, from_date=date(2026, 10, 12), number=3, weekday=THU,
            room="14",
        )  # fmt: skip
    with pytest.raises(ValidationError, match=r"действует с 01\.09\.2026"):
        timetable_changes.change_slot(
            ts.db, ts.deputy, ts.slot_m5, from_date=date(2026, 8, 1), number=1
        )
    with pytest.raises(PermissionDenied):
        timetable_changes.change_slot(
            ts.db, ts.ivanova, ts.slot_m5, from_date=date(2026, 10, 12), number=1
        )
    assert db_state(ts.db) == before


# --- cancellation and substitution -------------------------------------------------------


def test_a_cancelled_lesson_leaves_the_day_and_can_be_restored_004_5(ts: TS) -> None:
    db = ts.db
    timetable.generate_lessons(db, ts.deputy, date(2026, 10, 5), date(2026, 10, 11))
    lesson = lesson_on(db, ts.m5, date(2026, 10, 6))
    day = date(2026, 10, 6)
    assert [v.id for v in my_lessons(db, ts.ivanova, day)] == [lesson.id]
    with pytest.raises(ValidationError, match="причину"):
        timetable_changes.cancel_lesson(db, ts.deputy, lesson.id, "  ")
    with pytest.raises(PermissionDenied):
        timetable_changes.cancel_lesson(db, ts.ivanova, lesson.id, "Экскурсия")
    timetable_changes.cancel_lesson(db, ts.deputy, lesson.id, "Экскурсия")
    assert lesson_on(db, ts.m5, day).cancelled
    assert my_lessons(db, ts.ivanova, day) == []
    with pytest.raises(ValidationError, match="отменён"):
        lessons.assign_substitute(db, ts.deputy, lesson.id, ts.sidorova.user_id)
    timetable_changes.restore_lesson(db, ts.deputy, lesson.id)
    assert [v.id for v in my_lessons(db, ts.ivanova, day)] == [lesson.id]
    assert audited(db, "lesson.cancel") == audited(db, "lesson.restore") == 1


def test_a_lesson_with_entries_is_not_cancelled(ts: TS) -> None:
    timetable.generate_lessons(ts.db, ts.deputy, date(2026, 9, 28), date(2026, 10, 4))
    lesson = lesson_on(ts.db, ts.m5, date(2026, 9, 29))
    lessons.set_homework(ts.db, ts.ivanova, lesson.id, "№ 12")
    with pytest.raises(ValidationError, match="уже есть домашнее задание"):
        timetable_changes.cancel_lesson(ts.db, ts.deputy, lesson.id, "Карантин")
    assert not lesson_on(ts.db, ts.m5, date(2026, 9, 29)).cancelled


def test_the_substitute_sees_only_the_lesson_they_took_004_5(ts: TS) -> None:
    """[004 §5 «Учитель»]: the colleague who substitutes fills the lesson."""
    db = ts.db
    timetable.generate_lessons(db, ts.deputy, date(2026, 10, 5), date(2026, 10, 18))
    taken = lesson_on(db, ts.m5, date(2026, 10, 6))
    lessons.assign_substitute(db, ts.deputy, taken.id, ts.sidorova.user_id)
    assert [v.id for v in my_lessons(db, ts.sidorova, date(2026, 10, 6))] == [taken.id]
    assert my_lessons(db, ts.sidorova, date(2026, 10, 13)) == []
    assert my_lessons(db, ts.ivanova, date(2026, 10, 6)) == []
    lessons.set_topic(db, ts.sidorova, taken.id, "Дроби")  # the substitute fills it
    later = lesson_on(db, ts.m5, date(2026, 10, 13))
    with pytest.raises(PermissionDenied):
        lessons.set_topic(db, ts.sidorova, later.id, "Дроби")


def test_the_substitute_reads_the_lesson_they_took_and_not_the_course_004_5(ts: TS) -> None:
    """[004 §5 «Учитель»]: substituting for one lesson opens that lesson, not the
    course's register (its other lessons, its marks grid)."""
    from zhurnal.core.readmodels import get_lesson
    from zhurnal.core.readmodels.grid import current_period_id, load_gradebook

    db = ts.db
    timetable.generate_lessons(db, ts.deputy, date(2026, 10, 5), date(2026, 10, 18))
    taken = lesson_on(db, ts.m5, date(2026, 10, 6))
    lessons.assign_substitute(db, ts.deputy, taken.id, ts.sidorova.user_id)
    assert get_lesson(db, ts.sidorova, taken.id)[0].id == taken.id
    later = lesson_on(db, ts.m5, date(2026, 10, 13))
    with pytest.raises(PermissionDenied):
        get_lesson(db, ts.sidorova, later.id)
    period = current_period_id(db, ts.ivanova, ts.m5, date(2026, 10, 6))
    assert period is not None
    seen = load_gradebook(db, ts.sidorova, ts.m5, period)
    assert [c.lesson_id for c in seen.columns] == [taken.id]  # only the lesson they took
    full = load_gradebook(db, ts.ivanova, ts.m5, period)  # the course's own teacher
    assert later.id in {c.lesson_id for c in full.columns}
    with pytest.raises(PermissionDenied):  # a teacher who took none of its lessons
        load_gradebook(db, ts.petrov, ts.m5, period)


# --- КТП -----------------------------------------------------------------------------------


def xlsx(rows: list[tuple]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_plan_from_xlsx_with_or_without_a_header(ts: TS) -> None:
    rows = [("Натуральные числа", 100), ("Дроби", 70)]
    assert read_plan_xlsx(xlsx([("Тема", "Часы"), *rows])) == rows
    assert read_plan_xlsx(xlsx([(t, float(h)) for t, h in rows])) == rows
    # 5 h/week × 34 weeks of study of 5Б (171 study days Mon–Fri / 5)
    assert timetable.import_plan(ts.db, ts.ivanova, ts.m5, read_plan_xlsx(xlsx(rows))) == 2


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([("тема", "часы"), ("Дроби", "два")], "Строка 2: число часов «два»"),
        ([("тема", "часы"), ("Дроби", 2), (None, 3)], "Строка 3: не указана тема"),
        ([("тема", "часов"), ("Дроби", 2)], "Строка 1: ожидается заголовок"),
        ([("тема", "часы")], "нет ни одной темы"),
    ],
)
def test_plan_xlsx_errors_name_the_row(rows, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        read_plan_xlsx(xlsx(rows))


def test_plan_hours_must_match_the_curriculum(ts: TS) -> None:
    """[004 §5 «Учитель-предметник»]: КТП hours match the curriculum."""
    before = db_state(ts.db)
    with pytest.raises(ValidationError) as exc:
        timetable.import_plan(ts.db, ts.ivanova, ts.m5, [("Дроби", 160), ("Проценты", 5)])
    assert exc.value.message.startswith(
        "В плане 165 ч — на 5 ч меньше, чем по учебному плану: "
        "5 ч в неделю × 34 учебных недель = 170 ч"
    )
    assert db_state(ts.db) == before
    # grade 1 has the extra February week off: 33 weeks
    with pytest.raises(ValidationError, match="4 ч в неделю × 33 учебных недель = 132 ч"):
        timetable.import_plan(ts.db, ts.sidorova, ts.m1, [("Счёт", 140)])
    rows = [("Дроби", 160), ("Проценты", 5)]
    assert timetable.import_plan(ts.db, ts.ivanova, ts.m5, rows, allow_mismatch=True) == 2


# --- CLI -----------------------------------------------------------------------------------


def run(ts: TS, *args: str) -> int:
    return main(signed(ts.db, ["timetable", *args, "--db", db_arg(ts.db)]))


def test_cli_adds_lists_and_cancels(ts: TS, capsys) -> None:
    add = ("add", "--class", "6А", "--subject", "Математика", "--day", "ср", "--lesson", "1",
           "--room", "21", "--from", "01.09.2026", "--as", "zavuch")  # fmt: skip
    assert run(ts, *add) == 0
    assert "6А Математика, Ср 1-й урок, каб. 21" in capsys.readouterr().out
    assert run(ts, "generate", "--from", "05.10.2026", "--to", "11.10.2026", "--as", "zavuch") == 0
    assert "Создано уроков: 3." in capsys.readouterr().out
    assert run(ts, "list", "--class", "6А", "--date", "07.10.2026", "--as", "zavuch") == 0
    out = capsys.readouterr().out
    assert "Ср 1-й  6А Математика" in out
    lesson = lesson_on(ts.db, ts.m6, date(2026, 10, 7))
    assert f"урок № {lesson.id}" in out
    assert run(ts, "cancel", str(lesson.id), "--reason", "Экскурсия", "--as", "zavuch") == 0
    assert lesson_on(ts.db, ts.m6, date(2026, 10, 7)).cancelled


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add", "--class", "5Б", "--subject", "Русский язык", "--day", "вт", "--lesson", "2",
          "--room", "14", "--from", "01.09.2026"), "У 5Б уже стоит Математика во вторник"),
        (("add", "--class", "5Б", "--subject", "Русский язык", "--day", "вс", "--lesson", "2",
          "--from", "01.09.2026"), "День «вс»"),
        (("add", "--class", "5Б", "--subject", "Русский язык", "--day", "пн", "--lesson", "2",
          "--from", "1 сентября"), "ожидается ДД.ММ.ГГГГ"),
        (("add", "--class", "9Я", "--subject", "Русский язык", "--day", "пн", "--lesson", "2",
          "--from", "01.09.2026"), "9Я"),
        (("change", "x1", "--from", "01.10.2026"), "не номер"),
        (("change", "1", "--from", "01.10.2026", "--lesson", "7"), "Урока № 7 нет"),
        (("cancel", "999", "--reason", "Карантин"), "Урок"),
        (("substitute", "1", "--teacher", "nobody"), "«nobody» не найден"),
    ],
)  # fmt: skip
def test_cli_bad_input_exits_2_and_writes_nothing(ts: TS, capsys, args, fragment: str) -> None:
    signed(ts.db, ["--as", "zavuch"])  # the password set before the state is taken
    before = db_state(ts.db)
    assert run(ts, *args, "--as", "zavuch") == 2
    assert fragment in capsys.readouterr().err
    assert db_state(ts.db) == before


def test_cli_imports_a_plan_from_xlsx(ts: TS, tmp_path, capsys) -> None:
    path = tmp_path / "ktp.xlsx"
    path.write_bytes(xlsx([("тема", "часы"), ("Дроби", 100), ("Проценты", 60)]))
    args = ["import", "plan", str(path), "--class", "5Б", "--subject", "Математика",
            "--as", "ivanova", "--db", db_arg(ts.db)]  # fmt: skip
    args = signed(ts.db, args)
    assert main(args) == 1
    assert "на 10 ч меньше" in capsys.readouterr().err
    assert main([*args, "--allow-mismatch"]) == 0
    out, err = capsys.readouterr()
    assert "тем: 2" in out and "Внимание" in err
    with ts.db.read() as s:
        assert s.exec(select(TimetableSlot)).all()  # unrelated, untouched


def test_the_other_groups_teacher_may_take_both_groups_004_5(ts: TS) -> None:
    """A substitution that merges the subgroups of one class is no clash."""
    timetable.add_slot(ts.db, ts.deputy, ts.en1, WED, 1, "31", START)
    timetable.add_slot(ts.db, ts.deputy, ts.en2, WED, 1, "32", START)
    timetable.generate_lessons(ts.db, ts.deputy, date(2026, 10, 5), date(2026, 10, 11))
    group1 = lesson_on(ts.db, ts.en1, date(2026, 10, 7))
    view = lessons.assign_substitute(ts.db, ts.deputy, group1.id, ts.sidorova.user_id)
    assert view.held_by_id == ts.sidorova.user_id
