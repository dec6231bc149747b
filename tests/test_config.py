"""Architecture configs: Archon's own JSON files, YAML, and the errors users see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from archon_code.config import (
    Architecture,
    ArchitectureError,
    FuserConfig,
    GeneratorConfig,
    RankerConfig,
    UnitTestEvaluatorConfig,
    UnitTestGeneratorConfig,
    VerifierConfig,
    component_types,
    load_architecture,
    parse_architecture,
)

FIXTURES = Path(__file__).parent / "fixtures" / "archon_configs"
ARCHON_FILES = sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("path", ARCHON_FILES, ids=lambda p: p.name[:40])
def test_archon_configs_load_unchanged(path):
    raw = json.loads(path.read_text())

    arch = load_architecture(path)

    assert arch.name == raw["name"]
    assert len(arch.layers) == len(raw["layers"])


def test_archon_unit_test_config():
    arch = load_architecture(
        FIXTURES / "archon-claude-3.5-sonnet_sample_5_then_unit_test_generation_5_with_claude-3.5-sonnet"
        "_then_unit_test_evaluation_with_claude-3.5-sonnet_first_pass.json"
    )

    (utg,), (gen,), (ute,) = arch.layers
    assert isinstance(utg, UnitTestGeneratorConfig)
    assert utg.unit_test_cap == 5
    assert utg.litellm_model == "anthropic/claude-3-5-sonnet-20240620"
    assert isinstance(gen, GeneratorConfig)
    assert (gen.samples, gen.temperature, gen.max_tokens, gen.language) == (5, 0.7, 2048, "any")
    assert gen.archon_extra == {"top_k": 1}
    assert isinstance(ute, UnitTestEvaluatorConfig)
    assert ute.first_pass is True
    assert ute.first_k == 1
    assert ute.top_k == 1
    assert ute.remove_unit_tests_from_prompt is True


def test_archon_rank_critic_verify_fuse_config():
    arch = load_architecture(
        FIXTURES / "archon-70Bx8_1_samples_then_rank_top5_then_critic_then_verifier_with_gemini_1.5_pro"
        "_then_fuser_with_Qwen2_72B.json"
    )

    assert [[c.type for c in layer] for layer in arch.layers] == [
        ["generator"] * 8, ["ranker"], ["critic"], ["verifier"], ["fuser"]
    ]
    assert arch.layers[0][0].litellm_model == "together_ai/Qwen/Qwen2-72B-Instruct"
    (ranker,) = arch.layers[1]
    assert isinstance(ranker, RankerConfig)
    assert (ranker.top_k, ranker.use_critiques, ranker.max_tokens) == (5, False, 8192)
    assert ranker.archon_extra == {"ranker_batch_size": 16}
    (verifier,) = arch.layers[3]
    assert isinstance(verifier, VerifierConfig)
    assert verifier.litellm_model == "gemini/gemini-1.5-pro-001"
    assert verifier.first_k is None


def test_archon_older_layer_shape_with_branches_and_models():
    arch = load_architecture(FIXTURES / "archon-vllm-example.json")

    ((gen,),) = arch.layers
    assert gen.litellm_model == "hosted_vllm/facebook/opt-125m"


def test_archon_fuser_and_pairrm_ranker_keys_are_kept():
    # From Archon's MoA-lite and PairRM-ranker configs.
    arch = parse_architecture(
        {
            "name": "moa-lite",
            "custom": False,
            "layers": [
                [{"type": "generator", "model": "Qwen/Qwen1.5-72B-Chat", "model_type": "Together_API",
                  "top_k": 1, "temperature": 0.7, "max_tokens": 2048}],
                [{"type": "ranker", "model": "llm-blender/PairRM", "ranker_batch_size": 16, "model_type": "",
                  "top_k": 5, "temperature": 0.7, "max_tokens": 2048, "use_critiques": False}],
                [{"type": "fuser", "model": "Qwen/Qwen1.5-72B-Chat", "model_type": "Together_API", "top_k": 1,
                  "temperature": 0.7, "max_tokens": 2048, "top_k_generations": 2, "fuse_generations_count": 1,
                  "ranker_config": {"ranker_checkpoint": "llm-blender/PairRM", "ranker_batch_size": 16}}],
            ],
        }
    )

    assert arch.archon_extra == {"custom": False}
    assert arch.layers[0][0].samples == 1
    ranker = arch.layers[1][0]
    assert ranker.model_type is None
    assert ranker.litellm_model == "llm-blender/PairRM"
    fuser = arch.layers[2][0]
    assert isinstance(fuser, FuserConfig)
    assert fuser.archon_extra["ranker_config"]["ranker_checkpoint"] == "llm-blender/PairRM"
    assert set(fuser.archon_extra) == {"top_k", "top_k_generations", "fuse_generations_count", "ranker_config"}


@pytest.mark.parametrize(
    ("model", "model_type", "litellm_model"),
    [
        ("gpt-4o-2024-05-13", "OpenAI_API", "openai/gpt-4o-2024-05-13"),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "Together_API",
         "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"),
        ("claude-3-5-sonnet-20240620", "Anthropic_API", "anthropic/claude-3-5-sonnet-20240620"),
        ("llama-3.1-70b-versatile", "Groq_API", "groq/llama-3.1-70b-versatile"),
        ("gemini-1.5-pro-001", "Google_API", "gemini/gemini-1.5-pro-001"),
        ("facebook/opt-125m", "vLLM", "hosted_vllm/facebook/opt-125m"),
        ("meta.llama3-70b-instruct-v1:0", "Bedrock_API", "bedrock/meta.llama3-70b-instruct-v1:0"),
        # Archon's Bedrock example already carries the prefix.
        ("bedrock/meta.llama3-70b-instruct-v1:0", "Bedrock_API", "bedrock/meta.llama3-70b-instruct-v1:0"),
        ("openai/gpt-4o", None, "openai/gpt-4o"),
        ("ollama/qwen2.5-coder", None, "ollama/qwen2.5-coder"),
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
    )

    arch = load_architecture(path)

    first, second = arch.layers[0]
    assert (first.language, first.samples, first.temperature) == ("cpp", 20, 1.0)
    assert first.api_base == "http://127.0.0.1:8000/v1"
    assert first.litellm_model == "hosted_vllm/Qwen/Qwen2.5-Coder-7B-Instruct"
    assert second.litellm_model == "openai/gpt-4o-mini"
    assert arch.layers[2][0].first_k == 3
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
    from archon_code.config import _COMPONENT_CLASSES

    for tag in component_types():
        component = {"type": tag}
        if "model" in _COMPONENT_CLASSES[tag].model_fields:
            component["model"] = "openai/m"
        arch = Architecture.model_validate({"name": "x", "layers": [[component]]})
        assert arch.layers[0][0].type == tag


def _write(tmp_path, layers, name="arch.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"name": "a", "layers": layers}))
    return path


GEN = {"type": "generator", "model": "openai/gpt-4o"}

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
        [[{**GEN, "unit_test_cap": 5}]],
        ["layer 1, component 1 (generator): unit_test_cap: Extra inputs are not permitted"],
        id="key-of-another-component",
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
        [[{**GEN, "model_type": "OpenAI"}]],
        ["layer 1, component 1 (generator): model_type: Input should be 'OpenAI_API', 'Together_API', "
         "'Anthropic_API', 'Groq_API', 'Google_API', 'vLLM' or 'Bedrock_API'"],
        id="unknown-model-type",
    ),
    pytest.param(
        [[{**GEN, "language": "java"}]],
        ["layer 1, component 1 (generator): language: Input should be 'python', 'cpp' or 'any'"],
        id="unknown-language",
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
