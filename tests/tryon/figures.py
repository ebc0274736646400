"""Drawn shoppers and garments the try-on tests share: a parse, a photo and BlazePose-ordered landmarks
drawn by hand, so every check knows the truth."""

import numpy as np
from PIL import Image, ImageDraw

from studio.body import Body
from studio.parsing import CLASS_NAMES, Parse

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

