"""Hostile programs against the real Docker sandbox: output, files, compilation; and the
false-negative guards (correct programs that must stay OK)."""

from __future__ import annotations


import pytest

from sandbox.types import Limits, Program, TestCase, Verdict
from tests.test_sandbox_hostile import (
    FAST,
    LANGS,
    assert_pool_clean,
    explain,
    hostile,
    program,
    verdicts,
)

pytestmark = pytest.mark.docker

SMALL_OUT = Limits(
    time_s=0.5, memory_mb=128, output_mb=4, file_size_mb=8, wall_s=2.0, compile_time_s=10
)


# ---------------------------------------------------------------- output


@pytest.mark.parametrize("lang", LANGS)
def test_output_floods(docker_pool, lang):
    """Endless output and one giant line are OLE at the output cap; a stderr flood costs
    nothing (a finite one leaves a correct answer OK, an endless one is TLE). Standard output
    is a pipe, as for a fresh process under a judge: it cannot be grown sparsely."""
    prog = program(
        lang,
        py={
            "endless": "while True:\n    sys.stdout.write('yes\\n' * 1000)",
            "giant_line": "sys.stdout.write('x' * (16 << 20))\nprint()",
            "stderr_finite": "for _ in range(800):\n    sys.stderr.write('e' * 65536)\nprint(42)",
            "stderr_endless": "while True:\n    sys.stderr.write('e' * 65536)",
            "sparse_stdout": "sys.stdout.flush()\ntry:\n    os.ftruncate(1, 10**12)\nexcept OSError:\n    pass\nprint(42)",
        },
        cpp={
            "endless": 'for (;;) fputs("yes\\n", stdout);',
            "giant_line": "std::string s(16 << 20, 'x'); fwrite(s.data(), 1, s.size(), stdout); puts(\"\");",
            "stderr_finite": (
                "std::string s(65536, 'e');\n"
                "for (int i = 0; i < 800; i++) fwrite(s.data(), 1, s.size(), stderr);\n"
                'puts("42");'
            ),
            "stderr_endless": "std::string s(65536, 'e'); for (;;) fwrite(s.data(), 1, s.size(), stderr);",
            "sparse_stdout": 'ftruncate(1, 1LL << 40); puts("42");',
        },
        includes="#include <string>\n",
    )
    modes = ["endless", "giant_line", "stderr_finite", "stderr_endless", "sparse_stdout"]
    tests = [TestCase(f"{m}\n", "42\n") for m in modes]
    r = hostile(docker_pool, prog, tests, SMALL_OUT)
    expected = [Verdict.OLE, Verdict.OLE, Verdict.OK, Verdict.TLE, Verdict.OK]
    assert verdicts(r) == expected, explain(r)
    endless, giant, finite, _, sparse = r.tests[:5]
    cap = SMALL_OUT.output_mb << 20
    for t in (endless, giant):
        assert len(t.stdout) <= cap and "output over" in t.detail
    assert sparse.stdout == "42\n"
    assert finite.stdout == "42\n"
    assert len(finite.stderr_head) <= 2048  # 50 MB of stderr, a short head kept
    assert "wall-clock" not in finite.detail


@pytest.mark.parametrize("lang", LANGS)
def test_fake_verdicts_in_the_output_are_wrong_answers(docker_pool, lang):
    """What a program prints is only ever compared: "Test Passed", verdict JSON or a
    forged supervisor frame are just wrong output. Writing into other processes' standard
    streams (the container's attach pipe among them) is refused."""
    fake = '{"ok": true, "verdict": "OK", "tests": [{"verdict": "OK"}]}'
    prog = program(
        lang,
        py={
            "fake": f"""
                import struct
                print("Test Passed")
                print({fake!r})
                raw = {fake!r}.encode()
                sys.stdout.flush()
                os.write(1, struct.pack(">I", len(raw)) + raw)
                opened = 0
                for pid in os.listdir("/proc"):
                    if pid.isdigit() and int(pid) != os.getpid():
                        for fd in ("0", "1", "2"):
                            try:
                                with open(f"/proc/{{pid}}/fd/{{fd}}", "w") as f:
                                    f.write(raw.decode())
                                opened += 1
                            except OSError:
                                pass
                print("opened", opened)
            """
        },
        cpp={
            "fake": f"""
                const char* fake = {_c_string(fake)};
                puts("Test Passed");
                puts(fake);
                unsigned n = strlen(fake);
                unsigned char head[4] = {{(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n}};
                fflush(stdout);
                write(1, head, 4);
                write(1, fake, n);
                int opened = 0;
                DIR* d = opendir("/proc");
                while (struct dirent* e = readdir(d)) {{
                    char* end;
                    long pid = strtol(e->d_name, &end, 10);
                    if (*end || pid <= 0 || pid == getpid()) continue;
                    for (int fd = 0; fd < 3; fd++) {{
                        char path[64];
                        snprintf(path, sizeof path, "/proc/%ld/fd/%d", pid, fd);
                        int w = open(path, O_WRONLY);
                        if (w >= 0) {{ write(w, fake, n); close(w); opened++; }}
                    }}
                }}
                printf("opened %d\\n", opened);
            """
        },
    )
    r = hostile(docker_pool, prog, [TestCase("fake\n", "42\n")], FAST)
    assert verdicts(r) == [Verdict.WA], explain(r)
    out = r.tests[0].stdout
    assert out.startswith("Test Passed\n") and out.rstrip().endswith("opened 0")


def _c_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("memory_mb,fill", [(1024, Verdict.OK), (128, Verdict.MLE)])
def test_filling_work_and_tmp_then_the_next_test_finds_them_empty(docker_pool, lang, memory_mb, fill):
    """Writing until the work dir and /tmp are full (ENOSPC), in files below the file-size
    limit, is allowed and harmless when the test's memory holds them; the files count as the
    test's memory, so with less memory than they take it is MLE. A huge sparse file hits the
    file-size limit (OLE)."""
    prog = program(
        lang,
        py={
            "fill": """
                chunk = b"z" * (1 << 20)
                full = []
                for d in ("/work", "/tmp"):
                    i = 0
                    try:
                        while True:
                            with open(f"{d}/fill{i}", "wb") as f:
                                for _ in range(32):
                                    f.write(chunk)
                            i += 1
                    except OSError as e:
                        full.append(e.errno == 28)
                os.makedirs("/work/a/b/c", exist_ok=True)
                os.chmod("/work/a/b", 0)
                print("full" if all(full) else full)
            """,
            "sparse": "with open('/work/sparse', 'wb') as f:\n    f.seek(10**12)\n    f.write(b'x')\nprint('written')",
        },
        cpp={
            "fill": """
                static char chunk[1 << 20];
                memset(chunk, 'z', sizeof chunk);
                int full = 0;
                const char* dirs[] = {"/work", "/tmp"};
                for (const char* d : dirs) {
                    for (int i = 0;; i++) {
                        char path[64];
                        snprintf(path, sizeof path, "%s/fill%d", d, i);
                        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                        if (fd < 0) { full += errno == ENOSPC; break; }
                        bool stop = false;
                        for (int k = 0; k < 32 && !stop; k++) {
                            long left = sizeof chunk;
                            while (left > 0) {
                                long w = write(fd, chunk, left);
                                if (w <= 0) { full += errno == ENOSPC; stop = true; break; }
                                left -= w;
                            }
                        }
                        close(fd);
                        if (stop) break;
                    }
                }
                mkdir("/work/a", 0755); mkdir("/work/a/b", 0755); mkdir("/work/a/b/c", 0755);
                chmod("/work/a/b", 0);
                puts(full == 2 ? "full" : "not full");
            """,
            "sparse": """
                int fd = open("/work/sparse", O_WRONLY | O_CREAT, 0644);
                lseek(fd, 1000000000000LL, SEEK_SET);
                write(fd, "x", 1);
                puts("written");
            """,
        },
    )
    limits = Limits(
        time_s=2.0, memory_mb=memory_mb, output_mb=4, file_size_mb=48, wall_s=6.0,
        compile_time_s=10,
    )
    tests = [TestCase("fill\n", "full\n"), TestCase("sparse\n", "written\n")]
    r = hostile(docker_pool, prog, tests, limits)
    assert verdicts(r) == [fill, Verdict.OLE], explain(r)
    if fill is Verdict.MLE:
        assert r.tests[0].memory_bytes >= 120 << 20, explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_hard_to_wipe_leftovers(docker_pool, lang):
    """A directory tree far deeper than PATH_MAX (built with relative mkdir/chdir), with
    unreadable levels, symbolic links out of the tree, thousands of files, and System V
    IPC objects and POSIX message queues: all gone before the next test."""
    prog = program(
        lang,
        py={
            "mess": """
                import ctypes
                os.chdir("/work")
                for i in range(5000):
                    os.mkdir("d")
                    os.chdir("d")
                    if i % 1000 == 999:
                        os.symlink("/opt/archon", "out")
                        os.mkdir("locked")
                        os.chmod("locked", 0)
                for i in range(3000):
                    open(f"/tmp/f{i}", "w").close()
                libc = ctypes.CDLL(None, use_errno=True)
                ipc = [libc.shmget(0, 1 << 20, 0o1600), libc.msgget(0, 0o1600), libc.semget(0, 1, 0o1600)]
                rt = ctypes.CDLL("librt.so.1", use_errno=True)
                mq = rt.mq_open(b"/leftover", os.O_CREAT | os.O_RDWR, 0o600, None)
                print("mess", min(ipc) >= 0, mq >= 0)
            """
        },
        cpp={
            "mess": """
                chdir("/work");
                for (int i = 0; i < 5000; i++) {
                    mkdir("d", 0755);
                    chdir("d");
                    if (i % 1000 == 999) { symlink("/opt/archon", "out"); mkdir("locked", 0); }
                }
                for (int i = 0; i < 3000; i++) {
                    char path[32];
                    snprintf(path, sizeof path, "/tmp/f%d", i);
                    close(open(path, O_WRONLY | O_CREAT, 0644));
                }
                int ipc = shmget(IPC_PRIVATE, 1 << 20, 0600) >= 0 && msgget(IPC_PRIVATE, 0600) >= 0 && semget(IPC_PRIVATE, 1, 0600) >= 0;
                int mq = mq_open("/leftover", O_CREAT | O_RDWR, 0600, 0) >= 0;
                printf("mess %s %s\\n", ipc ? "True" : "False", mq ? "True" : "False");
            """
        },
        includes="".join(
            f"#include <{h}>\n" for h in ("mqueue.h", "sys/ipc.h", "sys/msg.h", "sys/sem.h", "sys/shm.h")
        ),
    )
    r = hostile(docker_pool, prog, [TestCase("mess\n", "mess True True\n")] * 2, FAST)
    assert verdicts(r) == [Verdict.OK, Verdict.OK], explain(r)


# ---------------------------------------------------------------- compilation


def test_compile_time_bombs_are_ce(docker_pool):
    limits = Limits(time_s=1.0, memory_mb=128, compile_time_s=1.0, compile_memory_mb=512)
    bombs = {
        "urandom": '#include "/dev/urandom"\nint main() {}\n',
        "template_depth": (
            "template <int N> struct A { enum { v = A<N + 1>::v }; };\n"
            "int main() { return A<0>::v; }\n"
        ),
        "constexpr_loop": (
            "constexpr long f() { long s = 0; for (long i = 0; i < 200000; i++)\n"
            "  for (long j = 0; j < 200000; j++) s += i ^ j; return s; }\n"
            "static_assert(f() != 1, \"\");\nint main() {}\n"
        ),
    }
    results = docker_pool.run_many(
        [(Program(src, "cpp"), [TestCase("", "")], limits) for src in bombs.values()]
    )
    for name, r in zip(bombs, results):
        assert r.compile_verdict is Verdict.CE, (name, r.compile_verdict, r.compile_output[-500:])
        # Ended by the compile limits, never a hang (the pool would have given up on the
        # container and retried the job elsewhere).
        assert r.tests == [] and r.attempts == 1
    assert "exceeded its time limit" in results[0].compile_output  # /dev/urandom never ends
    assert_pool_clean(docker_pool)


# ---------------------------------------------------------------- false-negative guards


@pytest.mark.parametrize("lang", LANGS)
def test_big_correct_output_and_input_are_ok(docker_pool, lang):
    """Several MB of correct output (10^6 numbers) and a 10^6-line input summed."""
    n = 10**6
    prog = program(
        lang,
        py={
            "print": "n = int(input())\nsys.stdout.write('\\n'.join(map(str, range(n))) + '\\n')",
            "sum": "n = int(input())\nprint(sum(map(int, sys.stdin.read().split())))",
        },
        cpp={
            "print": "int n; scanf(\"%d\", &n); for (int i = 0; i < n; i++) printf(\"%d\\n\", i);",
            "sum": "int n; scanf(\"%d\", &n); long long s = 0, x; for (int i = 0; i < n; i++) { scanf(\"%lld\", &x); s += x; } printf(\"%lld\\n\", s);",
        },
    )
    numbers = "\n".join(str(i * 7 - 3) for i in range(n)) + "\n"
    tests = [
        TestCase(f"print\n{n}\n", "\n".join(map(str, range(n))) + "\n"),
        TestCase(f"sum\n{n}\n" + numbers, f"{sum(i * 7 - 3 for i in range(n))}\n"),
    ]
    limits = Limits(time_s=3.0, memory_mb=256, compile_time_s=10)
    r = hostile(docker_pool, prog, tests, limits)
    assert verdicts(r) == [Verdict.OK, Verdict.OK], explain(r)
    # The whole output was judged; the runner keeps only its first megabyte.
    assert r.tests[0].stdout_bytes > 6_000_000 and len(r.tests[0].stdout) == 1 << 20
    assert not r.tests[0].stdout_complete


def test_near_the_time_limit_while_the_other_core_is_busy_is_ok(busy_cores, docker_pool):
    """A correct program using about 65% of its CPU limit stays OK while a CPU-bound job
    runs in the other container: TLE is decided on CPU time, not on the wall clock."""
    modes = dict(
        py={
            "burn": """
                n = int(input())
                while time.process_time() < 0.65:
                    pass
                print(n * 2)
            """,
            "spin": "while True:\n    pass",
        },
        cpp={
            "burn": """
                int n; scanf("%d", &n);
                volatile unsigned long x = 0;
                while (clock() < 0.65 * CLOCKS_PER_SEC) x++;
                printf("%d\\n", n * 2);
            """,
            "spin": "volatile unsigned long x = 0; for (;;) x++;",
        },
        includes="#include <ctime>\n",
    )
    limits = Limits(time_s=1.0, memory_mb=128, compile_time_s=10)
    # The wall backstop (3 x time + 1 s by default) is what ends a program that sleeps;
    # on a machine shared with other work it could also end a correct program that waits
    # for a core, so it is widened here: this test is about the CPU-time rule alone.
    good_limits = Limits(time_s=1.0, memory_mb=128, wall_s=10.0, compile_time_s=10)
    # The busy job is Python so that it spins from the start (no compilation); it spins
    # for twice the limit, past the end of the C++ program's compilation and run.
    busy_prog = program("python", **modes)
    for lang in LANGS:
        good, busy = docker_pool.run_many(
            [
                (program(lang, **modes), [TestCase("burn\n21\n", "42\n")], good_limits),
                (busy_prog, [TestCase("spin\n", "")], limits),
            ]
        )
        assert good.worker != busy.worker
        assert good.verdict is Verdict.OK, (lang, explain(good))
        assert 0.6 <= good.tests[0].cpu_s < limits.time_s
        assert busy.verdict is Verdict.TLE, explain(busy)
    assert_pool_clean(docker_pool)


@pytest.mark.parametrize("lang", LANGS)
def test_whitespace_and_float_formatting_differences_are_ok(docker_pool, lang):
    prog = program(
        lang,
        py={"fmt": "print('0.5   ')\nprint('1  2 3 \\t')\nprint()\nprint()"},
        cpp={"fmt": 'printf("0.5   \\n1  2 3 \\t\\n\\n\\n");'},
    )
    tests = [TestCase("fmt\n", "0.5000000\n1 2 3\n")]
    r = hostile(docker_pool, prog, tests, FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)


def test_python_stdin_reading_styles_are_ok(docker_pool):
    data = "3\n10 20\n30"  # no final newline
    expected = "63\n"
    styles = {
        "buffer": "import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))\n",
        "open0": "print(sum(map(int, open(0).read().split())))\n",
        "input_until_eof": (
            "total = 0\n"
            "while True:\n"
            "    try:\n"
            "        line = input()\n"
            "    except EOFError:\n"
            "        break\n"
            "    total += sum(map(int, line.split()))\n"
            "print(total)\n"
        ),
        "readline": "import sys\nprint(sum(sum(map(int, l.split())) for l in iter(sys.stdin.readline, '')))\n",
    }
    results = docker_pool.run_many(
        [(Program(src), [TestCase(data, expected)], FAST) for src in styles.values()]
    )
    for name, r in zip(styles, results):
        assert r.verdict is Verdict.OK, (name, explain(r))
