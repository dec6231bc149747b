"""The preloaded Python fast path: run a program in an already-initialised interpreter (a
fork of the supervisor's fork server) as `python3 path` would run it.

Standard library only; copied into the sandbox image next to supervisor.py.

    warm()              once, in the fork server: import what contest programs import
    prepare(path, env)  in the forked test process, after it dropped privileges
    run(path) -> int    execute the program as __main__; the exit status to _exit with
    check(path) -> int  compile only (a syntax check before any test runs)
"""

from __future__ import annotations

import os
import sys
import types

# Modules that contest programs import; loading them once in the fork server is what makes a
# Python test cost a fork instead of an interpreter start-up.
PRELOAD = (
    "array bisect collections copy decimal fractions functools heapq io itertools math "
    "operator random re statistics string threading time traceback typing atexit"
).split()


def warm() -> None:
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass


def prepare(path: str, env: dict[str, str]) -> types.ModuleType:
    """Give this forked interpreter what `python3 path` would start with: fresh standard
    streams on fds 0-2, argv, sys.path[0], the environment and an empty __main__."""
    import atexit
    import io
    import random

    os.environ.clear()
    os.environ.update(env)
    random.seed()  # a fresh interpreter would not share the fork server's random state
    atexit._clear()  # the fork server's own exit handlers are not the program's
    sys.stdin = sys.__stdin__ = io.open(0, "r", encoding="utf-8", newline="\n", closefd=False)
    sys.stdout = sys.__stdout__ = io.open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = sys.__stderr__ = io.open(
        2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False
    )
    sys.argv = [path]
    sys.path[0] = os.path.dirname(path)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    return main


def run(path: str) -> int:
    import atexit
    import traceback

    main = sys.modules["__main__"]
    rc = 0
    try:
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec")
        exec(code, main.__dict__)
    except SystemExit as e:
        if e.code is None:
            rc = 0
        elif isinstance(e.code, int):
            rc = e.code & 0xFF
        else:
            print(e.code, file=sys.stderr)
            rc = 1
    except BaseException as e:
        # Leave out this function's own frame, as a fresh interpreter would have none.
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        traceback.print_exception(type(e), e, tb)
        rc = 1
    threading = sys.modules.get("threading")
    try:
        if threading is not None:
            threading._shutdown()
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    # As CPython's finalisation does: flush sys.stdout / sys.stderr unless closed (a failing
    # stdout flush exits 120), then the original streams.
    for stream, fatal in ((sys.stdout, True), (sys.stderr, False),
                          (sys.__stdout__, False), (sys.__stderr__, False)):
        try:
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
        except BaseException:
            if fatal:
                rc = 120
    return rc


def check(path: str) -> int:
    """Compile the program; on failure print what `python3 path` would and return 1."""
    import traceback

    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec")
        return 0
    except BaseException as e:
        sys.stderr = open(2, "w", closefd=False)
        traceback.print_exception(type(e), e, None)
        sys.stderr.flush()
        return 1
