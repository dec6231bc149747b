"""What every command prints on stderr: one-line errors and the weak-sandbox warning."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
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


# Set once the user has interrupted the command: what breaks while the sandbox shuts down
# after that (a container removed under a job, say) is expected, and not worth a line.
interrupted = threading.Event()


class _OneLine(logging.Handler):
    """The project's own warnings and errors as one "warning: ..." line each."""

    def emit(self, record: logging.LogRecord) -> None:
        if interrupted.is_set():
            return
        err.print(Text.assemble(("warning: ", "yellow"), " ".join(record.getMessage().split())),
                  soft_wrap=True, highlight=False)


@contextlib.contextmanager
def quiet_when_cancelled() -> Iterator[None]:
    """Around the work inside a sandbox pool: a cancellation (Ctrl-C) marks the command as
    interrupted before the pool closes."""
    try:
        yield
    except asyncio.CancelledError:
        interrupted.set()
        raise


@contextlib.contextmanager
def sandbox_warnings() -> Iterator[None]:
    """Show the sandbox's warnings (why Docker cannot be used; the local backend's weakness)
    each as one readable line."""
    from sandbox.daemon import DockerUnreachableWarning
    from sandbox.pool import WeakSandboxWarning

    logger = logging.getLogger("archon_code")
    handler = _OneLine(logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", WeakSandboxWarning)
            warnings.simplefilter("always", DockerUnreachableWarning)
            warnings.showwarning = lambda msg, *a, **k: err.print(
                Text.assemble(("warning: ", "yellow"), str(msg)), soft_wrap=True)
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
