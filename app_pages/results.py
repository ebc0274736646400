"""Results: the study's summary, charts in questionnaire order, per-item means with pictures, raw ratings."""

import altair as alt
import pandas as pd
import streamlit as st

from studio import config
from studio.errors import StudioError
from studio.study import QUESTIONS, item_thumbnail, open_store, ratings_csv_bytes, study_items, summarize

SCALE_NOTE = "Ratings run from 1 = strongly disagree to 5 = strongly agree."

try:
    study_mode = config.app_mode() == "study"
except StudioError as exc:
    st.error(str(exc))
    st.stop()
if study_mode:  # a volunteer's link never shows the results, even when this page is opened directly
    st.title("User study")
    st.info("This link is for taking part in the study; the results are not shown here.")
    st.stop()

try:
    store = open_store(config.ratings_location())
    ratings = store.load()
except StudioError as exc:
    st.error(str(exc))
    st.stop()

st.title("Study results")
summary = summarize(ratings)
st.subheader(summary.headline)
if not summary.ratings:
    st.info(f"Ratings will appear here once volunteers take part (store: {store.location}).")
    st.stop()
if summary.skipped_rows:
    st.warning(f"{summary.skipped_rows} unreadable rows in {store.location} were skipped.")

c1, c2, c3 = st.columns(3)
c1.metric("Participants", summary.participants)
c2.metric("Ratings", summary.ratings)
c3.metric("Items", summary.items)

def two_decimals(value: float | None) -> str:
    """A mean, sd or interval end as shown; "–" where there is none (one rating has no sd or interval)."""
    return "–" if value is None or pd.isna(value) else f"{value:.2f}"


table = pd.DataFrame([
    {"question": QUESTIONS[name], "n": s.n, "mean": two_decimals(s.mean), "sd": two_decimals(s.std),
     "95% CI": f"{two_decimals(s.ci95[0])} to {two_decimals(s.ci95[1])}", "rated 4 or 5": s.share_4_or_5}
    for name, s in summary.questions.items()
])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "rated 4 or 5": st.column_config.NumberColumn(format="percent")})

st.subheader("How people answered")
st.caption(SCALE_NOTE)
for column, (name, stats) in zip(st.columns(len(QUESTIONS)), summary.questions.items()):
    counts = pd.DataFrame({"rating": list(stats.counts), "people": list(stats.counts.values())})
    column.altair_chart(
        alt.Chart(counts, title=QUESTIONS[name]).mark_bar().encode(
            x=alt.X("rating:O", title="rating", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("people:Q", title="answers", axis=alt.Axis(tickMinStep=1))),
        width="stretch")

st.subheader("Per item: mean with 95% confidence interval")
question = st.selectbox("Question", list(QUESTIONS), format_func=QUESTIONS.get)
per_item = summary.per_item
order = list(per_item.sort_values(question, ascending=False)["item"])  # best first; an explicit order sorts layers
axis_title = "mean rating (1-5)"
base = alt.Chart(per_item).encode(
    x=alt.X("item:N", sort=order, title="item", axis=alt.Axis(labelAngle=-30)))
st.altair_chart(
    (base.mark_rule(strokeWidth=2).encode(y=alt.Y(f"{question}_low:Q", title=axis_title, scale=alt.Scale(domain=[1, 5])),
                                         y2=alt.Y2(f"{question}_high:Q"))
    + base.mark_point(filled=True, size=110, opacity=1).encode(
        y=alt.Y(f"{question}:Q", title=axis_title, scale=alt.Scale(domain=[1, 5])),
        tooltip=["item", "ratings", alt.Tooltip(f"{question}:Q", format=".2f", title="mean")])
    ).properties(title=QUESTIONS[question]),
    width="stretch")
st.caption("Intervals are clipped to the 1-5 scale; an item rated once has no interval.")

pictures = {item.item_id: item_thumbnail(item, side=160) for item in study_items(config.study_items_dir())}
shown = per_item.set_index("item").loc[order].reset_index()
shown.insert(0, "picture", shown["item"].map(pictures))
for name in QUESTIONS:  # one readable column per question: "4.20 (3.10 to 5.00)"
    shown[name] = [f"{two_decimals(mean)} ({two_decimals(low)} to {two_decimals(high)})" if not pd.isna(low)
                   else two_decimals(mean) for mean, low, high in
                   zip(shown[name], shown[f"{name}_low"], shown[f"{name}_high"])]
shown = shown.drop(columns=[f"{name}{suffix}" for name in QUESTIONS for suffix in ("_low", "_high")])
st.dataframe(shown, hide_index=True, width="stretch", row_height=96, column_config={
    "picture": st.column_config.ImageColumn("picture", width="medium"),
    **{name: st.column_config.TextColumn(f"{QUESTIONS[name]}: mean (95% CI)") for name in QUESTIONS}})
st.download_button("Download raw ratings (CSV)", ratings_csv_bytes(ratings), "ratings.csv", "text/csv")
