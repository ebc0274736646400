"""Study and Results pages driven by AppTest, with the ratings CSV checked on disk."""

import json
import math

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from studio import config
from studio.study import QUESTIONS, CsvRatingStore, add_study_item, load_ratings
from tests.conftest import png_bytes

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def study_env(tmp_path, monkeypatch):
    items = tmp_path / "items"
    for colour in [(200, 30, 30), (30, 200, 30)]:
        add_study_item(items, png_bytes(Image.new("RGB", (64, 64), colour)), {"colour": list(colour)})
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(items))
    monkeypatch.setenv("STUDIO_RATINGS_CSV", str(tmp_path / "ratings.csv"))
    return tmp_path


def start(at: AppTest) -> AppTest:
    at.switch_page("app_pages/study.py").run()
    assert not at.exception
    assert at.button[0].disabled  # no start before consent
    at.checkbox(key="study_consent").check().run()
    at.button[0].click().run()
    return at


def answer(at: AppTest, like: int, realism: int, wear: int, comment: str = "") -> None:
    for name, value in [("like", like), ("realism", realism), ("wear", wear)]:
        at.radio(key=f"study_answer_{name}").set_value(value)
    at.text_area(key="study_comment").input(comment)


def test_consent_two_ratings_thank_you(study_env):
    at = start(AppTest.from_file(APP, default_timeout=60))
    for position, (like, comment) in enumerate([(5, "=cmd|' /C calc'!A0"), (2, "")]):
        assert any(f"Item {position + 1} of 2" in p.text for p in at.get("progress"))
        answer(at, like, 4, 3, comment)
        at.button[0].click().run()
        assert not at.exception
    assert any("Thank you" in s.value for s in at.success)
    frame = load_ratings(study_env / "ratings.csv")
    assert sorted(frame["like"]) == [2, 5]
    assert frame["participant"].nunique() == 1 and frame["participant"][0].startswith("p-")
    assert set(frame["comment"]) == {"'=cmd|' /C calc'!A0", ""}
    assert all(frame["settings"].str.contains("colour"))


def test_unanswered_question_is_asked_again(study_env):
    at = start(AppTest.from_file(APP, default_timeout=60))
    at.radio(key="study_answer_like").set_value(4)
    at.button[0].click().run()
    assert [w.value for w in at.warning] == ["Please answer all three questions."]
    assert at.radio(key="study_answer_like").value == 4  # what was answered stays
    assert not (study_env / "ratings.csv").exists()


def test_a_refused_write_keeps_the_answers_for_a_retry(study_env, monkeypatch):
    (study_env / "a-file").write_text("x")
    monkeypatch.setenv("STUDIO_RATINGS_CSV", str(study_env / "a-file" / "ratings.csv"))  # cannot be written
    at = start(AppTest.from_file(APP, default_timeout=60))
    answer(at, 2, 5, 4, "kept")
    at.button[0].click().run()
    assert "could not be written" in at.error[0].value and any("Item 1 of 2" in p.text for p in at.get("progress"))
    assert [at.radio(key=f"study_answer_{n}").value for n in ("like", "realism", "wear")] == [2, 5, 4]
    assert at.text_area(key="study_comment").value == "kept"
    monkeypatch.setenv("STUDIO_RATINGS_CSV", str(study_env / "ratings.csv"))  # the disk is back
    at.button[0].click().run()
    assert not at.error and any("Item 2 of 2" in p.text for p in at.get("progress"))
    frame = load_ratings(study_env / "ratings.csv")
    assert list(zip(frame["like"], frame["realism"], frame["wear"], frame["comment"])) == [(2, 5, 4, "kept")]


def test_consent_text_counts_minutes_in_words(study_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/study.py").run()
    assert "2 pictures" in at.markdown[0].value and "(about 1 minute)" in at.markdown[0].value


def test_results_page_shows_the_summary(study_env):
    log = CsvRatingStore(study_env / "ratings.csv")
    for participant, like in [("p-a", 5), ("p-a", 4), ("p-b", 2)]:
        log.append({"participant": participant, "item": f"item-{like}", "like": like, "realism": 3, "wear": 4})
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/results.py").run()
    assert not at.exception and not at.error
    assert at.subheader[0].value.startswith("1 out of 2 participants liked")
    assert [m.value for m in at.metric] == ["2", "3", "3"]
    assert at.get("download_button")[0].label == "Download raw ratings (CSV)"
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert [spec["title"] for spec in specs[:3]] == list(QUESTIONS.values())  # questionnaire order
    per_item = specs[3]
    assert per_item["title"] == "I like the design"
    assert per_item["layer"][0]["encoding"]["x"]["sort"] == ["item-5", "item-4", "item-2"]  # best mean first
    assert {layer["encoding"]["y"]["title"] for layer in per_item["layer"]} == {"mean rating (1-5)"}


def test_results_are_not_shown_in_study_mode(study_env, monkeypatch):
    CsvRatingStore(study_env / "ratings.csv").append({"participant": "p-a", "item": "i", "like": 5, "realism": 3, "wear": 4})
    monkeypatch.setenv("STUDIO_APP_MODE", "study")
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app_pages" / "results.py"), default_timeout=60).run()
    assert not at.exception and not at.metric and not at.get("vega_lite_chart")
    assert "not shown here" in at.info[0].value


def test_results_page_refuses_a_foreign_file(study_env):
    (study_env / "ratings.csv").write_text("x,y\n1,2\n")
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/results.py").run()
    assert not at.exception
    assert "not a Dress Studio ratings file" in at.error[0].value


def test_a_double_click_on_next_saves_once_and_an_empty_next_later_is_asked_again(study_env):
    at = start(AppTest.from_file(APP, default_timeout=60))
    answer(at, 4, 4, 4)
    at.button[0].click().run()
    at.session_state["study_saved_at"] = math.inf  # the second click comes right after the save, however slow the run
    at.button[0].click().run()  # the second click of a double click, on item 2 with nothing answered
    assert not at.warning and any("Item 2 of 2" in p.text for p in at.get("progress"))
    assert len(load_ratings(study_env / "ratings.csv")) == 1
    at.session_state["study_saved_at"] = -1e9  # long after the last save
    at.button[0].click().run()
    assert [w.value for w in at.warning] == ["Please answer all three questions."]
    assert len(load_ratings(study_env / "ratings.csv")) == 1
