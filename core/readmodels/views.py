"""Plain, frozen read models that services return and screens show.

Never ORM rows: a screen holding one of these cannot lazy-load, expire or
write anything.  Where the user may change something, the read model carries the
decision of ``core.access`` for the user who loaded it: ``…_why_not`` is the
Russian refusal the command would raise ("" when allowed) and ``…_editable`` is
``not …_why_not``.  Screens show these; they test no rule themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from zhurnal.core.rules import WHOLE_LESSON_ABSENCES
from zhurnal.core.throttle import login_state


@dataclass(frozen=True)
class UserView:
    id: int
    login: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    must_change_password: bool
    locked_until: datetime | None
    version: int = 0
    failed_attempts: int = 0  # failed password logins in a row (``core.throttle``)

    def password_login(self, now: datetime) -> str:
        """«вход приостановлен до …» / «вход по паролю закрыт …», or "" when open."""
        return login_state(self.failed_attempts, self.locked_until, now)


@dataclass(frozen=True)
class ProfileView:
    """The signed-in user as the screens name them."""

    full_name: str
    roles: str
    """«Учитель, классный руководитель 5А» — every role, in Russian."""
    classes_led: tuple[str, ...]
    led_class_ids: tuple[int, ...] = ()
    """The classes of the current year this user leads (same order as ``classes_led``)."""
    teaches: bool = False
    """Has lessons of their own to keep: the timetable is their day."""
    controls: bool = False
    """Controls the whole school's register (deputy, director) [004 §3.11, §5]."""
    administers: bool = False
    """Administers users and the school's setup (the administrator), or keeps the class
    lists (the secretary) [004 §5]: lands on «Администрирование»."""

    @property
    def home(self) -> str:
        """The screen the user lands on after login: «control» (deputy, director),
        «admin» (an administrator or a secretary with no lessons),
        «timetable» (a teacher; the class is one key away), «class» (a class teacher
        who teaches nothing), else «timetable»."""
        if self.controls:
            return "control"
        if self.administers and not self.teaches:
            return "admin"
        if not self.teaches and self.led_class_ids:
            return "class"
        return "timetable"


@dataclass(frozen=True)
class LessonView:
    """A lesson as the user who loaded it sees it, with what they may change now."""

    id: int
    course_id: int
    date: date
    number: int
    class_title: str
    subject: str
    subgroup: str
    room: str
    topic: str
    homework: str
    held_by_id: int | None
    attendance_taken_at: datetime | None
    topic_late: bool
    homework_late: bool
    version: int
    entry_deadline: datetime
    """Topic, homework, marks and attendance are due by then [004 §3.8]; later is «late»."""
    homework_deadline: datetime | None
    """When homework is due apart from the rest [002 §2.6]; None where that does not
    apply (no homework in the class, or due with the rest)."""
    lock_at: datetime
    """From then on the lesson's current entries are closed [004 §3.8]."""
    checked_due: str = ""
    """When the marks of works marked after checking are due, e.g. «отметки за письменные
    работы — в день окончания проверки [002 §2.5]»; "" where no work type is."""
    keeper: str = ""
    """Who keeps this lesson's register (the substitute holding it, else the teacher)."""
    substitute: bool = False
    marks_count: int = 0
    absences_count: int = 0
    text_why_not: str = ""
    """Why the topic and the homework cannot be changed ("" when they can)."""
    attendance_why_not: str = ""
    """Why attendance cannot be marked now: another's lesson, lock, «вперёд»."""
    marks_why_not: str = ""
    """Why the class gets no marks at all (grade 1 [004 §3.5]); "" when it does."""
    work_types_why_not: str = ""
    """Why work types (the columns marks go into) cannot be added or removed now."""
    forced_homework: str | None = None
    """The text the homework must read (grade 1: «нет» [004 §3.5]); None: free text.
    The timetable's «Д/З» column shows it in place of a tick."""
    forced_homework_why: str = ""
    """The explanation of ``forced_homework`` with the clause; "" when there is none."""
    valid_until: datetime | None = None
    """The next moment one of these decisions changes by the clock alone (the lesson
    begins, its entry deadline passes, it locks): a screen reloads then."""
    overdue: bool = False
    """Entry deadline passed with something missing (topic, required homework,
    attendance), at the moment of loading: the «просрочено» badge."""
    locked: bool = False
    """The lesson's current entries are closed (past ``lock_at``): the «закрыт» badge."""
    attendance_late: bool = False
    """Attendance was first taken after the entry deadline (counted late)."""

    @property
    def text_editable(self) -> bool:
        return not self.text_why_not

    @property
    def attendance_editable(self) -> bool:
        return not self.attendance_why_not

    @property
    def marks_allowed(self) -> bool:
        return not self.marks_why_not

    @property
    def work_types_editable(self) -> bool:
        return not self.work_types_why_not

    @property
    def homework_required(self) -> bool:
        """False where the homework is fixed text (grade 1): its absence is no gap."""
        return self.forced_homework is None


@dataclass(frozen=True)
class AssignmentView:
    id: int
    lesson_id: int
    work_type_code: str
    work_type_name: str
    weight: float
    lock_class: str
    title: str
    version: int


@dataclass(frozen=True)
class MarkView:
    id: int
    assignment_id: int
    student_id: int
    value: str
    late: bool
    version: int
    correction_id: int | None


@dataclass(frozen=True)
class AbsenceView:
    id: int
    lesson_id: int
    student_id: int
    code: str
    late: bool
    version: int


@dataclass(frozen=True)
class PeriodMarkView:
    id: int
    course_id: int
    student_id: int
    period_id: int
    value: str
    version: int
    correction_id: int | None


@dataclass(frozen=True)
class StudentView:
    id: int
    full_name: str
    class_id: int | None = None


# --- the lesson card and the attendance list ---------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """One student of the lesson's roster; ``absence_version`` is 0 when present."""

    student_id: int
    full_name: str
    absence_code: str | None
    absence_version: int
    absent_why_not: str = ""
    """Why this student cannot be marked absent from the whole lesson (Н, Б, УП): a mark
    for an answer in class at this lesson; "" when they can.  «ОП» and «present» stay
    possible."""

    def code_why_not(self, code: str | None) -> str:
        """The refusal for setting ``code`` (None: present) on this row, "" if allowed."""
        return self.absent_why_not if code in WHOLE_LESSON_ABSENCES else ""


@dataclass(frozen=True)
class PlanOffer:
    """A КТП topic: the one the lesson is linked to, or the next one offered."""

    plan_item_id: int
    position: int
    topic: str


@dataclass(frozen=True)
class LessonCard:
    """What the «Урок» screen shows: the lesson (with its decisions) and its plan and work."""

    lesson: LessonView
    starts_at: datetime
    ends_at: datetime
    plan: PlanOffer | None
    plan_linked: bool
    """True: the lesson's topic is linked to ``plan``; False: ``plan`` is only offered."""
    assignments: tuple[AssignmentView, ...]


# --- drafts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftView:
    """Unsaved topic and homework a user typed for a lesson, with the lesson's saved text
    to compare; never part of the register (``core.services.drafts``)."""

    lesson_id: int
    date: date
    number: int
    class_title: str
    subject: str
    subgroup: str
    topic: str
    homework: str
    saved_at: datetime
    lesson_version: int
    """The lesson's version the text was typed over (differs from ``current_version``
    when someone saved the lesson since)."""
    current_topic: str
    current_homework: str
    current_version: int
    base_topic: str = ""
    base_homework: str = ""
    """The lesson's texts the typing started from (a field equal to its base was not
    changed by the user: it follows the register)."""
    text_why_not: str = ""
    """Why the draft cannot be written to the register now ("" when it can): the lesson
    card's decision (e.g. the lesson was locked meanwhile)."""
