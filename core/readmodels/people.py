"""Who is signed in, as the screens name them: the roles and the classes they lead."""

from __future__ import annotations

from sqlmodel import col, select

from zhurnal.core.access import READ_ALL_ROLES
from zhurnal.core.actor import ROLE_NAMES, ROLES, Actor
from zhurnal.core.db import Database
from zhurnal.core.live import reading
from zhurnal.core.models import SchoolClass, SchoolYear
from zhurnal.core.readmodels.views import ProfileView


def my_profile(db: Database, actor: Actor) -> ProfileView:
    """The signed-in user's roles in Russian, with «классный руководитель 5А» for each
    class of the current year they lead (the role comes from the class, not the user)."""
    with reading(db, actor) as session:
        led = session.exec(
            select(SchoolClass)
            .join(SchoolYear, col(SchoolYear.id) == SchoolClass.year_id)
            .where(SchoolClass.class_teacher_id == actor.user_id, SchoolYear.is_current == True)  # noqa: E712
            .order_by(col(SchoolClass.grade), col(SchoolClass.letter))
        ).all()
    classes = tuple(k.title for k in led) if actor.user_id is not None else ()
    names = [ROLE_NAMES[r] for r in ROLES if r in actor.roles]
    if classes:
        names.append(f"классный руководитель {', '.join(classes)}")
    roles = ", ".join(n if i == 0 else n[:1].lower() + n[1:] for i, n in enumerate(names))
    ids = tuple(k.id or 0 for k in led) if actor.user_id is not None else ()
    return ProfileView(
        actor.full_name or actor.login,
        roles,
        classes,
        ids,
        teaches=actor.has("teacher"),
        controls=actor.has(*READ_ALL_ROLES),
        administers=actor.has("admin", "secretary"),
    )
