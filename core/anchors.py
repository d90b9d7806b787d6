"""The audit chain anchored outside the database [002 §2.9].

A hash chain kept in the same file as the data proves nothing against someone who can
write the file: they can change a row, rewrite the events and re-hash the whole chain, or
cut its tail together with the head, or put back last week's copy.  So the chain's head —
the last event's number and the start of its hash, ``80712:3c7e2b9513e0853c`` — leaves the
database: ``zhurnal verify`` prints it, every summary sheet carries it in its footer, and a
cron job appends it to a file elsewhere (``zhurnal verify --anchor FILE``).  Later,
``zhurnal verify --expect HEAD`` (or ``--anchors FILE``, every head recorded there) proves
that the database still holds that exact history: the event with that number has that hash
and the chain from the first event to the current head is intact.

16 hex digits (64 bits) of the hash are printed: short enough to copy from paper, far too
many to forge a matching rewritten history by trial.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from zhurnal.core.audit import GENESIS
from zhurnal.core.errors import ValidationError
from zhurnal.core.files import os_reason
from zhurnal.core.models import AuditEvent

SHOWN = 16  # hex digits of the hash in a printed head
_HEAD = re.compile(r"^(\d{1,18}):([0-9a-f]{8,64})$")


@dataclass(frozen=True)
class Head:
    event_id: int
    hash_prefix: str

    def __str__(self) -> str:
        return f"{self.event_id}:{self.hash_prefix}"


def head_of(event_id: int, full_hash: str) -> Head:
    return Head(event_id, (full_hash or GENESIS)[:SHOWN])


def parse_head(text: str) -> Head:
    """``80712:3c7e2b9513e0853c`` (as printed) -> ``Head``; a Russian error otherwise."""
    found = _HEAD.match(text.strip().lower())
    if found is None:
        raise ValidationError(
            f"«{text.strip()}» — не вершина цепочки: нужна запись вида НОМЕР:ХЕШ, как её "
            "печатает zhurnal verify и сводные ведомости (например 80712:3c7e2b9513e0853c)."
        )
    return Head(int(found.group(1)), found.group(2))


def check_head(session: Session, head: Head) -> str:
    """ "" if the database holds the history that ended at ``head``, else what is wrong."""
    if head.event_id == 0:
        return "" if GENESIS.startswith(head.hash_prefix) else f"{head}: неверная запись"
    event = session.get(AuditEvent, head.event_id)
    if event is None:
        return (
            f"вершины {head} в базе нет: события № {head.event_id} больше нет — база "
            "возвращена к более старой копии или конец журнала аудита удалён"
        )
    if not event.hash.startswith(head.hash_prefix):
        return (
            f"вершина {head}: у события № {head.event_id} теперь хеш {event.hash[:SHOWN]} — "
            "журнал аудита переписан"
        )
    return ""


def read_anchors(path: Path) -> list[tuple[int, Head]]:
    """The heads recorded in an anchors file: (line number, head); blank lines, ``#``
    comments and the time before the head are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        why = os_reason(exc, "ошибка чтения") if isinstance(exc, OSError) else "не текст"
        raise ValidationError(f"Файл вершин {path} не читается: {why}.") from None
    heads = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        try:
            heads.append((number, parse_head(words[-1])))
        except ValidationError:
            raise ValidationError(
                f"Файл вершин {path}, строка {number}: «{line.strip()}» — не вершина цепочки "
                "(нужно: ВРЕМЯ НОМЕР:ХЕШ)."
            ) from None
    return heads


def append_anchor(path: Path, head: Head, when: datetime) -> None:
    """Add ``when head`` as a line of the anchors file (created 0600)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{when.isoformat(timespec='seconds')} {head}\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise ValidationError(
            f"Вершину не записать в {path}: {os_reason(exc, 'ошибка системы')}."
        ) from None
