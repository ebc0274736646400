"""The app at a phone's size (390x844) in a real headless Chromium, with results on every page:
no horizontal scroll and every picture inside the screen; no field takes a style handle and no
page shows a server path; a reload of Fit and of Design brings the work back."""

import pytest
from PIL import ImageOps

from studio import config
from tests.conftest import sample
from tests.e2e_util import app_in_own_folder, browser_page, radio, settled, shot, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PHONE_BROWSER = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/131.0.0.0 Mobile Safari/537.36")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_in_own_folder(tmp_path_factory, "e2e-phone") as served:
        yield served


@pytest.fixture(scope="module")
def page(server):
    """A phone-sized Chromium tab (touch, mobile viewport)."""
    with browser_page(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=PHONE_BROWSER) as tab:
        yield tab


def go(page, title: str) -> None:
    """Open the sidebar, choose a page, and check that the sidebar closed again over it."""
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.get_by_role("heading").filter(has_text=title.split()[0]).first.wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]').dataset.collapsed === 'true'")


FITS = """() => {
    const width = document.documentElement.clientWidth;
    const containers = '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"]';
    const scrolled = [document.documentElement, document.body, ...document.querySelectorAll(containers)]
        .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'hidden')
        .map(e => (e.dataset.testid || e.tagName) + ' ' + e.scrollWidth);
    const outside = [...document.querySelectorAll('img')].filter(i => {
        const r = i.getBoundingClientRect();
        return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
    }).map(i => (i.alt || i.src.slice(-40)) + ' ' + Math.round(i.getBoundingClientRect().right));
    const clipped = [...document.querySelectorAll('iframe')].filter(f => {  // a component wider than its frame
        const inner = f.contentDocument && f.contentDocument.documentElement;
        return inner && f.clientWidth > 0 && inner.scrollWidth > f.clientWidth + 1;
    }).map(f => f.title + ' ' + f.contentDocument.documentElement.scrollWidth + '>' + f.clientWidth);
    return {scrolled, outside, clipped};
}"""


def fits_the_phone(page, name: str, *, server_paths: list[str]) -> None:
    """Screenshot, then: no horizontal scroll, every img inside the viewport, no style-handle
    field, no server path in the text or in any field's value."""
    settled(page)
    main = page.locator('[data-testid="stMain"]')
    height = main.evaluate("m => m.scrollHeight")
    for part, top in enumerate(range(0, min(height, 6 * PHONE["height"]), PHONE["height"] - 100)):
        main.evaluate("(m, top) => m.scrollTo(0, top)", top)  # the page scrolls inside stMain: shoot it screen by screen
        page.wait_for_timeout(150)
        shot(page, f"phone-{name}-{part}")
    main.evaluate("m => m.scrollTo(0, 0)")
    result = page.evaluate(FITS)
    assert result["scrolled"] == [], f"{name} scrolls sideways: {result['scrolled']}"
    assert result["outside"] == [], f"{name} has pictures past the edge: {result['outside']}"
    assert result["clipped"] == [], f"{name} cuts off a component: {result['clipped']}"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stTextInput"]').count() == 0  # no field takes a handle (or anything)
    text = page.evaluate("() => document.body.innerText + [...document.querySelectorAll('input, textarea')]"
                         ".map(e => e.value).join(' ')")
    for path in server_paths:
        assert path not in text, f"{name} shows the server path {path}"


def test_every_page_fits_a_phone_and_a_reload_keeps_the_work(server, page):
    url, work = server
    paths = [str(config.PROJECT_ROOT), str(work)]
    me = work / "me.png"
    ImageOps.mirror(sample("photos", "astronaut")).save(me)

    page.goto(url)
    page.get_by_role("heading", name="Design your fabric").wait_for()
    settled(page)
    page.get_by_role("button", name="Create design").click()
    page.get_by_role("heading", name="Fabric repeat").wait_for()
    page.get_by_text("half-drop repeat, 1800x1200 px").wait_for()
    fits_the_phone(page, "1-design", server_paths=paths)
    assert "?work=" in page.url

    page.reload()  # the design is still there
    page.get_by_text("Design, 1024x681: bauhaus on sample: cat (from this page)").wait_for()
    page.get_by_role("heading", name="My designs").wait_for()
    fits_the_phone(page, "1b-design-reloaded", server_paths=paths)

    go(page, "Explore")
    page.get_by_role("button", name="Render contact sheet").click()
    page.get_by_text("Download contact sheet (PNG)").wait_for()
    fits_the_phone(page, "2-explore", server_paths=paths)

    go(page, "Fit")
    radio(page, "Your photo from", "Upload")
    settled(page)
    upload(page, "Your photo", me)
    page.get_by_text("Photo in use: me.png").wait_for()
    page.get_by_text("Saved for the Try-on page.").wait_for()
    page.get_by_text("Paint corrections with a brush").click()
    fits_the_phone(page, "3-fit", server_paths=paths)

    page.reload()  # the uploaded photo is still in use and shown
    page.get_by_text("Photo in use: me.png").wait_for()
    page.get_by_text("What the studio sees").wait_for()
    page.get_by_text("Saved for the Try-on page.").wait_for()
    assert page.get_by_text("sample: astronaut").count() == 0
    fits_the_phone(page, "3b-fit-reloaded", server_paths=paths)

    go(page, "Try on")
    page.get_by_text("After").first.wait_for()
    page.get_by_role("button", name="Add to study").first.click()
    page.get_by_text("Added to the study").wait_for()
    fits_the_phone(page, "4-tryon", server_paths=paths)
    page.get_by_role("tab", name="Try on a garment").click()
    page.get_by_role("button", name="Try it on").click()
    page.get_by_role("heading", name="Garment try-on").wait_for()
    fits_the_phone(page, "4b-garment-tryon", server_paths=paths)

    go(page, "Study")
    page.get_by_text("I have read this and agree to take part.").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Item 1 of 1").wait_for()
    fits_the_phone(page, "5-study", server_paths=paths)
    for group in ("I like the design", "It looks realistic", "I would wear or buy it"):
        radio(page, group, "4")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Thank you! Your answers are saved.").wait_for()

    go(page, "Results")
    page.get_by_text("1 out of 1 participants liked the designs").wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    fits_the_phone(page, "6-results", server_paths=paths)
