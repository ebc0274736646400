"""Measure the BlazePose body estimate on CCP validation photos for its model card.

    python -m tools.body_card [--photos 90] [--landmark-model PATH] [--person-mask detector|labels|parser]
    python -m tools.body_card --runtimes [MODEL.tflite ...]

Prints, for the landmark model given (default: the shipped one):
- the share of seen key landmarks (nose, shoulders, hips, ankles) on the labelled person grown by
  0, 15, 21 and 25 px (issue 13 asks >= 95% at 15-25 px);
- the person mask's IoU with the labelled person (all non-background classes; asks mean >= 0.85);
- the median time per photo (model inference plus pre/post-processing, this machine, this moment).

``--runtimes`` instead times each model file under ai-edge-litert and under tf.lite (import, load,
median invoke on the same random input) and checks that both give the same outputs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from studio import config
from studio.body import DETECTOR_FILE, LANDMARK_FILE, BodyError, BodyEstimator
from tools.ccp import CCPReader, split

KEY_LANDMARKS = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ankle", "right_ankle")
GROWTHS = (0, 15, 21, 25)


def compare_runtimes(models: list[Path], repeats: int = 20) -> None:
    """Import, load and invoke times of each model under both interpreters, and their largest output gap."""
    outputs: dict[str, dict[Path, list[np.ndarray]]] = {}
    for runtime in ("ai-edge-litert", "tf.lite"):
        start = time.perf_counter()
        if runtime == "tf.lite":
            import tensorflow as tf

            interpreter_class = tf.lite.Interpreter
        else:
            from ai_edge_litert.interpreter import Interpreter as interpreter_class
        imported = time.perf_counter() - start
        outputs[runtime] = {}
        for model in models:
            start = time.perf_counter()
            interpreter = interpreter_class(model_path=str(model), num_threads=2)
            interpreter.allocate_tensors()
            loaded = time.perf_counter() - start
            detail = interpreter.get_input_details()[0]
            batch = np.random.default_rng(0).random(detail["shape"], dtype=np.float32)
            times = []
            for _ in range(repeats + 2):
                start = time.perf_counter()
                interpreter.set_tensor(detail["index"], batch)
                interpreter.invoke()
                times.append(time.perf_counter() - start)
            outputs[runtime][model] = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
            print(f"{runtime:15s} {model.name:28s} import {imported:.2f} s, load {loaded:.3f} s, "
                  f"median invoke {statistics.median(times[2:]) * 1000:.1f} ms")
    for model in models:
        pairs = zip(outputs["ai-edge-litert"][model], outputs["tf.lite"][model])
        gap = max(float(np.abs(a - b).max()) for a, b in pairs)
        print(f"{model.name}: largest output difference between the runtimes {gap:.2e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runtimes", nargs="*", type=Path, help="compare interpreters on these files (default: shipped)")
    ap.add_argument("--photos", type=int, default=90, help="first N validation photos (90 = all)")
    ap.add_argument("--landmark-model", type=Path, help="another landmark .tflite (lite, heavy) to compare")
    ap.add_argument("--person-mask", choices=["detector", "labels", "parser"], default="detector",
                    help="where the region comes from: the detector, the labelled person, the garment parser")
    args = ap.parse_args()
    if args.runtimes is not None:
        folder = config.body_models_dir()
        compare_runtimes(args.runtimes or [folder / DETECTOR_FILE, folder / LANDMARK_FILE])
        return
    if args.landmark_model:
        estimator = BodyEstimator(config.body_models_dir() / DETECTOR_FILE, args.landmark_model)
    else:
        estimator = BodyEstimator.load()
    parser = None
    if args.person_mask == "parser":
        from studio.parsing import GarmentParser

        parser = GarmentParser.load()
    reader = CCPReader()
    ids = split()[1][:args.photos]
    inside = dict.fromkeys(GROWTHS, 0)
    seen, ious, seconds, failures = 0, [], [], []
    for photo_id in ids:
        photo, labels = reader.load(photo_id)
        person = labels > 0
        distance = ndimage.distance_transform_edt(~person)
        given = {"detector": None, "labels": person}.get(args.person_mask)
        if parser is not None:
            given = parser.predict(photo).labels > 0
        start = time.perf_counter()
        try:
            body = estimator.predict(photo, person_mask=given)
        except BodyError as exc:
            failures.append(f"{photo_id}: {exc}")
            continue
        seconds.append(time.perf_counter() - start)
        for name in KEY_LANDMARKS:
            if body.visible(name):
                x, y = body.point(name)
                seen += 1
                for growth in GROWTHS:
                    inside[growth] += bool(distance[int(y), int(x)] <= growth)
        ious.append(float((body.person_mask & person).sum() / (body.person_mask | person).sum()))
    model = args.landmark_model.name if args.landmark_model else "shipped"
    print(f"landmark model: {model}; region from: {args.person_mask}; {len(ids)} CCP validation photos, "
          f"{len(failures)} without a body")
    for line in failures:
        print(f"  {line}")
    shares = ", ".join(f"{growth} px {inside[growth] / seen:.4f}" for growth in GROWTHS)
    print(f"seen key landmarks: {seen}; on the labelled person grown by {shares}")
    print(f"person mask IoU: mean {np.mean(ious):.4f}, median {np.median(ious):.4f}, min {np.min(ious):.4f}, "
          f"photos below 0.85: {sum(i < 0.85 for i in ious)}")
    print(f"median time per photo: {statistics.median(seconds):.3f} s")


if __name__ == "__main__":
    main()
