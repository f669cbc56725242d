"""The domain and storage layer shared by the web service and the workers (no Flask, no Celery)."""
