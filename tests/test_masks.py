"""The shared mask layer: fills, runs, largest parts, growth, the one blur and the write-back."""

import numpy as np
from PIL import Image

from studio.masks import (
    background_fill,
    grow,
    inward_feather,
    largest_parts,
    mirror_fill,
    push_pull_fill,
    row_runs,
    write_back,
)


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


def test_push_pull_fills_a_wide_hole_without_blocks():
    """A 120 px hole inside a frame of known colours that ramp across and down: the fill steps by a few
    levels at most from one pixel to the next (repeating each coarse level's pixels made squares with
    146-level steps between them, seen as blocks where a dress's soft edge showed its fill)."""
    pixels = np.zeros((128, 128, 3), np.float32)
    pixels[..., 0] = np.linspace(0, 200, 128)[None, :]
    pixels[..., 1] = np.linspace(0, 200, 128)[:, None]
    known = np.zeros((128, 128), bool)
    known[:4] = known[-4:] = known[:, :4] = known[:, -4:] = True
    inside = push_pull_fill(pixels, known)[10:118, 10:118]
    assert max(np.abs(np.diff(inside, axis=0)).max(), np.abs(np.diff(inside, axis=1)).max()) < 6


def test_mirror_fill_continues_texture():
    stripes = np.zeros((20, 60, 3), np.float32)
    stripes[:, ::4] = 255  # vertical stripes every 4 px
    hole = np.zeros((20, 60), bool)
    hole[:, 30:38] = True
    filled = mirror_fill(stripes, hole, ~hole)
    assert filled[:, 30:38].std() > 80  # stripes, not a grey smear
    assert np.array_equal(filled[~hole], stripes[~hole])



def test_background_fill_carries_steps_through_the_hole_and_mirrors_no_post_into_it():
    """A wall of horizontal steps (bands of 20 rows), a dark post 6 px left of a 60 px hole and the person
    right of the hole: each row of the hole takes its band's level, and no copy of the post shows in it
    (mirroring the rows puts one 6 px inside it). The person's pixels are never read."""
    rng = np.random.default_rng(0)
    levels = np.where((np.arange(120) // 20) % 2 == 0, 90.0, 170.0)
    pixels = np.repeat(levels[:, None, None], 160, axis=1).repeat(3, axis=2) + rng.normal(0, 2, (120, 160, 3))
    pixels = pixels.astype(np.float32)
    pixels[:, 40:44] = 20.0  # the post
    pixels[:, 110:] = (200, 40, 40)  # the person, in red
    hole = np.zeros((120, 160), bool)
    hole[:, 50:110] = True
    known = np.ones((120, 160), bool)
    known[:, 50:] = False
    filled = background_fill(pixels, hole, known)
    inside = filled[:, 50:110].mean(axis=2)
    bands = np.arange(120) % 20
    middle = (bands > 4) & (bands < 15)  # rows away from a step's edge
    assert np.abs(inside[middle] - levels[middle, None]).max() < 15
    assert inside[:, 6:10].min() > 60  # no mirrored post
    assert np.abs(filled[:, 50:110, 0] - filled[:, 50:110, 1]).max() < 15  # no red from the person
    assert np.array_equal(filled[~hole], pixels[~hole])
    assert mirror_fill(pixels, hole, known)[:, 56:60].mean() < 40  # what the mirror did


def test_row_runs_and_largest_parts():
    assert row_runs(np.array([0, 1, 1, 0, 1], bool)) == [(1, 3), (4, 5)]
    mask = np.zeros((20, 40), bool)
    mask[2:12, 2:12] = True  # 100 px
    mask[2:5, 20:23] = True  # 9 px
    mask[14:18, 30:34] = True  # 16 px
    assert largest_parts(mask, 1.0).sum() == 100
    assert largest_parts(mask, 0.15).sum() == 116
    corner = np.zeros((5, 5), bool)
    corner[1, 1] = corner[2, 2] = True
    corner[4, 4] = True
    assert largest_parts(corner, 1.0, diagonal=True).sum() == 2


def test_parts_joined_by_a_strap_count_their_own_pixels_only():
    """A garment (400 px) and its sleeve (40 px) beyond a strap, and a speck (30 px) on a big bag (2,000 px)
    apart from it: the strap joins the sleeve to the garment, but the bag does not make the speck a main
    part, since only the garment's own pixels count toward a part's size."""
    mask = np.zeros((100, 120), bool)
    mask[10:30, 10:30] = True  # the garment
    mask[10:14, 32:42] = True  # its sleeve
    mask[60:65, 60:66] = True  # a speck
    strap = np.zeros_like(mask)
    strap[10:30, 30:32] = True
    strap[50:90, 55:105] = True  # the bag, around the speck
    strap[60:65, 60:66] = False
    kept = largest_parts(mask, 0.15, joined_by=strap)
    assert kept[10:14, 32:42].all() and kept[10:30, 10:30].all() and not kept[60:65, 60:66].any()
    assert not (kept & ~mask).any()


def test_grow_and_shrink_by_a_disc():
    mask = np.zeros((41, 41), bool)
    mask[20, 20] = True
    grown = grow(mask, 5)
    assert grown[20, 15] and grown[15, 20] and not grown[16, 16]  # round, not square
    assert np.array_equal(grow(grow(grown, -2), 0), grow(grown, -2)) and grow(grown, -2).sum() < grown.sum()


def test_feather_is_soft_inside_and_zero_outside():
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    alpha = inward_feather(mask, 2.0)
    assert (alpha[~mask] == 0).all() and alpha[20, 20] == 1.0 and 0 < alpha[10, 20] < 1


def test_write_back_changes_only_where_asked():
    photo = Image.new("RGB", (8, 8), (10, 20, 30))
    where = np.zeros((8, 8), bool)
    where[2:4, 2:4] = True
    out = np.asarray(write_back(photo, np.full((8, 8, 3), 300.0), where))
    assert (out[where] == 255).all() and (out[~where] == (10, 20, 30)).all()
