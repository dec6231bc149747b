"""The candidate's seccomp filter on the real kernel, in child processes (a filter cannot be
removed): every denied class answers with its errno, other ABIs are killed, and real C++,
Python and JVM programs still run. The aarch64 program, which this machine cannot run, is
checked by a small classic-BPF interpreter that the x86_64 results validate."""

from __future__ import annotations

import errno
import glob
import json
import os
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox import seccomp_filter as sf

PROBE_SOURCE = Path(__file__).parent / "fixtures" / "seccomp_probe.cpp"
# Installs the filter, then becomes the program named by its arguments: what the program
# runs under is exactly what a candidate inherits through execve.
LAUNCH = ("import os, sys; from sandbox.seccomp_filter import install_candidate_filter; "
          "install_candidate_filter(); os.execvp(sys.argv[1], sys.argv[1:])")
OK = "ok"
KILLED = f"signal {int(signal.SIGSYS)}"
X86_64 = sf.arch_for().name == "x86_64"


def err(code: int) -> str:
    return f"errno {code}"


# What each probe (tests/fixtures/seccomp_probe.cpp) gets under the candidate's filter.
# Every refusal comes from the filter before the kernel looks at the call, so this holds
# for root on the host and for the candidate uid in a container alike.
FILTERED = {
    "getppid": OK, "fork": OK, "clone_fork": OK, "shm": OK, "prctl_get_name": OK,
    "clone_newuser": err(errno.EPERM), "clone_newnet": err(errno.EPERM),
    "clone3": err(errno.ENOSYS),
    "unshare_user": err(errno.EPERM), "unshare_user_net": err(errno.EPERM),
    "unshare_files": err(errno.EPERM), "setns": err(errno.EPERM),
    "mount": err(errno.EPERM), "umount2": err(errno.EPERM), "pivot_root": err(errno.EPERM),
    "chroot": err(errno.EPERM),
    **{name: err(errno.ENOSYS) for name in (
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
        "open_tree_attr", "mount_setattr", "io_uring_setup", "io_uring_enter",
        "io_uring_register")},
    "socket_unix": OK, "socketpair_unix": OK,
    **{name: err(errno.EAFNOSUPPORT) for name in (
        "socket_inet", "socket_inet6", "socket_netlink", "socket_packet",
        "socket_inet_high_bits", "socketpair_inet")},
    **{name: err(errno.EPERM) for name in (
        "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "ptrace",
        "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
        "lookup_dcookie", "name_to_handle_at", "open_by_handle_at", "personality_no_aslr",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "seccomp",
        "prctl_set_seccomp")},
    "personality_query": OK, "personality_linux": OK,
}
if X86_64:
    FILTERED.update(iopl=err(errno.EPERM), ioperm=err(errno.EPERM),
                    modify_ldt=err(errno.EPERM), int80_getpid=KILLED, x32_getpid=KILLED)

# Probes whose answer without the filter differs from the filtered one whatever the
# privileges and kernel configuration: proof that the errno above is the filter's doing.
UNFILTERED_DIFFERS = [
    "clone3", "unshare_files", "setns", "fsopen", "fsconfig", "fsmount", "fspick",
    "move_mount", "open_tree", "mount_setattr", "socket_inet", "socket_netlink",
    "socket_inet_high_bits", "socketpair_inet", "pidfd_getfd", "process_madvise",
    "process_vm_readv", "personality_no_aslr", "seccomp", "prctl_set_seccomp",
    "clock_adjtime", "adjtimex",
] + (["modify_ldt", "int80_getpid", "x32_getpid"] if X86_64 else [])


def parse_probe(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        name, result = line.split(" ", 1)
        out[name] = result
    return out


def filtered(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LAUNCH, *argv], capture_output=True,
                          text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> str:
    exe = tmp_path_factory.mktemp("probe") / "seccomp_probe"
    subprocess.run(["g++", "-O2", "-o", str(exe), str(PROBE_SOURCE)], check=True)
    return str(exe)


def test_every_denied_class_answers_with_its_errno(probe):
    got = parse_probe(filtered([probe]).stdout)
    assert got == FILTERED
    plain = parse_probe(subprocess.run([probe], capture_output=True, text=True).stdout)
    same = [name for name in UNFILTERED_DIFFERS if plain[name] == FILTERED[name]]
    assert not same, f"these answer the same without the filter: {same}"


@pytest.mark.skipif(not X86_64, reason="the i386 and x32 ABIs exist on x86_64 only")
def test_32_bit_and_x32_system_calls_kill_the_process(probe):
    """`int $0x80` from a 64-bit program reaches the i386 table, where the native numbers
    mean other calls: a filter that knows one table must kill it, and does."""
    got = parse_probe(filtered([probe, "int80_getpid", "x32_getpid", "getppid"]).stdout)
    assert got == {"int80_getpid": KILLED, "x32_getpid": KILLED, "getppid": OK}
    plain = parse_probe(subprocess.run([probe, "int80_getpid"], capture_output=True,
                                       text=True).stdout)
    assert plain == {"int80_getpid": OK}


def test_a_forked_python_child_keeps_working_under_the_filter():
    """The supervisor's preloaded path: a forked interpreter installs the filter and runs
    Python in-process. Sockets other than AF_UNIX fail cleanly; fork, threads, socketpair
    and random numbers work; namespaces are refused."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            import ctypes
            import random
            import socket
            import threading

            sf.install_candidate_filter()
            report = {}
            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                report["inet"] = "created"
            except OSError as e:
                report["inet"] = e.errno
            a, b = socket.socketpair()
            a.sendall(b"ping")
            report["socketpair"] = b.recv(4).decode()
            seen = []
            t = threading.Thread(target=lambda: seen.append(random.SystemRandom().random()))
            t.start()
            t.join()
            report["thread"] = len(seen)
            child = os.fork()
            if child == 0:
                os._exit(7)
            report["fork"] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
            libc = ctypes.CDLL(None, use_errno=True)
            libc.unshare(sf.CLONE_NEWUSER)
            report["unshare"] = ctypes.get_errno()
            report["urandom"] = len(os.urandom(16))
            os.write(write_end, json.dumps(report).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        report = json.loads(f.read() or b"{}")
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert report == {"inet": errno.EAFNOSUPPORT, "socketpair": "ping", "thread": 1,
                      "fork": 7, "unshare": errno.EPERM, "urandom": 16}


CPP_THREADS = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    long long n;
    cin >> n;
    vector<long long> part(4);
    vector<thread> ts;
    for (int t = 0; t < 4; t++)
        ts.emplace_back([&, t] { for (long long i = t; i <= n; i += 4) part[t] += i; });
    for (auto &t : ts) t.join();
    cout << accumulate(part.begin(), part.end(), 0LL) << "\n";
}
"""


def test_cpp_program_with_threads(tmp_path):
    src = tmp_path / "main.cpp"
    src.write_text(CPP_THREADS)
    exe = tmp_path / "main"
    subprocess.run(["g++", "-O2", "-pthread", "-o", str(exe), str(src)], check=True)
    r = filtered([str(exe)], input="1000000\n")
    assert (r.returncode, r.stdout) == (0, "500000500000\n"), r.stderr


PYTHON_PROGRAM = """
import decimal, random, re, subprocess, sys, threading
from concurrent.futures import ThreadPoolExecutor

n = int(sys.stdin.readline())
with ThreadPoolExecutor(4) as ex:
    total = sum(ex.map(lambda k: k * k, range(n)))
decimal.getcontext().prec = 30
third = decimal.Decimal(1) / decimal.Decimal(3)
words = re.findall(r"[a-z]+", "seccomp keeps programs honest")
with open("/dev/urandom", "rb") as f:
    noise = f.read(8)
random.seed(1)
# A child process inherits the filter through fork and execve.
child = subprocess.run([sys.executable, "-c", "import socket; socket.socket()"],
                       capture_output=True, text=True)
print(total, str(third)[:8], len(words), len(noise), random.randint(1, 6),
      child.returncode, "Address family not supported" in child.stderr)
"""


def test_python_program_with_threads_and_a_child(tmp_path):
    prog = tmp_path / "main.py"
    prog.write_text(PYTHON_PROGRAM)
    r = filtered([sys.executable, str(prog)], input="100\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "328350 0.333333 4 8 2 1 True\n"


def test_python_socket_fails_cleanly_under_the_filter():
    argv = [sys.executable, "-c", "import socket; socket.socket()"]
    r = filtered(argv)
    assert r.returncode == 1
    assert "OSError: [Errno 97] Address family not supported by protocol" in r.stderr
    assert subprocess.run(argv, capture_output=True).returncode == 0


JAVA_PROGRAM = """
import java.util.*;
import java.util.concurrent.*;

public class Main {
    public static void main(String[] args) throws Exception {
        int n = new Scanner(System.in).nextInt();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            final int first = t;
            parts.add(pool.submit(() -> {
                long s = 0;
                for (long i = first; i <= n; i += 4) s += i;
                return s;
            }));
        }
        long total = 0;
        for (Future<Long> f : parts) total += f.get();
        pool.shutdown();
        System.out.println(total);
    }
}
"""


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_jvm_program_with_threads(tmp_path):
    """Java 17 starts threads with clone3 and falls back to clone on ENOSYS; it also uses
    futex, madvise, sched_getaffinity, sysinfo and rseq, all left alone."""
    (tmp_path / "Main.java").write_text(JAVA_PROGRAM)
    subprocess.run(["javac", "Main.java"], cwd=tmp_path, check=True)
    r = filtered(["java", "-Xmx256m", "-cp", str(tmp_path), "Main"], input="1000000\n")
    assert (r.returncode, r.stdout) == (0, "500000500000\n"), r.stderr


# ---------------------------------------------------------------- the program itself


def run_bpf(code, nr: int, arch: int, args=()) -> int:
    """A classic-BPF interpreter for the opcodes the filter uses, over seccomp_data."""
    data = struct.pack("<IIQ6Q", nr & 0xFFFFFFFF, arch, 0, *(list(args) + [0] * 6)[:6])
    pc, acc = 0, 0
    for _ in range(len(code)):
        op, jt, jf, k = code[pc]
        if op == sf.BPF_LD_W_ABS:
            (acc,) = struct.unpack_from("<I", data, k)
            pc += 1
        elif op == sf.BPF_JMP_JA:
            pc += 1 + k
        elif op in (sf.BPF_JEQ_K, sf.BPF_JGE_K, sf.BPF_JSET_K):
            taken = {sf.BPF_JEQ_K: acc == k, sf.BPF_JGE_K: acc >= k,
                     sf.BPF_JSET_K: bool(acc & k)}[op]
            pc += 1 + (jt if taken else jf)
        elif op == sf.BPF_RET_K:
            return k
        else:
            raise AssertionError(f"unexpected opcode {op:#x}")
    raise AssertionError("ran off the end of the program")


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_program_decides_every_listed_call_as_the_policy_says(machine):
    arch = sf.arch_for(machine)
    code = sf.assemble(sf.candidate_program(machine))
    allow, kill = sf.SECCOMP_RET_ALLOW, sf.SECCOMP_RET_KILL_PROCESS

    def verdict(name: str, *args: int) -> int:
        return run_bpf(code, arch.syscalls[name], arch.audit, args)

    listed = {nr for nr in arch.syscalls.values() if nr is not None}
    for name, action in sf.CANDIDATE_POLICY.items():
        if arch.syscalls[name] is not None and isinstance(action, int):
            assert verdict(name) == sf.SECCOMP_RET_ERRNO | action, name
    for nr in set(range(600)) - listed:
        assert run_bpf(code, nr, arch.audit) == allow, nr
    eafnosupport = sf.SECCOMP_RET_ERRNO | errno.EAFNOSUPPORT
    eperm = sf.SECCOMP_RET_ERRNO | errno.EPERM
    assert verdict("socket", sf.AF_UNIX) == verdict("socketpair", sf.AF_UNIX) == allow
    assert verdict("socket", 2) == verdict("socketpair", 10) == eafnosupport
    assert verdict("socket", (1 << 32) | 2) == eafnosupport
    assert verdict("clone", signal.SIGCHLD) == allow
    assert verdict("clone", 0x3D0F00) == allow  # glibc's thread flags
    for flag in (sf.CLONE_NEWUSER, sf.CLONE_NEWNS, sf.CLONE_NEWPID, sf.CLONE_NEWNET,
                 sf.CLONE_NEWIPC, sf.CLONE_NEWUTS, sf.CLONE_NEWCGROUP):
        assert verdict("clone", flag | signal.SIGCHLD) == eperm
    assert verdict("personality", 0xFFFFFFFF) == verdict("personality", 0) == allow
    assert verdict("personality", 0x0040000) == eperm
    assert verdict("prctl", sf.PR_SET_SECCOMP) == eperm
    assert verdict("prctl", 15) == allow  # PR_SET_NAME
    # Another ABI under any number is killed, the native arch's x32 numbers too.
    other = {"x86_64": 0x40000003, "aarch64": 0x40000028}[machine]  # i386, AArch32
    for nr in (0, 1, 20, 39, 172):
        assert run_bpf(code, nr, other) == kill
    if arch.x32_bit:
        assert run_bpf(code, arch.x32_bit | 39, arch.audit) == kill
    assert len(code) < 200  # runs on every system call


def _header_numbers(path: str) -> dict[str, int]:
    text = Path(path).read_text()
    return {m[1]: int(m[2]) for m in re.finditer(r"#define __NR(?:3264)?_(\w+)\s+(\d+)\b", text)}


def _header_for(machine: str) -> str | None:
    if machine == "aarch64":
        candidates = ["/usr/include/asm-generic/unistd.h"]
    else:
        candidates = glob.glob("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
        if platform.machine() == "x86_64":
            candidates.append("/usr/include/asm/unistd_64.h")
    return next((c for c in candidates if os.path.exists(c)), None)


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_syscall_tables_match_the_kernel_headers(machine):
    header = _header_for(machine)
    if header is None:
        pytest.skip(f"no {machine} kernel headers here to compare with")
    numbers = _header_numbers(header)
    table = sf.arch_for(machine).syscalls
    compared = {name: nr for name, nr in table.items() if name in numbers}
    assert {name: numbers[name] for name in compared} == compared
    missing_here = {name for name, nr in table.items() if nr is None and name in numbers}
    assert not missing_here, f"listed as absent but the headers have them: {missing_here}"
    # Only calls newer than the installed headers may go unchecked.
    assert all(nr >= 440 for name, nr in table.items() if nr is not None and name not in numbers)


def test_assembler_resolves_labels_and_refuses_bad_jumps():
    code = sf.assemble([sf.ld(0), sf.jeq(5, "yes"), sf.ja("no"), sf.Label("yes"),
                        sf.ret(1), sf.Label("no"), sf.ret(2)])
    assert code == [(sf.BPF_LD_W_ABS, 0, 0, 0), (sf.BPF_JEQ_K, 1, 0, 5),
                    (sf.BPF_JMP_JA, 0, 0, 1), (sf.BPF_RET_K, 0, 0, 1), (sf.BPF_RET_K, 0, 0, 2)]
    with pytest.raises(ValueError, match="out of range"):
        sf.assemble([sf.Label("back"), sf.ld(0), sf.jeq(1, "back")])
    with pytest.raises(ValueError, match="out of range"):
        sf.assemble([sf.jeq(1, "far"), *[sf.ld(0)] * 256, sf.Label("far"), sf.ret(0)])
    with pytest.raises(ValueError, match="undefined"):
        sf.assemble([sf.ja("nowhere")])
    with pytest.raises(ValueError, match="twice"):
        sf.assemble([sf.Label("a"), sf.Label("a"), sf.ret(0)])
    with pytest.raises(ValueError, match="limit"):
        sf.assemble([sf.ret(0)] * (sf.BPF_MAXINSNS + 1))


def test_listing_names_every_denied_call():
    listing = sf.format_program(sf.candidate_program("x86_64"))
    for name, nr in sf.SYSCALLS_X86_64.items():
        if nr is not None:
            assert f"jeq {nr}," in listing and f"; {name}" in listing, name


def test_support_is_reported_and_other_machines_are_refused():
    ok, why = sf.filter_supported()
    assert ok, why
    assert f"{sf.arch_for().name}:" in why
    ok, why = sf.filter_supported("riscv64")
    assert not ok and "riscv64" in why
    with pytest.raises(sf.SeccompError, match="riscv64"):
        sf.install_candidate_filter("riscv64")


# ---------------------------------------------------------------- the containers' profile


def test_profile_allows_only_what_it_says():
    profile = sf.container_profile()
    assert json.loads(json.dumps(profile)) == profile
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert set(profile["architectures"]) == {"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"}
    rules = profile["syscalls"]
    unconditional = {n for r in rules if r["action"] == "SCMP_ACT_ALLOW" and "args" not in r
                     for n in r["names"]}
    # Of what the candidate may never do, the containers allow outright only the mount
    # calls (guarded by the kernel's capability check) and installing filters and prctl.
    refused_to_candidates = {n for n, a in sf.CANDIDATE_POLICY.items() if isinstance(a, int)}
    assert unconditional & refused_to_candidates == {"mount", "umount2", "seccomp"}
    for name in ("bpf", "keyctl", "perf_event_open", "ptrace", "setns", "io_uring_setup",
                 "clone3", "unshare", "clone", "socket", "personality", "name_to_handle_at"):
        assert name not in unconditional, name
    enosys = next(r for r in rules if r.get("errnoRet") == errno.ENOSYS)
    assert {"clone3", "io_uring_setup", "fsopen"} <= set(enosys["names"])

    (unshare,) = [r for r in rules if r["names"] == ["unshare"]]
    (mask_rule,) = unshare["args"]
    assert mask_rule["op"] == "SCMP_CMP_MASKED_EQ" and mask_rule["valueTwo"] == 0

    def unshare_allowed(flags: int) -> bool:
        return flags & mask_rule["value"] == 0

    assert unshare_allowed(sf.TEST_NAMESPACES)
    for flag in (sf.CLONE_NEWNET, sf.CLONE_NEWUTS, sf.CLONE_NEWCGROUP, sf.CLONE_NEWTIME,
                 1 << 40):
        assert not unshare_allowed(sf.TEST_NAMESPACES | flag), hex(flag)
    (clone,) = [r for r in rules if r["names"] == ["clone"]]
    assert clone["args"][0]["value"] & sf.TEST_NAMESPACES == 0
    assert clone["args"][0]["value"] & sf.CLONE_NEWNET


def test_module_is_self_contained(tmp_path):
    """It is copied into the image next to supervisor.py: standard library only."""
    source = Path(sf.__file__).read_text()
    imports = re.findall(r"^(?:from|import) (\w+)", source, re.M)
    assert set(imports) <= {"__future__", "ctypes", "errno", "platform", "sys",
                            "dataclasses", "typing"}
    shutil.copy(sf.__file__, tmp_path / "seccomp_filter.py")
    r = subprocess.run([sys.executable, "-I", "-c", textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import seccomp_filter
        print(seccomp_filter.filter_supported()[0], "sandbox" in sys.modules)
    """), str(tmp_path)], capture_output=True, text=True)
    assert r.stdout.split() == ["True", "False"], r.stderr


def test_the_filter_assembled_once_is_the_filter_assembled_afresh():
    # The fork server assembles the candidate's filter once; every test installs that copy.
    once = sf.assembled_candidate_program()
    assert once is sf.assembled_candidate_program()
    assert once == tuple(sf.assemble(sf.candidate_program()))
    assert isinstance(once, tuple) and all(isinstance(insn, tuple) for insn in once)
