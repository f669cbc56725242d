"""CPU per scored comment, in-process: the worker's batches against real Redis and a real database.

What `bench.e2e` reports as the worker's CPU per comment, without Celery, the web tier or the
load generator, so two commits can be compared on a shared machine::

    .venv/bin/python -m bench.worker_cpu --redis-url redis://127.0.0.1:6379/13
    .venv/bin/python -m bench.worker_cpu --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mine
    .venv/bin/python -m bench.worker_cpu --profile 25   # cProfile (CPU clock): top 25 functions

The Redis database given is flushed; point `--database-url` at a database of your own (its
comments table grows). Each round stores `--batches` batches of `--batch` comments
(bench.e2e's mix of ordinary, spammy and toxic texts over `--articles` articles, 50 by default)
straight through the store, then scores them as a worker's consumer does (`BatchScorer`: read,
language detection, scoring beside the article context, policies, one write transaction,
publishing to the site's stream). Only the scoring is timed. Models: the trained cache that
the test suite and bench.e2e share. Also printed: the process's peak RSS once the models are
loaded and after scoring (what `--batch` costs in memory).
"""

from __future__ import annotations

import cProfile
import resource
import tempfile
import time
from pathlib import Path

import redis

from bench.cpu_rounds import parser_with_common_options, print_rounds
from bench.loadgen import sample_texts
from bench.procs import ServerClock
from bench.stack import install_models, trained_models_dir
from config import Settings
from domain.infra.collaborators import Runtime
from domain.infra.metrics import prepare
from domain.records import Site, Submission
from domain.scoring.score import BatchScorer


def models_folder(root: Path) -> Path:
    """The English and the other languages' models, as an installation holds them."""
    target = root / "models"
    install_models(trained_models_dir(), target)
    return target


def build(root: Path, redis_url: str, database_url: str) -> tuple[Runtime, Site]:
    """A worker's runtime (metrics in multiprocess mode, as under Celery) and a site."""
    env = {"MODERATION_DATA_DIR": str(root / "data"), "REDIS_URL": redis_url,
           "MODERATION_MODELS_DIR": str(models_folder(root))}
    if database_url:
        env["DATABASE_URL"] = database_url
    (root / "data").mkdir()
    settings = Settings.from_env(env)
    prepare(settings, "worker")
    runtime = Runtime(settings)
    runtime.store.migrate()
    site, _ = runtime.store.sites.create(f"cpu{int(time.time() * 1000) % 10**9}")
    runtime.models.current()
    runtime.languages.current()
    return runtime, site


def store_comments(runtime: Runtime, site: Site, texts: list[str], start: int,
                   articles: int) -> list[str]:
    """Store comments as intake does (without the HTTP layer) and return their ids."""
    ids = []
    for i, text in enumerate(texts, start):
        submission = Submission(
            article_id=f"article-{i % articles}", sender_name=f"Reader {i}",
            email=f"reader{i}@example.org", comment=text,
            author_ip=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        )
        ids.append(runtime.store.comments.add(site, submission).id)
    return ids


def main(argv: list[str] | None = None) -> None:
    """Print CPU ms per scored comment for each round, then the median."""
    parser = parser_with_common_options(__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--articles", type=int, default=50,
                        help="comments are spread over this many articles")
    args = parser.parse_args(argv)
    redis.Redis.from_url(args.redis_url).flushdb()
    per_round = args.batch * args.batches
    texts = sample_texts(per_round * (args.rounds + 1))
    with tempfile.TemporaryDirectory() as folder:
        runtime, site = build(Path(folder), args.redis_url, args.database_url)
        loaded_mb = peak_rss_mb()
        scorer = BatchScorer(runtime.store, runtime.scorer, runtime.publishing)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        per_comment, server_per_comment = [], []
        server = ServerClock(args.database_url)
        for round_index in range(args.rounds + 1):  # the first round warms caches up
            start = round_index * per_round
            ids = store_comments(runtime, site, texts[start:start + per_round], start,
                                 args.articles)
            measured = round_index > 0
            if profiler and measured:
                profiler.enable()
            started = time.process_time()
            server.start()
            for b in range(0, per_round, args.batch):
                scorer.score(ids[b:b + args.batch])
            scorer.flush()
            elapsed = time.process_time() - started
            spent = server.seconds()
            if profiler and measured:
                profiler.disable()
            if measured:
                per_comment.append(elapsed * 1000 / per_round)
                if spent is not None:
                    server_per_comment.append(spent * 1000 / per_round)
        print(f"Peak RSS: {loaded_mb:.0f} MB with the models loaded, "
              f"{peak_rss_mb():.0f} MB after scoring")
        print_rounds(f"scored comment (batches of {args.batch})", per_comment, profiler,
                     args.profile, server_per_comment)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
