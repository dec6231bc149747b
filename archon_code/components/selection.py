"""Selection grounded in execution, as one import: the components that write tests
(archon_code.components.test_generation), the screening of generated inputs
(archon_code.components.screening), the rankers (archon_code.components.rankers, with the
evidence ranking in archon_code.components.evidence) and the tournament
(archon_code.components.tournament).

Every run goes through the problem's shared Executor, so each (program, input) pair runs
once whichever component asks.
"""

from archon_code.components.evidence import Group, build_groups, rank_by_evidence
from archon_code.components.outcomes import Outcomes, failed, is_large, judged, normal_output, output_signature
from archon_code.components.rankers import (
    Cluster,
    CodeT,
    OutputClustering,
    PassCount,
    cluster_candidates,
    pseudo_labels,
)
from archon_code.components.screening import ScreenStats, screen_inputs
from archon_code.components.test_generation import InputGenerator, InputMutation, InputSynthesis, PublicFilter
from archon_code.answers import fenced_inputs, judge_verdict
from archon_code.components.tournament import Tournament

__all__ = [
    "Cluster", "CodeT", "Group", "InputGenerator", "InputMutation", "InputSynthesis", "Outcomes",
    "OutputClustering", "PassCount", "PublicFilter", "ScreenStats", "Tournament", "build_groups",
    "cluster_candidates", "failed", "fenced_inputs", "is_large", "judge_verdict", "judged",
    "normal_output", "output_signature", "pseudo_labels", "rank_by_evidence", "screen_inputs",
]
