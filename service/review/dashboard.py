"""The dashboard: queue size, decisions per day, and how often moderators overturn the model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template

from domain.policies.precheck import nudge_counts
from service.context import current_runtime
from service.review.auth import login_required, user

blueprint = Blueprint("review_dashboard", __name__)

DAYS = 14
CHART_WIDTH = 560
CHART_HEIGHT = 160
LABEL_SPACE = 18  # below the bars, for the day labels
RATE_WIDTH = 200


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


@blueprint.get("/review/dashboard")
@login_required
def show() -> str:
    """Numbers a moderation lead checks every morning."""
    runtime = current_runtime()
    store = runtime.store.reports
    visible = user().site_slugs
    sizes = store.queue_sizes(visible)
    days = store.decisions_per_day(DAYS, visible)
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
        alerts=runtime.store.alerts.recent(visible),
        nudges=nudge_figures(visible),
    )


def nudge_figures(visible: list[str] | tuple[str, ...] | None) -> list[dict[str, object]]:
    """Per site: pre-checks, authors warned, and what became of comments posted anyway."""
    runtime = current_runtime()
    slugs = list(visible) if visible is not None else [s.slug for s in runtime.store.sites.all()]
    counts = nudge_counts(runtime, slugs, DAYS)
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
