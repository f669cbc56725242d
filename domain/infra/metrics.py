"""Prometheus metrics, shared by gunicorn's and Celery's forked processes (multiprocess mode).

Each long-running role (web, worker, beat) writes its processes' samples under
``<metrics root>/<role>``; the root is PROMETHEUS_MULTIPROC_DIR if the operator set it, else
``<data dir>/metrics``. ``GET /metrics`` on the web reads every role folder under the root (on
one machine it shows the whole pipeline); a worker on a node of its own serves its folder on
MODERATION_WORKER_METRICS_PORT. The root must be chosen before any metric is created, so
``prepare`` runs first thing in each role's main process.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from config import Settings

# set by `prepare`, inherited by forked children (not MODERATION_*: Settings warns about those)
ROOT_VARIABLE = "PROMETHEUS_MULTIPROC_ROOT"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)



class Metrics:
    """The service's metrics; created on first use, after `prepare` chose where samples go."""

    def __init__(self) -> None:
        self.intake = Counter("moderation_intake_requests",
                              "Comments POSTed to the intake, by HTTP status", ["status"],
                              registry=None)
        self.verdict_latency = Histogram(
            "moderation_verdict_latency_seconds",
            "From the POST that stored a comment to its verdict published on the site's stream",
            buckets=LATENCY_BUCKETS, registry=None)
        self.batch_size = Histogram("moderation_batch_size",
                                    "Comments per batch the consumer scored",
                                    buckets=BATCH_BUCKETS, registry=None)
        self.decisions = Counter("moderation_decisions", "Decisions recorded",
                                 ["status", "decided_by", "model_version", "site"], registry=None)
        self.model_loads = Counter("moderation_model_loads",
                                   "Model versions loaded by a process", ["version", "outcome"],
                                   registry=None)
        self.retrains = Counter("moderation_retrains", "Retraining runs, by outcome",
                                ["outcome"], registry=None)

    def all(self) -> list[Collector]:
        """Every metric, to register for an in-process scrape."""
        return [self.intake, self.verdict_latency, self.batch_size, self.decisions,
                self.model_loads, self.retrains]


@functools.cache
def metrics() -> Metrics:
    """This process's metrics."""
    return Metrics()


def prepare(settings: Settings, role: str) -> Path:
    """Start this role's samples afresh in its own folder, before any metric is used."""
    root = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.data_dir / "metrics")
    folder = root / role
    shutil.rmtree(folder, ignore_errors=True)  # samples of a previous run of this role
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[ROOT_VARIABLE] = str(root)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # prometheus_client picks its value class when imported: pick again now the folder is set
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    metrics.cache_clear()
    return folder


def process_exited(pid: int) -> None:
    """Forget the live samples of a forked child that exited (gunicorn and Celery hooks)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


class QueueDepth(Collector):
    """The pending-queue length, read from Redis when Prometheus scrapes."""

    def __init__(self, depth: Callable[[], int]) -> None:
        self._depth = depth

    def collect(self) -> Iterable[Metric]:
        """One gauge; absent while Redis is away."""
        try:
            depth = self._depth()
        except Exception:  # noqa: BLE001 - a scrape must not fail because Redis is down
            return []
        return [GaugeMetricFamily("moderation_pending_queue_length",
                                  "Comment ids waiting for a worker", value=depth)]


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """Every role's samples on this machine (or this process's), in the text format."""
    registry = CollectorRegistry()
    root = os.environ.get(ROOT_VARIABLE)
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir()) if root else []
    for folder in folders:
        multiprocess.MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    if not folders:
        for metric in metrics().all():
            registry.register(metric)
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


def serve_role(port: int) -> None:
    """Serve this machine's samples on a port of its own (a worker without a web beside it)."""
    from prometheus_client import start_http_server

    registry = CollectorRegistry()
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    start_http_server(port, registry=registry)
