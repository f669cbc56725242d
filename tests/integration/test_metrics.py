"""GET /metrics: Prometheus samples from gunicorn's and Celery's processes, scraped for real."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.procs import wait_http
from cli.embedded_redis import free_port
from config import Settings
from domain.infra.collaborators import Runtime
from tests.support.intake import comment_fields
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.streams import read_results

COMMENTS = 12


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """One scrape, as {(sample name, labels): value}."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def total(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    """The sum of a sample over the series whose labels include these."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in scrape.items() if n == name and wanted <= ls)


def test_metrics_count_intake_verdicts_batches_and_model_loads_across_processes(
    runtime: Runtime, settings: Settings
) -> None:
    _, key = runtime.store.sites.create("planet")
    port, worker_port = free_port(), free_port()
    env = settings_env(settings)
    web = ManagedProcess(["web", "--port", str(port), "--workers", "2"], env, "web")
    worker = start_worker(settings.with_overrides(worker_metrics_port=worker_port))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", timeout=120, child=web)
        session = requests.Session()
        auth = {"Authorization": f"Bearer {key}"}
        for n in range(COMMENTS):
            body = comment_fields(f"Thanks for the report on the harbour, part {n}.",
                                  email=f"r{n}@example.com")
            assert session.post(f"{base}/api/v1/comments", json=body, headers=auth).ok
        assert session.post(f"{base}/api/v1/comments", json={}, headers=auth).status_code == 422
        assert session.post(f"{base}/api/v1/comments", json={}).status_code == 401
        read_results(runtime.redis, "planet", COMMENTS)

        scrape = samples(f"{base}/metrics")  # the web reads every role's folder on its machine
        assert total(scrape, "moderation_intake_requests_total", status="202") == COMMENTS
        assert total(scrape, "moderation_intake_requests_total", status="422") == 1
        assert total(scrape, "moderation_intake_requests_total", status="401") == 1
        assert total(scrape, "moderation_decisions_total", site="planet",
                     decided_by="model") == COMMENTS
        assert total(scrape, "moderation_verdict_latency_seconds_count") == COMMENTS
        assert total(scrape, "moderation_batch_size_sum") == COMMENTS
        assert total(scrape, "moderation_model_loads_total", outcome="loaded") >= 1
        assert total(scrape, "moderation_pending_queue_length") == 0

        own = samples(f"http://127.0.0.1:{worker_port}/metrics")  # a worker on a node alone
        assert total(own, "moderation_verdict_latency_seconds_count") == COMMENTS
        assert total(own, "moderation_intake_requests_total") == 0
    finally:
        worker.stop()
        web.stop()
