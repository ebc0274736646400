"""Shared fixtures: the real shipped models, loaded once per test session."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio import config

SAMPLES = config.sample_images_dir()


def sample(kind: str, name: str) -> Image.Image:
    return Image.open(SAMPLES / kind / f"{name}.png").convert("RGB")


def png_bytes(image: Image.Image, **save_args) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=save_args.pop("format", "PNG"), **save_args)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def stylizer():
    from studio.style import Stylizer

    return Stylizer.load()


@pytest.fixture(scope="session")
def garment_parser():
    from studio.parsing import GarmentParser

    return GarmentParser.load()


@pytest.fixture(scope="session")
def ccp_root() -> Path:
    root = config.ccp_dir()
    if not (root / "images").is_dir() or not (root / "labels").is_dir():
        pytest.skip(f"Clothing Co-Parsing data not found at {root} (set STUDIO_CCP_DIR); "
                    "it is only on the project's own machines.")
    return root


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="module")
def page(server):
    """A headless Chromium page for the end-to-end module's own ``server`` fixture."""
    from tests.e2e_util import browser_page

    with browser_page() as tab:
        yield tab


@pytest.fixture
def screenshot_on_failure(page, request):
    """artifacts/e2e/<test module>-failure.png when the test fails."""
    from tests.e2e_util import shot

    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(page, f"{request.module.__name__.rsplit('.', 1)[-1]}-failure")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can react to a failure."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture(autouse=True)
def work_dir(tmp_path, monkeypatch) -> Path:
    """Each test's app keeps shoppers' saved work in its own folder, never in the checkout."""
    folder = tmp_path / "saved_work"
    monkeypatch.setenv("STUDIO_WORK_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_streamlit_warnings(monkeypatch):
    """Fail any test during which Streamlit logs a warning or worse (an AppTest run that gives a
    widget both a default and a session-state value, a cache used outside a script run…). Streamlit's
    loggers do not propagate, so every logger's ``callHandlers`` is watched. AppTest's own harness
    sets session state from the test's main thread, outside any script run; that one notice is not
    the app's."""
    import logging

    from streamlit.elements.lib import policies

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)  # Streamlit warns once per process
    seen: list[logging.LogRecord] = []
    call_handlers = logging.Logger.callHandlers

    def watched(logger: logging.Logger, record: logging.LogRecord) -> None:
        harness = record.threadName == "MainThread" and "missing ScriptRunContext" in record.getMessage()
        if record.name.startswith("streamlit") and record.levelno >= logging.WARNING and not harness:
            seen.append(record)
        call_handlers(logger, record)

    monkeypatch.setattr(logging.Logger, "callHandlers", watched)
    yield
    assert not seen, "Streamlit warned: " + " | ".join(r.getMessage() for r in seen)


@pytest.fixture(autouse=True)
def main_module_restored():
    """AppTest runs the app script as ``__main__`` and leaves it there; a later test's ``spawn``
    workers would then run the whole app script before their own function. Each test gets back the
    ``__main__`` it started with."""
    import sys

    before = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = before
