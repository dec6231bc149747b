"""An architecture written back as a config file that `bench --arch` and `solve --arch` load."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from archon_code.config import Architecture


def architecture_yaml(arch: Architecture, header: Sequence[str] = ()) -> str:
    """The architecture as a config file: only what differs from the defaults, each
    component's ``type`` first, ``header`` lines as comments on top."""
    data = arch.model_dump(mode="json", exclude_defaults=True)
    layers = [[{"type": c["type"], **{k: v for k, v in c.items() if k != "type"}} for c in layer]
              for layer in data["layers"]]
    body = yaml.safe_dump({"name": arch.name, "layers": layers,
                           **{k: v for k, v in data.items() if k not in ("name", "layers")}},
                          sort_keys=False, default_flow_style=False)
    return "".join(f"# {line}\n" for line in header) + body
