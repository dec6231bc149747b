"""Rankers: each sets ``Candidate.score`` from what the candidates printed; the pipeline picks
the best.

- ``pass_count``: tests passed among those with an expected output.
- ``codet``: CodeT dual agreement, |programs| x |tests| per group passing the same tests.
- ``output_clustering``: MBR-exec / AlphaCode, clusters of identical outputs. With
  ``tie_break: evidence`` (archon_code.components.evidence) the clusters are ranked on every
  piece of evidence the runs hold (how many programs agree, crashes, timeouts on the largest
  inputs, the consensus of the others, votes of programs that failed the public examples,
  CPU time), the programs inside a cluster by their CPU time, and the record says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from archon_code.components.base import Component
from archon_code.components.evidence import rank_by_evidence
from archon_code.components.outcomes import Outcomes, failed, judged
from archon_code.config import CodeTConfig, OutputClusteringConfig, PassCountConfig
from archon_code.context import Context
from archon_code.state import Candidate, State, UnitTest


def pseudo_labels(state: State, outcomes: Outcomes, tests: Sequence[UnitTest], share: float) -> dict[str, str]:
    """Expected outputs for tests that have none: the plurality output of the candidates that
    pass every public test, where that plurality holds more than ``share`` of them."""
    public = [t for t in state.unit_tests if t.origin == "public" and t.output is not None]
    alive = state.alive()
    reference = [c for c in alive if all(outcomes.passes(c, t, t.output) for t in public)] or alive  # type: ignore[arg-type]
    labels: dict[str, str] = {}
    if not reference:
        return labels
    for t in tests:
        if t.output is not None:
            continue
        by_sig: dict[str, list[Candidate]] = {}
        for c in reference:
            by_sig.setdefault(outcomes.sig(c, t), []).append(c)
        sig, members = max(by_sig.items(), key=lambda kv: len(kv[1]))
        if failed(sig) or not judged(sig) or len(members) / len(reference) <= share:
            continue
        run = outcomes.executor.get(members[0], t)
        assert run is not None
        labels[t.id] = run.output
    return labels


async def _labelled(state: State, ctx: Context, plurality_share: float | None,
                    component: str) -> tuple[Outcomes, list[tuple[UnitTest, str]]]:
    tests = list(state.unit_tests)
    await ctx.executor.run(state.alive(), tests)
    outcomes = Outcomes(ctx.executor)
    labels = {t.id: t.output for t in tests if t.output is not None}
    if plurality_share is not None:
        pseudo = pseudo_labels(state, outcomes, tests, plurality_share)
        unlabelled = sum(t.output is None for t in tests)
        state.log(component, "note", f"{len(pseudo)} of {unlabelled} tests without an expected "
                  f"output took the plurality output", labelled=len(pseudo), unlabelled=unlabelled)
        labels.update(pseudo)
    return outcomes, [(t, labels[t.id]) for t in tests if t.id in labels]


def _keep_top(state: State, k: int | None, component: str) -> None:
    if k is None:
        return
    ranked = sorted((c for c in state.alive() if c.score is not None), key=lambda c: -c.score)  # type: ignore[operator]
    if len(ranked) <= k:
        return
    cut = ranked[k - 1].score
    for c in ranked[k:]:
        if c.score < cut:  # type: ignore[operator]
            state.drop(c, f"below the top {k} (score {c.score:g} < {cut:g})", component)


class PassCount(Component[PassCountConfig]):
    type = "pass_count"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        outcomes, tests = await _labelled(state, ctx, cfg.plurality_share, self.label)
        alive = state.alive()
        for c in alive:
            n = sum(outcomes.passes(c, t, expected) for t, expected in tests)
            c.score = float(n)
            c.meta["pass_count"] = {"passed": n, "of": len(tests)}
        if cfg.first_pass and tests:
            first = next((c for c in alive if c.score == len(tests)), None)
            if first is not None:
                for c in alive:
                    if c is not first:
                        state.drop(c, f"first_pass: {first.id} passed every test first", self.label)
        _keep_top(state, cfg.top_k, self.label)
        state.log(self.label, "scored", f"{len(alive)} candidates on {len(tests)} tests with expected outputs",
                  scores={c.id: c.score for c in alive})
        return state


class CodeT(Component[CodeTConfig]):
    type = "codet"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        outcomes, tests = await _labelled(state, ctx, cfg.plurality_share, self.label)
        alive = state.alive()
        groups: dict[frozenset[str], list[Candidate]] = {}
        for c in alive:
            passed = frozenset(t.id for t, expected in tests if outcomes.passes(c, t, expected))
            groups.setdefault(passed, []).append(c)
        summary = []
        for passed, members in groups.items():
            agreement = len(members) * len(passed)
            # The fraction (below 1) breaks ties in agreement by group size.
            score = agreement + len(members) / (len(alive) + 1)
            for c in members:
                c.score = score
                c.meta["codet"] = {"programs": len(members), "tests": len(passed), "agreement": agreement}
            summary.append({"programs": len(members), "tests": len(passed), "agreement": agreement,
                            "members": [c.id for c in members]})
        summary.sort(key=lambda g: (-g["agreement"], -g["programs"]))
        _keep_top(state, cfg.top_k, self.label)
        state.log(self.label, "scored", f"{len(groups)} consensus groups over {len(tests)} tests",
                  groups=summary[:20])
        return state


@dataclass
class Cluster:
    members: list[Candidate]
    clean: int  # tests on which the cluster's programs ran cleanly
    agreement: float  # share of (test, other candidate) pairs printing the cluster's answer
    score: float = 0.0

    @property
    def size(self) -> int:
        return len(self.members)


def cluster_candidates(candidates: Sequence[Candidate], tests: Sequence[UnitTest], outcomes: Outcomes,
                       tie_break: str = "agreement") -> list[Cluster]:
    """Candidates grouped by identical outputs on every test, best first.

    Score = cluster size plus a fraction below 1 that orders clusters of equal size:
    ``agreement`` (MBR-exec): test by test, how many candidates outside the cluster print
    the same answer (a crash or timeout agrees with nothing), so the cluster nearest the
    consensus of the others wins; ``clean_runs``: fewer crashes and timeouts; ``none``.
    Remaining ties keep equal scores, for the pipeline's seeded pick."""
    by_key: dict[tuple[str, ...], list[Candidate]] = {}
    for c in candidates:
        by_key.setdefault(tuple(outcomes.sig(c, t) for t in tests), []).append(c)
    per_test = [Counter(key[k] for key, members in by_key.items() for _ in members) for k in range(len(tests))]
    others = max(len(candidates) - 1, 1) * max(len(tests), 1)
    clusters = []
    for key, members in by_key.items():
        clean = sum(not failed(s) for s in key)
        agree = sum(per_test[k][s] - len(members) for k, s in enumerate(key) if not failed(s)) / others
        cl = Cluster(members, clean, agree)
        fraction = {"agreement": agree, "clean_runs": clean / (len(tests) + 1), "none": 0.0}[tie_break]
        cl.score = cl.size + min(fraction, 1.0) * 0.999
        clusters.append(cl)
    order = {c.id: k for k, c in enumerate(candidates)}
    clusters.sort(key=lambda cl: (-cl.score, order[cl.members[0].id]))
    return clusters


def cluster_summary(clusters: Sequence[Cluster], limit: int = 20) -> list[dict]:
    return [{"size": cl.size, "clean_runs": cl.clean, "agreement": round(cl.agreement, 4),
             "members": [c.id for c in cl.members]}
            for cl in clusters[:limit]]


class OutputClustering(Component[OutputClusteringConfig]):
    type = "output_clustering"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        origins = None if cfg.origins is None else set(cfg.origins)
        tests = [t for t in state.unit_tests if origins is None or t.origin in origins]
        alive = state.alive()
        if cfg.tie_break == "evidence":
            await rank_by_evidence(state, ctx, tests, cfg, self.label)
            return state
        await ctx.executor.run(alive, tests)
        clusters = cluster_candidates(alive, tests, Outcomes(ctx.executor), cfg.tie_break)
        for rank, cl in enumerate(clusters):
            for c in cl.members:
                c.score = cl.score
                c.meta["cluster"] = {"rank": rank, "size": cl.size, "clean_runs": cl.clean,
                                     "agreement": round(cl.agreement, 4), "of_tests": len(tests)}
        sizes = [cl.size for cl in clusters]
        state.log(self.label, "scored", f"{len(clusters)} clusters over {len(tests)} tests, sizes {sizes[:10]}",
                  clusters=cluster_summary(clusters))
        return state
