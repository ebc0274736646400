"""Draw the sample artworks and the logo in sample_images/ (deterministic; the project's own work).

    python -m tools.make_samples
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from studio import config

SIZE = 512


def _smooth_noise(rng: np.random.Generator, cells: int) -> np.ndarray:
    coarse = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8))
    return np.asarray(coarse.resize((SIZE, SIZE), Image.BICUBIC), dtype=np.float32) / 255.0


def mosaic(rng: np.random.Generator) -> Image.Image:
    """Stained glass: Voronoi cells in jewel colours with dark leading."""
    points = rng.random((90, 2)) * SIZE
    palette = np.array([(164, 22, 35), (32, 73, 156), (233, 177, 30), (28, 120, 70), (110, 40, 130), (230, 100, 30)])
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    distances = (xx[..., None] - points[:, 0]) ** 2 + (yy[..., None] - points[:, 1]) ** 2
    order = np.sort(distances, axis=2)
    nearest = np.argmin(distances, axis=2)
    colours = palette[rng.integers(0, len(palette), len(points))][nearest].astype(np.float32)
    edge = (np.sqrt(order[..., 1]) - np.sqrt(order[..., 0])) < 3.0
    colours *= (0.75 + 0.5 * _smooth_noise(rng, 24))[..., None]
    colours[edge] = (25, 20, 20)
    return Image.fromarray(np.clip(colours, 0, 255).astype(np.uint8))


def waves(rng: np.random.Generator) -> Image.Image:
    """Ukiyo-e style sea: warped bands of blues and foam white."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    warp = _smooth_noise(rng, 6) * 2.5 + _smooth_noise(rng, 20) * 0.4
    phase = np.sin((yy * 9 + np.sin(xx * 7 + warp * 3) * 0.8 + warp) * np.pi)
    palette = np.array([(13, 35, 84), (31, 78, 140), (88, 140, 190), (236, 232, 214)], dtype=np.float32)
    level = np.clip((phase + 1) / 2 * 3.999, 0, 3.999)
    low = np.floor(level).astype(int)
    frac = (level - low)[..., None] ** 3
    colours = palette[low] * (1 - frac) + palette[np.minimum(low + 1, 3)] * frac
    return Image.fromarray(colours.astype(np.uint8)).filter(ImageFilter.SMOOTH_MORE)


def brushstrokes(rng: np.random.Generator) -> Image.Image:
    """Thick swirling strokes in a warm night palette, layered like impasto."""
    image = Image.new("RGB", (SIZE, SIZE), (20, 30, 70))
    draw = ImageDraw.Draw(image)
    palette = [(250, 200, 60), (240, 140, 40), (60, 110, 190), (30, 60, 140), (250, 240, 190), (120, 170, 220)]
    flow = _smooth_noise(rng, 5) * 2 * np.pi * 2
    for _ in range(1400):
        x, y = rng.random(2) * SIZE
        colour = palette[rng.integers(len(palette))]
        width = int(rng.integers(4, 11))
        points = [(x, y)]
        for _ in range(int(rng.integers(4, 10))):
            angle = flow[int(y) % SIZE, int(x) % SIZE]
            x, y = x + np.cos(angle) * 8, y + np.sin(angle) * 8
            points.append((x, y))
        draw.line(points, fill=colour, width=width, joint="curve")
    return image.filter(ImageFilter.SMOOTH)


def bauhaus(rng: np.random.Generator) -> Image.Image:
    """Geometric composition of circles, squares and triangles in primary colours."""
    image = Image.new("RGB", (SIZE, SIZE), (240, 232, 215))
    draw = ImageDraw.Draw(image)
    palette = [(214, 40, 40), (247, 181, 0), (0, 84, 166), (20, 20, 20), (240, 232, 215)]
    for _ in range(38):
        kind = rng.integers(3)
        x, y = rng.random(2) * SIZE
        r = rng.uniform(20, 110)
        colour = palette[rng.integers(len(palette))]
        if kind == 0:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif kind == 1:
            draw.rectangle((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=colour)
        else:
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=colour)
    return image


def marble(rng: np.random.Generator) -> Image.Image:
    """Marbled paper: domain-warped veins of ink."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    warp = _smooth_noise(rng, 4) * 4 + _smooth_noise(rng, 12) * 1.5 + _smooth_noise(rng, 40) * 0.3
    veins = np.abs(np.sin((xx * 3 + yy * 2 + warp) * np.pi * 2))
    palette_a = np.array([22, 96, 92], dtype=np.float32)
    palette_b = np.array([238, 226, 200], dtype=np.float32)
    palette_c = np.array([185, 90, 60], dtype=np.float32)
    mix = veins[..., None] ** 0.6
    colours = palette_a * (1 - mix) + palette_b * mix
    accent = (np.sin(warp * 5) > 0.92)[..., None]
    colours = np.where(accent, palette_c, colours)
    return Image.fromarray(colours.astype(np.uint8))


def logo() -> Image.Image:
    """A simple monogram logo as a content image."""
    image = Image.new("RGB", (SIZE, SIZE), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), fill=(30, 30, 60))
    draw.ellipse((80, 80, SIZE - 80, SIZE - 80), fill=(250, 250, 250))
    draw.polygon([(256, 120), (380, 340), (132, 340)], fill=(200, 40, 60))
    try:
        font = ImageFont.load_default(size=90)
    except TypeError:  # Pillow without scalable default font
        font = ImageFont.load_default()
    draw.text((256, 395), "DS", fill=(30, 30, 60), font=font, anchor="mm")
    return image


def sundress(rng: np.random.Generator) -> Image.Image:
    """A product shot: a printed A-line dress (boat neck, cap sleeves) on plain white, softly shaded."""
    width, height = 420, 640
    print_ = waves(rng).resize((width, height))
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.polygon([(110, 50), (170, 40), (210, 62), (250, 40), (310, 50), (348, 112), (300, 138),
                  (290, 250), (390, 610), (30, 610), (130, 250), (120, 138), (72, 112)], fill=255)
    light = np.linspace(1.08, 0.85, width)[None, :, None] * np.ones((height, 1, 1))
    shaded = np.clip(np.asarray(print_, np.float32) * light, 0, 255).astype(np.uint8)
    product = Image.new("RGB", (width, height), (255, 255, 255))
    product.paste(Image.fromarray(shaded), mask=mask.filter(ImageFilter.SMOOTH))
    return product


ARTWORKS = {"mosaic": mosaic, "waves": waves, "brushstrokes": brushstrokes, "bauhaus": bauhaus, "marble": marble}


def main() -> None:
    folder = config.sample_images_dir()
    (folder / "artworks").mkdir(parents=True, exist_ok=True)
    (folder / "content").mkdir(parents=True, exist_ok=True)
    for seed, (name, draw) in enumerate(ARTWORKS.items()):
        draw(np.random.default_rng(seed)).save(folder / "artworks" / f"{name}.png", optimize=True)
    logo().save(folder / "content" / "logo.png", optimize=True)
    (folder / "garments").mkdir(parents=True, exist_ok=True)
    sundress(np.random.default_rng(7)).save(folder / "garments" / "sundress.png", optimize=True)
    print(f"wrote {len(ARTWORKS)} artworks and a logo to {folder}")


if __name__ == "__main__":
    main()
