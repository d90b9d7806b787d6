"""[002 §4.3–4.4] A compromised login: its operations since then are invalid."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.school import NOW, build
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.services import incidents, marks


def test_incident_lists_operations_since_known_and_blocks_the_password(db) -> None:
    w = build(db)
    marks.set_lesson_mark(
        db,
        w.teacher.at(datetime(2026, 11, 23, 8, 40)),
        w.lessons["today"],
        w.students5[0],
        "answer",
        "5",
    )
    marks.set_lesson_mark(
        db,
        w.teacher.at(datetime(2026, 11, 23, 9, 50)),
        w.lessons["today"],
        w.students5[1],
        "answer",
        "2",
    )
    view = incidents.report_incident(
        db,
        w.at(w.director),
        w.teacher.user_id,
        datetime(2026, 11, 23, 9, 0),
        "пароль записан на доске",
    )
    assert [op[2] for op in view.operations] == ["mark.set"]  # only the 9:50 one
    from zhurnal.core.models import User

    with db.read() as s:
        assert s.get(User, w.teacher.user_id).password_hash == incidents.UNUSABLE_PASSWORD
    assert incidents.incident_operations(db, w.at(w.deputy), view.id).operations == view.operations


def test_only_director_or_admin_reports(db) -> None:
    w = build(db)
    with pytest.raises(PermissionDenied):
        incidents.report_incident(db, w.at(w.teacher), w.ct.user_id, NOW)
