"""Where the database lives: --db, env, config file, platformdirs data dir."""

from __future__ import annotations

import os
from pathlib import Path

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
    url = None
    for path in paths if paths is not None else _config_files():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "database_url" and value.strip():
                url = value.strip().strip('"').strip("'")
    return url


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
    if db:
        return as_url(db)
    if os.environ.get(ENV_URL):
        return as_url(os.environ[ENV_URL])
    url = read_config_url()
    if url:
        return as_url(url)
    return as_url(default_db_path())
