"""Ratings log, summary and study items."""

import hashlib
import io
import math
import multiprocessing
import threading

import pandas as pd
import pytest

from studio.cli import main as cli
from studio.errors import UnknownChoiceError
from studio.study import (
    COLUMNS,
    MAX_COMMENT_CHARS,
    QUESTIONS,
    CsvRatingStore,
    SqlRatingStore,
    StoreUnavailableError,
    StudyLogError,
    add_study_item,
    item_table,
    item_thumbnail,
    load_ratings,
    open_store,
    presentation_order,
    question_table,
    shown_rating,
    study_items,
    summarize,
)
from tests.conftest import png_bytes


def rating(participant="p-1", item="item-a", like=4, realism=3, wear=5, **extra):
    return {"participant": participant, "item": item, "like": like, "realism": realism, "wear": wear, **extra}


def concurrent_comment(worker: int, index: int) -> str:
    return f'worker {worker}, row {index}: "quoted", =SUM(A1)\nsecond line'


def append_many(location: str, worker: int, count: int) -> None:
    """One writer's ``count`` rows to a CSV path or database URL, each with its own answer and comment."""
    store = open_store(location)
    for i in range(count):
        store.append(rating(participant=f"w{worker}", item=f"item-{i}", like=1 + (i + worker) % 5,
                            comment=concurrent_comment(worker, i)))


def eight_writers_of_200_rows(location: str, timeout: float) -> pd.DataFrame:
    """Eight processes append 200 rows each to ``location`` at once; the store's rows afterwards."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=append_many, args=(location, w, 200)) for w in range(8)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout)
        assert p.exitcode == 0
    return open_store(location).load()


def assert_each_writers_rows_intact(frame: pd.DataFrame) -> None:
    assert len(set(zip(frame["participant"], frame["item"]))) == 1600
    for row in frame.itertuples():
        worker, index = int(row.participant[1:]), int(row.item.split("-")[1])
        assert row.like == 1 + (index + worker) % 5
        assert row.comment == concurrent_comment(worker, index)


@pytest.mark.slow
def test_eight_processes_append_1600_intact_rows(tmp_path):
    path = str(tmp_path / "ratings.csv")
    frame = eight_writers_of_200_rows(path, timeout=120)
    assert len(frame) == 1600 and frame.attrs["skipped_rows"] == 0
    assert_each_writers_rows_intact(frame)
    assert pd.read_csv(path).shape == (1600, len(COLUMNS))  # plain pandas reads it too


def test_threads_share_one_log(tmp_path):
    path = str(tmp_path / "ratings.csv")
    threads = [threading.Thread(target=append_many, args=(path, w, 40)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(load_ratings(path)) == 240


HOSTILE = {
    "formula": ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
    "plus": ("+1+2", "'+1+2"),
    "minus": ("-2+3", "'-2+3"),
    "at": ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    "tab": ("\t=1+1", "'\t=1+1"),
    "carriage return": ("\r=1+1", "'\n=1+1"),
    "windows newlines": ("one\r\ntwo", "one\ntwo"),
    "quotes and commas": ('she said "nice, really", twice', 'she said "nice, really", twice'),
    "newlines": ("line one\nline two\n\nline four", "line one\nline two\n\nline four"),
    "non-Latin": ("とても素敵 — красиво — جميل جدا 👗✨", "とても素敵 — красиво — جميل جدا 👗✨"),
    "control characters": ("ok\x00\x07 fine", "ok fine"),
}


def assert_comment_stored_as(location: str, comment: str, stored: str) -> None:
    """``comment`` appended to the store at ``location`` reads back as ``stored``, and the row after it is intact."""
    store = open_store(location)
    store.append(rating(comment=comment))
    store.append(rating(participant="p-2"))
    frame = store.load()
    assert len(frame) == 2
    assert frame.loc[0, "comment"] == stored
    assert frame.loc[1, "participant"] == "p-2"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_comments_round_trip_safely(tmp_path, name):
    assert_comment_stored_as(str(tmp_path / "r.csv"), *HOSTILE[name])


def test_ten_kilobyte_comment_is_capped(tmp_path):
    log = CsvRatingStore(tmp_path / "r.csv")
    log.append(rating(comment="x" * 10_000))
    frame = load_ratings(tmp_path / "r.csv")
    assert len(frame.loc[0, "comment"]) == MAX_COMMENT_CHARS and frame.loc[0, "comment"].endswith("…")


def test_foreign_csv_is_refused_and_left_byte_identical(tmp_path):
    foreign = tmp_path / "budget.csv"
    foreign.write_text("name,amount\nrent,1200\n")
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    with pytest.raises(StudyLogError, match="not a Dress Studio ratings file.*untouched"):
        CsvRatingStore(foreign).append(rating())
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    with pytest.raises(StudyLogError, match="not a Dress Studio ratings file"):
        load_ratings(foreign)


def test_header_once_and_existing_rows_never_rewritten(tmp_path):
    path = tmp_path / "r.csv"
    log = CsvRatingStore(path)
    log.append(rating())
    first = path.read_bytes()
    log.append(rating(participant="p-9"))
    after = path.read_bytes()
    assert after.startswith(first)
    assert after.count(b"schema_version") == 1


def test_a_row_cut_short_by_a_crash_does_not_swallow_the_next(tmp_path):
    path = tmp_path / "r.csv"
    log = CsvRatingStore(path)
    log.append(rating())
    with open(path, "ab") as handle:
        handle.write(b"1,2026-01-01T00:00:00+00:00,,,p-x,item-x,5,5")  # torn write, no newline
    log.append(rating(participant="p-after"))
    frame = load_ratings(path)
    assert list(frame["participant"]) == ["p-1", "p-after"]
    assert frame.attrs["skipped_rows"] == 1


def test_rows_with_too_many_fields_are_counted_as_skipped(tmp_path):
    path = tmp_path / "r.csv"
    log = CsvRatingStore(path)
    log.append(rating())
    with open(path, "a") as handle:
        handle.write("1,2026-01-01T00:00:00+00:00" + ",x" * 30 + "\n")  # a row with far too many fields
        handle.write("garbage\n")
    frame = load_ratings(path)
    assert list(frame["participant"]) == ["p-1"]
    assert frame.attrs["skipped_rows"] == 2


@pytest.mark.parametrize("record, message", [
    ({"participant": "p-1", "item": "a", "like": 3, "realism": 3}, "missing wear"),
    (rating(like=6), "from 1 to 5"),
    (rating(like=0), "from 1 to 5"),
    (rating(like=True), "whole number"),
    (rating(like=4.5), "whole number"),
    (rating(like="4"), "whole number"),
    (rating(participant="Jane Doe <jane@x>"), "participant"),
    (rating(email="jane@example.com"), "unknown fields: email"),
    (rating(settings={"bad": object()}), "JSON-serialisable"),
])
def test_invalid_ratings_are_refused(tmp_path, record, message):
    path = tmp_path / "r.csv"
    with pytest.raises(StudyLogError, match=message):
        CsvRatingStore(path).append(record)
    assert not path.exists()


def test_row_carries_timestamp_versions_and_settings(tmp_path):
    row = CsvRatingStore(tmp_path / "r.csv").append(rating(settings={"strength": 0.5}, study_id="pilot", session_id="s1"))
    assert row["timestamp"].endswith("+00:00") and row["schema_version"] == "1"
    assert row["settings"] == '{"strength":0.5}' and row["study_id"] == "pilot"
    assert row["app_version"]


def test_summary_matches_hand_computation():
    frame = pd.DataFrame([
        rating("p-a", "i1", like=5, realism=4, wear=3),
        rating("p-a", "i2", like=4, realism=4, wear=3),
        rating("p-b", "i1", like=2, realism=4, wear=3),
        rating("p-b", "i2", like=5, realism=4, wear=3),
    ])
    summary = summarize(frame)
    like = summary.questions["like"]
    assert like.mean == pytest.approx(4.0)
    assert like.std == pytest.approx(math.sqrt(2.0))  # deviations 1, 0, -2, 1 -> 6/3
    half = 3.182 * math.sqrt(2.0) / 2  # t(0.975, 3) * sd / sqrt(4)
    assert like.share_4_or_5 == pytest.approx(0.75)
    assert like.counts == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
    assert summary.participants == 2 and summary.items == 2 and summary.ratings == 4
    assert summary.liked_participants == 1  # p-a averages 4.5, p-b 3.5
    assert summary.headline.startswith("1 out of 2 participants liked")
    assert like.ci95 == pytest.approx((4.0 - half, 5.0), abs=1e-3)  # 6.25 clipped to the scale's top
    item1 = summary.per_item.set_index("item").loc["i1"]
    assert item1["like"] == pytest.approx(3.5) and item1["ratings"] == 2
    assert math.isnan(item1["like_low"]) and math.isnan(item1["like_high"])  # two ratings: no interval


def test_an_interval_is_never_zero_wide_and_needs_three_ratings():
    """Equal answers have no spread to estimate an interval from; two answers give t(0.975, 1) = 12.7.
    Both are said in words instead of "4.00 to 4.00"."""
    from studio.study.summary import interval_missing

    same = pd.DataFrame([rating(f"p-{n}", "i1", like=4, realism=2) for n in range(5)])
    summary = summarize(same)
    assert math.isnan(summary.questions["like"].ci95[0])
    assert question_table(summary).iloc[0]["95% CI"] == "no interval: every rating is the same"
    assert item_table(summary, "like").iloc[0]["like"] == "4.00 (no interval: every rating is the same)"
    assert interval_missing(2, 1.0) == "no interval: 2 ratings, needs 3"
    assert interval_missing(3, 0.5) is None


def test_per_item_interval_is_the_t_interval_and_needs_three_ratings():
    answers = [3, 4, 3, 4, 4, 3]
    frame = pd.DataFrame([rating(f"p-{n}", "i1", like=a) for n, a in enumerate(answers)] + [rating("p-0", "i2", like=5)])
    per_item = summarize(frame).per_item.set_index("item")
    half = 2.571 * pd.Series(answers).std() / math.sqrt(6)  # t(0.975, 5) * sd / sqrt(6)
    assert per_item.loc["i1", "like_low"] == pytest.approx(3.5 - half, abs=1e-3)
    assert per_item.loc["i1", "like_high"] == pytest.approx(3.5 + half, abs=1e-3)
    assert math.isnan(per_item.loc["i2", "like_low"]) and per_item.loc["i2", "like"] == 5


def test_results_tables_read_as_a_person_reads_them():
    frame = pd.DataFrame([rating("p-a", "i1", like=5, realism=4), rating("p-b", "i1", like=4, realism=4),
                          rating("p-c", "i1", like=3, realism=5), rating("p-a", "i2", like=2, realism=5)])
    summary = summarize(frame)
    questions = question_table(summary)
    assert list(questions["question"]) == list(QUESTIONS.values())  # questionnaire order
    like = questions.iloc[0]
    assert (like["n"], like["mean"], like["sd"]) == (4, "3.50", "1.29")
    assert like["95% CI"] == "1.45 to 5.00"  # 3.5 +- 3.182 * 1.29 / 2, clipped to the scale
    items = item_table(summary, "like")
    assert list(items["item"]) == ["i1", "i2"]  # best "like" first
    assert items.iloc[0]["like"] == "4.00 (1.52 to 5.00)"  # 4 +- 4.303 * 1 / sqrt(3), clipped to the scale
    assert items.iloc[1]["like"] == "2.00 (no interval: 1 rating, needs 3)"
    assert list(item_table(summary, "realism")["item"]) == ["i2", "i1"]
    assert shown_rating(float("nan")) == "–" and shown_rating(None) == "–"
    once = question_table(summarize(frame.iloc[:1])).iloc[0]
    assert (once["n"], once["mean"], once["sd"], once["95% CI"]) == (1, "5.00", "–", "no interval: 1 rating, needs 3")
    with pytest.raises(UnknownChoiceError, match="choose one of: like, realism, wear"):
        item_table(summary, "beauty")


def test_items_sidecars_and_blind_names(tmp_path):
    item = add_study_item(tmp_path, png_bytes(__import__("PIL.Image").Image.new("RGB", (40, 40))), {"strength": 0.7})
    assert item.item_id.startswith("item-") and "strength" not in item.item_id
    (tmp_path / "broken.png").write_bytes(b"x")
    (tmp_path / "broken.json").write_text("{not json")
    items = {i.item_id: i for i in study_items(tmp_path)}
    assert items[item.item_id].settings == {"strength": 0.7}
    assert "sidecar_error" in items["broken"].settings
    many = [item] * 1 + [type(item)(f"i{n}", item.path, {}) for n in range(8)]
    assert presentation_order(many, "p-1") == presentation_order(many, "p-1")
    assert presentation_order(many, "p-1") != presentation_order(many, "p-2")


def test_cli_study_summary_and_items(tmp_path, capsys):
    log = CsvRatingStore(tmp_path / "r.csv")
    for p, like in [("p-a", 5), ("p-b", 4), ("p-c", 2)]:
        log.append(rating(participant=p, like=like))
    assert cli(["study", "summary", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "2 out of 3 participants liked" in out and "I like the design: mean 3.67" in out
    add_study_item(tmp_path / "items", b"\x89PNG fake", {"a": 1})
    assert cli(["study", "items", str(tmp_path / "items")]) == 0
    assert "1 items" in capsys.readouterr().out
    err = io.StringIO()
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    assert cli(["study", "summary", str(tmp_path / "other.csv")], stderr=err) == 2
    assert "not a Dress Studio ratings file" in err.getvalue()


def test_cli_study_paths_that_do_not_exist_exit_2(tmp_path):
    for argv, message in [(["study", "summary", str(tmp_path / "missing.csv")], "missing.csv does not exist"),
                          (["study", "items", str(tmp_path / "nodir")], "nodir does not exist"),
                          (["study", "import", str(tmp_path / "none.csv")], "none.csv does not exist")]:
        err = io.StringIO()
        assert cli(argv, stderr=err) == 2
        assert message in err.getvalue() and err.getvalue().count("\n") == 1


def test_a_repeated_rating_counts_once(tmp_path):
    store = open_store(tmp_path / "r.csv")
    assert isinstance(store, CsvRatingStore)
    store.append(rating(like=5))
    store.append(rating(like=1))  # the same participant and item again: a double click
    store.append(rating(item="item-b"))
    frame = store.load()
    assert list(zip(frame["item"], frame["like"])) == [("item-a", 5), ("item-b", 4)]
    assert frame.attrs["repeated_rows"] == 1
    assert "1 repeated ratings" in summarize(frame).to_text()


def test_unwritable_csv_is_one_sentence(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StudyLogError, match="could not be written .*nothing was saved"):
        open_store(tmp_path / "a-file" / "r.csv").append(rating())


def test_cli_export_writes_a_new_csv_and_import_needs_a_database(tmp_path, capsys, monkeypatch):
    source = tmp_path / "r.csv"
    for participant in ("p-a", "p-b"):
        CsvRatingStore(source).append(rating(participant=participant, comment="=1+1, \"quoted\"\nline"))
    out = tmp_path / "export.csv"
    assert cli(["study", "export", str(out), "--store", str(source)]) == 0
    assert "wrote 2 ratings" in capsys.readouterr().out
    pd.testing.assert_frame_equal(load_ratings(out), load_ratings(source))
    err = io.StringIO()
    assert cli(["study", "export", str(out), "--store", str(source)], stderr=err) == 2
    assert "already exists" in err.getvalue()
    monkeypatch.setenv("STUDIO_RATINGS_CSV", str(tmp_path / "other.csv"))
    monkeypatch.delenv("STUDIO_RATINGS_URL", raising=False)
    assert cli(["study", "import", str(source)], stderr=err) == 2
    assert "set STUDIO_RATINGS_URL" in err.getvalue()


@pytest.mark.parametrize("url, message", [
    ("mysql://study:s3cret@db/ratings", "PostgreSQL through psycopg 3"),
    ("postgresql+psycopg://study:s3cret@127.0.0.1:1/ratings", "cannot be reached"),
    ("postgresql+psycopg://study@127.0.0.1:1/ratings?password=s3cret", "cannot be reached"),
])
def test_database_problems_are_one_sentence_without_the_password(url, message, monkeypatch):
    with pytest.raises(StudyLogError, match=message) as refused:
        open_store(url).load()
    assert "s3cret" not in str(refused.value)
    monkeypatch.setenv("STUDIO_RATINGS_URL", url)
    err = io.StringIO()
    assert cli(["study", "summary"], stderr=err) == 2
    assert message in err.getvalue() and "s3cret" not in err.getvalue() and err.getvalue().count("\n") == 1


def test_postgresql_url_means_psycopg_and_hides_the_password():
    store = open_store("postgresql://study:s3cret@db.example:5432/ratings")
    assert isinstance(store, SqlRatingStore)
    assert store.location == "postgresql+psycopg://study:***@db.example:5432/ratings"
    in_query = open_store("postgresql://study@db.example/ratings?password=s3cret&sslmode=require")
    assert in_query.location == "postgresql+psycopg://study:***@db.example/ratings?sslmode=require"
    assert issubclass(StoreUnavailableError, StudyLogError)


def test_item_thumbnail_is_a_small_png(tmp_path):
    import base64

    from PIL import Image

    item = add_study_item(tmp_path, png_bytes(Image.new("RGB", (300, 150), (10, 200, 30))), {})
    uri = item_thumbnail(item, side=96)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.size == (96, 48) and image.convert("RGB").getpixel((48, 24)) == (10, 200, 30)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    broken = next(i for i in study_items(tmp_path) if i.item_id == "broken")
    assert item_thumbnail(broken) is None


def test_an_unwritable_study_folder_is_one_sentence(tmp_path):
    blocker = tmp_path / "items"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StudyLogError, match="could not be written.*the item was not added"):
        add_study_item(blocker, b"png bytes", {})
