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
    """Only the loopback interface, no route anywhere: connecting to the Docker bridge
    gateway or a private address fails at once with ENETUNREACH (nothing is sent)."""
    prog = program(
        lang,
        py={
            "net": """
                import errno
                import socket
                names = sorted(name for _, name in socket.if_nameindex())
                with open("/proc/net/route") as f:
                    routes = f.read().splitlines()[1:]
                results = []
                for host in ("172.17.0.1", "10.0.0.1", "192.168.0.1"):
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.settimeout(2)
                    t = time.monotonic()
                    try:
                        s.connect((host, 80))
                        results.append("connected")
                    except OSError as e:
                        fast = time.monotonic() - t < 0.5
                        results.append(errno.errorcode.get(e.errno, str(e)) + ("" if fast else "-slow"))
                    finally:
                        s.close()
                u = socket.socket(socket.AF_UNIX)
                try:
                    u.connect("/var/run/docker.sock")
                    results.append("docker-connected")
                except OSError as e:
                    results.append(errno.errorcode.get(e.errno, str(e)))
                print(names, len(routes), *results)
            """
        },
        cpp={
            "net": """
                struct if_nameindex* ifs = if_nameindex();
                int n = 0;
                for (struct if_nameindex* i = ifs; i && i->if_index; i++) { printf("%s ", i->if_name); n++; }
                printf("%d", n);
                const char* hosts[] = {"172.17.0.1", "10.0.0.1", "192.168.0.1"};
                for (const char* h : hosts) {
                    int s = socket(AF_INET, SOCK_STREAM, 0);
                    struct sockaddr_in a = {};
                    a.sin_family = AF_INET;
                    a.sin_port = htons(80);
                    inet_pton(AF_INET, h, &a.sin_addr);
                    int rc = connect(s, (struct sockaddr*)&a, sizeof a);
                    printf(" %s", rc == 0 ? "connected" : errno == ENETUNREACH ? "ENETUNREACH" : strerror(errno));
                    close(s);
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
    if lang == "python":
        expected = "['lo'] 0 ENETUNREACH ENETUNREACH ENETUNREACH ENOENT\n"
    else:
        expected = "lo 1 ENETUNREACH ENETUNREACH ENETUNREACH ENOENT\n"
    r = hostile(docker_pool, prog, [TestCase("net\n", expected)], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_no_privileges(docker_pool, lang):
    """Not root, no capabilities, no new privileges, seccomp on; becoming root fails."""
    prog = program(
        lang,
        py={
            "privs": """
                with open("/proc/self/status") as f:
                    st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
                caps = [int(st[k].strip(), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")]
                uids = {int(x) for x in st["Uid"].split() + st["Gid"].split()}
                try:
                    os.setuid(0)
                    become = "root"
                except PermissionError:
                    become = "EPERM"
                print(caps, 0 in uids, st["NoNewPrivs"].strip(), st["Seccomp"].strip(), st["Groups"].strip() or "-", become)
            """
        },
        cpp={
            "privs": """
                FILE* f = fopen("/proc/self/status", "r");
                char line[256];
                unsigned long long caps = 0;
                char nnp[8] = "?", sec[8] = "?";
                while (fgets(line, sizeof line, f)) {
                    if (!strncmp(line, "Cap", 3) && strncmp(line, "CapBnd", 6)) caps |= strtoull(strchr(line, ':') + 1, 0, 16);
                    if (!strncmp(line, "NoNewPrivs:", 11)) sscanf(line + 11, "%7s", nnp);
                    if (!strncmp(line, "Seccomp:", 8)) sscanf(line + 8, "%7s", sec);
                }
                bool root = getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0;
                const char* become = setuid(0) == 0 ? "root" : errno == EPERM ? "EPERM" : "other";
                printf("%llu %d %s %s %s\\n", caps, (int)root, nnp, sec, become);
            """
        },
    )
    expected = "[0, 0, 0, 0] False 1 2 - EPERM\n" if lang == "python" else "0 0 1 2 EPERM\n"
    r = hostile(docker_pool, prog, [TestCase("privs\n", expected)], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)
