"""The SQL of the newsroom duties: readers' reports, appeals, authors' data and retention."""

from domain.store.newsroom.appeals import AppealRepository, StoredAppeal
from domain.store.newsroom.authors import AuthorDataRepository
from domain.store.newsroom.reader_reports import ReaderReport, ReaderReportRepository

__all__ = [
    "AppealRepository",
    "AuthorDataRepository",
    "ReaderReport",
    "ReaderReportRepository",
    "StoredAppeal",
]
