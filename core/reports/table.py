"""One report = one table with a title: what the screen shows and the files print."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

Value = str | int | float | date | datetime | None

KINDS = ("text", "int", "float", "percent", "date", "datetime")


@dataclass(frozen=True)
class ReportColumn:
    title: str
    kind: str = "text"
    """One of ``KINDS``: how a file types the cell (``percent`` holds 0..100, or None)."""
    width: int = 12
    """Characters; the XLSX column width and the PDF's share of the page."""


@dataclass(frozen=True)
class Signature:
    """A line to sign on the printed copy: «Классный руководитель ____ /Классова О. Н./»."""

    role: str
    name: str = ""
    """The person's name as printed after the line ("" leaves it to be written by hand)."""

    @property
    def line(self) -> str:
        return f"{self.role} ____________________ /{self.name or '_' * 20}/"


@dataclass(frozen=True)
class Report:
    """A titled table: ``rows`` hold plain values of the columns' kinds (None: empty)."""

    title: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[Value, ...], ...]
    subtitle: tuple[str, ...] = ()
    """Lines under the title: school, class, period, when it was made."""
    footer: tuple[str, ...] = ()
    """Lines after the table: totals, signatures, the audit chain's head."""
    name: str = "report"
    """A file name stem (latin, no spaces) for the written files."""
    landscape: bool = False
    signatures: tuple[Signature, ...] = ()
    """Who signs the printed copy (the class teacher, the deputy): a line each."""
    extra: dict[str, str] = field(default_factory=dict)
    """Anything a writer may show in the document properties (e.g. ``chain_head``)."""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"{self.title}: a row has {len(row)} cells, not {len(self.columns)}"
                )
