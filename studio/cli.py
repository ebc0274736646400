"""``python -m studio <verb>``: the studio from a terminal.

Bad input ends with exit status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image

from studio.errors import StudioError
from studio.images import IMAGE_SUFFIXES, ImageError, load_image, to_png_bytes, working_copy

EXIT_BAD_INPUT = 2


class UsageError(StudioError):
    """Bad command-line input, reported as one line."""


def _exists(path: str | Path) -> Path:
    """A path the user typed; one that is not there is bad input (exit 2), before any model loads."""
    if not Path(path).exists():
        raise UsageError(f"{path} does not exist.")
    return Path(path)


def _image(path: str) -> Image.Image:
    return load_image(_exists(path), name=path)


def _write_file(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` (its folder made); an unwritable path is one line (exit 2)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{out} could not be written ({exc.strerror or type(exc).__name__}).") from None


def _write_png(image: Image.Image, out: Path, dpi: int | None = None) -> None:
    _write_file(out, to_png_bytes(image, dpi=dpi))
    print(f"wrote {out} ({image.width}x{image.height})")


def cmd_design(args: argparse.Namespace) -> None:
    from studio.style import Stylizer

    content = _image(args.content)
    artworks = [_image(p) for p in args.artworks]
    stylizer = Stylizer.load(args.engine)
    result = stylizer.stylize(content, artworks, weights=args.weights, strength=args.strength,
                              preserve_colors=args.preserve_colors, size=args.size)
    _write_png(result, args.out)


def cmd_sheet(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from studio.style import Stylizer, contact_sheet, explore

    content = _image(args.content)
    artworks = [_image(p) for p in args.artworks]
    stylizer = Stylizer.load(args.engine)
    with tqdm(total=len(artworks), desc="stylizing", unit="artwork", file=sys.stderr) as bar:
        designs = explore(stylizer, content, artworks, size=args.size, on_progress=lambda done, total: bar.update(1))
    names = [Path(p).stem for p in args.artworks]
    _write_png(contact_sheet(designs, artworks, names, columns=args.columns), args.out)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} must look like 1200x800") from None
    return width, height


def cmd_fabric(args: argparse.Namespace) -> None:
    from studio.pattern import FabricPattern

    pattern = FabricPattern(_image(args.design), repeat=args.repeat, scale=args.scale,
                            rotation=args.rotation, seamless=args.seamless)
    image = pattern.repeat_unit() if args.unit else pattern.render(args.size)
    _write_png(image, args.out, dpi=args.dpi)


def _expand_images(inputs: list[str]) -> list[Path]:
    paths: list[Path] = []
    for item in inputs:
        path = _exists(item)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
        elif path.is_file():
            paths.append(path)
        else:
            raise UsageError(f"{item} is neither an image file nor a folder.")
    if not paths:
        raise UsageError("No images found in the given paths.")
    return paths


def _readable_photos(paths: list[Path], failed: list[str]) -> Iterator[tuple[Path, Image.Image]]:
    """(path, photo) for each photo that loads; one that does not is noted in ``failed`` and the
    batch goes on, so one broken file in a folder costs only itself."""
    for path in paths:
        try:
            yield path, load_image(path, name=path.name)
        except ImageError as exc:  # its message names the file
            failed.append(str(exc).rstrip("."))


def _report_skipped(failed: list[str], total: int) -> None:
    """One line naming each photo a batch skipped, and why (exit status 2); the reasons are
    separated by " | " because a reason may itself contain a semicolon."""
    if failed:
        raise UsageError(f"Skipped {len(failed)} of {total} photos: {' | '.join(failed)}.")


def cmd_parse(args: argparse.Namespace) -> None:
    from studio.parsing import CLASS_NAMES, PALETTE, GarmentParser

    if args.classes:
        for class_id, name in enumerate(CLASS_NAMES):
            print(f"{class_id}\t{name}\t#{bytes(PALETTE[class_id]).hex()}")
        return
    if not args.images or args.out is None:
        raise UsageError("parse needs IMAGE_OR_DIR and -o OUTDIR (or --classes).")
    paths = _expand_images(args.images)
    parser = GarmentParser.load(args.weights)
    failed: list[str] = []
    for path, photo in _readable_photos(paths, failed):
        parse = parser.predict(photo)
        _write_png(parse.label_image(), args.out / f"{path.stem}.png")
        if args.overlay:
            _write_png(parse.overlay(photo), args.out / f"{path.stem}_overlay.png")
    _report_skipped(failed, len(paths))


def cmd_pose(args: argparse.Namespace) -> None:
    import json

    import numpy as np

    from studio.body import BodyError, BodyEstimator, draw_skeleton

    paths = _expand_images(args.images)
    estimator = BodyEstimator.load(args.models)
    failed: list[str] = []
    for path, photo in _readable_photos(paths, failed):
        try:
            body = estimator.predict(photo)
        except BodyError as exc:  # one photo without a usable body must not stop the others
            failed.append(f"{path.name}: {str(exc).rstrip('.')}")
            continue
        out = args.out / f"{path.stem}.json"
        _write_file(out, (json.dumps(body.to_json()) + "\n").encode())
        print(f"wrote {out}")
        _write_png(Image.fromarray(np.where(body.person_mask, 255, 0).astype(np.uint8)),
                   args.out / f"{path.stem}_person.png")
        if args.overlay:
            _write_png(draw_skeleton(photo, body), args.out / f"{path.stem}_skeleton.png")
    _report_skipped(failed, len(paths))


def cmd_dress(args: argparse.Namespace) -> None:
    from studio.body import BodyError, BodyEstimator
    from studio.composite import dress_up
    from studio.parsing import GarmentParser

    photo, fabric = working_copy(_image(args.photo)), _image(args.fabric)
    parse = GarmentParser.load(args.weights).predict(photo)
    try:  # the body bounds the painting to the person and places the print's axis and the hands
        body = BodyEstimator.load().predict(photo)
    except BodyError as exc:
        print(f"no body used: {exc}", file=sys.stderr)
        body = None
    result = dress_up(photo, parse, fabric, args.garment, body=body, scale=args.scale, rotation=args.rotation,
                      shading=args.shading, opacity=args.opacity, fold_warp=args.fold_warp, texture=args.texture)
    _write_png(result, args.out)


def cmd_tryon(args: argparse.Namespace) -> None:
    from studio.body import BodyError, BodyEstimator
    from studio.parsing import GarmentParser
    from studio.tryon import new_engine

    photo, garment = working_copy(_image(args.photo)), _image(args.garment_image)
    parser = GarmentParser.load(args.weights)
    estimator = BodyEstimator.load()
    engine = new_engine(args.engine, parser=parser, estimator=estimator)
    parse = parser.predict(photo)
    try:
        body = estimator.predict(photo, person_mask=parse.labels > 0)  # as the Fit page finds it
    except BodyError:
        body = None  # an engine that needs one says so in its own sentence
    result = engine(photo, parse, garment, category=args.category, body=body)
    print(f"garment cut out as a {result.source}")
    _write_png(result.image, args.out)


def _study_store(location: str | None):
    """The store named on the command line (a URL or an existing CSV), else the configured one."""
    from studio import config
    from studio.study import is_database_url, open_store

    if location is None:
        return open_store(config.ratings_location())
    return open_store(location if is_database_url(location) else _exists(location))


def cmd_study(args: argparse.Namespace) -> None:
    from studio import config
    from studio.study import SqlRatingStore, load_ratings, ratings_csv_bytes, study_items, summarize

    if args.action == "summary":
        print(summarize(_study_store(args.store).load()).to_text())
    elif args.action == "items":
        folder = _exists(args.folder) if args.folder else config.study_items_dir()
        if args.folder and not folder.is_dir():
            raise UsageError(f"{folder} is not a folder; give the folder of study images.")
        items = study_items(folder)
        print(f"{len(items)} items in {folder}")
        for item in items:
            print(f"{item.item_id}\t{item.path.name}\t{len(item.settings)} settings")
    elif args.action == "export":
        store = _study_store(args.store)
        ratings = store.load()
        try:
            with open(args.out, "xb") as handle:
                handle.write(ratings_csv_bytes(ratings))
        except FileExistsError:
            raise UsageError(f"{args.out} already exists; choose a new file name.") from None
        except OSError as exc:
            raise UsageError(f"{args.out} could not be written ({exc.strerror or type(exc).__name__}).") from None
        print(f"wrote {len(ratings)} ratings from {store.location} to {args.out}")
    else:  # import
        ratings = load_ratings(_exists(args.csv))
        store = _study_store(args.store)
        if not isinstance(store, SqlRatingStore):
            raise UsageError("study import copies a CSV into a database; set STUDIO_RATINGS_URL or pass --store URL.")
        added = store.import_ratings(ratings)
        print(f"imported {added} new ratings into {store.location} ({len(ratings) - added} were already there)")


SEW_FILES = ("fabric.png", "pattern.pdf", "pattern.svg", "pattern.json", "flat.png")


def _fractions(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"point {text!r} must look like 0.5,0.4 (fractions of the design)") from None
    return x, y


def cmd_sew(args: argparse.Namespace) -> None:
    import os
    import shutil
    import tempfile

    from studio.sew import Style, measurements, parse_measurements, sew, size_name

    design = _image(args.design)
    own = parse_measurements(args.measurements) if args.measurements else {}
    body = measurements(args.size, **own)
    style = Style(silhouette=args.silhouette, length=args.length, sleeve=args.sleeve, neckline=args.neckline,
                  seam_allowance=args.seam_allowance, hem_allowance=args.hem)
    dress = sew(design, body, style, size="own" if own else size_name(args.size), fabric_width=args.fabric_width,
                dpi=args.dpi, repeat=args.repeat, scale=args.scale, rotation=args.rotation, engineered=args.engineered)
    # Everything is checked: write into a hidden folder inside OUTDIR, then move the five files in.
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".sew-", dir=args.out))
    except OSError as exc:
        raise UsageError(f"{args.out} could not be written ({exc.strerror or type(exc).__name__}).") from None
    try:
        with open(work / "fabric.png", "wb") as handle:
            dress.write_fabric_png(handle)
        (work / "pattern.pdf").write_bytes(dress.pdf(args.paper, copy_shop_sheet=True))
        (work / "pattern.svg").write_bytes(dress.svg())
        (work / "pattern.json").write_bytes(dress.json())
        (work / "flat.png").write_bytes(to_png_bytes(dress.flat()))
        for name in SEW_FILES:
            os.replace(work / name, args.out / name)
    except OSError as exc:
        raise UsageError(f"{args.out} could not be written ({exc.strerror or type(exc).__name__}).") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    numbers = dress.numbers()
    width, height = dress.fabric_size()
    print(f"wrote {', '.join(SEW_FILES)} to {args.out} (fabric.png {width}x{height} at {dress.dpi} DPI)")
    print(f"fabric: {dress.layout.width:g} cm wide, order {numbers['fabric_length_cm']:g} cm "
          f"(marker {numbers['marker_length_cm']:.1f} cm, efficiency {numbers['marker_efficiency']:.0%})")
    print(f"finished bust {numbers['bust_cm']:.1f}, waist {numbers['waist_cm']:.1f}, hip {numbers['hip_cm']:.1f} cm; "
          f"seams match within {numbers['worst_seam_difference_cm'] * 10:.2f} mm; "
          f"sleeve cap ease {numbers['sleeve_cap_ease_cm']:.1f} cm")


def _weights_option(subparser: argparse.ArgumentParser) -> None:
    subparser.add_argument("--weights", type=Path, help="parser weights (default: the shipped model)")


def _add_design(verbs: argparse._SubParsersAction) -> None:
    from studio.style import DESIGN_LONG_SIDE

    design = verbs.add_parser("design", help="stylize a content image with one or more artworks")
    design.add_argument("content")
    design.add_argument("artworks", nargs="+")
    design.add_argument("-o", "--out", type=Path, required=True)
    design.add_argument("--size", type=int, default=DESIGN_LONG_SIDE,
                        help=f"output long side in pixels, 64-2048 (default {DESIGN_LONG_SIDE}, as in the app)")
    design.add_argument("--strength", type=float, default=1.0, help="0 keeps the content's own style, 1 the artwork's")
    design.add_argument("--preserve-colors", action="store_true", help="stylize luminance only")
    design.add_argument("--weights", type=float, nargs="+", help="one blend weight per artwork")
    design.add_argument("--engine", help="style model: SavedModel folder or TF-Hub URL")
    design.set_defaults(run=cmd_design)


def _add_sheet(verbs: argparse._SubParsersAction) -> None:
    sheet = verbs.add_parser("sheet", help="contact sheet: one content image against many artworks")
    sheet.add_argument("content")
    sheet.add_argument("artworks", nargs="+")
    sheet.add_argument("-o", "--out", type=Path, required=True)
    sheet.add_argument("--size", type=int, default=384, help="long side of each design in pixels")
    sheet.add_argument("--columns", type=int, default=4)
    sheet.add_argument("--engine", help="style model: SavedModel folder or TF-Hub URL")
    sheet.set_defaults(run=cmd_sheet)


def _add_fabric(verbs: argparse._SubParsersAction) -> None:
    from studio.pattern import REPEATS

    fabric = verbs.add_parser("fabric", help="lay a design out as repeating fabric")
    fabric.add_argument("design")
    fabric.add_argument("-o", "--out", type=Path, required=True)
    fabric.add_argument("--repeat", choices=REPEATS, default="basic")
    fabric.add_argument("--scale", type=float, default=1.0)
    fabric.add_argument("--rotation", type=float, default=0.0, help="degrees")
    fabric.add_argument("--seamless", action="store_true", help="blend tile edges so they meet")
    fabric.add_argument("--size", type=_size, default=(2048, 2048), help="WIDTHxHEIGHT in pixels")
    fabric.add_argument("--dpi", type=int, default=150)
    fabric.add_argument("--unit", action="store_true", help="write the repeat unit instead of a fabric")
    fabric.set_defaults(run=cmd_fabric)


def _add_parse(verbs: argparse._SubParsersAction) -> None:
    parse = verbs.add_parser("parse", help="label skin, hair and garments in photos")
    parse.add_argument("images", nargs="*")
    parse.add_argument("-o", "--out", type=Path)
    parse.add_argument("--overlay", action="store_true", help="also write a coloured overlay")
    parse.add_argument("--classes", action="store_true", help="print the class table and exit")
    _weights_option(parse)
    parse.set_defaults(run=cmd_parse)


def _add_pose(verbs: argparse._SubParsersAction) -> None:
    pose = verbs.add_parser("pose", help="find body landmarks and the person mask in photos")
    pose.add_argument("images", nargs="+")
    pose.add_argument("-o", "--out", type=Path, required=True)
    pose.add_argument("--overlay", action="store_true", help="also write the skeleton drawn on the photo")
    pose.add_argument("--models", type=Path, help="folder of the BlazePose .tflite files (default: the shipped ones)")
    pose.set_defaults(run=cmd_pose)


def _add_dress(verbs: argparse._SubParsersAction) -> None:
    from studio.parsing import GARMENT_CLASSES

    dress = verbs.add_parser("dress", help="put a fabric or design on the garment in a photo")
    dress.add_argument("photo")
    dress.add_argument("fabric")
    dress.add_argument("-o", "--out", type=Path, required=True)
    dress.add_argument("--garment", choices=[*GARMENT_CLASSES, "clothing"], default="dress")
    dress.add_argument("--scale", type=float, default=1.0, help="1 = one copy of the fabric across the garment")
    dress.add_argument("--rotation", type=float, default=0.0)
    dress.add_argument("--shading", type=float, default=0.85, help="0-1.5: how much of the folds and shadows to keep")
    dress.add_argument("--opacity", type=float, default=1.0)
    dress.add_argument("--fold-warp", type=float, default=None,
                       help="pixels the pattern bends along folds (default: 0.3%% of the photo's long side)")
    dress.add_argument("--texture", type=float, default=0.5, help="0-1: how much of the old garment's fine texture shows")
    _weights_option(dress)
    dress.set_defaults(run=cmd_dress)


def _add_tryon(verbs: argparse._SubParsersAction) -> None:
    from studio.tryon import CATEGORIES, DEFAULT_ENGINE, ENGINES

    tryon = verbs.add_parser("tryon", help="try a garment image (product shot or worn) on a photo")
    tryon.add_argument("photo")
    tryon.add_argument("garment_image")
    tryon.add_argument("-o", "--out", type=Path, required=True)
    tryon.add_argument("--category", choices=list(CATEGORIES), default="dress")
    tryon.add_argument("--engine", default=DEFAULT_ENGINE,
                       help=f"one of: {', '.join(ENGINES)} (default {DEFAULT_ENGINE})")
    _weights_option(tryon)
    tryon.set_defaults(run=cmd_tryon)


def _add_study(verbs: argparse._SubParsersAction) -> None:
    study = verbs.add_parser("study", help="user study: summary, export and import of ratings; the items")
    actions = study.add_subparsers(dest="action", required=True)
    store_help = "ratings CSV or database URL (default: STUDIO_RATINGS_URL, else STUDIO_RATINGS_CSV)"
    summary = actions.add_parser("summary", help="participants, per-question statistics, per-item means")
    summary.add_argument("store", nargs="?", help=store_help)
    items = actions.add_parser("items", help="list the study items")
    items.add_argument("folder", nargs="?", help="items folder (default: STUDIO_STUDY_ITEMS)")
    export = actions.add_parser("export", help="write every rating to a new CSV file for analysis")
    export.add_argument("out", type=Path)
    export.add_argument("--store", help=store_help)
    import_ = actions.add_parser("import", help="copy a ratings CSV into the database (a second run adds nothing)")
    import_.add_argument("csv")
    import_.add_argument("--store", help="database URL (default: STUDIO_RATINGS_URL)")
    study.set_defaults(run=cmd_study)



def _add_sew(verbs: argparse._SubParsersAction) -> None:
    from studio.pattern import REPEATS
    from studio.sew import DEFAULT_FABRIC_WIDTH, DEFAULT_SIZE, LENGTHS, NECKLINES, PAPERS, SILHOUETTES, SIZES, SLEEVES, Style

    default = Style()
    sew = verbs.add_parser("sew", help="the design on made-to-measure dress pattern pieces, ready to print on fabric")
    sew.add_argument("design")
    sew.add_argument("-o", "--out", type=Path, required=True, help="folder for fabric.png, pattern.pdf/.svg/.json, flat.png")
    sew.add_argument("--size", default=DEFAULT_SIZE, help=f"one of {', '.join(SIZES)} (default {DEFAULT_SIZE})")
    sew.add_argument("--measurements", help="own measurements in cm over the size's, e.g. bust=88,waist=70,hip=96")
    sew.add_argument("--silhouette", choices=SILHOUETTES, default=default.silhouette)
    sew.add_argument("--length", choices=LENGTHS, default=default.length)
    sew.add_argument("--sleeve", choices=SLEEVES, default=default.sleeve)
    sew.add_argument("--neckline", choices=NECKLINES, default=default.neckline)
    sew.add_argument("--fabric-width", type=float, default=DEFAULT_FABRIC_WIDTH, help="cm (112, 137 or 150 are usual)")
    sew.add_argument("--dpi", type=float, default=150, help="fabric.png's resolution, 72-600")
    sew.add_argument("--paper", choices=[p for p in PAPERS if p != "copyshop"], default="a4",
                     help="home-printing pages (the full-size copy-shop sheet is the PDF's last page)")
    sew.add_argument("--repeat", choices=REPEATS, default="half-drop")
    sew.add_argument("--scale", type=float, default=1.0, help="1 = the design's pixels at 150 DPI")
    sew.add_argument("--rotation", type=float, default=0.0, help="degrees")
    sew.add_argument("--engineered", type=_fractions, help="X,Y: this point of the design (fractions) on the centre fronts")
    sew.add_argument("--seam-allowance", type=float, default=default.seam_allowance, help="cm")
    sew.add_argument("--hem", type=float, default=default.hem_allowance, help="hem allowance, cm")
    sew.set_defaults(run=cmd_sew)


VERBS = (_add_design, _add_sheet, _add_fabric, _add_parse, _add_pose, _add_dress, _add_tryon, _add_sew, _add_study)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one small function a verb adds its own options."""
    ap = argparse.ArgumentParser(prog="python -m studio", description="Dress Studio from the command line.")
    verbs = ap.add_subparsers(dest="verb", required=True)
    for add_verb in VERBS:
        add_verb(verbs)
    return ap


def main(argv: list[str] | None = None, *, stderr=sys.stderr) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        run(args)
    except StudioError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_BAD_INPUT
    return 0
