"""Where the database lives: --db, env, config file, platformdirs data dir."""

from __future__ import annotations

import os
from pathlib import Path

from zhurnal.core.errors import ValidationError

APP_NAME = "zhurnal"
ENV_URL = "ZHURNAL_DATABASE_URL"
CONFIG_NAME = "zhurnal.conf"


def _config_files() -> list[Path]:
    import platformdirs

    return [
        Path(platformdirs.site_config_dir(APP_NAME)) / CONFIG_NAME,
        Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_NAME,
    ]


def read_config_url(paths: list[Path] | None = None) -> str | None:
    """The last ``database_url = ...`` found; user config overrides site config."""
    return _config_entry(paths)[0]


def _config_entry(paths: list[Path] | None = None) -> tuple[str | None, Path | None]:
    """The last ``database_url`` of the config files and the file that set it."""
    url, where = None, None
    for path in paths if paths is not None else _config_files():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        except UnicodeDecodeError:
            raise ValidationError(
                f"Файл настроек {path} — не текст в UTF-8: запишите в нём строку "
                "database_url = АДРЕС_БАЗЫ."
            ) from None
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "database_url" and value.strip():
                url, where = value.strip().strip('"').strip("'"), path
    return url, where


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "zhurnal.db"


def as_url(db: str | os.PathLike[str]) -> str:
    """A path becomes a SQLite URL; a URL stays as it is."""
    text = os.fspath(db)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().absolute())


def resolve_database_url(db: str | os.PathLike[str] | None = None) -> str:
    return database_source(db)[0]


def database_source(db: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """``resolve_database_url`` and where the address came from: ``"--db"``, ``ENV_URL``,
    the config file's path or ``"default"`` (for messages that say what to check)."""
    if db:
        return as_url(db), "--db"
    if os.environ.get(ENV_URL):
        return as_url(os.environ[ENV_URL]), ENV_URL
    url, where = _config_entry()
    if url:
        return as_url(url), str(where)
    return as_url(default_db_path()), "default"
