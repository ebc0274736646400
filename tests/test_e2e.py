"""The whole app in a real headless Chromium: Design -> Fit -> Try on -> Study -> Results."""

import pytest

from tests.e2e_util import SAMPLES, app_in_own_folder, go, no_exception, radio, settled, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_in_own_folder(tmp_path_factory, "e2e") as served:
        yield served


def draw_stroke(page, canvas) -> None:
    """One 18 px brush stroke from the top left down across the photo."""
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 20 + step * 12, box["y"] + 20 + step * 3)
    page.mouse.up()


def wait_for_stroke(page, seconds: float = 10.0) -> bool:
    """Whether the brush canvas shows pixels of the "add" brush colour within ``seconds`` (the
    canvas lives in the component's shadow DOM, which locators pierce)."""
    count_green = """cs => cs.reduce((n, c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 60 && d[i + 1] > 150 && d[i + 2] < 140) n++;
        return n;
    }, 0)"""
    for _ in range(int(seconds * 4)):
        if page.locator("canvas.dc-canvas.lower-canvas").evaluate_all(count_green) > 200:
            return True
        page.wait_for_timeout(250)
    return False


def test_design_fit_tryon_study_results(server, page, screenshot_on_failure):
    url, work = server
    page.goto(url)
    page.get_by_role("heading", name="Design your fabric").wait_for()
    radio(page, "Content image from", "Upload")
    upload(page, "Content image", SAMPLES / "content" / "cat.png")
    upload(page, "upload artworks", SAMPLES / "artworks" / "waves.png")
    page.get_by_text("Content, 451x300: cat.png").wait_for()
    page.get_by_role("button", name="Create design").click()
    page.get_by_role("heading", name="Your design").wait_for()
    page.get_by_text("Download design (PNG)").wait_for()
    page.get_by_text("Download repeat tile (PNG)").wait_for()
    no_exception(page, "1-design")

    go(page, "Fit")
    radio(page, "Your photo from", "Upload")
    page.locator('input[type="file"]').first.set_input_files(str(SAMPLES / "photos" / "astronaut.png"))
    page.get_by_text("What the studio sees").wait_for()
    page.get_by_text("Saved for the Try-on page.").wait_for()
    before = page.get_by_text("Chosen area:").inner_text()
    page.get_by_text("Paint corrections with a brush").click()
    canvas = page.locator("canvas.upper-canvas").first  # Fabric.js takes the pointer on its upper canvas
    canvas.wait_for()
    settled(page)
    for _ in range(5):  # the canvas takes strokes once it has loaded its drawing (a moment after it shows;
        draw_stroke(page, canvas)  # longer on a busy machine); the same stroke again covers the same pixels
        if wait_for_stroke(page, seconds=15.0):
            break
    else:
        raise AssertionError("the canvas never showed the brush stroke")
    page.wait_for_function("t => !document.body.innerText.includes(t)", arg=before)
    after = page.get_by_text("Chosen area:").inner_text()
    grown = int(after.split(":")[1].split("%")[0]) - int(before.split(":")[1].split("%")[0])
    assert 1 <= grown <= 6  # one 18 px stroke across the photo adds a few percent
    no_exception(page, "2-fit")

    go(page, "Try on")
    page.get_by_text("After").first.wait_for()
    page.get_by_text("Download the result (PNG)").first.wait_for()
    page.get_by_role("button", name="Add to study").first.click()
    page.get_by_text("Added to the study").wait_for()
    no_exception(page, "3-tryon")

    go(page, "Fit")  # the stroke is still there, on the canvas and in the chosen area
    settled(page)
    assert page.get_by_text("Chosen area:").inner_text() == after
    page.get_by_text("Paint corrections with a brush").click()
    page.locator("canvas.upper-canvas").first.wait_for()
    assert wait_for_stroke(page)  # drawn again on the canvas
    settled(page)
    assert page.get_by_text("Chosen area:").inner_text() == after
    no_exception(page, "3b-fit-again")

    go(page, "Study")
    page.get_by_text("I have read this and agree to take part.").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Item 1 of 1").wait_for()
    for group in ("I like the design", "It looks realistic", "I would wear or buy it"):
        radio(page, group, "5 · strongly agree")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Thank you! Your answers are saved.").wait_for()
    no_exception(page, "4-study")
    assert (work / "ratings.csv").read_text().count("\n") == 2  # header + one rating

    go(page, "Results")
    page.get_by_text("1 out of 1 participants liked the designs").wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    no_exception(page, "5-results")
