"""The `archon-code` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="archon-code",
    help="Inference-time architectures for code, grounded in sandboxed execution.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    from harness import (
        cmd_bench,
        cmd_problems,
        cmd_report,
        cmd_sandbox,
        cmd_search,
        cmd_solve,
    )

    cmd_bench.register(app)
    cmd_solve.register(app)
    cmd_sandbox.register(app)
    cmd_problems.register(app)
    cmd_report.register(app)
    cmd_search.register(app)


def main() -> None:
    _register()
    app()
