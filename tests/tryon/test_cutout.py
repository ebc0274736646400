"""The one cut-out every engine uses: product shots by their plain border, worn garments by the parser."""

import numpy as np
import pytest
from PIL import Image

from studio.body import NoPersonError
from studio.tryon import BusyBackgroundError, GarmentTooSmallError, PoseTryOn, cut_out
from studio.tryon.cutout import fill_holes, plain_background_colour
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


def test_a_tiny_garment_is_refused_in_one_sentence():
    pixels = np.full((400, 300, 3), 255, np.uint8)
    pixels[100:120, 100:130] = (200, 30, 40)
    with pytest.raises(GarmentTooSmallError, match="too small to use"):
        cut_out(Image.fromarray(pixels), "dress", parser=None)


def test_a_busy_garment_photo_without_a_person_is_refused(garment_parser):
    # Refused by the parser (too little skin or hair) or by BlazePose (nobody found): one sentence either way.
    with pytest.raises((BusyBackgroundError, NoPersonError), match="(?i)no person"):
        PoseTryOn(parser=garment_parser).cut_out(sample("content", "coffee"))

