"""The report helpers shared by evaluation reports, training and model cards."""

from __future__ import annotations

import pytest

from claimtrace.evaluation.report import fmt, plot_claims_pr, plot_pr_curves
from claimtrace.evaluation.scorers import ClaimCounts


@pytest.mark.parametrize("args, kwargs, expected", [
    ((0.84615,), {}, "0.846"),
    ((None,), {}, "n/a"),
    ((0.6711, 1), {"scale": 100}, "67.1"),
    ((None, 1), {"scale": 100, "missing": ""}, ""),
])
def test_fmt(args, kwargs, expected):
    assert fmt(*args, **kwargs) == expected


def test_pr_plot_is_written_the_same_twice(tmp_path):
    curves = {"a": ([0, 1, 1, 0, 1], [0.1, 0.8, 0.6, 0.4, 0.9]),
              "b": ([0, 1, 1, 0, 1], [0.5, 0.4, 0.7, 0.2, 0.3])}
    first, second = tmp_path / "1.png", tmp_path / "2.png"
    assert plot_pr_curves(curves, first, "t", points={"a": (0.5, 0.9)})
    assert plot_pr_curves(curves, second, "t", points={"a": (0.5, 0.9)})
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()


def test_pr_plot_skips_curves_with_one_class(tmp_path):
    path = tmp_path / "none.png"
    assert not plot_pr_curves({"only positives": ([1, 1], [0.2, 0.9])}, path, "t")
    assert not path.exists()


def test_claims_pr_plot_takes_claim_counts(tmp_path):
    counts = ClaimCounts()
    for gold, checkworthy, score in [("CFS", True, 0.9), ("UFS", False, 0.2),
                                     ("NFS", True, 0.7), ("CFS", False, 0.4)]:
        counts.add(gold, checkworthy, score)
    assert plot_claims_pr({"model": counts}, tmp_path / "c.png", "claims")
    assert (tmp_path / "c.png").stat().st_size > 1000
