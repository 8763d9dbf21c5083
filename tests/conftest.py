"""Test configuration: Hypothesis profiles chosen by the HYPOTHESIS_PROFILE variable.

``dev`` (default) explores more; ``ci`` bounds the examples so the whole suite stays
well within CI's time on two cores.
"""

import os

from hypothesis import HealthCheck, settings

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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
