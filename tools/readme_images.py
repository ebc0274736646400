"""Render the README's pictures from the project's own sample images only (never from ../shared).

    python -m tools.readme_images
"""

from __future__ import annotations

from PIL import Image

from studio import config
from studio.composite import dress_up
from studio.parsing import GarmentParser
from studio.pattern import FabricPattern
from studio.sew import Style, measurements, sew
from studio.style import Stylizer, contact_sheet, explore
from studio.tryon import new_engine

OUT = config.PROJECT_ROOT / "docs" / "images"


def side_by_side(images: list[Image.Image], height: int = 360, gap: int = 8) -> Image.Image:
    """The pictures scaled to one ``height``, left to right on white with ``gap`` pixels between."""
    scaled = [im.resize((round(im.width * height / im.height), height), Image.LANCZOS) for im in images]
    canvas = Image.new("RGB", (sum(im.width for im in scaled) + gap * (len(scaled) - 1), height), "white")
    x = 0
    for im in scaled:
        canvas.paste(im.convert("RGB"), (x, 0))
        x += im.width + gap
    return canvas


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    samples = config.sample_images_dir()
    cat = Image.open(samples / "content" / "cat.png").convert("RGB")
    names = ["mosaic", "waves", "brushstrokes", "marble"]
    artworks = [Image.open(samples / "artworks" / f"{n}.png").convert("RGB") for n in names]
    stylizer = Stylizer.load()
    designs = explore(stylizer, cat, artworks, size=384)
    contact_sheet(designs, artworks, names, columns=4, tile=220).save(OUT / "explore.png", optimize=True)
    design = stylizer.stylize(cat, [artworks[0]], size=768)
    fabric = FabricPattern(design, repeat="half-drop", scale=0.3).render((900, 600))
    side_by_side([cat, design, fabric]).save(OUT / "design.png", optimize=True)

    photo = Image.open(samples / "photos" / "astronaut.png").convert("RGB")
    parser = GarmentParser.load()
    parse = parser.predict(photo)
    dressed = dress_up(photo, parse, design, "clothing", scale=0.8)
    garment = Image.open(samples / "garments" / "sundress.png").convert("RGB")
    tried = new_engine(parser=parser)(photo, parse, garment).image  # the default (pose) engine
    side_by_side([photo, parse.overlay(photo), dressed, garment, tried]).save(OUT / "tryon.png", optimize=True)

    # Sew: the design on the pieces of a knee-length A-line in EU 38, its layout, the flat tried on.
    dress = sew(design, measurements("EU38"), Style(silhouette="a-line", length="knee", sleeve="short"), size="EU38",
                repeat="half-drop", scale=0.8, engineered=(0.5, 0.45))
    flat = dress.flat(900)
    side_by_side([dress.pieces_preview(), dress.fabric_preview()], height=520).save(OUT / "sew.png", optimize=True)
    flat_on = new_engine(parser=parser)(photo, parse, flat).image
    side_by_side([flat, photo, flat_on], height=480).save(OUT / "sew_tryon.png", optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
