"""The one cut-out every engine uses: product shots by their plain border, worn garments by the parser."""

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from studio.body import NoPersonError
from studio.tryon import BusyBackgroundError, GarmentTooSmallError, PoseTryOn, cut_out
from studio.tryon.cutout import GarmentCutOut, fill_holes, plain_background_colour, wearer_in_front
from tests.conftest import sample


def test_product_cut_out_matches_the_drawn_dress():
    product = np.asarray(sample("garments", "sundress"), np.float32)
    background = plain_background_colour(product)
    assert background is not None and np.all(background > 250)
    cut = cut_out(sample("garments", "sundress"), "dress", parser=None)
    mask = np.zeros(product.shape[:2], bool)
    mask[cut.box] = cut.silhouette
    drawn = np.linalg.norm(product - 255, axis=2) > 40
    iou = (mask & drawn).sum() / (mask | drawn).sum()
    assert iou > 0.9


def test_busy_background_is_not_a_product_shot():
    assert plain_background_colour(np.asarray(sample("content", "coffee"), np.float32)) is None
    with pytest.raises(BusyBackgroundError, match="garment parser is needed"):
        cut_out(sample("content", "coffee"), "dress", parser=None)


def test_holes_in_a_cut_out_are_filled_from_the_garment():
    pixels = np.full((400, 300, 3), 255, np.uint8)
    pixels[50:350, 80:220] = (200, 30, 40)  # a red dress
    pixels[150:200, 120:170] = 255  # a white hole where an arm covered it
    pixels[250:300, 200:220] = 255  # a notch at the side
    cut = cut_out(Image.fromarray(pixels), "dress", parser=None)
    assert cut.source == "product shot" and cut.holes.sum() >= 50 * 50
    filled = fill_holes(cut)
    inside = filled[cut.silhouette]
    assert (inside.min(axis=1) < 235).all()  # no white left inside the garment
    assert np.abs(filled[cut.holes] - (200, 30, 40)).max() < 40  # the hole took the dress's red


def test_a_big_hole_in_a_printed_garment_takes_the_print_not_a_smear():
    """A dress printed with 6 px stripes, with a 40x40 hole where an arm was: the hole is filled with
    stripes (its rows vary as much as the print does, and in step with it), not a smooth blur."""
    pixels = np.full((400, 300, 3), 255, np.uint8)
    columns = np.arange(300)
    stripes = np.where(((columns // 6) % 2 == 0)[None, :, None], (30, 40, 150), (230, 200, 60)).astype(np.uint8)
    pixels[40:360, 60:240] = stripes[0, 60:240]
    pixels[150:190, 120:160] = 255  # the hole
    cut = cut_out(Image.fromarray(pixels), "dress", parser=None)
    filled = fill_holes(cut)
    rows, cols = cut.box
    hole = filled[150 - rows.start:190 - rows.start, 124 - cols.start:156 - cols.start, 0]
    print_row = pixels[100, 124:156, 0].astype(np.float32)
    assert hole.std(axis=1).mean() > 0.6 * print_row.std()
    assert abs(np.corrcoef(hole.mean(axis=0), print_row)[0, 1]) > 0.8  # the stripes line up with the print's phase


def test_a_hole_against_the_outline_at_the_crops_edge_is_filled():
    """A hole where an arm crossed the garment's side, right under the crop's top: copies whose box would
    run off the image are skipped, and the hole is still filled."""
    from studio.tryon.cutout import texture_fill

    print_rows = np.random.default_rng(0).uniform(0, 255, 80)
    rows, cols = np.arange(60)[:, None], np.arange(160)[None, :]
    values = np.where(cols < 100, print_rows[rows + 8], print_rows[rows])  # the left part: the print 8 rows up
    pixels = np.repeat(values[..., None], 3, axis=2).astype(np.float32)
    for top in range(6, 14):
        known = np.ones((60, 160), bool)
        holes = np.zeros((60, 160), bool)
        holes[top:top + 20, 120:144] = True
        known[holes] = False
        known[:top, 110:154] = False  # the garment's outline just above the hole
        filled = texture_fill(pixels, pixels.copy(), holes, known)
        assert filled.shape == pixels.shape and np.isfinite(filled).all()


def test_a_cut_outs_edge_takes_the_fabrics_colour_not_the_backgrounds():
    """A red dress drawn at 4x and scaled down, so its edge pixels are pink with the white behind them:
    after filling, the silhouette's edge is the dress's red (no light halo once it is worn)."""
    big = Image.new("RGB", (1200, 1600), (255, 255, 255))
    ImageDraw.Draw(big).ellipse((320, 200, 880, 1400), fill=(200, 30, 40))
    cut = cut_out(big.resize((300, 400), Image.BOX), "dress", parser=None)
    edge = cut.silhouette & ~ndimage.binary_erosion(cut.silhouette)
    assert cut.pixels[edge].min(axis=1).mean() > 60  # the cut-out's own edge is mixed with white
    assert fill_holes(cut)[edge].min(axis=1).mean() < 45  # filled: the dress's red (min channel 30)


def drawn_cut_out(source: str, trim: bool = False) -> GarmentCutOut:
    """A red dress (rows 40-360, columns 60-240) on a grey street, its silhouette drawn 3 px too wide
    as a parse at a fraction of the photo's size draws it; ``trim``: white along its left edge."""
    pixels = np.full((400, 300, 3), 110.0, np.float32)
    pixels[40:360, 60:240] = (200, 30, 40)
    if trim:
        pixels[40:360, 60:64] = 250
    silhouette = np.zeros((400, 300), bool)
    silhouette[37:363, 57:243] = True
    return GarmentCutOut(pixels, silhouette, np.zeros_like(silhouette), source, (slice(0, 400), slice(0, 300)))


def test_background_a_worn_cut_out_carried_along_is_painted_from_the_fabric():
    cut = drawn_cut_out("worn")
    filled = fill_holes(cut)
    carried = cut.silhouette.copy()
    carried[40:360, 60:240] = False  # the grey street inside the too-wide silhouette
    assert np.abs(filled[carried] - (200, 30, 40)).max(axis=1).mean() < 40  # it took the dress's red
    assert np.array_equal(filled[100:300, 64:236], cut.pixels[100:300, 64:236])  # the dress itself is kept


def test_a_trim_at_the_edge_is_kept():
    """White piping along the dress's edge is the garment's, not background: a product shot repaints only
    its anti-aliased ring, a worn cut-out only what lies within the parse's resolution step of its outline."""
    for source in ("product shot", "worn"):
        trim = fill_holes(drawn_cut_out(source, trim=True))[100:300, 61:64]
        assert trim.min() > 240, source


def test_the_first_wearers_hair_strands_over_the_dress_stay_behind():
    """Brown hair whose parse ends at row 120 hangs on in strands over a white dress down to row 150:
    the strands join what stays behind; a brown motif printed further down the dress does not."""
    from studio.parsing import CLASS_NAMES, Parse

    labels = np.zeros((400, 300), np.uint8)
    labels[20:120, 100:200] = CLASS_NAMES.index("hair")
    labels[120:380, 80:220] = CLASS_NAMES.index("dress")
    pixels = np.full((400, 300, 3), 120.0, np.float32)
    pixels[labels == CLASS_NAMES.index("dress")] = (240, 238, 232)
    pixels[20:120, 100:200] = (110, 70, 40)
    strands = np.zeros((400, 300), bool)
    for x in range(104, 196, 12):
        strands[120:150, x:x + 3] = True
    pixels[strands] = (110, 70, 40)
    motif = (slice(300, 320), slice(130, 170))
    pixels[motif] = (110, 70, 40)
    front = wearer_in_front(Parse(labels=labels), pixels)
    assert front[strands].all()
    assert not front[motif].any()
    assert not front[165:380, 80:220][pixels[165:380, 80:220, 0] > 200].any()  # the dress itself comes along


def test_a_tiny_garment_is_refused_in_one_sentence():
    pixels = np.full((400, 300, 3), 255, np.uint8)
    pixels[100:120, 100:130] = (200, 30, 40)
    with pytest.raises(GarmentTooSmallError, match="too small to use"):
        cut_out(Image.fromarray(pixels), "dress", parser=None)


def test_a_busy_garment_photo_without_a_person_is_refused(garment_parser):
    # Refused by the parser (too little skin or hair) or by BlazePose (nobody found): one sentence either way.
    with pytest.raises((BusyBackgroundError, NoPersonError), match="(?i)no person"):
        PoseTryOn(parser=garment_parser).cut_out(sample("content", "coffee"))



def test_a_product_shot_cropped_to_touch_its_border_is_still_a_product_shot():
    """A dress cropped so tightly that it touches all four sides, with a few dark specks on the white, is
    still cut out as a product shot; a street photo is not."""
    product = np.asarray(sample("garments", "sundress"))
    drawn = np.linalg.norm(product.astype(np.float32) - 255, axis=2) > 40
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    tight = product[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
    tight[2:5, 2:5] = 40  # stray specks on the border
    tight[-4:-1, tight.shape[1] // 2:tight.shape[1] // 2 + 3] = 40
    background = plain_background_colour(tight.astype(np.float32))
    assert background is not None and np.all(background > 245)
    cut = cut_out(Image.fromarray(tight), "dress", parser=None)
    assert cut.source == "product shot"
    mask = np.zeros(tight.shape[:2], bool)
    mask[cut.box] = cut.silhouette
    truth = drawn[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    assert (mask & truth).sum() / (mask | truth).sum() > 0.9
    assert plain_background_colour(np.asarray(sample("photos", "astronaut"), np.float32)) is None


class _DrawnParser:
    """A parser that answers a parse drawn by the test (the PhotoParser protocol), so the cut-out's
    own rules are checked against a known truth."""

    def __init__(self, parse):
        self.parse = parse

    def predict(self, image):
        return self.parse


def test_a_worn_garment_leaves_the_first_wearers_hand_and_scarf_behind():
    """The parser calls a hand on the dress and a scarf over it "dress" (the scarf only 35 % accessory):
    both become holes of the cut-out and are painted from the dress's own red."""
    from studio.parsing import CLASS_NAMES, Parse

    c = {name: i for i, name in enumerate(CLASS_NAMES)}
    pixels = np.full((500, 300, 3), 90, np.uint8)
    pixels += np.random.default_rng(0).integers(0, 60, pixels.shape, dtype=np.uint8)  # a busy street
    labels = np.zeros((500, 300), np.uint8)
    labels[40:110, 110:190] = c["skin"]  # face and neck
    pixels[40:110, 110:190] = (225, 175, 140)
    labels[110:420, 80:220] = c["dress"]
    pixels[110:420, 80:220] = (200, 30, 40)
    pixels[250:290, 100:135] = (225, 175, 140)  # a hand on the dress, labelled dress
    labels[110:250, 70:80] = c["skin"]  # the arm reaching it
    pixels[110:250, 70:80] = (225, 175, 140)
    labels[245:255, 78:102] = c["skin"]
    pixels[245:255, 78:102] = (225, 175, 140)
    pixels[150:180, 150:220] = (30, 120, 200)  # a blue scarf end, labelled dress
    probabilities = np.zeros((len(CLASS_NAMES), 500, 300), np.float32)
    probabilities[labels, np.arange(500)[:, None], np.arange(300)[None, :]] = 1.0
    probabilities[:, 150:180, 150:220] = 0.0
    probabilities[c["dress"], 150:180, 150:220] = 0.65
    probabilities[c["accessories"], 150:180, 150:220] = 0.35
    parse = Parse(labels=labels, probabilities=probabilities)
    cut = cut_out(Image.fromarray(pixels), "dress", _DrawnParser(parse))
    assert cut.source == "worn" and cut.wearer is None
    rows, cols = cut.box
    hand = (slice(252 - rows.start, 288 - rows.start), slice(102 - cols.start, 133 - cols.start))
    scarf = (slice(152 - rows.start, 178 - rows.start), slice(152 - cols.start, 218 - cols.start))
    assert cut.holes[hand].all() and cut.holes[scarf].all()
    filled = fill_holes(cut)
    for area in (hand, scarf):
        assert np.abs(filled[area] - (200, 30, 40)).max(axis=-1).mean() < 40  # the dress's red, not skin or blue


def test_the_first_wearers_neckline_is_not_filled_with_fabric():
    """Skin inside a V neckline lies between the garment's own sides in its rows: it is the neckline, not
    something in front of the garment, and stays out of the cut-out's silhouette."""
    from studio.parsing import CLASS_NAMES, Parse

    c = {name: i for i, name in enumerate(CLASS_NAMES)}
    pixels = np.full((500, 300, 3), 90, np.uint8)
    pixels += np.random.default_rng(1).integers(0, 60, pixels.shape, dtype=np.uint8)
    labels = np.zeros((500, 300), np.uint8)
    labels[40:110, 110:190] = c["skin"]
    labels[110:420, 80:220] = c["dress"]
    for row in range(110, 170):  # a V neckline of skin, 60 rows deep
        half = (170 - row) // 2
        labels[row, 150 - half:150 + half] = c["skin"]
    pixels[labels == c["skin"]] = (225, 175, 140)
    pixels[labels == c["dress"]] = (200, 30, 40)
    cut = cut_out(Image.fromarray(pixels), "dress", _DrawnParser(Parse(labels=labels)))
    neck = np.zeros(labels.shape, bool)
    neck[cut.box] = cut.silhouette
    assert not neck[112:150][labels[112:150] == c["skin"]].any()
