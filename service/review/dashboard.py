"""The dashboard: what arrives per hour, what the model decided alone, what waits and how long,
per site and section; moderator decisions per day and how often they overturn the model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from flask import Blueprint, render_template

from domain.policies.precheck import nudge_counts
from domain.store.review.desk import OUTCOMES, DeskRow, HourCounts
from service.context import current_runtime
from service.review.auth import login_required, user

blueprint = Blueprint("review_dashboard", __name__)

DAYS = 14
CHART_WIDTH = 560
CHART_HEIGHT = 160
LABEL_SPACE = 18  # below the bars, for the day labels
RATE_WIDTH = 200
HOURS = 24


@dataclass(frozen=True)
class Segment:
    """One outcome's part of a stacked bar."""

    outcome: str
    y: float
    height: float
    value: int


@dataclass(frozen=True)
class Stack:
    """One hour's stacked bar: automatic outcomes, with the comments received above it."""

    x: float
    width: float
    top: float
    received: int
    segments: list[Segment]
    label: str
    title: str


@dataclass(frozen=True)
class Bar:
    """One bar of a server-rendered SVG chart, in the chart's own coordinates."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    title: str


def day_bars(days: list[tuple[date, int]]) -> list[Bar]:
    """Bars for decisions per day, scaled so the busiest day fills the chart."""
    top = max((n for _, n in days), default=0) or 1
    slot = CHART_WIDTH / max(1, len(days))
    usable = CHART_HEIGHT - LABEL_SPACE - 14  # room for the value above the bar
    bars = []
    for index, (day, count) in enumerate(days):
        height = usable * count / top
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                y=round(CHART_HEIGHT - LABEL_SPACE - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                value=count,
                label=day.strftime("%d"),
                title=f"{day.isoformat()}: {count} decision(s)",
            )
        )
    return bars


def hour_stacks(hours: list[HourCounts]) -> list[Stack]:
    """Stacked bars per hour, scaled so the busiest hour (received or decided) fills the chart."""
    top = max((max(h.received, sum(h.automatic.values())) for h in hours), default=0) or 1
    slot = CHART_WIDTH / max(1, len(hours))
    usable = CHART_HEIGHT - LABEL_SPACE - 14
    base = CHART_HEIGHT - LABEL_SPACE
    stacks = []
    for index, hour in enumerate(hours):
        y = float(base)
        segments = []
        for outcome in OUTCOMES:
            value = hour.automatic.get(outcome, 0)
            height = usable * value / top
            y -= height
            segments.append(Segment(outcome, round(y, 1), round(height, 1), value))
        parts = ", ".join(f"{s.value} {s.outcome}" for s in segments)
        stacks.append(
            Stack(
                x=round(index * slot + slot * 0.15, 1),
                width=round(slot * 0.7, 1),
                top=round(base - usable * hour.received / top, 1),
                received=hour.received,
                segments=segments,
                label=hour.hour.strftime("%H") if index % 3 == 0 else "",
                title=f"{hour.hour.strftime('%H:00')} UTC: {hour.received} received; {parts}",
            )
        )
    return stacks


def duration(seconds: float | None) -> str:
    """A wait in the largest sensible unit ('42 s', '7 min', '3.5 h'), a dash when unknown."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def overall(desks: list[DeskRow]) -> dict[str, object]:
    """The desk's headline numbers: oldest waiting comment and median decision time."""
    waiting = [d.oldest_waiting for d in desks if d.oldest_waiting is not None]
    times = [t for d in desks for t in d.decision_seconds]
    return {
        "oldest_waiting": min(waiting) if waiting else None,
        "median_decision": duration(median(times)) if times else "–",
        "waiting": sum(d.waiting for d in desks),
    }


@blueprint.get("/review/dashboard")
@login_required
def show() -> str:
    """Numbers a moderation lead checks every morning."""
    runtime = current_runtime()
    store = runtime.store.reports
    visible = user().site_slugs
    sizes = store.queue_sizes(visible)
    days = store.decisions_per_day(DAYS, visible)
    desk = current_runtime().store.desk
    hours = desk.per_hour(HOURS, visible)
    desks = desk.desks(HOURS, visible)
    return render_template(
        "review/dashboard.html",
        queue_sizes=sizes,
        queue_total=sum(sizes.values()),
        bars=day_bars(days),
        decisions_total=sum(n for _, n in days),
        chart={"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - LABEL_SPACE},
        overturns=store.overturns(visible),
        rate_width=RATE_WIDTH,
        days=DAYS,
        hours=hours,
        hour_count=HOURS,
        stacks=hour_stacks(hours),
        desks=desks,
        headline=overall(desks),
        duration=duration,
        outcomes=OUTCOMES,
        alerts=runtime.store.alerts.recent(visible),
        nudges=nudge_figures(visible),
    )


def nudge_figures(visible: list[str] | tuple[str, ...] | None) -> list[dict[str, object]]:
    """Per site: pre-checks, authors warned, and what became of comments posted anyway."""
    runtime = current_runtime()
    slugs = list(visible) if visible is not None else [s.slug for s in runtime.store.sites.all()]
    counts = nudge_counts(runtime.redis, slugs, DAYS)
    outcomes = runtime.store.alerts.nudged_outcomes(visible, DAYS)
    figures = []
    for slug in sorted(set(counts) | set(outcomes)):
        checked = counts.get(slug, {})
        posted = outcomes.get(slug, {})
        warned, anyway = checked.get("warned", 0), sum(posted.values())
        figures.append({"site": slug, "checks": checked.get("checks", 0), "warned": warned,
                        "posted_anyway": anyway, "outcomes": posted,
                        "edited_or_dropped": max(0, warned - anyway)})
    return figures
