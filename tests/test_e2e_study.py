"""The study in a real headless Chromium: a quick volunteer loses nothing, study mode shows only the study."""

import random

import pytest
from PIL import Image

from studio.study import CsvRatingStore, add_study_item, load_ratings
from tests.conftest import png_bytes
from tests.e2e_util import browser_page, no_exception, radio, running_app, shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTION_LABELS = ("I like the design", "It looks realistic", "I would wear or buy it")
OPTIONS = {1: "1 · strongly disagree", 2: "2", 3: "3 · neutral", 4: "4", 5: "5 · strongly agree"}


def make_items(folder, count: int) -> None:
    """Photo-sized items (2400x3600): the server spends a quarter second resizing each for the page,
    as a loaded server does. Before the fix, answers given at once were lost in that time."""
    gradient = Image.linear_gradient("L").resize((2400, 3600))
    for n in range(count):
        tint = Image.new("L", gradient.size, 40 * n % 256)
        picture = Image.merge("RGB", (gradient, tint, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
        add_study_item(folder, png_bytes(picture, compress_level=1), {"n": n})


def start_study(page, url: str) -> None:
    """Open the volunteer's link (an app in study mode), consent and start."""
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_text("I have read this and agree to take part.").click()
    page.get_by_role("button", name="Start").click()


def answer_items(page, count: int, answers, delay_ms=(300, 400), rng=None) -> None:
    """Answer each item ``delay_ms`` after "Item k of n" appears, as a quick volunteer does."""
    rng = rng or random.Random(7)
    for k in range(count):
        page.get_by_text(f"Item {k + 1} of {count}").wait_for()
        page.wait_for_timeout(rng.uniform(*delay_ms))
        for label, score in zip(QUESTION_LABELS, answers(k)):
            radio(page, label, OPTIONS[score])
        page.get_by_role("button", name="Next").click()


@pytest.mark.parametrize("delay_ms", [(0, 50), (300, 400)], ids=["at once", "300-400 ms"])
def test_a_quick_volunteer_loses_no_answer(tmp_path, delay_ms):
    make_items(tmp_path / "items", 5)
    env = {"STUDIO_STUDY_ITEMS": str(tmp_path / "items"), "STUDIO_RATINGS_CSV": str(tmp_path / "ratings.csv"),
           "STUDIO_APP_MODE": "study"}  # the volunteer's link
    answers = lambda k: (1 + k % 5, 1 + (k + 2) % 5, 1 + (k + 4) % 5)  # noqa: E731 (different per item)
    with running_app(tmp_path, env) as url, browser_page() as page:
        start_study(page, url)
        answer_items(page, 5, answers, delay_ms)
        page.get_by_text("Thank you! Your answers are saved.").wait_for()
        no_exception(page, f"study-quick-volunteer-{delay_ms[0]}ms")
        assert page.get_by_text("Please answer all three questions.").count() == 0
    frame = load_ratings(tmp_path / "ratings.csv")
    assert len(frame) == 5 and frame.attrs["repeated_rows"] == 0 and frame["item"].nunique() == 5
    assert frame["participant"].nunique() == 1
    order = list(frame["item"])  # rows are written in the order the items were shown
    for k, row in enumerate(frame.itertuples()):
        assert (row.like, row.realism, row.wear) == answers(k), f"item {k + 1} ({order[k]})"


def test_study_mode_shows_only_the_study(tmp_path):
    make_items(tmp_path / "items", 1)
    CsvRatingStore(tmp_path / "ratings.csv").append({"participant": "p-earlier", "item": "x", "like": 1,
                                                     "realism": 1, "wear": 1})
    env = {"STUDIO_STUDY_ITEMS": str(tmp_path / "items"), "STUDIO_RATINGS_CSV": str(tmp_path / "ratings.csv"),
           "STUDIO_APP_MODE": "study"}
    with running_app(tmp_path, env) as url, browser_page() as page:
        page.set_default_timeout(60_000)
        page.goto(f"{url}/results")  # a volunteer guessing an address, as the fresh server's first request
        page.get_by_role("heading", name="User study").wait_for()
        assert page.get_by_role("heading", name="Study results").count() == 0
        assert page.get_by_text("participants liked").count() == 0
        page.goto(url)  # the volunteer's link
        page.get_by_text("I have read this and agree to take part.").wait_for()
        shot(page, "study-mode")
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        assert page.get_by_text("Style model").count() == 0
        page.goto(f"{url}/results")
        page.get_by_text("I have read this and agree to take part.").wait_for()
        assert page.get_by_role("heading", name="Study results").count() == 0
        start_study(page, url)
        answer_items(page, 1, lambda k: (5, 4, 3))
        page.get_by_text("Thank you! Your answers are saved.").wait_for()
        no_exception(page, "study-mode-done")
    assert list(load_ratings(tmp_path / "ratings.csv")["like"]) == [1, 5]
