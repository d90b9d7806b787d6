"""Read models and the queries that build them (layer: above ``access``, below
``services``; see ``core/__init__``).

- ``views``: the frozen read models every service and screen shares (``LessonView``,
  ``LessonCard``, ``AttendanceRow``, ``MarkView``, ``DraftView``, …);
- ``gradebook``: the «Журнал» page (``Gradebook``, ``Column``, ``Cell``, …);
- ``lessons``: the day's lessons, the lesson card, the attendance list;
- ``grid``: loading a gradebook and its periods;
- ``drafts``: a user's unsaved lesson texts;
- ``corrections``: late corrections with their cells [004 §7];
- ``changes``: the change table of what was entered under them [004 §7.5];
- ``people``: who is signed in (roles, the classes they lead);
- ``classes``: the class, course and date-span pickers of the class and deputy screens;
- ``absences``: a class's absences and their reasons [004 §3.7];
- ``audit_log``, ``activity``, ``incident_ops``: the audit journal, the users' weekly
  activity, a compromised login's operations;
- ``completeness``: «Заполнение журнала» of a class or the school over a range of dates;
- ``year_setup``: «Учебный год» — years, periods by scheme, holidays, bells.

Queries open their own read transaction and check that the user may read what
they ask for; the decisions they carry come from ``core.access``.
"""

from zhurnal.core.readmodels.changes import ChangeRow, change_table
from zhurnal.core.readmodels.classes import (
    ClassRef,
    CourseRef,
    Span,
    class_courses,
    report_spans,
    span_choices,
    step_span,
    visible_classes,
    why_no_step,
)
from zhurnal.core.readmodels.completeness import (
    Completeness,
    CompletenessRow,
    class_completeness,
    school_completeness,
)
from zhurnal.core.readmodels.corrections import (
    CorrectionItemView,
    CorrectionView,
    get_correction,
    lesson_correction_why_not,
    list_corrections,
)
from zhurnal.core.readmodels.drafts import get_draft, list_drafts
from zhurnal.core.readmodels.gradebook import (
    Cell,
    Column,
    Gradebook,
    PeriodInfo,
    PeriodMarkCell,
    StudentRow,
)
from zhurnal.core.readmodels.grid import (
    course_periods,
    current_period_id,
    lesson_work_types,
    load_gradebook,
)
from zhurnal.core.readmodels.lessons import (
    change_counter,
    course_changes,
    get_lesson,
    lesson_assignments,
    lesson_attendance,
    lesson_card,
    lesson_counts,
    lesson_roster_ids,
    lesson_view,
    my_lessons,
    work_types,
)
from zhurnal.core.readmodels.people import my_profile
from zhurnal.core.readmodels.views import (
    AbsenceView,
    AssignmentView,
    AttendanceRow,
    DraftView,
    LessonCard,
    LessonView,
    MarkView,
    PeriodMarkView,
    PlanOffer,
    ProfileView,
    StudentView,
    UserView,
)
from zhurnal.core.readmodels.year_setup import YearSetup, year_setup

__all__ = [
    "AbsenceView",
    "AssignmentView",
    "AttendanceRow",
    "Cell",
    "ChangeRow",
    "ClassRef",
    "Column",
    "Completeness",
    "CompletenessRow",
    "CorrectionItemView",
    "CorrectionView",
    "CourseRef",
    "DraftView",
    "Gradebook",
    "LessonCard",
    "LessonView",
    "MarkView",
    "PeriodInfo",
    "PeriodMarkCell",
    "PeriodMarkView",
    "PlanOffer",
    "ProfileView",
    "Span",
    "StudentRow",
    "StudentView",
    "UserView",
    "YearSetup",
    "change_counter",
    "change_table",
    "class_completeness",
    "class_courses",
    "course_changes",
    "course_periods",
    "current_period_id",
    "get_correction",
    "get_draft",
    "get_lesson",
    "lesson_assignments",
    "lesson_attendance",
    "lesson_card",
    "lesson_correction_why_not",
    "lesson_counts",
    "lesson_roster_ids",
    "lesson_view",
    "lesson_work_types",
    "list_corrections",
    "list_drafts",
    "load_gradebook",
    "my_lessons",
    "my_profile",
    "report_spans",
    "school_completeness",
    "span_choices",
    "step_span",
    "visible_classes",
    "why_no_step",
    "work_types",
    "year_setup",
]
