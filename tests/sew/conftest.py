"""Shared pieces of the sew tests: the bodies every geometry check runs on."""

from __future__ import annotations

import pytest

from studio.sew import measurements

# Three sizes of the table (small, middle, large) and one woman's own measurements.
BODIES = {
    "EU34": {"size": "EU34"},
    "EU40": {"size": "EU40"},
    "EU50": {"size": "EU50"},
    "own": {"size": "EU38", "bust": 97, "waist": 74, "hip": 104, "back_waist_length": 39.5, "shoulder": 12.0,
            "neck": 36.5, "height": 158},
}


@pytest.fixture(params=list(BODIES), scope="module")
def body(request):
    spec = dict(BODIES[request.param])
    return measurements(spec.pop("size"), **spec)
