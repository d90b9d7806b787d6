"""Whether a school's database can be used, and why not — in Russian.

One place decides, for every client (``zhurnal`` commands, the TUI at start):

- ``check_database(db, create=...)``, before anything connects or is created: the address
  is understood (a SQLite file or ``postgresql+psycopg://…``, its driver installed); a
  SQLite file exists unless ``create`` (only ``init`` and ``demo`` make a new school — a
  mistyped ``--db shcool.db`` must not silently open an empty one), is a file, is readable
  and is SQLite.  It costs no connection, so the TUI runs it before Textual starts.
- ``failure_reason(exc, url)``: what a database error met while connecting, reading or
  writing means for the user (not a database, no rights, read-only, the disk full, the
  server not answering); ``None`` for errors that are not the environment's.

The database's address never shows its password.
"""

from __future__ import annotations

import os
from pathlib import Path

from zhurnal.core.config import ENV_URL, database_source
from zhurnal.core.errors import ValidationError
from zhurnal.core.files import os_reason

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_FORM = "postgresql+psycopg://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР/БАЗА"
DIALECTS = ("sqlite", "postgresql")


class DatabaseUnavailable(ValidationError):
    """The school's database cannot be opened or written: its message says why and what
    to do (exit 2 in the CLI)."""

    title = "База данных недоступна"


def shown(url: str) -> str:
    """The address as the user may see it: a SQLite file's path, a URL without password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url
    if parsed.get_backend_name() == "sqlite":
        return str(sqlite_path(parsed) or ":memory:")
    return parsed.render_as_string(hide_password=True)


def sqlite_path(parsed) -> Path | None:
    """The file of a SQLite URL (``file:`` URIs too); ``None`` for an in-memory one."""
    name = parsed.database or ""
    if parsed.query.get("uri") and name.startswith("file:"):
        name = name[len("file:") :]
    if not name or name == ":memory:" or name.startswith(":memory:"):
        return None
    return Path(name)


def _init_hint(source: str, place: str) -> str:
    return f"zhurnal init --db {place}" if source == "--db" else "zhurnal init"


def _where(source: str) -> str:
    if source == "--db":
        return "проверьте путь в --db"
    if source == ENV_URL:
        return f"проверьте переменную окружения {ENV_URL}"
    if source == "default":
        return "школа на этом компьютере ещё не создана"
    return f"проверьте адрес базы в файле настроек {source}"


def check_database(db: str | os.PathLike[str] | None = None, *, create: bool = False) -> str:
    """The database's URL once it looks usable (see the module's docstring), else a
    ``DatabaseUnavailable``.  Nothing is created, nothing connects."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url, source = database_source(db)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(
            f"Адрес базы «{url}» не понят: {_where(source)}. Укажите путь к файлу базы "
            f"(например, --db school.db) или адрес PostgreSQL: {POSTGRES_FORM}."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite(sqlite_path(parsed), source, create=create)
    else:
        _check_driver(parsed, url, source)
    return url


def _check_driver(parsed, url: str, source: str) -> None:
    from sqlalchemy.exc import NoSuchModuleError

    backend = parsed.get_backend_name()
    try:
        dialect = parsed.get_dialect() if backend in DIALECTS else None
    except NoSuchModuleError:
        dialect = None
    if dialect is None:
        raise DatabaseUnavailable(
            f"Адрес базы «{shown(url)}»: тип «{parsed.drivername}» журналу неизвестен "
            f"({_where(source)}). Журнал хранится в файле SQLite (--db school.db) или в "
            f"PostgreSQL: {POSTGRES_FORM}."
        )
    try:
        dialect.import_dbapi()
    except ImportError:
        if parsed.get_driver_name() == "psycopg":
            raise DatabaseUnavailable(
                "Для базы PostgreSQL нужен драйвер psycopg, а он не установлен: "
                "pip install 'zhurnal[postgres]' (или пакет python3-psycopg)."
            ) from None
        raise DatabaseUnavailable(
            f"Адрес базы «{shown(url)}»: драйвер «{parsed.get_driver_name()}» не установлен. "
            f"Журнал работает с PostgreSQL через psycopg: {POSTGRES_FORM}."
        ) from None


def folder_refusal(path: Path) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"«{path}» — это папка, а нужен файл базы: укажите его имя, например "
        f"--db {path / 'school.db'}."
    )


def _check_sqlite(path: Path | None, source: str, *, create: bool) -> None:
    if path is None:
        return  # in memory: nothing to look at (and nothing in it, see open_register)
    if path.is_dir():
        raise folder_refusal(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        if create:
            return
        if source == "default":
            raise DatabaseUnavailable(
                f"Школа ещё не создана (базы {path} нет): создайте её командой zhurnal init "
                "или откройте демонстрационную: zhurnal demo. Если база школы в другом "
                "месте, укажите его: --db ПУТЬ."
            ) from None
        raise DatabaseUnavailable(
            f"Базы «{path}» нет: {_where(source)} или создайте новую школу: "
            f"{_init_hint(source, str(path))}."
        ) from None
    except OSError as exc:
        raise DatabaseUnavailable(
            f"Файл базы «{path}» не открывается: {os_reason(exc)}. Проверьте права "
            "на файл (владелец базы — учётная запись сервера журнала)."
        ) from None
    if not head and not create:  # an empty SQLite database: not opened, not written
        raise not_a_register(path, source)
    if head and head != SQLITE_MAGIC:
        raise DatabaseUnavailable(
            f"Файл «{path}» — не база журнала (это не файл SQLite): {_where(source)}. "
            "Сам файл не изменён."
        )


def not_a_register(where: str | Path, source: str) -> DatabaseUnavailable:
    """The refusal for a database that holds no register at all (an empty file, an empty
    PostgreSQL database) when the command does not create a school."""
    place = str(where) if isinstance(where, Path) else shown(where)
    return DatabaseUnavailable(
        f"В базе «{place}» нет журнала школы: {_where(source)} или создайте школу: "
        f"{_init_hint(source, place)}."
    )


def _text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


SQLITE_REASONS = (
    ("file is not a database", "файл — не база журнала (это не файл SQLite)"),
    ("file is encrypted", "файл — не база журнала (это не файл SQLite)"),
    (
        "unable to open database file",
        "файл не открывается: нет прав на него или на его папку (рядом с базой SQLite "
        "создаёт файлы -wal и -shm)",
    ),
    (
        "readonly database",
        "база доступна только для чтения (нет прав на запись в файл или его папку, или "
        "носитель только для чтения); изменения не записаны",
    ),
    ("database or disk is full", "на диске нет места; изменения не записаны — освободите место"),
    ("disk i/o error", "ошибка чтения или записи диска; изменения не записаны — проверьте диск"),
    ("database is locked", "база занята другой записью слишком долго; повторите действие"),
    ("malformed", "файл базы повреждён; восстановите его из резервной копии"),
)
PG_REASONS = (
    ("password authentication failed", "сервер PostgreSQL не принял пользователя или пароль"),
    ("no password supplied", "сервер PostgreSQL требует пароль, а в адресе его нет"),
    ("does not exist", "на сервере PostgreSQL нет такой базы или роли"),
    ("permission denied", "у роли PostgreSQL нет прав на эту базу"),
    ("could not translate host name", "имя сервера PostgreSQL не найдено"),
    ("failed to resolve host", "имя сервера PostgreSQL не найдено"),
    ("connection", "сервер PostgreSQL не отвечает: проверьте, что он запущен и адрес верен"),
    ("timeout", "сервер PostgreSQL не отвечает: проверьте, что он запущен и адрес верен"),
)


def failure_reason(exc: BaseException, url: str) -> str | None:
    """Why the database at ``url`` failed with ``exc`` (a SQLAlchemy error), as a Russian
    sentence naming the database, or ``None`` when it is not the environment's fault."""
    from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError

    if not isinstance(exc, (OperationalError, DatabaseError, InterfaceError)):
        return None
    text = _text(exc).lower()
    sqlite = url.startswith("sqlite")
    if not sqlite and not isinstance(exc, (OperationalError, InterfaceError)):
        return None  # e.g. a missing table: a defect, not the environment
    table = SQLITE_REASONS if sqlite else PG_REASONS
    for fragment, reason in table:
        if fragment in text:
            return f"База «{shown(url)}»: {reason}."
    return None
