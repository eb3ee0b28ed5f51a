"""Report writers: one run, four outputs under ``reports/<run-id>/``.

``write_reports(report, root)`` writes ``report.json`` (``json_report``),
``junit.xml`` (``junit``), ``allure-results/`` (``allure``) and
``report.html`` (``html``) and points ``root/latest`` at the run
(``writer``); ``load_report(path)`` reads a report.json back for
``--rerun-failed``. Writers only display the outcomes a RunReport holds;
they never recompute them.
"""

from __future__ import annotations

from harness.reports.writer import load_report, write_reports

__all__ = ["load_report", "write_reports"]
