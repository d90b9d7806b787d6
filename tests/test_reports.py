"""Reports: the summary sheets [004 §5] and their CSV, XLSX and PDF files.

The school is tests/school.py's (Monday 23.11.2026 10:00), with three subjects in 5А and
hand-countable period marks for the 2nd quarter, absences in October and November, one
arrival (Григорьев, 10.11) and one transfer (Дмитриева, 5А → 6А, last day 20.11).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from tests.conftest import db_arg
from tests.school import NOW, build
from zhurnal.core.audit import head_hash
from zhurnal.core.errors import PermissionDenied
from zhurnal.core.models import (
    Absence,
    Assignment,
    Course,
    Enrolment,
    Lesson,
    Mark,
    PeriodMark,
    SchoolClass,
    Student,
    SubgroupMember,
    Subject,
    WorkType,
)
from zhurnal.core.readmodels.movement import ARRIVAL, DEPARTURE, TRANSFER, movement_sheet
from zhurnal.core.readmodels.sheets import (
    AttendanceCount,
    attendance_sheet,
    class_results,
    progress_sheet,
)
from zhurnal.core.reports.sheets import (
    attendance_report,
    class_results_report,
    movement_report,
    progress_report,
)
from zhurnal.core.reports.table import Report, ReportColumn
from zhurnal.core.reports.writers import ReportWriteError, write_report


@pytest.fixture
def w(db):
    w = build(db)
    with db.write() as s:
        class6 = s.exec(select(SchoolClass).where(SchoolClass.grade == 6)).one().id
        w.class6 = class6
        maths = s.exec(select(Subject)).one()
        rus = Subject(name="Русский язык", short="Рус")
        lit = Subject(name="Литература", short="Лит")
        s.add_all([rus, lit])
        s.flush()
        courses = [w.course5]
        for subj in (rus, lit):
            c = Course(class_id=w.class5, subject_id=subj.id, teacher_id=w.teacher.user_id)
            s.add(c)
            s.flush()
            courses.append(c.id)
        assert maths.id < rus.id < lit.id
        w.courses5 = courses
        g = Student(last_name="Григорьев", first_name="Гриша")
        s.add(g)
        s.flush()
        s.add(
            Enrolment(
                student_id=g.id, class_id=w.class5, start=date(2026, 11, 10), order_in="№ 15-у"
            )
        )
        d = Student(last_name="Дмитриева", first_name="Дина")
        s.add(d)
        s.flush()
        s.add(
            Enrolment(
                student_id=d.id,
                class_id=w.class5,
                start=date(2026, 9, 1),
                end=date(2026, 11, 20),
                order_in="№ 1-у",
                order_out="№ 17-у",
                out_reason="перевод в 6А",
            )
        )
        s.add(
            Enrolment(student_id=d.id, class_id=class6, start=date(2026, 11, 21), order_in="№ 17-у")
        )
        w.g, w.d = g.id, d.id
        a, b, v = w.students5
        marks = {
            a: ("5", "5", "5"),  # отличник
            b: ("5", "4", "5"),  # хорошист
            v: ("3", "4", "2"),  # неуспевающий, one «2»
            g.id: ("4", "3", "4"),  # one «3»
            d.id: ("2", "2", "2"),  # left before today: not counted
        }
        for sid, values in marks.items():
            for course_id, value in zip(courses, values, strict=True):
                s.add(
                    PeriodMark(
                        course_id=course_id,
                        student_id=sid,
                        period_id=w.q2,
                        value=value,
                        entered_at=NOW,
                        entered_by_id=w.teacher.user_id,
                    )
                )
        october = []
        for day in (date(2026, 10, 15), date(2026, 10, 16)):
            lesson = Lesson(course_id=w.course5, date=day, number=1, held_by_id=w.teacher.user_id)
            s.add(lesson)
            s.flush()
            october.append(lesson.id)
        L = w.lessons
        for lesson_id, sid, code in [
            (october[0], a, "Б"),
            (october[1], a, "Б"),
            (L["locked"], a, "Н"),
            (L["late"], a, "ОП"),
            (L["late"], b, "УП"),
            (L["today"], v, "Н"),
        ]:
            s.add(Absence(lesson_id=lesson_id, student_id=sid, code=code, entered_at=NOW))
    return w


def at(actor):
    return actor.at(NOW)


# --- the read models: hand-counted --------------------------------------------------------


def test_progress_sheet_counts_the_class_004_s5(w) -> None:
    sheet = progress_sheet(w.db, at(w.ct), w.class5, w.q2)
    assert sheet.subjects == ("Математика", "Русский язык", "Литература")
    by_name = {r.name: r for r in sheet.rows}
    assert list(by_name) == [
        "Антонов Антон",
        "Борисова Белла",
        "Васильев Василий",
        "Григорьев Гриша",
        "Дмитриева Дина",
    ]
    assert by_name["Антонов Антон"].status == "отличник"
    assert by_name["Борисова Белла"].status == "хорошист"
    assert (by_name["Васильев Василий"].status, by_name["Васильев Василий"].twos) == (
        "неуспевающий",
        1,
    )
    assert by_name["Григорьев Гриша"].status == "одна «3»"
    assert by_name["Григорьев Гриша"].note == "прибыл(а) 10.11.2026"
    gone = by_name["Дмитриева Дина"]
    assert (gone.counted, gone.twos, gone.note) == (False, 3, "выбыл(а) 20.11.2026")
    s = sheet.summary
    assert (s.students, s.excellent, s.good, s.one_three, s.failing, s.not_attested) == (
        4,
        1,
        1,
        1,
        1,
        0,
    )
    assert (s.success_pct, s.quality_pct) == (75.0, 50.0)
    with w.db.read() as session:
        assert sheet.stamp.chain_head == head_hash(session)


def test_a_printed_stamp_is_checked_against_the_database_002_s2_9(w) -> None:
    """Later changes extend the chain and the paper still matches; a forged hash does not."""
    from zhurnal.core.readmodels.sheetbase import stamp_holds
    from zhurnal.core.services.lessons import set_absence

    st = progress_sheet(w.db, at(w.ct), w.class5, w.q2).stamp
    set_absence(w.db, w.teacher.at(NOW), w.lessons["today"], w.students5[1], "Н")
    assert progress_sheet(w.db, at(w.ct), w.class5, w.q2).stamp.chain_head != st.chain_head
    assert stamp_holds(w.db, st.last_event_id, st.chain_head)
    assert not stamp_holds(w.db, st.last_event_id, "0" * 63 + "1")
    assert not stamp_holds(w.db, st.last_event_id + 99, st.chain_head)


def test_a_subgroup_subject_is_no_gap_for_who_does_not_study_it(w) -> None:
    """English in one subgroup only: the others get «—», not a missing mark."""
    a, b = w.students5[:2]
    with w.db.write() as s:
        english = Subject(name="Английский язык", short="Англ")
        s.add(english)
        s.flush()
        group = Course(
            class_id=w.class5, subject_id=english.id, subgroup="1 гр.", teacher_id=w.teacher.user_id
        )
        s.add(group)
        s.flush()
        s.add(SubgroupMember(course_id=group.id, student_id=a, start=date(2026, 9, 1)))
        s.add(
            PeriodMark(
                course_id=group.id,
                student_id=a,
                period_id=w.q2,
                value="5",
                entered_at=NOW,
                entered_by_id=w.teacher.user_id,
            )
        )
    sheet = progress_sheet(w.db, at(w.ct), w.class5, w.q2)
    rows = {r.student_id: r for r in sheet.rows}
    assert sheet.subjects[-1] == "Английский язык"
    assert (rows[a].marks[-1], rows[a].status) == ("5", "отличник")
    assert (rows[b].marks[-1], rows[b].status) == ("—", "хорошист")
    assert rows[w.g].marks[-1] == "—"


def test_the_preliminary_sheet_suggests_marks_from_the_weighted_average_004_s5(w) -> None:
    """Before the period marks are set: «(4)» from 5, 4, 3 (weights 1, at least 3 marks);
    a subject without marks stays empty; the printed sheet never shows averages."""
    a, b = w.students5[:2]
    with w.db.write() as s:
        for student in (a, b):  # maths of Антонов, Russian of Борисова: not set yet
            course = w.courses5[0] if student == a else w.courses5[1]
            s.delete(
                s.exec(
                    select(PeriodMark).where(
                        PeriodMark.student_id == student, PeriodMark.course_id == course
                    )
                ).one()
            )
        answer = s.exec(select(WorkType).where(WorkType.code == "answer")).one()
        for key, value in (("locked", "5"), ("late", "4"), ("today", "3")):
            task = Assignment(lesson_id=w.lessons[key], work_type_id=answer.id)
            s.add(task)
            s.flush()
            s.add(
                Mark(
                    assignment_id=task.id,
                    student_id=a,
                    value=value,
                    entered_at=NOW,
                    entered_by_id=w.teacher.user_id,
                )
            )
    final = progress_sheet(w.db, at(w.ct), w.class5, w.q2)
    assert final.rows[0].marks == ("", "5", "5") and final.rows[0].status == "не все отметки"
    early = progress_sheet(w.db, at(w.ct), w.class5, w.q2, preliminary=True)
    assert early.rows[0].marks == ("(4)", "5", "5") and early.rows[0].status == "хорошист"
    assert early.rows[1].marks == ("5", "", "5")
    with w.db.write() as s:  # two answers only: too few for a mark [004 policy: min 3]
        s.delete(s.exec(select(Mark).where(Mark.value == "3")).one())
    early = progress_sheet(w.db, at(w.ct), w.class5, w.q2, preliminary=True)
    assert early.rows[0].marks[0] == "(н/а)" and early.rows[0].status == "н/а"
    report = progress_report(w.db, at(w.ct), w.class5, w.q2, preliminary=True)
    assert report.title.startswith("Предварительная сводная ведомость")


def test_a_missing_period_mark_keeps_a_student_from_the_quality_figures_002_s2_7(w) -> None:
    with w.db.write() as s:
        mark = s.exec(select(PeriodMark).where(PeriodMark.student_id == w.students5[0])).first()
        s.delete(mark)
    sheet = progress_sheet(w.db, at(w.deputy), w.class5, w.q2)
    first = sheet.rows[0]
    assert "" in first.marks and first.status == "не все отметки"
    assert (sheet.summary.excellent, sheet.summary.incomplete) == (0, 1)
    assert sheet.summary.quality_pct == 25.0


def test_not_attested_and_grade_one_004_s3_5(w) -> None:
    with w.db.write() as s:
        mark = s.exec(select(PeriodMark).where(PeriodMark.student_id == w.students5[1])).first()
        mark.value = "н/а"
        s.add(mark)
    s5 = progress_sheet(w.db, at(w.ct), w.class5, w.q2).summary
    assert (s5.good, s5.not_attested, s5.success_pct, s5.quality_pct) == (0, 1, 50.0, 25.0)
    first = progress_sheet(w.db, at(w.primary), w.class1, w.q2)
    assert first.no_marks and first.summary.students == 2
    assert (first.summary.success_pct, first.summary.quality_pct) == (None, None)
    report = progress_report(w.db, at(w.primary), w.class1, w.q2)
    assert any("безотметочное обучение [004 §3.5]" in line for line in report.subtitle)


def test_attendance_by_months_004_s5(w) -> None:
    sheet = attendance_sheet(w.db, at(w.ct), w.class5, date(2026, 10, 1), date(2026, 11, 30))
    assert sheet.months == (date(2026, 10, 1), date(2026, 11, 1))
    assert sheet.lessons == (2, 5)  # 24.11 is not held yet
    rows = {r.name: r for r in sheet.rows}
    a = rows["Антонов Антон"]
    assert a.months == (AttendanceCount(2, ill=2), AttendanceCount(1, unexcused=1, late=1))
    assert a.total == AttendanceCount(3, ill=2, unexcused=1, late=1)
    assert rows["Борисова Белла"].total == AttendanceCount(1, excused=1)
    assert rows["Григорьев Гриша"].total == AttendanceCount()
    assert sheet.month_totals == (
        AttendanceCount(2, ill=2),
        AttendanceCount(3, excused=1, unexcused=2, late=1),
    )
    assert sheet.total == AttendanceCount(5, ill=2, excused=1, unexcused=2, late=1)


def test_movement_of_the_class_and_of_the_school_004_s5(w) -> None:
    klass = movement_sheet(w.db, at(w.ct), date(2026, 11, 1), date(2026, 11, 30), class_id=w.class5)
    assert (klass.at_start, klass.arrivals, klass.departures, klass.at_end) == (4, 1, 1, 4)
    assert [(e.day, e.name, e.kind, e.other_class, e.order) for e in klass.events] == [
        (date(2026, 11, 10), "Григорьев Гриша", ARRIVAL, "", "№ 15-у"),
        (date(2026, 11, 20), "Дмитриева Дина", DEPARTURE, "6А", "№ 17-у"),
    ]
    school = movement_sheet(w.db, at(w.deputy), date(2026, 11, 1), date(2026, 11, 30))
    assert (school.at_start, school.arrivals, school.departures, school.transfers) == (7, 1, 0, 1)
    assert school.at_end == school.at_start + school.arrivals - school.departures == 8
    transfer = [e for e in school.events if e.kind == TRANSFER]
    assert [(e.name, e.class_title, e.other_class) for e in transfer] == [
        ("Дмитриева Дина", "6А", "5А")
    ]


def test_a_transfer_on_the_first_day_is_no_arrival_of_the_school(w) -> None:
    school = movement_sheet(w.db, at(w.deputy), date(2026, 11, 21), date(2026, 11, 30))
    assert (school.at_start, school.arrivals, school.departures, school.transfers) == (8, 0, 0, 1)
    assert school.at_end == 8
    six = movement_sheet(w.db, at(w.deputy), date(2026, 11, 21), date(2026, 11, 30), w.class6)
    assert (six.at_start, six.arrivals, six.at_end) == (1, 1, 2)
    assert [(e.name, e.kind, e.other_class) for e in six.events] == [
        ("Дмитриева Дина", ARRIVAL, "5А")
    ]


def test_the_lists_of_the_first_day_are_the_start_not_arrivals(w) -> None:
    sheet = movement_sheet(w.db, at(w.ct), date(2026, 9, 1), date(2026, 11, 30), w.class5)
    assert (sheet.at_start, sheet.arrivals, sheet.departures, sheet.at_end) == (4, 1, 1, 4)


def test_class_results_join_marks_and_attendance(w) -> None:
    results = class_results(w.db, at(w.director), w.class5, w.q2)
    assert results.summary.quality_pct == 50.0
    assert results.attendance.total == AttendanceCount(3, excused=1, unexcused=2, late=1)


def test_only_the_class_teacher_and_the_administration_read_sheets_004_s5(w) -> None:
    for actor in (w.teacher, w.secretary, w.admin, w.primary):
        with pytest.raises(PermissionDenied, match="Сводные ведомости 5А"):
            progress_sheet(w.db, at(actor), w.class5, w.q2)
    with pytest.raises(PermissionDenied, match="школы"):
        movement_sheet(w.db, at(w.ct), date(2026, 11, 1), date(2026, 11, 30))
    progress_sheet(w.db, at(w.director), w.class5, w.q2)


# --- the files ------------------------------------------------------------------------------


def test_progress_sheet_files_carry_the_same_figures(w, tmp_path) -> None:
    report = progress_report(w.db, at(w.ct), w.class5, w.q2)
    rows = _csv(write_report(report, tmp_path / "p.csv"))
    assert rows[0][:5] == ["№", "Ученик", "Мат", "Рус", "Лит"]
    assert rows[3][:8] == ["3", "Васильев Василий", "3", "4", "2", "1", "неуспевающий", ""]
    wb = load_workbook(write_report(report, tmp_path / "p.xlsx"))
    ws = wb.active
    assert ws["A1"].value == report.title and ws["A1"].font.b
    header = _find_row(ws, "№")
    assert ws.freeze_panes == f"A{header + 1}" and ws.cell(header, 2).font.b
    first = header + 1
    assert ws.cell(first, 1).value == 1 and isinstance(ws.cell(first, 1).value, int)
    assert ws.cell(first + 2, 6).value == 1  # Васильев's «2», a number
    pdf = _pdf_text(write_report(report, tmp_path / "p.pdf"))
    assert "Сводная ведомость учёта успеваемости" in pdf and "Васильев Василий" in pdf
    assert "Классный руководитель ____________________ /Классова О. Н./" in pdf
    assert "Заместитель директора" in pdf and "Стр. 1 из 1" in pdf
    assert "Качество знаний: 50,0 %" in pdf
    assert report.extra["chain_head"][:16] in pdf.replace("\n", "")


def test_attendance_csv_rereads_to_the_sheet(w, tmp_path) -> None:
    report = attendance_report(w.db, at(w.ct), w.class5, date(2026, 10, 1), date(2026, 11, 30))
    rows = _csv(write_report(report, tmp_path / "a.csv"))
    assert rows[0][2] == "Пропущено уроков"
    figures = {(r[0], r[1]): [int(x) for x in r[2:]] for r in rows[1:]}
    assert figures[("Антонов Антон", "октябрь 2026")] == [2, 2, 0, 0, 0]
    assert figures[("Антонов Антон", "за период")] == [3, 2, 0, 1, 1]
    assert figures[("Весь класс", "за период")] == [5, 2, 1, 2, 1]


def test_typed_cells_dates_and_percents(tmp_path) -> None:
    report = Report(
        "Проба",
        (
            ReportColumn("Дата", "date", 11),
            ReportColumn("Средний", "float", 8),
            ReportColumn("Качество", "percent", 8),
            ReportColumn("Когда", "datetime", 16),
        ),
        ((date(2026, 11, 23), 4.25, 66.7, datetime(2026, 11, 23, 10, 5)), (None, None, None, None)),
        footer=("Итого: 1",),
    )
    ws = load_workbook(write_report(report, tmp_path / "t.xlsx")).active
    header = _find_row(ws, "Дата")
    d, f, p, _ = (ws.cell(header + 1, c) for c in range(1, 5))
    assert d.value == datetime(2026, 11, 23) and d.number_format == "DD.MM.YYYY"
    assert f.value == 4.25
    assert p.value == pytest.approx(0.667) and "%" in p.number_format
    assert ws.column_dimensions["A"].width == 13
    assert any(ws.cell(r, 1).value == "Итого: 1" for r in range(1, ws.max_row + 1))
    rows = _csv(write_report(report, tmp_path / "t.csv"))
    assert rows[1] == ["23.11.2026", "4,25", "66,7", "23.11.2026 10:05"]
    assert rows[2] == ["", "", "", ""]
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_movement_and_class_results_print(w, tmp_path) -> None:
    movement = movement_report(w.db, at(w.deputy), date(2026, 11, 1), date(2026, 11, 30))
    path = write_report(movement, tmp_path / "m.pdf")
    box = PdfReader(path).pages[0].mediabox
    assert movement.landscape and box.width > box.height
    text = _pdf_text(path)
    assert "движения учащихся" in text and "Дмитриева Дина" in text and "переведён" in text
    results = class_results_report(w.db, at(w.ct), w.class5, w.q2)
    rows = _csv(write_report(results, tmp_path / "r.csv"))
    assert ["Качество знаний", "", "50,0"] in rows and ["Отличники", "1", "25,0"] in rows


def test_user_text_never_becomes_a_spreadsheet_formula(tmp_path) -> None:
    topic = '=HYPERLINK("http://x","Нажми")'
    report = Report("Темы", (ReportColumn("Тема", "text", 40),), ((topic,), ("-1",)))
    ws = load_workbook(write_report(report, tmp_path / "t.xlsx")).active
    header = _find_row(ws, "Тема")
    assert ws.cell(header + 1, 1).value == topic and ws.cell(header + 1, 1).data_type == "s"
    assert _csv(write_report(report, tmp_path / "t.csv"))[1:] == [["'" + topic], ["'-1"]]


def test_an_empty_sheet_still_prints_its_header(tmp_path) -> None:
    report = Report("Пусто", (ReportColumn("Ученик"), ReportColumn("Число", "int")), ())
    assert "Ученик" in _pdf_text(write_report(report, tmp_path / "e.pdf"))
    assert _csv(write_report(report, tmp_path / "e.csv")) == [["Ученик", "Число"]]


def test_a_bad_place_is_a_russian_message_and_nothing_is_written(tmp_path) -> None:
    report = Report("Проба", (ReportColumn("А"),), (("x",),))
    with pytest.raises(ReportWriteError, match=r"Папки .* нет"):
        write_report(report, tmp_path / "нет" / "r.pdf")
    with pytest.raises(ReportWriteError, match="это папка"):
        write_report(report, tmp_path)
    with pytest.raises(ReportWriteError, match="Неизвестный формат"):
        write_report(report, tmp_path / "r.doc")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "ro"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            with pytest.raises(ReportWriteError, match="Нет прав на запись"):
                write_report(report, locked / "r.xlsx")
        finally:
            locked.chmod(0o700)


def test_a_write_that_fails_midway_leaves_no_file(tmp_path, monkeypatch) -> None:
    def disk_full(*_args) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("zhurnal.core.reports.writers.os.replace", disk_full)
    report = Report("Проба", (ReportColumn("А"),), (("x",),))
    with pytest.raises(ReportWriteError, match=r"Не удалось записать .*на диске нет места"):
        write_report(report, tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_long_sheet_repeats_its_header(tmp_path) -> None:
    """A wide sheet writes; 200 rows span pages, each with the header; an overlong text
    is cut, not spilled.  (Its speed is measured by bench/bench_reports.py, not here: a
    timed test flakes on a busy machine.)"""
    columns = (
        ReportColumn("№", "int", 4),
        ReportColumn("Ученик", "text", 28),
        *(ReportColumn(f"П{i}", "text", 5) for i in range(15)),
    )
    rows = tuple((i, f"Ученикова Мария {i}", *("5",) * 15) for i in range(30))
    report = Report("Быстрая ведомость", columns, rows, landscape=True)
    assert write_report(report, tmp_path / "wide.pdf").stat().st_size > 0
    long = Report(
        "Длинная",
        (ReportColumn("№", "int", 4), ReportColumn("Тема", "text", 40)),
        tuple((i, "слово " * (200 if i == 0 else 2)) for i in range(200)),
    )
    reader = PdfReader(write_report(long, tmp_path / "long.pdf"))
    assert len(reader.pages) > 2
    for n, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "Тема" in text and f"Стр. {n} из {len(reader.pages)}" in text
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # portrait


# --- helpers --------------------------------------------------------------------------------


def _csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _find_row(ws, value: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == value)


# --- the command line -----------------------------------------------------------------------


def test_report_from_the_command_line(w, tmp_path, capsys, fast_argon2) -> None:
    """The director prints the sheets on the server: by class and period names, dates,
    any of the three formats [004 §5]; the footer names who made it."""
    from tests.conftest import cli_identity
    from zhurnal.cli.main import main

    db = ["--db", db_arg(w.db), *cli_identity(w.db, "direktor", tmp_path)]
    out = tmp_path / "5a-q2.pdf"
    assert (
        main(["report", "progress", "--class", "5a", "--period", "2 четверть", "-o", str(out), *db])
        == 0
    )
    assert "Отчёт записан" in capsys.readouterr().out
    text = _pdf_text(out)
    assert "Васильев Василий" in text and "Директорова Анна Борисовна (запуск: os:" in text
    xlsx = tmp_path / "a.xlsx"
    args = ["report", "attendance", "--class", "5А", "--from", "01.10.2026", "--to", "30.11.2026"]
    assert main([*args, "-o", str(xlsx), *db]) == 0
    ws = load_workbook(xlsx).active
    assert ws["A1"].value == "Отчёт о посещаемости 5А класса (по месяцам)"
    movement = tmp_path / "movement.txt"
    assert (
        main(
            [
                "report",
                "movement",
                "--period",
                "2 четверть",
                "--format",
                "csv",
                "-o",
                str(movement),
                *db,
            ]
        )
        == 0
    )
    assert ["21.11.2026", "Дмитриева Дина", "переведён(а)", "6А", "5А"] in [
        row[:5] for row in _csv(movement)
    ]
    results = tmp_path / "r.csv"
    zavuch = cli_identity(w.db, "zavuch", tmp_path)
    argv = ["report", "class-results", "--class", "5А", "--period", "2 четверть"]
    assert main([*argv, "-o", str(results), "--db", db_arg(w.db), *zavuch]) == 0
    assert ["Отличники", "1", "25,0"] in _csv(results)
    pdf = tmp_path / "r.pdf"
    # --as may stand before the command too; the password file goes after it
    argv = ["--as", "zavuch", "report", "class-results", "--class", "5А", "-o", str(pdf)]
    assert main([*argv, "--period", "2 четверть", "--db", db_arg(w.db), *zavuch[2:]]) == 0
    assert "Завучева Вера Петровна (запуск: os:" in _pdf_text(pdf)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["progress", "--class", "9Я", "--period", "2 четверть"], "Класса «9Я» нет"),
        (["progress", "--class", "5А", "--period", "5 четверть"], "Периода «5 четверть» нет"),
        (
            ["attendance", "--class", "5А", "--from", "32.13.2026", "--to", "01.12.2026"],
            "--from: дата «32.13.2026» не распознана",
        ),
        (["attendance", "--class", "5А"], "Укажите даты"),
        (
            ["attendance", "--class", "5А", "--from", "01.12.2026", "--to", "01.11.2026"],
            "позже конца",
        ),
        (["progress", "--period", "2 четверть"], "Укажите класс"),
        (
            ["--as", "uchitel", "progress", "--class", "5А", "--period", "2 четверть"],
            "Сводные ведомости 5А",
        ),
    ],
)
def test_bad_input_is_refused_in_russian_with_nothing_written(
    w, tmp_path, capsys, args, message, fast_argon2
) -> None:
    from tests.conftest import signed
    from zhurnal.cli.main import main

    out = tmp_path / "r.pdf"
    argv = ["report", *args] if args[0] == "--as" else ["report", *args, "--as", "direktor"]
    argv = signed(w.db, [*argv, "-o", str(out), "--db", db_arg(w.db)])
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_bad_files_are_refused_before_any_work(w, tmp_path, capsys) -> None:
    from zhurnal.cli.main import main

    base = ["report", "progress", "--class", "5А", "--period", "2 четверть"]
    assert main([*base, "-o", str(tmp_path / "нет" / "r.pdf"), "--db", db_arg(w.db)]) == 2
    assert "Папки" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "r.docx"), "--db", db_arg(w.db)]) == 2
    assert "Неизвестный формат" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "r.pdf"), "--db", str(tmp_path / "nope.db")]) == 2
    assert "Файл базы не найден" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "r.pdf").exists()
