"""What the parts of the demo builder share: one ``_Builder`` (``core.demo.builder``) is
made of ``_School`` (``school.py``) and ``_History`` (``history.py``); this declares the
state they read and write."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from zhurnal.core.calendar import Calendar
from zhurnal.core.demo.inputs import _Ids
from zhurnal.core.demo.people import _Class, _Course, _Names, _Pupil, _Teacher
from zhurnal.core.demo.text import DemoAccount
from zhurnal.core.demo.year import _Year
from zhurnal.core.models import WorkType
from zhurnal.core.policy import Policy


class _State:
    s: Session
    today: date
    stamp: datetime
    cutoff: datetime  # nothing is entered after this moment
    seed: int
    rng: random.Random
    ids: _Ids
    names_data: dict[str, Any]
    curriculum: dict[str, Any]
    topics: dict[str, Any]
    names: _Names
    audit_users: list[dict[str, Any]]
    audited_rows: list[tuple[str, dict[str, Any]]]
    extra_events: list[dict[str, Any]]
    accounts: list[DemoAccount]
    policy: Policy
    work_types: dict[str, WorkType]
    year: _Year
    calendar: Calendar
    year_id: int
    teachers: list[_Teacher]
    classes: list[_Class]
    courses: list[_Course]
    pupils: dict[int, _Pupil]
    student_count: int
    slots: dict[int, list[tuple[int, int, str]]]
    course_marks: dict[tuple[int, int], list[tuple[date, str, float]]]
