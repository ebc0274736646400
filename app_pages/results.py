"""Results: the study's summary, charts in questionnaire order, per-item means with pictures, raw ratings."""

import streamlit as st

from studio import config
from studio.errors import StudioError
from studio.study import (
    QUESTIONS,
    item_table,
    item_thumbnail,
    open_store,
    question_table,
    ratings_csv_bytes,
    study_items,
    summarize,
)
from ui.charts import answer_counts_chart, item_means_chart
from ui.common import show_error

SCALE_NOTE = "Ratings run from 1 = strongly disagree to 5 = strongly agree."

try:
    study_mode = config.app_mode() == "study"
except StudioError as exc:
    show_error(exc)
    st.stop()
if study_mode:  # a volunteer's link never shows the results, even when this page is opened directly
    st.title("User study")
    st.info("This link is for taking part in the study; the results are not shown here.")
    st.stop()

try:
    store = open_store(config.ratings_location())
    ratings = store.load()
except StudioError as exc:
    show_error(exc)
    st.stop()

st.title("Study results")
summary = summarize(ratings)
st.subheader(summary.headline)
if not summary.ratings:
    st.info("Ratings will appear here once volunteers take part.")
    st.stop()
if summary.skipped_rows:
    st.warning(f"{summary.skipped_rows} unreadable rows in the ratings store were skipped.")

c1, c2, c3 = st.columns(3)
c1.metric("Participants", summary.participants)
c2.metric("Ratings", summary.ratings)
c3.metric("Items", summary.items)

st.dataframe(question_table(summary), hide_index=True, width="stretch", column_config={
    "rated 4 or 5": st.column_config.NumberColumn(format="percent")})

st.subheader("How people answered")
st.caption(SCALE_NOTE)
for column, stats in zip(st.columns(len(QUESTIONS)), summary.questions.values()):
    column.altair_chart(answer_counts_chart(stats), width="stretch")

st.subheader("Per item: mean with 95% confidence interval")
question = st.selectbox("Question", list(QUESTIONS), format_func=QUESTIONS.get)
st.altair_chart(item_means_chart(summary, question), width="stretch")
st.caption("Intervals are clipped to the 1-5 scale; under three ratings, or when every rating is the same, an "
           "interval cannot be estimated and the table says so.")

pictures = {item.item_id: item_thumbnail(item, side=160) for item in study_items(config.study_items_dir())}
shown = item_table(summary, question)
shown.insert(0, "picture", shown["item"].map(pictures))
st.dataframe(shown, hide_index=True, width="stretch", row_height=96, column_config={
    "picture": st.column_config.ImageColumn("picture", width="medium"),
    **{name: st.column_config.TextColumn(f"{QUESTIONS[name]}: mean (95% CI)") for name in QUESTIONS}})
st.download_button("Download raw ratings (CSV)", ratings_csv_bytes(ratings), "ratings.csv", "text/csv")
