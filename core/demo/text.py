"""What ``zhurnal demo`` returns and prints: the sizes and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from zhurnal.core.demo.inputs import TEACHER_PASSWORD


class DemoAccount(NamedTuple):
    role: str  # in Russian, for the printed table
    login: str
    password: str


@dataclass(frozen=True)
class DemoInfo:
    school: str
    year: str
    today: date
    accounts: tuple[DemoAccount, ...]
    classes: int
    students: int
    teachers: int
    courses: int
    lessons: int
    marks: int
    absences: int
    period_marks: int
    teacher_login: str = ""  # an ordinary teacher's login, for the printed hint


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def demo_info_text(info: DemoInfo) -> str:
    """What ``zhurnal demo`` prints: the school, the sizes and the demo accounts."""
    width_role = max(len("Роль"), *(len(a.role) for a in info.accounts))
    width_login = max(len("Логин"), *(len(a.login) for a in info.accounts))
    lines = [
        f"Создана демонстрационная школа: {info.school}",
        f"Учебный год {info.year}, «сегодня» в данных — {info.today:%d.%m.%Y}.",
        "",
        (
            f"Классов: {_n(info.classes)}, учащихся: {_n(info.students)}, "
            f"учителей: {_n(info.teachers)}, предметов в классах: {_n(info.courses)}."
        ),
        (
            f"Уроков: {_n(info.lessons)}, отметок: {_n(info.marks)}, "
            f"пропусков: {_n(info.absences)}, итоговых отметок: {_n(info.period_marks)}."
        ),
        "",
        "Учётные записи (пароли демонстрационные, смена пароля при входе не требуется):",
        f"  {'Роль'.ljust(width_role)}  {'Логин'.ljust(width_login)}  Пароль",
    ]
    for a in info.accounts:
        lines.append(f"  {a.role.ljust(width_role)}  {a.login.ljust(width_login)}  {a.password}")
    lines += [
        "",
        (
            f"Остальные учителя: логин — фамилия и инициалы латиницей "
            f"(например, {info.teacher_login or 'ivanova.ma'}), пароль {TEACHER_PASSWORD}."
        ),
        "Не используйте демонстрационную базу для настоящего журнала.",
    ]
    return "\n".join(lines)
