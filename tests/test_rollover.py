"""The year rollover [000 §5.2.1; 003 §6.5]: close the year with a verified archive copy,
open the next one, promote the students by the director's order.

The small school (tests/school.py) for the rules; the demo school, rolled over once for
the module, for «every student is where the order puts them».
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from tests.conftest import demo_database, drop_database
from tests.school import World, build
from zhurnal.core.actor import Actor
from zhurnal.core.archive import close_year, sha256_of
from zhurnal.core.db import Database
from zhurnal.core.errors import DomainError, LockedError, PermissionDenied, ValidationError
from zhurnal.core.models import (
    AuditEvent,
    Course,
    Enrolment,
    Mark,
    SchoolClass,
    SchoolYear,
    Student,
    User,
)
from zhurnal.core.readmodels.rollover import PromotionException, promotion_preview
from zhurnal.core.services import contingent, corrections, lessons, marks, rollover
from zhurnal.core.verify import verify

JUNE = datetime(2027, 6, 15, 10, 0)
ORDER_DAY = date(2027, 6, 10)


@pytest.fixture
def w(db) -> World:
    w = build(db)
    t = w.teacher.at(datetime(2026, 11, 23, 12, 0))
    lessons.set_topic(w.db, t, w.lessons["today"], "Дроби")
    marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[0], "test", "4")
    return w


def audit_after(db: Database, action: str) -> dict:
    with db.read() as s:
        event = s.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None, action
    return json.loads(event.after)


# --- closing -------------------------------------------------------------------------


def test_closing_before_the_year_ends_is_refused_000_5_2_1(w: World, tmp_path) -> None:
    with pytest.raises(ValidationError, match=r"закрыть его можно с 01\.06\.2027"):
        close_year(w.db, w.admin.at(datetime(2027, 5, 31, 18, 0)), w.year_id, tmp_path / "a")
    assert not (tmp_path / "a" / "2026-2027.db").exists()


@pytest.mark.parametrize("who", ["deputy", "director", "teacher", "secretary"])
def test_only_the_administrator_closes_the_year_000_5_2_1(w: World, tmp_path, who) -> None:
    with pytest.raises(PermissionDenied, match=r"000 §5\.2\.1"):
        close_year(w.db, getattr(w, who).at(JUNE), w.year_id, tmp_path)


def test_undecided_corrections_must_be_settled_first(w: World, tmp_path) -> None:
    with w.db.read() as s:
        assignment = s.exec(select(Mark.assignment_id)).one()
    corrections.request_correction(
        w.db,
        w.teacher.at(datetime(2026, 12, 20, 10, 0)),
        course_id=w.course5,
        ground="illness",
        document_number="Справка № 1",
        document_date=date(2026, 12, 18),
        cells=[corrections.CellChange.mark(assignment, w.students5[0], "5", old="4")],
    )
    with pytest.raises(ValidationError, match="незавершённые заявки"):
        close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path)


def test_closed_year_is_read_only_corrections_too_000_5_2_1(w: World, tmp_path) -> None:
    """[000 §5.2.1, 003 §6.5] After closing, every write into the year is refused in core:
    the lesson's decisions say so, and a write that skips them stops at the floor."""
    closed = close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path)
    assert (closed.archive is not None) == w.db.is_sqlite  # PostgreSQL: pg_dump's note
    t = w.teacher.at(datetime(2026, 11, 23, 12, 30))  # would be in time, were it open
    with pytest.raises(LockedError, match="2026/2027 закрыт"):
        marks.set_lesson_mark(w.db, t, w.lessons["today"], w.students5[1], "test", "5")
    with w.db.read() as s:
        stored = s.exec(select(Mark)).one()
    for value in ("5", None):  # a change and a removal of a stored mark (plain statements)
        with pytest.raises(LockedError, match="2026/2027 закрыт"):
            marks.set_mark(w.db, t, stored.assignment_id, stored.student_id, value)
    with pytest.raises(LockedError, match="закрыт"):
        lessons.set_topic(w.db, t, w.lessons["today"], "Другое")
    with pytest.raises(LockedError, match="закрыт"):
        lessons.set_absence(w.db, t, w.lessons["today"], w.students5[2], "Н")
    with pytest.raises(LockedError, match="закрыт"):  # a late correction is refused too
        corrections.request_correction(
            w.db,
            w.deputy.at(JUNE),
            course_id=w.course5,
            ground="illness",
            document_number="Справка № 2",
            document_date=date(2027, 6, 1),
            cells=[corrections.CellChange.topic(w.lessons["today"], "Исправлено")],
        )
    with pytest.raises(DomainError, match="закрыт"):
        contingent.leave(w.db, w.secretary.at(JUNE), w.students5[0], JUNE.date(), "№ 9", "x")
    with pytest.raises(LockedError, match="закрыт"), w.db.write() as s:  # bypassing services
        mark = s.exec(select(Mark)).one()
        mark.value = "5"
        s.add(mark)
    with w.db.read() as s:
        assert s.exec(select(Mark.value)).all() == ["4"]


@pytest.mark.sqlite_file
def test_the_archive_copy_verifies_and_its_hash_is_audited_003_6_5(w: World, tmp_path) -> None:
    closed = close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path / "archive")
    copy = closed.archive
    assert copy is not None and copy.path == tmp_path / "archive" / "2026-2027.db"
    assert copy.path.stat().st_mode & 0o777 == 0o600
    audited = audit_after(w.db, "year.archive")
    assert audited["path"] == str(copy.path) and audited["size"] == copy.path.stat().st_size
    assert audited["sha256"] == sha256_of(copy.path) == copy.sha256
    archived = Database.open(copy.path, upgrade=False)
    try:
        report = verify(archived)
        with archived.read() as s:
            assert s.exec(select(SchoolYear.closed)).one() is True
    finally:
        archived.dispose()
    assert report.ok and report.chain.head_hash == audited["chain_head"]
    assert sha256_of(copy.path) == audited["sha256"]  # checking it did not change it
    manifest = (tmp_path / "archive" / "2026-2027.sha256").read_text(encoding="utf-8")
    assert manifest == f"{copy.sha256}  2026-2027.db\n"
    with pytest.raises(ValidationError, match="уже закрыт"):
        close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path / "other")


@pytest.mark.sqlite_file
def test_an_existing_copy_is_never_overwritten(w: World, tmp_path) -> None:
    (tmp_path / "2026-2027.db").write_text("старая копия")
    with pytest.raises(ValidationError, match="уже есть"):
        close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path)
    with w.db.read() as s:
        assert s.exec(select(SchoolYear.closed)).one() is False


@pytest.mark.sqlite_file
def test_a_copy_that_fails_the_check_leaves_the_year_open(w: World, tmp_path) -> None:
    """Nothing half-done: a broken audit chain fails the copy's check, the year opens again."""
    with w.db.write() as s:
        s.connection().execute(text("update audit_event set hash = 'x' where id = 2"))
    with pytest.raises(DomainError, match="не закрыт: архивная копия не сделана"):
        close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path / "a")
    with w.db.read() as s:
        assert s.exec(select(SchoolYear.closed)).one() is False
    assert list((tmp_path / "a").iterdir()) == []
    assert audit_after(w.db, "year.reopen")["closed"] is False


def test_a_closed_year_is_copied_by_the_program_or_by_pg_dump_003_6_5(w: World) -> None:
    """[003 §6.5] A SQLite file is copied beside it; a PostgreSQL database is copied by
    pg_dump, not by the program: the year closes, the audit's archive entry says how to
    copy it, and the year closes only once."""
    closed = close_year(w.db, w.admin.at(JUNE), w.year_id)
    audited = audit_after(w.db, "year.archive")
    if w.db.is_sqlite:
        assert closed.archive is not None and audited["verified"] is True
    else:
        assert closed.archive is None and "pg_dump -Fc -f 2026-2027.dump" in closed.note
        assert (audited["method"], audited["note"]) == ("pg_dump", closed.note)
        with pytest.raises(ValidationError, match="уже закрыт"):
            close_year(w.db, w.admin.at(JUNE), w.year_id)
    with w.db.read() as s:
        assert s.exec(select(SchoolYear.closed)).one() is True


# --- the next year and the promotion on the small school ------------------------------


def test_next_year_and_a_missing_class_for_the_held_back(w: World, tmp_path) -> None:
    close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path)
    made = rollover.next_year(w.db, w.deputy.at(JUNE), w.year_id)
    assert (made.year.name, made.year.start, made.year.end) == (
        "2027/2028",
        date(2027, 9, 1),
        date(2028, 5, 31),
    )
    assert (made.classes, made.courses, made.periods, made.holidays) == (3, 3, 2, 2)
    with w.db.read() as s:
        titles = sorted(
            k.title for k in s.exec(select(SchoolClass).where(SchoolClass.year_id == made.year.id))
        )
        assert titles == ["2А", "6А", "7А"]
        assert s.get(SchoolYear, made.year.id).is_current
    held = (PromotionException(w.students5[0], "hold_back"),)
    preview = promotion_preview(w.db, w.admin.at(JUNE), held)
    assert preview.problems == (
        "Антонов Антон (5А): нет класса 5А в 2027/2028: создайте его («Классы») до перевода",
    )
    with pytest.raises(ValidationError, match="ничего не изменено"):
        rollover.apply_promotion(w.db, w.admin.at(JUNE), "Приказ № 45", ORDER_DAY, held)
    with w.db.read() as s:
        assert s.exec(select(Enrolment).where(Enrolment.end != None)).all() == []  # noqa: E711


# --- the demo school, rolled over once ------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def rolled(request, tmp_path_factory):
    """The demo school: marks before, the archive, the next year, the promotion."""
    folder = tmp_path_factory.mktemp("rollover")
    db = demo_database(date(2026, 11, 23), request.param, folder / "demo.db")
    with db.read() as s:
        user = s.exec(select(User).where(User.login == "admin")).one()
        admin = Actor(user.id, "admin", user.role_set(), user.full_name, JUNE)
        marks_before = {m.id: (m.value, m.version) for m in s.exec(select(Mark))}
        enrolments_before = len(s.exec(select(Enrolment)).all())
        year = s.exec(select(SchoolYear)).one()
    with pytest.raises(ValidationError, match=r"закрыть его можно с 01\.06\.2027"):
        close_year(db, admin.at(datetime(2026, 11, 23, 10, 0)), year.id or 0)
    closed = close_year(db, admin, year.id or 0)
    made = rollover.next_year(db, admin, year.id or 0)
    first = promotion_preview(db, admin)

    def one_of(title: str, n: int = 0) -> int:
        return [m.student_id for m in first.moves if m.from_class == title][n]

    exceptions = (
        PromotionException(one_of("5А"), "hold_back"),
        PromotionException(one_of("7Б"), "leave", date(2027, 8, 20), "Приказ № 51", "переезд"),
        PromotionException(one_of("8А"), "conditional"),
        PromotionException(one_of("11Б"), "hold_back"),
    )
    preview = promotion_preview(db, admin, exceptions)
    done = rollover.apply_promotion(db, admin, "Приказ № 45-у", ORDER_DAY, exceptions)
    yield {
        "db": db,
        "admin": admin,
        "year": year,
        "closed": closed,
        "made": made,
        "preview": preview,
        "done": done,
        "held11": exceptions[3].student_id,
        "marks_before": marks_before,
        "enrolments_before": enrolments_before,
    }
    drop_database(db)


def stays(db: Database, student_id: int) -> list[tuple[str, str, date, date | None, str]]:
    with db.read() as s:
        rows = s.exec(
            select(Enrolment, SchoolClass, SchoolYear)
            .where(
                Enrolment.student_id == student_id,
                Enrolment.class_id == SchoolClass.id,
                SchoolClass.year_id == SchoolYear.id,
            )
            .order_by(Enrolment.start)
        ).all()
        return [(y.name, k.title, e.start, e.end, e.out_reason) for e, k, y in rows]


@pytest.mark.xdist_group("demo")
def test_every_student_is_where_the_order_puts_them_000_5_2_1(rolled) -> None:
    db, preview = rolled["db"], rolled["preview"]
    assert not preview.problems and preview.to_year == "2027/2028"
    assert rolled["done"].counts == {
        "promote": preview.count("promote"),
        "graduate": preview.count("graduate"),
        "hold_back": 2,
        "leave": 1,
        "conditional": 1,
    }
    end, start = date(2027, 5, 31), date(2027, 9, 1)
    for move in preview.moves:
        now = stays(db, move.student_id)
        old = [s for s in now if s[0] == "2026/2027" and s[1] == move.from_class]
        new = [s for s in now if s[0] == "2027/2028"]
        assert old and old[-1][3] is not None, move
        if move.kind in ("promote", "conditional", "hold_back"):
            assert old[-1][3] == end and new == [("2027/2028", move.to_class, start, None, "")]
        else:
            assert new == [], move
        if move.kind == "promote":
            assert int(move.to_class[:-1]) == int(move.from_class[:-1]) + 1
            assert move.to_class[-1] == move.from_class[-1]
        if move.kind == "graduate":
            assert move.from_class.startswith("11") and old[-1][4] == "окончил обучение"
        if move.kind == "hold_back":
            assert move.to_class == move.from_class
        if move.kind == "leave":
            assert old[-1][3] == end and old[-1][4] == "переезд"
    held11 = next(m for m in preview.moves if m.student_id == rolled["held11"])
    assert (held11.kind, held11.to_class) == ("hold_back", "11Б")
    assert preview.count("graduate") > 20


@pytest.mark.xdist_group("demo")
def test_nothing_deleted_marks_unchanged_and_read_only(rolled) -> None:
    db = rolled["db"]
    with db.read() as s:
        marks_now = {m.id: (m.value, m.version) for m in s.exec(select(Mark))}
        enrolments = len(s.exec(select(Enrolment)).all())
        mark = s.exec(select(Mark)).first()
    assert marks_now == rolled["marks_before"]
    moved = sum(1 for m in rolled["preview"].moves if m.to_class_id is not None)
    assert enrolments == rolled["enrolments_before"] + moved
    assert mark is not None
    with pytest.raises(LockedError, match="закрыт"), db.write() as s:
        row = s.get(Mark, mark.id)
        row.value = "5" if row.value != "5" else "4"
        s.add(row)


@pytest.mark.xdist_group("demo")
def test_the_demo_archive_verified_and_its_hash_is_audited_003_6_5(rolled) -> None:
    """``close_year`` ran ``core.verify`` on the copy (a failed check reopens the year, see
    the small school's test); here: the year is closed and the audited hash is the file's
    (on PostgreSQL the audit names pg_dump, which makes the copy)."""
    copy = rolled["closed"].archive
    audited = audit_after(rolled["db"], "year.archive")
    if rolled["db"].is_sqlite:
        assert audited["verified"] is True and audited["events"] > 1000
        assert audited["sha256"] == sha256_of(copy.path) and audited["size"] == copy.size
    else:
        assert copy is None and audited["method"] == "pg_dump"
    with rolled["db"].read() as s:
        assert s.get(SchoolYear, rolled["year"].id).closed


@pytest.mark.xdist_group("demo")
def test_next_year_carries_classes_and_courses(rolled) -> None:
    db, made = rolled["db"], rolled["made"]
    assert made.classes == 20  # 1А–10Б move up; no new first grades
    with db.read() as s:
        new = {
            k.title: k
            for k in s.exec(select(SchoolClass).where(SchoolClass.year_id == made.year.id))
        }
        old = {
            k.title: k
            for k in s.exec(select(SchoolClass).where(SchoolClass.year_id == rolled["year"].id))
        }
        assert "1А" not in new and "11А" in new
        assert new["6А"].class_teacher_id == old["5А"].class_teacher_id
        assert new["10А"].period_scheme == "halves"

        def courses(class_id: int) -> list[tuple[int, str, int, float]]:
            rows = s.exec(select(Course).where(Course.class_id == class_id))
            return sorted((c.subject_id, c.subgroup, c.teacher_id, c.hours_per_week) for c in rows)

        assert courses(new["6А"].id) == courses(old["5А"].id)
    assert made.courses > 200


@pytest.mark.xdist_group("demo")
def test_a_second_promotion_is_refused(rolled) -> None:
    with pytest.raises(ValidationError, match="уже проведён"):
        rollover.apply_promotion(rolled["db"], rolled["admin"], "Приказ № 46", ORDER_DAY)
    again = promotion_preview(rolled["db"], rolled["admin"])
    assert again.promoted_by == "Приказ № 45-у от 10.06.2027"
    with rolled["db"].read() as s:
        assert s.exec(select(Student)).first() is not None


def test_the_next_year_prepared_in_spring_waits_until_this_one_is_closed_000_5_2_1(
    w: World, tmp_path
) -> None:
    """Preparing 2027/2028 in April keeps 2026/2027 the current year — its register is
    still being kept; closing it in June makes the prepared year current."""
    april = datetime(2027, 4, 12, 10, 0)
    made = rollover.next_year(w.db, w.deputy.at(april), w.year_id)
    assert not made.year.is_current
    with w.db.read() as s:
        current = s.exec(select(SchoolYear).where(SchoolYear.is_current == True)).one()  # noqa: E712
    assert current.id == w.year_id
    close_year(w.db, w.admin.at(JUNE), w.year_id, tmp_path)
    with w.db.read() as s:
        current = s.exec(select(SchoolYear).where(SchoolYear.is_current == True)).one()  # noqa: E712
    assert current.id == made.year.id
