"""The PostgreSQL ratings store against a real throwaway server (skipped, with the reason, without one)."""

import io

import pandas as pd
import pytest
import sqlalchemy as sa

from studio.cli import main as cli
from studio.study import (
    MAX_COMMENT_CHARS,
    TABLE_NAME,
    CsvRatingStore,
    StoreUnavailableError,
    StudyLogError,
    load_ratings,
    open_store,
)
from tests.pg_server import PASSWORD, pg_server  # noqa: F401 (the fixture)
from tests.study.test_study import (
    HOSTILE,
    assert_comment_stored_as,
    assert_each_writers_rows_intact,
    eight_writers_of_200_rows,
    rating,
)


@pytest.fixture
def url(pg_server):  # noqa: F811
    return pg_server.new_database()


@pytest.mark.slow
def test_eight_processes_append_1600_rows_once_each(url):
    frame = eight_writers_of_200_rows(url, timeout=180)
    assert len(frame) == 1600 and frame.attrs["repeated_rows"] == 0
    assert_each_writers_rows_intact(frame)
    with sa.create_engine(url).connect() as connection:
        assert connection.execute(sa.text(f"SELECT count(*) FROM {TABLE_NAME}")).scalar() == 1600


def test_a_double_click_stores_one_row(url):
    store = open_store(url)
    first = store.append(rating(like=5, comment="first"))
    again = store.append(rating(like=1, comment="second click"))
    assert again == first and again["like"] == 5
    store.append(rating(item="item-b"))
    assert list(store.load()["item"]) == ["item-a", "item-b"]


HOSTILE_SQL = {
    **HOSTILE,
    "drop table": ("x'); DROP TABLE study_ratings; --", "x'); DROP TABLE study_ratings; --"),
    "quotes": ("it's \"quoted\" `back` \\slash", "it's \"quoted\" `back` \\slash"),
    "nul bytes": ("a\x00b\x00\x00c", "abc"),
}


@pytest.mark.parametrize("name", list(HOSTILE_SQL))
def test_hostile_text_is_stored_safely(url, name):
    assert_comment_stored_as(url, *HOSTILE_SQL[name])


def test_long_comments_are_capped_and_hostile_identifiers_refused(url):
    store = open_store(url)
    row = store.append(rating(comment="x" * 10_000, item="'; DROP TABLE study_ratings; --"))
    assert len(row["comment"]) == MAX_COMMENT_CHARS and row["comment"].endswith("…")
    for bad in ["p'; DROP TABLE study_ratings; --", "p\x00", "x" * 65]:
        with pytest.raises(StudyLogError, match="participant"):
            store.append(rating(participant=bad))
    frame = store.load()
    assert list(frame["item"]) == ["'; DROP TABLE study_ratings; --"]


def test_the_server_checks_answers_and_sets_the_time(url):
    open_store(url).load()  # creates the table
    engine = sa.create_engine(url)
    insert = sa.text(f'INSERT INTO {TABLE_NAME} (schema_version, study_id, session_id, participant, item, "like", '
                     "realism, wear, comment, app_version, settings) VALUES ('1', '', '', :participant, 'i', :like, "
                     "3, 3, '', 'x', '{}')")
    for participant, like in [("p-1", 6), ("p-1", 0), ("not an id!", 3)]:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(insert, {"participant": participant, "like": like})
    with engine.connect() as connection:
        default = connection.execute(sa.text("SELECT column_default FROM information_schema.columns "
                                             "WHERE table_name = :t AND column_name = 'timestamp'"), {"t": TABLE_NAME})
        assert default.scalar() == "now()"
    engine.dispose()


def test_database_down_is_one_sentence_and_nothing_is_lost_after_a_retry(pg_server, url, monkeypatch):  # noqa: F811
    store = open_store(url)
    store.append(rating(participant="p-before"))
    monkeypatch.setenv("STUDIO_RATINGS_URL", url)
    pg_server.stop()
    try:
        with pytest.raises(StoreUnavailableError, match="cannot be reached.*try again") as down:
            store.append(rating(participant="p-during"))
        assert PASSWORD not in str(down.value) and "***" in str(down.value)
        err = io.StringIO()
        assert cli(["study", "summary"], stderr=err) == 2
        assert "cannot be reached" in err.getvalue() and PASSWORD not in err.getvalue()
        assert err.getvalue().count("\n") == 1
    finally:
        pg_server.start()
    store.append(rating(participant="p-during"))  # the retry
    assert list(store.load()["participant"]) == ["p-before", "p-during"]


def test_cli_import_twice_adds_nothing_export_and_summary(url, tmp_path, monkeypatch, capsys):
    source = tmp_path / "r.csv"
    csv_store = CsvRatingStore(source)
    for participant, like in [("p-a", 5), ("p-b", 4), ("p-c", 2)]:
        csv_store.append(rating(participant=participant, like=like, comment="=1+1, \"q\""))
    monkeypatch.setenv("STUDIO_RATINGS_URL", url)
    assert cli(["study", "import", str(source)]) == 0
    first = capsys.readouterr().out
    assert "imported 3 new ratings" in first and PASSWORD not in first and "***" in first
    assert cli(["study", "import", str(source)]) == 0
    assert "imported 0 new ratings" in capsys.readouterr().out
    assert cli(["study", "summary"]) == 0
    assert "2 out of 3 participants liked" in capsys.readouterr().out
    out = tmp_path / "export.csv"
    assert cli(["study", "export", str(out)]) == 0
    exported, original = load_ratings(out), load_ratings(source)
    assert exported.drop(columns="timestamp").equals(original.drop(columns="timestamp"))
    assert [t[:23] for t in exported["timestamp"]] == [t[:23] for t in original["timestamp"]]  # kept on import


def test_import_keeps_readable_times_and_lets_the_server_stamp_the_rest(url):
    rows = [{**rating(participant=p), "timestamp": stamp, "app_version": "0.0.9", "settings": "{}", "comment": "",
             "study_id": "pilot", "session_id": "s"}
            for p, stamp in [("p-a", "2026-01-02T03:04:05.678+00:00"), ("p-b", "not a time")]]
    store = open_store(url)
    assert store.import_ratings(pd.DataFrame(rows)) == 2
    assert store.import_ratings(pd.DataFrame(rows)) == 0
    frame = store.load().set_index("participant")
    assert frame.loc["p-a", "timestamp"] == "2026-01-02T03:04:05.678+00:00"
    assert frame.loc["p-b", "timestamp"] > "2026-01-02" and frame.loc["p-b", "app_version"] == "0.0.9"
