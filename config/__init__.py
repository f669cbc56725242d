"""Settings of the service, read from the environment once per process."""

from config.settings import Settings

__all__ = ["Settings"]
