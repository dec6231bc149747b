"""Archon's ITAS search configs (JSON with ``models_available`` and ``*_choices``) as search
spaces: :func:`from_archon_search` turns one into the data of a space file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from archon_code.config import ArchitectureError, IgnoredKeysWarning, LLMComponentConfig, load_architecture
from archon_code.config_files import warn_once
from harness.space_errors import SpaceError, validation_problems

# Keys of Archon's search configs that name its own machinery (benchmarks judged by an LLM,
# output folders, a power ranking of models computed by running them): accepted, kept in
# ``archon_extra``, not acted on.
ARCHON_SEARCH_IGNORED = frozenset({
    "benchmark", "judge_model", "baseline_model", "base_output_directory", "search_config_name",
    "power_ranking_save_path", "answers_save_path", "save_directory",
    "dataset_sample_for_power_ranking", "dataset_sample_for_search", "dataset_sample_for_final_ranking",
})

_ARCHON_SAMPLERS = {"random_search": "random", "grid_search": "grid", "bayesian_optimization": "tpe"}


class _ArchonSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    models_available: list[str] = Field(min_length=1)
    model_top_k_choices: list[int] = Field(default_factory=lambda: [1], min_length=1)
    sample_top_k_choices: list[int] = Field(default_factory=lambda: [1], min_length=1)
    fuser_layer_1_choices: list[int] = Field(default_factory=lambda: [0], min_length=1)
    fuser_layer_2_choices: list[int] = Field(default_factory=lambda: [0], min_length=1)
    fuser_layer_3_choices: list[int] = Field(default_factory=lambda: [0], min_length=1)
    ranker_top_k: int = Field(5, gt=0)
    add_final_fuser: bool = True
    maximum_inference_calls: int | None = Field(None, gt=0)
    search_algorithm_choice: Literal["random_search", "grid_search", "bayesian_optimization"] = "bayesian_optimization"
    random_search_iterations: int | None = Field(None, gt=0)
    search_iterations: int | None = Field(None, gt=0)
    init_points: int | None = Field(None, ge=0)
    n_iter: int | None = Field(None, ge=0)
    number_of_archon_configs_for_final_ranking: int | None = Field(None, gt=0)
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(2048, gt=0)

    @model_validator(mode="after")
    def _fits(self) -> _ArchonSearch:
        n = len(self.models_available)
        for key in ("model_top_k_choices", "fuser_layer_1_choices", "fuser_layer_2_choices",
                    "fuser_layer_3_choices"):
            bad = [k for k in getattr(self, key) if k < 0 or k > n]
            if bad:
                raise ValueError(f"{key}: {bad} outside 0..{n} (the number of models_available)")
        if 0 in self.model_top_k_choices:
            raise ValueError("model_top_k_choices: 0 generators leaves nothing to run")
        if any(k < 1 for k in self.sample_top_k_choices):
            raise ValueError("sample_top_k_choices: samples start at 1")
        return self


def from_archon_search(data: Mapping[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Archon's ITAS search config as a space. What maps:

    - ``models_available``: litellm model strings, or Archon's individual model configs
      (``configs/individual_models/x.json``, read when found beside the search config or in
      a folder above it, else taken as the model named ``x``); their order stands in for
      Archon's power ranking, which it computes by running every model on a judged benchmark;
    - ``model_top_k_choices``: layer 1 is the first k models as generators;
    - ``sample_top_k_choices``: samples per generator (one value shared by all of them);
    - ``fuser_layer_{1,2,3}_choices``: up to three fusion layers, each of width w (0 leaves it
      out) fusing with the first w models, each preceded by a critic layer and a ranker layer
      (``ranker_top_k``, default 5) run by the first model, as Archon's ITAS builds them;
    - ``add_final_fuser`` (default true): a last fuser layer with the first model;
    - ``maximum_inference_calls`` -> ``search.max_samples``: a trial asking for more LLM samples
      per problem is skipped;
    - ``search_algorithm_choice``: random_search -> random, grid_search -> grid,
      bayesian_optimization -> tpe; ``random_search_iterations``, ``search_iterations`` or
      ``init_points`` + ``n_iter`` -> ``search.trials`` (``init_points`` also sets the random
      start of TPE); ``number_of_archon_configs_for_final_ranking`` -> ``search.finalists``;
    - ``temperature`` and ``max_tokens`` (Archon's general model config: 0.7 and 2048).

    Kept aside, not acted on, and named in an :class:`IgnoredKeysWarning`: Archon's
    benchmark, judge and baseline models, output folders and dataset sampling keys (the
    held-out split replaces the latter).
    """
    body = {k: v for k, v in data.items() if k not in ARCHON_SEARCH_IGNORED}
    extra = {k: v for k, v in data.items() if k in ARCHON_SEARCH_IGNORED}
    if extra:
        warn_once("ignored: " + ", ".join(extra), IgnoredKeysWarning, source)
    try:
        cfg = _ArchonSearch.model_validate(body)
    except ValidationError as exc:
        unknown = "not a key of Archon's search configs that maps here"
        raise SpaceError(source, [f"{field}: {msg}" if field else msg
                                  for field, msg in validation_problems(exc, _ArchonSearch, unknown)]) from None
    models = [_archon_model(entry, source) for entry in cfg.models_available]
    guessed = [f"{entry} as {model!r}" for entry, (model, found) in zip(cfg.models_available, models) if not found]
    if guessed:
        warn_once("models_available: not found beside the search config or above it, so named by the file: "
                  + ", ".join(guessed), IgnoredKeysWarning, source)
    models = [model for model, _ in models]
    common = {"temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
    samples = {"choice": cfg.sample_top_k_choices, "name": "sample_top_k"}
    layers: list[Any] = [[{"first": [{"type": "generator", "model": m, "samples": samples, **common} for m in models],
                           "count": {"choice": cfg.model_top_k_choices, "name": "model_top_k"}}]]
    for i in (1, 2, 3):
        widths = getattr(cfg, f"fuser_layer_{i}_choices")
        if widths == [0]:
            continue
        name = f"fuser_layer_{i}"
        critic = [{"type": "critic", "model": models[0], **common}]
        ranker = [{"type": "ranker", "model": models[0], "top_k": cfg.ranker_top_k, **common}]
        layers.append({"choice": {str(w): critic if w else None for w in widths}, "name": name})
        layers.append({"choice": {str(w): ranker if w else None for w in widths}, "name": name})
        layers.append({"choice": {str(w): [{"type": "fuser", "model": models[j], **common} for j in range(w)] or None
                                  for w in widths}, "name": name})
    if cfg.add_final_fuser:
        layers.append([{"type": "fuser", "model": models[0], **common}])
    trials = cfg.random_search_iterations if cfg.search_algorithm_choice == "random_search" else None
    if cfg.init_points is not None or cfg.n_iter is not None:
        trials = trials or (cfg.init_points or 0) + (cfg.n_iter or 0) or None
    trials = trials or cfg.search_iterations
    search = {"sampler": _ARCHON_SAMPLERS[cfg.search_algorithm_choice], "trials": trials,
              "max_samples": cfg.maximum_inference_calls,
              "finalists": cfg.number_of_archon_configs_for_final_ranking or 1,
              "startup_trials": cfg.init_points}
    name = Path(source).stem if source and not source.startswith("<") else "archon-search"
    return {"name": name, "search": search, "layers": layers}, extra


def _archon_model(entry: str, source: str) -> tuple[str, bool]:
    """(litellm model, whether it was read) for one of ``models_available``: a model string as
    it is, or one of Archon's individual model configs (a JSON file holding one generator),
    looked for beside the search config and in every folder above it."""
    if not entry.endswith(".json"):
        return entry, True
    here = Path(source).parent if not source.startswith("<") else Path.cwd()
    for folder in [here, *here.parents]:
        path = folder / entry
        if path.is_file():
            try:
                arch = load_architecture(path, warn=False)
            except ArchitectureError as e:
                raise SpaceError(source, [f"models_available: {line}" for line in str(e).splitlines()]) from None
            llms = [c for layer in arch.layers for c in layer if isinstance(c, LLMComponentConfig)]
            if llms:
                return llms[0].litellm_model, True
    return Path(entry).stem, False
