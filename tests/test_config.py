"""Architecture configs: Archon's JSON format (every key Archon accepts loads, the ones we do
not act on are named once), archon-code's YAML, and the errors users see."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import yaml

from archon_code.config import (
    Architecture,
    ArchitectureError,
    FuserConfig,
    GeneratorConfig,
    IgnoredKeysWarning,
    RankerConfig,
    UnitTestEvaluatorConfig,
    UnitTestGeneratorConfig,
    VerifierConfig,
    component_class,
    component_types,
    detect_format,
    load_architecture,
    parse_architecture,
)
from harness.search_space import load_space
from tests.cli import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "archon_configs"
LOADABLE = sorted(FIXTURES.glob("*.json"))


def load_warned(path: Path) -> tuple[Architecture, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        arch = load_architecture(path)
    return arch, [str(w.message) for w in caught if issubclass(w.category, IgnoredKeysWarning)]


# -- Archon's format --------------------------------------------------------------------------


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: p.stem)
def test_archon_format_configs_load_unchanged(path):
    raw = json.loads(path.read_text())

    arch, _ = load_warned(path)

    assert arch.name == raw["name"]
    assert arch.format == "archon"
    assert [len(layer) for layer in arch.layers] == [
        len(layer["models"] if isinstance(layer, dict) else layer) for layer in raw["layers"]]


def test_ignored_keys_are_named_once_in_one_line():
    arch, caught = load_warned(FIXTURES / "ensemble-rank-critic-verify-fuse.json")

    assert caught == [
        "ignored: layer 1 generator: top_k, checkpoint; "
        "layer 3 ranker: ranker_batch_size, samples (Archon's ranker takes one sample), use_critiques; "
        "layer 4 verifier: batch_num; "
        "layer 5 fuser: fuse_generations_count, length_contorl, ranker_config, top_k, top_k_generations"
    ]
    # custom: false asks for nothing, so it is kept without a word.
    assert arch.archon_extra == {"custom": False}


def test_archon_keys_we_act_on():
    arch, _ = load_warned(FIXTURES / "ensemble-rank-critic-verify-fuse.json")

    (big, open_coder, sonnet), (critic,), (ranker,), (verifier,), (fuser,) = arch.layers
    assert isinstance(big, GeneratorConfig)
    assert (big.samples, big.temperature, big.max_tokens) == (2, 0.8, 4096)
    assert big.litellm_model == "openai/acme-coder-large"
    assert open_coder.litellm_model == "together_ai/acme/open-coder-34b"
    assert sonnet.no_system is True and sonnet.samples == 1
    assert isinstance(ranker, RankerConfig)
    # Archon's ranker takes one sample and shows critiques whatever use_critiques says.
    assert (ranker.top_k, ranker.samples, ranker.use_critiques) == (3, 1, True)
    assert ranker.archon_extra == {"ranker_batch_size": 8, "samples": 4, "use_critiques": False}
    assert isinstance(verifier, VerifierConfig)
    assert verifier.first_k == 2 and verifier.litellm_model == "gemini/acme-flash"
    assert isinstance(fuser, FuserConfig)
    # Archon reads length_control; its configs' "length_contorl" is ignored there and here.
    assert fuser.length_control is True
    assert fuser.archon_extra["length_contorl"] is True
    assert fuser.archon_extra["ranker_config"] == {"ranker_checkpoint": "acme/reward", "ranker_batch_size": 4}


def test_archon_unit_tests_are_natural_language():
    arch, caught = load_warned(FIXTURES / "unit-tests-first.json")

    (utg,), (gen,), (critic,), (ute,) = arch.layers
    assert isinstance(utg, UnitTestGeneratorConfig)
    assert (utg.unit_tests, utg.unit_test_cap) == ("natural_language", 3)
    # Archon's generator of unit tests does not read remove_unit_tests_from_prompt.
    assert utg.remove_unit_tests_from_prompt is False
    assert isinstance(ute, UnitTestEvaluatorConfig)
    assert (ute.first_k, ute.top_k, ute.remove_unit_tests_from_prompt) == (1, 2, True)
    assert caught == ["ignored: layer 1 unit_test_generator: remove_unit_tests_from_prompt; "
                      "layer 4 unit_test_evaluator: unit_test_cap"]


def test_older_layer_shape_and_unknown_keys_in_archon_format():
    arch, caught = load_warned(FIXTURES / "branches-layers.json")

    (mini, coder), (fuser,) = arch.layers
    assert mini.litellm_model == "groq/acme-mini" and mini.samples == 2
    assert coder.litellm_model == "bedrock/acme.coder-v1:0"  # the prefix is already there
    # Archon ignores keys it does not know; so do we, with a hint for what was meant.
    assert fuser.samples == 1 and fuser.archon_extra == {"sampels": 2}
    assert caught == ["ignored: layer 2 fuser: sampels (did you mean 'samples'?)"]


def test_each_warning_is_given_once(tmp_path):
    path = FIXTURES / "branches-layers.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(3):
            load_architecture(path)
    assert len([w for w in caught if issubclass(w.category, IgnoredKeysWarning)]) == 1


def test_the_cli_shows_one_line_for_ignored_keys():
    path = FIXTURES / "ensemble-rank-critic-verify-fuse.json"
    p = run_cli("bench", "--arch", str(path), "--problems", "bundled", "--limit", "0")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    lines = [line for line in p.stderr.splitlines() if "ignored:" in line]
    assert len(lines) == 1 and "layer 3 ranker: ranker_batch_size" in lines[0]
    assert str(path) in lines[0]


ERROR_FILES = [
    ("vllm-in-process.json",
     "layer 1, component 1 (generator): model_type: 'vLLM' loads the model inside Archon's own process, "
     "which archon-code does not do; serve it (vllm serve acme/tiny-coder) and use model "
     "'hosted_vllm/acme/tiny-coder' with api_base (or --api-base)"),
    ("tgi-endpoint.json",
     "layer 1, component 1 (generator): model_type: 'tgi' calls a text-generation-inference endpoint "
     "through Archon's own client, which archon-code does not have; use model 'openai/tgi' with api_base "
     "'http://10.1.2.3:8080/v1' (TGI's OpenAI-compatible route) and no model_type"),
    ("pairrm-ranker.json",
     "layer 2, component 1 (ranker): model: 'llm-blender/PairRM' is a reward model Archon runs in its own "
     "process (llm-blender), which archon-code does not; rank with an LLM (any litellm model, e.g. "
     "'openai/gpt-4o-mini') or with execution (type: codet, pass_count or output_clustering)"),
    ("custom-model-type.json",
     "layer 1, component 1 (generator): model_type: 'Acme_Local' has no litellm mapping (Archon reaches it "
     "through a custom generator, which cannot run here); use one of OpenAI_API, Together_API, "
     "Anthropic_API, Groq_API, Google_API, vLLM, Bedrock_API, or leave model_type out and write the model "
     "as a litellm string such as 'openai/gpt-4o'"),
]


@pytest.mark.parametrize(("name", "problem"), ERROR_FILES, ids=[n for n, _ in ERROR_FILES])
def test_models_that_cannot_run_here_fail_at_load_saying_what_to_use(name, problem):
    path = FIXTURES / "errors" / name
    with pytest.raises(ArchitectureError) as raised:
        load_architecture(path)
    assert str(raised.value) == f"{path}: {problem}"


def test_a_vllm_server_at_api_base_is_fine():
    arch = parse_architecture({"name": "x", "layers": [[{
        "type": "generator", "model": "acme/tiny-coder", "model_type": "vLLM", "api_base": "http://127.0.0.1:8000/v1"}]]})
    assert arch.layers[0][0].litellm_model == "hosted_vllm/acme/tiny-coder"


def test_unrunnable_models_fail_at_the_command_line_in_one_line():
    path = FIXTURES / "errors" / "pairrm-ranker.json"
    p = run_cli("bench", "--arch", str(path), "--problems", "bundled", "--limit", "1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert f"{path}: layer 2, component 1 (ranker): model: 'llm-blender/PairRM'" in p.stderr.replace("\n", "")


# -- which format ------------------------------------------------------------------------------

GEN = {"type": "generator", "model": "openai/gpt-4o"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"layers": [[{**GEN, "model_type": "OpenAI_API"}]]}, "archon"),
        ({"layers": [[{**GEN, "model_type": ""}], [{"type": "ranker", "model": "m", "model_type": ""}]]}, "archon"),
        ({"layers": [[GEN]]}, "archon-code"),  # Archon requires model_type
        ({"layers": [[{**GEN, "model_type": "OpenAI_API", "language": "cpp"}]]}, "archon-code"),
        ({"layers": [[{**GEN, "model_type": "OpenAI_API"}], [{"type": "public_filter"}]]}, "archon-code"),
        ({"format": "archon", "layers": [[GEN]]}, "archon"),
        ({"format": "archon-code", "layers": [[{**GEN, "model_type": "OpenAI_API"}]]}, "archon-code"),
    ],
)
def test_format_detection(data, expected):
    assert detect_format(data) == expected
    assert parse_architecture({"name": "x", **data}).format == expected


def test_archon_code_configs_keep_archon_code_behaviour():
    arch = parse_architecture({"name": "x", "layers": [
        [{"type": "unit_test_generator", "model": "openai/m", "remove_unit_tests_from_prompt": True}],
        [{"type": "ranker", "model": "openai/m", "samples": 3, "use_critiques": False}],
    ]})
    (utg,), (ranker,) = arch.layers
    assert (utg.unit_tests, utg.remove_unit_tests_from_prompt) == ("executable", True)
    assert (ranker.samples, ranker.use_critiques) == (3, False)
    assert arch.ignored() == []


def test_archon_keys_in_archon_code_configs_are_ignored_not_rejected(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("layers:\n  - - {type: generator, model: openai/m, top_k: 2, checkpoint: c}\n"
                    "  - - {type: verifier, model: openai/m, batch_num: 2}\n")
    arch, caught = load_warned(path)
    assert arch.format == "archon-code"
    assert caught == ["ignored: layer 1 generator: checkpoint, top_k; layer 2 verifier: batch_num"]


# -- archon-code's own configs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "model_type", "litellm_model"),
    [
        ("gpt-4o-2024-05-13", "OpenAI_API", "openai/gpt-4o-2024-05-13"),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "Together_API",
         "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"),
        ("claude-3-5-sonnet-20240620", "Anthropic_API", "anthropic/claude-3-5-sonnet-20240620"),
        ("llama-3.1-70b-versatile", "Groq_API", "groq/llama-3.1-70b-versatile"),
        ("gemini-1.5-pro-001", "Google_API", "gemini/gemini-1.5-pro-001"),
        ("meta.llama3-70b-instruct-v1:0", "Bedrock_API", "bedrock/meta.llama3-70b-instruct-v1:0"),
        ("bedrock/meta.llama3-70b-instruct-v1:0", "Bedrock_API", "bedrock/meta.llama3-70b-instruct-v1:0"),
        ("openai/gpt-4o", None, "openai/gpt-4o"),
        ("ollama/qwen2.5-coder", None, "ollama/qwen2.5-coder"),
        ("openai/gpt-4o", "", "openai/gpt-4o"),
    ],
)
def test_model_type_maps_to_litellm_prefix(model, model_type, litellm_model):
    component = {"type": "generator", "model": model}
    if model_type is not None:
        component["model_type"] = model_type

    arch = parse_architecture({"name": "x", "layers": [[component]]})

    assert arch.layers[0][0].litellm_model == litellm_model


def test_yaml_config_with_our_own_keys(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "name: sample-then-test\n"
        "layers:\n"
        "  - - type: generator\n"
        "      model: hosted_vllm/Qwen/Qwen2.5-Coder-7B-Instruct\n"
        "      api_base: http://127.0.0.1:8000/v1\n"
        "      language: cpp\n"
        "      samples: 20\n"
        "      temperature: 1.0\n"
        "    - type: generator\n"
        "      model: gpt-4o-mini\n"
        "      model_type: OpenAI_API\n"
        "  - - type: unit_test_generator\n"
        "      model: openai/gpt-4o\n"
        "      unit_test_cap: 10\n"
        "  - - type: unit_test_evaluator\n"
        "      model: openai/gpt-4o\n"
        "      first_k: 3\n"
        "  - - type: fuser\n"
        "      model: openai/gpt-4o\n"
        "      max_input_tokens: 30000\n"
    )

    arch = load_architecture(path)

    assert arch.format == "archon-code"
    first, second = arch.layers[0]
    assert (first.language, first.samples, first.temperature) == ("cpp", 20, 1.0)
    assert first.api_base == "http://127.0.0.1:8000/v1"
    assert first.litellm_model == "hosted_vllm/Qwen/Qwen2.5-Coder-7B-Instruct"
    assert second.litellm_model == "openai/gpt-4o-mini"
    assert arch.layers[1][0].unit_tests == "executable"
    assert arch.layers[2][0].first_k == 3
    assert arch.layers[3][0].max_input_tokens == 30000
    # The same architecture written as JSON loads to the same model.
    as_json = tmp_path / "pipeline.json"
    as_json.write_text(json.dumps(yaml.safe_load(path.read_text())))
    assert load_architecture(as_json) == arch


def test_missing_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "my-pipeline.yml"
    path.write_text("layers:\n  - - {type: critic, model: openai/gpt-4o}\n")

    assert load_architecture(path).name == "my-pipeline"


def test_every_component_type_is_in_the_union():
    assert set(component_types()) >= {
        "generator", "fuser", "critic", "ranker", "verifier", "unit_test_generator", "unit_test_evaluator"
    }
    for tag in component_types():
        component = {"type": tag}
        if "model" in component_class(tag).model_fields:
            component["model"] = "openai/m"
        arch = Architecture.model_validate({"name": "x", "layers": [[component]]})
        assert arch.layers[0][0].type == tag


def _write(tmp_path, layers, name="arch.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"name": "a", "layers": layers}))
    return path


ERROR_CASES = [
    pytest.param(
        [[GEN], [{**GEN, "samples": 0}]],
        ["layer 2, component 1 (generator): samples: Input should be greater than 0"],
        id="samples-zero",
    ),
    pytest.param(
        [[GEN, {**GEN, "sample": 3}]],
        ["layer 1, component 2 (generator): sample: Extra inputs are not permitted (did you mean 'samples'?)"],
        id="typo-in-our-key",
    ),
    pytest.param(
        [[{**GEN, "langauge": "cpp"}]],
        ["layer 1, component 1 (generator): langauge: Extra inputs are not permitted (did you mean 'language'?)"],
        id="typo-in-our-own-key",
    ),
    pytest.param(
        [[{**GEN, "model_type": "OpenAI_API", "samples": "three"}]],
        ["layer 1, component 1 (generator): samples: Input should be a valid integer, unable to parse string "
         "as an integer"],
        id="wrong-type-in-archon-format",
    ),
    pytest.param(
        [[{"type": "public_filter", "unit_test_cap": 5}]],
        ["layer 1, component 1 (public_filter): unit_test_cap: Extra inputs are not permitted"],
        id="archon-key-on-our-own-component",
    ),
    pytest.param(
        [[{"type": "generater", "model": "m"}]],
        ["layer 1, component 1: type: unknown component type 'generater'; expected one of: "
         + ", ".join(component_types())],
        id="unknown-type",
    ),
    pytest.param(
        [[{"model": "m"}]],
        ["layer 1, component 1: type: missing; expected one of: " + ", ".join(component_types())],
        id="missing-type",
    ),
    pytest.param(
        [[{"type": "ranker", "model_type": "OpenAI_API"}]],
        ["layer 1, component 1 (ranker): model: Field required"],
        id="missing-model",
    ),
    pytest.param(
        [[{**GEN, "language": "rust"}]],
        ["layer 1, component 1 (generator): language: unknown language 'rust'; expected any, python, cpp, java"],
        id="unknown-language",
    ),
    pytest.param(
        [[{"type": "dataset_samples", "languages": ["python", "go"]}]],
        ["layer 1, component 1 (dataset_samples): languages.1: unknown language 'go'; expected python, cpp, java"],
        id="unknown-dataset-language",
    ),
    pytest.param(
        [[GEN], []],
        ["layer 2: a layer needs at least one component"],
        id="empty-layer",
    ),
    pytest.param(
        [[GEN], "fuser"],
        ["layer 2: Input should be a valid list"],
        id="layer-not-a-list",
    ),
    pytest.param(
        [[{**GEN, "temperature": 3}], [{"type": "ranker", "model": "m", "top_k": 0}]],
        [
            "layer 1, component 1 (generator): temperature: Input should be less than or equal to 2",
            "layer 2, component 1 (ranker): top_k: Input should be greater than 0",
        ],
        id="several-errors",
    ),
]


@pytest.mark.parametrize(("layers", "problems"), ERROR_CASES)
def test_validation_errors_name_file_layer_component_and_field(tmp_path, layers, problems):
    path = _write(tmp_path, layers)

    with pytest.raises(ArchitectureError) as raised:
        load_architecture(path)

    assert raised.value.problems == problems
    assert str(raised.value) == "\n".join(f"{path}: {p}" for p in problems)


def test_top_level_errors(tmp_path):
    path = tmp_path / "arch.json"
    path.write_text(json.dumps({"name": "a", "lyers": [[GEN]]}))

    with pytest.raises(ArchitectureError) as raised:
        load_architecture(path)

    assert str(raised.value) == (
        f"{path}: layers: Field required\n"
        f"{path}: lyers: Extra inputs are not permitted (did you mean 'layers'?)"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("arch.yaml", "name: a\nlayers:\n  - [ {type: generator\n", "line 4, column 1: invalid YAML"),
        ("arch.json", '{"name": "a",\n "layers": [[}\n', "line 2, column 14: invalid JSON: Expecting value"),
        ("arch.yaml", "", "the file is empty"),
        ("arch.yaml", "- just\n- a list\n", "expected a mapping with 'name' and 'layers', got list"),
    ],
)
def test_unparseable_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(ArchitectureError) as raised:
        load_architecture(path)

    assert str(raised.value).startswith(f"{path}: {message}")


def test_missing_file(tmp_path):
    with pytest.raises(ArchitectureError, match=r"nope\.yaml: cannot read"):
        load_architecture(tmp_path / "nope.yaml")


def test_error_names_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, [[{**GEN, "samples": 0}]])

    with pytest.raises(ArchitectureError) as raised:
        load_architecture("arch.yaml")

    assert str(raised.value) == "arch.yaml: layer 1, component 1 (generator): samples: Input should be greater than 0"


# -- Archon's ITAS search configs ---------------------------------------------------------------


def test_archon_search_config_loads_with_its_model_files():
    path = FIXTURES / "itas" / "benchmarks" / "search_configs" / "search.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        space = load_space(path)
    messages = [str(w.message) for w in caught if issubclass(w.category, IgnoredKeysWarning)]
    assert messages == [
        "ignored: base_output_directory, benchmark, judge_model, baseline_model, dataset_sample_for_power_ranking, "
        "dataset_sample_for_search, dataset_sample_for_final_ranking",
        "models_available: not found beside the search config or above it, so named by the file: "
        "configs/individual_models/acme-turbo-2024.json as 'acme-turbo-2024'",
    ]
    assert (space.search.sampler, space.search.trials, space.search.startup_trials, space.search.max_samples,
            space.search.finalists) == ("tpe", 5, 2, 16, 4)
    assert space.archon_extra["dataset_sample_for_power_ranking"] == 0.05

    class Both:
        def suggest_categorical(self, name, choices):
            return {"model_top_k": 2, "sample_top_k": 3, "fuser_layer_1": "1"}[name]

    arch = space.instantiate(Both())
    # The model file found two folders up is read; the missing one is named by its stem.
    assert [c.model for c in arch.layers[0]] == ["anthropic/acme-haiku-2024", "acme-turbo-2024"]
    assert [c.samples for c in arch.layers[0]] == [3, 3]
    assert [[c.type for c in layer] for layer in arch.layers] == [
        ["generator", "generator"], ["critic"], ["ranker"], ["fuser"], ["fuser"]]
