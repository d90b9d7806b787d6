"""A unique key's refusal, told apart on both engines [issue 10]: a duplicate register row
(a lesson, a mark…) can only be a concurrent writer's — «только что изменил другой
пользователь», read again; a duplicate name the user typed (a login, a subject) is a
refusal naming what is taken, even when another administrator took it a moment ago."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from tests.conftest import add_user
from zhurnal.core.errors import ConflictError, ValidationError
from zhurnal.core.models import Course, Lesson, SchoolClass, SchoolYear, Subject
from zhurnal.core.services import school, users
from zhurnal.core.uow import unit_of_work

NOW = datetime(2026, 9, 1, 10, 0)


def test_a_duplicate_lesson_row_is_a_lost_race_nothing_written(db) -> None:
    admin = add_user(db, "admin", "admin,teacher").at(NOW)
    with db.write() as s:
        year = SchoolYear(name="2026/2027", start=date(2026, 9, 1), end=date(2027, 5, 31))
        subject = Subject(name="Математика")
        s.add_all([year, subject])
        s.flush()
        klass = SchoolClass(year_id=year.id, grade=5, letter="А")
        s.add(klass)
        s.flush()
        course = Course(class_id=klass.id, subject_id=subject.id, teacher_id=admin.user_id)
        s.add(course)
        s.flush()
        s.add(Lesson(course_id=course.id, date=NOW.date(), number=1))
        course_id = course.id
    with pytest.raises(ConflictError, match="Урок: эти данные только что изменил другой"):
        with unit_of_work(db, admin, "lesson.create") as uow:
            uow.session.add(Lesson(course_id=course_id, date=NOW.date(), number=1, topic="x"))
            uow.session.flush()
    with db.read() as s:
        assert s.exec(select(Lesson.topic)).all() == [""]


def test_a_login_taken_between_the_check_and_the_write_is_refused_as_taken_004_4_3(
    db, monkeypatch, fast_argon2
) -> None:
    """[004 §4.3] Two administrators issue «ivanova» at once: the second is told the login
    is taken (the first one's check passed before the second one's write)."""
    admin = add_user(db, "admin", "admin").at(NOW)
    users.create_user(db, admin, "ivanova", "Иванова Мария Ивановна", ["teacher"])
    monkeypatch.setattr(users, "_check_new_login", lambda session, login: None)
    with pytest.raises(ValidationError, match=r"^Логин («ivanova» )?уже занят: выберите другой\.$"):
        users.create_user(db, admin, "ivanova", "Иванова Анна Петровна", ["teacher"])


def test_a_subject_name_taken_meanwhile_is_refused_as_taken(db, monkeypatch) -> None:
    admin = add_user(db, "admin", "admin").at(NOW)
    school.add_subject(db, admin, "Математика")
    monkeypatch.setattr(school, "subject_taken", lambda names, name: None)
    with pytest.raises(ValidationError, match=r"^Предмет («Математика» )?уже есть"):
        school.add_subject(db, admin, "Математика")
