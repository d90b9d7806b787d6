"""Files the user names (an import, a policy, a password file): why one cannot be used,
in Russian.  The operating system's own text (``OSError.strerror``) is English and must
not reach the user."""

from __future__ import annotations

import errno
from pathlib import Path

from zhurnal.core.errors import ValidationError


def os_reason(exc: OSError, other: str = "файл не читается") -> str:
    """Why the file could not be used: it is missing, a folder, closed by permissions,
    the disk is full; else ``other``."""
    if isinstance(exc, FileNotFoundError):
        return "такого файла нет, проверьте путь"
    if isinstance(exc, IsADirectoryError):
        return "это папка, а нужен файл"
    if isinstance(exc, NotADirectoryError):
        return "в пути вместо папки стоит файл, проверьте путь"
    if isinstance(exc, PermissionError):
        return "нет прав доступа"
    if exc.errno == errno.ENOSPC:
        return "на диске нет места"
    return other


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file the user named, or a ``ValidationError`` saying in Russian why
    it does not open."""
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ValidationError(f"Файл не открывается: {path}: {os_reason(exc)}.") from None
