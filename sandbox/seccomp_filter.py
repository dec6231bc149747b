"""Seccomp for the sandbox: the candidate's filter, and the containers' Docker profile.

Standard library only, Python 3.9+: this file is copied into the sandbox image next to
supervisor.py, which imports it. It imports nothing else of ours.

The candidate's filter (`install_candidate_filter`)
---------------------------------------------------
A classic BPF program, installed with prctl(PR_SET_SECCOMP) in the process that becomes the
candidate; every process and thread it makes inherits it, through fork and execve. It is a
deny list: a contest program needs nearly every ordinary system call (C++, Python and a JVM
differ a lot in which ones), and what it must never reach is a short, known list. The filter

  * kills the process (SECCOMP_RET_KILL_PROCESS) on any other ABI: the 32-bit `int 0x80`
    and x32 on x86_64, AArch32 on aarch64. The tables below know only the native numbers, so
    a call through another table would slip past them;
  * allows socket/socketpair for AF_UNIX only (EAFNOSUPPORT otherwise);
  * refuses clone with any CLONE_NEW* flag, unshare, setns, the mount calls and chroot
    (EPERM), and clone3 (ENOSYS, whose flags live in memory the filter cannot read; glibc
    then falls back to clone, whose flags it can);
  * refuses io_uring and the new mount API with ENOSYS, as a kernel without them would
    answer, so that libraries take their older path;
  * refuses the kernel's attack surface a contest program never needs (bpf, perf events,
    userfaultfd, keyrings, ptrace and its relatives, modules, kexec, reboot, swap, acct,
    quotas, syslog, handle-based opens, port I/O and local descriptor tables, clock
    setting, personality changes, further seccomp filters) with EPERM;
  * allows everything else.
Denials are errno values, never kills, so a program sees a clean failure and its verdict
stays its own.

The containers' profile (`container_profile`)
---------------------------------------------
The JSON profile each sandbox container is created with (`security_opt=["seccomp=..."]`).
Like Docker's default it is an allow list (anything not named fails with EPERM) and, unlike
the candidate's filter, it covers the supervisor and compilers too. It differs from Docker's
default as follows, and each difference is safe because:

  * `unshare` is allowed with CLONE_NEWUSER, NEWNS, NEWPID, NEWIPC (and the namespace-free
    CLONE_FILES, FS, SYSVSEM), and `clone` with those namespace flags: each test makes its
    own namespaces without any capability. The kernel lets an unprivileged process do so only
    inside a new user namespace, whose capabilities reach nothing outside it; UTS, network,
    cgroup and time namespaces stay refused (a private network stack would open netfilter
    and other network code to the candidate).
  * `mount` and `umount2` are allowed: the kernel still demands CAP_SYS_ADMIN over the user
    namespace that owns the mount namespace, which only a test's own set-up holds (the
    container has no CAP_SYS_ADMIN), and it only permits file systems marked safe for user
    namespaces (tmpfs, proc with restrictions, bind mounts). pivot_root, chroot, setns and
    the new mount API (ENOSYS) stay refused: the set-up does not need them.
  * refused although Docker's default allows them: io_uring (ENOSYS; a large interface
    behind many kernel exploits), ptrace and process_vm_readv/writev (nothing here debugs
    another process), name_to_handle_at, modify_ldt and set/get_thread_area (segment
    tricks of 16- and 32-bit code), fanotify_mark, memfd_secret, process_mrelease, adjtimex
    and clock_adjtime, and personality values other than PER_LINUX and the query. Nothing
    the sandbox runs needs them.
  * allowed although Docker 20.10's default does not name them: fchmodat2, map_shadow_stack,
    mseal and futex_wake/wait/requeue, newer forms of allowed calls that newer C libraries
    use.
  * sockets: AF_UNIX only (EAFNOSUPPORT otherwise). The containers have no network, and the
    supervisor talks to its fork server over a unix socket pair.
  * only the native 64-bit ABIs are listed (x86_64, aarch64), where Docker also lists
    i386, x32 and AArch32: a call through another ABI is killed.
Docker 20.10 skips a name its libseccomp does not know (checked), so the list may name
calls newer than the daemon; runc answers ENOSYS for numbers beyond what it knows.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

# ---------------------------------------------------------------- kernel constants

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_MODE_FILTER = 2
SECCOMP_GET_ACTION_AVAIL = 2
PR_GET_SECCOMP = 21
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
BPF_MAXINSNS = 4096

AF_UNIX = 1
PER_LINUX = 0
PERSONALITY_QUERY = 0xFFFFFFFF
CLONE_FS = 0x00000200
CLONE_FILES = 0x00000400
CLONE_NEWNS = 0x00020000
CLONE_SYSVSEM = 0x00040000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080  # unshare only: in clone's flags these bits are the exit signal
CLONE_NEW_ANY = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
                 | CLONE_NEWPID | CLONE_NEWNET)
# What a test's set-up makes: its own user, mount, pid and ipc namespaces.
TEST_NAMESPACES = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC

# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
NR_OFFSET = 0
ARCH_OFFSET = 4
ARGS_OFFSET = 16


def arg_low(index: int) -> int:
    """Offset of the low 32 bits of argument `index` (both arches are little-endian). Every
    argument the filter inspects is one the kernel reads as 32 bits (int family, int option,
    unsigned int persona, lower_32_bits(clone flags)), so the high word cannot smuggle a
    value past the check."""
    return ARGS_OFFSET + 8 * index


# Classic BPF (linux/bpf_common.h): the few instructions the filter is made of.
BPF_LD, BPF_JMP, BPF_RET = 0x00, 0x05, 0x06  # classes
BPF_W, BPF_ABS, BPF_K = 0x00, 0x20, 0x00  # 32-bit word, absolute offset, constant operand
BPF_JA, BPF_JEQ, BPF_JGE, BPF_JSET = 0x00, 0x10, 0x30, 0x40
BPF_LD_W_ABS = BPF_LD | BPF_W | BPF_ABS
BPF_JMP_JA = BPF_JMP | BPF_JA
BPF_JEQ_K = BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = BPF_JMP | BPF_JGE | BPF_K
BPF_JSET_K = BPF_JMP | BPF_JSET | BPF_K
BPF_RET_K = BPF_RET | BPF_K

# ---------------------------------------------------------------- the policy

# How each listed call is refused: an errno, or the label of a block ("family",
# "clone_flags", ...) where its arguments decide.
EPERM, ENOSYS, EAFNOSUPPORT = errno.EPERM, errno.ENOSYS, errno.EAFNOSUPPORT

CANDIDATE_POLICY: Dict[str, Union[int, str]] = {
    # networking: only unix sockets
    "socket": "family",
    "socketpair": "family",
    # namespaces and mounts
    "clone": "clone_flags",
    "clone3": ENOSYS,
    "unshare": EPERM,
    "setns": EPERM,
    "mount": EPERM,
    "umount2": EPERM,
    "pivot_root": EPERM,
    "chroot": EPERM,
    "open_tree": ENOSYS,
    "open_tree_attr": ENOSYS,
    "move_mount": ENOSYS,
    "fsopen": ENOSYS,
    "fsconfig": ENOSYS,
    "fsmount": ENOSYS,
    "fspick": ENOSYS,
    "mount_setattr": ENOSYS,
    # io_uring
    "io_uring_setup": ENOSYS,
    "io_uring_enter": ENOSYS,
    "io_uring_register": ENOSYS,
    # kernel attack surface a contest program never needs
    "bpf": EPERM,
    "perf_event_open": EPERM,
    "userfaultfd": EPERM,
    "keyctl": EPERM,
    "add_key": EPERM,
    "request_key": EPERM,
    "ptrace": EPERM,
    "process_vm_readv": EPERM,
    "process_vm_writev": EPERM,
    "kcmp": EPERM,
    "pidfd_getfd": EPERM,
    "process_madvise": EPERM,
    "kexec_load": EPERM,
    "kexec_file_load": EPERM,
    "init_module": EPERM,
    "finit_module": EPERM,
    "delete_module": EPERM,
    "reboot": EPERM,
    "swapon": EPERM,
    "swapoff": EPERM,
    "acct": EPERM,
    "quotactl": EPERM,
    "quotactl_fd": EPERM,
    "syslog": EPERM,
    "lookup_dcookie": EPERM,
    "name_to_handle_at": EPERM,
    "open_by_handle_at": EPERM,
    "personality": "persona",
    "vm86": EPERM,
    "vm86old": EPERM,
    "modify_ldt": EPERM,
    "iopl": EPERM,
    "ioperm": EPERM,
    "settimeofday": EPERM,
    "clock_settime": EPERM,
    "clock_adjtime": EPERM,
    "adjtimex": EPERM,
    # a further filter could only narrow this one; refused so nothing relies on it
    "seccomp": EPERM,
    "prctl": "prctl_option",
}

# System call numbers of every name above, per native table; None where the call does not
# exist on that architecture (vm86 lives only in the i386 table, which is killed anyway).
SYSCALLS_X86_64: Dict[str, Optional[int]] = {
    "socket": 41, "socketpair": 53, "clone": 56, "clone3": 435, "unshare": 272,
    "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "open_tree": 428, "open_tree_attr": 467, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248,
    "request_key": 249, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
    "kcmp": 312, "pidfd_getfd": 438, "process_madvise": 440, "kexec_load": 246,
    "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
    "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163, "quotactl": 179,
    "quotactl_fd": 443, "syslog": 103, "lookup_dcookie": 212, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "personality": 135, "vm86": None, "vm86old": None,
    "modify_ldt": 154, "iopl": 172, "ioperm": 173, "settimeofday": 164, "clock_settime": 227,
    "clock_adjtime": 305, "adjtimex": 159, "seccomp": 317, "prctl": 157,
}
SYSCALLS_AARCH64: Dict[str, Optional[int]] = {
    "socket": 198, "socketpair": 199, "clone": 220, "clone3": 435, "unshare": 97,
    "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "open_tree": 428, "open_tree_attr": 467, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217,
    "request_key": 218, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
    "kcmp": 272, "pidfd_getfd": 438, "process_madvise": 440, "kexec_load": 104,
    "kexec_file_load": 294, "init_module": 105, "finit_module": 273, "delete_module": 106,
    "reboot": 142, "swapon": 224, "swapoff": 225, "acct": 89, "quotactl": 60,
    "quotactl_fd": 443, "syslog": 116, "lookup_dcookie": 18, "name_to_handle_at": 264,
    "open_by_handle_at": 265, "personality": 92, "vm86": None, "vm86old": None,
    "modify_ldt": None, "iopl": None, "ioperm": None, "settimeofday": 170, "clock_settime": 112,
    "clock_adjtime": 266, "adjtimex": 171, "seccomp": 277, "prctl": 167,
}


@dataclass(frozen=True)
class Arch:
    name: str
    audit: int  # AUDIT_ARCH_* of the native ABI: any other value is another ABI
    syscalls: Dict[str, Optional[int]]
    x32_bit: int = 0  # x86_64: numbers with this bit set are x32 calls under the same arch


ARCHES = {
    "x86_64": Arch("x86_64", 0xC000003E, SYSCALLS_X86_64, x32_bit=0x40000000),
    "aarch64": Arch("aarch64", 0xC00000B7, SYSCALLS_AARCH64),
}
MACHINE_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}


class SeccompError(OSError):
    """The filter cannot be built or installed here."""


def arch_for(machine: Optional[str] = None) -> Arch:
    raw = machine if machine is not None else platform.machine()
    name = MACHINE_ALIASES.get(raw.lower(), raw.lower())
    if name not in ARCHES:
        raise SeccompError(
            f"the candidate seccomp filter supports x86_64 and aarch64, not {raw!r}")
    return ARCHES[name]


# ---------------------------------------------------------------- a small assembler


@dataclass(frozen=True)
class Label:
    name: str


@dataclass(frozen=True)
class Insn:
    """One sock_filter. Jump targets are label names; None means the next instruction."""
    code: int
    k: int = 0
    jt: Optional[str] = None
    jf: Optional[str] = None
    to: Optional[str] = None  # target of an unconditional jump (BPF_JA)
    note: str = ""  # shown in the listing


Item = Union[Insn, Label]


def ld(offset: int) -> Insn:
    return Insn(BPF_LD_W_ABS, offset)


def jeq(k: int, jt: Optional[str] = None, jf: Optional[str] = None, note: str = "") -> Insn:
    return Insn(BPF_JEQ_K, k, jt, jf, note=note)


def jge(k: int, jt: Optional[str] = None, jf: Optional[str] = None, note: str = "") -> Insn:
    return Insn(BPF_JGE_K, k, jt, jf, note=note)


def jset(k: int, jt: Optional[str] = None, jf: Optional[str] = None, note: str = "") -> Insn:
    return Insn(BPF_JSET_K, k, jt, jf, note=note)


def ja(to: str) -> Insn:
    return Insn(BPF_JMP_JA, to=to)


def ret(k: int) -> Insn:
    return Insn(BPF_RET_K, k)


def assemble(items: Sequence[Item]) -> List[Tuple[int, int, int, int]]:
    """Resolve labels to forward jump offsets: [(code, jt, jf, k)]. Classic BPF only jumps
    forward, and a conditional jump by at most 255; anything else is a bug in the program."""
    where: Dict[str, int] = {}
    pc = 0
    for item in items:
        if isinstance(item, Label):
            if item.name in where:
                raise ValueError(f"label {item.name!r} defined twice")
            where[item.name] = pc
        else:
            pc += 1

    def offset(label: Optional[str], pc: int, limit: int) -> int:
        if label is None:
            return 0
        if label not in where:
            raise ValueError(f"jump to undefined label {label!r}")
        off = where[label] - pc - 1
        if not 0 <= off <= limit:
            raise ValueError(f"jump from {pc} to {label!r} is out of range ({off})")
        return off

    out = []
    pc = 0
    for item in items:
        if isinstance(item, Label):
            continue
        if item.code == BPF_JMP_JA:
            out.append((item.code, 0, 0, offset(item.to, pc, 0xFFFFFFFF)))
        else:
            out.append((item.code, offset(item.jt, pc, 255), offset(item.jf, pc, 255),
                        item.k & 0xFFFFFFFF))
        pc += 1
    if len(out) > BPF_MAXINSNS:
        raise ValueError(f"{len(out)} instructions: over the kernel's limit of {BPF_MAXINSNS}")
    return out


def _dispatch(entries: Sequence[Tuple[int, str, str]], otherwise: str,
              leaf: int = 4) -> List[Item]:
    """Send the loaded syscall number to the label of its (number, label, name) entry, else
    to `otherwise`: a balanced search tree over the sorted numbers (jge splits, then a few
    jeq at the leaves), so a call costs about log2(len/leaf) + leaf comparisons instead of
    one per entry."""
    out: List[Item] = []

    def emit(lo: int, hi: int) -> None:
        if hi - lo <= leaf:
            out.extend(jeq(nr, label, note=name) for nr, label, name in entries[lo:hi])
            out.append(ja(otherwise))
            return
        mid = (lo + hi) // 2
        upper = f"nr>={entries[mid][0]}"
        out.append(jge(entries[mid][0], upper))
        emit(lo, mid)
        out.append(Label(upper))
        emit(mid, hi)

    emit(0, len(entries))
    return out


def _errno_label(code: int) -> str:
    return f"errno_{errno.errorcode[code]}"


def candidate_program(machine: Optional[str] = None) -> List[Item]:
    """The candidate's filter as labelled instructions (see the module docstring)."""
    arch = arch_for(machine)
    entries = []
    for name, action in CANDIDATE_POLICY.items():
        nr = arch.syscalls[name]
        if nr is not None:
            label = action if isinstance(action, str) else _errno_label(action)
            entries.append((nr, label, name))
    entries.sort()
    prog: List[Item] = [
        ld(ARCH_OFFSET),
        jeq(arch.audit, jf="kill", note=f"the native {arch.name} ABI, else kill"),
        ld(NR_OFFSET),
    ]
    if arch.x32_bit:
        prog.append(jset(arch.x32_bit, "kill", note="x32"))
    prog += _dispatch(entries, "allow")
    prog += [
        Label("family"),  # socket, socketpair
        ld(arg_low(0)),
        jeq(AF_UNIX, "allow", _errno_label(EAFNOSUPPORT)),
        Label("clone_flags"),  # plain fork and thread clones pass
        ld(arg_low(0)),
        jset(CLONE_NEW_ANY, _errno_label(EPERM), "allow"),
        Label("persona"),
        ld(arg_low(0)),
        jeq(PERSONALITY_QUERY, "allow"),
        jeq(PER_LINUX, "allow", _errno_label(EPERM)),
        Label("prctl_option"),
        ld(arg_low(0)),
        jeq(PR_SET_SECCOMP, _errno_label(EPERM), "allow"),
        Label("allow"),
        ret(SECCOMP_RET_ALLOW),
    ]
    for code in (EPERM, ENOSYS, EAFNOSUPPORT):
        prog += [Label(_errno_label(code)), ret(SECCOMP_RET_ERRNO | code)]
    prog += [Label("kill"), ret(SECCOMP_RET_KILL_PROCESS)]
    return prog


def format_program(items: Sequence[Item]) -> str:
    """A readable listing, one instruction a line, labels on their own lines."""
    names = {BPF_LD_W_ABS: "ld", BPF_JEQ_K: "jeq", BPF_JGE_K: "jge", BPF_JSET_K: "jset",
             BPF_JMP_JA: "ja", BPF_RET_K: "ret"}
    lines, pc = [], 0
    for item in items:
        if isinstance(item, Label):
            lines.append(f"{item.name}:")
            continue
        op = names[item.code]
        k = str(item.k) if item.k < 4096 else f"{item.k:#x}"
        if item.code == BPF_JMP_JA:
            text = f"ja {item.to}"
        elif item.code in (BPF_LD_W_ABS, BPF_RET_K):
            text = f"{op} {k}"
        else:
            text = f"{op} {k}, {item.jt or 'next'}, {item.jf or 'next'}"
        note = f"  ; {item.note}" if item.note else ""
        lines.append(f"  {pc:4d}  {text}{note}")
        pc += 1
    return "\n".join(lines)


# ---------------------------------------------------------------- installing it


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _errname() -> str:
    e = ctypes.get_errno()
    return errno.errorcode.get(e, str(e))


def _prctl(libc, option: int, arg2, what: str, arg3=None) -> None:
    zero = ctypes.c_ulong(0)
    if libc.prctl(ctypes.c_int(option), arg2, zero if arg3 is None else arg3, zero, zero) != 0:
        raise SeccompError(ctypes.get_errno(), f"{what}: {_errname()}")


_ASSEMBLED: Dict[Optional[str], Tuple[Tuple[int, int, int, int], ...]] = {}


def assembled_candidate_program(machine: Optional[str] = None) -> Tuple[Tuple[int, int, int, int], ...]:
    """The candidate's filter, assembled once per process (a fork server assembles it before
    it forks, so that a test's process only installs it)."""
    code = _ASSEMBLED.get(machine)
    if code is None:
        code = _ASSEMBLED[machine] = tuple(assemble(candidate_program(machine)))
    return code


def install_candidate_filter(machine: Optional[str] = None) -> None:
    """Install the candidate's filter in the calling process, irreversibly; the process
    should be single-threaded (a freshly forked child), as the filter binds the calling
    thread and what it creates afterwards. Raises SeccompError if the kernel refuses."""
    install_code(assembled_candidate_program(machine))


def install_code(code: Sequence[Tuple[int, int, int, int]]) -> None:
    """Install assembled instructions as a seccomp filter of the calling thread, after
    setting no_new_privs (which an unprivileged process needs to install one)."""
    if not sys.platform.startswith("linux"):
        raise SeccompError("seccomp filters need Linux")
    insns = (_SockFilter * len(code))(*[_SockFilter(c, jt, jf, k) for c, jt, jf, k in code])
    prog = _SockFprog(len(code), insns)
    libc = _libc()
    _prctl(libc, PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), "prctl(PR_SET_NO_NEW_PRIVS)")
    _prctl(libc, PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), "prctl(PR_SET_SECCOMP)",
           ctypes.byref(prog))


def filter_supported(machine: Optional[str] = None) -> Tuple[bool, str]:
    """Whether this kernel and machine can run the candidate's filter, and why (not)."""
    if not sys.platform.startswith("linux"):
        return False, f"seccomp filters need Linux, not {sys.platform}"
    try:
        arch = arch_for(machine)
        size = len(assemble(candidate_program(machine)))
    except (SeccompError, ValueError) as e:
        return False, str(e)
    libc = _libc()
    zero = ctypes.c_ulong(0)
    if libc.prctl(ctypes.c_int(PR_GET_SECCOMP), zero, zero, zero, zero) < 0:
        return False, f"the kernel has no seccomp: prctl(PR_GET_SECCOMP): {_errname()}"
    action = ctypes.c_uint32(SECCOMP_RET_KILL_PROCESS)
    if libc.syscall(ctypes.c_long(arch.syscalls["seccomp"]),
                    ctypes.c_ulong(SECCOMP_GET_ACTION_AVAIL), zero, ctypes.byref(action)) != 0:
        return False, (f"SECCOMP_RET_KILL_PROCESS is not available (Linux 4.14 or newer has "
                       f"it): seccomp(SECCOMP_GET_ACTION_AVAIL): {_errname()}")
    return True, f"seccomp filter for {arch.name}: {size} instructions"


# ---------------------------------------------------------------- the containers' profile

# Allowed outright, by purpose. A name unknown to an architecture or to the daemon's
# libseccomp is skipped by Docker, so both native tables are named here.
PROFILE_ALLOWED: Dict[str, Tuple[str, ...]] = {
    "files": (
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
        "preadv2", "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range",
        "lseek", "stat", "fstat", "lstat", "newfstatat", "fstatat", "statx", "statfs",
        "fstatfs", "access", "faccessat", "faccessat2", "getdents", "getdents64", "getcwd",
        "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2",
        "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink",
        "readlinkat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown",
        "fchownat", "umask", "truncate", "ftruncate", "fallocate", "fadvise64", "readahead",
        "fsync", "fdatasync", "sync", "syncfs", "sync_file_range", "flock", "fcntl", "dup",
        "dup2", "dup3", "pipe", "pipe2", "mknod", "mknodat", "utime", "utimes", "utimensat",
        "futimesat", "sendfile", "splice", "tee", "vmsplice", "copy_file_range", "ioctl",
        "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
        "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
        "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
        "memfd_create", "eventfd", "eventfd2",
    ),
    "waiting for files": (
        "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_wait", "epoll_pwait", "epoll_pwait2", "io_setup", "io_destroy", "io_submit",
        "io_cancel", "io_getevents", "io_pgetevents",
    ),
    "memory": (
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock",
        "mlock2", "munlock", "mlockall", "munlockall", "remap_file_pages", "pkey_mprotect",
        "pkey_alloc", "pkey_free", "membarrier", "map_shadow_stack", "mseal",
    ),
    "processes and threads": (
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
        "kill", "tkill", "tgkill", "getpid", "getppid", "gettid", "getpgid", "setpgid",
        "getpgrp", "getsid", "setsid", "set_tid_address", "set_robust_list",
        "get_robust_list", "rseq", "arch_prctl", "prctl", "capget", "capset", "getrlimit",
        "setrlimit", "prlimit64", "getrusage", "times", "getpriority", "setpriority",
        "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
        "sched_setparam", "sched_getscheduler", "sched_setscheduler",
        "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
        "sched_getattr", "sched_setattr", "getcpu", "pidfd_open", "pidfd_send_signal",
        "futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue",
        "restart_syscall", "ioprio_get", "ioprio_set", "landlock_create_ruleset",
        "landlock_add_rule", "landlock_restrict_self",
        # the supervisor installs the candidate's filter
        "seccomp",
    ),
    "users and groups": (
        "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
        "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
        "setfsgid", "setgroups",
    ),
    "signals": (
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
        "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend", "sigaltstack", "signalfd",
        "signalfd4", "pause", "alarm",
    ),
    "time": (
        "time", "gettimeofday", "clock_gettime", "clock_getres", "clock_nanosleep",
        "nanosleep", "getitimer", "setitimer", "timer_create", "timer_settime",
        "timer_gettime", "timer_getoverrun", "timer_delete", "timerfd_create",
        "timerfd_settime", "timerfd_gettime",
    ),
    "system information": ("uname", "sysinfo", "getrandom"),
    "System V and POSIX IPC (the container has its own ipc namespace)": (
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
        "mq_timedreceive", "mq_notify", "mq_getsetattr",
    ),
    "sockets (socket and socketpair are limited to AF_UNIX below)": (
        "connect", "accept", "accept4", "bind", "listen", "shutdown", "getsockname",
        "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg",
        "recvmsg", "sendmmsg", "recvmmsg",
    ),
    "mounts (the kernel asks for CAP_SYS_ADMIN over the mount namespace's owner)": (
        "mount", "umount2",
    ),
}

PROFILE_ENOSYS = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register",
                  "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig", "fsmount",
                  "fspick", "mount_setattr")
UNSHARE_ALLOWED = TEST_NAMESPACES | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM
CLONE_REFUSED = CLONE_NEW_ANY & ~TEST_NAMESPACES
DOCKER_ARCHES = ("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64")


def _arg(index: int, value: int, op: str, value_two: int = 0) -> dict:
    return {"index": index, "value": value, "valueTwo": value_two, "op": op}


def container_profile() -> dict:
    """The sandbox containers' seccomp profile, in Docker's JSON format (see the module
    docstring for how and why it differs from Docker's default)."""
    allowed = sorted({name for names in PROFILE_ALLOWED.values() for name in names})
    unix_only = [_arg(0, AF_UNIX, "SCMP_CMP_EQ")]
    return {
        "defaultAction": "SCMP_ACT_ERRNO",  # EPERM
        "architectures": list(DOCKER_ARCHES),
        "syscalls": [
            {"names": allowed, "action": "SCMP_ACT_ALLOW"},
            {"names": ["socket", "socketpair"], "action": "SCMP_ACT_ALLOW", "args": unix_only},
            {"names": ["socket", "socketpair"], "action": "SCMP_ACT_ERRNO",
             "errnoRet": EAFNOSUPPORT, "args": [_arg(0, AF_UNIX, "SCMP_CMP_NE")]},
            # Every bit outside the test's namespaces must be clear (the mask spans all 64
            # bits: the kernel rejects unknown flags, and so does this rule).
            {"names": ["unshare"], "action": "SCMP_ACT_ALLOW",
             "args": [_arg(0, 0xFFFFFFFFFFFFFFFF & ~UNSHARE_ALLOWED, "SCMP_CMP_MASKED_EQ")]},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [_arg(0, CLONE_REFUSED, "SCMP_CMP_MASKED_EQ")]},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [_arg(0, PER_LINUX, "SCMP_CMP_EQ")]},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [_arg(0, PERSONALITY_QUERY, "SCMP_CMP_EQ")]},
            {"names": list(PROFILE_ENOSYS), "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS},
        ],
    }


if __name__ == "__main__":
    print(format_program(candidate_program()))
    print(filter_supported()[1])
