"""The cutting layout: every copy is on the fabric, none overlaps another, grain is kept, and the
fabric to order is the marker rounded up to 10 cm."""

import itertools
import math

import pytest
from shapely.geometry import box

from studio.errors import InputError
from studio.sew import SILHOUETTES, Style, draft, measurements
from studio.sew.layout import FABRIC_WIDTHS, GAP, copies, cut_outline, lay_out, place


def placed(pattern, layout):
    return [(p, place(cut_outline(pattern, p.piece, p.copy), p)) for p in layout.placements]


def check_layout(pattern, width):
    layout = lay_out(pattern, width)
    shapes = placed(pattern, layout)
    assert sorted((p.piece, p.copy) for p, _ in shapes) == sorted(copies(pattern))
    fabric = box(0, 0, width, layout.length + 1e-6)
    for placement, shape in shapes:
        assert placement.rotation in (0, 180)
        assert fabric.contains(shape), f"{placement.piece} {placement.copy} leaves the fabric"
    for (p, a), (q, b) in itertools.combinations(shapes, 2):
        assert a.distance(b) >= GAP * 0.99, f"{p.piece} {p.copy} and {q.piece} {q.copy} are closer than the gap"
    assert layout.length == pytest.approx(max(s.bounds[3] for _, s in shapes))
    assert layout.order_length == math.ceil(layout.length / 10) * 10
    area = sum(s.area for _, s in shapes)
    assert layout.efficiency == pytest.approx(area / (width * layout.length))
    assert 0.45 < layout.efficiency < 1
    return layout


def test_layouts_lie_flat_on_the_fabric(body):
    for silhouette, length in itertools.product(SILHOUETTES, ("mini", "maxi")):
        check_layout(draft(body, Style(silhouette=silhouette, length=length, sleeve="long")), 137)


@pytest.mark.parametrize("width", FABRIC_WIDTHS)
def test_every_fabric_width(width):
    pattern = draft(measurements("EU38"), Style(silhouette="a-line", length="knee", sleeve="short"))
    check_layout(pattern, width)


def test_wider_fabric_is_never_longer():
    pattern = draft(measurements("EU44"), Style(silhouette="sheath", length="midi", sleeve="long"))
    lengths = [lay_out(pattern, w).length for w in FABRIC_WIDTHS]
    assert lengths[0] >= lengths[2]


def test_too_narrow_fabric_names_the_widest_piece():
    pattern = draft(measurements("EU38"), Style(silhouette="fit-and-flare", length="maxi"))
    with pytest.raises(InputError, match=r"^The skirt front is \d+\.\d cm wide with its seam allowances, wider than "
                                         r"the 90 cm fabric; choose a fabric at least \d+ cm wide\.$"):
        lay_out(pattern, 90)
    with pytest.raises(InputError, match="Fabric width must be between 40 and 330 cm, got 20."):
        lay_out(pattern, 20)
