"""The study's summary: per-question statistics with 95% intervals, per-item means, display strings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from studio.errors import UnknownChoiceError
from studio.study.records import LIKERT_MAX, LIKERT_MIN, QUESTIONS

_T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
          2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
          2.052, 2.048, 2.045, 2.042]


def t_critical_95(degrees_of_freedom: int) -> float:
    """t(0.975, df): exact table to 30, then a smooth approach to 1.96."""
    if degrees_of_freedom < 1:
        return math.nan
    if degrees_of_freedom <= 30:
        return _T_975[degrees_of_freedom - 1]
    return 1.95996 + 2.4 / degrees_of_freedom


@dataclass(frozen=True)
class QuestionStats:
    question: str
    n: int
    mean: float
    std: float
    ci95: tuple[float, float]
    share_4_or_5: float
    counts: dict[int, int]


@dataclass
class StudySummary:
    participants: int
    ratings: int
    items: int
    questions: dict[str, QuestionStats]
    per_item: pd.DataFrame = field(repr=False)
    liked_participants: int
    skipped_rows: int = 0
    repeated_rows: int = 0

    @property
    def headline(self) -> str:
        if not self.participants:
            return "No ratings yet."
        return (f"{self.liked_participants} out of {self.participants} participants liked the designs "
                "(their average 'I like the design' rating was 4 or 5).")

    def to_text(self) -> str:
        if not self.ratings:
            return self.headline
        lines = [self.headline, f"{self.ratings} ratings of {self.items} items by {self.participants} participants."]
        if self.skipped_rows:
            lines.append(f"{self.skipped_rows} unreadable rows were skipped.")
        if self.repeated_rows:
            lines.append(f"{self.repeated_rows} repeated ratings (same participant and item) were left out.")
        for name, stats in self.questions.items():
            low, high = stats.ci95
            lines.append(f"{QUESTIONS[name]}: mean {stats.mean:.2f} (sd {stats.std:.2f}, 95% CI {low:.2f}-{high:.2f}), "
                         f"{stats.share_4_or_5:.0%} rated 4 or 5, n={stats.n}")
        if len(self.per_item):
            lines.append("")
            lines.append(self.per_item.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        return "\n".join(lines)


MIN_INTERVAL_ANSWERS = 3  # fewer answers give no useful 95% interval (t(0.975, 1) is 12.7)


def interval_missing(n: int, std: float) -> str | None:
    """Why a mean of ``n`` answers with spread ``std`` has no 95% interval, or None when it has one."""
    if n < MIN_INTERVAL_ANSWERS:
        return f"no interval: {n} rating{'' if n == 1 else 's'}, needs {MIN_INTERVAL_ANSWERS}"
    if not std > 0:
        return "no interval: every rating is the same"
    return None


def _interval(mean: float, std: float, n: int) -> tuple[float, float]:
    """The 95% t interval of a mean of 1-5 answers, clipped to the scale; NaN where it cannot be
    estimated (under three answers, or all of them equal: a zero-width interval would claim certainty)."""
    if interval_missing(n, std) is not None:
        return (math.nan, math.nan)
    half = t_critical_95(n - 1) * std / math.sqrt(n)
    return (max(LIKERT_MIN, mean - half), min(LIKERT_MAX, mean + half))


def _question_stats(name: str, values: pd.Series) -> QuestionStats:
    n = int(values.size)
    mean = float(values.mean()) if n else math.nan
    std = float(values.std(ddof=1)) if n > 1 else math.nan
    counts = {score: int((values == score).sum()) for score in range(LIKERT_MIN, LIKERT_MAX + 1)}
    return QuestionStats(name, n, mean, std, _interval(mean, std, n), float((values >= 4).mean()) if n else math.nan, counts)


def _per_item(ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per item: ratings, and per question the mean and its clipped 95% interval."""
    columns = ["item", "ratings"] + [f"{name}{suffix}" for name in QUESTIONS for suffix in ("", "_sd", "_low", "_high")]
    if not len(ratings):
        return pd.DataFrame(columns=columns)
    grouped = ratings.groupby("item")
    per_item = pd.DataFrame({"ratings": grouped.size()})
    for name in QUESTIONS:
        stats = grouped[name].agg(["mean", "std", "size"])
        per_item[name] = stats["mean"]
        per_item[f"{name}_sd"] = stats["std"]
        bounds = [_interval(row.mean, row.std, int(row.size)) for row in stats.itertuples()]
        per_item[f"{name}_low"] = [low for low, _ in bounds]
        per_item[f"{name}_high"] = [high for _, high in bounds]
    return per_item.reset_index()[columns]


def summarize(ratings: pd.DataFrame) -> StudySummary:
    """Participants, per-question statistics and per-item means with 95% t intervals (clipped to 1-5)."""
    questions = {name: _question_stats(name, ratings[name].astype(float)) for name in QUESTIONS}
    liked = int((ratings.groupby("participant")["like"].mean() >= 4).sum()) if len(ratings) else 0
    return StudySummary(
        participants=int(ratings["participant"].nunique()),
        ratings=len(ratings),
        items=int(ratings["item"].nunique()),
        questions=questions,
        per_item=_per_item(ratings),
        liked_participants=liked,
        skipped_rows=int(ratings.attrs.get("skipped_rows", 0)),
        repeated_rows=int(ratings.attrs.get("repeated_rows", 0)),
    )


def shown_rating(value: float | None) -> str:
    """A mean, sd or interval end as a person reads it: two decimals, "–" where there is none
    (one answer has no sd or interval)."""
    return "–" if value is None or pd.isna(value) else f"{value:.2f}"


def _shown_interval(low: float, high: float, n: int, std: float) -> str:
    return interval_missing(n, std) or f"{shown_rating(low)} to {shown_rating(high)}"


def question_table(summary: StudySummary) -> pd.DataFrame:
    """One row per question, in questionnaire order: n, mean, sd, 95% CI and the share rated 4 or 5."""
    return pd.DataFrame([
        {"question": QUESTIONS[name], "n": s.n, "mean": shown_rating(s.mean), "sd": shown_rating(s.std),
         "95% CI": _shown_interval(*s.ci95, s.n, s.std), "rated 4 or 5": s.share_4_or_5}
        for name, s in summary.questions.items()
    ], columns=["question", "n", "mean", "sd", "95% CI", "rated 4 or 5"])


def items_best_first(summary: StudySummary, question: str) -> list[str]:
    """The items by their mean answer to ``question``, best first."""
    if question not in QUESTIONS:
        raise UnknownChoiceError(f"Unknown question {question!r}; choose one of: {', '.join(QUESTIONS)}.")
    return list(summary.per_item.sort_values(question, ascending=False, kind="stable")["item"])


def item_table(summary: StudySummary, question: str) -> pd.DataFrame:
    """Per item, best first by ``question``: the number of ratings and, per question, one readable
    "mean (low to high)" column ("4.20 (3.10 to 5.00)"; just the mean for an item rated once)."""
    table = summary.per_item.set_index("item").loc[items_best_first(summary, question)].reset_index()
    for name in QUESTIONS:
        table[name] = [f"{shown_rating(mean)} ({_shown_interval(low, high, n, std)})" for mean, low, high, n, std in
                       zip(table[name], table[f"{name}_low"], table[f"{name}_high"], table["ratings"], table[f"{name}_sd"])]
    return table.drop(columns=[f"{name}{suffix}" for name in QUESTIONS for suffix in ("_low", "_high", "_sd")])


