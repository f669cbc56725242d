"""The processes one benchmark run talks to: ours (web, worker, Redis, database) or the bare app."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.bare_app import STREAM as BARE_STREAM
from bench.procs import Child, process_tree, wait_http
from cli.embedded_redis import EmbeddedRedis, free_port
from domain.infra import redis_keys
from domain.store import Store
from domain.store.tables import metadata

SITE = "bench"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Scoring paths a run can use: the module that runs `web`/`worker`, and the line each worker
# process logs once it can score. Only "consumer" is the service; the others are prototypes.
SCORING_PATHS = {
    "consumer": ("cli", "batching consumer ready"),
    "celery-batches": ("bench.celery_batches_variant", "celery-batches scorer ready"),
}


@dataclass(frozen=True)
class StackConfig:
    """How to run the service under test."""

    web_workers: int = 2
    worker_concurrency: int = 1
    batch_size: int = 256
    database: str = "sqlite"
    postgres_url: str = DEFAULT_POSTGRES_URL
    extra_env: tuple[tuple[str, str], ...] = ()
    scoring_path: str = "consumer"


MODEL_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / (
    "comment-moderation-models")


def trained_models_dir() -> Path:
    """The default model, trained once into the cache the test suite shares."""
    from classifier.registry import cached_default_models

    return cached_default_models(MODEL_CACHE)


def trained_language_models_dir() -> Path:
    """The other languages' models (a models folder's `languages/`), cached the same way."""
    from classifier.languages.artifact import cached_language_models

    return cached_language_models(MODEL_CACHE) / "languages"


def install_models(models_cache: Path, target: Path) -> None:
    """A models folder as an installation holds it after its first start: the English model
    and the other languages' (without them each worker would train them as it starts, and its
    memory would carry that training's high-water mark)."""
    ignore = shutil.ignore_patterns(".*.lock")
    shutil.copytree(models_cache, target, ignore=ignore)
    if not (target / "languages").exists():
        shutil.copytree(trained_language_models_dir(), target / "languages", ignore=ignore)


def reset_postgres(url: str) -> None:
    """Drop our tables so the run starts from an empty schema."""
    engine = create_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(text("DROP TABLE IF EXISTS schema_info"))
    engine.dispose()


class Stack:
    """A fresh Redis plus either our web+worker or the bare app, in a temporary folder."""

    def __init__(self, kind: str, config: StackConfig, models_cache: Path) -> None:
        self.kind = kind
        self.config = config
        self._tmp = tempfile.TemporaryDirectory(prefix=f"bench-{kind}-")
        self.root = Path(self._tmp.name)
        self.redis = EmbeddedRedis(self.root / "redis")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = "bench-bare-key"
        self.database_url = ""
        self.children: dict[str, Child] = {}
        self._models_cache = models_cache

    @property
    def stream(self) -> str:
        """The stream whose entries mark a comment as done."""
        return BARE_STREAM if self.kind == "bare" else redis_keys.results(SITE)

    def _env(self) -> dict[str, str]:
        """Our settings for the child processes; nothing inherited from MODERATION_*."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
        env.update(
            {
                "REDIS_URL": self.redis.url,
                "MODERATION_DATA_DIR": str(self.root / "data"),
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": "bench-secret-key",
                "MODERATION_MODELS_DIR": str(self.root / "models"),
                "MODERATION_BATCH_SIZE": str(self.config.batch_size),
                "MODERATION_WEB_WORKERS": str(self.config.web_workers),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.config.extra_env)
        return env

    def start(self) -> Stack:
        """Start Redis, then the app (and the worker), and wait until they are ready."""
        self.redis.start()
        if self.kind == "bare":
            self._start_bare()
        else:
            self._start_ours()
        return self

    def _start_bare(self) -> None:
        """The bare app under the same gunicorn options."""
        args = ["bench.bare_app", "--port", str(self.port), "--key", self.key]
        args += ["--workers", str(self.config.web_workers)]
        web = Child.python("bare", args, self._env())
        self.children["web"] = web
        wait_http(f"{self.url}/healthz", child=web)

    def _start_ours(self) -> None:
        """A fresh database and site, then `moderation web` and `moderation worker`."""
        data_dir = self.root / "data"
        data_dir.mkdir(parents=True)
        install_models(self._models_cache, self.root / "models")
        if self.config.database == "postgresql":
            self.database_url = self.config.postgres_url
            reset_postgres(self.database_url)
        else:
            self.database_url = f"sqlite:///{data_dir / 'moderation.db'}"
        store = Store(self.database_url)
        store.migrate()
        _site, self.key = store.sites.create(SITE, "Benchmark site")
        store.dispose()
        env = self._env()
        module, ready = SCORING_PATHS[self.config.scoring_path]
        web = Child.python("web", [module, "web", "--port", str(self.port)], env)
        self.children["web"] = web
        concurrency = str(self.config.worker_concurrency)
        worker = Child.python(
            "worker", [module, "worker", "--concurrency", concurrency, "--loglevel", "INFO"], env
        )
        self.children["worker"] = worker
        wait_http(f"{self.url}/healthz", child=web)
        worker.wait_for(ready, times=self.config.worker_concurrency)

    def component_pids(self) -> dict[str, list[int]]:
        """The live pids of each component (a process and its descendants)."""
        pids = {name: process_tree(child.pid) for name, child in self.children.items()}
        if self.redis.process is not None:
            pids["redis"] = [self.redis.process.pid]
        return pids

    def stop(self) -> None:
        """Stop everything and delete the temporary folder."""
        for child in reversed(list(self.children.values())):
            child.stop()
        self.redis.stop()
        self._tmp.cleanup()
