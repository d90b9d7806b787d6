"""Classes, courses and users named as people name them («5А», «Математика», «1 гр.»,
a login), for the commands that take them (``zhurnal report``, ``import plan``,
``correction``, ``user``, ``timetable substitute``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhurnal.core.errors import NotFound

if TYPE_CHECKING:
    from zhurnal.core.db import Database
    from zhurnal.core.importer import RowError
    from zhurnal.core.models import SchoolClass, Subject


def _not_found(exc: RowError) -> NotFound:
    return NotFound(exc.message[:1].upper() + exc.message[1:] + ".")


def klass_named(db: Database, name: str) -> SchoolClass:
    """The class of the current year named «5А» (a Russian ``NotFound`` otherwise)."""
    from zhurnal.core.importer import RowError, _Resolver

    with db.read() as s:
        try:
            return _Resolver(s).klass(name)
        except RowError as exc:
            raise _not_found(exc) from exc


def course_named(
    db: Database, klass: str, subject: str, subgroup: str = ""
) -> tuple[SchoolClass, Subject, int]:
    """The class, the subject and the id of the course «5А», «Математика» (a subgroup's)."""
    from sqlmodel import select

    from zhurnal.core.importer import RowError, _Resolver
    from zhurnal.core.models import Course

    with db.read() as s:
        try:
            resolver = _Resolver(s)
            k, subj = resolver.klass(klass), resolver.subject(subject)
        except RowError as exc:
            raise _not_found(exc) from exc
        course_id = s.exec(
            select(Course.id).where(
                Course.class_id == k.id,
                Course.subject_id == subj.id,
                Course.subgroup == subgroup.strip(),
            )
        ).first()
        if course_id is None:
            others = s.exec(
                select(Course.subgroup).where(Course.class_id == k.id, Course.subject_id == subj.id)
            ).all()
    if course_id is None:
        group = f" ({subgroup.strip()})" if subgroup.strip() else ""
        known = " или ".join(f'"{g}"' for g in others if g)
        hint = f" Укажите подгруппу: --subgroup {known}." if known else ""
        raise NotFound(f"В {k.title}{group} не ведётся «{subj.name}».{hint}")
    return k, subj, course_id


def user_id_named(db: Database, login: str) -> int:
    """The id of the user with this login, active or not (a Russian ``NotFound`` otherwise)."""
    from sqlmodel import select

    from zhurnal.core.auth import login_key
    from zhurnal.core.models import User

    with db.read() as s:
        user_id = s.exec(select(User.id).where(User.login == login_key(login))).first()
    if user_id is None:
        raise NotFound(f"Пользователь «{login.strip()}» не найден.")
    return user_id
