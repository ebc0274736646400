"""dress_up: fabric on the garment with the photo's shading; everything else untouched."""

import numpy as np
import pytest
from PIL import Image

from studio.composite import dress_up, inward_feather, luminance
from studio.parsing import CLASS_NAMES, Parse
from tests.conftest import sample
from tests.golden_util import assert_matches_golden

DRESS, HAIR, SKIN = CLASS_NAMES.index("dress"), CLASS_NAMES.index("hair"), CLASS_NAMES.index("skin")


def synthetic_parse(size=(512, 512)) -> Parse:
    """A hand-made parse of the astronaut photo: her suit as 'dress', a hair band, a hand."""
    labels = np.zeros(size[::-1], np.uint8)
    labels[260:512, 90:430] = DRESS
    labels[60:140, 170:300] = HAIR
    labels[380:440, 120:170] = SKIN  # a hand in front of the suit
    return Parse(labels=labels)


@pytest.fixture(scope="module")
def astronaut():
    return sample("photos", "astronaut")


def test_golden_dress_up(astronaut):
    result = dress_up(astronaut, synthetic_parse(), sample("artworks", "mosaic"), "dress", scale=0.5, shading=0.9)
    assert_matches_golden(result, "dress_up_astronaut")


def test_outside_is_byte_identical_and_inside_changes(astronaut):
    parse = synthetic_parse()
    result = np.asarray(dress_up(astronaut, parse, sample("artworks", "waves"), "dress"))
    photo = np.asarray(astronaut)
    outside = ~parse.mask("dress")
    assert np.array_equal(result[outside], photo[outside])  # hair, hand and background untouched
    assert np.abs(result[~outside].astype(int) - photo[~outside]).mean() > 20


def test_shading_follows_the_photos_light(astronaut):
    parse = synthetic_parse()
    flat = Image.new("RGB", (64, 64), (180, 60, 60))
    region = parse.mask("dress")
    original = luminance(np.asarray(astronaut, np.float32))[region]
    shaded = luminance(np.asarray(dress_up(astronaut, parse, flat, "dress", shading=1.0, feather=0), np.float32))[region]
    unshaded = luminance(np.asarray(dress_up(astronaut, parse, flat, "dress", shading=0.0, feather=0), np.float32))[region]
    assert np.corrcoef(original, shaded)[0, 1] > 0.8
    assert unshaded.std() < 1.0  # no shading: a flat colour


def test_opacity_lets_the_old_texture_through(astronaut):
    parse = synthetic_parse()
    region = parse.mask("dress")
    photo = np.asarray(astronaut, np.float32)[region]
    full = np.asarray(dress_up(astronaut, parse, sample("artworks", "waves"), "dress", opacity=1.0), np.float32)[region]
    half = np.asarray(dress_up(astronaut, parse, sample("artworks", "waves"), "dress", opacity=0.5), np.float32)[region]
    assert np.abs(half - photo).mean() < 0.7 * np.abs(full - photo).mean()


def test_fold_warp_moves_the_pattern(astronaut):
    parse = synthetic_parse()
    straight = np.asarray(dress_up(astronaut, parse, sample("artworks", "bauhaus"), "dress", fold_warp=0.0))
    bent = np.asarray(dress_up(astronaut, parse, sample("artworks", "bauhaus"), "dress", fold_warp=15.0))
    assert np.abs(straight.astype(int) - bent).mean() > 3


def test_feather_is_inward_only():
    mask = np.zeros((50, 50), bool)
    mask[10:40, 10:40] = True
    alpha = inward_feather(mask, 3.0)
    assert alpha[~mask].max() == 0 and alpha[25, 25] == pytest.approx(1.0) and 0 < alpha[10, 25] < 1


@pytest.mark.parametrize("kwargs, message", [
    ({"garment": "top"}, "No top was found"),
    ({"shading": 3.0}, "shading must be between"),
    ({"opacity": -0.1}, "opacity must be between"),
    ({"garment": "cape"}, "choose one of"),
])
def test_bad_requests_are_refused(astronaut, kwargs, message):
    garment = kwargs.pop("garment", "dress")
    with pytest.raises((ValueError, KeyError), match=message):
        dress_up(astronaut, synthetic_parse(), sample("artworks", "waves"), garment, **kwargs)


def test_parse_of_another_size_is_refused(astronaut):
    with pytest.raises(ValueError, match="parse this photo first"):
        dress_up(astronaut.resize((300, 300)), synthetic_parse(), sample("artworks", "waves"))


@pytest.mark.needs_ccp
def test_on_a_real_photo_with_the_shipped_parser(ccp_root, garment_parser):
    from tools.ccp import CCPReader, split

    reader = CCPReader(ccp_root)
    photo, truth = next((im, lab) for im, lab in map(reader.load, split(ccp_root)[1]) if (lab == DRESS).mean() > 0.08)
    parse = garment_parser.predict(photo)
    region = parse.mask("clothing")
    result = np.asarray(dress_up(photo, parse, sample("artworks", "mosaic"), "clothing"))
    original = np.asarray(photo)
    changed = np.any(result != original, axis=2)
    assert changed.any() and not (changed & ~region).any()  # only garment pixels change
    occluders = parse.mask("hair") | parse.mask("skin") | parse.mask("accessories")
    assert np.array_equal(result[occluders], original[occluders])
    assert np.abs(result[changed].astype(int) - original[changed]).mean() > 15
