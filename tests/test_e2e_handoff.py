"""Pages hand work to each other in a real headless Chromium: an uploaded photo and the Design
page's settings survive a round trip through other pages, and Explore's "Send to Design" sets
Design's controls to the design it sends."""

import pytest
from PIL import ImageOps
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import sample
from tests.e2e_util import SAMPLES, app_in_own_folder, go, no_exception, radio, settled, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_in_own_folder(tmp_path_factory, "e2e-handoff") as served:
        yield served


def widget(page, kind: str, label: str):
    return page.locator(f'[data-testid="{kind}"]').filter(has_text=label).first


def thumb(page, label: str) -> str:
    """The value a slider labelled ``label`` shows."""
    return widget(page, "stSlider", label).locator('[data-testid="stSliderThumbValue"]').inner_text()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox or multiselect labelled ``label``. A list that a busy
    browser closes again at once (before the option shows, or before it is clicked) is opened once more."""
    opener = (widget(page, "stMultiSelect", label).locator("input").first if label == "Sample artworks"
              else widget(page, "stSelectbox", label).locator('button[aria-label="Open"]'))
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        opener.click()
        try:
            item.click(timeout=3000)  # the list can close again between showing the option and the click
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    opener.click()
    item.click()


def test_round_trips_keep_the_photo_and_the_settings(server, page, screenshot_on_failure):
    url, work = server
    me = work / "me.png"
    ImageOps.mirror(sample("photos", "astronaut")).save(me)  # a shopper's photo, not the sample

    page.goto(url)
    page.get_by_role("heading", name="Design your fabric").wait_for()
    settled(page)
    go(page, "Fit")
    settled(page)
    radio(page, "Your photo from", "Upload")
    settled(page)
    upload(page, "Your photo", me)
    page.get_by_text("Photo in use: me.png").wait_for()
    settled(page)
    page.get_by_text("Saved for the Try-on page.").wait_for()
    # The refinements show their defaults, not the widgets' built-in minimum (a page that stopped
    # early while no photo was uploaded once left the browser with -15 px and no speck removal).
    assert thumb(page, "Grow (+) or shrink") == "0"
    assert widget(page, "stCheckbox", "Drop stray specks").locator("input").is_checked()
    assert widget(page, "stCheckbox", "Keep the garment on the person").locator("input").is_checked()
    no_exception(page, "handoff-1-fit-upload")
    widget(page, "stCheckbox", "Show the body's skeleton").click()
    settled(page)
    no_exception(page, "handoff-1b-fit-skeleton")

    go(page, "Design")
    settled(page)
    radio(page, "Content image from", "Upload")
    settled(page)
    upload(page, "Content image", SAMPLES / "content" / "cat.png")
    page.get_by_text("Content, 451x300: cat.png").wait_for()
    settled(page)
    widget(page, "stCheckbox", "Keep the content's colours").click()
    settled(page)
    page.get_by_role("button", name="Create design").click()
    page.get_by_role("heading", name="Fabric repeat").wait_for()
    settled(page)
    choose(page, "Repeat", "mirror")
    page.get_by_text("mirror repeat, 1800x1200 px").wait_for()
    settled(page)
    page.get_by_text("Design, 1024x681: bauhaus on cat.png (from this page)").wait_for()
    no_exception(page, "handoff-2-design")

    go(page, "Try on")
    page.get_by_text("Photo: me.png").wait_for()
    page.get_by_text("Before: me.png").first.wait_for()
    settled(page)
    no_exception(page, "handoff-3-tryon")
    page.get_by_role("tab", name="Try on a garment").click()
    page.get_by_role("button", name="Try it on").click()  # the sample sundress, pose engine
    page.get_by_role("heading", name="Garment try-on").wait_for()
    settled(page)
    page.get_by_role("heading", name="Garment try-on").scroll_into_view_if_needed()
    no_exception(page, "handoff-3b-garment-tryon")

    go(page, "Fit")  # back on Fit: still the shopper's photo, never the sample
    page.get_by_text("Photo in use: me.png").wait_for()
    page.get_by_text("Still using me.png from before").wait_for()
    settled(page)
    page.get_by_text("Saved for the Try-on page.").wait_for()
    assert page.get_by_text("sample: astronaut").count() == 0
    no_exception(page, "handoff-4-fit-again")

    go(page, "Design")  # every Design choice is back
    page.get_by_text("Still using cat.png from before").wait_for()
    page.get_by_text("mirror repeat, 1800x1200 px").wait_for()
    settled(page)
    assert widget(page, "stCheckbox", "Keep the content's colours").locator("input").is_checked()
    assert widget(page, "stSelectbox", "Repeat").locator("input").input_value() == "mirror"
    no_exception(page, "handoff-5-design-again")


def test_send_to_design_sets_the_design_controls(server, page, screenshot_on_failure):
    go(page, "Explore")
    settled(page)
    choose(page, "Sample artworks", "mosaic")
    page.keyboard.press("Escape")
    settled(page)
    page.get_by_role("button", name="Render contact sheet").click()
    page.get_by_text("Download contact sheet (PNG)").wait_for()
    settled(page)
    choose(page, "Use design", "2. mosaic")
    settled(page)
    no_exception(page, "handoff-6-explore")
    page.get_by_role("button", name="Send to Design").click()
    page.get_by_role("heading", name="Design your fabric").wait_for()
    page.get_by_text("Sent from Explore and painted again at the Design page's 1024 px (the sheet's tile was 384 px).").wait_for()
    page.get_by_text("Design, 1024x681: mosaic on sample: cat (from Explore)").wait_for()
    settled(page)
    artworks = widget(page, "stMultiSelect", "Sample artworks").inner_text()
    assert "mosaic" in artworks and "bauhaus" not in artworks
    assert thumb(page, "Design size") == "1024"
    assert widget(page, "stSelectbox", "Content image").locator("input").input_value() == "cat"
    assert not widget(page, "stCheckbox", "Keep the content's colours").locator("input").is_checked()
    no_exception(page, "handoff-7-sent-to-design")
