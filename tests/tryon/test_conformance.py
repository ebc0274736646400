"""Every registered try-on engine takes the same call and keeps the same promises (as smp's base tester
checks every model): the photo's size, what is in front unchanged, the old garment gone, bad names listed."""

import numpy as np
import pytest

from studio.tryon import DEFAULT_ENGINE, ENGINES, PoseTryOn, new_engine
from tests.conftest import sample
from tests.tryon.figures import drawn_shopper, synthetic_parse


@pytest.fixture(scope="module", params=sorted(ENGINES))
def tried(request):
    photo, parse, body = drawn_shopper()
    engine = new_engine(request.param)
    return photo, parse, engine(photo, parse, sample("garments", "sundress"), category="dress", body=body)


def test_every_engine_dresses_the_drawn_figure(tried):
    photo, parse, outcome = tried
    before, after = np.asarray(photo), np.asarray(outcome.image)
    assert after.shape == before.shape and outcome.source == "product shot"
    head = parse.mask("hair") | parse.mask("skin")
    head[135:] = False
    assert np.array_equal(after[head], before[head])  # face and hair above the garment
    old = parse.mask("top") | parse.mask("bottom")
    assert outcome.target_mask[old].mean() > 0.5
    assert not (outcome.target_mask & outcome.filled_mask).any()
    assert np.array_equal(after[:, :60], before[:, :60])  # the wall far from the person


def test_registry_and_categories_list_valid_names():
    assert isinstance(new_engine(), ENGINES[DEFAULT_ENGINE]) and DEFAULT_ENGINE == "pose"
    assert isinstance(new_engine(), PoseTryOn)
    with pytest.raises(KeyError, match="choose one of: pose, geometric"):
        new_engine("viton")
    for name in ENGINES:
        with pytest.raises(KeyError, match="dress, top, bottom, outerwear"):
            new_engine(name)(sample("photos", "astronaut"), synthetic_parse(), sample("garments", "sundress"),
                             category="hat")
