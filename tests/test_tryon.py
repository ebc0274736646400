"""Geometric try-on: cut-out, warp, occluders in front, bare parts filled, head unchanged."""

import numpy as np
import pytest
from PIL import Image

from studio.parsing import CLASS_NAMES, Parse
from studio.tryon import (
    GeometricTryOn,
    cut_out_product,
    new_engine,
    plain_background_colour,
    push_pull_fill,
)
from tests.conftest import sample
from tests.golden_util import assert_matches_golden

C = {name: i for i, name in enumerate(CLASS_NAMES)}


def synthetic_parse() -> Parse:
    """The astronaut with a hand-made parse: face/neck skin, hair, suit as top+bottom, a hand in front."""
    labels = np.zeros((512, 512), np.uint8)
    labels[40:120, 160:310] = C["hair"]
    labels[120:250, 190:290] = C["skin"]
    labels[250:400, 110:410] = C["top"]
    labels[400:512, 140:380] = C["bottom"]
    labels[330:380, 120:160] = C["skin"]  # hand over the suit
    return Parse(labels=labels)


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


def test_product_cut_out_matches_the_drawn_dress():
    product = np.asarray(sample("garments", "sundress"), np.float32)
    background = plain_background_colour(product)
    assert background is not None and np.all(background > 250)
    mask = cut_out_product(product, background)
    drawn = np.linalg.norm(product - 255, axis=2) > 40
    iou = (mask & drawn).sum() / (mask | drawn).sum()
    assert iou > 0.9


def test_busy_background_is_not_a_product_shot():
    assert plain_background_colour(np.asarray(sample("content", "coffee"), np.float32)) is None
    with pytest.raises(ValueError, match="garment parser is needed"):
        GeometricTryOn().cut_out(sample("content", "coffee"), "dress")


def test_push_pull_fills_holes_from_their_surroundings():
    pixels = np.zeros((64, 64, 3), np.float32)
    pixels[:, :32] = (200, 0, 0)
    pixels[:, 32:] = (0, 0, 200)
    known = np.ones((64, 64), bool)
    known[20:40, 5:20] = False
    known[20:40, 44:60] = False
    filled = push_pull_fill(pixels, known)
    assert filled[30, 10, 0] > 150 and filled[30, 50, 2] > 150
    assert np.array_equal(filled[known], pixels[known])


def test_mirror_fill_continues_texture():
    from studio.tryon import mirror_fill

    stripes = np.zeros((20, 60, 3), np.float32)
    stripes[:, ::4] = 255  # vertical stripes every 4 px
    hole = np.zeros((20, 60), bool)
    hole[:, 30:38] = True
    filled = mirror_fill(stripes, hole, ~hole)
    assert filled[:, 30:38].std() > 80  # stripes, not a grey smear
    assert np.array_equal(filled[~hole], stripes[~hole])


def test_registry_and_categories_list_valid_names():
    assert isinstance(new_engine("geometric"), GeometricTryOn)
    with pytest.raises(KeyError, match="choose one of: geometric"):
        new_engine("viton")
    with pytest.raises(KeyError, match="dress, top, bottom, outerwear"):
        GeometricTryOn()(sample("photos", "astronaut"), synthetic_parse(), sample("garments", "sundress"), category="hat")


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
    from studio.tryon import leg_mask

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
