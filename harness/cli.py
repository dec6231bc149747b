"""The `archon-code` command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from harness.console import fail


def _click_class(name: str) -> type[Exception]:
    # Typer raises click's exception classes, from click itself or from the copy newer Typer
    # releases ship; its public BadParameter derives from both of the ones needed here.
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


UsageError = _click_class("UsageError")
ClickException = _click_class("ClickException")

app = typer.Typer(
    name="archon-code",
    help="Inference-time architectures for code, grounded in sandboxed execution.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("archon-code")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"archon-code {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    pass


def _register() -> None:
    from harness import (
        cmd_bench,
        cmd_problems,
        cmd_report,
        cmd_rescore,
        cmd_sandbox,
        cmd_search,
        cmd_solve,
    )

    cmd_bench.register(app)
    cmd_solve.register(app)
    cmd_sandbox.register(app)
    cmd_problems.register(app)
    cmd_report.register(app)
    cmd_rescore.register(app)
    cmd_search.register(app)


def usage_error_text(e) -> str:
    """Click's usage error as one line, pointing at the command's --help."""
    # Typer words a failed conversion as pydantic does ("Value error, ..."): that is noise here.
    message = " ".join(e.format_message().replace("Value error, ", "").split())
    where = e.ctx.command_path if e.ctx is not None else "archon-code"
    return f"{message} (see '{where} --help')"


def main() -> None:
    _register()
    command = typer.main.get_command(app)
    try:
        # Not standalone: usage errors come back here and are printed as every other error,
        # in one line, instead of in Typer's box.
        code = command.main(prog_name="archon-code", standalone_mode=False)
    except UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # a bare command: its help, as click does
            e.show()
            code = 2
        else:
            code = fail(usage_error_text(e)).exit_code
    except ClickException as e:
        fail(" ".join(e.format_message().split()))
        code = e.exit_code
    except typer.Abort:
        code = fail("aborted").exit_code
    sys.exit(code if isinstance(code, int) else 0)
