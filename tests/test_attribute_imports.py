"""Imports go one way: building any pipeline never imports training or evaluation code."""

import subprocess
import sys

import pytest

from claimtrace.settings import ATTRIBUTION_METHODS

PROBE = """
import sys
from claimtrace.pipeline.nlp import build_nlp
from claimtrace.settings import RunSettings
for method in {methods!r}:
    nlp = build_nlp(RunSettings(attribution_method=method), "run")
    nlp("Officials said the bridge would reopen.")
loaded = sorted(m for m in sys.modules
                if m.startswith(("claimtrace.training", "claimtrace.evaluation")))
print(",".join(loaded))
"""


@pytest.mark.slow
def test_building_every_attribution_variant_imports_no_training_or_evaluation_code():
    # A fresh interpreter: this test session has already imported both packages.
    result = subprocess.run([sys.executable, "-c", PROBE.format(methods=ATTRIBUTION_METHODS)],
                            capture_output=True, text=True, check=True, timeout=600)
    assert result.stdout.strip() == ""
