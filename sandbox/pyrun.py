"""Run a Python program in a forked, preloaded interpreter exactly as `python3 path` would.

Standard library only, Python 3.9+, imports nothing of ours: this file is copied into the
sandbox image next to supervisor.py. The fork server calls `warm()` once; each test is a
fork that drops privileges, then calls `prepare(path, env)` and `os._exit(run(path))`.

What a fresh interpreter has is measured, not assumed: `warm()` starts one fresh interpreter
with the fork server's own environment and records its start-up state (modules, builtins,
sys.path and the import hooks, flags, standard streams, warning filters, signal handlers,
the builtins that survive into shutdown) and, for every preloaded module, which modules a
fresh `import` of it adds. `prepare()` rebuilds that state in the child: the preloaded
modules stay in memory but leave `sys.modules` until the program imports them.

Some things a forked interpreter cannot reproduce cheaply: the string hash secret (every dict
in the heap is laid out by it; changing it means rehashing the whole heap, which costs more
than starting a fresh interpreter), memory addresses (ASLR is per exec), the C stack room of
the main thread, the process's /proc entries and its Python call stack. A program whose
output could depend on one of them (it builds sets, calls hash(), reflects on the
interpreter, reads /proc, or raises the recursion limit where the stack room differs), an
environment whose start-up differs from the fork server's, or a source that does not compile
here, runs in a fresh interpreter instead: `run()` then execs `python3 path` with the same
environment, exactly what the supervisor does without preloading. `fresh_reason()` tells
which path a program takes. The check reads the program's text: it catches what programs
write, not names assembled at run time to dodge it (such a program sees the fork server's
hash secret, fixed for the life of its container).

Not reproduced (and not checked): the address space a forked child starts with is the fork
server's, larger than a fresh interpreter's (by about 9 MB in the sandbox image), and it
counts against RLIMIT_AS: a program that fills memory up to its limit gets that much less.
"""

from __future__ import annotations

import _signal
import _thread
import _warnings
import _weakref
import ast
import atexit
import builtins
import ctypes
import gc
import io
import json
import os
import resource
import signal
import stat
import sys
import types

# Modules that contest programs import and that cost real time to import. The fork server
# loads them once; a test sees one only after importing it, as in a fresh interpreter.
PRELOAD = (
    "array", "atexit", "bisect", "collections", "copy", "decimal", "fractions", "functools",
    "heapq", "io", "itertools", "math", "operator", "random", "re", "statistics", "string",
    "threading", "time", "traceback", "typing",
)

# Modules a program may import and still run in-process: their public API cannot reveal the
# hash secret, memory addresses or the interpreter's own state (the few members that can
# are in _REVEALING_ATTRIBUTES below). Anything else runs in a fresh interpreter.
_ALLOWED_MODULES = frozenset(
    """__future__ _thread abc array atexit bisect calendar cmath collections contextlib copy
    dataclasses datetime decimal enum fractions functools gc heapq io itertools json keyword
    math numbers operator os pprint queue random re signal statistics string struct sys
    textwrap threading time traceback types typing unicodedata""".split()
)

# What lets a program observe something a forked interpreter does not reproduce: the hash
# secret (sets, hash()), objects reached by reflection or by name (builtins among them),
# the call stack, reference counts, the garbage collector's view of the heap, the tracing
# of pyrun's own frames, signal sets (their members hash by name).
_REVEALING_NAMES = frozenset(
    """set frozenset hash eval exec compile getattr vars globals locals __import__ breakpoint
    help __builtins__""".split()
)
_REVEALING_ATTRIBUTES = frozenset(
    """__hash__ __dict__ __self__ __subclasses__ __globals__ __code__ __closure__
    __getattribute__ __base__ __bases__ __mro__ mro f_back f_globals f_locals f_code
    tb_frame gi_frame cr_frame ag_frame _getframe _current_frames getrefcount
    getallocatedblocks settrace setprofile gettrace getprofile call_tracing addaudithook
    stdlib_module_names print_stack extract_stack format_stack walk_stack attrgetter
    methodcaller get_objects get_referrers get_referents get_count get_stats get_freeze_count
    freeze unfreeze garbage callbacks is_tracked is_finalized collect valid_signals sigpending
    pthread_sigmask sigwait sigwaitinfo sigtimedwait""".split()
)
# Dict views support set algebra (`d.keys() & e.keys()` is a set); these callers only read
# a view in its (insertion) order.
_VIEW_METHODS = frozenset(("keys", "items"))
_ORDER_ONLY_CALLS = frozenset(
    """list tuple sorted len sum min max any all enumerate zip map filter reversed dict iter
    next print str repr""".split()
)

_EXEC = "fresh"  # plan kind: exec a fresh interpreter
_INPROCESS = "in-process"


class _Baseline:
    """What `warm()` learned: a fresh interpreter's start-up state, and the fork server's."""

    def __init__(self) -> None:
        self.broken = "pyrun.warm() was not called"
        self.probe: dict = {}
        self.env: dict[str, str] = {}
        self.restorable: dict[str, types.ModuleType] = {}
        self.closures: dict[str, list[str]] = {}
        self.visible_attrs: dict[str, bool] = {}
        self.builtins_copy: dict = {}
        self.meta_path: list = []
        self.path_hooks: list = []
        self.stack_room = 0
        self.runtime_finalizing = 0  # address of _PyRuntime._finalizing, 0 if unknown
        self.recursion_offset = -1  # offset of recursion_remaining in PyThreadState
        self.exec_cost = 0  # recursion depth the exec() call adds under the module frame
        self.recursion_step = -1  # how the counter moves per nested call


_base = _Baseline()


class _Plan:
    def __init__(self, kind: str, reason: str | None = None) -> None:
        self.kind = kind
        self.reason = reason
        self.path = ""
        self.env: dict[str, str] = {}
        self.code = None
        self.main: types.ModuleType | None = None
        self.stderr_text = ""
        self.modules: dict | None = None
        self.own: frozenset[int] = frozenset()  # ids of the stream objects prepare() made


_plan: _Plan | None = None


# ---------------------------------------------------------------- warm: measure a fresh start

# Runs in a fresh interpreter (`python3 -`): records the start-up state before importing
# anything, then the modules each candidate import adds (in a fork per candidate), then at
# shutdown the builtins that CPython restores before clearing modules.
_PROBE = r'''
import sys
_modules = list(sys.modules)
_builtins = list(__builtins__.__dict__)
_main = list(sys.modules["__main__"].__dict__)
_cache = [(k, v) for k, v in sys.path_importer_cache.items()]
import os  # already imported by site: nothing new yet

# What importing each candidate adds to sys.modules, measured from this untouched state:
# one fork per candidate, before this probe imports anything of its own.
_split = sys.argv.index("--")
closures = {}
todo = sys.argv[1:_split]
while todo:
    name = todo.pop(0)
    if name in closures:
        continue
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        before = set(sys.modules)
        try:
            __import__(name)
            added = "\n".join(m for m in sys.modules if m not in before)
        except BaseException:
            added = "\0"
        os.write(w, added.encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    added = None if text == "\0" else [m for m in text.split("\n") if m]
    closures[name] = added
    for m in added or ():
        if m not in closures and m not in todo:
            todo.append(m)

attrs = {}
for dotted in sys.argv[_split + 1:]:
    parent, _, child = dotted.rpartition(".")
    if parent in _modules:
        attrs[dotted] = hasattr(sys.modules[parent], child)

import _warnings, gc, json, signal, faulthandler, locale

def _name(o):
    t = o if isinstance(o, type) else type(o)
    if callable(o) and not isinstance(o, type) and hasattr(o, "__qualname__"):
        t = o
    return "%s.%s" % (getattr(t, "__module__", "?"), getattr(t, "__qualname__", "?"))

def _stream(s):
    if s is None:
        return None
    return [s.encoding, s.errors, s.line_buffering, s.write_through]

def _handler(h):
    if h == signal.SIG_DFL: return "DFL"
    if h == signal.SIG_IGN: return "IGN"
    if h is signal.default_int_handler: return "INT"
    return None if h is None else "other"

def _filters():
    out = []
    for action, msg, cat, mod, lineno in _warnings.filters:
        if not (msg is None or isinstance(msg, str)) or not (mod is None or isinstance(mod, str)):
            return None
        out.append([action, msg, cat.__name__, mod, lineno])
    return out


result = {
    "version": sys.version,
    "executable": sys.executable,
    "modules": _modules,
    "builtins": _builtins,
    "main": _main,
    "path": sys.path,
    "meta_path": [_name(x) for x in sys.meta_path],
    "path_hooks": [_name(x) for x in sys.path_hooks],
    "importer_cache": [[k, None if v is None else _name(v)] for k, v in _cache],
    "flags": list(sys.flags),
    "streams": [_stream(sys.stdin), _stream(sys.stdout), _stream(sys.stderr)],
    "fs": [sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()],
    "ctype": locale.setlocale(locale.LC_CTYPE),
    "recursionlimit": sys.getrecursionlimit(),
    "switchinterval": sys.getswitchinterval(),
    "int_max_str_digits": getattr(sys, "get_int_max_str_digits", lambda: None)(),
    "dont_write_bytecode": sys.dont_write_bytecode,
    "pycache_prefix": sys.pycache_prefix,
    "warnoptions": sys.warnoptions,
    "xoptions": sys._xoptions,
    "filters": _filters(),
    "signals": {str(int(s)): _handler(signal.getsignal(s)) for s in signal.valid_signals()},
    "gc": [gc.isenabled(), list(gc.get_threshold())],
    "faulthandler": faulthandler.is_enabled(),
    "closures": closures,
    "visible_attrs": attrs,
}
sys.stdout.write(json.dumps(result) + "\n")
sys.stdout.flush()

class _AtShutdown:
    """Collected after CPython restored the builtins it copied at start-up."""
    def __init__(self):
        self.cycle = self
    def __del__(self, _write=os.write, _dumps=json.dumps, _b=__builtins__.__dict__):
        keep = {k: (repr(v) if k in ("__loader__", "__spec__", "__package__") else None)
                for k, v in _b.items()}
        _write(1, ("\n" + _dumps({"builtins_copy": keep}) + "\n").encode())

_at_shutdown = _AtShutdown()
del _AtShutdown
'''


def warm() -> None:
    """Called once by the fork server: import PRELOAD and measure a fresh interpreter."""
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass
    try:
        _warm()
    except Exception as e:  # the fork server must live on: every test then runs fresh
        _base.broken = f"warm-up failed: {type(e).__name__}: {e}"
    # Objects made so far live as long as the fork server: keep the program's collections
    # from walking them (a fresh interpreter's heap is small).
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    # Give back the heap the warm-up used: every byte mapped here counts against each
    # test's address-space limit, which a fresh interpreter does not pay.
    libc = ctypes.CDLL(None)
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _warm() -> None:
    server_modules = list(sys.modules)
    submodules = [m for m in server_modules if "." in m]
    env = dict(os.environ)
    # Read from stdin (`python3 -`): run as a script file is, with no file to write where
    # the supervisor wipes; `-c` differs (3.13 imports linecache for it).
    status, out, err = _spawn_probe([sys.executable, "-", *PRELOAD, "--", *submodules], env,
                                    _PROBE.encode())
    lines = [line for line in out.decode().splitlines() if line.strip()]
    if status != 0 or len(lines) != 2:
        raise RuntimeError(f"probe exit {status}: {err.decode(errors='replace').strip()[-300:]}")
    probe = json.loads(lines[0])
    shutdown = json.loads(lines[1])
    _base.env = env
    _base.probe = probe
    mismatch = _server_mismatch(probe)
    if mismatch:
        raise RuntimeError(f"the fork server does not start like a fresh interpreter: {mismatch}")
    restorable = {}
    for name, added in probe["closures"].items():
        if added is None:
            continue
        for m in added:
            if m in sys.modules and m not in probe["modules"]:
                restorable[m] = sys.modules[m]
    _base.closures = {k: v for k, v in probe["closures"].items() if v}
    _base.restorable = restorable
    _base.visible_attrs = probe["visible_attrs"]
    _base.meta_path = _match(sys.meta_path, probe["meta_path"])
    _base.path_hooks = _match(sys.path_hooks, probe["path_hooks"])
    _base.builtins_copy = _builtins_copy(shutdown["builtins_copy"])
    _base.stack_room = _main_stack_room()
    _base.runtime_finalizing = _find_finalizing_flag()
    _base.recursion_offset = _find_recursion_counter()
    _base.broken = None


def _spawn_probe(argv: list[str], env: dict[str, str],
                 stdin: bytes) -> tuple[int, bytes, bytes]:
    """Run argv with env and stdin, from /; collect its output. (Not subprocess: every
    module loaded here stays in the fork server's address space, and so in each test's.)"""
    in_r, in_w = os.pipe()
    if len(stdin) > 60000:  # what a pipe holds before anyone reads it
        raise RuntimeError("the probe does not fit a pipe")
    os.write(in_w, stdin)
    os.close(in_w)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(in_r, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.closerange(3, 1 << 16)
            os.chdir("/")
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(in_r)
    os.close(out_w)
    os.close(err_w)
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    import select

    open_fds = [out_r, err_r]
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [], 120)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            break
        for fd in ready:
            b = os.read(fd, 1 << 16)
            if b:
                chunks[fd].append(b)
            else:
                open_fds.remove(fd)
    os.close(out_r)
    os.close(err_r)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]), b"".join(chunks[err_r])


def _describe(o) -> str:
    t = o if isinstance(o, type) else type(o)
    if callable(o) and not isinstance(o, type) and hasattr(o, "__qualname__"):
        t = o
    return f"{getattr(t, '__module__', '?')}.{getattr(t, '__qualname__', '?')}"


def _match(current: list, wanted: list[str]) -> list:
    """The fork server's own import hooks, in the order a fresh interpreter has them."""
    pool = list(current)
    out = []
    for name in wanted:
        for o in pool:
            if _describe(o) == name:
                out.append(o)
                pool.remove(o)
                break
        else:
            raise RuntimeError(f"no import hook {name} in the fork server")
    return out


def _server_mismatch(probe: dict) -> str | None:
    """Start-up settings a forked child cannot change: they must already be the same."""
    if probe["version"] != sys.version or probe["executable"] != sys.executable:
        return "interpreter"
    if probe["flags"] != list(sys.flags):
        return f"sys.flags {probe['flags']} != {list(sys.flags)}"
    if probe["fs"] != [sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()]:
        return "file system encoding"
    import locale

    if probe["ctype"] != locale.setlocale(locale.LC_CTYPE):
        return "LC_CTYPE locale"
    for mine, theirs in zip((sys.__stdin__, sys.__stdout__, sys.__stderr__), probe["streams"]):
        if theirs is not None and mine is not None and [mine.encoding, mine.errors] != theirs[:2]:
            return "standard stream encodings"
    if probe["filters"] is None:
        return "warning filters"
    for m in probe["modules"]:
        if m not in sys.modules:
            return f"module {m} is missing"
    missing = [b for b in probe["builtins"] if b not in vars(builtins)]
    if missing:
        return f"builtins {missing} are missing"
    return None


def _builtins_copy(keys: dict) -> dict:
    """The builtins CPython copies at start-up and restores before clearing modules."""
    current = vars(builtins)
    out = {}
    for k, rep in keys.items():
        if rep is not None:
            if rep == "None":
                out[k] = None
            elif k in current and repr(current[k]) == rep:
                out[k] = current[k]
            else:
                raise RuntimeError(f"builtins.{k} at shutdown is {rep}")
        elif k in current:
            out[k] = current[k]
        else:
            raise RuntimeError(f"builtins.{k} is missing")
    return out


def _maps() -> list[tuple[int, int, str]]:
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            out.append((lo, hi, parts[5] if len(parts) > 5 else ""))
    return out


def _main_stack_room() -> int:
    """How far the main thread's stack can grow before it meets another mapping. A fresh
    process gets room for its whole RLIMIT_STACK; a fork inherits the fork server's layout."""
    try:
        maps = sorted(_maps())
    except OSError:
        return 0
    for i, (lo, hi, name) in enumerate(maps):
        if name == "[stack]":
            below = maps[i - 1][1] if i else 0
            return hi - below
    return 0


def _find_finalizing_flag() -> int:
    """Address of _PyRuntime._finalizing, which makes daemon threads stop at shutdown and
    sys.is_finalizing() answer True. Layout checked: 5 ints (1, 0, 1, 1, 1) then NULL."""
    try:
        rt = ctypes.addressof(ctypes.c_int.in_dll(ctypes.pythonapi, "_PyRuntime"))
    except (ValueError, AttributeError):
        return 0
    head = [ctypes.c_int.from_address(rt + 4 * i).value for i in range(5)]
    if head != [1, 0, 1, 1, 1] or ctypes.c_void_p.from_address(rt + 24).value:
        return 0
    get = ctypes.pythonapi.PyThreadState_Get
    get.restype = ctypes.c_void_p
    flag = ctypes.c_void_p.from_address(rt + 24)
    flag.value = get()
    try:
        ok = sys.is_finalizing()
    finally:
        flag.value = None
    return rt + 24 if ok else 0


def _tstate() -> int:
    get = ctypes.pythonapi.PyThreadState_Get
    get.restype = ctypes.c_void_p
    return get()


def _find_recursion_counter() -> int:
    """Offset of the thread state's Python recursion counter: the int that moves by one per
    nested Python call, down from the limit (3.11+: remaining, beside the limit) or up from
    zero (3.9, 3.10: depth). The frames under the program's module frame are the fork
    server's; a fresh interpreter has none, so run() sets the counter to what python3 has
    when it enters the module."""
    ts = _tstate()
    limit = sys.getrecursionlimit()

    def read() -> list[int]:
        return [ctypes.c_int.from_address(ts + o).value for o in range(0, 256, 4)]

    def nested() -> tuple[list[int], list[int]]:
        def deeper() -> list[int]:
            return read()

        return read(), deeper()

    outer, (inner, innermost) = read(), nested()
    found = []
    for i, v in enumerate(outer):
        if 0 < v <= limit and inner[i] - v == innermost[i] - inner[i] == -1:
            if i + 1 < len(outer) and outer[i + 1] == limit:  # remaining, then the limit
                found.append((i * 4, -1))
        elif 0 < v < limit and inner[i] - v == innermost[i] - inner[i] == 1:
            found.append((i * 4, 1))
    if len(found) != 1:
        return -1
    offset, _base.recursion_step = found[0]
    counter = ctypes.c_int.from_address(ts + offset)
    _base.exec_cost = _exec_cost(counter) * _base.recursion_step - 2
    return offset


def _exec_cost(counter) -> int:
    """How far the counter moves from a caller to a function called by code it exec()s:
    the module frame, the function's frame, and whatever the call into exec() adds. Like
    run(), this runs once and has no loop, so the call is not specialised (3.11's
    specialised builtin calls skip the recursion check that a plain call makes)."""
    namespace = {"read": lambda: counter.value}
    before = counter.value
    exec("value = read()", namespace)
    return namespace["value"] - before


# ---------------------------------------------------------------- the plan: here or fresh


def fresh_reason(path: str, env: dict[str, str]) -> str | None:
    """Why `path` with `env` must run in a fresh interpreter, or None if it runs in-process
    (limits are this process's). Reads the source; changes nothing in this process. The user
    site directory and stdin are looked at by prepare() only."""
    plan = _decide(path, env, compile_code=False)
    return plan.reason if plan.kind == _EXEC else None


def _decide(path: str, env: dict[str, str], compile_code: bool) -> _Plan:
    if _base.broken:
        return _Plan(_EXEC, _base.broken)
    why = _env_difference(env)
    if why:
        return _Plan(_EXEC, why)
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        return _Plan(_EXEC, f"cannot read the program: {e}")
    real, sys.stderr = sys.stderr, _StderrCapture()
    try:
        tree = ast.parse(source, path)
        if not compile_code:
            compile(source, path, "exec", dont_inherit=True)
    except BaseException as e:  # let python3 itself report what does not compile
        return _Plan(_EXEC, f"does not compile here: {type(e).__name__}")
    finally:
        sys.stderr = real
    why = _observes(tree)
    if why:
        return _Plan(_EXEC, why)
    if _raises_recursion_limit(tree) and not _stack_room_suffices():
        return _Plan(_EXEC, "raises the recursion limit; the fork server's stack has less room")
    plan = _Plan(_INPROCESS)
    plan.path = path
    plan.env = dict(env)
    if compile_code:
        plan.code = source  # compiled by prepare() once the warning filters are a fresh one's
    return plan


def _env_difference(env: dict[str, str]) -> str | None:
    """Environment variables read at interpreter start-up must match the probe's."""
    def startup(e: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in e.items()
                if k.startswith("PYTHON") or k in ("LC_ALL", "LC_CTYPE", "LANG")}

    a, b = startup(env), startup(_base.env)
    if a != b:
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return f"start-up environment differs: {', '.join(keys)}"
    return None


def _stack_room_suffices() -> bool:
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY:
        return False
    return _base.stack_room >= soft


def _raises_recursion_limit(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "setrecursionlimit":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "setrecursionlimit":
            return True
        if isinstance(node, ast.alias) and node.name == "setrecursionlimit":
            return True
    return False


def _observes(tree: ast.AST) -> str | None:
    """What in this program could show a difference between a fork and a fresh start."""
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(tree):
        if isinstance(node, (ast.Set, ast.SetComp)):
            return f"line {node.lineno}: builds a set (its order depends on the hash secret)"
        name = None
        if isinstance(node, ast.Name) and node.id in _REVEALING_NAMES:
            name = node.id
        elif isinstance(node, ast.Attribute):
            if node.attr in _VIEW_METHODS and not _view_read_in_order(node, parents):
                return f"line {node.lineno}: uses .{node.attr}() as a set"
            if node.attr in _REVEALING_ATTRIBUTES:
                name = node.attr
        elif isinstance(node, ast.alias) and (node.name in _REVEALING_ATTRIBUTES
                                              or node.name in _REVEALING_NAMES):
            name = node.name
        if name is not None:
            line = getattr(node, "lineno", None) or getattr(parents.get(id(node)), "lineno", "?")
            return f"line {line}: uses {name}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.level:
                return f"line {node.lineno}: relative import"
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for m in mods:
                if m.split(".")[0] not in _ALLOWED_MODULES:
                    return f"line {node.lineno}: imports {m}"
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if "/proc" in text:
                return f"line {node.lineno}: names /proc (the process's own entries differ)"
    return None


def _view_read_in_order(attr: ast.Attribute, parents: dict[int, ast.AST]) -> bool:
    call = parents.get(id(attr))
    if not (isinstance(call, ast.Call) and call.func is attr and not call.args):
        return False
    user = parents.get(id(call))
    if isinstance(user, ast.Starred):
        call, user = user, parents.get(id(user))
    if isinstance(user, (ast.For, ast.AsyncFor, ast.comprehension)):
        return user.iter is call
    if isinstance(user, ast.Call):
        return (call in user.args and isinstance(user.func, ast.Name)
                and user.func.id in _ORDER_ONLY_CALLS)
    if isinstance(user, ast.Compare):
        return all(isinstance(op, (ast.In, ast.NotIn)) for op in user.ops)
    return isinstance(user, ast.Expr)


# ---------------------------------------------------------------- prepare: a fresh start, in place


def prepare(path: str, env: dict[str, str]) -> None:
    """Give this forked child what `python3 path` started with `env` would have. Called after
    the child dropped its privileges, before run(). Decides first, changes state after: a
    program that must run fresh leaves everything untouched for run() to exec."""
    global _plan
    plan = _decide(path, env, compile_code=True)
    if plan.kind == _INPROCESS:
        _set_up(plan)
    else:
        plan.path, plan.env = path, dict(env)
    _plan = plan


def _set_up(plan: _Plan) -> None:
    probe = _base.probe
    _set_environ(plan.env)
    reason = _user_site_reason()
    if reason is None and _stdin_is_directory():
        reason = "stdin is a directory"
    if reason:
        plan.kind, plan.reason = _EXEC, reason
        return
    _set_signals(probe["signals"])
    _set_warnings(probe["filters"])
    streams = _make_streams(probe["streams"])
    plan.own = frozenset(id(o) for s in streams if s is not None
                         for o in (s, s.buffer, getattr(s.buffer, "raw", s.buffer)))
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    source, plan.code = plan.code, None
    captured = _StderrCapture()
    sys.stderr = captured
    try:
        # dont_inherit: this module's own __future__ imports must not reach the program.
        plan.code = compile(source, plan.path, "exec", dont_inherit=True)
    except BaseException as e:  # a fresh interpreter reports it, with its own stack depth
        plan.kind, plan.reason = _EXEC, f"does not compile here: {type(e).__name__}"
        return
    finally:
        sys.stderr = streams[2]
    plan.stderr_text = captured.text()
    main = types.ModuleType("__main__")
    _set_main(main, plan.path)
    plan.main = main
    plan.modules = _set_modules(main)
    _set_sys(plan.path, probe)
    _set_builtins(probe["builtins"])
    _set_interpreter(probe)
    _set_thread_stack_default()


class _StderrCapture:
    """Stands in for sys.stderr while compiling: what the compiler warns is kept for the
    in-process run and dropped when a fresh interpreter will say it again."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)


def _set_environ(env: dict[str, str]) -> None:
    os.environ.clear()
    for key, value in env.items():  # not update(): its Mapping check would cache dict's type
        os.environ[key] = value
    time = sys.modules.get("time")
    if time is not None and hasattr(time, "tzset"):
        time.tzset()  # the time module read TZ when it was imported


def _user_site_reason() -> str | None:
    """site computed the user site directory from the fork server's HOME; a fresh start
    computes it from the program's and, if it exists, adds it to sys.path."""
    site = sys.modules.get("site")
    if site is None or not hasattr(site, "getusersitepackages"):
        return None
    site.USER_BASE = None
    site.USER_SITE = None
    user_site = site.getusersitepackages()
    if site.ENABLE_USER_SITE and os.path.isdir(user_site):
        return f"the user site directory {user_site} exists"
    return None


def _stdin_is_directory() -> bool:
    try:
        return stat.S_ISDIR(os.fstat(0).st_mode)
    except OSError:
        return False


def _set_signals(handlers: dict[str, str | None]) -> None:
    for num, kind in handlers.items():
        sig = int(num)
        try:
            if kind == "DFL":
                _signal.signal(sig, _signal.SIG_DFL)
            elif kind == "IGN":
                _signal.signal(sig, _signal.SIG_IGN)
            elif kind == "INT":
                _signal.signal(sig, _signal.default_int_handler)
        except (OSError, ValueError):
            pass
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:
        pass


def _set_warnings(filters: list) -> None:
    _warnings.filters[:] = [
        (action, msg, getattr(builtins, cat), mod, lineno)
        for action, msg, cat, mod, lineno in filters
    ]
    _warnings._onceregistry.clear()
    _warnings._defaultaction = "default"
    # Registries that remember warnings already shown are reset by this version bump.
    _warnings._filters_mutated()


def _make_streams(spec: list) -> list:
    buffered = not spec[1][3] if spec[1] else True
    return [
        _make_stream(0, False, "<stdin>", spec[0], buffered),
        _make_stream(1, True, "<stdout>", spec[1], buffered),
        _make_stream(2, True, "<stderr>", spec[2], buffered),
    ]


def _make_stream(fd: int, write: bool, name: str, spec: list | None, buffered: bool):
    """CPython's create_stdio(): the same buffering, names, modes, line buffering."""
    if spec is None:
        return None
    try:
        os.close(os.dup(fd))
    except OSError:
        return None
    buffering = 0 if (write and not buffered) else -1
    buf = io.open(fd, "wb" if write else "rb", buffering, None, None, None, False)
    raw = buf.raw if buffering else buf
    raw.name = name
    line_buffering = buffered and (raw.isatty() or fd == 2)
    stream = io.TextIOWrapper(buf, spec[0], spec[1], "\n", line_buffering, not buffered)
    stream.mode = "w" if write else "r"
    return stream


def _set_main(main: types.ModuleType, path: str) -> None:
    external = sys.modules["_frozen_importlib_external"]
    d = main.__dict__
    d["__annotations__"] = {}
    d["__builtins__"] = builtins
    d["__file__"] = path
    d["__cached__"] = None
    d["__loader__"] = external.SourceFileLoader("__main__", path)


def _set_modules(main: types.ModuleType) -> dict:
    """sys.modules as a fresh interpreter has it; the rest stays loaded but out of sight."""
    modules = sys.modules
    baseline = _base.probe["modules"]
    visible = set(baseline)
    kept = [(name, main if name == "__main__" else modules[name]) for name in baseline]
    hidden = {name: mod for name, mod in modules.items() if name not in visible}
    modules.clear()
    modules.update(kept)
    pending = {name: mod for name, mod in _base.restorable.items() if name in hidden}
    # A hidden submodule left behind as an attribute of a visible package.
    for name, mod in hidden.items():
        parent_name, _, child = name.rpartition(".")
        parent = modules.get(parent_name) if parent_name else None
        if parent is not None and not _base.visible_attrs.get(name, False):
            if getattr(parent, child, None) is mod:
                try:
                    delattr(parent, child)
                except AttributeError:
                    pass
    _patch_import(modules, pending)
    return modules


# The replacement for importlib's _find_and_load_unlocked, compiled as if it were part of
# importlib so that import tracebacks leave it out as they leave out importlib's own frames.
_RESTORE_SOURCE = '''
def _find_and_load_unlocked(name, import_):
    if name not in _pending:
        return _original(name, import_)
    for dep in _closures.get(name) or (name,):
        if dep in _modules or dep not in _pending:
            continue
        mod = _modules[dep] = _pending.pop(dep)
        parent, _, child = dep.rpartition(".")
        if parent and parent in _modules:
            setattr(_modules[parent], child, mod)
    if name in _pending:
        _modules[name] = _pending.pop(name)
    return _modules[name]
'''


_RESTORE_CODE = compile(_RESTORE_SOURCE, "<frozen importlib._bootstrap>", "exec",
                        dont_inherit=True)


def _patch_import(modules: dict, pending: dict) -> None:
    bootstrap = modules["_frozen_importlib"]
    namespace = {
        "_pending": pending, "_closures": _base.closures, "_modules": modules,
        "_original": bootstrap._find_and_load_unlocked, "__builtins__": __builtins__,
    }
    exec(_RESTORE_CODE, namespace)
    bootstrap._find_and_load_unlocked = namespace["_find_and_load_unlocked"]


def _set_sys(path: str, probe: dict) -> None:
    sys.argv = [path]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [sys.executable, path]
    if getattr(sys.flags, "safe_path", False):
        sys.path = list(probe["path"])
    else:  # the probe's sys.path[0] is '' (it was read from stdin)
        sys.path = [_path0(path)] + list(probe["path"][1:])
    sys.meta_path = list(_base.meta_path)
    sys.path_hooks = list(_base.path_hooks)
    old = sys.path_importer_cache
    cache = {}
    for key, kind in probe["importer_cache"]:
        if key in old and (kind is None) == (old[key] is None):
            cache[key] = old[key]
        elif kind is None:
            cache[key] = None
    cache[path] = None  # python3 asks the path hooks for an importer of the script itself
    sys.path_importer_cache = cache
    sys.warnoptions = list(probe["warnoptions"])
    sys._xoptions = dict(probe["xoptions"])
    sys.dont_write_bytecode = probe["dont_write_bytecode"]
    sys.pycache_prefix = probe["pycache_prefix"]
    for name in ("last_type", "last_value", "last_traceback", "ps1", "ps2", "tracebacklimit"):
        sys.__dict__.pop(name, None)
    sys.displayhook = sys.__displayhook__
    sys.excepthook = sys.__excepthook__
    sys.breakpointhook = sys.__breakpointhook__
    sys.unraisablehook = sys.__unraisablehook__
    sys.settrace(None)
    sys.setprofile(None)
    sys.setrecursionlimit(probe["recursionlimit"])
    sys.setswitchinterval(probe["switchinterval"])
    if probe["int_max_str_digits"] is not None:
        sys.set_int_max_str_digits(probe["int_max_str_digits"])


def _path0(path: str) -> str:
    """sys.path[0] for `python3 path`: the directory of the script, symlinks resolved."""
    return os.path.dirname(os.path.realpath(path))


def _set_builtins(names: list[str]) -> None:
    wanted = set(names)
    d = vars(builtins)
    for name in [k for k in d if k not in wanted]:
        del d[name]


def _set_interpreter(probe: dict) -> None:
    enabled, threshold = probe["gc"]
    gc.set_threshold(*threshold)
    gc.set_debug(0)
    gc.callbacks.clear()
    (gc.enable if enabled else gc.disable)()
    faulthandler = sys.modules.get("faulthandler") or _base.restorable.get("faulthandler")
    if faulthandler is not None and faulthandler.is_enabled() != probe["faulthandler"]:
        faulthandler.disable()
    atexit._clear()  # the fork server's own exit handlers are not the program's
    _thread.stack_size(0)
    for mod in (sys.modules.get("threading"), _base.restorable.get("threading")):
        if mod is not None:
            mod.settrace(None)
            mod.setprofile(None)
            if hasattr(mod, "_threading_atexits"):
                mod._threading_atexits.clear()
                mod._SHUTTING_DOWN = False
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        linecache.clearcache()


_PthreadAttr = ctypes.c_char * 128  # pthread_attr_t is smaller; made here, not in each test


def _set_thread_stack_default() -> None:
    """glibc sizes a thread's default stack from RLIMIT_STACK when a process starts: a fresh
    interpreter gets the test's limit, a fork keeps the fork server's."""
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    libc = ctypes.CDLL(None)
    if soft == resource.RLIM_INFINITY or not hasattr(libc, "pthread_setattr_default_np"):
        return
    page = os.sysconf("SC_PAGE_SIZE")
    size = max(soft, 16384)
    size = (size + page - 1) // page * page
    attr = _PthreadAttr()
    if libc.pthread_attr_init(attr) != 0:
        return
    try:
        if libc.pthread_attr_setstacksize(attr, ctypes.c_size_t(size)) == 0:
            libc.pthread_setattr_default_np(attr)
    finally:
        libc.pthread_attr_destroy(attr)


# ---------------------------------------------------------------- run: Py_RunMain, Py_FinalizeEx

_NO_CODE = object()
_display = sys.__excepthook__  # PyErr_Display; the program may replace sys.__excepthook__
_default_unraisablehook = sys.__unraisablehook__


def run(path: str) -> int:
    """Execute the prepared program as __main__ and finalise the interpreter as CPython's
    Py_RunMain + Py_FinalizeEx would; return the exit status. A program that CPython ends
    by SIGINT (an uncaught KeyboardInterrupt) is ended by SIGINT here. A program that must
    run fresh is exec'd and this never returns. Once it returns, the interpreter is torn
    down: the caller is expected to os._exit at once."""
    global _plan
    plan, _plan = _plan, None
    if plan is None or plan.kind != _INPROCESS:
        env = plan.env if plan is not None and plan.env else dict(os.environ)
        os.execve(sys.executable, [sys.executable, path], env)
    if plan.stderr_text and sys.stderr is not None:
        sys.stderr.write(plan.stderr_text)
    modules, code, main, own = plan.modules, plan.code, plan.main, plan.own
    plan.code = plan.main = plan.modules = None
    namespace = main.__dict__
    del main, plan
    _credit_frames()
    error = None
    try:
        exec(code, namespace)
    except BaseException as e:
        error = e
    del code
    _flush_io()
    status, sigint = 0, False
    if error is not None:
        tb = error.__traceback__
        tb = tb.tb_next if tb is not None else None  # this frame; python3 has none
        error.__traceback__ = tb
        if isinstance(error, SystemExit):
            status = _system_exit_status(error)
            del error, tb
            # PyErr_Print -> Py_Exit: __main__.__file__ is still set during shutdown.
            namespace = None
            return 120 if _finalize(modules, own) < 0 else status
        sigint = type(error) is KeyboardInterrupt
        status = 1
        exit_status = _print_exception(type(error), error, tb)
        del error, tb
        if exit_status is not None:  # the excepthook raised SystemExit
            namespace = None
            return 120 if _finalize(modules, own) < 0 else exit_status
    namespace.pop("__file__", None)
    namespace.pop("__cached__", None)
    namespace = None
    if _finalize(modules, own) < 0:
        status = 120
    if sigint:
        status = _exit_sigint()
    return status


def _credit_frames() -> None:
    """python3 enters the module frame at depth 1; here the fork server's frames sit below
    it. Set the counter so that the module frame, reached through exec() from the caller,
    starts where python3's does (the limit stays as it is)."""
    offset = _base.recursion_offset
    if offset < 0:
        return
    counter = ctypes.c_int.from_address(_tstate() + offset)
    # The module frame must be at depth 1: exec() adds exec_cost and the frame itself one,
    # and the caller is one level above this frame once it returns.
    depth = 1 - _base.exec_cost
    if _base.recursion_step < 0:
        counter.value = sys.getrecursionlimit() - depth
    else:
        counter.value = depth


def _flush_io() -> None:
    """flush_io() after the program ran: stderr, then stdout, errors ignored."""
    for name in ("stderr", "stdout"):
        f = sys.__dict__.get(name)
        if f is not None:
            try:
                f.flush()
            except BaseException:
                pass


# From 3.12, an error met while handling SystemExit (an int code out of range, a code whose
# str() fails) stays pending and is reported when shutdown starts.
_KEEPS_SYSTEM_EXIT_ERRORS = sys.version_info >= (3, 12)
_leftover: list[BaseException] = []


def _system_exit_status(exc: BaseException) -> int:
    """_Py_HandleSystemExit(): the exit status a SystemExit gives, printing non-int codes."""
    value = exc
    try:
        code = exc.code
    except BaseException:
        code = _NO_CODE
    if code is not _NO_CODE:
        value = code
        if value is None:
            return 0
    if isinstance(value, int):
        number = int.__index__(value)
        if not -(1 << 63) <= number < 1 << 63:
            number = -1  # PyLong_AsLong overflows to -1
            if _KEEPS_SYSTEM_EXIT_ERRORS:
                _leftover.append(OverflowError("Python int too large to convert to C long"))
        return number & 0xFF
    stderr = sys.__dict__.get("stderr")
    if stderr is not None:
        try:
            write = stderr.write
            write(str(value))
        except BaseException as e:
            if _KEEPS_SYSTEM_EXIT_ERRORS:
                tb = e.__traceback__
                e.__traceback__ = tb.tb_next if tb is not None else None
                _leftover.append(e)
    else:
        try:
            os.write(2, str(value).encode("utf-8", "backslashreplace"))
        except BaseException:
            pass
    _write_stderr("\n")
    return 1


def _write_stderr(text: str) -> None:
    """PySys_WriteStderr(): through sys.stderr, else straight to file descriptor 2."""
    f = sys.__dict__.get("stderr")
    try:
        if f is None:
            raise OSError
        f.write(text)
    except BaseException:
        try:
            os.write(2, text.encode("utf-8", "backslashreplace"))
        except OSError:
            pass


def _print_exception(etype: type, value: BaseException, tb) -> int | None:
    """PyErr_Print(): remember the exception in sys.last_*, hand it to sys.excepthook.
    Returns an exit status if the hook itself raised SystemExit."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    hook = sys.__dict__.get("excepthook", _NO_CODE)
    if hook is _NO_CODE:
        _write_stderr("sys.excepthook is missing\n")
        _display(etype, value, tb)
        return None
    try:
        hook(etype, value, tb)
    except BaseException as e2:
        if isinstance(e2, SystemExit):
            return _system_exit_status(e2)
        tb2 = e2.__traceback__
        tb2 = tb2.tb_next if tb2 is not None else None
        e2.__traceback__ = tb2  # PyErr_Display shows the traceback the exception carries
        _write_stderr("Error in sys.excepthook:\n")
        _display(type(e2), e2, tb2)
        _write_stderr("\nOriginal exception was:\n")
        _display(etype, value, tb)
    return None


def _write_unraisable(exc: BaseException, obj, msg: str | None = None) -> None:
    """PyErr_WriteUnraisable(obj) for an exception caught one frame below the caller."""
    tb = exc.__traceback__
    tb = tb.tb_next if tb is not None else None
    exc.__traceback__ = tb
    args = _UnraisableHookArgs((type(exc), exc, tb, msg, obj))
    hook = sys.__dict__.get("unraisablehook")
    if hook is None:
        hook = _default_unraisablehook
    try:
        hook(args)
    except BaseException as e:
        _default_unraisablehook(_UnraisableHookArgs(
            (type(e), e, e.__traceback__, "Exception ignored in sys.unraisablehook", hook)))


def _unraisable_args_type() -> type:
    seen: list = []

    class _Raises:
        def __del__(self) -> None:
            raise RuntimeError

    old, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        _Raises()
    finally:
        sys.unraisablehook = old
    return type(seen[0])


_UnraisableHookArgs = _unraisable_args_type()
# How 3.13 words errors it reports during shutdown (earlier versions name the object).
_SHUTDOWN_ERROR_MESSAGE = ("Exception ignored on threading shutdown"
                           if sys.version_info >= (3, 13) else None)
_STDOUT_FLUSH_MESSAGE = ("Exception ignored on flushing sys.stdout"
                         if sys.version_info >= (3, 13) else None)
_GENERATORS = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
_PROXIES = (_weakref.ProxyType, _weakref.CallableProxyType)


def _exit_sigint() -> int:
    """exit_sigint(): die by SIGINT with its default action, as python3 does after an
    uncaught KeyboardInterrupt; 130 only if the signal did not end the process."""
    try:
        _set_signal(_SIGINT, _SIG_DFL)
        _kill(_getpid(), _SIGINT)
    except BaseException:
        pass
    return 130


def _finalize(modules: dict, own: frozenset[int]) -> int:
    """Py_FinalizeEx() up to the point where Python objects can still run code: wait for
    threads, run atexit handlers, flush the streams, tear the modules down in CPython's
    order (finalizers run and may still print), flush again. -1 if a flush failed."""
    status = 0
    threading = modules.get("threading")
    if _leftover:
        # wait_for_thread_shutdown() finds the error still pending; with threading loaded
        # the call into it swallows the error instead.
        if threading is None:
            e = _leftover.pop()
            _default_unraisablehook(_UnraisableHookArgs(
                (type(e), e, e.__traceback__, _SHUTDOWN_ERROR_MESSAGE, None)))
        del _leftover[:]
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException as e:
            _write_unraisable(e, threading)
    threading = None
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    if _base.runtime_finalizing:
        # From here other threads that try to run Python stop, as they do in CPython.
        ctypes.c_void_p.from_address(_base.runtime_finalizing).value = _tstate()
    if _flush_std_files() < 0:
        status = -1
    _signal_fini()
    if gc.isenabled():
        gc.collect()
    _finalize_modules(modules, own)
    # The program is gone; the caller still needs os._exit (the real one).
    os.__dict__["_exit"] = _os_exit
    if _flush_std_files() < 0:
        status = -1
    return status


def _flush_std_files() -> int:
    status = 0
    sysdict = vars(sys)
    out, err = sysdict.get("stdout"), sysdict.get("stderr")
    if out is not None and not _is_closed(out):
        try:
            out.flush()
        except BaseException as e:
            if _STDOUT_FLUSH_MESSAGE:
                _write_unraisable(e, None, _STDOUT_FLUSH_MESSAGE)
            else:
                _write_unraisable(e, out)
            status = -1
    if err is not None and not _is_closed(err):
        try:
            err.flush()
        except BaseException:
            status = -1
    return status


def _is_closed(f) -> bool:
    try:
        closed = f.closed
    except BaseException:
        return False
    try:
        return bool(closed)
    except BaseException:
        return False


def _signal_fini() -> None:
    """_PySignal_Fini(): signals handled by Python functions go back to the default."""
    for sig in range(1, signal.NSIG):
        try:
            handler = _signal.getsignal(sig)
        except (OSError, ValueError):
            continue
        if handler is None:
            continue
        if type(handler) is int and handler in (_signal.SIG_DFL, _signal.SIG_IGN):
            continue
        try:
            _signal.signal(sig, _signal.SIG_DFL)
        except (OSError, ValueError):
            pass


def _finalize_modules(modules: dict, own: frozenset[int], _ModuleType=types.ModuleType,
                      _len=len, _list=list, _reversed=reversed, _isinstance=isinstance, _vars=vars,
                      _collect=gc.collect, _callbacks=gc.callbacks) -> None:
    """finalize_modules() of CPython 3.9-3.12, step by step. Everything it needs is bound
    above: the builtins and sys namespaces are wiped on the way."""
    ref = _weakref.ref
    bdict, sysdict = _vars(builtins), _vars(sys)
    # finalize_modules_delete_special
    bdict["_"] = None
    for name in ("path", "argv", "ps1", "ps2", "last_type", "last_value", "last_traceback",
                 "path_hooks", "path_importer_cache", "meta_path", "__interactivehook__"):
        sysdict[name] = None
    for name in ("stdin", "stdout", "stderr"):
        sysdict[name] = sysdict.get("__" + name + "__")
    # finalize_remove_modules: every module's entry becomes None, in sys.modules order; a
    # module nobody else holds is freed right there (its finalizers run).
    weaklist = []
    names = _list(modules)
    seen = set(names)
    i = 0
    while i < _len(names):
        name = names[i]
        i += 1
        mod = modules.get(name)
        if _isinstance(mod, _ModuleType):
            weaklist.append((name, ref(mod)))
            mod = None
            modules[name] = None
        mod = None
        if i == _len(names):
            more = [k for k in modules if k not in seen]
            seen.update(more)
            names += more
    modules.clear()
    # finalize_restore_builtins
    # The values it drops die when the copy CPython keeps meanwhile is released, after.
    before = dict(bdict)
    bdict.clear()
    bdict.update(_base.builtins_copy)
    del before
    # _PyGC_CollectNoFail: collects even when disabled, without gc.callbacks
    saved = _callbacks[:]
    del _callbacks[:]
    _collect()
    _callbacks[:] = saved
    saved = None
    if not _finalizers_left(own):
        # What follows only drops the fork server's own objects (or none made since the
        # fork with a finalizer): it cannot print. But the standard streams die with sys.
        _flush_dying_streams(sysdict)
        return
    # finalize_modules_clear_weaklist: modules still alive, the latest imported first
    for name, wr in _reversed(weaklist):
        mod = wr()
        if mod is None:
            continue
        d = _vars(mod)
        mod = None
        if d is bdict or d is sysdict:
            continue
        _clear_module_dict(d)
        d = None
    _clear_module_dict(sysdict)
    _clear_module_dict(bdict)
    _collect()


def _finalizers_left(own: frozenset[int]) -> bool:
    """Could clearing the remaining modules run code made since the fork? Objects made
    before it were frozen by warm(): the program's are the only tracked objects left
    (besides the streams prepare() made, `own`), and only a finalizer (__del__, an io
    object's close, a generator's finally, a weakref callback) among them can do something
    visible."""
    for o in gc.get_objects():
        if id(o) in own:
            continue
        t = type(o)  # never the object itself: a dead weak proxy raises on any access
        if hasattr(t, "__del__") or issubclass(t, _GENERATORS) or t in _PROXIES:
            return True
        if issubclass(t, _weakref.ReferenceType) and o.__callback__ is not None:
            return True
    return False


def _flush_dying_streams(sysdict: dict) -> None:
    """The standard streams' finalizers, as clearing sys runs them: flush, errors ignored."""
    seen = []
    for name in ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__"):
        f = sysdict.get(name)
        if f is None or any(f is g for g in seen):
            continue
        seen.append(f)
        try:
            f.flush()
        except BaseException:
            pass


def _clear_module_dict(d: dict, _list=list, _str=str, _len=len, _isinstance=isinstance) -> None:
    """_PyModule_ClearDict(): names with one leading underscore first, then all but
    __builtins__, each set to None in dict order (finalizers run as values are dropped)."""
    for first_pass in (True, False):
        names = _list(d)
        i = 0
        while i < _len(names):
            k = names[i]
            i += 1
            if not _isinstance(k, _str):
                continue
            if first_pass:
                wanted = k[:1] == "_" and k[1:2] != "_"
            else:
                wanted = k != "__builtins__"
            if wanted and d.get(k) is not None:
                d[k] = None
            if i == _len(names):
                names += [n for n in _list(d) if n not in names]


# The finalisation above wipes the builtins namespace, then this module's code still runs:
# every builtin it uses is bound here, in its own globals, which nothing wipes.
from builtins import (  # noqa: E402, I001
    BaseException, OSError, RuntimeError, ValueError, bool, dict, getattr, hasattr,
    int, isinstance, len, list, range, repr, set, str, type, vars, zip,
)

# ... and so is what runs after the modules (os and _signal among them) were cleared.
_SIGINT, _SIG_DFL, _set_signal = int(signal.SIGINT), _signal.SIG_DFL, _signal.signal
_kill, _getpid, _os_exit = os.kill, os.getpid, os._exit


# ---------------------------------------------------------------- check: compile only


def check(path: str) -> int:
    """Compile the program as `python3 path` would before running it; on failure print what
    python3 prints (the error without a stack: compilation has none) and return 1."""
    import traceback

    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
        return 0
    except BaseException as e:
        sys.stderr = open(2, "w", closefd=False)
        traceback.print_exception(type(e), e, None)
        sys.stderr.flush()
        return 1
