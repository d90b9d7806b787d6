"""``policy set`` (and ``init --policy-file``) check the rules before they are put in
force [issue 11]: every value of a sane kind and size, and none of the contradictions of
values that ``policy check`` reports — each refused by its key, in Russian, nothing
written.  The presets pass as they are."""

from __future__ import annotations

import pytest

from tests.test_bad_databases import school as admin_school
from zhurnal.cli.main import main
from zhurnal.core.db import Database
from zhurnal.core.errors import PolicyError
from zhurnal.core.policy import load_preset, parse_policy, preset_names, preset_text
from zhurnal.core.policy_check import CONTRADICTION, check, require_consistent
from zhurnal.core.uow import policy_of

BASE = preset_text("004")

CASES = [
    # (what to replace, with what, the key named, a fragment of the message)
    ("lockout_minutes = 15", "lockout_minutes = 1000000000000", "auth.lockout_minutes", "до 10080"),
    ("lockout_minutes = 15", "lockout_minutes = 0", "auth.lockout_minutes", "от 1"),
    ("max_failed_logins = 5", "max_failed_logins = -1", "auth.max_failed_logins", "от 1 до 100"),
    ("max_failed_logins = 5", "max_failed_logins = 0", "auth.max_failed_logins", "от 1 до 100"),
    ("max_failed_logins = 5", "max_failed_logins = 1000", "auth.max_failed_logins", "до 100"),
    ('values = ["5", "4", "3", "2", "1"]', "values = [5, 4, 3, 2, 1]", "scale.values[0]", "строка"),
    ('values = ["5", "4", "3", "2", "1"]', 'values = ["5", ""]', "scale.values[1]", "пустая"),
    ('below = "2"', 'below = "2\\u001b[2J"', "rounding.below", "управляющие символы"),
    ("entry_days = 2", "entry_days = 20", "locks.current_days", "длиннее запрета"),
    ("entry_days = 2", "entry_days = 100000", "deadlines.entry_days", "от 0 до 366"),
    ("current_days = 10", "current_days = 99999999999999999", "locks.current_days", "до 366"),
    ("weight = 1.5", "weight = inf", "work_types[2].weight", "а не inf"),
    ("[[4.5,", "[[nan,", "rounding.thresholds[0]", "а не nan"),
    ("idle_lock_minutes = 10", "idle_lock_minutes = 100000", "session.idle_lock_minutes", "1440"),
    ("min_password_length = 8", "min_password_length = 4", "auth.min_password_length", "NIST"),
    ("min_marks = 3", "min_marks = -5", "rounding.min_marks", "от 0 до 100"),
    ('name = "Ответ на уроке"', 'name = ""', "work_types[0].name", "пустая"),
    ("entry_days = 2", "entry_days = 2\nhomework_hours = 1e9", "deadlines.homework_hours", "8784"),
]
IDS = [
    "lockout-10^12-overflows",
    "lockout-0-disables-it",
    "negative-max-failed-logins",
    "zero-max-failed-logins",
    "more-than-nist-100-failures",
    "integer-scale-values",
    "empty-mark",
    "control-characters",
    "entry-days-beyond-the-lock",
    "entry-days-huge",
    "lock-days-huge",
    "infinite-weight",
    "nan-threshold",
    "idle-lock-over-a-day",
    "password-shorter-than-nist",
    "negative-min-marks",
    "empty-work-type-name",
    "homework-hours-huge",
]


def variant(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "key", "fragment"), CASES, ids=IDS)
def test_a_refused_value_is_named_by_its_key(old, new, key, fragment) -> None:
    policy = parse_policy(variant(old, new))  # the file itself reads
    with pytest.raises(PolicyError) as caught:
        require_consistent(policy)
    lines = [line.strip() for line in caught.value.message.splitlines()[1:]]
    line = next((x for x in lines if x.startswith(f"{key}:")), None)
    assert line is not None and fragment in line, caught.value.message
    assert caught.value.message.startswith("Правила не приняты, ничего не изменено")
    # policy check lists the same as a contradiction (and still exits 0: it reports)
    assert key in {f.key for f in check(policy) if f.kind == CONTRADICTION}


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_is_accepted(name: str) -> None:
    """The regulations' own alternatives are contradictions the preset chose between,
    not refusals: every preset can be put in force."""
    require_consistent(load_preset(name))


school = admin_school  # (path, --as admin --password-file …) of a new school


def _policy_text(db: Database) -> str:
    with db.read() as s:
        return policy_of(s).toml_text


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"), CASES[:4] + CASES[5:9], ids=IDS[:4] + IDS[5:9]
)
def test_policy_set_refuses_and_writes_nothing(
    school, tmp_path, capsys, old, new, key, fragment
) -> None:
    path, identity = school
    db = Database.open(path)
    rules = tmp_path / "rules.toml"
    rules.write_text(variant(old, new), encoding="utf-8")
    before = _policy_text(db)
    assert main(["policy", "set", str(rules), "--db", str(db.url), *identity]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: Правила не приняты") and f"{key}:" in err and fragment in err
    assert "Traceback" not in err and _policy_text(db) == before
    db.dispose()


def test_init_with_contradictory_rules_creates_nothing(tmp_path, capsys) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(variant("lockout_minutes = 15", "lockout_minutes = 1000000000000"))
    target = tmp_path / "school.db"
    assert main(["init", "--db", str(target), "--policy-file", str(rules)]) == 2
    assert "auth.lockout_minutes" in capsys.readouterr().err
    assert not target.exists()
