"""The sandbox image: tagged by a hash of what goes into it, built once, reused after.

Where a registry answers, the Dockerfile builds FROM python:3.12-slim. Where none does (an
engine that starts with no images and no registry), the base is made here: debootstrap of
Debian bookworm with python3 and g++, then `docker import`; the same Dockerfile builds on it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib import resources

REPOSITORY = "archon-code-sandbox"
REGISTRY_BASE = "python:3.12-slim"
# What the locally made base holds: every language's compiler and runtime (the language
# table's image_needs); its tag names the set, so a base made before a language joined is
# not reused.
BASE_PACKAGES = ("python3", "g++", "openjdk-17-jdk-headless")
LOCAL_BASE = "archon-code-base:bookworm-" + hashlib.sha256(
    ",".join(BASE_PACKAGES).encode()).hexdigest()[:8]
DEBIAN_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"


class ImageError(RuntimeError):
    pass


# What runs inside the sandbox: the supervisor and the standard-library modules it imports.
SUPERVISOR_FILES = ("supervisor.py", "pyrun.py", "seccomp_filter.py", "checker.py")


def _files() -> dict[str, bytes]:
    pkg = resources.files("sandbox")
    files = {"Dockerfile": (pkg / "Dockerfile.sandbox").read_bytes()}
    for name in SUPERVISOR_FILES:
        files[name] = (pkg / name).read_bytes()
    return files


def image_tag() -> str:
    """`archon-code-sandbox:<hash>` where the hash covers every file copied into the image:
    a change to any gives a new tag, so a stale image is never used."""
    h = hashlib.sha256()
    for name, data in sorted(_files().items()):
        h.update(name.encode() + b"\0" + data + b"\0")
    return f"{REPOSITORY}:{h.hexdigest()[:12]}"


def _exists(client, ref: str) -> bool:
    import docker.errors

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_image(client, *, build: bool = True, log: Callable[[str], None] | None = None) -> str:
    tag = image_tag()
    if _exists(client, tag):
        return tag
    if not build:
        raise ImageError(f"sandbox image {tag} is missing: run `archon-code sandbox build`")
    return build_image(client, log=log or _stderr)


def _stderr(msg: str) -> None:
    import sys

    print(f"archon-code: {msg}", file=sys.stderr, flush=True)


def choose_base(client, log: Callable[[str], None]) -> str:
    if _exists(client, REGISTRY_BASE):
        return REGISTRY_BASE
    try:
        log(f"pulling {REGISTRY_BASE} ...")
        client.images.pull(REGISTRY_BASE)
        return REGISTRY_BASE
    except Exception as e:
        log(f"no registry ({type(e).__name__}); using a locally made Debian {DEBIAN_SUITE} base")
    if not _exists(client, LOCAL_BASE):
        make_local_base(client, log)
    return LOCAL_BASE


def make_local_base(client, log: Callable[[str], None]) -> None:
    """debootstrap a minimal Debian with BASE_PACKAGES, and import it as LOCAL_BASE."""
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            log("installing debootstrap ...")
            _run(["apt-get", "install", "-y", "-qq", "debootstrap"], env_extra={
                "DEBIAN_FRONTEND": "noninteractive"})
            debootstrap = shutil.which("debootstrap")
        if debootstrap is None:
            raise ImageError(
                "no container registry answers and debootstrap is missing: install it "
                "(apt-get install debootstrap) or make python:3.12-slim available to Docker"
            )
    if os.geteuid() != 0:
        raise ImageError("making the local base image with debootstrap needs root")
    mirror = os.environ.get("ARCHON_CODE_DEBIAN_MIRROR", DEFAULT_MIRROR)
    with tempfile.TemporaryDirectory(prefix="archon-rootfs-") as tmp:
        root = os.path.join(tmp, "rootfs")
        log(f"debootstrap {DEBIAN_SUITE} ({', '.join(BASE_PACKAGES)}) from {mirror} ... "
            "(a few minutes)")
        _run([debootstrap, "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES),
              DEBIAN_SUITE, root, mirror])
        for junk in ("usr/share/doc", "usr/share/man", "usr/share/locale", "var/cache/apt",
                     "var/lib/apt/lists"):
            shutil.rmtree(os.path.join(root, junk), ignore_errors=True)
        tar = os.path.join(tmp, "rootfs.tar")
        _run(["tar", "-C", root, "-cf", tar, "."])
        log(f"importing the base as {LOCAL_BASE} ...")
        repo, tag = LOCAL_BASE.split(":")
        client.api.import_image_from_file(tar, repository=repo, tag=tag)


def build_image(client, *, base: str | None = None,
                log: Callable[[str], None] = _stderr) -> str:
    tag = image_tag()
    base = base or choose_base(client, log)
    log(f"building {tag} from {base} ...")
    with tempfile.TemporaryDirectory(prefix="archon-image-") as ctx:
        for name, data in _files().items():
            with open(os.path.join(ctx, name), "wb") as f:
                f.write(data)
        kwargs = {}
        if base == LOCAL_BASE:
            # Everything is already inside the base; the build needs no network at all.
            kwargs["network_mode"] = "none"
        try:
            client.images.build(path=ctx, tag=tag, buildargs={"BASE": base}, rm=True,
                                forcerm=True, **kwargs)
        except Exception as e:
            raise ImageError(f"building {tag} failed: {e}") from e
    log(f"built {tag}")
    return tag


def _run(argv: list[str], env_extra: dict | None = None) -> None:
    env = dict(os.environ, **(env_extra or {}))
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        tail = (p.stderr or p.stdout)[-2000:]
        raise ImageError(f"{argv[0]} failed (exit {p.returncode}):\n{tail}")
