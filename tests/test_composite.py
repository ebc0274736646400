"""dress_up: a print that follows the body, what is in front stays in front, clean edges."""

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.signal import find_peaks

from studio.body import LANDMARK_INDEX, Body
from studio.composite import chroma_reach, dress_up, luminance, muted, prepare_dress, shaded_cloth
from studio.parsing import CLASS_NAMES, Parse, near_person
from tests.conftest import sample
from tests.golden_util import assert_matches_golden
from tools.dress_measures import stripe_fabric, stripe_ratio

DRESS, HAIR, SKIN = CLASS_NAMES.index("dress"), CLASS_NAMES.index("hair"), CLASS_NAMES.index("skin")
ACCESSORIES = CLASS_NAMES.index("accessories")
PINK, GREY, GREEN = (220, 80, 150), (128, 128, 128), (40, 180, 60)


def synthetic_parse(size=(512, 512)) -> Parse:
    """A hand-made parse of the astronaut photo: her suit as 'dress', a hair band, a hand."""
    labels = np.zeros(size[::-1], np.uint8)
    labels[260:512, 90:430] = DRESS
    labels[60:140, 170:300] = HAIR
    labels[380:440, 120:170] = SKIN  # a hand in front of the suit
    return Parse(labels=labels)


def drawn_body(shoulders, hips, person_mask) -> Body:
    """A body with only its shoulders and hips in sight."""
    landmarks = np.zeros((33, 3), np.float32)
    for side, (shoulder, hip) in zip(("left", "right"), zip(shoulders, hips)):
        landmarks[LANDMARK_INDEX[f"{side}_shoulder"]] = (*shoulder, 1.0)
        landmarks[LANDMARK_INDEX[f"{side}_hip"]] = (*hip, 1.0)
    return Body(landmarks=landmarks, person_mask=person_mask)


def drawn_figure(outline, size=(400, 520)):
    """A pink garment ``outline`` (polygon, drawn at 4x and scaled down, so its edge pixels are
    mixed) on grey, shaded like a lit cylinder, and its parse."""
    big = Image.new("L", (size[0] * 4, size[1] * 4), 0)
    ImageDraw.Draw(big).polygon([(4 * x, 4 * y) for x, y in outline], fill=255)
    cover = np.asarray(big.resize(size, Image.BOX), np.float32) / 255
    columns = np.arange(size[0], dtype=np.float32)
    light = 0.55 + 0.45 * np.clip(np.cos((columns - size[0] / 2) / (size[0] / 2) * 1.4), 0, 1)
    garment = np.array(PINK, np.float32) * light[None, :, None]
    pixels = garment * cover[..., None] + np.array(GREY, np.float32) * (1 - cover[..., None])
    labels = np.where(cover >= 0.5, DRESS, 0).astype(np.uint8)
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8)), Parse(labels=labels), cover


TORSO = [(110, 60), (290, 60), (290, 480), (110, 480)]
UPRIGHT = ([(130, 70), (270, 70)], [(140, 300), (260, 300)])


def bag_beside_the_dress() -> tuple[np.ndarray, np.ndarray, Body]:
    """The drawn pink dress with a dark bag just right of it (its edge at x 290), and the parse's bag
    drawn 6 px too big, into the dress: (pixels, labels, an upright body)."""
    photo, parse, _ = drawn_figure(TORSO)
    pixels = np.asarray(photo).copy()
    pixels[250:330, 290:340] = (30, 25, 20)
    labels = parse.labels.copy()
    labels[250:330, 284:340] = ACCESSORIES
    return pixels, labels, drawn_body(*UPRIGHT, np.ones(labels.shape, bool))


@pytest.fixture(scope="module")
def astronaut():
    return sample("photos", "astronaut")


def test_golden_dress_up(astronaut):
    result = dress_up(astronaut, synthetic_parse(), sample("artworks", "mosaic"), "dress", scale=0.5, shading=0.9)
    assert_matches_golden(result, "dress_up_astronaut")


def test_hair_hand_and_the_far_background_are_byte_identical(astronaut):
    parse = synthetic_parse()
    prep = prepare_dress(astronaut, parse, "dress")
    result = np.asarray(prep.apply(sample("artworks", "waves")))
    photo = np.asarray(astronaut)
    dress = parse.mask("dress")
    kept = parse.mask("hair") | parse.mask("skin") | ~ndimage.binary_dilation(dress, iterations=6)
    assert np.array_equal(result[kept], photo[kept])
    inside = dress & ~parse.mask("skin")
    assert np.abs(result[inside].astype(int) - photo[inside]).mean() > 20


def test_stripes_narrow_toward_the_sides_of_a_rounded_torso():
    photo, parse, _ = drawn_figure(TORSO)
    body = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    striped = dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0)
    assert stripe_ratio(striped, parse.labels) > 1.4  # a flat print gives 1


def test_a_leaning_body_leans_its_print():
    lean = np.tan(np.radians(12))
    outline = [(110 + lean * (y - 60), y) for y in (60, 480)]
    outline = [outline[0], (outline[0][0] + 180, 60), (outline[1][0] + 180, 480), outline[1]]
    photo, parse, _ = drawn_figure(outline)
    body = drawn_body([(130, 70), (270, 70)], [(140 + 230 * lean, 300), (260 + 230 * lean, 300)],
                      np.ones(parse.labels.shape, bool))
    line = np.full((200, 200, 3), 235, np.uint8)
    line[:, 96:104] = 20  # one dark line down the middle of the fabric
    result = luminance(np.asarray(dress_up(photo, parse, Image.fromarray(line), body=body, fold_warp=0), np.float32))
    found = [int(np.argmin(result[y, 100:360])) + 100 for y in (120, 420)]
    assert found[1] - found[0] == pytest.approx(300 * lean, abs=12)


def test_both_trouser_legs_carry_the_print():
    """Trousers parted below the hips, the body's axis in the gap: each leg carries the print at the
    period it has just above the parting, not squeezed into the far edge of a one-leg cross-section."""
    trousers = [(120, 60), (280, 60), (280, 300), (265, 500), (207, 500), (200, 320), (193, 500), (135, 500),
                (120, 300)]
    photo, parse, _ = drawn_figure(trousers)
    body = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    striped = luminance(np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0), np.float32))
    legs, hips = ([len(find_peaks(-striped[y, a:b], prominence=12)[0]) for a, b in ((140, 190), (210, 260))]
                  for y in (440, 250))
    for on_leg, above in zip(legs, hips):  # the same columns just above the parting
        assert above >= 3
        assert 0.6 * above <= on_leg <= 1.5 * above


def test_both_sides_of_a_neckline_carry_the_print():
    """A deep V-neck, the body's axis in it: each shoulder's print has the period it has lower down,
    neither squeezed into streaks as the far side of a one-shoulder cross-section."""
    v_neck = [(110, 60), (180, 60), (200, 160), (220, 60), (290, 60), (290, 480), (110, 480)]
    photo, parse, _ = drawn_figure(v_neck)
    body = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    striped = luminance(np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0), np.float32))
    sides, below = ([len(find_peaks(-striped[y, a:b], prominence=12)[0]) for a, b in ((125, 175), (225, 275))]
                    for y in (80, 300))
    for at_top, lower in zip(sides, below):
        assert lower >= 3
        assert 0.6 * lower <= at_top <= 1.5 * lower


def test_the_print_fans_out_with_a_flared_skirt():
    outline = [(140, 60), (260, 60), (250, 240), (330, 500), (70, 500), (150, 240)]  # bodice, waist, flare
    photo, parse, _ = drawn_figure(outline)
    body = drawn_body([(150, 70), (250, 70)], [(155, 260), (245, 260)], np.ones(parse.labels.shape, bool))
    result = np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0).convert("L"), np.float32)

    def stripes(y):
        run = np.flatnonzero(parse.labels[y] == DRESS)
        return len(find_peaks(result[y, run.min():run.max()], prominence=12)[0])

    waist, hem = stripes(245), stripes(480)
    assert hem < 1.3 * waist  # the hem is 2.5x wider than the waist, yet holds about as many stripes


def test_a_pencil_skirt_narrowing_to_its_hem_is_not_squeezed():
    """Hips 150 px, hem 80 px: less cloth goes round the hem, so it holds fewer stripes than the hips,
    not the same number squeezed into half the width."""
    outline = [(140, 60), (260, 60), (250, 240), (275, 330), (235, 500), (165, 500), (125, 330), (150, 240)]
    photo, parse, _ = drawn_figure(outline)
    body = drawn_body([(150, 70), (250, 70)], [(155, 260), (245, 260)], np.ones(parse.labels.shape, bool))
    result = luminance(np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0), np.float32))

    def stripes(y):
        run = np.flatnonzero(parse.labels[y] == DRESS)
        return len(find_peaks(-result[y, run.min():run.max()], prominence=12)[0])

    assert stripes(480) < 0.8 * stripes(330)


def test_a_bag_over_the_bodice_does_not_stretch_the_skirts_print():
    """A bag held over most of the waist, reaching past the outline: the skirt below keeps the print
    it has without the bag (the garment's cross-section spans the bag), not one blown up from a sliver."""
    outline = [(140, 60), (260, 60), (250, 240), (330, 500), (70, 500), (150, 240)]
    photo, parse, _ = drawn_figure(outline)
    body = drawn_body([(150, 70), (250, 70)], [(155, 260), (245, 260)], np.ones(parse.labels.shape, bool))

    def hem_stripes(parse):
        result = np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0).convert("L"), np.float32)
        run = np.flatnonzero(parse.labels[480] == DRESS)
        return len(find_peaks(result[480, run.min():run.max()], prominence=12)[0])

    labels = parse.labels.copy()
    labels[150:280, 120:238] = ACCESSORIES
    assert hem_stripes(Parse(labels=labels)) >= 0.8 * hem_stripes(parse)


def test_likely_accessories_stay_in_front_even_where_not_the_argmax():
    photo, parse, _ = drawn_figure(TORSO)
    probabilities = np.zeros((len(CLASS_NAMES), *parse.labels.shape), np.float32)
    probabilities[DRESS] = parse.labels == DRESS
    probabilities[0] = 1 - probabilities[DRESS]
    strap = np.zeros(parse.labels.shape, bool)
    strap[60:480, 180:192] = True  # a strap down the front: 30% accessory, still dress by the argmax
    strap &= parse.labels == DRESS
    probabilities[ACCESSORIES][strap], probabilities[DRESS][strap] = 0.3, 0.7
    probabilities[ACCESSORIES][240:250, 181:191] = 0.6  # its buckle, sure
    parse = Parse(labels=parse.labels, probabilities=probabilities)
    result = np.asarray(dress_up(photo, parse, sample("artworks", "waves")))
    assert np.array_equal(result[strap], np.asarray(photo)[strap])
    assert (result[parse.labels == DRESS] != np.asarray(photo)[parse.labels == DRESS]).any(axis=1).mean() > 0.8


def test_nothing_outside_the_person_changes_but_her_coats_flap_does():
    """The body's person mask misses the right flap of her dress (x 270-290), which the parser draws joined
    to the rest: the flap is hers and takes the print. Someone else's dress just beside her (x 296-340, a
    6 px gap of wall between them), within the reach a joined flap may have, is drawn apart from her by the
    parser and stays as it is, as does the background."""
    from studio.parsing import PERSON_REACH

    photo, parse, _ = drawn_figure(TORSO)
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    pixels[100:400, 296:340], labels[100:400, 296:340] = PINK, DRESS
    person = np.zeros(labels.shape, bool)
    person[:, :270] = True
    assert 270 + PERSON_REACH * max(labels.shape) > 296  # the other dress is within a flap's reach
    body = drawn_body(*UPRIGHT, person)
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), sample("artworks", "waves"), body=body))
    changed = (result != pixels).any(axis=2)
    assert changed[100:440, 272:286].mean() > 0.95  # her flap
    assert not changed[:, 293:].any()  # someone else, and the wall beside her
    assert not changed[:, :105].any() and not changed[:50].any() and not changed[490:].any()


def test_no_old_colour_is_left_inside_or_at_the_edge():
    photo, parse, _ = drawn_figure(TORSO)
    green = Image.new("RGB", (64, 64), GREEN)
    result = np.asarray(dress_up(photo, parse, green, body=drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))),
                        np.float32)
    pinkness = result[..., 0] + result[..., 2] - 2 * result[..., 1]  # the old dress: 210; grey: 0; green: < 0
    original = np.asarray(photo, np.float32)
    near = (original[..., 0] + original[..., 2] - 2 * original[..., 1]) > 15  # every pixel with some pink, edges too
    assert near.sum() > parse.mask("dress").sum() and pinkness[near].max() < 15


def test_a_side_the_parse_draws_inside_the_outline_is_dressed_when_it_leans_to_the_garment():
    """The parse's dress stops 6 px inside the drawn dress's left side, where it gives the dress 0.3 (the
    background 0.7): the matting decides those pixels with the edge, so no strip of old pink is left, and the
    grey wall beside them, which the parser also gives 0.3, stays as it is."""
    photo, parse, _ = drawn_figure(TORSO)
    labels = parse.labels.copy()
    labels[:, 110:116] = 0
    probabilities = (labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
    unsure = np.zeros(labels.shape, bool)
    unsure[60:480, 100:116] = True  # the missed side and 10 px of wall beside it
    probabilities[:, unsure] = 0.0
    probabilities[DRESS][unsure], probabilities[0][unsure] = 0.3, 0.7
    result = np.asarray(dress_up(photo, Parse(labels=labels, probabilities=probabilities), Image.new("RGB", (64, 64), GREEN)),
                        np.int16)  # without a body: no person mask to reclaim the side by its colour
    side = result[80:460, 111:116]
    assert (side[..., 0] + side[..., 2] - 2 * side[..., 1]).max() < 15  # no pink left
    assert np.array_equal(result[80:460, 100:108], np.asarray(photo, np.int16)[80:460, 100:108])


def test_shoes_the_parser_half_gives_the_dress_stay_untouched():
    """A 6 px strip of shoe under the hem in nearly the dress's colour, to which the parser gives the dress
    0.15: the matting may decide pixels past the outline only where the parser says background or skin, so
    the shoe keeps its own pixels."""
    photo, parse, _ = drawn_figure(TORSO)
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    shoe = np.zeros(labels.shape, bool)
    shoe[481:487, 150:250] = True
    labels[shoe] = CLASS_NAMES.index("footwear")
    pixels[shoe] = (200, 90, 150)
    probabilities = (labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
    probabilities[:, shoe] = 0.0
    probabilities[DRESS][shoe], probabilities[CLASS_NAMES.index("footwear")][shoe] = 0.15, 0.85
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels, probabilities=probabilities),
                                 Image.new("RGB", (64, 64), GREEN), body=body))
    assert np.array_equal(result[483:487, 150:250], pixels[483:487, 150:250])


def test_the_dress_area_keeps_a_sleeve_beyond_a_strap():
    """A dress with a bag's strap down its side that cuts off a sleeve, with the parser's probabilities: the
    strap joins the sleeve to the dress in the Fit page's area as in the garment mask (the outfit decision's
    own pruning of stray parts counts it too)."""
    from studio.composite import garment_area

    photo, parse, _ = drawn_figure(TORSO)
    labels = parse.labels.copy()
    labels[:, 274:] = 0
    labels[60:480, 270:274] = ACCESSORIES  # the strap
    labels[80:200, 274:290] = DRESS  # the sleeve beyond it, a fortieth of the dress
    probabilities = (labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
    area = garment_area(photo, Parse(labels=labels, probabilities=probabilities), ["dress"])
    assert area[80:200, 276:288].all()


def test_the_alpha_is_soft_at_the_outline_and_full_inside():
    photo, parse, cover = drawn_figure([(110.3, 60.6), (250.7, 60.6), (300.2, 480.4), (80.5, 480.4)])  # slanted sides
    prep = prepare_dress(photo, parse, body=drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool)))
    alpha = np.zeros(parse.labels.shape, np.float32)
    alpha[prep.rows, prep.cols] = prep.alpha
    assert (alpha[100:440, 140:240] == 1).all()
    mixed = (cover > 0.05) & (cover < 0.95)  # the drawn outline's anti-aliased pixels: no hard step
    assert mixed.sum() > 400 and ((alpha[mixed] > 0.02) & (alpha[mixed] < 0.98)).mean() > 0.6
    assert np.abs(alpha[mixed] - cover[mixed]).mean() < 0.15


def test_one_prep_serves_many_fabrics(astronaut):
    parse = synthetic_parse()
    prep = prepare_dress(astronaut, parse, "dress")
    for fabric, look in [(sample("artworks", "waves"), {"scale": 0.6}), (sample("artworks", "bauhaus"), {"rotation": 30})]:
        expected = dress_up(astronaut, parse, fabric, "dress", **look)
        assert np.array_equal(np.asarray(prep.apply(fabric, **look)), np.asarray(expected))


def test_shading_follows_the_photos_light(astronaut):
    parse = synthetic_parse()
    flat = Image.new("RGB", (64, 64), (180, 60, 60))
    prep = prepare_dress(astronaut, parse, "dress")
    inside = np.zeros(parse.labels.shape, bool)
    inside[prep.rows[prep.alpha == 1], prep.cols[prep.alpha == 1]] = True  # away from the soft edge
    pixels = np.asarray(astronaut, np.float32)
    inside &= (pixels[..., 0] > 1.6 * pixels[..., 1]) & (pixels[..., 0] > 120)  # the orange suit: one ink,
    # so its luminance is the light (the patch and the helmet are other inks, divided out of the light)
    original = luminance(pixels)[inside]
    shaded = luminance(np.asarray(prep.apply(flat, shading=1.0, texture=0), np.float32))[inside]
    unshaded = luminance(np.asarray(prep.apply(flat, shading=0.0, texture=0), np.float32))[inside]
    assert np.corrcoef(original, shaded)[0, 1] > 0.7
    assert unshaded.std() < 1.0  # no shading: a flat colour


def test_the_old_print_is_divided_out_of_the_light():
    """A red-and-cream striped dress under horizontal folds: the light keeps the folds, not the stripes."""
    height, width = 240, 200
    ys, xs = np.mgrid[0:height, 0:width]
    folds = 1.0 + 0.25 * np.sin(2 * np.pi * ys / 60.0)
    stripes = (xs // 24) % 2 == 0
    ink = np.where(stripes[..., None], np.array((200, 40, 40), np.float32), np.array((235, 225, 200), np.float32))
    pixels = np.full((height, width, 3), 128.0, np.float32)
    labels = np.zeros((height, width), np.uint8)
    labels[20:220, 20:180] = DRESS
    inside = labels == DRESS
    pixels[inside] = (ink * folds[..., None] * 0.8)[inside]
    photo = Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))
    prep = prepare_dress(photo, Parse(labels=labels), "dress")
    core = prep.alpha == 1
    rows, cols = prep.rows[core], prep.cols[core]
    assert np.corrcoef(prep.light[core], folds[rows, cols])[0, 1] > 0.9
    assert abs(np.corrcoef(prep.light[core], stripes[rows, cols])[0, 1]) < 0.15


def test_highlights_give_a_dark_print_a_sheen_and_never_burn_a_pale_one():
    """In shadow the cloth darkens in proportion; in a highlight a navy print moves towards white
    (brighter and greyer, as a sheen is), and a cream one stays short of pure white."""
    navy, cream = np.array([[30.0, 32.0, 90.0]]), np.array([[235.0, 225.0, 200.0]])
    assert np.allclose(shaded_cloth(navy, np.array([0.5])), navy * 0.5)
    lifted = shaded_cloth(navy, np.array([1.6]))[0]
    assert luminance(lifted[None])[0] > luminance(navy * 1.6)[0]  # brighter than a matte cloth in the same light
    assert (lifted.max() - lifted.min()) < (navy.max() - navy.min())  # greyer: the sheen is the light's colour
    assert shaded_cloth(cream, np.array([2.0])).max() < 250


def test_a_piece_of_the_dress_the_parser_called_a_coat_is_dressed_too():
    """The parser often splits a dress: its skirt labelled 'outerwear'. A piece of another garment
    class touching the dress is the dress when it shows the dress's own colour; in another colour
    (a real coat) it is left alone."""
    photo, parse, _ = drawn_figure(TORSO)
    labels = parse.labels.copy()
    labels[300:][labels[300:] == DRESS] = CLASS_NAMES.index("outerwear")
    fabric = sample("artworks", "waves")
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    same = np.asarray(dress_up(photo, Parse(labels=labels), fabric, "dress", body=body))
    skirt = labels == CLASS_NAMES.index("outerwear")
    assert (same[skirt] != np.asarray(photo)[skirt]).any(axis=1).mean() > 0.9
    recoloured = np.asarray(photo).copy()
    recoloured[skirt] = (40, 60, 160)  # a blue coat below a pink dress
    other = np.asarray(dress_up(Image.fromarray(recoloured), Parse(labels=labels), fabric, "dress", body=body))
    lower = skirt & (np.arange(labels.shape[0]) > 320)[:, None]  # past the edge's soft band
    assert np.array_equal(other[lower], recoloured[lower])


def test_old_cloth_at_the_edge_of_a_bag_drawn_too_big_is_dressed_but_the_bag_stays():
    """The parser's bag (a dark square beside the dress) runs 6 px into the pink dress: those pixels
    show the dress's own colour, not the bag's, so they get the print; the bag itself is untouched."""
    pixels, labels, body = bag_beside_the_dress()
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), Image.new("RGB", (64, 64), GREEN),
                                 body=body))
    strip = (slice(256, 324), slice(285, 289))
    pinkness = result[strip][..., 0].astype(int) + result[strip][..., 2] - 2 * result[strip][..., 1].astype(int)
    assert pinkness.max() < 15  # no old pink left beside the bag
    assert np.array_equal(result[252:328, 293:340], pixels[252:328, 293:340])


def test_a_mesh_clutch_the_parse_cuts_into_stays_whole():
    """A black-and-silver mesh clutch held in front of the pink dress, the parse's bag 8 px short of its
    left edge: those 8 px show the clutch's inks (read on the photo blurred by a pixel, as the mesh's grey),
    not the dress's, so they stay untouched; the dress beside the clutch takes the print."""
    photo, parse, _ = drawn_figure(TORSO)
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    mesh = (np.add.outer(np.arange(80) // 2, np.arange(50) // 2) % 2).astype(bool)
    pixels[250:330, 230:280] = np.where(mesh[..., None], (25, 25, 28), (200, 200, 205))
    labels[250:330, 238:280] = ACCESSORIES
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), sample("artworks", "waves"), body=body))
    assert np.array_equal(result[250:330, 230:280], pixels[250:330, 230:280])
    assert (result[255:325, 200:224] != pixels[255:325, 200:224]).any(axis=2).mean() > 0.95


def test_a_fine_print_keeps_its_crispness():
    """Stripes 2 px apart on the front of the drawn dress, no shading: their contrast is kept (a spread of
    42 levels), not softened as if out of focus (30 when the print was read half from its 1-px blur; blind
    judges called it softer than the photo around it)."""
    photo, parse, _ = drawn_figure(TORSO)
    out = np.asarray(dress_up(photo, parse, stripe_fabric(256, 64), shading=0.0, scale=180 / 256), np.float32)
    assert out[200:300, 180:220].mean(axis=2).std() > 38


def test_coordinates_that_shear_are_read_blurred_and_a_seam_is_not():
    """The surface's stretch is the cloth pixels a photo pixel spans: 1 on flat cloth, about 6 where u runs 6
    cloth px a row (a hem's edges jumping from row to row), the arc's own where two panels' coordinates jump
    at a seam. A print read where it is that stretched loses its fine stripes instead of aliasing into new
    ones."""
    from dataclasses import replace

    from studio.surface import Surface, stretch

    ys, xs = np.mgrid[:40, :60].astype(np.float32)
    flat = np.ones((40, 60), np.float32)
    assert np.allclose(stretch(Surface(xs, ys, flat, flat)), 1.0)
    sheared = stretch(Surface(xs + 6 * ys, ys, flat, flat))
    assert np.allclose(sheared[5:-5, 5:-5], np.hypot(6, 1), atol=0.3)
    for jump in (20, 200):  # a narrow garment's panels jump by less than a wide one's
        seam = stretch(Surface(np.where(xs < 30, xs, xs + jump), ys, flat * 0.5, flat))
        assert np.allclose(seam[:, 28:32], 2.0)  # 1 / compression
    photo, parse, _ = drawn_figure(TORSO)
    prep = prepare_dress(photo, parse)
    fabric = stripe_fabric(256, 64)
    sharp = np.asarray(prep.apply(fabric, scale=180 / 256, shading=0.0), np.float32)[200:300, 180:220]
    smeared = replace(prep, stretch=np.full_like(prep.stretch, 6.0))
    blurred = np.asarray(smeared.apply(fabric, scale=180 / 256, shading=0.0), np.float32)[200:300, 180:220]
    assert blurred.mean(axis=2).std() < 0.3 * sharp.mean(axis=2).std()


def test_a_print_is_no_more_colourful_than_the_photo():
    """An artwork's pure colours are muted to the photo's own reach (its 95th percentile of distance from
    grey), but to no less than 0.6 of their own; in a photo more colourful than the print, the print
    keeps its colours; its greys never change."""
    vivid = np.array([[250.0, 20.0, 20.0], [20.0, 20.0, 250.0], [128.0, 128.0, 128.0]])
    street = np.random.default_rng(0).normal(128, 4, (64, 64, 3)) + np.array([6.0, 0.0, -6.0])
    reach = chroma_reach(street)
    calm = muted(vivid, reach)
    chroma = np.linalg.norm(calm - calm.mean(axis=1, keepdims=True), axis=1)
    own = np.linalg.norm(vivid - vivid.mean(axis=1, keepdims=True), axis=1)
    assert np.allclose(chroma, 0.6 * own)  # muted as far as it may go: a grey street is no reason for a grey dress
    slightly = chroma_reach(street * 0 + 128 + np.array([100.0, 0.0, -100.0]))  # colourful, a little less than the print
    assert np.allclose(np.linalg.norm(muted(vivid, slightly) - muted(vivid, slightly).mean(axis=1, keepdims=True),
                                      axis=1)[:2], slightly, rtol=0.02)
    assert np.allclose(calm.mean(axis=1), vivid.mean(axis=1)) and np.allclose(calm[2], vivid[2])
    carnival = np.concatenate([street.reshape(-1, 3), np.tile(vivid[:2] * 1.02, (400, 1))])
    assert np.allclose(muted(vivid, chroma_reach(carnival)), vivid)


def test_shoes_in_the_dresss_colour_are_never_painted():
    """Shoes with pink straps right below a pink dress's hem (dark soles further down): the straps show
    the dress's own colour, but shoes are the shopper's own (blind judges saw a print swallow shoes and
    toes), so they stay untouched."""
    photo, parse, _ = drawn_figure(TORSO)
    pixels = np.asarray(photo).copy()
    pixels[480:489, 120:280] = PINK
    pixels[489:510, 120:280] = (30, 25, 20)
    labels = parse.labels.copy()
    labels[480:510, 110:290] = CLASS_NAMES.index("footwear")
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), Image.new("RGB", (64, 64), GREEN),
                                 body=body))
    assert np.array_equal(result[486:510, 120:280], pixels[486:510, 120:280])


def test_a_dress_split_by_the_parser_joins_by_class_not_with_a_coat_beside_it():
    """The parser calls a pink dress's bodice 'top'; a real blue cardigan ('outerwear') touches the bodice
    only. The bodice is the dress's own cloth and joins it; the cardigan does not come along with it."""
    from studio.composite import same_cloth

    labels = np.zeros((200, 200), np.uint8)
    labels[100:190, 50:150] = DRESS
    labels[30:100, 60:140] = CLASS_NAMES.index("top")
    labels[30:100, 140:170] = CLASS_NAMES.index("outerwear")
    pixels = np.full((200, 200, 3), 120, np.uint8)
    pixels[(labels == DRESS) | (labels == CLASS_NAMES.index("top"))] = PINK
    pixels[labels == CLASS_NAMES.index("outerwear")] = (40, 60, 160)
    joined = same_cloth(pixels, Parse(labels=labels), labels == DRESS)
    assert joined[labels == CLASS_NAMES.index("top")].all()
    assert not joined[labels == CLASS_NAMES.index("outerwear")].any()


def test_a_strand_of_hair_kept_by_probability_is_never_taken_for_the_dress():
    """A thin strand over the dress, 'dress' by the argmax but 35% hair and joined to the hair: it stays in
    front, byte-identical, though its colour is mostly the dress's."""
    labels = np.zeros((200, 200), np.uint8)
    labels[20:60, 70:130] = HAIR
    labels[60:190, 50:150] = DRESS
    labels[30:60, 60:70], labels[60:190, 30:50] = SKIN, SKIN  # the face's side and an arm
    pixels = np.full((200, 200, 3), 120, np.uint8)
    pixels[labels == DRESS] = (230, 150, 170)
    pixels[labels == HAIR] = (70, 45, 30)
    pixels[labels == SKIN] = (225, 175, 140)
    strand = np.zeros((200, 200), bool)
    strand[60:110, 100:102] = True
    pixels[strand] = (0.35 * np.array([70, 45, 30]) + 0.65 * np.array([230, 150, 170])).astype(np.uint8)
    probabilities = (labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
    probabilities[:, strand] = 0.0
    probabilities[DRESS, strand], probabilities[HAIR, strand] = 0.65, 0.35
    parse = Parse(labels=labels, probabilities=probabilities)
    body = drawn_body([(60, 70), (140, 70)], [(70, 180), (130, 180)], labels > 0)
    result = np.asarray(dress_up(Image.fromarray(pixels), parse, Image.new("RGB", (64, 64), GREEN), body=body))
    assert np.array_equal(result[strand], pixels[strand])


def test_an_explicit_mask_is_the_shoppers_word_on_the_area():
    """With a mask from the Fit page (the shopper's refinements), nothing beside it is reclaimed for the
    garment: the strip of old pink the parser gave to a bag stays as it is when the mask leaves it out."""
    pixels, labels, body = bag_beside_the_dress()
    mask = labels == DRESS
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), Image.new("RGB", (64, 64), GREEN),
                                 body=body, mask=mask))
    assert np.array_equal(result[256:324, 286:340], pixels[256:324, 286:340])


def test_the_fit_pages_area_for_a_dress_takes_its_bodice_unless_left_out():
    """The area for "dress" takes the bodice the parser called a top (the same pink), as the Fit page
    shows it; when the shopper leaves tops out, it does not."""
    from studio.composite import garment_area

    photo, parse, _ = drawn_figure(TORSO)
    labels = parse.labels.copy()
    bodice = labels[:200] == DRESS
    labels[:200][bodice] = CLASS_NAMES.index("top")
    split = Parse(labels=labels)
    area = garment_area(photo, split, ["dress"])
    assert area[labels == CLASS_NAMES.index("top")].all() and area[labels == DRESS].all()
    assert not garment_area(photo, split, ["dress"], exclude=("top",))[labels == CLASS_NAMES.index("top")].any()


def in_denim(pixels: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``pixels`` with the garment at ``where`` dyed denim blue, its light kept."""
    dyed = pixels.copy()
    light = luminance(pixels[where].astype(np.float32)) / luminance(np.array(PINK, np.float32))
    dyed[where] = np.clip(light[:, None] * np.array((60, 80, 140), np.float32), 0, 255).astype(np.uint8)
    return dyed


def _decided_dress(network: np.ndarray) -> Parse:
    """A parse whose outfit decision made all of the network's top and dress (``network``, its argmax) dress."""
    probabilities = (network[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
    labels = np.where(network == CLASS_NAMES.index("top"), DRESS, network).astype(np.uint8)
    return Parse(labels=labels, probabilities=probabilities, outfit="dress", outfit_confidence=1.0)


def test_a_sweater_the_outfit_decision_made_dress_stays_out_of_it():
    """A black sweater over a yellow skirt, the photo decided a dress and the sweater relabelled dress: the
    network called it a top and it shows none of the skirt's inks, so the area for "dress" leaves it out."""
    from studio.composite import garment_area

    network = np.zeros((200, 200), np.uint8)
    network[30:100, 60:140] = CLASS_NAMES.index("top")
    network[100:190, 50:150] = DRESS
    pixels = np.full((200, 200, 3), 120, np.uint8)
    pixels[network == CLASS_NAMES.index("top")] = (25, 25, 30)
    pixels[network == DRESS] = (230, 200, 60)
    area = garment_area(Image.fromarray(pixels), _decided_dress(network), ["dress"])
    assert area[network == DRESS].all() and not area[network == CLASS_NAMES.index("top")].any()
    grown = garment_area(Image.fromarray(pixels), _decided_dress(network), ["dress"], grow=6)  # the Fit page's slider
    assert grown[100:190, 44:50].all() and not grown[:94].any()  # no ring left round the sweater


def test_a_speck_of_the_sweater_the_network_called_dress_goes_with_the_sweater():
    """As above, with a 10 px speck inside the sweater that the network itself called dress (CCP 0736, a hand
    over a sweater's print): once the sweater is out, the speck is a stray part of the area and goes too
    (blind judges saw it as a grey block of print on the sweater)."""
    from studio.composite import garment_area

    network = np.zeros((200, 200), np.uint8)
    network[30:100, 60:140] = CLASS_NAMES.index("top")
    network[100:190, 50:150] = DRESS
    network[50:60, 90:100] = DRESS  # the speck
    pixels = np.full((200, 200, 3), 120, np.uint8)
    pixels[network == CLASS_NAMES.index("top")] = (25, 25, 30)
    pixels[network == DRESS] = (230, 200, 60)
    area = garment_area(Image.fromarray(pixels), _decided_dress(network), ["dress"])
    assert area[100:190, 50:150].all() and not area[:100].any()


def test_a_two_tone_dress_the_network_split_stays_whole():
    """A dress in a nude centre with grey panels; the network calls its grey shoulders a top, whose one ink is
    a warmer grey than the panels' (within an ink gap of it, not half of one): the area for "dress" keeps them."""
    from studio.composite import garment_area

    network = np.zeros((200, 200), np.uint8)
    network[30:100, 60:140] = CLASS_NAMES.index("top")
    network[100:190, 50:150] = DRESS
    pixels = np.full((200, 200, 3), 60, np.uint8)
    pixels[network == DRESS] = (215, 175, 140)
    pixels[100:190, 50:80] = pixels[100:190, 120:150] = (150, 155, 165)
    pixels[network == CLASS_NAMES.index("top")] = (165, 150, 140)  # in a warmer light than the skirt's panels
    area = garment_area(Image.fromarray(pixels), _decided_dress(network), ["dress"])
    assert area[network > 0].all()


def test_an_explicit_mask_that_takes_in_a_bags_edge_gets_it_dressed():
    """The Fit page's mask includes the strip of old pink that the parser gave to the bag beside the
    dress: inside the shopper's own area, that strip is reclaimed from the bag and dressed."""
    pixels, labels, body = bag_beside_the_dress()
    mask = (labels == DRESS) | (labels == ACCESSORIES) & (np.arange(labels.shape[1]) < 290)[None, :]
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), Image.new("RGB", (64, 64), GREEN),
                                 body=body, mask=mask))
    strip = result[256:324, 285:289].astype(int)
    assert (strip[..., 0] + strip[..., 2] - 2 * strip[..., 1]).max() < 15
    assert np.array_equal(result[252:328, 293:340], pixels[252:328, 293:340])


def test_a_cardigan_hem_in_the_skirts_colour_is_left_to_the_cardigan():
    """A twin set: a cardigan (parsed 'top') over a skirt, the cardigan's ribbed hem just above the skirt
    in the skirt's very colour. Dressing the skirt does not take the hem: two garments in one colour
    cannot be told apart by it."""
    photo, parse, _ = drawn_figure(TORSO)
    pixels = np.asarray(photo).copy()
    labels = parse.labels.copy()
    cardigan = labels[:250] == DRESS
    labels[:250][cardigan] = CLASS_NAMES.index("top")
    labels[labels == DRESS] = CLASS_NAMES.index("bottom")
    pixels[:236][cardigan[:236]] = (150, 110, 60)  # the cardigan's body; its last 14 rows stay the skirt's pink
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    result = np.asarray(dress_up(Image.fromarray(pixels), Parse(labels=labels), Image.new("RGB", (64, 64), GREEN),
                                 "bottom", body=body))
    hem = (slice(236, 240), slice(120, 280))  # the hem's rows beyond the edge's soft band
    assert np.array_equal(result[hem], pixels[hem])


def test_the_old_garments_fine_texture_shows_through(astronaut):
    prep = prepare_dress(astronaut, synthetic_parse(), "dress")
    flat = Image.new("RGB", (64, 64), (180, 60, 60))
    plain = np.asarray(prep.apply(flat, shading=0, texture=0), np.float32)
    textured = np.asarray(prep.apply(flat, shading=0, texture=1), np.float32)
    fine = luminance(textured) - luminance(plain)
    assert fine[300:500, 200:400].std() > 1.0


def test_a_busy_old_prints_leftovers_show_only_faintly():
    """Twelve inks in 3-px speckles are more than the ink division takes out (their leftovers' spread was
    0.14 of the light before TEXTURE_FAINT): what is left of them in the fine texture is held to a faint
    3 %, so the old print does not speckle the new one."""
    photo, parse, cover = drawn_figure(TORSO)
    rng = np.random.default_rng(1)
    inks = rng.uniform(40, 230, (12, 3))
    speckle = inks[rng.integers(0, 12, (174, 134))].repeat(3, axis=0).repeat(3, axis=1)[:520, :400]
    pixels = np.where(cover[..., None] >= 0.5, speckle, np.asarray(photo, np.float64))
    prep = prepare_dress(Image.fromarray(pixels.astype(np.uint8)), parse, "dress")
    flat = Image.new("RGB", (64, 64), (180, 60, 60))
    plain = luminance(np.asarray(prep.apply(flat, shading=0, texture=0), np.float32))
    textured = luminance(np.asarray(prep.apply(flat, shading=0, texture=1), np.float32))
    inside = ndimage.binary_erosion(cover >= 0.5, iterations=8)
    fine = (textured - plain)[inside] / np.median(plain[inside])
    spread = 1.4826 * np.median(np.abs(fine - np.median(fine)))
    assert 0.005 < spread <= 0.0315


def _light_over_plain(pixels: np.ndarray, plain: np.ndarray, parse: Parse, where: np.ndarray,
                      garment: str = "dress") -> np.ndarray:
    """At ``where``, the light a flat fabric takes on the printed garment ``pixels`` over the light it takes
    on the same garment ``plain`` (one colour): 1 wherever the old print left nothing in the light."""
    def lit(values: np.ndarray) -> np.ndarray:
        prep = prepare_dress(Image.fromarray(values.astype(np.uint8)), parse, garment)
        flat = Image.new("RGB", (64, 64), (200, 190, 170))
        return luminance(np.asarray(prep.apply(flat, shading=1, texture=0), np.float32))[where]

    ratio = lit(pixels) / lit(plain)
    return ratio / np.median(ratio)


def test_a_busy_old_print_does_not_mottle_the_light():
    """Twelve inks in 3-px speckles under even light: the ink division leaves blotches, and the light keeps
    only what runs one way like a fold (their spread was 0.09 of the light before fold_likeness, 0.02 after)."""
    photo, parse, cover = drawn_figure(TORSO)
    rng = np.random.default_rng(1)
    speckle = rng.uniform(40, 230, (12, 3))[rng.integers(0, 12, (174, 134))].repeat(3, axis=0).repeat(3, axis=1)
    garment = cover[..., None] >= 0.5
    pixels = np.where(garment, speckle[:520, :400], np.asarray(photo, np.float64))
    plain = np.where(garment, speckle[:520, :400].mean(axis=(0, 1)), np.asarray(photo, np.float64))
    light = _light_over_plain(pixels, plain, parse, ndimage.binary_erosion(cover >= 0.5, iterations=8))
    assert 1.4826 * np.median(np.abs(light - 1)) < 0.04


def test_an_ink_that_wanders_from_pale_to_deep_tells_less_of_the_light():
    """A cream garment with 8-px patches of one purple, each at its own depth (one ink to the ink division,
    its lightness halving): the patches' depth is print, and the cream beside them tells the light."""
    photo, parse, cover = drawn_figure(TORSO)
    rng = np.random.default_rng(2)
    patches = rng.uniform(0, 1, (66, 50)) < 0.4
    depth = rng.uniform(0.5, 1.0, (66, 50))
    cream, purple = np.array((225, 215, 195), np.float64), np.array((150, 110, 210), np.float64)
    ink = np.where(patches[..., None], purple * depth[..., None], cream).repeat(8, axis=0).repeat(8, axis=1)
    garment = cover[..., None] >= 0.5
    pixels = np.where(garment, ink[:520, :400], np.asarray(photo, np.float64))
    plain = np.where(garment, cream, np.asarray(photo, np.float64))
    light = _light_over_plain(pixels, plain, parse, ndimage.binary_erosion(cover >= 0.5, iterations=8))
    assert 1.4826 * np.median(np.abs(light - 1)) < 0.015  # 0.029 when every ink told the light alike


def _figure_with_sleeves():
    """A drawn dress whose sleeves hang out and down from the shoulders at 30 degrees, and its body with
    shoulders, hips, elbows and wrists."""
    outline = [(130, 60), (270, 60), (330, 200), (300, 215), (265, 140), (265, 480), (135, 480), (135, 140),
               (100, 215), (70, 200)]
    photo, parse, cover = drawn_figure(outline)
    body = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    for side, shoulder, elbow, wrist in (("left", (130, 70), (102, 140), (78, 205)),
                                         ("right", (270, 70), (298, 140), (322, 205))):
        body.landmarks[LANDMARK_INDEX[f"{side}_shoulder"]] = (*shoulder, 1.0)
        body.landmarks[LANDMARK_INDEX[f"{side}_elbow"]] = (*elbow, 1.0)
        body.landmarks[LANDMARK_INDEX[f"{side}_wrist"]] = (*wrist, 1.0)
    return photo, parse, cover, body


def test_a_sleeves_print_runs_down_the_arm():
    """Vertical stripes on a dress with sleeves held out at 30 degrees: on the bodice they stay upright, on
    each sleeve they run along its arm, so a row across the sleeve crosses them at an angle (their phase moves
    along the row's neighbours below)."""
    photo, parse, cover, body = _figure_with_sleeves()
    result = luminance(np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, scale=0.5, fold_warp=0),
                                  np.float32))

    def drift(rows: slice, cols: slice) -> float:
        """Columns the stripes move right per row down, from the best-matching shift between rows 6 apart."""
        a, b = result[rows.start, cols], result[rows.start + 6, cols]
        shifts = range(-8, 9)
        errors = [np.abs(a[8:-8] - np.roll(b, -k)[8:-8]).mean() for k in shifts]
        return shifts[int(np.argmin(errors))] / 6

    assert abs(drift(slice(250, 260), slice(160, 240))) < 0.2  # the bodice: upright
    assert drift(slice(150, 160), slice(280, 316)) > 0.3  # the right sleeve leans out to the right
    assert drift(slice(150, 160), slice(84, 120)) < -0.3  # and the left one to the left


def test_arms_beside_a_sleeveless_dress_bend_none_of_its_print():
    """Bare arms held out from a sleeveless dress (the dress covers the first fifth of each upper arm's line,
    at the shoulder): no sleeve, so its sides keep the bodice's print, exactly as with the arms unseen."""
    photo, parse, _ = drawn_figure(TORSO)
    unseen = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    seen = drawn_body(*UPRIGHT, np.ones(parse.labels.shape, bool))
    for side, elbow, wrist in (("left", (60, 170), (40, 260)), ("right", (340, 170), (360, 260))):
        seen.landmarks[LANDMARK_INDEX[f"{side}_elbow"]] = (*elbow, 1.0)
        seen.landmarks[LANDMARK_INDEX[f"{side}_wrist"]] = (*wrist, 1.0)
    with_arms, without = (np.asarray(dress_up(photo, parse, stripe_fabric(), body=body, fold_warp=0))
                          for body in (seen, unseen))
    assert np.array_equal(with_arms, without)


def test_a_top_and_trousers_are_cut_from_the_cloth_apart():
    """"clothing" over a pink top and denim trousers: each garment is its own length of cloth, so vertical
    stripes do not run on unbroken from the top into the trousers (rows either side of the waist disagree,
    rows within the top agree). A dress, one cloth, keeps them unbroken, and so does one pink cloth the parser
    split into a top and a bottom."""
    photo, parse, _ = drawn_figure(TORSO)
    labels = parse.labels.copy()
    labels[:250][labels[:250] == DRESS] = CLASS_NAMES.index("top")
    labels[labels == DRESS] = CLASS_NAMES.index("bottom")
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    separates_photo = Image.fromarray(in_denim(np.asarray(photo), labels == CLASS_NAMES.index("bottom")))

    def rows_differ(result: np.ndarray, a: int, b: int) -> float:
        return float(np.abs(result[a, 150:250] - result[b, 150:250]).mean())

    separates = luminance(np.asarray(dress_up(separates_photo, Parse(labels=labels), stripe_fabric(), "clothing",
                                              body=body, fold_warp=0, shading=0), np.float32))
    assert rows_differ(separates, 242, 258) > 15 and rows_differ(separates, 226, 242) < 3
    dress = luminance(np.asarray(dress_up(photo, parse, stripe_fabric(), "dress", body=body, fold_warp=0, shading=0),
                                 np.float32))
    assert rows_differ(dress, 242, 258) < 3
    split = luminance(np.asarray(dress_up(photo, Parse(labels=labels), stripe_fabric(), "clothing", body=body,
                                          fold_warp=0, shading=0), np.float32))
    assert rows_differ(split, 242, 258) < 3


def test_the_seam_between_two_garments_is_a_clean_cut():
    """A horizontal ramp, laid on a top and trousers at a scale where it does not repeat: down each column a
    pixel at the seam is either garment's cloth (like the pixel above or the one below it), never a read
    between the two panels' coordinates (which printed a dotted line of cloth from neither). Folds running
    across the body bend the print up and down, over the seam."""
    photo, parse, _ = drawn_figure(TORSO)
    folds = 1 + 0.25 * np.sin(np.arange(520) / 520 * 2 * np.pi * 13)[:, None, None]
    labels = parse.labels.copy()
    labels[:250][labels[:250] == DRESS] = CLASS_NAMES.index("top")
    labels[labels == DRESS] = CLASS_NAMES.index("bottom")
    denim = in_denim(np.asarray(photo), labels == CLASS_NAMES.index("bottom")).astype(np.float64)
    photo = Image.fromarray(np.clip(denim * folds, 0, 255).astype(np.uint8))
    ramp = Image.fromarray(np.repeat(np.linspace(40, 220, 256)[None, :, None], 64, axis=0).repeat(3, axis=2)
                           .astype(np.uint8))
    body = drawn_body(*UPRIGHT, np.ones(labels.shape, bool))
    result = luminance(np.asarray(dress_up(photo, Parse(labels=labels), ramp, "clothing", body=body, scale=3,
                                           fold_warp=3, shading=0, texture=0), np.float32))[230:270, 150:250]
    above, here, below = result[:-2], result[1:-1], result[2:]
    assert np.abs(np.diff(result, axis=0)).max() > 10  # the seam is there
    assert np.minimum(np.abs(here - above), np.abs(here - below)).max() < 4


def test_a_crease_keeps_its_crisp_shadow():
    """A 3-px crease 40 % darker down a plain garment is long and runs one way: the light keeps most of it."""
    photo, parse, cover = drawn_figure(TORSO)
    pixels = np.asarray(photo, np.float64).copy()
    columns = np.arange(400)
    crease = 1 - 0.4 * np.exp(-0.5 * ((columns - 230) / 1.5) ** 2)
    pixels[80:460] *= crease[None, :, None]
    band = np.zeros(cover.shape, bool)
    band[150:400, 210:251] = True
    light = _light_over_plain(pixels, np.asarray(photo, np.float64), parse, band).reshape(250, 41)
    dip = 1 - light[:, 20].mean() / light[:, [0, 1, 39, 40]].mean()
    assert dip > 0.25


def test_each_garment_of_a_choice_has_its_own_inks():
    """A top checked in white and a dark blue-grey over jeans in a slightly lighter denim, all under even
    light: one ink set takes the print's dark ink and the denim for one ink, whose lightness is the denim's,
    and reads the dark checks as shadow. With each garment's own inks their light is the white checks'."""
    from studio.composite import garment_pieces, ink_free_light

    photo, parse, cover = drawn_figure(TORSO)
    pixels = np.full((520, 400, 3), 128.0)
    rows, cols = np.mgrid[:520, :400]
    dark = (rows // 6 + cols // 6) % 2 == 0
    top, legs = (cover >= 0.5) & (rows < 250), (cover >= 0.5) & (rows >= 250)
    pixels[top] = np.where(dark[top][:, None], (45, 50, 75), (225, 222, 215))
    pixels[legs] = (62, 70, 102)  # within an ink gap of the print's dark ink
    labels = np.where(top, CLASS_NAMES.index("top"), np.where(legs, CLASS_NAMES.index("bottom"), 0)).astype(np.uint8)
    garment = top | legs
    checks = ndimage.binary_erosion(top, iterations=8) & dark & ndimage.binary_erosion(dark, iterations=1)
    shared, _ = ink_free_light(pixels.astype(np.float32), garment, garment)
    own, _ = ink_free_light(pixels.astype(np.float32), garment, garment, garment_pieces(labels, garment))
    assert np.median(shared[checks]) < 0.85  # the dark checks taken for shadow
    assert abs(np.median(own[checks]) - 1) < 0.05


def test_a_striped_garments_edge_keeps_none_of_its_inks():
    """A garment striped in purple and cream, its outline's pixels mixed with the grey behind: the edge is
    remade from what lies behind it and the new cloth, so no purple fringe is left (its estimated old colour
    missed the stripes' inks and left them along the hem)."""
    photo, parse, cover = drawn_figure(TORSO)
    rows, cols = np.mgrid[:520, :400]
    stripes = np.where((((rows + cols) // 5) % 2 == 0)[..., None], (60, 30, 120), (225, 215, 195))
    pixels = stripes * cover[..., None] + np.array(GREY, np.float64) * (1 - cover[..., None])
    prep = prepare_dress(Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8)), parse, "dress")
    result = np.asarray(prep.apply(Image.new("RGB", (64, 64), GREEN), shading=0, texture=0), np.float64)
    edge = prep.painted & (cover > 0.05) & (cover < 0.95)
    grey, green = np.array(GREY, np.float64), np.asarray(result, np.float64)[260, 200]
    along = np.clip(((result[edge] - grey) @ (green - grey)) / ((green - grey) @ (green - grey)), 0, 1)
    off_the_line = np.linalg.norm(result[edge] - (grey + along[:, None] * (green - grey)), axis=1)
    assert np.percentile(off_the_line, 95) < 20


def test_opacity_lets_the_old_texture_through(astronaut):
    parse = synthetic_parse()
    region = parse.mask("dress") & ~parse.mask("skin")
    prep = prepare_dress(astronaut, parse, "dress")
    photo = np.asarray(astronaut, np.float32)[region]
    full = np.asarray(prep.apply(sample("artworks", "waves"), opacity=1.0), np.float32)[region]
    half = np.asarray(prep.apply(sample("artworks", "waves"), opacity=0.5), np.float32)[region]
    assert np.abs(half - photo).mean() < 0.7 * np.abs(full - photo).mean()


def test_fold_warp_moves_the_pattern(astronaut):
    prep = prepare_dress(astronaut, synthetic_parse(), "dress")
    straight = np.asarray(prep.apply(sample("artworks", "bauhaus"), fold_warp=0.0)).astype(int)
    default = np.asarray(prep.apply(sample("artworks", "bauhaus")))  # the default bends a little
    bent = np.asarray(prep.apply(sample("artworks", "bauhaus"), fold_warp=15.0))
    painted = prep.painted
    little, strong = np.abs(straight - default)[painted].mean(), np.abs(straight - bent)[painted].mean()
    assert strong > 3 and 0.05 < little / strong < 0.5  # the default bends, a fraction of a strong bend


@pytest.mark.parametrize("kwargs, message", [
    ({"garment": "top"}, "No top was found"),
    ({"shading": 3.0}, "shading must be between"),
    ({"opacity": -0.1}, "opacity must be between"),
    ({"texture": 2.0}, "texture must be between"),
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
    from studio.body import BodyEstimator
    from studio.composite import in_front
    from tools.ccp import CCPReader, split

    reader = CCPReader(ccp_root)
    photo, truth = next((im, lab) for im, lab in map(reader.load, split(ccp_root)[1]) if (lab == DRESS).mean() > 0.08)
    parse = garment_parser.predict(photo)
    body = BodyEstimator.load().predict(photo)
    result = np.asarray(dress_up(photo, parse, sample("artworks", "mosaic"), "clothing", body=body))
    original = np.asarray(photo)
    changed = np.any(result != original, axis=2)
    assert changed.any() and not (changed & ~near_person(body.person_mask, parse)).any()
    front = in_front(parse, body)
    kept = front & (parse.mask("hair") | parse.mask("skin"))  # hair, face, arms and hands
    assert np.array_equal(result[kept], original[kept])
    # A bag's pixels may be the old garment's cloth at its edge (garment_beside), no more than that.
    bags = front & ~kept
    assert (result[bags] == original[bags]).all(axis=1).mean() > 0.9
    assert np.abs(result[changed].astype(int) - original[changed]).mean() > 15


def test_a_fabric_whose_edges_do_not_meet_shows_no_seam(astronaut):
    """A fabric that fades from red on its left to blue on its right has a hard seam where its copies meet;
    its edges are blended first, so the copies meet without a jump, while a fabric that already repeats
    seamlessly is laid as it is."""
    from studio.composite import seamless_tile

    fade = np.linspace(0, 1, 64, dtype=np.float32)[None, :, None]
    ramp = np.broadcast_to((1 - fade) * np.array([200, 30, 30], np.float32) + fade * np.array([30, 30, 200], np.float32),
                           (64, 64, 3)).copy()
    assert np.abs(ramp[:, 0] - ramp[:, -1]).max() > 150
    blended = seamless_tile(ramp)
    assert np.abs(blended[:, 0] - blended[:, -1]).max() < 40  # the copies now meet
    smooth = np.tile(np.sin(np.linspace(0, 2 * np.pi, 64, endpoint=False))[None, :, None] * 80 + 120, (64, 1, 3))
    assert np.array_equal(seamless_tile(smooth.astype(np.float32)), smooth.astype(np.float32))


@pytest.mark.needs_ccp
@pytest.mark.slow
def test_dressed_by_their_own_labels_real_photos_keep_hair_and_bags_and_lose_the_old_cloth(ccp_root):
    """Four validation dress photos dressed by their own labels (tools.dress_measures --true-labels): what
    the compositing reaches with a perfect parse meets issue #20's targets on each, so the distance left
    with the shipped parser is the parser's. Hair and bags next to the clothing kept: at least 0.9; old
    clothing left: at most 0.04."""
    from studio.body import BodyEstimator
    from tools.ccp import CCPReader, split
    from tools.dress_measures import dress_photo_ids, dresser, measure_photo

    reader = CCPReader(ccp_root)
    estimator = BodyEstimator.load()
    design = sample("artworks", "mosaic")
    for photo_id in dress_photo_ids(reader, split(ccp_root)[1])[:4]:
        photo, labels = reader.load(photo_id)
        measures, _ = measure_photo(dresser(None, estimator, photo, labels), photo, labels, design)
        assert measures.kept >= 0.9 and measures.old_left <= 0.04, (photo_id, measures)
