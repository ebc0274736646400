"""Fixtures of the try-on tests: the drawn shopper dressed once per module by the pose engine."""

import pytest

from studio.tryon import PoseTryOn
from tests.conftest import sample
from tests.tryon.figures import drawn_shopper


@pytest.fixture(scope="module")
def dressed_figure():
    photo, parse, body = drawn_shopper()
    return photo, parse, PoseTryOn()(photo, parse, sample("garments", "sundress"), body=body)
