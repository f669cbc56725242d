"""Authors' data (GDPR arts. 15 and 17): export everything about an email, or erase it.

Erasure runs as a job: the request is recorded first, then the author's comments are
anonymised batch by batch (each batch one transaction), then the job is closed and the email
forgotten. A job interrupted at any point is finished by the next run (the CLI, or beat).
The results stream needs no rewrite: its entries carry ids, statuses, scores and reason
codes, never a name, an email, an IP or a text (docs/privacy.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from domain.records import Site
from domain.store import Store
from domain.store.newsroom.authors import ErasureJob

log = logging.getLogger(__name__)
BATCH_SIZE = 200


def normalise_email(email: str) -> str:
    """Emails are stored as the form sent them; we match them without surrounding spaces."""
    return email.strip()


def export_author(store: Store, site: Site, email: str) -> dict[str, Any]:
    """Everything stored about an email on a site: comments, decisions, reports, appeals,
    labels, and the erasures already made."""
    email = normalise_email(email)
    data = store.authors.export(site.id, email)
    data["site"] = site.slug
    data["erasures"] = [
        {"id": job.id, "status": job.status, "comments_erased": job.comments_erased}
        for job in store.authors.jobs(site.id, email)
    ]
    return data


def erase_author(
    store: Store,
    site: Site,
    email: str,
    requested_by: str,
    batch_size: int = BATCH_SIZE,
    pause_seconds: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> ErasureJob:
    """Erase an author's data on a site; idempotent (a second run erases nothing more)."""
    job = store.authors.start_erasure(site.id, normalise_email(email), requested_by)
    return run_job(store, job, batch_size, pause_seconds, progress)


def run_job(
    store: Store,
    job: ErasureJob,
    batch_size: int = BATCH_SIZE,
    pause_seconds: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> ErasureJob:
    """Carry a job through its steps; every step may run again without harm."""
    erased = 0
    while True:
        done = store.authors.erase_batch(job, batch_size)
        if not done:
            break
        erased += done
        if progress is not None:
            progress(erased)
        if pause_seconds:
            time.sleep(pause_seconds)  # throttling, to spare a busy database
    finished = store.authors.finish_erasure(job)
    log.info("erasure job %d done: %d comment(s)", job.id, finished.comments_erased)
    return finished


def resume_erasures(store: Store) -> list[ErasureJob]:
    """Finish every job an interrupted process left running."""
    return [run_job(store, job) for job in store.authors.unfinished()]
