"""CPU per intake request, in-process: the Flask test client against real Redis and a real database.

What `bench.e2e` reports as the web tier's CPU per comment, without gunicorn, the load generator
or the worker, so two commits can be compared on a shared machine (CPU time is much less
sensitive to other load than rates are)::

    .venv/bin/python -m bench.intake_cpu --redis-url redis://127.0.0.1:6379/13
    .venv/bin/python -m bench.intake_cpu --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mine
    .venv/bin/python -m bench.intake_cpu --profile 25   # cProfile (CPU clock): top 25 functions

The Redis database given is flushed, and the comments table of the database grows; point it at
databases of your own. Each round posts `--requests` comments from distinct authors (the default
per-author rate limits and duplicate check run, as in bench.e2e) and reports CPU ms per request.
The worker is not started: comments stay pending.
"""

from __future__ import annotations

import cProfile
import tempfile
import time
from pathlib import Path

import redis

from bench.cpu_rounds import parser_with_common_options, print_rounds
from bench.procs import ServerClock
from config import Settings
from domain.infra.collaborators import Runtime
from domain.infra.metrics import prepare
from service.app import create_app

TEXT = "An ordinary remark about the article, number {i}: the council should publish the plan."


def build(data_dir: Path, redis_url: str, database_url: str) -> tuple[object, str]:
    """A web app as `moderation web` builds it (metrics in multiprocess mode) and a site key."""
    env = {"MODERATION_DATA_DIR": str(data_dir), "REDIS_URL": redis_url}
    if database_url:
        env["DATABASE_URL"] = database_url
    settings = Settings.from_env(env)
    prepare(settings, "web")
    runtime = Runtime(settings)
    app = create_app(settings, runtime)
    slug = f"cpu{int(time.time() * 1000) % 10**9}"
    _, key = runtime.store.sites.create(slug)
    return app, key


def post_many(client: object, key: str, start: int, count: int) -> None:
    """POST `count` comments, each from an author of its own; every answer must be 202."""
    headers = {"Authorization": f"Bearer {key}"}
    for i in range(start, start + count):
        response = client.post(  # type: ignore[attr-defined]
            "/api/v1/comments",
            json={
                "article_id": f"article-{i % 50}",
                "sender_name": f"Reader {i}",
                "email": f"reader{i}@example.org",
                "comment": TEXT.format(i=i),
                "author_ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            },
            headers=headers,
        )
        if response.status_code != 202:
            raise SystemExit(f"unexpected {response.status_code}: {response.get_data()!r}")


def main(argv: list[str] | None = None) -> None:
    """Print CPU ms per intake request for each round, then the median."""
    parser = parser_with_common_options(__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args(argv)
    redis.Redis.from_url(args.redis_url).flushdb()
    with tempfile.TemporaryDirectory() as folder:
        app, key = build(Path(folder), args.redis_url, args.database_url)
        client = app.test_client()  # type: ignore[attr-defined]
        post_many(client, key, 0, args.warmup)
        done = args.warmup
        per_request = []
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        server, server_per_request = ServerClock(args.database_url), []
        for _ in range(args.rounds):
            started = time.process_time()
            server.start()
            if profiler:
                profiler.enable()
            post_many(client, key, done, args.requests)
            if profiler:
                profiler.disable()
            per_request.append((time.process_time() - started) * 1000 / args.requests)
            if (spent := server.seconds()) is not None:
                server_per_request.append(spent * 1000 / args.requests)
            done += args.requests
        print_rounds("intake request", per_request, profiler, args.profile, server_per_request)


if __name__ == "__main__":
    main()
