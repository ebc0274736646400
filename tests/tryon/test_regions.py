"""Body regions drawn from the landmarks and the shopper's skin: legs' width, skin the parser missed, skin's form."""

import numpy as np

from studio.body import Body
from studio.tryon import PoseTryOn
from studio.tryon.frame import body_frame, capsule_depth
from studio.tryon.regions import HIP_SCALE_MAX, body_regions, leg_width_scale, limb_areas, neck_width
from studio.tryon.skin import missed_skin
from tests.tryon.figures import drawn_shopper


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


def test_refilled_legs_take_the_width_of_the_legs_below_the_hem():
    """Legs showing below the old garment 1.5 times as wide as bare-leg capsules widen the refilled
    ones by about that; with no leg in sight the capsules keep their width."""
    _, _, body = drawn_shopper()
    apart = body.landmarks.copy()
    for index, (x, y) in {23: (250, 400), 24: (150, 400), 25: (255, 580), 26: (145, 580), 27: (255, 750),
                          28: (145, 750)}.items():
        apart[index] = (x, y, 1.0)  # legs apart, so widened capsules do not touch
    shopper = body_frame(Body(apart, body.person_mask))
    old = np.zeros((800, 400), bool)
    old[135:500] = True
    legs = limb_areas(shopper, old.shape, "leg", 1.5)
    assert 1.35 <= leg_width_scale(legs, shopper, old) <= 1.65
    assert leg_width_scale(np.zeros_like(old), shopper, old) == 1.0
    close = body_frame(body)  # legs side by side: one run of skin for both
    assert leg_width_scale(limb_areas(close, old.shape, "leg", 1.5), close, old) <= 1.5  # not one fat leg


def test_widened_legs_widen_the_knees_fully_but_the_hips_only_a_little():
    """Shins measured 1.8 times a bare leg's width widen the refilled knees that much, but the thighs
    at the hips stay within HIP_SCALE_MAX (a side-on stance is no skirt-wide pair of thighs)."""
    _, _, body = drawn_shopper()
    shopper = body_frame(body)
    plain, _ = body_regions(shopper, (800, 400), 1.0)
    wide, _ = body_regions(shopper, (800, 400), 1.8)

    legs = shopper.legs()

    def width(depth, joint):  # the outer leg's half of the row: from between the legs outwards
        point, other = legs[0][joint], legs[1][joint]
        row = depth[int(round(point[1]))] > 0
        middle = int(round((point[0] + other[0]) / 2))
        return int(row[middle:].sum() if point[0] > other[0] else row[:middle].sum())

    knee, hip = 1, 0
    assert width(wide, knee) >= 1.4 * width(plain, knee)  # the half row holds half the gap too
    assert width(wide, hip) <= HIP_SCALE_MAX * width(plain, hip) + 2


def test_refilled_skin_is_darker_at_a_limbs_edge_and_under_the_garments_edge():
    """Refilled skin's light from its shape: about 1 along a limb's crest, clearly darker at its edge,
    and darker again right beside the new garment than the same spot away from it."""
    depth = capsule_depth((200, 200), (np.array([100.0, 20.0]), np.array([100.0, 180.0])), (30.0, 30.0))
    nothing = np.zeros((200, 200), bool)
    form = PoseTryOn.skin_form(depth, nothing, nothing, unit=150.0)
    assert 0.95 <= np.median(form[60:140, 98:102]) <= 1.15
    assert np.median(form[60:140, 72:74]) < np.median(form[60:140, 98:102]) - 0.15
    garment = nothing.copy()
    garment[:, 106:] = True
    shadowed = PoseTryOn.skin_form(depth, nothing, garment, unit=150.0)
    assert np.median(shadowed[60:140, 104]) < np.median(form[60:140, 104]) - 0.1



def test_refilled_skin_takes_its_texture_from_the_shoppers_own_skin():
    """Freckled skin on the arms: the detail layer for refilled skin carries freckles of the same strength
    (not a flat tone), centred on zero; with almost no skin in sight there is none to copy."""
    from studio.tryon.skin import skin_detail

    rng = np.random.default_rng(4)
    pixels = np.full((300, 300, 3), (225.0, 175.0, 140.0), np.float32)
    freckles = rng.random((300, 300)) < 0.08
    pixels[freckles] -= 40.0
    skin = np.zeros((300, 300), bool)
    skin[20:280, 20:140] = True
    layer = skin_detail(pixels, skin, (200, 240), unit=300.0)
    assert layer.shape == (200, 240, 3) and abs(float(layer.mean())) < 0.5
    source = (pixels - pixels[skin].mean(axis=0))[40:260, 40:120]
    assert 0.5 * source.std() < layer.std() < 1.5 * source.std()
    tiny = np.zeros_like(skin)
    tiny[10:14, 10:14] = True
    assert skin_detail(pixels, tiny, (200, 240), unit=300.0) is None


def test_refilled_skin_takes_the_tone_of_the_skin_next_to_it():
    """A pale neck above and tanned shins below: refilled shoulders near the neck come out pale,
    refilled thighs near the shins tanned, and a spot far from any skin takes the median colour."""
    from studio.tryon.skin import skin_colour_map

    pale, tan, median = np.array([235.0, 200.0, 180.0]), np.array([170.0, 120.0, 90.0]), np.array([200.0, 160.0, 130.0])
    pixels = np.zeros((400, 300, 3), np.float32)
    skin = np.zeros((400, 300), bool)
    skin[20:60, 120:180], pixels[20:60, 120:180] = True, pale
    skin[340:390, 120:180], pixels[340:390, 120:180] = True, tan
    colour = skin_colour_map(pixels, skin, median, reach=20.0)
    assert np.abs(colour[70, 150] - pale).max() < 10
    assert np.abs(colour[330, 150] - tan).max() < 10
    assert np.abs(colour[200, 20] - median).max() < 1


def test_the_refilled_torso_has_rounded_shoulders():
    """The torso drawn from the landmarks has no corner at the shoulder's top: the polygon's vertex
    there lies outside it, while the chest below the neck is inside."""
    from studio.tryon.regions import SHOULDER_TOP

    _, _, body = drawn_shopper()
    shopper = body_frame(body)
    _, torso = body_regions(shopper, (800, 400))
    neck, across, unit = shopper.points["neck"], shopper.across(0.0), shopper.shoulder_width
    up = np.array([across[1], -across[0]])
    corner = neck + across * SHOULDER_TOP[0] * unit + up * SHOULDER_TOP[1] * unit
    chest = neck - up * 0.5 * unit
    assert not torso[int(round(corner[1])), int(round(corner[0]))]
    assert torso[int(round(chest[1])), int(round(chest[0]))]


def test_refilled_legs_meet_the_real_legs_below_the_old_hem():
    """A bare area (an old skirt taken off) over two real shins wider apart than the landmark capsule: at
    its bottom the refilled legs take the shins' own outline, and half way up they are turning into the
    capsule, so there is no step at the old hem."""
    from studio.tryon.regions import legs_met_at_hem

    bare = np.zeros((200, 200), bool)
    bare[40:120, 40:160] = True
    capsule = np.zeros((200, 200), np.float32)
    capsule[:, 90:110] = 1.0  # the landmarks' one narrow leg (a side-on stance)
    visible = np.zeros((200, 200), bool)
    visible[120:200, 60:90] = visible[120:200, 110:140] = True  # two shins below the hem
    met = legs_met_at_hem(capsule, bare, visible, reach=60)
    assert (met[119, 60:90] > 0).all() and (met[119, 110:140] > 0).all() and (met[119, 90:110] == 0).all()
    assert (met[119, 40:58] == 0).all() and (met[119, 142:160] == 0).all()  # beside the shins: background
    assert 0 < (met[90] > 0).sum() < (met[119] > 0).sum()  # half way up: part way to the capsule
    assert np.array_equal(met[40:59] > 0, capsule[40:59] > 0)  # above the reach: the capsule
    assert np.array_equal(met[120:], capsule[120:])  # outside the bare area: untouched


def test_a_bare_forearm_away_from_the_legs_keeps_its_capsule():
    """A bare sleeve's area with no leg below it, beside a bare skirt's over the shins: the forearm's capsule
    stays as it was (only the columns over the legs meet them)."""
    from studio.tryon.regions import legs_met_at_hem

    bare = np.zeros((200, 300), bool)
    bare[40:120, 40:160] = True  # the skirt's
    bare[40:160, 240:270] = True  # a sleeve's, ending at the wrist
    capsule = np.zeros((200, 300), np.float32)
    capsule[:, 90:110] = 1.0
    capsule[40:160, 248:262] = 0.8  # the forearm
    visible = np.zeros((200, 300), bool)
    visible[120:200, 60:90] = visible[120:200, 110:140] = True
    met = legs_met_at_hem(capsule, bare, visible, reach=60)
    assert np.array_equal(met[:, 200:], capsule[:, 200:])


def test_refilled_skin_meets_the_real_skins_tone_at_the_old_hem():
    """Refilled skin a paler tan than the shin below it is matched to the shin at the hem, less so higher up,
    and not at all past the reach."""
    from studio.tryon.skin import tone_met_at_hem

    zone = np.zeros((200, 100), bool)
    zone[40:120, 30:70] = True
    pixels = np.zeros((200, 100, 3), np.float32)
    pixels[120:200, 30:70] = (150, 100, 70)
    tone = np.full((200, 100, 3), (190, 130, 95), np.float32)
    met = tone_met_at_hem(tone, pixels, zone, pixels.sum(axis=2) > 0, reach=50)
    assert np.abs(met[118, 50] - (150, 100, 70)).max() < 10
    assert (met[90, 50] < tone[90, 50]).all() and (met[90, 50] > met[118, 50]).all()
    assert np.array_equal(met[60, 50], tone[60, 50])


def test_only_the_refill_over_the_real_skin_takes_its_tone():
    """Two refilled areas at one height, a thigh over a real shin and a forearm with none below it: the thigh
    is matched to the shin, the forearm keeps its tone."""
    from studio.tryon.skin import tone_met_at_hem

    zone = np.zeros((200, 200), bool)
    zone[40:120, 30:70] = zone[40:120, 140:170] = True
    pixels = np.zeros((200, 200, 3), np.float32)
    pixels[120:200, 30:70] = (150, 100, 70)
    tone = np.full((200, 200, 3), (190, 130, 95), np.float32)
    met = tone_met_at_hem(tone, pixels, zone, pixels.sum(axis=2) > 0, reach=50)
    assert np.abs(met[118, 50] - (150, 100, 70)).max() < 10
    assert np.array_equal(met[:, 130:], tone[:, 130:])


def test_a_refilled_neck_between_the_legs_columns_keeps_its_tone():
    """Two refilled thighs over real shins (columns 30-48 and 52-70, hem at row 120) and, in the gap
    between them, a refilled neck whose own bottom is row 60: the neck lies far above the hem the gain was
    measured at, so it keeps its tone (reckoned from its own bottom it took the legs' gain as a streak)."""
    from studio.tryon.skin import tone_met_at_hem

    zone = np.zeros((200, 100), bool)
    zone[80:120, 30:48] = zone[80:120, 52:70] = True
    zone[20:60, 44:56] = True  # the neck, over the gap
    pixels = np.zeros((200, 100, 3), np.float32)
    pixels[120:200, 30:48] = pixels[120:200, 52:70] = (150, 100, 70)
    tone = np.full((200, 100, 3), (190, 130, 95), np.float32)
    met = tone_met_at_hem(tone, pixels, zone, pixels.sum(axis=2) > 0, reach=50)
    assert np.abs(met[118, 40] - (150, 100, 70)).max() < 10
    assert np.array_equal(met[20:60, 44:56], tone[20:60, 44:56])


def test_a_refilled_neck_is_no_wider_than_her_face_says():
    """The drawn shopper's shoulders (136 px) are wide for her 50 px face, as a bulky coat makes them: the neck
    drawn for a refill is three quarters of the face wide, narrower than the face, where drawn from the shoulder
    width alone it was wider."""
    photo, parse, body = drawn_shopper()
    shopper = body_frame(body)
    width = neck_width(parse.mask("skin"), shopper)
    assert width is not None and 30 <= width <= 40  # three quarters of the face
    depth, _ = body_regions(shopper, parse.labels.shape, widest_neck=width)
    wide, _ = body_regions(shopper, parse.labels.shape)
    row = int(shopper.points["neck"][1]) - 20  # between the chin and the shoulders' line
    assert (depth[row, 150:250] > 0).sum() < 50 < (wide[row, 150:250] > 0).sum()
