"""Results: the study's summary, charts and raw ratings."""

import altair as alt
import pandas as pd
import streamlit as st

from studio import config
from studio.study import QUESTIONS, StudyLogError, load_ratings, summarize, t_critical_95

st.title("Study results")
path = config.ratings_csv()
try:
    ratings = load_ratings(path)
except StudyLogError as exc:
    st.error(str(exc))
    st.stop()

summary = summarize(ratings)
st.subheader(summary.headline)
if not summary.ratings:
    st.info(f"Ratings will appear here once volunteers take part (file: {path}).")
    st.stop()
if summary.skipped_rows:
    st.warning(f"{summary.skipped_rows} unreadable rows in {path.name} were skipped.")

c1, c2, c3 = st.columns(3)
c1.metric("Participants", summary.participants)
c2.metric("Ratings", summary.ratings)
c3.metric("Items", summary.items)

table = pd.DataFrame([
    {"question": QUESTIONS[name], "n": s.n, "mean": s.mean, "sd": s.std, "95% CI low": s.ci95[0],
     "95% CI high": s.ci95[1], "rated 4 or 5": s.share_4_or_5}
    for name, s in summary.questions.items()
])
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"rated 4 or 5": st.column_config.NumberColumn(format="percent")})

st.subheader("How people answered")
distribution = pd.DataFrame([
    {"question": QUESTIONS[name], "rating": score, "count": count}
    for name, s in summary.questions.items() for score, count in s.counts.items()
])
st.altair_chart(
    alt.Chart(distribution).mark_bar().encode(
        x=alt.X("rating:O", title="rating (1 = strongly disagree, 5 = strongly agree)"),
        y=alt.Y("count:Q"), color=alt.Color("question:N", legend=None),
        column=alt.Column("question:N", title=None)),
)

st.subheader("Per item (mean with 95% confidence interval)")
question = st.selectbox("Question", list(QUESTIONS), format_func=QUESTIONS.get)
per_item = summary.per_item.copy()
half = per_item[f"{question}_sem"].fillna(0) * per_item["ratings"].map(lambda n: t_critical_95(int(n) - 1) if n > 1 else 0)
per_item["low"], per_item["high"] = per_item[question] - half, per_item[question] + half
base = alt.Chart(per_item).encode(x=alt.X("item:N", sort="-y"))
st.altair_chart(
    base.mark_bar().encode(y=alt.Y(f"{question}:Q", scale=alt.Scale(domain=[1, 5]), title=QUESTIONS[question]))
    + base.mark_errorbar().encode(y="low:Q", y2="high:Q"),
    width="stretch",
)
st.dataframe(per_item.drop(columns=["low", "high"]), hide_index=True, width="stretch")
st.download_button("Download raw ratings (CSV)", path.read_bytes(), path.name, "text/csv")
