"""The study in a real headless Chromium: a quick volunteer loses nothing, study mode shows only the study."""

import random

import pytest
from PIL import Image

from studio.study import CsvRatingStore, add_study_item, load_ratings, open_store
from tests.conftest import png_bytes
from tests.e2e_util import browser_page, no_exception, radio, running_app, shot
from tests.pg_server import PASSWORD, pg_server  # noqa: F401 (the fixture)

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


def answer_item(page, k: int, count: int, scores, delay_ms: float = 0) -> None:
    """Wait for "Item k of n", wait ``delay_ms``, answer the three questions, press Next."""
    page.get_by_text(f"Item {k} of {count}").wait_for()
    page.wait_for_timeout(delay_ms)
    for label, score in zip(QUESTION_LABELS, scores):
        radio(page, label, OPTIONS[score])
    page.get_by_role("button", name="Next").click()


def answer_items(page, count: int, answers, delay_ms=(300, 400)) -> None:
    """Answer each item ``delay_ms`` after "Item k of n" appears, as a quick volunteer does."""
    rng = random.Random(7)
    for k in range(count):
        answer_item(page, k + 1, count, answers(k), rng.uniform(*delay_ms))


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
        # A volunteer guessing an address, as the fresh server's first request: Streamlit would serve
        # pages/fit.py on its own, with a list of every page; the page hands over to the entry point.
        page.goto(f"{url}/fit")
        page.get_by_text("I have read this and agree to take part.").wait_for()
        assert page.get_by_role("heading", name="Fit: find your garment").count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
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


def answered(page, label: str, score: int) -> bool:
    group = page.locator('[data-testid="stRadio"]').filter(has_text=label)
    return group.get_by_role("radio", name=OPTIONS[score], exact=True).is_checked()


def test_two_replicas_write_one_database_and_survive_it_going_down(tmp_path, pg_server):  # noqa: F811
    url = pg_server.new_database()
    make_items(tmp_path / "items", 2)
    env = {"STUDIO_STUDY_ITEMS": str(tmp_path / "items"), "STUDIO_RATINGS_URL": url, "STUDIO_APP_MODE": "study",
           "STUDIO_RATINGS_CSV": str(tmp_path / "never-written.csv")}
    with running_app(tmp_path, env) as replica_a, running_app(tmp_path, env) as replica_b, browser_page() as first:
        second = first.context.browser.new_page(viewport={"width": 1400, "height": 1000})  # another volunteer
        start_study(first, replica_a)
        start_study(second, replica_b)
        answer_item(first, 1, 2, (5, 5, 5))  # volunteers on both replicas at the same time
        answer_item(second, 1, 2, (2, 2, 2))
        answer_item(first, 2, 2, (4, 4, 4))
        first.get_by_text("Thank you! Your answers are saved.").wait_for()

        second.get_by_text("Item 2 of 2").wait_for()
        pg_server.stop()
        try:
            for label, score in zip(QUESTION_LABELS, (1, 3, 5)):
                radio(second, label, OPTIONS[score])
            second.get_by_role("button", name="Next").click()
            second.get_by_text("the study's database cannot be reached").wait_for()
            shot(second, "study-database-down")
            assert all(answered(second, label, score) for label, score in zip(QUESTION_LABELS, (1, 3, 5)))
        finally:
            pg_server.start()
        second.get_by_role("button", name="Next").click()  # the retry
        second.get_by_text("Thank you! Your answers are saved.").wait_for()
        no_exception(second, "study-database-back")
    frame = open_store(url).load()
    assert len(frame) == 4 and frame["participant"].nunique() == 2
    answers = sorted(zip(frame["like"], frame["realism"], frame["wear"]))
    assert answers == [(1, 3, 5), (2, 2, 2), (4, 4, 4), (5, 5, 5)]
    assert not (tmp_path / "never-written.csv").exists()
    logs = [log.read_text() for log in tmp_path.glob("streamlit-*.log")]
    assert len(logs) == 2 and not any(PASSWORD in log for log in logs)  # the password is never logged
