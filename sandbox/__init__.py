"""Running untrusted programs safely and fast: a warm pool of locked-down containers."""

from sandbox.types import JobResult, Limits, Program, TestCase, TestResult, Verdict

__all__ = ["JobResult", "Limits", "Program", "TestCase", "TestResult", "Verdict"]
