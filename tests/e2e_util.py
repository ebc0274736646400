"""Shared pieces of the end-to-end tests: a real `streamlit run` on a free localhost port, driven by
Debian's Chromium through Playwright (Playwright's own browser download is not used).

Each e2e test file builds its own server with :func:`running_app` (its own environment, e.g. a study
mode or a ratings file) and shares the browser helpers below. Screenshots go to artifacts/e2e/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from studio import config

SHOTS = config.PROJECT_ROOT / "artifacts" / "e2e"
SAMPLES = config.sample_images_dir()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT_MS = 180_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_in_own_folder(tmp_path_factory, name: str) -> Iterator[tuple[str, Path]]:
    """(URL, folder) of the app run for one test module, its study items and ratings in its own folder."""
    work = tmp_path_factory.mktemp(name)
    with running_app(work, {"STUDIO_STUDY_ITEMS": str(work / "items"),
                            "STUDIO_RATINGS_CSV": str(work / "ratings.csv")}) as url:
        yield url, work


@contextmanager
def running_app(work: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free port with ``env`` added; yields its URL."""
    port = free_port()
    log_path = work / f"streamlit-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=config.PROJECT_ROOT, env={**os.environ, "STUDIO_WORK_DIR": str(work / "saved_work"), **(env or {})},
            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not become healthy; log: {log_path.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


DESKTOP = {"viewport": {"width": 1400, "height": 1000}}


@contextmanager
def browser_page(**options) -> Iterator:
    """A Playwright page in headless Chromium (a desktop window unless ``options`` for Playwright's
    ``new_page`` say otherwise); skips the test where Chromium is not installed."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it in CI.")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(**(options or DESKTOP))
        tab.set_default_timeout(WAIT_MS)
        try:
            yield tab
        finally:
            browser.close()


def shot(page, name: str) -> None:
    """Save a full-page screenshot as artifacts/e2e/NAME.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_exception(page, name: str) -> None:
    """Screenshot the page and fail if Streamlit shows an exception on it."""
    shot(page, name)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name} shows an exception"


def settled(page) -> None:
    """Wait until the rerun an action asked for has finished: Streamlit shows its status widget and
    marks old elements stale while a script runs. The short pause lets the server pick the rerun up
    first (a click on a page still redrawing can land on another widget)."""
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"], [data-stale=\"true\"]')")


def go(page, title: str) -> None:
    """Open a page from the sidebar navigation and wait for its heading."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.get_by_role("heading").filter(has_text=title.split()[0]).first.wait_for()


def radio(page, group: str, option: str) -> None:
    page.locator('[data-testid="stRadio"]').filter(has_text=group).get_by_text(option, exact=True).click()


def upload(page, uploader_label: str, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"]').filter(has_text=uploader_label).locator(
        'input[type="file"]').set_input_files(str(path))
