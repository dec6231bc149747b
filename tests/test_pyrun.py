"""pyrun on the host: which programs run in the preloaded interpreter, and the cases where
the outcome depends on limits, the environment or the compiler (outcomes compared with a
fresh `python3` under the same limits and environment)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.pyrun_support import SUPERVISOR_ENV, PyrunHost, run_fresh

MB = 1 << 20


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    home = tmp_path_factory.mktemp("pyrun-home")
    env = dict(SUPERVISOR_ENV, HOME=str(home), TMPDIR=str(home))
    server = PyrunHost(env, str(home))
    yield server
    server.close()


@pytest.fixture
def program(tmp_path):
    count = iter(range(1000))

    def write(source: str | bytes):
        path = tmp_path / f"main{next(count)}.py"
        (path.write_bytes if isinstance(source, bytes) else path.write_text)(source)
        return path

    return write


IN_PROCESS = {
    "plain input and output": "n = int(input())\nprint(sum(map(int, input().split())) * n)\n",
    "dict views read in order": (
        "d = {'b': 1, 'a': 2}\nfor k, v in d.items():\n    print(k, v)\n"
        "print(sorted(d.keys()), list(d.items()), 'a' in d.keys(), len(d.keys()))\n"
        "print([k for k in d.keys()], max(d.items()))\n"
    ),
    "contest modules": (
        "import sys, math, heapq, bisect, itertools, functools, threading, io, os, re\n"
        "from collections import Counter, deque, defaultdict\n"
        "from fractions import Fraction\nfrom decimal import Decimal\nimport gc\ngc.disable()\n"
        "print(Counter('abca').most_common(1), Fraction(1, 3), Decimal('1.5'))\n"
    ),
    "dictionaries of strings": (
        "d = {}\nfor w in 'b a c a'.split():\n    d[w] = d.get(w, 0) + 1\nprint(d)\n"
    ),
    "methods named like builtins": (
        "import re\nclass Tree:\n    def set(self, i):\n        self.hash = i\n"
        "t = Tree()\nt.set(3)\nprint(t.hash, re.compile('a+').match('aab').group())\n"
    ),
}

FRESH = {
    "set display": ("s = {1, 2}\n", "builds a set"),
    "set comprehension": ("s = {x for x in 'ab'}\n", "builds a set"),
    "set()": ("s = set()\n", "uses set"),
    "frozenset()": ("s = frozenset('ab')\n", "uses frozenset"),
    "hash()": ("print(hash('a') == hash('a'))\n", "uses hash"),
    "view set algebra": ("a, b = {1: 2}, {2: 3}\nprint(a.keys() & b.keys())\n", ".keys() as a set"),
    "view kept": ("d = {1: 2}\nk = d.items()\n", ".items() as a set"),
    "view to a user function": ("def f(x):\n    return x\nf({}.keys())\n", ".keys() as a set"),
    "module outside the allow-list": ("import ctypes\n", "imports ctypes"),
    "from-import outside the allow-list": ("from pickle import loads\n", "imports pickle"),
    "relative import": ("from . import x\n", "relative import"),
    "eval": ("print(eval('1'))\n", "uses eval"),
    "getattr": ("import math\nprint(getattr(math, 'pi'))\n", "uses getattr"),
    "globals": ("print(len(globals()))\n", "uses globals"),
    "frame introspection": ("import sys\nsys._getframe()\n", "uses _getframe"),
    "tracing": ("import sys\nsys.settrace(None)\n", "uses settrace"),
    "reflection": ("print(object.__subclasses__())\n", "uses __subclasses__"),
    "garbage collector's view": ("import gc\nprint(len(gc.get_objects()))\n", "uses get_objects"),
    "builtins through a function": ("print(print.__self__)\n", "uses __self__"),
    "signal sets": ("import signal\nprint(signal.valid_signals())\n", "uses valid_signals"),
    "its own /proc entries": ("print(open('/proc/self/status').read()[:5])\n", "/proc"),
    "syntax error": ("print(\n", "does not compile"),
}


@pytest.mark.parametrize("source", IN_PROCESS.values(), ids=IN_PROCESS.keys())
def test_programs_that_cannot_tell_a_fork_run_in_process(host, program, source):
    path = program(source)
    assert host.reason(path) is None
    assert host.run(path, b"2\n1 2 3\n").comparable() == \
        run_fresh(path, b"2\n1 2 3\n", host.env, host.cwd).comparable()


@pytest.mark.parametrize("source,why", FRESH.values(), ids=FRESH.keys())
def test_programs_that_could_tell_run_in_a_fresh_interpreter(host, program, source, why):
    path = program(source)
    reason = host.reason(path)
    assert reason is not None and why in reason
    assert host.run(path).comparable() == run_fresh(path, b"", host.env, host.cwd).comparable()


@pytest.mark.parametrize("extra", [
    {"PYTHONHASHSEED": "0"}, {"PYTHONHASHSEED": "12345"}, {"PYTHONWARNINGS": "error"},
    {"PYTHONUNBUFFERED": "1"}, {"PYTHONDONTWRITEBYTECODE": "1"}, {"LANG": "C"},
    {"LC_ALL": "C.UTF-8"}, {"PYTHONINTMAXSTRDIGITS": "640"}, {"PYTHONIOENCODING": "latin-1"},
], ids=lambda e: ",".join(e))
def test_a_start_up_environment_unlike_the_fork_servers_runs_fresh(host, program, extra):
    source = ("import sys\nprint(sys.flags, sys.stdout.encoding, sys.stdout.errors,\n"
              "      sys.stdout.write_through, sys.get_int_max_str_digits())\n"
              "print(str(7 ** 700)[:5], 'é')\n")
    path = program(source)
    env = dict(host.env, **extra)
    assert host.reason(path, env) is not None
    assert host.run(path, env=env).comparable() == \
        run_fresh(path, b"", env, host.cwd).comparable()


def test_the_hash_secret_is_drawn_per_run_unless_pythonhashseed_fixes_it(host, program):
    path = program("print(list({'apple', 'kiwi', 'fig', 'plum', 'pear', 'lime'}))\n")
    assert len({host.run(path).stdout for _ in range(3)}) > 1
    env = dict(host.env, PYTHONHASHSEED="7")
    pinned = {host.run(path, env=env).stdout for _ in range(2)}
    assert pinned == {run_fresh(path, b"", env, host.cwd).stdout}


def test_the_user_site_directory_of_the_programs_home_is_honoured(host, program, tmp_path):
    """site adds ~/.local/lib/pythonX.Y/site-packages of the program's HOME (unless the
    interpreter runs in a virtual environment); the fork server computed it from its own."""
    home = tmp_path / "home"
    site = home / ".local" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (site / "site-packages").mkdir(parents=True)
    (site / "site-packages" / "extra_module.py").write_text("VALUE = 42\n")
    path = program("import sys\nprint(sys.path[1:])\n"
                   "import extra_module\nprint(extra_module.VALUE)\n")
    env = dict(host.env, HOME=str(home))
    fresh = run_fresh(path, b"", env, host.cwd)
    assert fresh.stdout.endswith(b"42\n") or sys.prefix != sys.base_prefix
    assert host.run(path, env=env).comparable() == fresh.comparable()


@pytest.mark.parametrize("limits,expect_status", [
    ({"RLIMIT_STACK": (8 * MB, 8 * MB), "RLIMIT_AS": (400 * MB, 400 * MB)}, 0),
    # A fresh process sizes a thread's default stack from RLIMIT_STACK: 512 MB does not
    # fit the address-space limit, and the thread cannot start.
    ({"RLIMIT_STACK": (512 * MB, 512 * MB), "RLIMIT_AS": (400 * MB, 400 * MB)}, 1),
], ids=["small stack", "stack over the address space"])
def test_threads_get_the_default_stack_a_fresh_process_would(host, program, limits,
                                                             expect_status):
    path = program("import threading\nt = threading.Thread(target=print, args=('ran',))\n"
                   "t.start()\nt.join()\n")
    assert host.reason(path) is None
    fresh = run_fresh(path, b"", host.env, host.cwd, limits)
    assert fresh.status == expect_status
    assert host.run(path, rlimits=limits).comparable() == fresh.comparable()


DEEP = ("import sys\nfrom functools import lru_cache\nsys.setrecursionlimit(10**6)\n"
        "@lru_cache(maxsize=None)\ndef f(n):\n    return 0 if n == 0 else f(n - 1) + 1\n"
        "print(f(int(input())))\n")


@pytest.mark.parametrize("stack_mb,depth,expect_status", [
    (16, 200_000, -11),  # C-level recursion runs out of stack: SIGSEGV in both
    (1024, 200_000, 0),  # the same depth fits a 1 GB stack
    (16, 2_000, 0),
])
def test_deep_recursion_ends_as_it_does_in_a_fresh_process(host, program, stack_mb, depth,
                                                         expect_status):
    """With a raised recursion limit the C stack decides; a fork runs in-process only where
    its main stack has as much room to grow as a fresh process's."""
    path = program(DEEP)
    limits = {"RLIMIT_STACK": (stack_mb * MB, stack_mb * MB)}
    data = f"{depth}\n".encode()
    fresh = run_fresh(path, data, host.env, host.cwd, limits)
    assert fresh.status == expect_status
    assert host.run(path, data, rlimits=limits).comparable() == fresh.comparable()


@pytest.mark.parametrize("source,limits", [
    (b"print(1)\x00\n", None),
    ("x = " + "(" * 250 + "1" + ")" * 250 + "\nprint(x)\n", None),
    ("print(" + "-" * 200_000 + "1)\n", None),
    ("x = [" + "1," * 2_000_000 + "]\nprint(len(x))\n", {"RLIMIT_AS": (150 * MB, 150 * MB)}),
    ("def f():\n    nonlocal x\n", None),
], ids=["null byte", "nested parentheses", "deep unary chain", "huge literal", "symtable"])
def test_sources_that_do_not_compile_are_reported_as_python3_does(host, program, source,
                                                                   limits):
    path = program(source)
    fresh = run_fresh(path, b"", host.env, host.cwd, limits)
    preloaded = host.run(path, rlimits=limits)
    assert preloaded.comparable() == fresh.comparable()


def test_without_warm_up_every_program_runs_fresh(tmp_path):
    path = tmp_path / "main.py"
    path.write_text("print(1)\n")
    code = ("from sandbox import pyrun; import sys;"
            f"print(pyrun.fresh_reason({str(path)!r}, {SUPERVISOR_ENV!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "pyrun.warm() was not called"
