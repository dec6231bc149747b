"""Architecture configs: ``{name, layers: [[component, ...], ...]}`` in YAML or JSON.

Each component is a pydantic model picked by its ``type``. Archon's published JSON configs
load unchanged and behave as in Archon:

* every key Archon's components read or its configs carry is accepted; the ones this package
  does not act on are kept in ``archon_extra`` and named once in an
  :class:`IgnoredKeysWarning` (``ignored: ...``), never rejected;
* a config in Archon's own format (every component one of Archon's seven types and carrying
  ``model_type``, which Archon's constructors require; or ``format: archon``) accepts any
  other key too, as Archon does, and gets Archon's behaviour where it differs from
  archon-code's: its unit-test generator writes natural-language tests that are appended to
  the problem for every later layer, and its ranker takes one sample;
* in archon-code's own configs an unknown key is an error with a did-you-mean, so a typo in
  a key we act on (``sample`` for ``samples``) never passes silently;
* models that cannot run here (Archon's in-process vLLM, TGI endpoints, the PairRM reward
  model, custom generators) are refused at load with what to use instead.

A new component type is one class in this module: a subclass of :class:`ComponentConfig`
(or :class:`LLMComponentConfig`) with ``type: Literal["..."]``, defined before
``AnyComponent`` is built. It registers itself; the union and the error messages follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sandbox import languages

from archon_code.config_files import ConfigError, did_you_mean, read_config_file, warn_once

# Archon's ``model_type`` values and the litellm provider prefix each one stands for. Archon's
# "vLLM" loads the model in its own process; here it means a vLLM server at ``api_base``.
MODEL_TYPE_PREFIX: dict[str, str] = {
    "OpenAI_API": "openai/",
    "Together_API": "together_ai/",
    "Anthropic_API": "anthropic/",
    "Groq_API": "groq/",
    "Google_API": "gemini/",
    "vLLM": "hosted_vllm/",
    "Bedrock_API": "bedrock/",
}

# Archon's component types, and every key its components read
# (src/archon/completions/components/*.py) or its published configs carry. A component acts
# on the ones that are its fields and sets the others aside.
ARCHON_TYPES = ("generator", "fuser", "critic", "ranker", "verifier", "unit_test_generator",
                "unit_test_evaluator")
ARCHON_COMPONENT_KEYS = frozenset({
    "type", "model", "model_type", "temperature", "max_tokens", "samples", "no_system", "top_k",
    "use_critiques", "ranker_batch_size", "first_k", "first_pass", "unit_test_cap",
    "remove_unit_tests_from_prompt", "length_control", "length_contorl", "top_k_generations",
    "fuse_generations_count", "ranker_config", "checkpoint", "batch_num",
})
PAIRRM = "llm-blender/PairRM"

Format = Literal["archon-code", "archon"]

_COMPONENT_CLASSES: dict[str, type[ComponentConfig]] = {}


class ArchitectureError(ConfigError):
    """A config that cannot be loaded. ``str()`` gives one line per problem, each naming the
    file, the layer and component (1-based) and the field."""


class IgnoredKeysWarning(UserWarning):
    """Keys a config may carry (Archon's) that archon-code accepts but does not act on."""


def _set_aside(data: Any, keys: frozenset[str]) -> Any:
    """Move the given keys out of ``data`` into its ``archon_extra`` mapping."""
    if not isinstance(data, Mapping) or not keys & data.keys():
        return data
    data = dict(data)
    extra = dict(data.get("archon_extra") or {})
    for key in sorted(keys & data.keys()):
        extra[key] = data.pop(key)
    data["archon_extra"] = extra
    return data


class ComponentConfig(BaseModel):
    """Base of every component config; subclasses declare ``type: Literal[...]``."""

    model_config = ConfigDict(extra="forbid")

    # Keys accepted and kept in archon_extra: Archon's keys this component has no field for.
    archon_extra: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def ignored_keys(cls) -> frozenset[str]:
        """Archon's keys this component accepts without acting on them."""
        field = cls.model_fields.get("type")
        tag = get_args(field.annotation)[0] if field is not None and get_origin(field.annotation) is Literal else None
        return ARCHON_COMPONENT_KEYS - cls.model_fields.keys() if tag in ARCHON_TYPES else frozenset()

    @model_validator(mode="before")
    @classmethod
    def _set_aside_archon_keys(cls, data: Any) -> Any:
        return _set_aside(data, cls.ignored_keys())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is not None and get_origin(field.annotation) is Literal:
            (tag,) = get_args(field.annotation)
            _COMPONENT_CLASSES[tag] = cls


class LLMComponentConfig(ComponentConfig):
    """A component that calls a language model. ``no_system`` sends no system message (for
    models that refuse one), as Archon's option does."""

    model: str = Field(min_length=1)
    model_type: str | None = None
    api_base: str | None = None
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(2048, gt=0)
    samples: int = Field(1, gt=0)
    no_system: bool = False

    @field_validator("model_type", mode="before")
    @classmethod
    def _known_model_type(cls, value: Any) -> Any:
        # Archon writes "" for models that need no provider (e.g. its PairRM ranker).
        if value == "":
            return None
        if isinstance(value, str) and value not in MODEL_TYPE_PREFIX and value != "tgi":
            raise ValueError(
                f"{value!r} has no litellm mapping (Archon reaches it through a custom generator, "
                f"which cannot run here); use one of {', '.join(MODEL_TYPE_PREFIX)}, or leave "
                "model_type out and write the model as a litellm string such as 'openai/gpt-4o'")
        return value

    @field_validator("model")
    @classmethod
    def _runnable_model(cls, value: str) -> str:
        if value.lower() == PAIRRM.lower():
            raise ValueError(
                f"{value!r} is a reward model Archon runs in its own process (llm-blender), "
                "which archon-code does not; rank with an LLM (any litellm model, e.g. "
                "'openai/gpt-4o-mini') or with execution (type: codet, pass_count or output_clustering)")
        return value

    @model_validator(mode="after")
    def _runnable_model_type(self) -> LLMComponentConfig:
        if self.model_type == "vLLM" and not self.api_base:
            served = self.model.removeprefix("hosted_vllm/")
            raise ValueError(
                "model_type: 'vLLM' loads the model inside Archon's own process, which archon-code "
                f"does not do; serve it (vllm serve {served}) and use model 'hosted_vllm/{served}' "
                "with api_base (or --api-base)")
        if self.model_type == "tgi":
            raise ValueError(
                "model_type: 'tgi' calls a text-generation-inference endpoint through Archon's own "
                f"client, which archon-code does not have; use model 'openai/tgi' with api_base "
                f"{self.model!r} (TGI's OpenAI-compatible route) and no model_type")
        return self

    @property
    def litellm_model(self) -> str:
        """The model as a litellm model string: ``model_type`` becomes a provider prefix."""
        return _with_prefix(self.model, self.model_type)


def _with_prefix(model: str, model_type: str | None) -> str:
    prefix = MODEL_TYPE_PREFIX.get(model_type or "", "")
    # Archon's Bedrock example already spells the prefix out in the model name.
    if not prefix or model.startswith(prefix):
        return model
    return prefix + model


def _table_language(name: str, also: str = "") -> str:
    if name not in languages.LANGUAGES:
        raise ValueError(f"unknown language {name!r}; expected {also}{', '.join(languages.NAMES)}")
    return name


TableLanguage = Annotated[str, AfterValidator(_table_language)]


class GeneratorConfig(LLMComponentConfig):
    type: Literal["generator"]

    language: str = "any"  # a name in the language table (sandbox.languages), or "any"

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        return value if value == "any" else _table_language(value, "any, ")


class FuserConfig(LLMComponentConfig):
    """Fuses every alive candidate into ``samples`` programs. ``length_control`` asks for a
    program no longer than the longest input, as Archon's option does. When the prompt would
    not fit ``max_input_tokens`` (default: the model's window, when litellm knows it), the
    candidates are fused in batches that fit."""

    type: Literal["fuser"]

    length_control: bool = False
    max_input_tokens: int | None = Field(None, gt=0)


class CriticConfig(LLMComponentConfig):
    type: Literal["critic"]


class RankerConfig(LLMComponentConfig):
    """An LLM ranker keeping the ``top_k`` best candidates. It shows each candidate's critique
    whenever one was written, as Archon does; ``use_critiques: false`` hides them (in
    Archon's format the key is ignored, as Archon ignores it)."""

    type: Literal["ranker"]

    top_k: int = Field(5, gt=0)
    use_critiques: bool = True


class VerifierConfig(LLMComponentConfig):
    type: Literal["verifier"]

    first_k: int | None = Field(None, gt=0)


class UnitTestGeneratorConfig(LLMComponentConfig):
    """``unit_tests: executable`` (archon-code's): (stdin, expected stdout) pairs the sandbox
    can run. ``natural_language`` (Archon's, the default for Archon-format configs):
    statements about a correct program, appended to the problem for every later layer.
    ``remove_unit_tests_from_prompt`` writes executable tests without seeing the examples."""

    type: Literal["unit_test_generator"]

    unit_tests: Literal["executable", "natural_language"] = "executable"
    unit_test_cap: int | None = Field(None, gt=0)
    remove_unit_tests_from_prompt: bool = False


class UnitTestEvaluatorConfig(LLMComponentConfig):
    """Ranks candidates by the unit tests the LLM predicts they pass: the natural-language
    tests appended to the problem when there are any, else the executable ones.
    ``first_pass`` is Archon's older spelling of ``first_k: 1``."""

    type: Literal["unit_test_evaluator"]

    first_k: int | None = Field(None, gt=0)
    first_pass: bool = False
    top_k: int | None = Field(None, gt=0)
    remove_unit_tests_from_prompt: bool = False

    @model_validator(mode="after")
    def _first_pass_means_first_one(self) -> UnitTestEvaluatorConfig:
        if self.first_k is None and self.first_pass:
            self.first_k = 1
        return self


# -- Execution-grounded selection and candidate sources ----------------------------------------
# Components that decide from what candidates print when run in the sandbox (test generation
# and rankers), and candidate sources that need no LLM (a problem's stored solutions, mutants).
# Implementations: archon_code.components.test_generation, .rankers, .tournament and .sources.


class PublicFilterConfig(ComponentConfig):
    """Run alive candidates on the public examples; drop those that fail to compile, crash or
    give a wrong answer. With ``keep_best_if_none_pass``, a problem where no candidate passes
    every example keeps the candidates passing the most of them instead of dropping all."""

    type: Literal["public_filter"]

    keep_best_if_none_pass: bool = True


class InputScreeningOptions(ComponentConfig):
    """How generated inputs (no expected output) are screened after the alive candidates ran:
    an input on which more than ``invalid_share`` of them crash or time out is taken to be
    invalid and dropped; one on which all agree is dropped unless ``keep_unanimous``.
    ``drop_timeouts`` drops a candidate that exceeds the time limit on an input most others
    run cleanly. Inputs below the maximum sizes run in rounds of ``round_size`` (their sources
    taken in turn); after ``patience`` rounds in a row that split no group of programs
    printing the same outputs, the rest are skipped (reported as ``skipped``). A round is
    halved (down to one input) while the inputs run so far say it would cost the alive
    programs more than ``round_cpu_s`` seconds of CPU time in all (None: rounds keep their
    size). Inputs at the maximum sizes always run, last."""

    invalid_share: float = Field(0.5, ge=0, le=1)
    keep_unanimous: bool = False
    drop_timeouts: bool = True
    round_size: int | None = Field(8, gt=0)  # inputs per round (None: all in one round)
    patience: int | None = Field(2, gt=0)  # quiet rounds before the rest is skipped (None: never)
    round_cpu_s: float | None = Field(10.0, gt=0)  # CPU seconds a round may cost (None: no bound)


class InputMutationConfig(InputScreeningOptions):
    """New inputs from seeded, guarded edits of the public inputs (no LLM). ``max_executions``
    bounds the runs of the whole problem so far: the mutated inputs the alive candidates could
    not all run within it are not made (None: ``cap`` is the only bound)."""

    type: Literal["input_mutation"]

    cap: int = Field(200, gt=0)
    max_edits: int = Field(1, ge=1, le=10)
    max_executions: int | None = Field(None, gt=0)
    seed: int | None = None  # default: the problem's seed


class InputSynthesisConfig(InputScreeningOptions):
    """New inputs that follow the problem's own rules, with no LLM: the input's layout is
    inferred from the public inputs and its bounds and guarantees are read from the
    statement (archon_code.inputs); then ``tiny`` (exhaustive where the input is a few
    numbers), ``small``, ``medium`` and ``max`` (the largest sizes allowed, each under
    ``max_input_bytes``) random inputs are made, run and screened. ``max_executions`` bounds
    the runs of the whole problem so far (inputs are dropped, largest sizes last, to fit);
    the inputs are a function of the seed (their work is bounded by counts, not by a clock);
    ``budget_s`` is a CPU-time safety net over that work (the note's ``cut`` says when it
    stopped it)."""

    type: Literal["input_synthesis"]

    tiny: int = Field(40, ge=0, le=5000)
    small: int = Field(16, ge=0, le=1000)
    medium: int = Field(6, ge=0, le=200)
    max: int = Field(2, ge=0, le=20)
    max_input_bytes: int = Field(1_000_000, ge=1000, le=16_000_000)
    max_executions: int | None = Field(2000, gt=0)
    budget_s: float = Field(10.0, gt=0, le=300)
    seed: int | None = None  # default: the problem's seed


class InputGeneratorConfig(LLMComponentConfig, InputScreeningOptions):
    """An LLM writes ``samples`` small programs, each printing one valid input for a seed read
    from stdin; each runs in the sandbox on ``seeds`` seeds."""

    type: Literal["input_generator"]

    seeds: int = Field(10, gt=0, le=1000)
    cap: int = Field(100, gt=0)
    max_input_bytes: int = Field(1_000_000, gt=0)
    time_limit_s: float = Field(5.0, gt=0)


class PseudoLabelOptions(ComponentConfig):
    """``plurality_share``: a test with no expected output takes the plurality output of the
    candidates passing every public test, when that plurality holds more than this share of
    them (unset: such tests are not used)."""

    plurality_share: float | None = Field(None, ge=0, lt=1)


class PassCountConfig(PseudoLabelOptions):
    """Score = tests passed among those with an expected output. ``first_pass`` keeps only the
    first candidate (in order) that passes all of them; ``top_k`` drops every candidate
    ranked below the k-th (ties at the cut are kept)."""

    type: Literal["pass_count"]

    first_pass: bool = False
    top_k: int | None = Field(None, gt=0)


class CodeTConfig(PseudoLabelOptions):
    """CodeT dual agreement: candidates passing the same set of tests form a group scored
    |programs| x |tests|; ties go to the larger group."""

    type: Literal["codet"]

    top_k: int | None = Field(None, gt=0)


class OutputClusteringConfig(ComponentConfig):
    """AlphaCode clustering: candidates printing the same outputs on every test form a
    cluster. ``origins`` limits the tests used (e.g. ``[mutation]``).

    ``tie_break: evidence`` (the default) ranks clusters on agreement allowing for timeouts
    on the largest inputs, then crashes, timeouts on the largest inputs (with
    ``time_evidence``), size, MBR agreement, the votes of up to ``voters`` programs that
    failed the public examples on up to ``vote_inputs`` disputed inputs (run only when the
    leading clusters are still tied; ``max_executions`` bounds the problem's runs), and CPU
    time; the programs inside a cluster by CPU time (archon_code.components.evidence).
    The older rules score = cluster size, and among equal sizes: ``agreement`` (MBR-exec)
    prefers the cluster whose answers, test by test, more of the other candidates print;
    ``clean_runs`` the one that crashes or times out on fewer tests; ``none`` leaves them
    tied."""

    type: Literal["output_clustering"]

    origins: list[str] | None = None
    tie_break: Literal["evidence", "agreement", "clean_runs", "none"] = "evidence"
    time_evidence: bool = True
    voters: int = Field(8, ge=0, le=100)
    vote_inputs: int = Field(6, ge=1, le=100)
    max_executions: int | None = Field(None, gt=0)


class TournamentConfig(LLMComponentConfig):
    """S*-style pairwise tournament between the leading ``clusters`` output clusters: for each
    pair an LLM writes up to ``inputs_per_pair`` inputs meant to separate them, both run, and
    a judge (``judge_model``, default ``model``) asked twice with the order swapped decides
    which output is right on the first input where they differ."""

    type: Literal["tournament"]

    clusters: int = Field(3, ge=2, le=8)
    inputs_per_pair: int = Field(3, gt=0, le=20)
    judge_model: str | None = None  # a litellm model string
    judge_temperature: float = Field(0.0, ge=0, le=2)
    max_input_bytes: int = Field(100_000, gt=0)


class DatasetSamplesConfig(ComponentConfig):
    """A problem's stored solutions as candidates (runnable languages only), with meta
    ``kind``: ``correct`` or ``incorrect``. ``max_per_kind`` takes a seeded sample."""

    type: Literal["dataset_samples"]

    include_correct: bool = True
    include_incorrect: bool = True
    max_per_kind: int | None = Field(None, gt=0)
    # Names in the language table; by default those offered when a model may choose.
    languages: list[TableLanguage] = Field(default_factory=languages.offered_by_default, min_length=1)


class MutantsConfig(ComponentConfig):
    """Seeded single-edit AST mutants of a known-correct Python solution (``reference``: its
    index among the problem's Python solutions), with meta ``kind: mutant`` and ``mutation``."""

    type: Literal["mutants"]

    count: int = Field(15, gt=0, le=1000)
    seed: int | None = None  # default: the problem's seed
    reference: int = Field(0, ge=0)


def _component_union() -> Any:
    classes = tuple(_COMPONENT_CLASSES.values())
    return Annotated[Union[classes], Field(discriminator="type")]  # noqa: UP007 (built at runtime)


AnyComponent = _component_union()


def component_types() -> list[str]:
    return list(_COMPONENT_CLASSES)


def component_class(tag: str) -> type[ComponentConfig]:
    """The config class of a component type (KeyError for an unknown one)."""
    return _COMPONENT_CLASSES[tag]


def _normalise_layers(data: Any) -> Any:
    """Archon's older configs wrap a layer as ``{"branches": n, "models": [...]}``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("layers"), list):
        return data
    layers = [
        layer["models"]
        if isinstance(layer, Mapping) and "models" in layer and set(layer) <= {"models", "branches"}
        else layer
        for layer in data["layers"]
    ]
    return {**data, "layers": layers}


def _components(data: Mapping) -> list[Any]:
    layers = data.get("layers")
    if not isinstance(layers, list):
        return []
    return [c for layer in layers if isinstance(layer, list) for c in layer]


def _own_keys() -> frozenset[str]:
    """Keys only archon-code's configs use: a component carrying one is not Archon's."""
    fields = {name for cls in _COMPONENT_CLASSES.values() for name in cls.model_fields}
    return frozenset(fields - ARCHON_COMPONENT_KEYS - {"archon_extra"})


def detect_format(data: Mapping) -> Format:
    """``format`` when given; else Archon's when every component is one of Archon's types and
    carries ``model_type`` (Archon's constructors require it) and no archon-code key."""
    if data.get("format") in get_args(Format):
        return data["format"]
    components = _components(data)
    own = _own_keys()
    archon = bool(components) and all(
        isinstance(c, Mapping) and c.get("type") in ARCHON_TYPES and "model_type" in c and not own & c.keys()
        for c in components)
    return "archon" if archon else "archon-code"


def _as_archon_does(component: Mapping) -> Mapping:
    """One component of an Archon-format config, adjusted to behave as Archon runs it: keys
    Archon does not know are ignored as Archon ignores them, its ranker takes one sample,
    its unit-test generator writes natural-language tests, and the keys Archon does not
    read on a component are set aside even where archon-code has a field of that name."""
    cls = _COMPONENT_CLASSES.get(component.get("type"))  # type: ignore[arg-type]
    if cls is None:
        return component
    data = dict(component)
    aside = {k for k in data if k not in cls.model_fields and k != "type"}
    if cls is RankerConfig:
        aside |= {"use_critiques"} & data.keys()
        if data.get("samples", 1) != 1:
            aside.add("samples")
    if cls is UnitTestGeneratorConfig:
        data.setdefault("unit_tests", "natural_language")
        aside |= {"remove_unit_tests_from_prompt"} & data.keys()
    return _set_aside(data, frozenset(aside))


class Architecture(BaseModel):
    """``format`` says whose conventions a config follows; it is detected (see
    :func:`detect_format`) unless given."""

    model_config = ConfigDict(extra="forbid")

    ARCHON_KEYS: ClassVar[frozenset[str]] = frozenset({"custom"})

    name: str = Field(min_length=1)
    format: Format = "archon-code"
    layers: list[Annotated[list[AnyComponent], Field(min_length=1)]] = Field(min_length=1)
    archon_extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _archon_shapes(cls, data: Any) -> Any:
        data = _set_aside(_normalise_layers(data), cls.ARCHON_KEYS)
        if not isinstance(data, Mapping) or not isinstance(data.get("layers"), list):
            return data
        found = detect_format(data)
        data = {**data, "format": found}
        if found == "archon":
            data["layers"] = [
                [_as_archon_does(c) if isinstance(c, Mapping) else c for c in layer] if isinstance(layer, list) else layer
                for layer in data["layers"]]
        return data

    def ignored(self) -> list[str]:
        """What the config carries that nothing acts on, one entry per layer and component
        type: ``layer 2 ranker: ranker_batch_size, use_critiques``."""
        entries = []
        if self.archon_extra.get("custom"):
            entries.append("custom (Archon's hook for user components; every component here is built in)")
        for i, layer in enumerate(self.layers, 1):
            seen: dict[str, list[str]] = {}
            for component in layer:
                keys = seen.setdefault(component.type, [])
                for key in component.archon_extra:
                    if key not in keys:
                        keys.append(key)
            for kind, keys in seen.items():
                if keys:
                    cls = _COMPONENT_CLASSES[kind]
                    entries.append(f"layer {i} {kind}: " + ", ".join(_ignored_key(k, cls) for k in keys))
        return entries


def _ignored_key(key: str, cls: type[ComponentConfig]) -> str:
    if key in ARCHON_COMPONENT_KEYS:
        if cls is RankerConfig and key == "samples":
            return "samples (Archon's ranker takes one sample)"
        return key
    return key + did_you_mean(key, _acted_on(cls))


def _acted_on(cls: type[BaseModel]) -> list[str]:
    return [name for name in cls.model_fields if name not in ("type", "archon_extra")]


def parse_architecture(data: Any, source: str = "<config>", *, warn: bool = True) -> Architecture:
    """Validate already-parsed config data; errors raise :class:`ArchitectureError`. Keys
    accepted but not acted on are named in one :class:`IgnoredKeysWarning` (``warn``)."""
    if not isinstance(data, Mapping):
        raise ArchitectureError(source, [f"expected a mapping with 'name' and 'layers', got {type(data).__name__}"])
    try:
        architecture = Architecture.model_validate(data)
    except ValidationError as exc:
        raise ArchitectureError(source, _describe(exc, _normalise_layers(data))) from None
    ignored = architecture.ignored()
    if warn and ignored:
        warn_once("ignored: " + "; ".join(ignored), IgnoredKeysWarning, source)
    return architecture


def load_architecture(path: str | Path, *, warn: bool = True) -> Architecture:
    """Load a YAML or JSON architecture file. A missing ``name`` defaults to the file stem."""
    data = read_config_file(path, ArchitectureError)
    if isinstance(data, dict) and "name" not in data:
        data = {"name": Path(path).stem, **data}
    return parse_architecture(data, str(path), warn=warn)


def _describe(exc: ValidationError, data: Any) -> list[str]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        where: list[str] = []
        fields_model: type[BaseModel] | None = Architecture
        raw_component: Any = None
        if len(loc) >= 2 and loc[0] == "layers" and isinstance(loc[1], int):
            where.append(f"layer {loc[1] + 1}")
            loc = loc[2:]
            fields_model = None
            if loc and isinstance(loc[0], int):
                raw_component = _lookup(data, ["layers", error["loc"][1], loc[0]])
                label = f"component {loc[0] + 1}"
                loc = loc[1:]
                tag = None
                if loc and isinstance(loc[0], str) and loc[0] in _COMPONENT_CLASSES:
                    tag = loc[0]
                    loc = loc[1:]
                    fields_model = _COMPONENT_CLASSES[tag]
                elif isinstance(raw_component, Mapping) and raw_component.get("type") in _COMPONENT_CLASSES:
                    tag = raw_component["type"]
                where.append(f"{label} ({tag})" if tag else label)
        field = ".".join(str(part) for part in loc)
        message = error["msg"].removeprefix("Value error, ")
        kind = error["type"]
        expected = ", ".join(_COMPONENT_CLASSES)
        if kind == "union_tag_not_found":
            field, message = "type", f"missing; expected one of: {expected}"
        elif kind == "union_tag_invalid":
            tag = raw_component.get("type") if isinstance(raw_component, Mapping) else None
            field, message = "type", f"unknown component type {tag!r}; expected one of: {expected}"
        elif kind == "too_short" and where and not field:
            message = "a layer needs at least one component"
        elif kind == "extra_forbidden" and fields_model is not None and len(loc) == 1:
            message += did_you_mean(str(loc[0]), _acted_on(fields_model))
        prefix = ", ".join(where)
        parts = [p for p in (prefix, field) if p]
        problems.append(": ".join(parts + [message]))
    return problems


def _lookup(data: Any, path: list[Any]) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data
