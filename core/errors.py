"""Domain errors: each carries a Russian message for the user and a title."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """A change the rules refuse. ``message`` is shown to the user as is."""

    title = "Действие отклонено"

    def __init__(self, message: str, *, clause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class PermissionDenied(DomainError):
    title = "Нет прав"


class NotFound(DomainError):
    title = "Не найдено"


class ValidationError(DomainError):
    title = "Неверные данные"


class LockedError(DomainError):
    """The cell is past its edit lock and no approved correction opens it."""

    title = "Запись закрыта для изменений"


class ConflictError(DomainError):
    """Someone else changed the row after the caller read it."""

    title = "Конфликт изменений"

    def __init__(self, entity: str, who: str | None, when: datetime | None) -> None:
        when_text = when.strftime("%d.%m.%Y %H:%M") if when else "неизвестно когда"
        who_text = who or "другой пользователь"
        super().__init__(
            f"{entity}: запись уже изменил(а) {who_text} ({when_text}). "
            "Обновите данные и повторите."
        )
        self.who = who
        self.when = when


class AuthError(DomainError):
    title = "Вход не выполнен"


class PolicyError(DomainError):
    title = "Ошибка в настройках школы"
