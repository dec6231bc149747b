"""What one test holds, what it can reach, and what it can leave behind, against the real
Docker sandbox: memory counted over every process, memfd and file of a test; a supervisor no
program can kill or exhaust; special files in place of the answer file; a candidate's own
faults never reported as the sandbox's; and no state (pids, sockets, files, IPC) that
survives from one test, or one job, to the next."""

from __future__ import annotations

import textwrap

import pytest

from sandbox.types import Limits, Program, TestCase, Verdict
from tests.test_sandbox_hostile import LANGS, assert_pool_clean, explain, hostile, program, verdicts

pytestmark = pytest.mark.docker

MEM = Limits(time_s=2.0, memory_mb=128, wall_s=6.0, compile_time_s=20)


def isolated(pool) -> bool:
    return bool(pool.pool.isolation.get("namespaces")) and bool(pool.pool.isolation.get("cgroups"))


@pytest.fixture
def full_pool(docker_pool):
    if not isolated(docker_pool):
        pytest.fail(f"the sandbox runs without per-test cgroups or namespaces here: "
                    f"{docker_pool.pool.isolation}")
    return docker_pool


# ---------------------------------------------------------------- memory: the test's total


@pytest.mark.parametrize("lang", LANGS)
def test_memory_spread_over_processes_memfds_and_files_is_mle(full_pool, lang):
    """Four processes of 48 MiB each, a 200 MiB memfd, 200 MiB of files on the tmpfs: each
    below the limit per process, each several times the test's limit in total."""
    prog = program(
        lang,
        py={
            "procs": """
                kids = []
                for _ in range(4):
                    pid = os.fork()
                    if pid == 0:
                        block = bytearray(48 << 20)
                        for i in range(0, len(block), 4096):
                            block[i] = 1
                        time.sleep(3)
                        os._exit(0)
                    kids.append(pid)
                for pid in kids:
                    os.waitpid(pid, 0)
                print(0)
            """,
            "memfd": """
                chunk = b"m" * (1 << 20)
                fds = [os.memfd_create("hoard") for _ in range(4)]
                for fd in fds:  # each below the file-size limit, together far over memory
                    for _ in range(50):
                        os.write(fd, chunk)
                print(0)
            """,
            "files": """
                chunk = b"f" * (1 << 20)
                for i in range(200):
                    with open(f"/work/f{i}", "wb") as f:
                        f.write(chunk)
                print(0)
            """,
        },
        cpp={
            "procs": """
                for (int k = 0; k < 4; k++) if (fork() == 0) {
                    char* b = (char*)malloc(48 << 20);
                    for (long i = 0; i < (48 << 20); i += 4096) b[i] = 1;
                    sleep(3); _exit(0);
                }
                while (wait(nullptr) > 0) {}
                puts("0");
            """,
            "memfd": """
                static char chunk[1 << 20];
                memset(chunk, 'm', sizeof chunk);
                for (int k = 0; k < 4; k++) {
                    int fd = memfd_create("hoard", 0);
                    for (int i = 0; i < 50; i++) if (write(fd, chunk, sizeof chunk) < 0) break;
                }
                puts("0");
            """,
            "files": """
                static char chunk[1 << 20];
                memset(chunk, 'f', sizeof chunk);
                for (int i = 0; i < 200; i++) {
                    char p[64]; snprintf(p, sizeof p, "/work/f%d", i);
                    int fd = open(p, O_WRONLY | O_CREAT, 0644);
                    if (fd < 0 || write(fd, chunk, sizeof chunk) < 0) break;
                    close(fd);
                }
                puts("0");
            """,
        },
        includes="#include <sys/mman.h>\n",
    )
    tests = [TestCase(f"{m}\n", "0\n") for m in ("procs", "memfd", "files")]
    r = hostile(full_pool, prog, tests, MEM)
    assert verdicts(r) == [Verdict.MLE] * 3, explain(r)
    for t in r.tests[:3]:
        # The reported memory is the test's total, at its limit.
        assert (MEM.memory_mb - 8) << 20 <= t.memory_bytes <= (MEM.memory_mb + 8) << 20, explain(r)


def test_memory_reported_is_the_total_of_all_processes(full_pool):
    """Two processes of 40 MiB each under a 128 MiB limit: OK, and reported as ~80 MiB."""
    prog = Program(textwrap.dedent("""
        import os, time
        pid = os.fork()
        block = bytearray(40 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(0.3)
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        print(1)
    """))
    r = full_pool.run(prog, [TestCase("", "1\n")], MEM)
    assert r.verdict is Verdict.OK, r.to_dict()
    assert 80 << 20 <= r.tests[0].memory_bytes < 120 << 20, r.to_dict()


# ---------------------------------------------------------------- the supervisor survives


def test_a_program_that_resets_its_oom_score_cannot_make_the_kernel_kill_the_sandbox(full_pool):
    """A C++ program writes its own oom_score_adj back to 0, then fills memory: the kernel's
    OOM killer acts inside the test only. MLE, and the same container goes on."""
    prog = program(
        "cpp",
        py={},
        cpp={
            "oom": """
                int fd = open("/proc/self/oom_score_adj", O_WRONLY);
                if (fd >= 0) { write(fd, "0", 1); close(fd); }
                std::vector<char*> v;
                for (;;) { char* c = (char*)malloc(16 << 20); for (long i = 0; i < (16 << 20); i += 4096) c[i] = 1; v.push_back(c); }
            """,
        },
        includes="#include <vector>\n",
    )
    r = hostile(full_pool, prog, [TestCase("oom\n", "0\n")] * 3, MEM)
    assert verdicts(r) == [Verdict.MLE] * 3, explain(r)


def test_a_thousand_tests_at_the_output_cap_stream_with_true_verdicts(full_pool):
    """Every test prints (just under) the output cap: results stream one test at a time, so
    neither the supervisor nor the container holds them all; every verdict is true."""
    limits = Limits(time_s=2.0, memory_mb=64, output_mb=1, wall_s=6.0)
    line = "y" * 1023 + "\n"
    body = line * 1023  # 1 MiB less one line
    prog = Program(f"import sys\nn = int(input())\nsys.stdout.write({line!r} * 1023)\nprint(n)\n")
    tests = [TestCase(f"{i}\n", body + f"{i}\n") for i in range(1000)]
    tests[500] = TestCase("500\n", body + "-1\n")  # one wrong answer among them
    r = full_pool.run(prog, tests, limits)
    got = [t.verdict for t in r.tests]
    assert len(got) == 1000 and r.attempts == 1
    assert got[500] is Verdict.WA and got.count(Verdict.OK) == 999, set(got)
    assert all(t.stdout_bytes == len(body) + len(f"{i}\n") for i, t in enumerate(r.tests))
    assert_pool_clean(full_pool, r.worker)


# ---------------------------------------------------------------- file I/O problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink", "socket"])
def test_special_files_in_place_of_the_answer_file_are_the_tests_own_verdict(docker_pool, lang, kind):
    """The program makes its answer file a FIFO, a directory, a symlink or a socket: that
    test is judged as having written no answer (WA), at once, and the next test runs."""
    make = {
        "fifo": ("os.mkfifo('out.txt')", 'mkfifo("out.txt", 0644);'),
        "directory": ("os.mkdir('out.txt')", 'mkdir("out.txt", 0755);'),
        "symlink": ("os.symlink('/etc/passwd', 'out.txt')", 'symlink("/etc/passwd", "out.txt");'),
        "socket": (
            "import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind('out.txt')",
            'int s = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = {}; a.sun_family = AF_UNIX; '
            'strcpy(a.sun_path, "out.txt"); bind(s, (struct sockaddr*)&a, sizeof a);',
        ),
    }[kind]
    good = ("open('out.txt', 'w').write(open('in.txt').read())",
            'FILE* i = fopen("in.txt", "r"); FILE* o = fopen("out.txt", "w"); int c; '
            'while ((c = fgetc(i)) != EOF) fputc(c, o); fclose(o);')
    prog = program(
        lang,
        py={"special": make[0], "good": good[0]},
        cpp={"special": make[1], "good": good[1]},
        includes="#include <sys/socket.h>\n#include <sys/un.h>\n",
    )
    # The mode word is read from stdin; the input file holds the same text.
    tests = [TestCase("special\n", "special\n"), TestCase("good\n", "good\n")]
    r = docker_pool.run(prog, tests, Limits(time_s=2.0, wall_s=4.0, compile_time_s=20),
                        input_file="in.txt", output_file="out.txt")
    assert r.attempts == 1 and r.compile_verdict is None, r.compile_output
    assert [t.verdict for t in r.tests] == [Verdict.WA, Verdict.OK], explain(r)
    assert r.tests[0].time_s < 2.0, explain(r)


# ---------------------------------------------------------------- the candidate's own faults


def test_a_binary_the_kernel_refuses_to_execute_is_re_not_se(docker_pool):
    """An ELF whose interpreter section is garbage (bytes the program appends to it, with no
    terminating NUL) is refused by execve (ENOEXEC): the candidate's own fault, RE, never a
    sandbox error."""
    prog = Program(textwrap.dedent("""
        #include <cstdio>
        asm(".section .interp,\\"a\\",@progbits\\n.ascii \\"garbage\\"\\n.previous\\n");
        int main() { puts("1"); }
    """), "cpp")
    r = docker_pool.run(prog, [TestCase("", "1\n")] * 2, MEM)
    assert r.compile_verdict is None, r.compile_output
    assert [t.verdict for t in r.tests] == [Verdict.RE] * 2, explain(r)
    assert "cannot execute" in r.tests[0].detail, explain(r)


@pytest.mark.parametrize("source,why", [
    ("x = (" * 200 + "1" + ")" * 200, "too many nested parentheses"),
    ("a = 1\n" + "b = " + "-" * 100000 + "1\n", "Recursion"),
])
def test_a_program_that_breaks_compile_itself_is_ce_with_a_message(docker_pool, source, why):
    r = docker_pool.run(Program(source), [TestCase("", "1\n")], MEM)
    assert r.compile_verdict is Verdict.CE, r.to_dict()
    assert r.compile_output.strip(), "a compile error must say why"


# ---------------------------------------------------------------- channels between tests


def test_no_network_socket_and_no_io_uring(full_pool):
    prog = Program(textwrap.dedent("""
        import ctypes, errno, os, socket
        out = []
        for fam in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):
            try:
                socket.socket(fam, socket.SOCK_RAW if fam == socket.AF_PACKET else socket.SOCK_DGRAM)
                out.append("open")
            except OSError as e:
                out.append(errno.errorcode[e.errno])
        a, b = socket.socketpair()
        a.send(b"x")
        out.append(b.recv(1).decode())
        libc = ctypes.CDLL(None, use_errno=True)
        params = ctypes.create_string_buffer(120)
        rc = libc.syscall(425, 8, params)  # io_uring_setup
        out.append(errno.errorcode.get(ctypes.get_errno(), "?") if rc < 0 else "io_uring")
        print(*out)
    """))
    r = full_pool.run(prog, [TestCase("")], MEM)
    words = r.tests[0].stdout.split()
    assert r.verdict is Verdict.OK and words[:4] == ["EAFNOSUPPORT"] * 4 and words[4] == "x", r.to_dict()
    assert words[5] == "ENOSYS", r.to_dict()


def test_the_pid_counter_carries_nothing_from_one_test_or_job_to_the_next(full_pool):
    """A test forks a number of times it chooses; the next test (and the next job in the same
    container) sees the same pids, whatever that number was: nothing to read there."""
    prog = Program(textwrap.dedent("""
        import os
        n = int(input())
        child = os.fork()
        if child == 0:
            os._exit(0)
        os.waitpid(child, 0)
        procs = len([e for e in os.listdir("/proc") if e.isdigit()])
        print(os.getpid(), os.getppid(), child, procs)
        for _ in range(n):  # what a test could try to tell the next one
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
    """))
    runs = [full_pool.run(prog, [TestCase(f"{n}\n") for n in (0, 37, 300, 5)], MEM) for _ in range(2)]
    seen = {t.stdout for r in runs for t in r.tests}
    assert seen == {"2 0 3 0\n"}, seen


def _host_processes(uids: set[int]) -> list[dict]:
    """Processes on this host (containers' included) owned by one of ``uids``: their
    /proc status fields and open descriptors."""
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
            if int(status["Uid"].split()[0]) not in uids:
                continue
            fds = os.listdir(f"/proc/{pid}/fd")
        except (OSError, KeyError, ValueError):
            continue
        found.append({"status": status, "fds": fds})
    return found


def test_pid_1_of_a_test_holds_no_descriptor_and_no_capability(full_pool):
    """Pid 1 of the test's namespace (it only has to exist, so the whole namespace dies with
    it) is seen from the host while the program runs: pid 1 inside, the candidate's uid, no
    capability, no open descriptor (none of the test's pipes), and the program's parent is
    outside the namespace."""
    import threading
    import time

    prog = Program("import os, time\nprint(os.getpid(), os.getppid())\ntime.sleep(1.5)\n")
    uids = {w.uid for w in full_pool.pool._workers}
    result = {}
    runner = threading.Thread(target=lambda: result.update(r=full_pool.run(prog, [TestCase("")], MEM)))
    runner.start()
    inits = []
    while runner.is_alive() and not inits:
        inits = [p for p in _host_processes(uids) if p["status"]["NSpid"].split()[-1] == "1"]
        time.sleep(0.05)
    runner.join()
    assert result["r"].tests[0].verdict is Verdict.OK, explain(result["r"])
    assert result["r"].tests[0].stdout == "2 0\n"
    assert inits, "no pid 1 of a test seen while the program ran"
    for p in inits:
        status = p["status"]
        assert {status[k] for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")} == {"0000000000000000"}, status
        assert p["fds"] == [], p


def test_no_socket_state_or_files_or_ipc_survive_into_the_next_test(full_pool):
    """Everything a test could leave for the next one to read: TCP state (no socket can be
    made), files on /work and /tmp, System V IPC, POSIX message queues, abstract unix
    sockets, the inode and mtime of the work dir."""
    prog = Program(textwrap.dedent("""
        import ctypes, os, socket, sys
        mode = input().strip()
        libc = ctypes.CDLL(None, use_errno=True)
        if mode == "leave":
            for d in ("/work", "/tmp"):
                for i in range(50):
                    open(f"{d}/left{i}", "w").write("secret")
            libc.shmget(0x5EC2E7, 4096, 0o1666)
            libc.msgget(0x5EC2E7, 0o1666)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(b"\\0archon-left-behind")
            print("left")
        else:
            seen = []
            for d in ("/work", "/tmp"):
                seen += os.listdir(d)
                st = os.stat(d)
                seen.append(f"ino={st.st_ino}")
            seen.append(f"shm={libc.shmget(0x5EC2E7, 0, 0)}")
            seen.append(f"msg={libc.msgget(0x5EC2E7, 0)}")
            fd = os.open("/work/probe", os.O_CREAT | os.O_WRONLY)
            seen.append(f"file_ino={os.fstat(fd).st_ino}")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                s.connect(b"\\0archon-left-behind")
                seen.append("abstract=found")
            except OSError:
                seen.append("abstract=none")
            print(*seen)
    """))
    before = full_pool.run(prog, [TestCase("look\n")], MEM).tests[0].stdout
    r = full_pool.run(prog, [TestCase("leave\n"), TestCase("look\n")], MEM)
    assert r.tests[0].stdout == "left\n", explain(r)
    assert r.tests[1].stdout == before, (before, r.tests[1].stdout)
    assert "shm=-1" in before and "msg=-1" in before and "abstract=none" in before

