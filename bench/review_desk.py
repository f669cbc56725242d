"""A moderator clearing 100 flagged comments by keyboard, in headless Chromium.

Counts the keys pressed and the pages loaded, and times each decision from the key press to the
row leaving the queue (the server's answer included) on this machine::

    .venv/bin/python -m bench.review_desk [--comments 100] [--key a]

The web app runs in-process (Werkzeug's threaded server, SQLite, an embedded Redis), as in the
browser tests; the numbers are the desk's speed, not the intake's.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from cli.embedded_redis import EmbeddedRedis
from config import Settings
from domain.infra.collaborators import Runtime
from domain.records import Site, Submission
from domain.store import ScoredVerdict
from domain.vocabulary import DecidedBy, Role, Status
from service.app import create_app

PASSWORD = "bench password 123"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def served(runtime: Runtime) -> Iterator[str]:
    """The web app on a free local port."""
    server = make_server("127.0.0.1", 0, create_app(runtime=runtime), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def seed(runtime: Runtime, site: Site, count: int) -> None:
    """Flagged comments spread over a few stories, as a morning's queue looks."""
    for n in range(count):
        comment = runtime.store.comments.add(
            site,
            Submission(
                article_id=f"story-{n % 7}",
                sender_name=f"Reader {n}",
                email=f"reader{n % 40}@example.com",
                comment=f"Flagged remark number {n} about the council's budget vote.",
                article_title=f"Story {n % 7}: the council's budget",
                article_url=f"https://news.example/story-{n % 7}",
                section=("politics", "local", "sport")[n % 3],
            ),
        )
        runtime.store.comments.record_verdicts(
            [
                ScoredVerdict(comment.id, site.id, Status.FLAGGED, DecidedBy.MODEL, 0.6, 0.2,
                              {}, ["spam:above_flag"], [], "bench")
            ]
        )  # fmt: skip


def focused_id(page: Any) -> str | None:
    """The id of the focused queue row, if a row has the focus."""
    return page.evaluate(  # type: ignore[no-any-return]
        "() => { const r = document.activeElement;"
        " return r && r.matches('#queue > .row') ? r.dataset.id : null; }"
    )


def clear_queue(page: Any, base_url: str, count: int, key: str) -> dict[str, Any]:
    """Log in and decide every comment by keyboard; returns keys, loads and latencies."""
    loads = {"n": 0}
    page.on("load", lambda _: loads.__setitem__("n", loads["n"] + 1))
    page.goto(f"{base_url}/review")
    page.fill("#email", "mod@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/review")
    keys, latencies, started = 0, [], time.perf_counter()
    while len(latencies) < count:
        row = focused_id(page)
        if row is None:
            page.keyboard.press("j")  # after a page load, nothing is focused yet
            keys += 1
            continue
        last_on_page = page.locator("#queue > .row").count() == 1
        begin = time.perf_counter()
        if last_on_page:  # the script loads the next page of the queue
            with page.expect_navigation():
                page.keyboard.press(key)
        else:
            page.keyboard.press(key)
            page.wait_for_function("id => !document.getElementById('c-' + id)", arg=row)
        latencies.append(time.perf_counter() - begin)
        keys += 1
    return {"keys": keys, "loads": loads["n"], "latencies": latencies,
            "total": time.perf_counter() - started}  # fmt: skip


def run(count: int, key: str) -> dict[str, Any]:
    """Set up a fresh service with `count` flagged comments and clear them in Chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        redis_server = EmbeddedRedis(root / "redis").start()
        settings = Settings(
            data_dir=root, secret_key="bench", redis_url=redis_server.url,
            database_url=f"sqlite:///{root / 'moderation.db'}", models_dir=root / "models",
        )  # fmt: skip
        runtime = Runtime(settings)
        try:
            runtime.store.migrate()
            site = runtime.store.sites.create("daily-planet")[0]
            runtime.store.users.create("mod@example.com", PASSWORD, Role.MODERATOR, None)
            seed(runtime, site, count)
            with served(runtime) as base_url, sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                result = clear_queue(page, base_url, count, key)
                browser.close()
            left = runtime.store.reports.queue_sizes(None).get(site.slug, 0)
            result["left"] = left
        finally:
            runtime.store.dispose()
            redis_server.stop()
    return result


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100)
    parser.add_argument("--key", default="a", choices=["a", "r", "s"])
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    result = run(args.comments, args.key)
    ms = sorted(1000 * t for t in result["latencies"])
    decided = len(ms)
    rows = [
        ("flagged comments decided", f"{decided} (left in queue: {result['left']})"),
        ("keys pressed", f"{result['keys']} ({result['keys'] / decided:.2f} per decision)"),
        ("page loads (log-in form, queue, next pages)", str(result["loads"])),
        ("total time", f"{result['total']:.1f} s"),
        ("time per decision, mean", f"{statistics.mean(ms):.0f} ms"),
        ("time per decision, median", f"{statistics.median(ms):.0f} ms"),
        ("time per decision, 95th percentile", f"{ms[int(0.95 * (decided - 1))]:.0f} ms"),
        ("slowest decision (a next-page load)", f"{ms[-1]:.0f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"| {'-' * width} | --- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
