"""The SQLite file as a whole [002 §2.9, §3; 003 §6.5]: a copy on read-only media verifies
without a byte written, the whole file put back to an older copy is caught against the
heads recorded outside, ``zhurnal backup`` makes a consistent verified copy while teachers
write and ``zhurnal restore`` puts one back after checking it.  SQLite only: on PostgreSQL
these are pg_dump's and the server's business (the commands say so)."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import stat
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.school import NOW, World, build
from zhurnal.cli.main import main
from zhurnal.core.archive import close_year, sha256_of
from zhurnal.core.db import Database
from zhurnal.core.models import AuditEvent, Mark
from zhurnal.core.services import marks


@pytest.fixture
def w(db) -> World:
    w = build(db)
    marks.set_lesson_mark(db, w.at(w.teacher), w.lessons["today"], w.students5[0], "answer", "4")
    return w


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def head_of(out: str) -> str:
    return next(x for x in out.splitlines() if x.startswith("Вершина цепочки: ")).split(": ")[1]


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def read_only_copy(source: Path, folder: Path) -> Path:
    """``source`` copied into ``folder``, the file 0444 and the folder 0555."""
    folder.mkdir()
    target = folder / source.name
    shutil.copyfile(source, target)
    target.chmod(0o444)
    folder.chmod(0o555)
    return target


def test_verify_reads_a_read_only_copy_without_writing_002_3(w: World, tmp_path, capsys) -> None:
    """[002 §3] The archive is checked years later on read-only media: nothing is written
    beside it (no -wal/-shm), the file is not touched — even by root, who could."""
    w.db.dispose()  # the last connection checkpoints the WAL into the file
    copy = read_only_copy(Path(w.db.url.removeprefix("sqlite:///")), tmp_path / "media")
    before = (copy.stat().st_mtime_ns, copy.read_bytes(), beside(copy))
    try:
        code, out, _ = run(capsys, "verify", "--db", str(copy))
        after = (copy.stat().st_mtime_ns, copy.read_bytes(), beside(copy))
    finally:
        copy.parent.chmod(0o755)
    assert code == 0, out
    assert after == before


def test_the_years_archive_verifies_on_its_own_003_6_5(w: World, tmp_path, capsys) -> None:
    """[003 §6.5; 000 §5.2.1] The archive copy of a closed year is verified by itself."""
    closed = close_year(w.db, w.admin.at(datetime(2027, 6, 15, 10, 0)), w.year_id, tmp_path / "a")
    assert closed.archive is not None
    copy = read_only_copy(closed.archive.path, tmp_path / "media")
    try:
        code, out, _ = run(capsys, "verify", "--db", str(copy), "--read-only")
    finally:
        copy.parent.chmod(0o755)
    assert code == 0, out
    assert head_of(out).startswith(f"{closed.archive.events}:{closed.archive.chain_head[:16]}")


def test_the_whole_file_rolled_back_is_caught_by_the_anchors_002_2_9(
    w: World, tmp_path, capsys
) -> None:
    """[002 §2.9] The daily cron job records the head outside; the file put back to last
    week's copy no longer holds the heads recorded since."""
    path = Path(w.db.url.removeprefix("sqlite:///"))
    anchors = tmp_path / "elsewhere" / "heads.txt"
    anchors.parent.mkdir()
    code, out, _ = run(capsys, "verify", "--db", str(path), "--anchor", str(anchors))
    assert code == 0, out
    w.db.dispose()
    old_copy = tmp_path / "last-week.db"
    shutil.copyfile(path, old_copy)
    marks.set_lesson_mark(w.db, w.at(w.teacher), w.lessons["today"], w.students5[1], "answer", "5")
    code, out, _ = run(capsys, "verify", "--db", str(path), "--anchor", str(anchors))
    assert code == 0 and "все 1 в базе" in out, out
    recorded = head_of(out)
    assert anchors.read_text().split()[-1] == recorded
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    w.db.dispose()
    shutil.copyfile(old_copy, path)
    code, out, _ = run(capsys, "verify", "--db", str(path), "--anchors", str(anchors))
    assert code == 1
    assert f"вершины {recorded} в базе нет" in out and "более старой копии" in out
    before = anchors.read_text()
    assert run(capsys, "verify", "--db", str(path), "--anchor", str(anchors))[0] == 1
    assert anchors.read_text() == before  # a broken history is not anchored


def test_backup_is_a_verified_0600_copy_and_never_overwrites(w: World, tmp_path, capsys) -> None:
    (tmp_path / "copies").mkdir()
    dest = tmp_path / "copies" / "copy.db"
    code, out, err = run(capsys, "backup", str(dest), "--db", w.db.url)
    assert code == 0, err
    assert "проверена" in out and stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert beside(dest) == {"copy.db"}  # one self-contained file, no -wal beside it
    printed = next(x for x in out.splitlines() if x.startswith("SHA-256: ")).split()[1]
    assert run(capsys, "verify", "--db", str(dest))[0] == 0
    assert sha256_of(dest) == printed  # verifying a copy does not change a byte of it
    code, _, err = run(capsys, "backup", str(dest), "--db", w.db.url)
    assert code == 2 and "уже есть" in err


def test_restore_puts_back_a_checked_copy_and_keeps_the_replaced_file(
    w: World, tmp_path, capsys
) -> None:
    path = Path(w.db.url.removeprefix("sqlite:///"))
    dest = tmp_path / "copy.db"
    assert run(capsys, "backup", str(dest), "--db", str(path))[0] == 0
    marks.set_lesson_mark(w.db, w.at(w.teacher), w.lessons["today"], w.students5[1], "answer", "5")
    code, out, err = run(capsys, "restore", str(dest), "--db", str(path))
    assert code == 0, err
    kept = [p for p in path.parent.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and "Прежняя база сохранена" in out
    with w.db.read() as s:
        assert [m.value for m in s.exec(select(Mark))] == ["4"]
        restored = s.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert restored is not None and restored.action == "db.restore"
    assert restored.actor_login.startswith("os:")
    assert run(capsys, "verify", "--db", str(path))[0] == 0
    kept_db = Database.open(kept[0], upgrade=False)
    with kept_db.read() as s:
        assert sorted(m.value for m in s.exec(select(Mark))) == ["4", "5"]
    kept_db.dispose()


def test_restore_refuses_what_is_not_a_sound_register(w: World, tmp_path, capsys) -> None:
    """A foreign file, a copy that fails verify and a PostgreSQL URL are refused in Russian;
    the database is left as it was."""
    path = Path(w.db.url.removeprefix("sqlite:///"))
    garbage = tmp_path / "notes.txt"
    garbage.write_text("не база")
    code, _, err = run(capsys, "restore", str(garbage), "--db", str(path))
    assert code == 2 and "не файл базы SQLite" in err
    dest = tmp_path / "copy.db"
    assert run(capsys, "backup", str(dest), "--db", str(path))[0] == 0
    forged = Database.open(dest, upgrade=False)
    with forged.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE mark SET value='5'")
    forged.dispose()
    code, _, err = run(capsys, "restore", str(dest), "--db", str(path))
    assert code == 1 and "не прошла проверку" in err and "значение не совпадает" in err
    assert not [p for p in path.parent.iterdir() if ".before-restore-" in p.name]
    for command in ("backup", "restore"):
        code, _, err = run(capsys, command, "x.db", "--db", "postgresql+psycopg://u@/school")
        assert code == 1 and "pg_dump" in err


# -- a backup while 20 sessions write -------------------------------------------------------


def _writer(path: str, actor, lesson_id: int, student_id: int, start, results) -> None:
    """One teacher's session: a mark, then a change of it, each acknowledged as it commits.
    A write that times out waiting for the lock (a loaded machine) is not acknowledged."""
    from sqlalchemy.exc import OperationalError

    from zhurnal.core.dbcheck import DatabaseUnavailable

    db = Database.open(path, upgrade=False)
    start.wait(timeout=300)
    try:
        for value in ("3", "4"):
            try:
                marks.set_lesson_mark(db, actor, lesson_id, student_id, "answer", value)
            except (OperationalError, DatabaseUnavailable):  # «database is locked»: not acked
                continue
            results.put((student_id, value, datetime.now().timestamp()))
    finally:
        db.dispose()
        results.put((student_id, None, 0.0))


def _backup(path: str, dest: str, start, results) -> None:
    start.wait(timeout=300)
    begun = datetime.now().timestamp()
    assert main(["backup", dest, "--db", path]) == 0
    results.put(("backup", begun, datetime.now().timestamp()))


def test_a_backup_during_20_writers_restores_what_was_acknowledged_002_2_9(
    db, tmp_path, capsys
) -> None:
    """[002 §2.9] Twenty sessions write while the backup runs: the copy holds every mark
    acknowledged before the backup began and nothing half-written; restored, it verifies."""
    w = build(db)
    with db.engine.begin() as conn:  # 20 pupils in 5А for 20 sessions
        for n in range(20 - len(w.students5)):
            conn.exec_driver_sql(
                f"INSERT INTO student (last_name, first_name, middle_name, version) "
                f"VALUES ('Новиков{n}', 'Ян', '', 1)"
            )
    pupils = _enrol_all(db, w)
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(21), ctx.Queue()
    dest = tmp_path / "during.db"
    teacher = w.teacher.at(NOW)
    procs = [
        ctx.Process(target=_writer, args=(db.url, teacher, w.lessons["today"], p, start, results))
        for p in pupils
    ] + [ctx.Process(target=_backup, args=(db.url, str(dest), start, results))]
    for p in procs:
        p.start()
    got = []
    while sum(1 for g in got if g[1] is None) < 20 or not any(g[0] == "backup" for g in got):
        got.append(results.get(timeout=300))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    _, begun, _ = next(g for g in got if g[0] == "backup")
    assert any(g[1] is not None for g in got if g[0] != "backup")  # some writes landed
    acked_before = {}
    for student, value, at in got:
        if student != "backup" and value is not None and at < begun:
            acked_before[student] = max(acked_before.get(student, "0"), value)
    live = Path(db.url.removeprefix("sqlite:///"))
    assert run(capsys, "restore", str(dest), "--db", str(live))[0] == 0
    with db.read() as s:
        restored = {m.student_id: m.value for m in s.exec(select(Mark))}
    for student, value in acked_before.items():
        assert restored.get(student, "0") >= value  # acknowledged before: kept
    assert set(restored.values()) <= {"3", "4"}
    assert run(capsys, "verify", "--db", str(live))[0] == 0


def _enrol_all(db: Database, w: World) -> list[int]:
    """Every pupil without a class into 5А, through the contingent service (audited)."""
    from datetime import date

    from zhurnal.core.models import Enrolment, Student
    from zhurnal.core.services import contingent

    with db.read() as s:
        placed = set(s.exec(select(Enrolment.student_id)))
        free = [i for i in s.exec(select(Student.id)) if i not in placed]
    for student in free:
        contingent.enrol(db, w.at(w.secretary), student, w.class5, date(2026, 9, 1), "Приказ 1")
    with db.read() as s:
        return sorted(
            e.student_id for e in s.exec(select(Enrolment).where(Enrolment.class_id == w.class5))
        )[:20]


def test_backup_and_restore_run_as_the_files_owner_only(w: World, tmp_path, capsys) -> None:
    """The file's OS owner only (the service account), as ``zhurnal recover``."""
    if os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root")  # root on CI and here
    path = Path(w.db.url.removeprefix("sqlite:///"))
    os.chown(path, 65534, 65534)
    try:
        code, _, err = run(capsys, "backup", str(tmp_path / "c.db"), "--db", str(path))
    finally:
        os.chown(path, 0, 0)
    assert code == 1 and "только владелец файла базы" in err and "sudo -u nobody" in err
