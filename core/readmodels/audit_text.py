"""Audit events in words: the kind (a filter group), what was changed, old → new.

Shared by the audit journal (``audit_log``) and the incident review (``incident_ops``).
``Context.load`` reads, for one page of events, every lesson, course, student and work
type they name in a handful of ``IN`` queries; ``describe`` then needs no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from zhurnal.core.errors import ValidationError
from zhurnal.core.models import (
    Absence,
    Assignment,
    AuditEvent,
    Correction,
    Course,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Student,
    Subject,
    User,
    WorkType,
)

MARKS = ("mark.set", "mark.clear", "assignment.add", "assignment.remove", "import.marks")
ATTENDANCE = ("attendance.set", "attendance.all_present", "attendance.reason")
TEXTS = ("lesson.topic", "lesson.homework")
PERIOD_MARKS = ("period_mark.set", "period_mark.clear")
SESSIONS: tuple[str, ...] = tuple(
    ("login logout login.failed login.locked password.change password.change.failed ").split()
)
DENIALS = ("denied", "import.refused")
USERS: tuple[str, ...] = tuple(
    (
        "user.create user.password_reset user.activate user.deactivate user.set_roles user.unlock "
        "ssh_key.add ssh_key.remove "
        "user.recover "
    ).split()
)
CORRECTIONS = ("correction.request", "correction.decide", "correction.apply")
INCIDENTS = ("incident.report", "incident.revert")
SETTINGS: tuple[str, ...] = tuple(
    (
        "demo.create year.create period.add holiday.add bells.set class.create "
        "class.set_teacher subject.add course.create slot.add lessons.generate "
        "plan.import lesson.substitute student.add student.enrol student.unenrol "
        "subgroup.add_member "
        "policy.set school.init "
        "subject.rename course.set_teacher course.set_hours "
        "course.remove subgroup.split "
        "year.set_current year.change period.change period.remove holiday.change holiday.remove "
    ).split()
)
OTHER = "Прочее"
KIND_ACTIONS: dict[str, tuple[str, ...]] = {
    "Отметки": MARKS,
    "Посещаемость": ATTENDANCE,
    "Темы и Д/З": TEXTS,
    "Итоговые отметки": PERIOD_MARKS,
    "Входы и выходы": SESSIONS,
    "Отказы": DENIALS,
    "Пользователи": USERS,
    "Корректировки": CORRECTIONS,
    "Инциденты": INCIDENTS,
    "Настройки": SETTINGS,
}
KINDS: tuple[str, ...] = (*KIND_ACTIONS, OTHER)
_KIND_OF = {a: k for k, actions in KIND_ACTIONS.items() for a in actions}
KNOWN_ACTIONS: tuple[str, ...] = tuple(_KIND_OF)

LABELS = {
    "mark.set": "Отметка",
    "mark.clear": "Отметка удалена",
    "assignment.add": "Вид работы добавлен",
    "assignment.remove": "Вид работы удалён",
    "import.marks": "Загрузка отметок из файла",
    "import.refused": "Загрузка отметок отклонена",
    "attendance.set": "Посещаемость",
    "attendance.all_present": "Все присутствуют",
    "attendance.reason": "Причина пропуска",
    "lesson.topic": "Тема урока",
    "lesson.homework": "Домашнее задание",
    "lesson.substitute": "Замена",
    "period_mark.set": "Итоговая отметка",
    "period_mark.clear": "Итоговая отметка удалена",
    "login": "Вход в журнал",
    "logout": "Выход из журнала",
    "login.failed": "Неудачный вход",
    "login.locked": "Вход по паролю закрыт после неудачных попыток (до снятия блокировки)",
    "password.change": "Смена пароля",
    "password.change.failed": "Неудачная смена пароля",
    "denied": "Отказано",
    "user.create": "Пользователь создан",
    "user.password_reset": "Пароль сброшен",
    "user.activate": "Доступ пользователя восстановлен",
    "user.deactivate": "Доступ пользователя прекращён",
    "user.set_roles": "Роли пользователя изменены",
    "user.unlock": "Блокировка входа снята",
    "ssh_key.add": "SSH-ключ привязан к логину",
    "ssh_key.remove": "SSH-ключ отвязан от логина",
    "user.recover": "Доступ администратора восстановлен владельцем базы",
    "policy.set": "Правила школы заменены",
    "school.init": "Школа создана",
    "correction.request": "Запрос на корректировку",
    "correction.decide": "Решение по корректировке",
    "correction.apply": "Исправления по корректировке внесены",
    "incident.report": "Нарушение конфиденциальности",
    "incident.revert": "Отмена операции по инциденту",
    "demo.create": "Демонстрационная школа создана",
    "year.create": "Учебный год создан",
    "period.add": "Учебный период добавлен",
    "holiday.add": "Каникулы или праздник добавлены",
    "bells.set": "Расписание звонков",
    "class.create": "Класс создан",
    "class.set_teacher": "Классный руководитель назначен",
    "subject.add": "Предмет добавлен",
    "course.create": "Предмет класса создан",
    "slot.add": "Урок в расписании",
    "lessons.generate": "Уроки созданы по расписанию",
    "plan.import": "КТП загружено",
    "student.add": "Ученик добавлен",
    "student.enrol": "Ученик зачислен",
    "student.unenrol": "Ученик выбыл",
    "subgroup.add_member": "Ученик добавлен в подгруппу",
    "subject.rename": "Предмет переименован",
    "course.set_teacher": "Учитель предмета класса сменён",
    "course.set_hours": "Часы предмета класса изменены",
    "course.remove": "Предмет класса удалён",
    "subgroup.split": "Деление класса на подгруппы",
    "year.set_current": "Текущий учебный год выбран",
    "year.change": "Учебный год исправлен",
    "period.change": "Учебный период исправлен",
    "period.remove": "Учебный период удалён",
    "holiday.change": "Каникулы или праздник исправлены",
    "holiday.remove": "Каникулы или праздник удалены",
}
LOGIN_FAILED = {
    "unknown_login": "неизвестный логин",
    "locked": "вход закрыт до снятия блокировки",
    "paused": "пауза после неудачных попыток",
    "wrong_password": "неверный пароль",
    "inactive": "учётная запись отключена",
    "wrong_old_password": "неверный текущий пароль",
    "closed": "вход закрыт директором",
}
BY_KEY = "по SSH-ключу"
"""A login proved by an SSH key (``core.services.ssh_keys``): its fingerprint is the new value."""
LOGOUT_HOW = {
    "logout": "по команде пользователя",
    "quit": "закрытие программы",
    "idle": "после простоя",
    "hangup": "обрыв соединения",
    "command": "конец команды в командной строке",
}


def kind_of(action: str) -> str:
    return _KIND_OF.get(action, OTHER)


def kind_actions(kind: str) -> tuple[str, ...] | None:
    """The actions of a kind; None for «Прочее» (every action not listed elsewhere)."""
    if kind == OTHER:
        return None
    if kind not in KIND_ACTIONS:
        raise ValidationError(f"Неизвестный вид действий «{kind}».")
    return KIND_ACTIONS[kind]


def loads(text: str) -> dict[str, Any]:
    if not text:
        return {}
    data = json.loads(text)
    return data if isinstance(data, dict) else {}


def short_name(full_name: str) -> str:
    """«Петрова Анна Андреевна» → «Петрова А. А.»."""
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])


def as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class Context:
    """What a page of events names, loaded at once (``load``)."""

    lessons: dict[int, Lesson] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    classes: dict[int, SchoolClass] = field(default_factory=dict)
    subjects: dict[int, Subject] = field(default_factory=dict)
    students: dict[int, Student] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    work_types: dict[int, WorkType] = field(default_factory=dict)
    work_type_codes: dict[str, WorkType] = field(default_factory=dict)
    absences: dict[int, Absence] = field(default_factory=dict)
    marks: dict[int, Mark] = field(default_factory=dict)
    periods: dict[int, Period] = field(default_factory=dict)
    corrections: dict[int, Correction] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, events: list[AuditEvent]) -> Context:
        ctx = cls()
        ids: dict[str, set[int]] = {
            k: set() for k in ("lesson", "course", "student", "assignment", "absence", "mark")
        }
        ids |= {"period": set(), "correction": set(), "user": set()}
        for e in events:
            after, before = loads(e.after), loads(e.before)
            if e.actor_id is not None:
                ids["user"].add(e.actor_id)
            if e.entity in ids and e.entity_id is not None:
                ids[e.entity].add(e.entity_id)
            for data in (after, before):
                for key in ("lesson", "course", "student", "assignment", "period", "user"):
                    value = as_int(data.get(f"{key}_id"))
                    if value is not None:
                        ids[key].add(value)
        ctx.work_types = {w.id or 0: w for w in session.exec(select(WorkType))}
        ctx.work_type_codes = {w.code: w for w in ctx.work_types.values()}
        ctx.periods = {p.id or 0: p for p in session.exec(select(Period))}
        ctx.subjects = {s.id or 0: s for s in session.exec(select(Subject))}
        ctx.classes = {k.id or 0: k for k in session.exec(select(SchoolClass))}
        ctx.marks = _by_id(session, Mark, ids["mark"])
        ctx.absences = _by_id(session, Absence, ids["absence"])
        ctx.corrections = _by_id(session, Correction, ids["correction"])
        ids["assignment"] |= {m.assignment_id for m in ctx.marks.values()}
        ids["student"] |= {m.student_id for m in ctx.marks.values()}
        ids["student"] |= {a.student_id for a in ctx.absences.values()}
        ids["lesson"] |= {a.lesson_id for a in ctx.absences.values()}
        ctx.assignments = _by_id(session, Assignment, ids["assignment"])
        ids["lesson"] |= {a.lesson_id for a in ctx.assignments.values()}
        ctx.lessons = _by_id(session, Lesson, ids["lesson"])
        ids["course"] |= {lesson.course_id for lesson in ctx.lessons.values()}
        ids["course"] |= {c.course_id for c in ctx.corrections.values()}
        ctx.courses = _by_id(session, Course, ids["course"])
        ctx.students = _by_id(session, Student, ids["student"])
        ctx.users = _by_id(session, User, ids["user"])
        return ctx

    def user_name(self, user_id: int | None) -> str:
        user = self.users.get(user_id) if user_id is not None else None
        return user.full_name if user else ""

    def course_of_lesson(self, lesson_id: int | None) -> Course | None:
        lesson = self.lessons.get(lesson_id) if lesson_id is not None else None
        return self.courses.get(lesson.course_id) if lesson else None

    def group(self, course: Course | None) -> tuple[str, str]:
        """(class title, subject name with the subgroup) of a course."""
        if course is None:
            return "", ""
        klass = self.classes.get(course.class_id)
        subject = self.subjects.get(course.subject_id)
        name = subject.name if subject else ""
        if course.subgroup:
            name = f"{name} ({course.subgroup})"
        return (klass.title if klass else ""), name

    def student_name(self, student_id: int | None) -> str:
        student = self.students.get(student_id) if student_id is not None else None
        return f"{student.last_name} {student.first_name}" if student else ""


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    wanted = sorted(ids)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        out |= {row.id: row for row in session.exec(select(model).where(col(model.id).in_(chunk)))}
    return out


@dataclass(frozen=True)
class Described:
    kind: str
    what: str
    class_title: str
    subject: str
    student: str
    old: str
    new: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _lesson_place(ctx: Context, lesson_id: int | None) -> tuple[str, str, str]:
    """(class, subject, «23.11 урок 1») of a lesson."""
    lesson = ctx.lessons.get(lesson_id) if lesson_id is not None else None
    klass, subject = ctx.group(ctx.course_of_lesson(lesson_id))
    when = f"{lesson.date:%d.%m} урок {lesson.number}" if lesson else ""
    return klass, subject, when


def _join(label: str, *parts: str) -> str:
    rest = ", ".join(p for p in parts if p)
    return f"{label}: {rest}" if rest else label


def _locate(ctx: Context, e: AuditEvent, after: dict[str, Any], before: dict[str, Any]) -> dict:
    """The lesson, assignment, course and student an event is about."""
    got = {k: as_int(after.get(f"{k}_id", before.get(f"{k}_id"))) for k in _KEYS}
    if e.entity == "lesson" and e.entity_id is not None:
        got["lesson"] = e.entity_id
    if e.entity == "assignment" and e.entity_id is not None:
        got["assignment"] = e.entity_id
    if e.entity == "mark" and e.entity_id in ctx.marks:
        mark = ctx.marks[e.entity_id]
        got["assignment"] = got["assignment"] or mark.assignment_id
        got["student"] = got["student"] or mark.student_id
    if e.entity == "absence" and e.entity_id in ctx.absences:
        absence = ctx.absences[e.entity_id]
        got["lesson"] = got["lesson"] or absence.lesson_id
        got["student"] = got["student"] or absence.student_id
    if e.entity == "correction" and e.entity_id in ctx.corrections:
        c = ctx.corrections[e.entity_id]
        got["course"], got["lesson"] = c.course_id, c.lesson_id
        got["student"] = got["student"] or c.student_id
    assignment = ctx.assignments.get(got["assignment"] or 0)
    if assignment is not None and got["lesson"] is None:
        got["lesson"] = assignment.lesson_id
    return got


_KEYS = ("lesson", "assignment", "course", "student", "period")


def _pause_text(after: dict[str, Any]) -> str:
    """«попытка 6 подряд, следующая не раньше 08:17» for a failed login (``core.throttle``)."""
    parts = [f"попытка {after['attempts']} подряд"] if after.get("attempts") else []
    until = after.get("until")
    if isinstance(until, str) and len(until) >= 16:
        parts.append(f"следующая не раньше {until[11:16]}")
    return ", ".join(parts)


def describe(e: AuditEvent, ctx: Context) -> Described:
    after, before = loads(e.after), loads(e.before)
    got = _locate(ctx, e, after, before)
    klass, subject, when = _lesson_place(ctx, got["lesson"])
    if got["lesson"] is None and got["course"] is not None:
        klass, subject = ctx.group(ctx.courses.get(got["course"]))
    student = ctx.student_name(got["student"])
    label = LABELS.get(e.action, e.action)
    old, new = "", ""
    what = _join(label, student, f"{klass} {subject}".strip(), when)
    action = e.action
    if action == "incident.revert" and e.entity != "incident":
        label = f"Отмена по инциденту № {after.get('incident_id', '')}"
        what = _join(label, student, f"{klass} {subject}".strip(), when)
        field_ = next((f for f in ("value", "code", "topic", "homework") if f in after), "")
        old, new = _text(before.get(field_)), _text(after.get(field_))
        if e.entity == "assignment":
            old, new = _text(before.get("work_type")), ""
    elif action in ("mark.set", "mark.clear"):
        assignment = ctx.assignments.get(got["assignment"] or 0)
        wt = ctx.work_types.get(assignment.work_type_id) if assignment else None
        wt = wt or ctx.work_type_codes.get(str(after.get("work_type", "")))
        day = when.split(" урок")[0]  # «12.11 Контрольная работа»
        work = f"{day} {wt.name}".strip() if wt else when
        what = _join(label, student, f"{klass} {subject}".strip(), work)
        old, new = _text(before.get("value")), _text(after.get("value"))
    elif action in ("assignment.add", "assignment.remove"):
        code = after.get("work_type") or before.get("work_type") or ""
        wt = ctx.work_type_codes.get(str(code))
        name = wt.name if wt else str(code)
        what = _join(label, name, f"{klass} {subject}".strip(), when)
        old, new = ("", name) if action == "assignment.add" else (name, "")
    elif action in ("attendance.set", "attendance.reason"):
        old, new = _text(before.get("code")), _text(after.get("code"))
    elif action == "attendance.all_present":
        absent = before.get("absences") or {}
        old = ", ".join(f"{ctx.student_name(as_int(s))} {c}" for s, c in absent.items())
        new = "все присутствуют"
    elif action in TEXTS:
        key = "topic" if action == "lesson.topic" else "homework"
        old, new = _text(before.get(key)), _text(after.get(key))
    elif action in PERIOD_MARKS:
        period = ctx.periods.get(got["period"] or 0)
        what = _join(label, student, f"{klass} {subject}".strip(), period.name if period else "")
        old, new = _text(before.get("value")), _text(after.get("value"))
    elif action in ("login.failed", "password.change.failed"):
        reason = str(after.get("reason", ""))
        by_key = BY_KEY if after.get("method") == "ssh-key" else ""
        what = _join(label, LOGIN_FAILED.get(reason, reason), by_key)
        new = _text(after.get("key")) if by_key else _pause_text(after)
    elif action == "logout":
        how = str(after.get("how", ""))
        what = _join(label, LOGOUT_HOW.get(how, how))
    elif action == "denied":
        what = _join(label, LABELS.get(e.entity, e.entity))
        new = _text(after.get("reason"))
    elif action in SESSIONS:
        what = _join(label, BY_KEY) if after.get("method") == "ssh-key" else label
        new = _text(after.get("key")) if after.get("method") == "ssh-key" else ""
    elif action == "policy.set":
        old, new = _text(before.get("policy")), _text(after.get("policy"))
    elif action.startswith("ssh_key."):
        target = ctx.user_name(e.entity_id) if e.entity_id is not None else ""
        what = _join(label, target or str(after.get("login", "")))
        new = _text(after.get("key"))
    elif action.startswith("user.") or action == "incident.report":
        target = ctx.user_name(as_int(after.get("user_id")))
        if e.entity == "user" and e.entity_id is not None:
            target = ctx.user_name(e.entity_id) or target
        what = _join(label, target or str(after.get("login", "")))
        old = _text(before.get("roles"))
        new = _text(after.get("roles"))
    elif action == "incident.revert":
        what = _join(f"Инцидент № {e.entity_id}: операции отменены", "")
        new = f"отменено {after.get('reverted', 0)}, оставлено {after.get('left', 0)}"
    return Described(kind_of(e.action), what, klass, subject, student, old, new)
