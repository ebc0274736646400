"""The geometric engine: per-row placement and warp, occluders in front, legs and background refilled."""

import numpy as np
import pytest
from PIL import Image

from studio.parsing import Parse
from studio.tryon import GeometricTryOn
from tests.conftest import sample
from tests.golden_util import assert_matches_golden
from tests.tryon.figures import C, synthetic_parse


@pytest.fixture(scope="module")
def result():
    return GeometricTryOn()(sample("photos", "astronaut"), synthetic_parse(), sample("garments", "sundress"))


def test_golden_tryon(result):
    assert_matches_golden(result.image, "tryon_astronaut_sundress")


def test_size_head_and_occluders_unchanged(result):
    photo = np.asarray(sample("photos", "astronaut"))
    out = np.asarray(result.image)
    assert out.shape == photo.shape
    assert np.array_equal(out[:250], photo[:250])  # head, hair and neck above the old garment
    assert np.array_equal(out[330:380, 120:160], photo[330:380, 120:160])  # the hand stays in front


def test_the_garment_lands_on_the_body_and_the_old_one_is_gone(result):
    parse = synthetic_parse()
    old = parse.mask("top") | parse.mask("bottom")
    assert result.target_mask[old].mean() > 0.5
    assert not (result.filled_mask & result.target_mask).any()
    covered = result.target_mask | result.filled_mask
    assert covered[old & ~parse.mask("skin")].all()  # every old-garment pixel is new garment or refilled
    assert result.source == "product shot"


def test_nothing_to_replace_is_one_sentence():
    empty = Parse(labels=np.zeros((512, 512), np.uint8))
    with pytest.raises(ValueError, match="No garment to replace"):
        GeometricTryOn()(sample("photos", "astronaut"), empty, sample("garments", "sundress"))


@pytest.mark.slow
@pytest.mark.needs_ccp
def test_worn_garment_from_another_photo(ccp_root, garment_parser):
    from tools.ccp import CCPReader, split

    reader = CCPReader(ccp_root)
    validation = split(ccp_root)[1]
    shopper, _ = reader.load(validation[1])
    wearer, _ = reader.load(validation[2])
    parse = garment_parser.predict(shopper)
    outcome = GeometricTryOn(parser=garment_parser)(shopper, parse, wearer)
    assert outcome.source == "worn" and outcome.image.size == shopper.size
    head = parse.mask("hair")
    assert np.array_equal(np.asarray(outcome.image)[head], np.asarray(shopper)[head])
    assert outcome.target_mask.mean() > 0.03


def test_legs_below_a_new_hem_are_leg_wide_not_trouser_wide():
    from studio.tryon.geometric import leg_mask

    bare = np.zeros((100, 200), bool)
    bare[50:100, 20:60] = True  # one wide trouser leg
    bare[50:100, 100:190] = True  # both legs pressed together in one run
    legs = leg_mask(bare, hem=50, bottom=99, shoulder_width=100)
    assert not legs[:51].any() and not (legs & ~bare).any()
    assert 20 <= legs[60, :90].sum() <= 27  # a knee-high leg: about a quarter of the shoulders
    runs = np.flatnonzero(np.diff(legs[60, 90:].astype(np.int8)))
    assert len(runs) == 4  # two legs in the merged run
    assert legs[95].sum() < legs[55].sum()  # narrower towards the ankles


def test_a_product_dress_is_sized_by_the_shoulders_and_ends_above_the_shoes():
    """A full-length figure in trousers: the sample dress (knee length) must not reach the shoes,
    and its shoulders match the body's."""
    labels = np.zeros((800, 400), np.uint8)
    labels[40:120, 170:230] = C["hair"]
    labels[120:140, 185:215] = C["skin"]
    labels[140:400, 140:260] = C["top"]
    labels[140:380, 115:140] = C["skin"]  # arms
    labels[140:380, 260:285] = C["skin"]
    labels[400:760, 150:250] = C["bottom"]
    labels[760:790, 150:250] = C["footwear"]
    pixels = np.full((800, 400, 3), 150, np.uint8)
    pixels[labels == C["skin"]] = (225, 175, 140)
    photo = Image.fromarray(pixels)
    outcome = GeometricTryOn()(photo, Parse(labels=labels), sample("garments", "sundress"))
    rows = np.flatnonzero(outcome.target_mask.any(axis=1))
    assert rows[0] >= 140 and rows[-1] < 700  # knee length, not floor length
    chest = outcome.target_mask[150:170]
    assert chest[:, 140:260].mean() > 0.95  # the torso is covered; the arms (skin) stay in front
    assert not chest[:, :105].any() and not chest[:, 295:].any()  # no wider than shoulders + arms
    row = np.asarray(outcome.image, np.int16)[720]
    skin_coloured = (row[:, 0] - row[:, 2]) > 40
    assert outcome.filled_mask[720, 150:250].all()  # the trousers are gone below the hem ...
    assert 30 <= skin_coloured.sum() <= 70  # ... leaving legs (about 2 x 26 px), the rest background

