"""The sandbox containers' seccomp profile in real Docker containers, created with the
pool's own hardening (no network, read-only root, all capabilities dropped but SETUID,
SETGID and KILL, no-new-privileges, init, no ipc sharing): the candidate uid can make its
test's namespaces and mount tmpfs inside them, which Docker's default profile refuses; the
kernel attack surface stays refused; the candidate's filter installs on top; and the
supervisor, python3 and g++ do their normal work."""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import os
import secrets

import pytest

from sandbox import seccomp_filter as sf
from sandbox.daemon import HOST_PID_LABEL, LABEL, POOL_LABEL
from sandbox.types import Limits
from tests.conftest import require_docker
from tests.test_seccomp_filter import FILTERED, KILLED, OK, PROBE_SOURCE, X86_64, err, parse_probe

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("seccomp-profile")]

UID = 100_000 + secrets.randbelow(2_000_000_000)
PROFILE = "seccomp=" + json.dumps(sf.container_profile())


def host_config(api, profile: str | None) -> dict:
    """DockerWorker._create's hardening, with the given seccomp profile (None: Docker's)."""
    security = ["no-new-privileges"] + ([profile] if profile else [])
    return api.create_host_config(
        network_mode="none",
        read_only=True,
        tmpfs={
            "/work": "rw,nosuid,nodev,noexec,size=64m,mode=1777",
            "/tmp": "rw,nosuid,nodev,noexec,size=64m,mode=1777",
            "/box": "rw,nosuid,nodev,exec,size=64m,mode=755",
        },
        mem_limit="1024m",
        memswap_limit="1024m",
        pids_limit=256,
        cap_drop=["ALL"],
        cap_add=["SETUID", "SETGID", "KILL"],
        security_opt=security,
        init=True,
        ipc_mode="none",
        auto_remove=True,
    )


class Box:
    """One hardened container that sleeps, and commands run in it."""

    def __init__(self, client, image: str, profile: str | None) -> None:
        api = client.api
        c = api.create_container(
            image,
            command=["sleep", "infinity"],
            labels={LABEL: "1", POOL_LABEL: "seccomp-" + secrets.token_hex(6),
                    HOST_PID_LABEL: str(os.getpid())},
            host_config=host_config(api, profile),
            network_disabled=True,
        )
        api.start(c["Id"])
        self.container = client.containers.get(c["Id"])
        source = base64.b64encode(PROBE_SOURCE.read_bytes()).decode()
        self.run(["python3", "-c", "import base64, sys; open('/box/probe.cpp', 'wb')"
                  ".write(base64.b64decode(sys.argv[1]))", source], user="root", check=True)
        self.run(["g++", "-O2", "-o", "/box/probe", "/box/probe.cpp"], user="root", check=True)

    def run(self, argv: list[str], user: str = str(UID), check: bool = False) -> tuple[int, str]:
        code, out = self.container.exec_run(argv, user=user)
        text = out.decode(errors="replace")
        assert not check or code == 0, f"{argv[:3]} exited {code}: {text[-2000:]}"
        return code, text

    def probe(self, *names: str, launcher: list[str] = ()) -> dict[str, str]:
        code, out = self.run([*launcher, "/box/probe", *names])
        assert code == 0, out
        return parse_probe(out)

    def close(self) -> None:
        try:
            self.container.remove(force=True)
        except Exception:
            pass


@pytest.fixture(scope="module")
def docker_image():
    from sandbox.daemon import docker_client
    from sandbox.image import ensure_image

    require_docker()
    client = docker_client()
    return client, ensure_image(client)


@pytest.fixture(scope="module")
def ours(docker_image):
    box = Box(*docker_image, PROFILE)
    yield box
    box.close()


@pytest.fixture(scope="module")
def dockers(docker_image):
    box = Box(*docker_image, None)
    yield box
    box.close()


# A test's set-up, in shell: user (mapped to root), pid, ipc and mount namespaces, then
# fresh tmpfs on /work and /tmp and a tmpfs over /proc.
NAMESPACES = ["unshare", "-Urpim", "--fork", "sh", "-c",
              "for d in /work /tmp /proc; do mount -t tmpfs -o size=1m none $d || exit 1; done; "
              "echo inside > /tmp/f && cat /tmp/f && ls -A /proc | wc -l && id -u && echo $$ "
              "&& umount /tmp && echo unmounted"]


def test_candidate_uid_makes_its_namespaces_and_mounts_tmpfs(ours):
    code, out = ours.run(NAMESPACES)
    assert (code, out.split()) == (0, ["inside", "0", "0", "1", "unmounted"]), out
    # The mounts stayed inside: the container's own /tmp and /proc are as they were.
    assert ours.run(["ls", "-A", "/tmp"])[1].strip() == ""
    assert "self" in ours.run(["ls", "/proc"])[1].split()


def test_dockers_default_profile_refuses_them(dockers):
    code, out = dockers.run(NAMESPACES)
    assert code != 0 and "Operation not permitted" in out
    got = dockers.probe("unshare_user", "clone_newuser")
    assert got == {"unshare_user": err(errno.EPERM), "clone_newuser": err(errno.EPERM)}


MOUNT_DIRECTLY = ["python3", "-c", "import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
                  "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())"]


def test_mount_outside_a_user_namespace_still_needs_a_capability(ours):
    """The profile lets mount through; the kernel refuses it to the container's root and
    to the candidate uid alike, as neither holds CAP_SYS_ADMIN."""
    for user in ("root", str(UID)):
        assert ours.run(MOUNT_DIRECTLY, user=user)[1].split() == ["-1", str(errno.EPERM)], user


def test_profile_refuses_the_kernel_attack_surface(ours):
    expected = {
        **{name: err(errno.EPERM) for name in (
            "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
            "ptrace", "process_vm_readv", "kcmp", "setns", "pivot_root", "name_to_handle_at",
            "personality_no_aslr", "clock_adjtime", "unshare_user_net", "clone_newnet",
            "kexec_load", "init_module", "reboot", "swapon", "syslog")},
        **{name: err(errno.ENOSYS) for name in (
            "io_uring_setup", "io_uring_enter", "io_uring_register", "clone3", "fsopen",
            "fsmount", "open_tree", "move_mount")},
        **{name: err(errno.EAFNOSUPPORT) for name in (
            "socket_inet", "socket_inet6", "socket_netlink", "socket_packet",
            "socket_inet_high_bits", "socketpair_inet")},
        # What the test set-up and ordinary programs need.
        **{name: OK for name in (
            "unshare_user", "clone_newuser", "fork", "clone_fork", "getppid", "shm",
            "socket_unix", "socketpair_unix", "personality_query", "seccomp",
            "prctl_get_name")},
    }
    if X86_64:
        expected.update(int80_getpid=KILLED, iopl=err(errno.EPERM), modify_ldt=err(errno.EPERM))
    assert ours.probe(*expected) == expected


def test_candidate_filter_installs_on_top_of_the_profile(ours):
    """The filter from the image, as the supervisor will install it: everything a test's
    set-up may still do is taken away from the program itself."""
    launcher = ["python3", "-c",
                "import os, sys; sys.path.insert(0, '/opt/archon'); import seccomp_filter; "
                "seccomp_filter.install_candidate_filter(); os.execv(sys.argv[1], sys.argv[1:])"]
    assert ours.probe(launcher=launcher) == FILTERED


PYTHON_WORK = """
import decimal, re, threading
out = []
t = threading.Thread(target=lambda: out.append(sum(i * i for i in range(100))))
t.start(); t.join()
decimal.getcontext().prec = 10
print(out[0], decimal.Decimal(2).sqrt(), re.sub(r"\\d", "#", "a1b22"))
"""

CPP_WORK = r"""
#include <iostream>
#include <thread>
int main() {
    long long s = 0;
    std::thread t([&] { for (int i = 1; i <= 100; i++) s += i; });
    t.join();
    std::cout << s << std::endl;
}
"""


def test_python_and_gxx_work_as_the_candidate(ours):
    assert ours.run(["python3", "-c", PYTHON_WORK], check=True)[1] == "328350 1.414213562 a#b##\n"
    write = ["python3", "-c", "import sys; open('/tmp/main.cpp', 'w').write(sys.argv[1])", CPP_WORK]
    ours.run(write, check=True)
    ours.run(["g++", "-std=c++17", "-O2", "-pthread", "-o", "/tmp/main", "/tmp/main.cpp"],
             check=True)
    # /tmp is noexec, as in the pool: the binary runs from /box, where root puts it.
    ours.run(["cp", "/tmp/main", "/box/main"], user="root", check=True)
    assert ours.run(["/box/main"], check=True)[1] == "5050\n"


IO_URING = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
print(libc.syscall(425, 1, params), ctypes.get_errno())  # io_uring_setup, on both arches
print(sum(map(int, input().split())))
"""


def test_the_pool_runs_jobs_under_the_profile_with_the_filter_on_top():
    """The pool creates its containers with this profile, and its jobs (Python, and C++ with
    a thread) run there with the candidate's filter installed: io_uring is refused."""
    from sandbox.pool import SandboxPool
    from sandbox.types import Program, TestCase, Verdict

    require_docker()

    async def jobs():
        async with SandboxPool("docker", size=1, spare=False) as pool:
            worker = next(iter(pool._workers))
            inspect = pool._client.api.inspect_container(worker.container_id)
            assert PROFILE in inspect["HostConfig"]["SecurityOpt"]
            assert pool.isolation == {"cgroups": True, "namespaces": True, "seccomp": True}
            py = await pool.run(Program(IO_URING), [TestCase("3 4\n")], Limits(time_s=5))
            cpp = await pool.run(Program(CPP_WORK, "cpp"), [TestCase("")], Limits(time_s=5))
            return py, cpp

    py, cpp = asyncio.run(jobs())
    assert py.verdict is Verdict.OK, py.to_dict()
    assert py.tests[0].stdout.split() == ["-1", str(errno.ENOSYS), "7"]
    assert cpp.verdict is Verdict.OK and cpp.tests[0].stdout == "5050\n", cpp.to_dict()
