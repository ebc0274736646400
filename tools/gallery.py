"""Render a local review gallery from CCP validation photos into gallery/ (git-ignored).

    python -m tools.gallery [--count 12] [--out gallery]

Each row: photo, parse overlay, design on the clothing, garment try-on (the sample sundress).
These pictures derive from the CCP dataset and must never be committed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from studio import config
from studio.composite import dress_up
from studio.parsing import GarmentParser
from studio.tryon import GeometricTryOn
from tools.ccp import CCPReader, split


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--out", type=Path, default=config.PROJECT_ROOT / "gallery")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    parser = GarmentParser.load()
    engine = GeometricTryOn(parser=parser)
    reader = CCPReader()
    fabric = Image.open(config.sample_images_dir() / "artworks" / "mosaic.png")
    garment = Image.open(config.sample_images_dir() / "garments" / "sundress.png")
    for photo_id in split()[1][: args.count]:
        photo, _ = reader.load(photo_id)
        parse = parser.predict(photo)
        panels = [photo, parse.overlay(photo)]
        for make in (lambda: dress_up(photo, parse, fabric, "clothing", scale=0.6),
                     lambda: engine(photo, parse, garment).image):
            try:
                panels.append(make())
            except ValueError as exc:
                print(f"{photo_id}: {exc}")
        row = Image.new("RGB", (sum(p.width for p in panels), photo.height), "white")
        x = 0
        for panel in panels:
            row.paste(panel, (x, 0))
            x += panel.width
        row.save(args.out / f"{photo_id}.jpg", quality=88)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
