"""Where the studio finds its models and data.

Every path comes from here, so a deployment can move things with environment variables
instead of editing code. Defaults point inside the project checkout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else default


def models_dir() -> Path:
    """Folder holding the shipped model files (``STUDIO_MODELS_DIR``)."""
    return _path_from_env("STUDIO_MODELS_DIR", PROJECT_ROOT / "models")


def style_handle() -> str:
    """Style engine handle (``STUDIO_STYLE_HANDLE``): a SavedModel folder or a TF-Hub URL."""
    return os.environ.get("STUDIO_STYLE_HANDLE") or str(models_dir() / "magenta_arbitrary_v2_tf")


DEFAULT_STYLE_ENGINE = "magenta"
_ENGINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")


def style_engines() -> dict[str, str]:
    """The style engines a shopper may choose, by name -> handle, the first being the default.

    The operator's allow-list ``STUDIO_STYLE_ENGINES`` (``NAME=HANDLE`` entries separated by ``;``),
    else the one engine ``magenta`` at :func:`style_handle`. Shoppers only ever send a name: a handle
    is opened and run as a program, so it is server configuration only.
    """
    from studio.errors import ConfigError

    listed = os.environ.get("STUDIO_STYLE_ENGINES", "").strip()
    if not listed:
        return {DEFAULT_STYLE_ENGINE: style_handle()}
    engines: dict[str, str] = {}
    for number, entry in enumerate((e for e in listed.split(";") if e.strip()), start=1):
        name, _, handle = (part.strip() for part in entry.partition("="))
        if not _ENGINE_NAME.fullmatch(name) or not handle or name in engines:
            raise ConfigError(f"STUDIO_STYLE_ENGINES entry {number} is not a new NAME=HANDLE pair (a name of up to "
                              "40 letters, digits, spaces, dots, dashes or underscores).")
        engines[name] = str(Path(handle).expanduser()) if "://" not in handle else handle
    return engines


def style_engine_handle(name: str) -> str:
    """The handle of the configured style engine ``name``; any other name is refused, never opened."""
    from studio.errors import UnknownChoiceError

    engines = style_engines()
    if name not in engines:
        raise UnknownChoiceError(f"There is no style engine {name[:40]!r}; choose one of: {', '.join(engines)}.")
    return engines[name]


def parser_weights() -> Path:
    """Garment parser weights (``STUDIO_PARSER_WEIGHTS``)."""
    return _path_from_env("STUDIO_PARSER_WEIGHTS", models_dir() / "garment_parser.safetensors")


def body_models_dir() -> Path:
    """Folder holding the BlazePose ``.tflite`` files (``STUDIO_BODY_MODELS``)."""
    return _path_from_env("STUDIO_BODY_MODELS", models_dir() / "blazepose")


def sample_images_dir() -> Path:
    """Images shipped for a first run without uploads (``STUDIO_SAMPLES_DIR``)."""
    return _path_from_env("STUDIO_SAMPLES_DIR", PROJECT_ROOT / "sample_images")


def study_items_dir() -> Path:
    """Folder of images rated in the user study (``STUDIO_STUDY_ITEMS``)."""
    return _path_from_env("STUDIO_STUDY_ITEMS", PROJECT_ROOT / "study" / "items")


def ratings_csv() -> Path:
    """CSV file the study appends ratings to (``STUDIO_RATINGS_CSV``)."""
    return _path_from_env("STUDIO_RATINGS_CSV", PROJECT_ROOT / "study" / "ratings.csv")


def ratings_url() -> str | None:
    """SQLAlchemy URL of the ratings database (``STUDIO_RATINGS_URL``), for app replicas; None: use the CSV.

    A password may be in the URL or, better, in ``PGPASSWORD`` or ``~/.pgpass`` (read by libpq).
    """
    return os.environ.get("STUDIO_RATINGS_URL") or None


def ratings_location() -> str | Path:
    """Where the study's ratings are stored: the database URL when set, else the CSV file."""
    return ratings_url() or ratings_csv()


APP_MODES = ("studio", "study")


def app_mode() -> str:
    """``STUDIO_APP_MODE``: ``studio`` (every page, the default) or ``study`` (only consent and the items)."""
    from studio.errors import UnknownChoiceError

    mode = (os.environ.get("STUDIO_APP_MODE") or "studio").strip().lower()
    if mode not in APP_MODES:
        raise UnknownChoiceError(f"STUDIO_APP_MODE is {mode!r}; use one of: {', '.join(APP_MODES)}.")
    return mode


def study_id() -> str:
    """Name of the running study, written with every rating (``STUDIO_STUDY_ID``)."""
    return os.environ.get("STUDIO_STUDY_ID", "dress-studio-pilot")


def work_dir() -> Path:
    """Folder of the shoppers' saved work, one subfolder per anonymous id (``STUDIO_WORK_DIR``);
    replicas of the app share it (see the README)."""
    return _path_from_env("STUDIO_WORK_DIR", PROJECT_ROOT / "saved_work")


def _positive_number(variable: str, default: float) -> float:
    from studio.errors import ConfigError

    text = os.environ.get(variable) or str(default)
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"{variable} is {text[:20]!r}; give a positive number.")
    return value


def work_cap_bytes() -> int:
    """Most bytes of saved work per shopper (``STUDIO_WORK_CAP_MB``, default 50 MB)."""
    return int(_positive_number("STUDIO_WORK_CAP_MB", 50) * 1024 * 1024)


def work_expiry_seconds() -> float:
    """A shopper's saved work is deleted after this long unused (``STUDIO_WORK_EXPIRY_DAYS``, default 30)."""
    return _positive_number("STUDIO_WORK_EXPIRY_DAYS", 30) * 86400


def ccp_dir() -> Path:
    """Clothing Co-Parsing data for training and tests (``STUDIO_CCP_DIR``)."""
    return _path_from_env("STUDIO_CCP_DIR", PROJECT_ROOT.parent / "shared" / "ccp")
