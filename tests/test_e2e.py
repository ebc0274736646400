"""The whole app in a real headless Chromium: Design -> Fit -> Try on -> Study -> Results.

Starts `streamlit run` on a free localhost port and drives Debian's Chromium with Playwright
(Playwright's own browser download is not used). Screenshots go to artifacts/e2e/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from studio import config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SHOTS = config.PROJECT_ROOT / "artifacts" / "e2e"
SAMPLES = config.sample_images_dir()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT_MS = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ, "STUDIO_STUDY_ITEMS": str(work / "items"), "STUDIO_RATINGS_CSV": str(work / "ratings.csv")}
    log = open(work / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=config.PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"streamlit did not become healthy; log: {(work / 'streamlit.log').read_text()[-2000:]}")
    yield url, work
    process.terminate()
    process.wait(20)


@pytest.fixture(scope="module")
def page(server):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it in CI.")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-quic", "--disable-sync"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(WAIT_MS)
        yield tab
        browser.close()


def _no_exception(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name} shows an exception"


def _go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.get_by_role("heading").filter(has_text=title.split()[0]).first.wait_for()


def _radio(page, group: str, option: str) -> None:
    page.locator('[data-testid="stRadio"]').filter(has_text=group).get_by_text(option, exact=True).click()


@pytest.fixture
def screenshot_on_failure(page, request):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)


def test_design_fit_tryon_study_results(server, page, screenshot_on_failure):
    url, work = server
    page.goto(url)
    page.get_by_role("heading", name="Design your fabric").wait_for()
    _radio(page, "Content image from", "Upload")
    page.locator('[data-testid="stFileUploader"]').filter(has_text="Content image").locator('input[type="file"]').set_input_files(str(SAMPLES / "content" / "cat.png"))
    page.locator('[data-testid="stFileUploader"]').filter(has_text="upload artworks").locator('input[type="file"]').set_input_files(str(SAMPLES / "artworks" / "waves.png"))
    page.get_by_text("Content, 451x300").wait_for()
    page.get_by_role("button", name="Create design").click()
    page.get_by_role("heading", name="Your design").wait_for()
    page.get_by_text("Download design (PNG)").wait_for()
    page.get_by_text("Download repeat tile (PNG)").wait_for()
    _no_exception(page, "1-design")

    _go(page, "Fit")
    _radio(page, "Your photo from", "Upload")
    page.locator('input[type="file"]').first.set_input_files(str(SAMPLES / "photos" / "astronaut.png"))
    page.get_by_text("What the studio sees").wait_for()
    page.get_by_text("Saved for the Try-on page.").wait_for()
    before = page.get_by_text("Chosen area:").inner_text()
    page.get_by_text("Paint corrections with a brush").click()
    canvas = page.locator("canvas.upper-canvas").first  # Fabric.js takes the pointer on its upper canvas
    canvas.wait_for()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 20 + step * 12, box["y"] + 20 + step * 3)
    page.mouse.up()
    page.wait_for_function("t => !document.body.innerText.includes(t)", arg=before)
    after = page.get_by_text("Chosen area:").inner_text()
    grown = int(after.split(":")[1].split("%")[0]) - int(before.split(":")[1].split("%")[0])
    assert 1 <= grown <= 6  # one 18 px stroke across the photo adds a few percent
    _no_exception(page, "2-fit")

    _go(page, "Try on")
    page.get_by_text("After").first.wait_for()
    page.get_by_text("Download the result (PNG)").first.wait_for()
    page.get_by_role("button", name="Add to study").first.click()
    page.get_by_text("Added to the study").wait_for()
    _no_exception(page, "3-tryon")

    _go(page, "Study")
    page.get_by_text("I have read this and agree to take part.").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Item 1 of 1").wait_for()
    for group in ("I like the design", "It looks realistic", "I would wear or buy it"):
        _radio(page, group, "5 · strongly agree")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Thank you! Your answers are saved.").wait_for()
    _no_exception(page, "4-study")
    assert (work / "ratings.csv").read_text().count("\n") == 2  # header + one rating

    _go(page, "Results")
    page.get_by_text("1 out of 1 participants liked the designs").wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    _no_exception(page, "5-results")
