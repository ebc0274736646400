"""The Results page's charts (Altair), built from the study summary."""

from __future__ import annotations

import altair as alt
import pandas as pd

from studio.study import QUESTIONS, QuestionStats, StudySummary, items_best_first

MEAN_AXIS = "mean rating (1-5)"


def answer_counts_chart(stats: QuestionStats) -> alt.Chart:
    """How many answers each rating 1-5 got for one question (titled with the question)."""
    counts = pd.DataFrame({"rating": list(stats.counts), "people": list(stats.counts.values())})
    return alt.Chart(counts, title=QUESTIONS[stats.question]).mark_bar().encode(
        x=alt.X("rating:O", title="rating", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people:Q", title="answers", axis=alt.Axis(tickMinStep=1)))


def item_means_chart(summary: StudySummary, question: str) -> alt.LayerChart:
    """Each item's mean answer to ``question`` (a dot) and its 95% interval (a rule), best first."""
    order = items_best_first(summary, question)  # an explicit order: the layers share it
    scale = alt.Scale(domain=[1, 5])
    base = alt.Chart(summary.per_item).encode(
        x=alt.X("item:N", sort=order, title="item", axis=alt.Axis(labelAngle=-30)))
    interval = base.mark_rule(strokeWidth=2).encode(
        y=alt.Y(f"{question}_low:Q", title=MEAN_AXIS, scale=scale), y2=alt.Y2(f"{question}_high:Q"))
    mean = base.mark_point(filled=True, size=110, opacity=1).encode(
        y=alt.Y(f"{question}:Q", title=MEAN_AXIS, scale=scale),
        tooltip=["item", "ratings", alt.Tooltip(f"{question}:Q", format=".2f", title="mean")])
    return (interval + mean).properties(title=QUESTIONS[question])
