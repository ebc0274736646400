"""The pose engine on a drawn shopper and the astronaut: dressed, what is in front kept, bare parts refilled."""

import statistics

import numpy as np
import pytest
from PIL import Image

from studio.body import Body, NoPersonError
from studio.errors import InputError
from studio.masks import grow
from studio.parsing import Parse
from studio.tryon import PoseTryOn, new_engine
from tests.conftest import sample
from tests.tryon.figures import C, drawn_shopper, synthetic_parse


def test_pose_try_on_dresses_the_body_and_keeps_what_is_in_front(dressed_figure):
    photo, parse, outcome = dressed_figure
    before, after = np.asarray(photo), np.asarray(outcome.image)
    kept = parse.mask("hair") | parse.mask("accessories") | parse.mask("footwear") | parse.mask("skin")
    kept[400:] = False  # legs may be covered by a longer dress
    assert np.array_equal(after[kept], before[kept])  # head, arms, bag and shoes in front
    rows = np.flatnonzero(outcome.target_mask.any(axis=1))
    assert 120 <= rows[0] <= 150 and 560 <= rows[-1] < 750  # from the shoulders to below the knees
    assert outcome.target_mask[200:380, 150:250].mean() > 0.97  # the torso is covered
    grown = np.zeros_like(kept)
    grown[:, 95:305] = True
    assert not (outcome.target_mask & ~grown).any()  # never out on the background
    assert not (outcome.target_mask & outcome.filled_mask).any()
    old = parse.mask("top") | parse.mask("bottom")
    assert (outcome.target_mask | outcome.filled_mask)[old].all()  # nothing of the old garment is left


def test_skin_the_parser_called_garment_stays_in_front():
    """An upper arm the parser labelled "top" although it is the shopper's skin (as bare shoulders
    beside a scarf get labelled) is kept, not painted over or refilled with made-up skin; the real
    top is still replaced."""
    photo, parse, body = drawn_shopper()
    labels = parse.labels.copy()
    labels[140:250, 110:135] = C["top"]  # the parser's mistake; the pixels stay skin-coloured
    wrong = Parse(labels=labels)
    outcome = PoseTryOn()(photo, wrong, sample("garments", "sundress"), body=body)
    before, after = np.asarray(photo), np.asarray(outcome.image)
    assert np.array_equal(after[145:245, 113:132], before[145:245, 113:132])
    assert (outcome.target_mask | outcome.filled_mask)[parse.mask("top")].all()


def test_a_strapless_shopper_keeps_her_bare_chest_and_shoulders():
    """The old top starts below bare chest skin: the new dress takes that neckline (the skin above it
    is kept, not painted over) and still covers everything from there down."""
    photo, parse, body = drawn_shopper()
    labels, pixels = parse.labels.copy(), np.asarray(photo).copy()
    labels[135:185, 135:265] = C["skin"]
    pixels[135:185, 135:265] = (225, 175, 140)
    strapless = Parse(labels=labels)
    outcome = PoseTryOn()(Image.fromarray(pixels), strapless, sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image)
    assert np.array_equal(after[135:185, 135:265], pixels[135:185, 135:265])
    assert outcome.target_mask[190:380, 150:250].mean() > 0.97


def test_a_patch_on_the_old_garment_goes_with_it_but_a_bag_stays():
    """A badge the parser calls an accessory, small and surrounded by the old top, is replaced with
    the top; the bag held beside the hip (touching skin and background) stays in front."""
    photo, parse, body = drawn_shopper()
    labels, pixels = parse.labels.copy(), np.asarray(photo).copy()
    labels[230:250, 170:195] = C["accessories"]
    pixels[230:250, 170:195] = (150, 40, 160)
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image)
    assert outcome.target_mask[230:250, 170:195].all()
    assert np.array_equal(after[300:380, 292:330], pixels[300:380, 292:330])


def test_the_old_top_under_the_edge_of_a_bag_drawn_too_big_is_replaced():
    """The parser's bag runs 8 px into the blue top beside it: that strip shows the top's own colour, so
    it is the old top and goes, while the bag itself stays in front."""
    photo, parse, body = drawn_shopper()
    labels = parse.labels.copy()
    labels[300:380, 257:285] = C["accessories"]  # over the top's edge (to 265) and the arm; pixels unchanged
    outcome = PoseTryOn()(photo, Parse(labels=labels), sample("garments", "sundress"), body=body)
    before, after = np.asarray(photo), np.asarray(outcome.image)
    strip = (slice(305, 375), slice(258, 264))
    assert (outcome.target_mask | outcome.filled_mask)[strip].all()  # painted or refilled: no strip of top left
    assert np.array_equal(after[300:380, 292:330], before[300:380, 292:330])


def test_the_old_hem_the_parser_called_skin_is_replaced():
    """The parse's leg skin starts two rows inside the dark trousers' hem; those rows do not look like the
    shopper's skin, so they are the old garment's and are refilled too."""
    photo, parse, body = drawn_shopper()
    labels = parse.labels.copy()
    labels[758:760, 150:250] = C["skin"]  # pixels stay the trousers' dark blue
    outcome = PoseTryOn()(photo, Parse(labels=labels), sample("garments", "sundress"), body=body)
    hem = np.asarray(outcome.image)[758:760, 160:240].astype(int)
    assert (np.abs(hem - (30, 30, 40)).max(axis=2) > 30).mean() > 0.9


def test_refilled_legs_carry_no_shadow_of_the_old_trousers_print():
    """Trousers with black-and-white bands 30 px high: the legs refilled below the new hem take the
    scene's light without the bands (the old print divided out), so the legs' brightness row by row,
    less its slow change down the leg, does not follow the bands."""
    from scipy.ndimage import uniform_filter1d

    photo, parse, body = drawn_shopper()
    pixels = np.asarray(photo).copy()
    bands = ((np.arange(800) // 30) % 2 == 0).astype(float)
    trousers = parse.mask("bottom")
    pixels[trousers & (bands[:, None] > 0)] = (20, 20, 20)
    pixels[trousers & (bands[:, None] == 0)] = (235, 235, 235)
    outcome = PoseTryOn()(Image.fromarray(pixels), parse, sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image, np.float32)
    legs = outcome.filled_mask & ((after[..., 0] - after[..., 2]) > 40)  # refilled skin
    rows = np.flatnonzero(legs.sum(axis=1) >= 10)
    rows = rows[rows >= 600]  # below the knees' landmarks: two whole legs
    assert rows.size > 100
    light = np.array([after[y][legs[y]].mean() for y in rows])
    detrended = light - uniform_filter1d(light, 61, mode="nearest")
    banding = bands[rows] - uniform_filter1d(bands[rows], 61, mode="nearest")
    assert abs(np.corrcoef(detrended, banding)[0, 1]) < 0.3


def test_footwear_above_the_knees_neither_stays_in_front_nor_lifts_the_hem():
    """The parser calls a glove at the waist footwear: the dress is painted over it, and its hem
    still reaches below the knees instead of stopping above that "shoe"."""
    photo, parse, body = drawn_shopper()
    labels, pixels = parse.labels.copy(), np.asarray(photo).copy()
    labels[330:360, 150:175] = C["footwear"]
    pixels[330:360, 150:175] = (90, 20, 20)
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    assert outcome.target_mask[330:360, 150:175].all()
    assert np.flatnonzero(outcome.target_mask.any(axis=1))[-1] >= 560


def test_a_skirt_hangs_across_the_gap_between_the_legs():
    """Trousers with a gap between the legs: the new dress covers the gap down to its hem instead of
    splitting into two trouser legs; below the hem the gap stays background."""
    photo, parse, body = drawn_shopper()
    labels, pixels = parse.labels.copy(), np.asarray(photo).copy()
    labels[420:760, 193:207] = C["background"]
    pixels[420:760, 193:207] = pixels[420:760, 60:74]  # the wall shows between the legs
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"),
                          body=Body(body.landmarks, labels > 0))
    hem = int(np.flatnonzero(outcome.target_mask[:, 150:250].any(axis=1))[-1])
    assert hem > 520
    assert outcome.target_mask[430:hem - 20, 195:205].all()
    assert not outcome.target_mask[hem + 10:760, 195:205].any()


def test_pose_try_on_shows_two_shaded_legs_and_background_below_the_hem(dressed_figure):
    photo, parse, outcome = dressed_figure
    after = np.asarray(outcome.image, np.float32)
    row = after[700]
    skin = (row[:, 0] - row[:, 2]) > 40
    starts = np.flatnonzero(np.diff(skin.astype(np.int8)) == 1)
    assert len(starts) == 2  # two legs with the gap between them
    assert 30 <= skin.sum() <= 70
    gap = after[700, 196:204]
    assert np.abs(gap - gap.mean(axis=0)).max() < 60 and gap[:, 0].mean() < 190  # background, not skin
    legs = after[650:720][:, 165:235][skin[165:235]]
    assert np.std(legs[:, 0]) > 3  # shaded round, not one flat tone
    for y in range(600, 744, 8):  # no flat 8x8 blocks in the refilled area
        for x in range(144, 248, 8):
            if outcome.filled_mask[y:y + 8, x:x + 8].all():
                assert after[y:y + 8, x:x + 8].mean(axis=2).std() >= 2


def test_pose_try_on_of_the_astronaut_keeps_the_head(garment_parser):
    photo = sample("photos", "astronaut")
    parse = garment_parser.predict(photo)
    outcome = new_engine(parser=garment_parser)(photo, parse, sample("garments", "sundress"))
    assert outcome.image.size == photo.size and outcome.source == "product shot"
    head = parse.mask("hair").copy()
    head[np.flatnonzero(outcome.target_mask.any(axis=1))[0]:] = False
    assert np.array_equal(np.asarray(outcome.image)[head], np.asarray(photo)[head])
    assert outcome.target_mask.mean() > 0.1
    assert not (outcome.target_mask & outcome.filled_mask).any()


def test_a_shopper_photo_without_a_person_is_refused():
    photo = sample("content", "coffee")
    labels = np.zeros((photo.height, photo.width), np.uint8)
    labels[100:300, 100:300] = C["dress"]
    with pytest.raises(NoPersonError, match="No person"):
        PoseTryOn()(photo, Parse(labels=labels), sample("garments", "sundress"))


@pytest.fixture(scope="module")
def ccp_pair_measures(ccp_root):
    from tools.tryon_measures import run

    return run(["pose"], 8, ccp_root, verbose=False)["pose"]


@pytest.mark.slow
@pytest.mark.needs_ccp
def test_pose_try_on_measures_on_ccp_pairs(ccp_pair_measures):
    """A labelled dress of one validation photo (on white, holes included) tried on the next dress photo,
    for 8 pairs; the issue's targets (tools/tryon_measures.py defines the measures)."""
    from tools.tryon_measures import summary

    result = summary(ccp_pair_measures)
    assert len(ccp_pair_measures) == 8
    assert result["outside"] <= 0.03  # changed pixels outside the labelled person, worst pair
    assert result["old_left"] <= 0.04  # labelled old-garment pixels left unchanged, median
    assert result["flat"] <= 0.05  # flat 8x8 blocks in refilled areas, worst pair
    assert result["white"] <= 0.02  # extra pure white inside the painted garment, worst pair
    assert statistics.median(m.head_kept for m in ccp_pair_measures) >= 0.97


@pytest.mark.slow
@pytest.mark.needs_ccp
@pytest.mark.xfail(strict=True, reason="pair 0413->0454: the parser calls a scarf outerwear, so the scarf is "
                                       "replaced and its edges, labelled skin, are refilled (0.89)")
def test_pose_try_on_keeps_hair_and_face_on_every_ccp_pair(ccp_pair_measures):
    assert min(m.head_kept for m in ccp_pair_measures) >= 0.97


def test_a_body_found_on_another_photo_size_is_one_sentence():
    photo = sample("photos", "astronaut")
    elsewhere = Body(landmarks=np.zeros((33, 3), np.float32), person_mask=np.zeros((100, 80), bool))
    with pytest.raises(InputError, match="found on a 80x100 photo but this photo is 512x512"):
        PoseTryOn()(photo, synthetic_parse(), sample("garments", "sundress"), body=elsewhere)



def test_the_new_garment_is_not_lit_by_the_old_ones_colours():
    """A black top over a white skirt is one light, two inks: a flat grey garment put over both comes
    out as evenly lit over the skirt as over the top, not lifted towards white where the skirt was."""
    from PIL import Image

    from studio.tryon import PoseTryOn

    pixels = np.full((300, 200, 3), 128.0, np.float32)
    old = np.zeros((300, 200), bool)
    old[40:280, 50:150] = True
    pixels[40:150, 50:150] = 30.0
    pixels[150:280, 50:150] = 220.0
    colour = np.full((300, 200, 3), 100.0, np.float32)
    rgb = Image.fromarray(pixels.astype(np.uint8))
    from studio.composite import ink_free_light

    image = PoseTryOn().shade(pixels, pixels.copy(), colour, old, old, np.zeros_like(old), rgb, unit=100.0,
                              old_light=ink_free_light(pixels, old, old))
    lit = np.asarray(image, np.float32).mean(axis=2)
    assert abs(float(np.median(lit[60:130, 70:130])) - float(np.median(lit[170:260, 70:130]))) < 10


def test_refilled_legs_join_the_real_shins_without_a_pale_line():
    """Cropped trousers on a pale wall, the shins bare below them: the legs refilled under the new dress's
    hem run into the real shins with skin in their last row, not a line faded into the pale wall's fill
    (31 levels off the shins' colour there when the soft edge counted the shins as outside, 22 since)."""
    photo, parse, body = drawn_shopper()
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    pixels[labels == 0] = (240, 240, 235)  # a pale wall
    shins = np.zeros(labels.shape, bool)
    shins[620:760, 160:200] = shins[620:760, 205:245] = True
    labels[620:760, 145:255] = 0
    labels[shins] = C["skin"]
    pixels[620:760, 145:255] = (240, 240, 235)
    pixels[shins] = (225, 175, 140)
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image, np.float32)
    assert outcome.filled_mask[619, 170:190].all() and not outcome.filled_mask[620, 170:190].any()
    last_row = after[619, np.r_[166:194, 211:239]]
    assert np.abs(last_row - (225, 175, 140)).max(axis=-1).mean() < 26


def test_refilled_legs_meet_real_shins_the_parse_still_calls_trousers_without_a_pale_line():
    """As above, but the parse draws the trousers 3 px too long, over the real shins' top: those pixels look
    like the shopper's skin, so they stay as they are, and the refill's soft edge counts them as skin, not as
    the pale wall it would otherwise fade into just above them."""
    photo, parse, body = drawn_shopper()
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    pixels[labels == 0] = (240, 240, 235)
    shins = np.zeros(labels.shape, bool)
    shins[620:760, 160:200] = shins[620:760, 205:245] = True
    labels[620:760, 145:255] = 0
    labels[shins] = C["skin"]
    labels[620:623, 160:245] = C["bottom"]  # the parse's trousers run over the shins' top
    pixels[620:760, 145:255] = (240, 240, 235)
    pixels[shins] = (225, 175, 140)
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image, np.float32)
    assert not outcome.filled_mask[620:623, 170:190].any()  # real skin beats a repainted one
    assert outcome.filled_mask[:620, 180].any()
    last = int(np.flatnonzero(outcome.filled_mask[:620, 180])[-1])
    last_row = after[last, np.r_[166:194, 211:239]]
    assert np.abs(last_row - (225, 175, 140)).max(axis=-1).mean() < 26


def test_the_background_fill_leaves_no_contour_of_the_old_outline():
    """Dark trousers on a grey wall with a 4 px darker fringe just outside their parse (the camera's blur of
    their edge): below the new dress's hem the fill runs on over the fringe and fades into the wall, so no
    line of it is left where the trousers' outline was (the fringe's outer pixels stayed 60 levels off the wall)."""
    photo, parse, body = drawn_shopper()
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    wall = labels == 0
    pixels[wall] = 150
    fringe = np.zeros(labels.shape, bool)
    fringe[400:760, 141:145] = fringe[400:760, 255:259] = True
    pixels[fringe] = 90
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image, np.float32)
    hem = int(np.flatnonzero(outcome.target_mask[:, 150:250].any(axis=1))[-1])
    below = np.zeros(labels.shape, bool)
    below[hem + 10:750] = True
    assert (fringe & below).sum() > 400
    assert np.abs(after[fringe & below] - 150).max(axis=-1).mean() < 15


def test_the_new_garments_soft_edge_shows_none_of_the_old_garment_under_it():
    """A red old top: the new dress's outermost pixels over it are mixed with what the refill put under them,
    not with the red top (their redness, red less the mean of green and blue, was +19 against -38 inside
    the dress)."""
    photo, parse, body = drawn_shopper()
    pixels, labels = np.asarray(photo).copy(), parse.labels.copy()
    red = labels == C["top"]
    pixels[red] = (220, 30, 30)
    outcome = PoseTryOn()(Image.fromarray(pixels), Parse(labels=labels), sample("garments", "sundress"), body=body)
    after = np.asarray(outcome.image, np.float32)
    edge = outcome.target_mask & grow(~outcome.target_mask, 1) & red
    assert edge.sum() > 200
    redness = after[edge][:, 0] - after[edge][:, 1:].mean(axis=1)
    assert redness.mean() < 0
