"""``zhurnal ssh-key …`` and ``zhurnal ssh-session``: teachers in by their SSH keys.

    zhurnal ssh-key add LOGIN KEYFILE|- [--authorized-keys PATH] [--db PATH]
    zhurnal ssh-key list [--authorized-keys PATH] [--db PATH]
    zhurnal ssh-key remove LOGIN [--key SHA256:…] [--authorized-keys PATH] [--db PATH]
    zhurnal ssh-session LOGIN [--key SHA256:…] [--db PATH]   (the forced command, not typed)

The one supported deployment (README «Deployment over SSH», ``deploy/install.sh``): one
service account owns the database and the register's ``authorized_keys``; every line
there binds one teacher's key to one register login with
``restrict,pty,command="…/zhurnal --db DB ssh-session LOGIN --key FP"``.  sshd runs that
command whatever the client asked for (``SSH_ORIGINAL_COMMAND`` is ignored), with no
forwarding of any kind and a terminal only.

``ssh-key`` is run on the server by the service account (the administrator:
``sudo -u zhurnal …``), the OS account that owns the database and writes
``authorized_keys`` (by default ``~/.ssh/authorized_keys`` of the account running it).
It needs no register password: whoever can write that file already controls who comes
in.  Each change is audited as ``ssh_key.add`` / ``ssh_key.remove`` by ``os:NAME``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zhurnal.cli.identity import os_account
from zhurnal.core.errors import DomainError, ValidationError
from zhurnal.core.files import os_reason

if TYPE_CHECKING:
    from zhurnal.core.db import Database

EXIT_BAD_INPUT = 2
KEY_TYPE = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com)$")
OPTIONS = "restrict,pty"
NO_TERMINAL = (
    "Журнал открывается только в терминале: подключайтесь командой ssh без команды после "
    "адреса сервера. Другие команды по этому ключу не выполняются."
)


@dataclass(frozen=True)
class KeyLine:
    """One line of ``authorized_keys``: the key, and the register login it is bound to."""

    text: str
    key_type: str
    blob: str
    comment: str
    login: str | None  # None: not a register line (a shell for the service account!)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


def fingerprint(blob: str) -> str:
    """OpenSSH's SHA256 fingerprint of a base64 key blob (as ``ssh-keygen -l`` prints)."""
    digest = hashlib.sha256(base64.b64decode(blob)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _split_options(line: str) -> tuple[str, str]:
    """``(options, rest)`` of an authorized_keys line (options may quote spaces)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            quoted = not quoted
        elif ch in " \t" and not quoted:
            return line[:i], line[i:].strip()
    return line, ""


def parse_line(text: str) -> KeyLine | None:
    """A key line, or None for a blank line or a comment."""
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    options, rest = "", line
    if not KEY_TYPE.match(line.split()[0]):
        options, rest = _split_options(line)
    parts = rest.split(None, 2)
    if len(parts) < 2:
        return KeyLine(text, "", "", "", None)
    login = None
    command = re.search(r'command="((?:[^"\\]|\\.)*)"', options)
    if command:
        words = shlex.split(command.group(1).replace('\\"', '"'))
        if "ssh-session" in words and words.index("ssh-session") + 1 < len(words):
            login = words[words.index("ssh-session") + 1]
    return KeyLine(text, parts[0], parts[1], parts[2] if len(parts) > 2 else "", login)


def read_key_file(path: str) -> KeyLine:
    """The one public key in ``path`` («-»: standard input), checked by ``ssh-keygen -l``;
    ValidationError else."""
    try:
        text = sys.stdin.read(65536) if path == "-" else Path(path).read_text(encoding="utf-8")
        lines = [x for x in text.splitlines() if x.strip()]
    except OSError as exc:
        raise ValidationError(f"Файл ключа {path} не читается: {os_reason(exc)}.") from None
    except UnicodeDecodeError:
        raise ValidationError(
            f"Файл ключа {path} не читается: это не текст открытого ключа."
        ) from None
    if lines and lines[0].startswith("-----BEGIN"):
        raise ValidationError(
            f"{path} — закрытый ключ, его нельзя передавать. Нужен открытый ключ: файл .pub."
        )
    key = parse_line(lines[0]) if len(lines) == 1 else None
    if key is None or not KEY_TYPE.match(key.key_type) or key.login is not None:
        raise ValidationError(
            f"В {path} должен быть один открытый ключ SSH (строка «ssh-ed25519 AAAA… "
            "подпись» из файла .pub)."
        )
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise ValidationError("Не найден ssh-keygen: установите пакет openssh-client.")
    with tempfile.NamedTemporaryFile("w", suffix=".pub", encoding="utf-8") as tmp:
        tmp.write(f"{key.key_type} {key.blob}\n")
        tmp.flush()
        out = subprocess.run([keygen, "-l", "-f", tmp.name], capture_output=True, text=True)
    if out.returncode != 0 or key.fingerprint not in out.stdout:
        raise ValidationError(f"В {path} не открытый ключ SSH: ssh-keygen его не принял.")
    return key


def default_authorized_keys() -> Path:
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def read_authorized(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def write_authorized(path: Path, lines: list[str]) -> None:
    """Replace the file at once (a temporary file renamed over it), mode 0600."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".authorized_keys.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("".join(f"{line}\n" for line in lines))
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def session_command(db_url: str, login: str, key: str) -> str:
    """The forced command for ``login``'s key: this installation's ``zhurnal``."""
    exe = Path(sys.executable).parent / "zhurnal"
    program = str(exe) if exe.exists() else shutil.which("zhurnal")
    if program is None:
        raise ValidationError("Не найдена программа zhurnal: запустите команду из её venv.")
    words = [program]
    if db_url.startswith("sqlite:///"):  # else the database is named by zhurnal.conf
        words += ["--db", db_url.removeprefix("sqlite:///")]
    command = shlex.join([*words, "ssh-session", login, "--key", key])
    if '"' in command or "\\" in command:
        raise ValidationError('Путь к программе или к базе не должен содержать « " » и « \\ ».')
    return command


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser("ssh-key", help="ключи SSH учителей: привязать к логину, список, убрать")
    ksub = p.add_subparsers(dest="key_command", required=True)
    add = ksub.add_parser("add", help="привязать открытый ключ (.pub) к логину журнала")
    add.add_argument("login")
    add.add_argument("keyfile", metavar="KEYFILE", help="открытый ключ (.pub); «-» — из stdin")
    listing = ksub.add_parser("list", help="привязанные ключи")
    remove = ksub.add_parser("remove", help="убрать ключи логина (или один: --key)")
    remove.add_argument("login")
    remove.add_argument("--key", metavar="SHA256:…", help="отпечаток ключа (ssh-key list)")
    for q in (add, listing, remove):
        q.add_argument(
            "--authorized-keys",
            metavar="PATH",
            help="файл authorized_keys (по умолчанию ~/.ssh/authorized_keys)",
        )
        db_arg(q)
    s = sub.add_parser("ssh-session", help="вход по SSH-ключу (команда из authorized_keys)")
    s.add_argument("login")
    s.add_argument("--key", default="", metavar="SHA256:…", help="отпечаток ключа")
    db_arg(s)


def cmd_ssh_key(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    path = Path(args.authorized_keys) if args.authorized_keys else default_authorized_keys()
    try:
        if args.key_command == "add":
            key = read_key_file(args.keyfile)  # before the database: a bad file opens nothing
            return _add(open_db(getattr(args, "db", None)), path, args.login, key)
        db = open_db(getattr(args, "db", None))
        if args.key_command == "list":
            return _list(db, path)
        return _remove(db, path, args.login, args.key)
    except DomainError as exc:
        print(f"Ошибка: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _add(db: Database, path: Path, login: str, key: KeyLine) -> int:
    from zhurnal.core.auth import login_key
    from zhurnal.core.services.ssh_keys import record_key_change

    name = login_key(login)
    lines = read_authorized(path)
    for old in filter(None, map(parse_line, lines)):
        if old.blob == key.blob:
            if old.login == name:
                raise ValidationError(f"Этот ключ уже привязан к логину {name} ({path}).")
            if old.login:
                raise ValidationError(
                    f"Этот ключ уже привязан к логину {old.login}: один ключ — один "
                    f"пользователь. Если ключ передан, сначала: zhurnal ssh-key remove "
                    f"{old.login} --key {old.fingerprint}"
                )
            raise ValidationError(
                f"Этот ключ уже есть в {path} без привязки к журналу (вход в оболочку "
                "сервера): удалите ту строку из файла, затем повторите."
            )
    command = session_command(db.url, name, key.fingerprint)
    line = f'{OPTIONS},command="{command}" {key.key_type} {key.blob} {key.comment}'.rstrip()
    write = lambda: write_authorized(path, [*lines, line])  # noqa: E731
    owner = record_key_change(db, os_account(), "add", name, key.fingerprint, write)
    print(f"Ключ {key.fingerprint} привязан к логину {owner.login} ({owner.full_name}).")
    account = os_account().removeprefix("os:")
    print(f"Вход: ssh {account}@СЕРВЕР — сразу журнал, без пароля и без оболочки.")
    return 0


def _list(db: Database, path: Path) -> int:
    from zhurnal.core.services.ssh_keys import key_owners

    keys = [k for k in map(parse_line, read_authorized(path)) if k is not None]
    owners = key_owners(db, [k.login for k in keys if k.login])
    for number, k in enumerate(keys, start=1):
        if k.login is None:
            print(
                f"Внимание: строка {number} ({k.comment or k.key_type}) не привязана к журналу и "
                "даёт вход в оболочку сервера с полным доступом к базе — удалите её."
            )
            continue
        owner = owners.get(k.login)
        who = owner.full_name if owner else "нет в журнале"
        state = "" if owner is None or owner.active else ", доступ прекращён"
        print(f"{k.login:<20} {who}{state}  {k.fingerprint}  {k.comment}".rstrip())
    print(f"Ключей: {len(keys)} ({path}).")
    return 0


def _remove(db: Database, path: Path, login: str, key: str | None) -> int:
    from zhurnal.core.auth import login_key
    from zhurnal.core.services.ssh_keys import record_key_change

    name = login_key(login)
    lines = read_authorized(path)
    parsed = [parse_line(x) for x in lines]
    gone = [k for k in parsed if k and k.login == name and (key is None or k.fingerprint == key)]
    if not gone:
        which = f"ключа {key}" if key else "ключей"
        raise ValidationError(f"У логина {name} нет привязанных {which} ({path}).")
    kept = [x for x, k in zip(lines, parsed, strict=True) if k not in gone]
    for i, k in enumerate(gone):
        write = (lambda: write_authorized(path, kept)) if i == 0 else (lambda: None)
        record_key_change(db, os_account(), "remove", name, k.fingerprint, write)
        print(f"Ключ {k.fingerprint} ({k.comment or k.key_type}) больше не открывает журнал.")
    return 0


def cmd_ssh_session(args: argparse.Namespace, open_db: Callable[[str | None], Database]) -> int:
    """The forced command: the register signed in as LOGIN, in a terminal only."""
    for stream in (sys.stdout, sys.stderr):  # whatever locale the session got: UTF-8
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(f"Ошибка: {NO_TERMINAL}", file=sys.stderr)
        return EXIT_BAD_INPUT
    key = _sshd_key() or args.key
    if args.key and key != args.key:
        print(
            "Ошибка: ключ входа не совпадает с привязкой. Обратитесь к администратору.",
            file=sys.stderr,
        )
        return 1
    from zhurnal.core.services.ssh_keys import authenticate_key
    from zhurnal.core.setup import open_register

    db = open_register(getattr(args, "db", None))
    try:
        result = authenticate_key(db, args.login, key)
        from zhurnal.tui.key_session import run_signed_in

        return run_signed_in(db, result)
    finally:
        db.dispose()


def _sshd_key() -> str:
    """The fingerprint of the key sshd accepted (``ExposeAuthInfo yes``), or ""."""
    info = os.environ.get("SSH_USER_AUTH")
    if not info:
        return ""
    try:
        for line in Path(info).read_text(encoding="utf-8").splitlines():
            method, *rest = line.split()
            if method == "publickey" and len(rest) >= 2:
                return fingerprint(rest[1])
    except (OSError, ValueError):
        return ""
    return ""
