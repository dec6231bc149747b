"""Search spaces: an architecture template whose values, components and layers may be choice
points. A trial's sampled parameters instantiate one concrete :class:`Architecture`.

A space file is an architecture config (``name``, ``layers``) in which any place may hold

    {int: [lo, hi]}                    an integer (``step``, ``log`` optional)
    {float: [lo, hi]}                  a real number (``step``, ``log`` optional)
    {choice: [a, b, ...]}              one of the options; an option may be a value, a component
    {choice: {label: a, ...}}          or a layer, may hold choice points itself, and ``null``
                                       in a list (a layer, or the layers) means "nothing"
    {optional: X}                      X or nothing (a field left out takes its default)
    {repeat: X, times: N}              N copies of X, spliced into the list holding it
    {first: [a, b, ...], count: N}     the first N items, spliced into the list holding it

``times`` and ``count`` are an integer or a point giving one. Every point may carry ``name:``;
otherwise it is named after where it sits in the template: ``L1.mutants.count`` (layer 1, the
``mutants`` component, field ``count``), ``L2.public_filter`` (an optional component),
``L4.choice`` (a choice of component) whose options' own points read ``L4.codet.top_k``,
``L3.fuser.copies`` (a repeat), ``L1.first`` (a first-N). Points that share a name share
one value in a trial (their domains must match): one sample count for several generators.

An optional ``search:`` block holds defaults for the search (the command line wins):
``trials``, ``sampler`` (auto, tpe, gp, random, grid, nsga2), ``max_samples`` (skip
trials whose LLM components ask for more samples per problem), ``finalists`` (how many of
the best trials a single-objective search evaluates on the held-out problems) and
``startup_trials`` (random trials before TPE starts modelling).

Archon's own ITAS search configs (JSON with ``models_available`` and ``*_choices``) load too;
:func:`harness.archon_search.from_archon_search` says which keys map and how.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from archon_code.config import (
    Architecture,
    ArchitectureError,
    LLMComponentConfig,
    parse_architecture,
)
from archon_code.config_files import find_config, read_config_file, shipped_configs
from harness.archon_search import from_archon_search
from harness.space_errors import SpaceError, validation_problems

MARKERS = ("int", "float", "choice", "optional", "repeat", "first")
SAMPLERS = ("auto", "tpe", "gp", "random", "grid", "nsga2")


class Suggest(Protocol):
    """What a space needs from a trial; :class:`optuna.trial.Trial` is one."""

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int: ...

    def suggest_float(self, name: str, low: float, high: float, *, step: float | None = None,
                      log: bool = False) -> float: ...

    def suggest_categorical(self, name: str, choices: Any) -> Any: ...


# -- the specs of the points, as written ------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, min_length=1)


class IntSpec(_Spec):
    bounds: tuple[int, int] = Field(alias="int")
    step: int = Field(1, gt=0)
    log: bool = False

    @model_validator(mode="after")
    def _check(self) -> IntSpec:
        lo, hi = self.bounds
        if lo > hi:
            raise ValueError(f"lower bound {lo} is above upper bound {hi}")
        if self.log and (lo < 1 or self.step != 1):
            raise ValueError("log needs a lower bound of at least 1 and step 1")
        return self


class FloatSpec(_Spec):
    bounds: tuple[float, float] = Field(alias="float")
    step: float | None = Field(None, gt=0)
    log: bool = False

    @model_validator(mode="after")
    def _check(self) -> FloatSpec:
        lo, hi = self.bounds
        if lo > hi:
            raise ValueError(f"lower bound {lo} is above upper bound {hi}")
        if self.log and (lo <= 0 or self.step is not None):
            raise ValueError("log needs a positive lower bound and no step")
        return self


class ChoiceSpec(_Spec):
    options: list[Any] | dict[str | int | float | bool, Any] = Field(alias="choice", min_length=1)


class OptionalSpec(_Spec):
    body: Any = Field(alias="optional")


class RepeatSpec(_Spec):
    body: Any = Field(alias="repeat")
    times: Any


class FirstSpec(_Spec):
    items: list[Any] = Field(alias="first", min_length=1)
    count: Any


_SPECS: dict[str, type[_Spec]] = {"int": IntSpec, "float": FloatSpec, "choice": ChoiceSpec,
                                  "optional": OptionalSpec, "repeat": RepeatSpec, "first": FirstSpec}


class SearchSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trials: int | None = Field(None, gt=0)
    sampler: Literal["auto", "tpe", "gp", "random", "grid", "nsga2"] = "auto"
    max_samples: int | None = Field(None, gt=0)
    finalists: int = Field(1, gt=0)
    startup_trials: int | None = Field(None, ge=0)


class _SpaceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str | None = None
    search: SearchSettings = Field(default_factory=SearchSettings)
    layers: list[Any] = Field(min_length=1)


# -- the parsed template ----------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class MapNode:
    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ListNode:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class IntPoint:
    name: str
    where: str
    lo: int
    hi: int
    step: int = 1
    log: bool = False

    @property
    def domain(self) -> tuple:
        return ("int", self.lo, self.hi, self.step, self.log)

    def describe(self) -> str:
        extra = f" step {self.step}" if self.step != 1 else ""
        return f"int [{self.lo}, {self.hi}]{extra}{' log' if self.log else ''}"


@dataclass(frozen=True)
class FloatPoint:
    name: str
    where: str
    lo: float
    hi: float
    step: float | None = None
    log: bool = False

    @property
    def domain(self) -> tuple:
        return ("float", self.lo, self.hi, self.step, self.log)

    def describe(self) -> str:
        extra = f" step {self.step:g}" if self.step is not None else ""
        return f"float [{self.lo:g}, {self.hi:g}]{extra}{' log' if self.log else ''}"


@dataclass(frozen=True)
class ChoicePoint:
    name: str
    where: str
    labels: tuple[Any, ...]
    options: tuple[Any, ...]

    @property
    def domain(self) -> tuple:
        return ("choice", self.labels)

    def describe(self) -> str:
        return "choice of " + ", ".join(str(x) for x in self.labels)


@dataclass(frozen=True)
class OptionalPoint:
    name: str
    where: str
    body: Any

    @property
    def domain(self) -> tuple:
        return ("choice", (True, False))

    def describe(self) -> str:
        return "on or off"


@dataclass(frozen=True)
class RepeatPoint:
    where: str
    body: Any
    times: Any  # Const(int) or a point


@dataclass(frozen=True)
class FirstPoint:
    where: str
    items: tuple[Any, ...]
    count: Any  # Const(int) or a point


Point = IntPoint | FloatPoint | ChoicePoint | OptionalPoint


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.points: dict[str, Point] = {}

    def fail(self, where: str, message: str) -> Const:
        self.problems.append(f"{where}: {message}" if where else message)
        return Const(None)

    def register(self, point: Point) -> None:
        old = self.points.get(point.name)
        if old is None:
            self.points[point.name] = point
        elif old.domain != point.domain:
            self.fail(point.where, f"name {point.name!r} is also used at {old.where} with another "
                                   f"domain ({old.describe()} vs {point.describe()}); points "
                                   "sharing a name share one value, so their domains must match")

    def layers(self, layers: list[Any]) -> ListNode:
        out = []
        for i, layer in enumerate(layers):
            where, label = f"layers[{i}]", f"L{i + 1}"
            if isinstance(layer, list):
                out.append(self.layer(layer, where, label))
            else:
                out.append(self.node(layer, where, label, in_list=True, item=self.layer))
        return ListNode(tuple(out))

    def layer(self, layer: Any, where: str, label: str) -> Any:
        if not isinstance(layer, list):
            return self.node(layer, where, label)
        segments = [_segment(c, j) for j, c in enumerate(layer)]
        items = []
        for j, (component, segment) in enumerate(zip(layer, segments)):
            if segments.count(segment) > 1:
                segment = f"{segment}[{j}]"
            items.append(self.node(component, f"{where}[{j}]", f"{label}.{segment}", in_list=True,
                                   option_label=label))
        return ListNode(tuple(items))

    def node(self, data: Any, where: str, name: str, *, in_list: bool = False, item=None,
             option_label: str | None = None) -> Any:
        """``item`` parses what a list-level point yields (a layer for the layers list);
        ``option_label`` is the name a choice's options are named under."""
        item = item or (lambda d, w, n: self.node(d, w, n))
        if isinstance(data, Mapping):
            marker = _marker(data)
            several = [m for m in MARKERS if m in data]
            if marker is None and "type" not in data and len(several) > 1:
                return self.fail(where, f"one point cannot be several kinds at once ({', '.join(several)})")
            if marker is not None:
                return self.point(marker, data, where, name, in_list, item, option_label or name)
            return MapNode(tuple((str(k), self.node(v, f"{where}.{k}", f"{name}.{k}"))
                                 for k, v in data.items()))
        if isinstance(data, list):
            return ListNode(tuple(self.node(v, f"{where}[{k}]", f"{name}[{k}]", in_list=True)
                                  for k, v in enumerate(data)))
        return Const(data)

    def point(self, marker: str, data: Mapping, where: str, name: str, in_list: bool, item,
              option_label: str) -> Any:
        try:
            spec = _SPECS[marker].model_validate(dict(data))
        except ValidationError as exc:
            for field, msg in validation_problems(exc, _SPECS[marker], f"unknown key for a {marker} point"):
                self.fail(where, f"{marker}: {field}: {msg}" if field else f"{marker}: {msg}")
            return Const(None)
        if marker in ("repeat", "first") and not in_list:
            return self.fail(where, f"{marker} splices items into a list: it may stand for a layer "
                                    "or a component in a layer (or an item of another list), not a value")
        own = spec.name or name
        if isinstance(spec, IntSpec):
            point: Point = IntPoint(own, where, spec.bounds[0], spec.bounds[1], spec.step, spec.log)
        elif isinstance(spec, FloatSpec):
            point = FloatPoint(own, where, spec.bounds[0], spec.bounds[1], spec.step, spec.log)
        elif isinstance(spec, ChoiceSpec):
            if isinstance(spec.options, dict):
                pairs = [(str(k), v) for k, v in spec.options.items()]
            else:
                pairs = _labelled(spec.options)
            labels = [lab for lab, _ in pairs]
            if len(set(labels)) != len(labels):
                return self.fail(where, "choice: two options have the same label; give the options "
                                        "as a mapping {label: option}")
            base = own if spec.name else option_label
            options = tuple(item(v, f"{where}.choice[{lab}]", f"{base}.{lab}") for lab, v in pairs)
            point = ChoicePoint(own, where, tuple(labels), options)
        elif isinstance(spec, OptionalSpec):
            point = OptionalPoint(own, where, item(spec.body, f"{where}.optional", name))
        elif isinstance(spec, RepeatSpec):
            times = self.count(spec.times, f"{where}.times", f"{own}.copies" if not spec.name else own, 0)
            return RepeatPoint(where, item(spec.body, f"{where}.repeat", name), times)
        else:
            assert isinstance(spec, FirstSpec)
            count = self.count(spec.count, f"{where}.count", f"{own}.first" if not spec.name else own, 0)
            items = tuple(item(v, f"{where}.first[{k}]", f"{name}[{k}]") for k, v in enumerate(spec.items))
            return FirstPoint(where, items, count)
        self.register(point)
        return point

    def count(self, data: Any, where: str, name: str, minimum: int) -> Any:
        """``times`` / ``count``: an integer, or a point that gives integers."""
        if isinstance(data, bool) or not isinstance(data, (int, Mapping)):
            return self.fail(where, f"expected an integer or an int/choice point, got {data!r}")
        if isinstance(data, int):
            if data < minimum:
                return self.fail(where, f"must be at least {minimum}")
            return Const(data)
        node = self.node(data, where, name)
        if isinstance(node, IntPoint):
            if node.lo < minimum:
                return self.fail(where, f"must be at least {minimum}")
            return node
        if isinstance(node, ChoicePoint) and all(isinstance(o, Const) and isinstance(o.value, int)
                                                 and not isinstance(o.value, bool)
                                                 and o.value >= minimum for o in node.options):
            return node
        return self.fail(where, f"expected an integer or a point giving integers of at least {minimum}")


def _marker(data: Mapping) -> str | None:
    if "type" in data:
        return None  # a component, even one with a field named like a marker
    found = [m for m in MARKERS if m in data]
    if len(found) == 1:
        return found[0]
    return None


def _segment(component: Any, j: int) -> str:
    """What a component position is called: its type, or the type inside an optional/repeat."""
    if isinstance(component, Mapping):
        if isinstance(component.get("type"), str):
            return component["type"]
        marker = _marker(component)
        body = component.get(marker) if marker in ("optional", "repeat") else None
        if isinstance(body, Mapping) and isinstance(body.get("type"), str):
            return body["type"]
        if marker in ("choice", "first"):
            return marker
    return f"c{j + 1}"


def _labelled(options: list[Any]) -> list[tuple[Any, Any]]:
    """Labels for a list of options: scalars label themselves; a component is labelled by its
    type (numbered when two share one), anything else by its position."""
    if all(o is None or isinstance(o, (str, int, float, bool)) for o in options):
        return [(o, o) for o in options]
    labels = []
    for k, o in enumerate(options):
        if o is None:
            labels.append("none")
        elif isinstance(o, Mapping) and isinstance(o.get("type"), str):
            labels.append(o["type"])
        elif isinstance(o, (str, int, float, bool)):
            labels.append(str(o))
        else:
            labels.append(str(k))
    return [(lab if labels.count(lab) == 1 else f"{lab}#{k}", o) for k, (lab, o) in enumerate(zip(labels, options))]


# -- instantiation ----------------------------------------------------------------------------

_ABSENT = object()


def _value(node: Any, s: Suggest) -> Any:
    if isinstance(node, Const):
        return copy.deepcopy(node.value)
    if isinstance(node, MapNode):
        out = {}
        for k, child in node.items:
            v = _value(child, s)
            if v is not _ABSENT:
                out[k] = v
        return out
    if isinstance(node, ListNode):
        return _items(node.items, s)
    if isinstance(node, IntPoint):
        return s.suggest_int(node.name, node.lo, node.hi, step=node.step, log=node.log)
    if isinstance(node, FloatPoint):
        value = s.suggest_float(node.name, node.lo, node.hi, step=node.step, log=node.log)
        return round(value, 10) if node.step is not None else value  # 0.6, not 0.6000000000000001
    if isinstance(node, ChoicePoint):
        label = s.suggest_categorical(node.name, list(node.labels))
        return _value(node.options[node.labels.index(label)], s)
    if isinstance(node, OptionalPoint):
        return _value(node.body, s) if s.suggest_categorical(node.name, [True, False]) else _ABSENT
    raise TypeError(f"{type(node).__name__} outside a list")  # the parser never lets this through


def _items(nodes: tuple[Any, ...], s: Suggest) -> list[Any]:
    return [v for node in nodes for v in _splice(node, s)]


def _splice(node: Any, s: Suggest) -> list[Any]:
    """What one item of a list stands for: list-level points give zero or more values, and
    ``null`` (a choice's "nothing") gives none."""
    if isinstance(node, RepeatPoint):
        times = _value(node.times, s)
        one = _splice(node.body, s) if times > 0 else []
        return [copy.deepcopy(v) for _ in range(times) for v in one]
    if isinstance(node, FirstPoint):
        count = _value(node.count, s)
        return [v for child in node.items[:count] for v in _splice(child, s)]
    if isinstance(node, ChoicePoint):
        label = s.suggest_categorical(node.name, list(node.labels))
        return _splice(node.options[node.labels.index(label)], s)
    if isinstance(node, OptionalPoint):
        return _splice(node.body, s) if s.suggest_categorical(node.name, [True, False]) else []
    if isinstance(node, Const) and node.value is None:
        return []
    return [_value(node, s)]


class _Probe:
    """Deterministic parameters for checking a space before a search: probes ``2i`` and
    ``2i + 1`` take the i-th option of every choice (cycling), the first with every range at
    its low end and the second at its high end, and every optional part is on; so each
    option's components are checked at both ends of the ranges around them."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.params: dict[str, Any] = {}

    def _keep(self, name: str, value: Any) -> Any:
        return self.params.setdefault(name, value)

    def suggest_int(self, name, low, high, *, step=1, log=False):
        top = low + (high - low) // step * step
        return self._keep(name, low if self.k % 2 == 0 else top)

    def suggest_float(self, name, low, high, *, step=None, log=False):
        top = high if step is None else low + int((high - low) / step + 1e-9) * step
        return self._keep(name, low if self.k % 2 == 0 else top)

    def suggest_categorical(self, name, choices):
        if list(choices) == [True, False]:
            return self._keep(name, True)
        return self._keep(name, choices[(self.k // 2) % len(choices)])


# -- the space --------------------------------------------------------------------------------


@dataclass
class SearchSpace:
    name: str
    source: str
    raw: dict[str, Any]  # the file's data, for the study's config hash
    template: ListNode
    points: dict[str, Point]
    search: SearchSettings
    description: str | None = None
    archon_extra: dict[str, Any] | None = None  # Archon search-config keys that do not map

    def sample(self, s: Suggest, name: str | None = None) -> dict[str, Any]:
        """The architecture config a trial's parameters give, before validation."""
        layers = [layer for layer in _items(self.template.items, s) if layer != []]
        return {"name": name or self.name, "layers": layers}

    def instantiate(self, s: Suggest, name: str | None = None) -> Architecture:
        """The architecture for these parameters; :class:`SpaceError` when it is not valid."""
        data = self.sample(s, name)
        if not data["layers"]:
            raise SpaceError(self.source, ["these choices leave no layer at all"])
        try:
            return parse_architecture(data, self.source)
        except ArchitectureError as e:
            raise SpaceError(self.source, e.problems) from None

    def check(self, probes: int | None = None) -> None:
        """Instantiate the space with a few deterministic parameter sets, so that a component
        that can never be valid is reported before any trial runs."""
        widest = max((len(p.labels) for p in self.points.values() if isinstance(p, ChoicePoint)), default=1)
        problems: list[str] = []
        for k in range(probes or 2 * widest):
            probe = _Probe(k)
            try:
                self.instantiate(probe)
            except SpaceError as e:
                when = ", ".join(f"{n} = {v}" for n, v in probe.params.items())
                for line in e.problems:
                    text = f"{line} (with {when})" if when else line
                    if text not in problems:
                        problems.append(text)
        if problems:
            raise SpaceError(self.source, problems[:20])

    def continuous_points(self) -> list[str]:
        """Float points without a step: a grid cannot enumerate them."""
        return [p.name for p in self.points.values() if isinstance(p, FloatPoint) and p.step is None]

    def describe(self) -> list[dict[str, str]]:
        """Every choice point, in file order: name, where it sits in the file, its domain."""
        ordered = sorted(self.points.values(), key=lambda p: [int(t) if t.isdigit() else t
                                                              for t in re.split(r"(\d+)", p.where)])
        return [{"name": p.name, "where": p.where, "domain": p.describe()} for p in ordered]


def llm_samples(architecture: Architecture) -> int:
    """LLM samples an architecture asks for per problem, summed over its LLM components
    (Archon's ``calculate_total_inference_calls``). Components that call once per candidate
    (critic, unit-test evaluator) make more requests; this is the measure Archon caps."""
    return sum(c.samples for layer in architecture.layers for c in layer if isinstance(c, LLMComponentConfig))


def parse_space(data: Any, source: str = "<space>") -> SearchSpace:
    if isinstance(data, Mapping) and "models_available" in data:
        data, extra = from_archon_search(data, source)
    else:
        extra = None
    if not isinstance(data, Mapping):
        raise SpaceError(source, [f"expected a mapping with 'name' and 'layers', got {type(data).__name__}"])
    try:
        top = _SpaceFile.model_validate(data)
    except ValidationError as exc:
        raise SpaceError(source, [f"{field}: {msg}" if field else msg
                                  for field, msg in validation_problems(exc, _SpaceFile, "unknown key")]) from None
    parser = _Parser(source)
    template = parser.layers(top.layers)
    if parser.problems:
        raise SpaceError(source, parser.problems)
    space = SearchSpace(top.name, source, json.loads(json.dumps(dict(data), default=str)), template,
                        parser.points, top.search, top.description, extra)
    if space.search.sampler == "grid" and space.continuous_points():
        raise SpaceError(source, [f"search.sampler: grid needs a step on every float point "
                                  f"({', '.join(space.continuous_points())} has none)"])
    space.check()
    return space


def read_space_file(path: Path) -> Any:
    return read_config_file(path, SpaceError)


def load_space(path: str | Path) -> SearchSpace:
    path = Path(path)
    data = read_space_file(path)
    if isinstance(data, dict) and "name" not in data and "models_available" not in data:
        data = {"name": path.stem, **data}
    return parse_space(data, str(path))


def spaces_dir() -> Path:
    return Path(str(importlib.resources.files("harness"))) / "spaces"


def list_spaces() -> list[str]:
    return sorted(shipped_configs(spaces_dir()))


def resolve_space(name_or_path: str | Path) -> SearchSpace:
    """A shipped space by name (``offline``, ``llm``), or the space in a YAML/JSON file."""
    return load_space(find_config(name_or_path, spaces_dir(), "search space", SpaceError))
