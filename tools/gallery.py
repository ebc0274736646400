"""Render a local review gallery from CCP validation photos into gallery/ (git-ignored).

    python -m tools.gallery [--count 10] [--out gallery] [--engines pose,geometric] [--skeleton]

One picture per pair (the pairs of ``python -m tools.tryon_measures``): the shopper's photo,
the dress taken from another photo (pasted on white, holes included), each engine's try-on of
it, and each engine's try-on of the shipped sample sundress (a product shot). ``--skeleton``
adds the shopper's BlazePose skeleton. These pictures derive from the CCP dataset and must never
be committed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

from studio import config
from studio.body import BodyEstimator, draw_skeleton
from studio.errors import StudioError
from studio.parsing import GarmentParser
from studio.tryon import new_engine
from tools.ccp import CCPReader, split
from tools.readme_images import side_by_side
from tools.tryon_measures import dress_on_white, dress_photo_ids


def _labelled(image: Image.Image, text: str) -> Image.Image:
    picture = image.convert("RGB").copy()
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 0, 8 + 7 * len(text), 18], fill="white")
    draw.text((4, 3), text, fill="black")
    return picture


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--out", type=Path, default=config.PROJECT_ROOT / "gallery")
    ap.add_argument("--engines", default="pose,geometric")
    ap.add_argument("--skeleton", action="store_true", help="add the shopper's BlazePose skeleton")
    ap.add_argument("--height", type=int, default=600, help="height of each panel in pixels")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    parser = GarmentParser.load()
    estimator = BodyEstimator.load()
    engines = {name: new_engine(name, parser=parser, estimator=estimator) for name in args.engines.split(",")}
    reader = CCPReader()
    sundress = Image.open(config.sample_images_dir() / "garments" / "sundress.png").convert("RGB")
    ids = dress_photo_ids(reader, split()[1])
    for garment_id, shopper_id in list(zip(ids, ids[1:]))[: args.count]:
        garment = dress_on_white(*reader.load(garment_id))
        photo, _ = reader.load(shopper_id)
        parse = parser.predict(photo)
        body = estimator.predict(photo)
        panels = [_labelled(photo, f"shopper {shopper_id}"), _labelled(garment, f"dress of {garment_id}")]
        if args.skeleton:
            panels.insert(1, _labelled(draw_skeleton(photo, body), "skeleton"))
        for label, dress in ((garment_id, garment), ("sundress", sundress)):
            for name, engine in engines.items():
                try:
                    panels.append(_labelled(engine(photo, parse, dress, body=body).image, f"{name}: {label}"))
                except StudioError as exc:
                    print(f"{shopper_id} {name} {label}: {exc}")
        side_by_side(panels, args.height, gap=4).save(args.out / f"{garment_id}-on-{shopper_id}.png", optimize=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
