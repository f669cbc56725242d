"""Newsroom duties under the DSA and the GDPR: reader reports, statements of reasons, appeals,
authors' data (export and erasure) and retention. The SQL lives in ``domain.store.newsroom``."""
