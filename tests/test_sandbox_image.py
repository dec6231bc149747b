"""The image tag follows what goes into the image; an up-to-date image is reused."""

from __future__ import annotations

import pytest

from sandbox import image


def test_tag_is_a_hash_of_dockerfile_and_supervisor(monkeypatch):
    files = image._files()
    tag = image.image_tag()
    assert tag.startswith("archon-code-sandbox:") and len(tag.split(":")[1]) == 12
    assert image.image_tag() == tag
    changed = dict(files, **{"supervisor.py": files["supervisor.py"] + b"\n# changed\n"})
    monkeypatch.setattr(image, "_files", lambda: changed)
    assert image.image_tag() != tag


def test_every_file_of_the_image_is_copied_and_hashed(monkeypatch):
    """The supervisor imports the seccomp filter from its own directory in the image."""
    files = image._files()
    copies = [line.split()[1:-1] for line in files["Dockerfile"].decode().splitlines()
              if line.startswith("COPY ")]
    copied = {name for names in copies for name in names}
    assert copied == set(files) - {"Dockerfile"}
    assert "seccomp_filter.py" in copied
    tag = image.image_tag()
    changed = dict(files, **{"seccomp_filter.py": files["seccomp_filter.py"] + b"\n"})
    monkeypatch.setattr(image, "_files", lambda: changed)
    assert image.image_tag() != tag


@pytest.mark.docker
def test_ensure_image_reuses_an_up_to_date_image():
    from sandbox.daemon import docker_client

    from tests.conftest import require_docker

    require_docker()
    client = docker_client()
    tag = image.ensure_image(client)  # built by .ci/run; otherwise built here
    before = client.images.get(tag).id
    logs: list[str] = []
    assert image.ensure_image(client, log=logs.append) == tag
    assert client.images.get(tag).id == before and logs == []


def test_missing_image_without_build_is_a_clear_error(monkeypatch):
    class Images:
        def get(self, ref):
            import docker.errors

            raise docker.errors.ImageNotFound(ref)

    class Client:
        images = Images()

    with pytest.raises(image.ImageError, match="archon-code sandbox build"):
        image.ensure_image(Client(), build=False)
