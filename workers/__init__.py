"""The Celery app and its tasks: thin shells over `domain`."""
