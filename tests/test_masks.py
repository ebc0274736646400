"""The shared mask layer: fills, runs, largest parts, growth, the one blur and the write-back."""

import numpy as np
from PIL import Image

from studio.masks import grow, inward_feather, largest_parts, mirror_fill, push_pull_fill, row_runs, write_back


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
    stripes = np.zeros((20, 60, 3), np.float32)
    stripes[:, ::4] = 255  # vertical stripes every 4 px
    hole = np.zeros((20, 60), bool)
    hole[:, 30:38] = True
    filled = mirror_fill(stripes, hole, ~hole)
    assert filled[:, 30:38].std() > 80  # stripes, not a grey smear
    assert np.array_equal(filled[~hole], stripes[~hole])



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
