"""The drafted dress for real, on every silhouette, length and sleeve and on three sizes and one
woman's own measurements: sewn edges match, the sleeve cap has its ease, the finished dress is the
body plus the stated ease, and the allowances lie outside the seam line."""

import itertools

import pytest
from shapely.geometry import Point

from studio.errors import InputError, UnknownChoiceError
from studio.sew import LENGTHS, NECKLINES, SILHOUETTES, SLEEVES, Style, draft, measurements, skirt_length

STYLES = [Style(silhouette=s, length=n, sleeve=v) for s, n, v in itertools.product(SILHOUETTES, LENGTHS, SLEEVES)]
STYLES += [Style(neckline=neck) for neck in NECKLINES]


def check_dress(body, style):
    pattern = draft(body, style)
    names = {p.name for p in pattern.pieces}
    sleeves = {"sleeve"} if style.sleeve != "none" else set()
    assert names == {"bodice front", "bodice back", "skirt front", "skirt back"} | sleeves
    for seam in pattern.seams:
        a, b = pattern.seam_lengths(seam)
        if seam.name.startswith("sleeve cap"):
            assert abs((a - b) - seam.ease) < 1e-2, seam
        else:
            assert abs(a - b) <= 0.2, f"{style}: {seam.name} {a:.2f} vs {b:.2f}"
            assert a > 3, seam.name
    if style.sleeve != "none":
        caps = [pattern.seam_lengths(s) for s in pattern.seams if s.name.startswith("sleeve cap")]
        cap_ease = sum(a - b for a, b in caps)
        assert 1.0 <= cap_ease <= 4.0, f"{style}: sleeve cap ease {cap_ease:.2f} cm"
    finished = pattern.finished()
    for part in ("bust", "waist", "hip"):
        expected = getattr(body, part) + getattr(pattern.ease, part)
        assert abs(finished[part] - expected) <= 1.0, f"{style}: finished {part} {finished[part]:.1f}, expected {expected}"
    for piece in pattern.pieces:
        seam, cut = piece.polygon(), piece.cut_polygon()
        assert seam.is_valid and cut.is_valid, piece.name
        assert cut.contains(seam.buffer(-0.01)), f"{piece.name}: seam line outside the cut line"
        if not piece.on_fold:  # away from a fold every seam point has its allowance round it
            assert cut.buffer(0.02).contains(seam.buffer(piece.seam_allowance * 0.98)), piece.name
        for notch in piece.notches:
            assert seam.exterior.distance(Point(notch)) < 0.05, f"{piece.name}: notch off the seam line"
    skirt = pattern.piece("skirt front")
    assert abs(skirt.seam_length("waist_side", "hem_side") - skirt_length(body, style.length)) < 8
    return pattern


@pytest.mark.parametrize("neck", NECKLINES)
def test_necklines_change_only_the_neck(body, neck):
    pattern = check_dress(body, Style(neckline=neck))
    front = pattern.piece("bodice front")
    depth = front.seam_line[front.marks["centre_neck"]][1]
    assert depth == pytest.approx({"round": body.neck / 5 + 1, "boat": 3.0}.get(neck, depth))


def test_every_style_sews_together(body):
    lengths = {}
    for style in STYLES:
        pattern = check_dress(body, style)
        lengths[style.length] = pattern.piece("skirt front").seam_length("waist_side", "hem_side")
    assert lengths["mini"] < lengths["knee"] < lengths["midi"] < lengths["maxi"]


def test_silhouettes_differ_where_they_should(body):
    sheath, aline, flare = (draft(body, Style(silhouette=s, length="knee")) for s in SILHOUETTES)
    hem = {name: p.piece("skirt front").seam_line[p.piece("skirt front").marks["hem_side"]][0]
           for name, p in zip(SILHOUETTES, (sheath, aline, flare))}
    assert hem["sheath"] < hem["a-line"] < hem["fit-and-flare"]
    assert sheath.piece("skirt front").marks["waist_dart_in"] != sheath.piece("skirt front").marks["waist_dart_out"]
    assert flare.piece("skirt front").marks["waist_dart_in"] == flare.piece("skirt front").marks["waist_dart_out"]


def test_own_measurements_override_the_size():
    own = measurements("EU38", bust=100, waist=80)
    assert (own.bust, own.waist) == (100, 80)
    assert own.hip == measurements("EU38").hip
    assert own.back_width > measurements("EU38").back_width  # follows the bigger bust


@pytest.mark.parametrize("kwargs, message", [
    ({"bust": 300}, "Bust must be between 70 and 150 cm, got 300."),
    ({"waist": 130, "bust": 90},
     "A waist of 130 cm is more than 10 cm above the bust (90 cm); this dress cannot be drafted for it."),
    ({"back_waist_length": 50, "height": 150},
     "A back waist length of 50 cm does not fit a height of 150 cm (it should be between 32 and 45 cm)."),
])
def test_bad_measurements_get_one_sentence(kwargs, message):
    with pytest.raises(InputError) as caught:
        measurements("EU38", **kwargs)
    assert str(caught.value) == message


def test_unknown_size_and_style_name_the_choices():
    with pytest.raises(UnknownChoiceError, match="Unknown size 'EU99'; choose one of: EU34, EU36"):
        measurements("EU99")
    assert measurements("uk10") == measurements("38") == measurements("EU38")
    with pytest.raises(UnknownChoiceError, match="Unknown silhouette 'ballgown'"):
        Style(silhouette="ballgown")
    with pytest.raises(InputError, match="Seam allowance must be between 0.5 and 3 cm, got 5."):
        Style(seam_allowance=5)
