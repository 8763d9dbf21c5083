"""Test configuration.

Hypothesis profiles are chosen by the HYPOTHESIS_PROFILE variable: ``ci`` (the default)
bounds the examples so the whole suite stays well within CI's time on two cores; ``dev``
explores more, for a developer hunting bugs. Test modules in sub-folders import the
shared strategies as ``from strategies import ...``, so this folder goes on the import
path.
"""

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
