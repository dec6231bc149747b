"""`archon-code report`: compare runs in the terminal and write a static HTML report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from harness.console import err, fail


def report_command(
    run_dirs: Annotated[list[Path], typer.Argument(
        help="Run directories (holding run.json and records.jsonl); the first is the baseline "
             "the others are compared with.", metavar="RUN_DIR", show_default=False)],
    out: Annotated[Optional[Path], typer.Option(
        "--out", metavar="FILE", help="Where to write the HTML report (default: report.html in the first run dir).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the report data as JSON instead of the table.")] = False,
) -> None:
    """Pass@1 with its interval next to oracle and baselines, per run; a static HTML report."""
    from harness.html_report import write_report
    from harness.report import ReportError, build_report

    try:
        data = build_report(run_dirs)
        path = write_report(data, out if out is not None else run_dirs[0] / "report.html")
    except ReportError as e:
        raise fail(str(e)) from None
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        print_table(data)
    err.print(Text(f"report: {path}"), soft_wrap=True, highlight=False)


def print_table(data: dict) -> None:
    from harness.report import component_error_text, table_rows

    out = Console()
    runs = data["runs"]
    t = Table(title=f"{len(runs)} run(s)" if len(runs) > 1 else runs[0]["label"])
    t.add_column("metric")
    for r in runs:
        t.add_column(Text(f"{r['label']}\n{Path(r['path']).name}"), justify="right")
    for name, values in table_rows(data):
        t.add_row(name, *values)
    out.print(t)
    for r in runs:
        if not r["complete"]:
            out.print(Text(f"{r['label']}: incomplete run, numbers from {r['summary_source']}",
                           style="yellow"))
        for e in r["summary"]["errors"]:
            out.print(Text(f"{r['label']}: error: {e.get('problem')}: {e.get('error')}", style="red"),
                      soft_wrap=True)
        for c in r["summary"]["component_errors"]:
            out.print(Text(f"{r['label']}: component {component_error_text(c)}", style="yellow"),
                      soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
