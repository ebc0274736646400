"""Try-on engines: the pose engine (default) and the geometric one; cut-out, silhouette landmarks,
thin-plate warp, occluders in front, bare parts refilled, head unchanged, bad input in one sentence."""

import statistics

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.body import Body, NoPersonError, PartialBodyError
from studio.errors import InputError
from studio.garment_frame import body_frame, silhouette_frame
from studio.parsing import CLASS_NAMES, Parse
from studio.tryon import (
    GeometricTryOn,
    cut_out_product,
    new_engine,
    plain_background_colour,
    push_pull_fill,
)
from studio.tryon_pose import (
    BusyBackgroundError,
    GarmentTooSmallError,
    PoseTryOn,
    leg_width_scale,
    limb_areas,
    missed_skin,
)
from studio.warp import ThinPlateSpline, warp_to
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
    from studio.tryon_pose import PoseTryOn

    assert isinstance(new_engine("geometric"), GeometricTryOn)
    assert isinstance(new_engine(), PoseTryOn)  # the default
    with pytest.raises(KeyError, match="choose one of: geometric, pose"):
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


# --- the pose engine -------------------------------------------------------------------------




def drawn_dress(sleeves_apart: bool = False) -> np.ndarray:
    """A front-view dress drawn with PIL: shoulders at x 100 and 300 on row 40, a waist pinched
    to 120-280 at row 200, a skirt flaring to 60-340 at the hem (row 560); optionally sleeves
    hanging apart from the body (a gap of 10 px down to row 220)."""
    canvas = Image.new("1", (400, 600), 0)
    draw = ImageDraw.Draw(canvas)
    draw.polygon([(100, 40), (300, 40), (290, 120), (280, 200), (300, 300), (340, 560), (60, 560), (100, 300),
                  (120, 200), (110, 120)], fill=1)
    if sleeves_apart:
        draw.polygon([(100, 40), (80, 60), (70, 220), (95, 220), (100, 120)], fill=1)
        draw.polygon([(300, 40), (320, 60), (330, 220), (305, 220), (300, 120)], fill=1)
        draw.rectangle([(96, 100), (105, 220)], fill=0)
        draw.rectangle([(295, 100), (304, 220)], fill=0)
    return np.asarray(canvas, bool)


def test_silhouette_landmarks_on_a_drawn_dress():
    frame = silhouette_frame(drawn_dress())
    p = frame.points
    assert abs(p["shoulder_l"][0] - 100) <= 4 and abs(p["shoulder_r"][0] - 300) <= 4
    assert 40 <= p["shoulder_l"][1] <= 70 and p["shoulder_l"][1] == p["shoulder_r"][1]
    assert abs(p["neck"][0] - 200) <= 2
    assert abs(p["hem_l"][0] - 62) <= 6 and abs(p["hem_r"][0] - 338) <= 6 and p["hem"][1] > 540
    for level in ("armpit", "waist", "hip"):  # each side point lies on the drawn outline
        left, right = p[f"{level}_l"], p[f"{level}_r"]
        assert left[1] == right[1] and abs((left[0] + right[0]) / 2 - 200) <= 3
        assert 150 <= right[0] - left[0] <= 240
    assert p["armpit_l"][1] < p["waist_l"][1] < p["hip_l"][1] < p["hem"][1]
    assert 120 <= frame.shoulder_width <= 220  # about the chest's width


def test_silhouette_landmarks_skip_sleeves_hanging_apart():
    frame = silhouette_frame(drawn_dress(sleeves_apart=True))
    p = frame.points
    assert p["armpit_l"][0] >= 100 and p["armpit_r"][0] <= 300  # the torso's sides, not the sleeves'
    assert p["shoulder_l"][0] < 100 and p["shoulder_r"][0] > 300  # the shoulders include the sleeve caps


def test_a_short_top_has_no_hips():
    mask = np.zeros((300, 400), bool)
    mask[40:200, 100:300] = True  # 160 px long, 200 wide: ends above where hips would be
    points = silhouette_frame(mask).points
    assert "armpit_l" in points and "hip_l" not in points


def test_thin_plate_spline_is_exact_at_its_points_and_affine_far_away():
    source = np.array([[0, 0], [100, 0], [0, 100], [100, 100], [50, 50]], float)
    target = source * 1.5 + (10, 20)
    spline = ThinPlateSpline(source, target)
    assert np.allclose(spline(source), target, atol=0.05)
    assert np.allclose(spline(np.array([[300.0, -200.0]])), [[460.0, -280.0]], atol=0.5)


def test_warp_moves_a_square_onto_its_target():
    image = np.zeros((60, 60, 1), np.float32)
    image[10:20, 10:20] = 1
    corners = np.array([[10, 10], [20, 10], [10, 20], [20, 20]], float)
    warped = warp_to(image, corners, corners * 2 + 5, (80, 80))
    ys, xs = np.nonzero(warped > 0.75)  # the edge pixels sit at 0.5: clear of it either way
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (25, 43, 25, 43)


def test_holes_in_a_cut_out_are_filled_from_the_garment():
    pixels = np.full((400, 300, 3), 255, np.uint8)
    pixels[50:350, 80:220] = (200, 30, 40)  # a red dress
    pixels[150:200, 120:170] = 255  # a white hole where an arm covered it
    pixels[250:300, 200:220] = 255  # a notch at the side
    engine = PoseTryOn()
    cut = engine.cut_out(Image.fromarray(pixels))
    assert cut.source == "product shot" and cut.holes.sum() >= 50 * 50
    filled = engine.fill_holes(cut)
    inside = filled[cut.silhouette]
    assert (inside.min(axis=1) < 235).all()  # no white left inside the garment
    assert np.abs(filled[cut.holes] - (200, 30, 40)).max() < 40  # the hole took the dress's red


def test_a_tiny_garment_is_refused_in_one_sentence():
    pixels = np.full((400, 300, 3), 255, np.uint8)
    pixels[100:120, 100:130] = (200, 30, 40)
    with pytest.raises(GarmentTooSmallError, match="too small to use"):
        PoseTryOn().cut_out(Image.fromarray(pixels))


def test_a_busy_garment_photo_without_a_person_is_refused(garment_parser):
    # Refused by the parser (too little skin or hair) or by BlazePose (nobody found): one sentence either way.
    with pytest.raises((BusyBackgroundError, NoPersonError), match="(?i)no person"):
        PoseTryOn(parser=garment_parser).cut_out(sample("content", "coffee"))


def test_a_shopper_photo_without_a_person_is_refused():
    photo = sample("content", "coffee")
    labels = np.zeros((photo.height, photo.width), np.uint8)
    labels[100:300, 100:300] = C["dress"]
    with pytest.raises(NoPersonError, match="No person"):
        PoseTryOn()(photo, Parse(labels=labels), sample("garments", "sundress"))


def test_only_a_face_is_too_partial_to_fit():
    landmarks = np.zeros((33, 3), np.float32)
    landmarks[:11] = (200, 100, 1.0)  # face landmarks only; shoulders unseen
    with pytest.raises(PartialBodyError, match="shoulders"):
        body_frame(landmarks, np.ones((400, 400), bool))


def drawn_shopper() -> tuple[Image.Image, Parse, Body]:
    """A full-length figure on a textured wall: face, hair, bare arms, a blue top, dark trousers,
    shoes, a yellow bag in front of the hip; its parse and BlazePose-ordered landmarks drawn by hand."""
    rng = np.random.default_rng(0)
    labels = np.zeros((800, 400), np.uint8)
    labels[40:120, 165:235] = C["hair"]
    labels[70:135, 175:225] = C["skin"]
    labels[135:400, 135:265] = C["top"]
    labels[140:370, 110:135] = C["skin"]
    labels[140:370, 265:290] = C["skin"]
    labels[400:760, 145:255] = C["bottom"]
    labels[760:790, 150:250] = C["footwear"]
    labels[300:380, 285:330] = C["accessories"]
    pixels = 120 + 40 * np.arange(800)[:, None, None] / 800 + rng.normal(0, 6, (800, 400, 1))
    pixels = np.repeat(pixels, 3, axis=2)
    for name, colour in {"hair": (60, 40, 30), "skin": (225, 175, 140), "top": (40, 90, 160),
                         "bottom": (30, 30, 40), "footwear": (90, 20, 20), "accessories": (200, 160, 30)}.items():
        pixels[labels == C[name]] = colour
    landmarks = np.zeros((33, 3), np.float32)
    for index, (x, y) in {0: (200, 95), 11: (268, 150), 12: (132, 150), 13: (278, 260), 14: (122, 260),
                          15: (278, 360), 16: (122, 360), 23: (228, 400), 24: (172, 400), 25: (224, 580),
                          26: (176, 580), 27: (220, 750), 28: (180, 750)}.items():
        landmarks[index] = (x, y, 1.0)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return photo, Parse(labels=labels), Body(landmarks=landmarks, person_mask=labels > 0)


@pytest.fixture(scope="module")
def dressed_figure():
    photo, parse, body = drawn_shopper()
    return photo, parse, PoseTryOn()(photo, parse, sample("garments", "sundress"), body=body)


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


def test_missed_skin_takes_shaded_skin_but_not_a_coral_garment():
    """A darker patch of the same skin beside the parse's skin is skin; a coral top is not, even
    when rosy cheeks spread the face's colours towards it (as on the astronaut and her orange suit)."""
    rng = np.random.default_rng(1)
    pixels = np.full((120, 180, 3), 70.0, np.float32)
    skin = np.zeros((120, 180), bool)
    skin[10:60, 10:60] = True
    tone = np.array([225.0, 175.0, 140.0])
    light = np.linspace(0.8, 1.05, 50)[:, None, None]  # the face's own shading, top to bottom
    rosy = rng.normal(0, 25, (50, 50, 1)) * np.array([1.0, 0.0, 0.0])
    pixels[10:60, 10:60] = np.clip(tone * light + rosy, 0, 255)
    pixels[10:60, 60:110] = 0.85 * tone  # a shoulder in shade, touching the face's skin
    pixels[60:110, 10:110] = (234, 148, 114)  # a coral top, touching it too
    found = missed_skin(pixels, skin, np.ones_like(skin))
    assert found[12:58, 62:108].mean() > 0.9
    assert not found[62:110].any()


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


def test_refilled_legs_take_the_width_of_the_legs_below_the_hem():
    """Legs showing below the old garment 1.5 times as wide as bare-leg capsules widen the refilled
    ones by about that; with no leg in sight the capsules keep their width."""
    _, _, body = drawn_shopper()
    apart = body.landmarks.copy()
    for index, (x, y) in {23: (250, 400), 24: (150, 400), 25: (255, 580), 26: (145, 580), 27: (255, 750),
                          28: (145, 750)}.items():
        apart[index] = (x, y, 1.0)  # legs apart, so widened capsules do not touch
    shopper = body_frame(apart, body.person_mask)
    old = np.zeros((800, 400), bool)
    old[135:500] = True
    legs = limb_areas(shopper, old.shape, "leg", 1.5)
    assert 1.35 <= leg_width_scale(legs, shopper, old) <= 1.65
    assert leg_width_scale(np.zeros_like(old), shopper, old) == 1.0
    close = body_frame(body.landmarks, body.person_mask)  # legs side by side: one run of skin for both
    assert leg_width_scale(limb_areas(close, old.shape, "leg", 1.5), close, old) <= 1.5  # not one fat leg


def test_refilled_skin_is_darker_at_a_limbs_edge_and_under_the_garments_edge():
    """Refilled skin's light from its shape: about 1 along a limb's crest, clearly darker at its edge,
    and darker again right beside the new garment than the same spot away from it."""
    from studio.garment_frame import capsule_depth

    depth = capsule_depth((200, 200), (np.array([100.0, 20.0]), np.array([100.0, 180.0])), (30.0, 30.0))
    nothing = np.zeros((200, 200), bool)
    form = PoseTryOn.skin_form(depth, nothing, nothing, unit=150.0)
    assert 0.95 <= np.median(form[60:140, 98:102]) <= 1.15
    assert np.median(form[60:140, 72:74]) < np.median(form[60:140, 98:102]) - 0.15
    garment = nothing.copy()
    garment[:, 106:] = True
    shadowed = PoseTryOn.skin_form(depth, nothing, garment, unit=150.0)
    assert np.median(shadowed[60:140, 104]) < np.median(form[60:140, 104]) - 0.1


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
