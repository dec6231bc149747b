"""What every command prints on stderr: one-line errors and the weak-sandbox warning."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.text import Text

err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print a one-line error (never wrapped, never read as markup) and give exit status 2."""
    err.print(Text.assemble(("error: ", "red"), message), soft_wrap=True, highlight=False)
    return typer.Exit(2)


@contextlib.contextmanager
def sandbox_warnings() -> Iterator[None]:
    """Show the sandbox's warnings (why Docker cannot be used; the local backend's weakness)
    each as one readable line."""
    from sandbox.daemon import DockerUnreachableWarning
    from sandbox.pool import WeakSandboxWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", WeakSandboxWarning)
        warnings.simplefilter("always", DockerUnreachableWarning)
        warnings.showwarning = lambda msg, *a, **k: err.print(
            Text.assemble(("warning: ", "yellow"), str(msg)), soft_wrap=True)
        yield
