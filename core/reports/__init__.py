"""Reports: what a screen shows, as a table that prints (layer: jobs, see ``core/__init__``).

Every view a school prints or keeps is built once as a :class:`Report` (``table``):
the screen shows it, and the writers turn it into CSV, XLSX and PDF with the same
figures.

- ``table``: ``Report``, ``ReportColumn``, ``Signature``;
- ``writers``: ``write_report(report, path, fmt)`` — CSV and XLSX (``pdf``: the PDF);
- ``sheets``: the summary sheets [004 §5] (progress, attendance, movement, the class
  teacher's report) built from ``core.readmodels.sheets`` / ``movement``.
"""
