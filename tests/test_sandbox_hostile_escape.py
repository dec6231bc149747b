"""Hostile programs against the real Docker sandbox: the file system, the host, the
network and privileges. Network probes send nothing off this machine: with no network at
all, every connect fails before a packet is built."""

from __future__ import annotations

import os
import secrets
import textwrap

import pytest

from sandbox.types import TestCase, Verdict
from tests.test_sandbox_hostile import FAST, LANGS, explain, hostile, program, verdicts

pytestmark = pytest.mark.docker


# A fresh interpreter with /work and /tmp on its path, as a program might start one.
FRESH = """
    import subprocess
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "/work:/tmp"}
    out = subprocess.run(
        [sys.executable, "-c", "print('fine')"],
        cwd="/work", env=env, capture_output=True, text=True,
    )
    print(out.returncode, out.stdout.strip() or "-", "planted" in out.stderr)
"""


def test_sitecustomize_and_writes_to_system_directories(docker_pool):
    """sitecustomize.py dropped in /work and /tmp does not reach the next test (which
    starts a real interpreter with both on its path, and would fail if it did, as the
    control test shows); every system location, the interpreter's own site-packages and
    the supervisor itself are read-only."""
    prog = program(
        "python",
        py={
            "plant": """
                import site
                import sysconfig
                bomb = "raise SystemExit('sitecustomize planted by an earlier program')\\n"
                for d in ("/work", "/tmp"):
                    for name in ("sitecustomize.py", "usercustomize.py", "os.py"):
                        with open(os.path.join(d, name), "w") as f:
                            f.write(bomb)
                targets = [
                    *site.getsitepackages(),
                    sysconfig.get_paths()["stdlib"],
                    sysconfig.get_paths()["purelib"],
                    os.path.dirname(os.__file__),
                    "/usr/lib/python3/dist-packages",
                    "/etc/python3",
                    "/opt/archon",
                    "/box",
                    "/",
                    "/etc",
                    "/usr/local/bin",
                    "/root",
                    "/var/tmp",
                    "/dev/shm",
                    "/dev",
                    "/run",
                    "/var/lock",
                ]
                written = []
                for d in targets:
                    for name in ("sitecustomize.py", "x.pth"):
                        try:
                            with open(os.path.join(d, name), "w") as f:
                                f.write(bomb)
                            written.append(os.path.join(d, name))
                        except OSError:
                            pass
                for path in ("/opt/archon/supervisor.py", "/box/main.py", os.__file__, "/etc/passwd"):
                    try:
                        with open(path, "a") as f:
                            f.write("# changed\\n")
                        written.append(path)
                    except OSError:
                        pass
                print("written", written)
            """,
            "fresh": FRESH,
            # The same start-up, in the test that planted the file: it does fail there.
            "control": textwrap.dedent(
                """
                with open("/work/sitecustomize.py", "w") as f:
                    f.write("raise SystemExit('sitecustomize planted by an earlier program')\\n")
                """
            )
            + textwrap.dedent(FRESH),
        },
        cpp={},
    )
    tests = [
        TestCase("control\n", "1 - True\n"),
        TestCase("plant\n", "written []\n"),
        TestCase("fresh\n", "0 fine False\n"),
    ]
    r = hostile(docker_pool, prog, tests, FAST)
    assert verdicts(r) == [Verdict.OK, Verdict.OK, Verdict.OK], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_host_paths_are_untouched_and_invisible(docker_pool, lang):
    """Files a program creates under host-looking paths exist only in its own container
    (and are wiped after it); the project tree and shared folders are not visible."""
    token = f"hostile-{secrets.token_hex(6)}"
    host_paths = [
        f"/work/main/{token}",
        f"/work/shared/{token}",
        f"/tmp/{token}",
        f"/root/{token}",
        f"/home/{token}",
        f"/var/tmp/{token}",
    ]
    prog = program(
        lang,
        py={
            "escape": f"""
                seen = [p for p in ("/work/main/pyproject.toml", "/work/shared", "/var/run/docker.sock",
                                    "/run/docker.sock", "/root/.docker") if os.path.exists(p)]
                made = []
                for path in {host_paths!r}:
                    try:
                        os.makedirs(os.path.dirname(path), exist_ok=True)
                        with open(path, "w") as f:
                            f.write("escaped")
                        made.append(path)
                    except OSError:
                        pass
                print(len(made), seen)
            """
        },
        cpp={
            "escape": "\n".join(
                [
                    'const char* look[] = {"/work/main/pyproject.toml", "/work/shared", "/var/run/docker.sock", "/run/docker.sock", "/root/.docker"};',
                    "int seen = 0; for (const char* p : look) seen += access(p, F_OK) == 0;",
                    "int made = 0;",
                    *[
                        f'{{ mkdir("{os.path.dirname(p)}", 0755); int fd = open("{p}", O_WRONLY | O_CREAT, 0644);'
                        f" if (fd >= 0) {{ write(fd, \"escaped\", 7); close(fd); made++; }} }}"
                        for p in host_paths
                    ],
                    'printf("%d %d\\n", made, seen);',
                ]
            )
        },
    )
    # Inside the container only /work and /tmp are writable (its own tmpfs).
    expected = "3 []\n" if lang == "python" else "3 0\n"
    r = hostile(docker_pool, prog, [TestCase("escape\n", expected)], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)
    for path in host_paths:
        assert not os.path.exists(path), f"{path} appeared on the host"


@pytest.mark.parametrize("lang", LANGS)
def test_no_network(docker_pool, lang):
    """No network socket can even be made (the candidate's seccomp filter: AF_UNIX only), so
    no interface can be listed and nothing can be sent anywhere; the Docker socket is not
    there to connect to."""
    prog = program(
        lang,
        py={
            "net": """
                import errno
                import socket
                results = []
                try:
                    results.append(str(sorted(name for _, name in socket.if_nameindex())))
                except OSError as e:
                    results.append(errno.errorcode.get(e.errno, str(e)))
                for family in (socket.AF_INET, socket.AF_INET6):
                    try:
                        s = socket.socket(family, socket.SOCK_STREAM)
                        s.settimeout(2)
                        s.connect(("172.17.0.1" if family == socket.AF_INET else "fd00::1", 80))
                        results.append("connected")
                    except OSError as e:
                        results.append(errno.errorcode.get(e.errno, str(e)))
                u = socket.socket(socket.AF_UNIX)
                try:
                    u.connect("/var/run/docker.sock")
                    results.append("docker-connected")
                except OSError as e:
                    results.append(errno.errorcode.get(e.errno, str(e)))
                print(*results)
            """
        },
        cpp={
            "net": """
                struct if_nameindex* ifs = if_nameindex();
                printf("%s", ifs ? "interfaces" : errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
                int families[] = {AF_INET, AF_INET6};
                for (int fam : families) {
                    int s = socket(fam, SOCK_STREAM, 0);
                    printf(" %s", s >= 0 ? "socket" : errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
                }
                int u = socket(AF_UNIX, SOCK_STREAM, 0);
                struct sockaddr_un ua = {};
                ua.sun_family = AF_UNIX;
                strcpy(ua.sun_path, "/var/run/docker.sock");
                int rc = connect(u, (struct sockaddr*)&ua, sizeof ua);
                printf(" %s\\n", rc == 0 ? "docker-connected" : errno == ENOENT ? "ENOENT" : strerror(errno));
            """
        },
        includes=(
            "#include <arpa/inet.h>\n#include <net/if.h>\n#include <netinet/in.h>\n"
            "#include <sys/socket.h>\n#include <sys/un.h>\n"
        ),
    )
    expected = "EAFNOSUPPORT EAFNOSUPPORT EAFNOSUPPORT ENOENT\n"
    r = hostile(docker_pool, prog, [TestCase("net\n", expected)], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_no_privileges(docker_pool, lang):
    """Not root, no capabilities (in any set), no new privileges, a seccomp filter on, no
    supplementary groups; becoming root fails (root has no uid in the test's user
    namespace: EINVAL)."""
    prog = program(
        lang,
        py={
            "privs": """
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                header = (ctypes.c_uint32 * 2)(0x20080522, 0)
                data = (ctypes.c_uint32 * 6)()
                libc.capget(header, data)
                caps = [data[0] | data[3], data[1] | data[4], data[2] | data[5]]
                caps.append(sum(libc.prctl(47, 1, c, 0, 0) == 1 for c in range(41)))  # ambient
                bounding = sum(libc.prctl(23, c, 0, 0, 0) == 1 for c in range(41))
                ids = set(os.getresuid()) | set(os.getresgid())
                try:
                    os.setuid(0)
                    become = "root"
                except OSError as e:  # EINVAL: root has no mapping in the test's user namespace
                    import errno
                    become = errno.errorcode[e.errno]
                nnp, sec = libc.prctl(39, 0, 0, 0, 0), libc.prctl(21, 0, 0, 0, 0)
                print(caps, bounding, 0 in ids, nnp, sec, os.getgroups() or "-", become)
            """
        },
        cpp={
            "privs": """
                struct { unsigned version; int pid; } header = {0x20080522, 0};
                unsigned data[6] = {0};
                syscall(SYS_capget, &header, data);
                unsigned long long caps = data[0] | data[1] | data[2] | data[3] | data[4] | data[5];
                int bounding = 0;
                for (int c = 0; c < 41; c++) bounding += prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1;
                bool root = getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0;
                const char* become = setuid(0) == 0 ? "root" : errno == EINVAL ? "EINVAL" : "other";
                printf("%llu %d %d %d %d %s\\n", caps, bounding, (int)root, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
                       prctl(PR_GET_SECCOMP, 0, 0, 0, 0), become);
            """
        },
        includes="#include <sys/prctl.h>\n#include <sys/syscall.h>\n",
    )
    expected = "[0, 0, 0, 0] 0 False 1 2 - EINVAL\n" if lang == "python" else "0 0 0 1 2 EINVAL\n"
    r = hostile(docker_pool, prog, [TestCase("privs\n", expected)], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)
