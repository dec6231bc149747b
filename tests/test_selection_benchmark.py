"""The selection benchmark's bookkeeping (benchmarks/selection_quality.py), on one bundled
problem in the real Docker pool: each variant counts the runs it asked for and their CPU time,
even though the variants share runs."""

from __future__ import annotations

import argparse
import importlib.util
import sys

import pytest

from archon_code.architectures import resolve_architecture
from problems import load_problems
from tests.conftest import REPO


def _benchmark():
    spec = importlib.util.spec_from_file_location("selection_quality", REPO / "benchmarks" / "selection_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up there)
    spec.loader.exec_module(module)
    return module


@pytest.mark.docker
def test_each_variant_counts_its_own_runs_and_their_cpu_time(docker_pool):
    sq = _benchmark()
    (problem,) = [p for p in load_problems("bundled") if p.name == "Festival Lanterns"]
    args = argparse.Namespace(mutants=4, max_dataset=3)
    layers = sq.selection_layers(resolve_architecture("offline"))
    # the same architecture twice: the second finds every run made, yet counts them as its own
    result = docker_pool._call(sq.evaluate(problem, docker_pool.pool, 0, args, {"a": layers, "b": layers}))

    random_pick, a, b = result.variants["random"], result.variants["a"], result.variants["b"]
    assert result.pool == len(sq.pool_for(problem, sq.problem_seed(0, problem.id), 4, 3))
    assert 0 < random_pick.runs < a.runs  # the public filter alone, then every generated input
    assert a.runs == b.runs and a.cpu_s == pytest.approx(b.cpu_s)
    assert 0 < random_pick.cpu_s < a.cpu_s
    assert (a.pass1, a.tie) == (b.pass1, b.tie) and a.tie >= 1 and 0 <= a.pass1 <= 1
