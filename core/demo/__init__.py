"""The demo school: ``zhurnal demo`` fills an empty database with a realistic one.

``create_demo`` builds, in one write transaction, a Russian general school
(grades 1-11, letters А and Б) for the school year that contains ``today``:
the 004 policy, periods and holidays, bells, staff with demo passwords,
classes with pupils and their movement, subjects, courses and subgroups, a
timetable without clashes, calendar-thematic plans (КТП), every lesson from
1 September to the end of the current week, and for the lessons before
``today`` what teachers usually enter: topics, homework, attendance, marks
(none in grade 1 [004 §3.5]), with the usual gaps and late entries that the
completeness report should find.  Quarter marks are set for the periods that
have ended.  Nothing is entered «вперёд»: today's and later lessons are empty.

The result is deterministic for ``seed`` and ``today`` (except the argon2
salts, and the audit timestamps, which follow the wall clock when ``today`` is
not given).  The generator inputs (names, curriculum, КТП topic stems) live in
``data/demo/``.  Rows are bulk-inserted with ids the generator assigns (the
database must be empty); on PostgreSQL the id sequences are moved past them.

Demo accounts get fixed, printed passwords and ``must_change_password=False``
so that a demonstration can start at once; a real school never runs this.

The parts: ``inputs`` (constants, ``data/demo/``, ids and bulk inserts), ``year``
(periods, holidays, study days), ``people`` (names, staff, classes, courses and the
teaching load), ``timetable`` (a week per class without clashes), ``plans`` (КТП and
homework), ``school`` and ``history`` (the two halves of the builder), ``builder``
(``create_demo``), ``text`` (what ``zhurnal demo`` prints).
"""

from zhurnal.core.demo.builder import create_demo
from zhurnal.core.demo.inputs import (
    BELLS,
    DEMO_PRESET,
    SCHOOL_NAME_KEY,
    TEACHER_PASSWORD,
    translit,
)
from zhurnal.core.demo.text import DemoAccount, DemoInfo, demo_info_text
from zhurnal.core.demo.year import school_year

__all__ = [
    "BELLS",
    "DEMO_PRESET",
    "SCHOOL_NAME_KEY",
    "TEACHER_PASSWORD",
    "DemoAccount",
    "DemoInfo",
    "create_demo",
    "demo_info_text",
    "school_year",
    "translit",
]
