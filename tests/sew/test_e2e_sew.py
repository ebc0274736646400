"""The Sew page in a real headless Chromium: the pieces, the layout and the flat are on screen, the
own-measurement fields show their ranges, and a screenshot is kept for a person to look at."""

import pytest

from tests.e2e_util import SHOTS, app_in_own_folder, go, no_exception, radio, settled

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_in_own_folder(tmp_path_factory, "e2e-sew") as served:
        yield served[0]


def test_sew_page_shows_the_pieces(server, page, screenshot_on_failure):
    page.goto(server)
    page.get_by_role("heading", name="Design your fabric").wait_for()
    settled(page)
    go(page, "Sew")
    page.get_by_text("The pieces with your design").wait_for()
    settled(page)
    assert page.get_by_text("No design from the Design page yet").count() == 1
    images = page.locator('[data-testid="stImage"] img')
    assert images.count() == 3
    for i in range(3):
        assert images.nth(i).evaluate("img => img.naturalWidth") > 300
    page.set_viewport_size({"width": 1400, "height": 2000})  # the page scrolls in its own box: show it all
    settled(page)
    no_exception(page, "sew-1-pieces")
    radio(page, "Draft from", "Own measurements")
    settled(page)
    page.get_by_text("70–150 cm").wait_for()
    no_exception(page, "sew-2-own-measurements")
    assert (SHOTS / "sew-1-pieces.png").stat().st_size > 50_000
