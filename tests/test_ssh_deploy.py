"""The one supported deployment over SSH, done as the README says and tried against a real
OpenSSH server [issue 10].

The module runs ``deploy/install.sh`` as the current user (``SYSTEM=no``: the same steps
as root's install, in a temporary folder, the service account being the current user),
binds the teachers' keys with ``zhurnal ssh-key add`` into the ``authorized_keys`` the
script made, and starts its own ``/usr/sbin/sshd`` on 127.0.0.1 and a free port, with a
temporary host key and the shipped ``deploy/zhurnal-sshd.conf`` included — never the
machine's own sshd or ``~/.ssh``.  The client is ``ssh`` in a pseudo-terminal, with no
locale (LANG unset) and ``TERM=xterm`` or ``TERM=linux``.

sshd and ssh must be installed (``.ci/run`` installs them); if not, the tests fail saying
so, nothing is skipped.  As root, sshd needs its privilege separation directory
``/run/sshd`` (made here if missing, as the Debian service does at start).
"""

from __future__ import annotations

import os
import pty
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from tests.pty_session import PtySession
from tests.school import build
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent
from zhurnal.core.services import users

ROOT = Path(__file__).resolve().parent.parent
SSHD = Path("/usr/sbin/sshd")
ZHURNAL = Path(sys.executable).parent / "zhurnal"
TEACHER = "Учителева Мария Ивановна"
pytestmark = pytest.mark.xdist_group("ssh")  # one server for the module


@dataclass
class Server:
    port: int
    user: str
    db_path: Path
    keys: Path
    home: Path
    log: Path

    def ssh(self, key: str, *args: str, log: str = "ERROR") -> list[str]:
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-o",
            f"UserKnownHostsFile={self.home / 'known_hosts'}",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            f"LogLevel={log}",
            "-i",
            str(self.keys / key),
            "-p",
            str(self.port),
            *args,
            f"{self.user}@127.0.0.1",
        ]

    def env(self, term: str = "xterm") -> dict[str, str]:
        """The client's environment: no locale at all."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TERM": term,
        }

    def events(self, since: int = 0) -> list[AuditEvent]:
        db = Database.open(self.db_path, upgrade=False)
        try:
            with db.read() as s:
                rows = s.exec(select(AuditEvent).where(AuditEvent.id > since)).all()
                return [row for row in rows if row.action.startswith(("login", "logout"))]
        finally:
            db.dispose()

    def fingerprint(self, key: str) -> str:
        out = subprocess.run(
            ["ssh-keygen", "-l", "-f", str(self.keys / f"{key}.pub")],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()[1]

    def last_event_id(self) -> int:
        db = Database.open(self.db_path, upgrade=False)
        try:
            with db.read() as s:
                return max(s.exec(select(AuditEvent.id)).all())
        finally:
            db.dispose()


def _require_openssh() -> None:
    missing = [p for p in (str(SSHD), "ssh", "ssh-keygen") if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"OpenSSH is missing ({', '.join(missing)}): apt-get install openssh-server "
            "openssh-client (.ci/run installs them)"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )


def _install(root: Path, user: str) -> tuple[Path, Path]:
    """deploy/install.sh as the current user; (database, authorized_keys)."""
    data, home = root / "var/lib/zhurnal", root / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "SYSTEM": "no",
        "ZHURNAL_USER": user,
        "PREFIX": str(root / "opt/zhurnal"),
        "DATA": str(data),
        "CONF_DIR": str(root / "etc/xdg/zhurnal"),
        "SSHD_SNIPPET": str(root / "etc/ssh/sshd_config.d/zhurnal.conf"),
        "ZHURNAL": str(ZHURNAL),  # the program already installed in this venv
        "ADMIN": "sysadm",
    }
    out = subprocess.run(
        ["sh", str(ROOT / "deploy/install.sh")], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "временный пароль" in out.stdout
    assert (data.stat().st_mode & 0o777, (data / "school.db").stat().st_mode & 0o777) == (
        0o700,
        0o600,
    )
    authorized = data / ".ssh/authorized_keys"
    assert authorized.stat().st_mode & 0o777 == 0o600
    return data / "school.db", authorized


def _school(db_path: Path) -> None:
    """The test school's people in the installed database: «uchitel» with a temporary
    password (a key login does not need it changed), «drugoy» whose access ends."""
    db = Database.open(db_path)
    try:
        w = build(db)
        users.reset_password(db, w.admin, w.teacher.user_id or 0)
        users.reset_password(db, w.admin, w.other_teacher.user_id or 0)
    finally:
        db.dispose()


def _disable(db_path: Path, login: str) -> None:
    from zhurnal.core.actor import Actor
    from zhurnal.core.models import User

    db = Database.open(db_path)
    try:
        with db.read() as s:
            admin = s.exec(select(User).where(User.login == "admin")).one()
            target = s.exec(select(User).where(User.login == login)).one()
        actor = Actor(admin.id, admin.login, frozenset({"admin"}), admin.full_name)
        users.set_active(db, actor, target.id or 0, False)
    finally:
        db.dispose()


def _add_key(db_path: Path, authorized: Path, login: str, key: Path) -> None:
    out = subprocess.run(
        [
            str(ZHURNAL),
            "ssh-key",
            "add",
            login,
            str(key),
            "--db",
            str(db_path),
            "--authorized-keys",
            str(authorized),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    _require_openssh()
    root = tmp_path_factory.mktemp("deploy")
    user = pwd.getpwuid(os.geteuid()).pw_name
    db_path, authorized = _install(root, user)
    _school(db_path)
    keys = root / "keys"
    keys.mkdir()
    for name in ("uchitel", "drugoy", "stranger"):
        _keygen(keys / name, f"{name}@school-pc")
    _add_key(db_path, authorized, "uchitel", keys / "uchitel.pub")
    _add_key(db_path, authorized, "drugoy", keys / "drugoy.pub")
    _disable(db_path, "drugoy")

    _keygen(root / "host_key", "host")
    snippet = root / "etc/ssh/sshd_config.d/zhurnal.conf"
    config = root / "sshd_config"
    port = _free_port()
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {root / 'host_key'}\n"
        f"PidFile {root / 'sshd.pid'}\nAuthorizedKeysFile {authorized}\n"
        "StrictModes no\nUsePAM no\nLogLevel VERBOSE\n"
        "Subsystem sftp /usr/lib/openssh/sftp-server\n"  # as Debian's sshd_config has it
        f"Include {snippet}\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = root / "sshd.log"
    with log.open("wb") as err:
        daemon = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)], stdout=err, stderr=err
        )
    try:
        deadline = time.monotonic() + 10
        while b"Server listening" not in log.read_bytes():
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail("sshd did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.05)
        home = root / "client"
        home.mkdir()
        yield Server(port, user, db_path, keys, home, log)
    finally:
        daemon.terminate()
        daemon.wait(10)


class SshTerminal(PtySession):
    """``ssh`` in an 80×24 pseudo-terminal, as a teacher's terminal runs it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import struct
        import termios

        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = b""
        self.status = None

    def exit_code(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read(0.2)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("ssh did not end:\n" + self.text()[-1500:])


def _register(server: Server, term: str, *command: str) -> str:
    """A teacher's session: the register comes up signed in, Ctrl+Q ends it; the text."""
    terminal = SshTerminal([*server.ssh("uchitel", "-tt"), *command], server.env(term))
    try:
        terminal.wait_for(TEACHER)
        terminal.type("ctrl+q")
        assert terminal.exit_code() == 0, terminal.text()[-1500:]
    finally:
        if terminal.status is None:
            try:
                os.kill(terminal.pid, signal.SIGKILL)
                os.waitpid(terminal.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    terminal.output.decode("utf-8")  # strict: every byte sent is UTF-8
    return terminal.text()


@pytest.mark.parametrize(
    ("term", "command"),
    [("xterm", ()), ("linux", ("zhurnal", "--as", "sysadm")), ("xterm", ("sh", "-c", "id"))],
    ids=["xterm", "linux-as-admin", "xterm-shell-command"],
)
def test_a_key_opens_its_teachers_register_in_russian_whatever_is_asked(
    server, term, command
) -> None:
    """No password, no login form, no shell: the teacher's own register (the command the
    client asked for is ignored), Cyrillic intact with LANG unset on the client; audited
    as a key login with the key's fingerprint."""
    since = server.last_event_id()
    text = _register(server, term, *command)
    assert "\ufffd" not in text and "Вход в электронный журнал" not in text
    assert "uid=" not in text and "Администрирование" not in text
    events = server.events(since)
    login = next(e for e in events if e.action == "login")
    assert login.actor_login == "uchitel"
    assert '"method": "ssh-key"' in (login.after or "")
    assert server.fingerprint("uchitel") in (login.after or "")
    assert any(e.action == "logout" and e.actor_login == "uchitel" for e in events)


@pytest.mark.parametrize(
    ("options", "command"),
    [
        (["-T"], ["id"]),
        (["-o", "RequestTTY=no"], []),
        (["-s"], ["sftp"]),
        (["-T"], ["cat /etc/passwd"]),
    ],
    ids=["command-no-tty", "no-tty", "sftp", "read-a-file"],
)
def test_without_a_terminal_nothing_runs(server, options, command) -> None:
    out = subprocess.run(
        [*server.ssh("uchitel", *options), *command],
        env=server.env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert out.returncode == 2, out.stderr
    assert out.stdout == b""
    if "-s" not in options:  # sshd sends a subsystem's errors nowhere
        assert "Журнал открывается только в терминале" in out.stderr.decode("utf-8")


def refused(stderr: bytes) -> bool:
    """How ssh reports a forwarding sshd refused (the wording depends on which side
    notices first: the request's answer or the channel's)."""
    return b"forwarding failed" in stderr or b"administratively prohibited" in stderr


def test_port_forwarding_is_refused(server) -> None:
    """-W (what -L opens per connection) and -R are refused by sshd."""
    base = server.ssh("uchitel", "-N", "-o", "ExitOnForwardFailure=yes", log="INFO")
    run = {"env": server.env(), "capture_output": True, "timeout": 30}
    stdio = subprocess.run(
        server.ssh("uchitel", "-W", f"127.0.0.1:{server.port}"), stdin=subprocess.DEVNULL, **run
    )
    assert stdio.returncode == 255
    assert refused(stdio.stderr), stdio.stderr
    remote = subprocess.run([*base[:-1], "-R", f"0:127.0.0.1:{server.port}", base[-1]], **run)
    assert remote.returncode == 255
    assert refused(remote.stderr), remote.stderr

    local_port = _free_port()
    forward = subprocess.Popen(
        [*base[:-1], "-L", f"{local_port}:127.0.0.1:{server.port}", base[-1]],
        env=server.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", local_port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "ssh -L never listened"
                time.sleep(0.1)
        with conn:
            assert conn.recv(100) == b""  # sshd's banner never comes through
    finally:
        forward.terminate()
        try:
            _, err = forward.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a busy machine: ssh still tearing down
            forward.kill()
            _, err = forward.communicate(timeout=10)
    assert b"administratively prohibited" in err, err


def test_an_unknown_key_gets_nothing(server) -> None:
    since = server.last_event_id()
    out = subprocess.run(
        server.ssh("stranger", "-tt"), env=server.env(), capture_output=True, timeout=30
    )
    assert out.returncode == 255
    assert b"Permission denied (publickey)" in out.stderr
    assert server.events(since) == []


def test_a_disabled_teachers_key_is_refused_in_russian(server) -> None:
    """Access withdrawn [004 §4.3]: the key no longer opens the register."""
    since = server.last_event_id()
    terminal = SshTerminal(server.ssh("drugoy", "-tt"), server.env("linux"))
    code = terminal.exit_code()
    assert code == 1
    assert "Учётная запись отключена" in terminal.text()
    failed = [e for e in server.events(since) if e.action == "login.failed"]
    assert len(failed) == 1 and '"reason": "inactive"' in (failed[0].after or "")
