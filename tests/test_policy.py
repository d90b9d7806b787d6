"""Policy presets, their validation and ``zhurnal policy check`` (contradictions and gaps).

Each test names the clause it encodes as ``[NNN §x.y]`` (shared/regulations/NNN_*.txt).
Modified policies are built from the 004 preset's text by replacing one line, so every
case differs from a known-good file by exactly what its id says.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from zhurnal.core.errors import PolicyError
from zhurnal.core.policy import (
    CITATION_KEYS,
    load_preset,
    parse_policy,
    preset_names,
    preset_text,
)
from zhurnal.core.policy_check import (
    CONTRADICTION,
    GAP,
    RULE_KEYS,
    WARNING,
    Finding,
    check,
    format_findings,
    run_check,
)

BASE = preset_text("004")
# The 004 preset without its [[alternatives]]: a file whose only contradictions are the
# ones a case puts in.
PLAIN = BASE.split("# Clauses of the same regulation")[0]
EXPECTED_PRESETS = {
    "000": "000_karmalo_adelyakovo",
    "001": "001_cito_moscow",
    "002": "002_school2_dnevnik",
    "003": "003_school152_paragraf",
    "004": "004_krasnodar_53",
}


def variant(*replacements: tuple[str, str], base: str = PLAIN) -> str:
    """The 004 text with each ``old`` line (or block) replaced; ``old`` must occur once."""
    text = base
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once in the 004 preset"
        text = text.replace(old, new)
    return text


def new_findings(text: str, base: str = PLAIN) -> set[Finding]:
    """Findings of a modified policy that the unmodified text does not have."""
    return set(check(parse_policy(text))) - set(check(parse_policy(base)))


def of_kind(findings, kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


# --- the presets -------------------------------------------------------------------------


def test_five_presets_one_per_regulation() -> None:
    """One preset per regulation in shared/regulations, named by its number."""
    assert preset_names() == sorted(EXPECTED_PRESETS.values())


@pytest.mark.parametrize(
    "number, name", sorted(EXPECTED_PRESETS.items()), ids=sorted(EXPECTED_PRESETS)
)
def test_preset_parses_and_cites_only_its_regulation(number: str, name: str) -> None:
    """Every preset is a valid policy; its sources are clauses of its own regulation and
    name known rule keys; the checker finds nothing to warn about."""
    policy = load_preset(name)
    assert load_preset(number) == policy  # a prefix of the name is enough
    assert policy.regulation == number
    assert set(policy.sources) <= set(RULE_KEYS) | set(CITATION_KEYS)
    for key, clause in policy.sources.items():
        assert re.fullmatch(rf"{number} §\d+(\.\d+)*", clause), (key, clause)
    for alt in policy.alternatives:
        assert alt["key"] in RULE_KEYS and alt["clause"].startswith(f"{number} §")
    assert of_kind(check(policy), WARNING) == []


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS.values()))
def test_preset_has_the_004_key_structure(name: str) -> None:
    """Every preset spells out the same tables and keys as the reference 004 preset
    (homework_hours is optional: absent means «with the rest of the record»; so is
    period_marks_days: absent means «by the period-mark lock»)."""

    def keys(text: str) -> set[str]:
        d = tomllib.loads(text)
        out = set()
        for table in (
            "meta",
            "scale",
            "deadlines",
            "locks",
            "grade1",
            "marks",
            "class_teacher",
            "rounding",
            "session",
            "auth",
        ):
            out |= {f"{table}.{k}" for k in d[table]}
        return out - {"deadlines.homework_hours", "deadlines.period_marks_due_days"}

    assert keys(preset_text(name)) == keys(BASE)
    assert [w["code"] for w in tomllib.loads(preset_text(name))["work_types"]] == [
        "answer",
        "homework",
        "independent",
        "practical",
        "test",
        "essay",
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS.values()))
def test_presets_have_no_internal_contradictions(name: str) -> None:
    """A preset's own values hold together: its only contradictions are the regulation's
    own conflicting clauses ([[alternatives]])."""
    policy = load_preset(name)
    alt_keys = {a["key"] for a in policy.alternatives}
    contradictions = of_kind(check(policy), CONTRADICTION)
    assert {f.key for f in contradictions} == alt_keys


def test_004_preset_reports_10_days_vs_two_weeks_004_3_8_vs_5() -> None:
    """[004 §3.8] current marks locked after 10 days vs [004 §5] corrected only within two
    weeks of being set."""
    found = [
        f
        for f in check(load_preset("004"))
        if f.kind == CONTRADICTION and f.key == "locks.current_days"
    ]
    assert len(found) == 1
    message = found[0].message
    assert message.startswith("10 [004 §3.8] против 14 [004 §5]")
    assert "двух недель" in message


def test_004_preset_reports_period_marks_at_end_vs_5_days_004_3_8_vs_6_3() -> None:
    """[004 §3.8] period marks locked at the period's end vs [004 §6.3] after 5 days."""
    found = {f.key: f.message for f in check(load_preset("004")) if f.kind == CONTRADICTION}
    assert "period_end [004 §3.8] против days_after [004 §6.3]" in found["locks.period_marks"]
    assert "5 [004 §6.3]" in found["locks.period_marks_days"]
    assert "5 дней" in found["locks.period_marks"]


def test_002_homework_within_1_5_hours_002_2_6() -> None:
    """[002 §2.6] homework within 1.5 hours after the lesson; [002 §2.5] marks the same day."""
    policy = load_preset("002")
    assert policy.homework_hours == 1.5
    assert policy.sources["deadlines.homework_hours"] == "002 §2.6"
    assert policy.entry_days == 0
    assert policy.sources["deadlines.entry_days"] == "002 §2.5"


def test_002_class_teacher_read_only_002_2_4() -> None:
    """[002 §2.4] the class teacher views all subjects without the right to edit."""
    policy = load_preset("002")
    assert policy.ct_read_only is True
    assert policy.ct_period_marks_all_subjects is False
    assert policy.ct_absence_reason is False
    for key in (
        "class_teacher.read_only",
        "class_teacher.period_marks_all_subjects",
        "class_teacher.absence_reason",
    ):
        assert policy.sources[key] == "002 §2.4"


def test_002_period_values_osv_na_002_2_7() -> None:
    """[002 §2.7] period marks include «ОСВ» and «Н/А», set before the holidays begin."""
    policy = load_preset("002")
    assert {"осв", "н/а"} <= set(policy.period_values)
    assert policy.period_mark_lock == "period_end"
    assert policy.sources["scale.period_values"] == "002 §2.7"


def test_003_weekly_filling_vs_daily_marks_003_5_1_vs_7() -> None:
    """[003 §5.1] filled at least once a week vs [003 §7] daily filling of marks."""
    policy = load_preset("003")
    assert policy.entry_days == 7
    found = [f for f in check(policy) if f.kind == CONTRADICTION]
    assert [f.key for f in found] == ["deadlines.entry_days"]
    assert found[0].message.startswith("7 [003 §5.1] против 0 [003 §7]")


@pytest.mark.parametrize(
    "number, sourced, gap",
    [
        ("000", "deadlines.entry_days", "locks.current_days"),  # [000 §5.2.3] daily
        ("002", "class_teacher.read_only", "rounding.thresholds"),  # [002 §2.4]
        ("003", "deadlines.entry_days", "auth.max_failed_logins"),  # [003 §5.1]
        ("004", "grade1.no_marks", "rounding.min_marks"),  # [004 §3.5]
    ],
    ids=["000-daily-entry", "002-ct-read-only", "003-weekly-entry", "004-grade1"],
)
def test_sourced_keys_are_not_gaps_and_the_rest_are(number: str, sourced: str, gap: str) -> None:
    gaps = {f.key: f.message for f in check(load_preset(number)) if f.kind == GAP}
    assert sourced not in gaps
    assert gaps[gap].startswith("не установлено положением — взято значение по умолчанию: ")


def test_grade1_rules_are_gaps_outside_004_004_3_5() -> None:
    """Only [004 §3.5] writes the grade-1 rules; the other presets keep its values as gaps."""
    ref = load_preset("004")
    for number in ("000", "001", "002", "003"):
        policy = load_preset(number)
        gaps = {f.key for f in check(policy) if f.kind == GAP}
        assert {
            "grade1.no_marks",
            "grade1.homework",
            "grade1.period_result",
            "grade1.year_result",
        } <= gaps
        assert (
            policy.grade1_no_marks,
            policy.grade1_homework,
            policy.grade1_period_result,
            policy.grade1_year_result,
        ) == (
            ref.grade1_no_marks,
            ref.grade1_homework,
            ref.grade1_period_result,
            ref.grade1_year_result,
        )


def test_001_gives_no_rule_value_so_every_key_is_a_gap() -> None:
    """[001] sets roles and access only: every rule key of its preset is a gap."""
    findings = check(load_preset("001"))
    assert of_kind(findings, CONTRADICTION) == []
    gaps = {f.key for f in of_kind(findings, GAP)}
    assert "deadlines.entry_days" in gaps and "class_teacher.read_only" in gaps
    # the period-marks days and the deadline day count do nothing under these values
    assert "locks.period_marks_days" not in gaps and "deadlines.day_count" not in gaps


def test_gap_message_shows_the_default_value() -> None:
    gaps = {f.key: f.message for f in check(load_preset("002")) if f.kind == GAP}
    assert gaps["locks.current_days"].endswith("по умолчанию: 10")
    assert gaps["rounding.thresholds"].endswith("4,5 → 5, 3,5 → 4, 2,5 → 3")


# --- internal contradictions -------------------------------------------------------------

INTERNAL = [
    # (replacements, key, fragment of the message)
    ([("current_days = 10", "current_days = 1")], "locks.current_days", "длиннее запрета"),
    ([("practical_days = 7", "practical_days = 0")], "locks.practical_days", "после запрета"),
    ([("written_days = 10", "written_days = 1")], "locks.written_days", "письменные"),
    (
        [('entry_days = 2\nday_count = "calendar"', 'entry_days = 6\nday_count = "working"')],
        "locks.practical_days",
        "с выходными",
    ),
    (
        [("entry_days = 2", "entry_days = 2\nhomework_hours = 300")],
        "deadlines.homework_hours",
        "после запрета",
    ),
    (
        [("entry_days = 2", "entry_days = 2\nhomework_hours = -1")],
        "deadlines.homework_hours",
        "отрицател",
    ),
    (
        [('[[4.5, "5"], [3.5, "4"], [2.5, "3"]]', '[[3.5, "4"], [4.5, "5"], [2.5, "3"]]')],
        "rounding.thresholds",
        "не убывают",
    ),
    (
        [('[[4.5, "5"], [3.5, "4"], [2.5, "3"]]', '[[4.5, "5"], [4.5, "4"], [2.5, "3"]]')],
        "rounding.thresholds",
        "не убывают",
    ),
    (
        [('[[4.5, "5"], [3.5, "4"], [2.5, "3"]]', '[[4.5, "5+"], [3.5, "4"], [2.5, "3"]]')],
        "rounding.thresholds",
        "«5+» не входит в шкалу",
    ),
    ([('below = "2"', 'below = "0"')], "rounding.below", "«0» не входит в шкалу"),
    ([('below = "2"', 'below = "1"')], "rounding.below", "итоговые отметки"),
    ([('period_result = "н/оц"', 'period_result = "зачёт"')], "grade1.period_result", "«зачёт»"),
    ([('year_result = "осв"', 'year_result = "усв"')], "grade1.year_result", "«усв»"),
    ([('debt_mark = ""', 'debt_mark = "2"')], "scale.debt_mark", "совпадает"),
    (
        [
            ("read_only = false", "read_only = true"),
            ("\nabsence_reason = true\n", "\nabsence_reason = false\n"),
        ],
        "class_teacher.period_marks_all_subjects",
        "по всем предметам",
    ),
    (
        [
            ("read_only = false", "read_only = true"),
            ("period_marks_all_subjects = true", "period_marks_all_subjects = false"),
        ],
        "class_teacher.absence_reason",
        "причины пропусков",
    ),
    (
        [('period_marks = "period_end"', 'period_marks = "days_after"')],
        "locks.period_marks_days",
        "N = 0",
    ),
    (
        [("min_password_length = 8", "min_password_length = 6")],
        "auth.min_password_length",
        "NIST SP 800-63B",
    ),
    # a value out of its range (core/policy_limits.py)
    ([("max_failed_logins = 5", "max_failed_logins = 0")], "auth.max_failed_logins", "от 1 до 100"),
    ([("min_marks = 3", "min_marks = -1")], "rounding.min_marks", "вне допустимого"),
]
INTERNAL_IDS = [
    "entry-2-days-after-current-lock-1-day",
    "practical-lock-0-days-with-entry-days",
    "written-lock-shorter-than-entry",
    "entry-6-working-days-past-7-calendar-day-lock",
    "homework-hours-past-current-lock",
    "homework-hours-negative",
    "thresholds-ascending",
    "thresholds-equal",
    "rounding-mark-outside-scale",
    "rounding-below-outside-scale",
    "rounding-below-not-a-period-value",
    "grade1-period-result-not-a-period-value",
    "grade1-year-result-not-a-period-value",
    "debt-mark-equals-a-mark",
    "read-only-ct-sets-period-marks",
    "read-only-ct-corrects-absence-reasons",
    "period-marks-days-after-with-0-days",
    "password-shorter-than-nist-minimum",
    "unlimited-login-attempts",
    "negative-min-marks",
]


@pytest.mark.parametrize("replacements, key, fragment", INTERNAL, ids=INTERNAL_IDS)
def test_internal_contradiction(replacements, key: str, fragment: str) -> None:
    """Values that cannot hold together: [004 §3.8] deadlines inside the locks, the scale of
    [004 §3.8]/[004 §3.5], [002 §2.4] read-only class teacher, NIST SP 800-63B passwords."""
    found = [f for f in new_findings(variant(*replacements)) if f.kind == CONTRADICTION]
    assert [f.key for f in found] == [key], found
    assert fragment in found[0].message


def test_004_baseline_has_only_the_regulations_contradictions() -> None:
    """The 004 values hold together: its contradictions all come from [[alternatives]],
    so the text the cases above modify has none."""
    keys = [f.key for f in check(parse_policy(BASE)) if f.kind == CONTRADICTION]
    assert keys == [
        "deadlines.entry_days",
        "locks.current_days",
        "locks.period_marks",
        "locks.period_marks_days",
        "locks.period_marks_open_days",
    ]
    assert of_kind(check(parse_policy(PLAIN)), CONTRADICTION) == []


@pytest.mark.parametrize(
    "replacements",
    [
        [("written_days = 10", "written_days = 30")],
        [("practical_days = 7", "practical_days = 2")],
        [
            ("entry_days = 2", "entry_days = 0"),
            ("current_days = 10", "current_days = 0"),
            ("practical_days = 7", "practical_days = 0"),
            ("written_days = 10", "written_days = 0"),
        ],
        [
            ('period_marks = "period_end"', 'period_marks = "days_after"'),
            ("period_marks_days = 0", "period_marks_days = 5"),
        ],
        [
            ("read_only = false", "read_only = true"),
            ("period_marks_all_subjects = true", "period_marks_all_subjects = false"),
            ("\nabsence_reason = true\n", "\nabsence_reason = false\n"),
        ],
        [("entry_days = 2", "entry_days = 2\nhomework_hours = 1.5")],
        [("min_password_length = 8", "min_password_length = 12")],
    ],
    ids=[
        "written-lock-longer-than-current",
        "practical-lock-equals-entry-days",
        "same-day-entry-and-same-day-locks",
        "period-marks-5-days-after-004-6-3",
        "ct-read-only-002-2-4",
        "homework-1-5-hours-002-2-6",
        "longer-password",
    ],
)
def test_consistent_values_are_not_contradictions(replacements) -> None:
    """A lock longer than another, a same-day deadline with a same-day lock, and the
    other presets' choices ([004 §6.3], [002 §2.4], [002 §2.6]) are all consistent."""
    assert of_kind(new_findings(variant(*replacements)), CONTRADICTION) == []


@pytest.mark.parametrize(
    "replacements, kind, key",
    [
        ([("period_marks_days = 0", "period_marks_days = 5")], WARNING, "locks.period_marks_days"),
        (
            [("idle_lock_minutes = 10", "idle_lock_minutes = 0")],
            WARNING,
            "session.idle_lock_minutes",
        ),
        (
            [('"grade1.no_marks" = "004 §3.5"', '"grade1.nomarks" = "004 §3.5"')],
            WARNING,
            "grade1.nomarks",
        ),
        (
            [('key = "locks.current_days"', 'key = "locks.curent_days"')],
            WARNING,
            "locks.curent_days",
        ),
    ],
    ids=[
        "period-marks-days-unused-at-period-end",
        "idle-session-never-locks",
        "unknown-source-key",
        "unknown-alternative-key",
    ],
)
def test_warnings(replacements, kind: str, key: str) -> None:
    found = new_findings(variant(*replacements, base=BASE), base=BASE)
    assert key in {f.key for f in found if f.kind == kind}
    assert of_kind(found, CONTRADICTION) == []


def test_alternative_with_the_same_value_is_no_contradiction() -> None:
    """An alternative clause that agrees with the chosen value is not reported."""
    text = variant(("value = 14", "value = 10"), base=BASE)
    assert "locks.current_days" not in {
        f.key for f in check(parse_policy(text)) if f.kind == CONTRADICTION
    }


# --- the report and the CLI --------------------------------------------------------------


def test_format_findings_groups_and_counts() -> None:
    policy = load_preset("004")
    findings = check(policy)
    report = format_findings(policy, findings)
    lines = report.splitlines()
    assert lines[0] == f"Проверка правил: {policy.name} (положение 004)"
    assert "Противоречия (5):" in lines and "Предупреждения" not in report
    assert report.index("Противоречия (5):") < report.index("Пробелы (")
    gaps = len(of_kind(findings, GAP))
    assert lines[-1] == f"Итого: противоречий — 5, пробелов — {gaps}, предупреждений — 0."
    assert (
        "  locks.current_days: 10 [004 §3.8] против 14 [004 §5] — «отметки исправляет "
        "только в течение двух недель с момента выставления»"
    ) in lines
    assert sum(line.startswith("  ") for line in lines) == len(findings)


def test_format_findings_without_contradictions() -> None:
    policy = load_preset("002")
    assert "Противоречия: нет." in format_findings(policy, check(policy)).splitlines()


@pytest.mark.parametrize("number", sorted(EXPECTED_PRESETS))
def test_run_check_on_a_valid_preset_returns_0(number: str, tmp_path, capsys) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(preset_text(number), encoding="utf-8")
    assert run_check(str(path)) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Проверка правил: ") and "Пробелы (" in out and err == ""


def test_cli_policy_check(tmp_path, capsys) -> None:
    """``zhurnal policy check FILE`` is run_check."""
    from zhurnal.cli.main import main

    path = tmp_path / "policy.toml"
    path.write_text(BASE, encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 0
    assert "[004 §5]" in capsys.readouterr().out


# --- invalid files -------------------------------------------------------------------------

INVALID = [
    (variant(("[locks]", "[locks")), "TOML"),
    (variant(("min_password_length = 8\n", "")), "auth.min_password_length"),
    (variant(("current_days = 10", 'current_days = "10"')), "locks.current_days"),
    (variant(("written_days = 10", "written_days = -1")), "locks.written_days"),
    (variant(('lock = "practical"', 'lock = "exam"')), "work_types[3].lock"),
    (
        variant(('day_count = "calendar"\n\n[locks]', 'day_count = "school"\n\n[locks]')),
        "deadlines.day_count",
    ),
    (variant(('period_marks = "period_end"', 'period_marks = "never"')), "locks.period_marks"),
    (variant(("read_only = false", 'read_only = "нет"')), "class_teacher.read_only"),
    (variant(("weight = 1.5", "weight = 0")), "work_types[2].weight"),
]
INVALID_IDS = [
    "bad-toml-syntax",
    "missing-key",
    "wrong-type",
    "negative-days",
    "unknown-lock-class",
    "unknown-day-count",
    "unknown-period-lock",
    "bool-as-text",
    "zero-weight",
]


@pytest.mark.parametrize("text, fragment", INVALID, ids=INVALID_IDS)
def test_invalid_policy_raises_policy_error_naming_the_key(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as exc:
        parse_policy(text)
    assert fragment in exc.value.message


@pytest.mark.parametrize("text, fragment", INVALID, ids=INVALID_IDS)
def test_run_check_on_an_invalid_file_returns_1(text: str, fragment: str, tmp_path, capsys) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    assert run_check(str(path)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Ошибка: ") and fragment in err
    assert re.search("[а-яА-Я]", err.removeprefix("Ошибка: "))


def test_run_check_on_a_missing_file_returns_1(tmp_path, capsys) -> None:
    assert run_check(str(tmp_path / "нет.toml")) == 1
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: Файл настроек") and "не открывается" in err


def test_period_marks_open_days_002_2_7_and_its_checks() -> None:
    """[002 §2.7] period marks in the last week of the period: 6 days before the end (the
    end day and the six before it); a negative count is refused; 0 leaves one day (warned);
    a policy without the key (stored before it existed) accepts from the period's start."""
    p002 = load_preset("002")
    assert (p002.period_mark_open_days, p002.sources["locks.period_marks_open_days"]) == (
        6,
        "002 §2.7",
    )
    with pytest.raises(PolicyError, match=r"locks\.period_marks_open_days"):
        parse_policy(variant(("period_marks_open_days = 7", "period_marks_open_days = -1")))
    found = new_findings(variant(("period_marks_open_days = 7", "period_marks_open_days = 0")))
    (warning,) = of_kind(list(found), WARNING)
    assert warning.key == "locks.period_marks_open_days"
    assert "только в последний день периода" in warning.message
    old = parse_policy(variant(("period_marks_open_days = 7\n", "")))
    assert old.period_mark_open_days is None
    gap = next(f for f in check(old) if f.key == "locks.period_marks_open_days")
    assert gap.kind == GAP and gap.message.endswith("с начала периода")
