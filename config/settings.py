"""Settings read once per process from the environment, with safe working defaults."""

from __future__ import annotations

import os
import re
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIXES = ("MODERATION_",)
KNOWN_PLAIN_VARIABLES = ("REDIS_URL", "DATABASE_URL", "SECRET_KEY", "MODEL_STORE_URL")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """Read an integer setting, naming the variable when it is malformed."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from error


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    """Read a float setting, naming the variable when it is malformed."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """Read a boolean setting written as 1/0, true/false, yes/no or on/off."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    """Use SECRET_KEY, or a random key persisted in the data folder so sessions survive restarts."""
    configured = env.get("SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    temporary = key_file.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(key)
    temporary.chmod(0o600)
    try:
        os.link(temporary, key_file)  # first writer wins; others read its key
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return key_file.read_text().strip()


def _path(raw: str) -> Path:
    """A path setting made absolute now, so it means the same in every process and directory.

    Relative paths are read from the directory the command started in; the children of
    `moderation run` and the embedded redis-server (which changes into its own folder) then
    all see the same place.
    """
    return Path(raw).expanduser().resolve()


def _database_url(raw: str) -> str:
    """DATABASE_URL, with a relative SQLite file made absolute (see `_path`)."""
    match = re.match(r"sqlite(\+\w+)?:///", raw)
    if match is None:
        return raw
    prefix = match.group(0)
    database, sep, query = raw[len(prefix) :].partition("?")
    if not database or database == ":memory:" or database.startswith(("/", "file:")):
        return raw
    return f"{prefix}{_path(database)}{sep}{query}"


def _model_store_url(raw: str) -> str:
    """MODEL_STORE_URL: empty or ``database`` (the database), or ``s3://bucket[/prefix]``."""
    value = raw.strip()
    if value in ("", "database"):
        return ""
    match = re.fullmatch(r"s3://([^/\s]+)(/\S*)?", value)
    if match is None:
        raise ValueError(
            f"MODEL_STORE_URL must be empty (the database) or s3://bucket/prefix, got {raw!r}")
    return value.rstrip("/")


def _warn_unknown(env: Mapping[str, str]) -> None:
    """Warn about MODERATION_* variables we do not know, which are usually typos."""
    known = {
        f.metadata["env"] for f in Settings.__dataclass_fields__.values() if "env" in f.metadata
    }
    for name in env:
        if name.startswith(ENV_PREFIXES) and name not in known:
            warnings.warn(f"unknown setting {name} is ignored", stacklevel=3)


def _coerce(env: Mapping[str, str], name: str, default: Any) -> Any:
    """Read one tunable setting with the type of its default."""
    if isinstance(default, bool):
        return _bool(env, name, default)
    if isinstance(default, int):
        return _int(env, name, default)
    if isinstance(default, float):
        return _float(env, name, default)
    return env.get(name, default)


_SPECIAL_FIELDS = frozenset(
    {"data_dir", "secret_key", "redis_url", "database_url", "models_dir", "model_store_url"}
)


def _env(name: str) -> dict[str, Any]:
    """Field metadata naming the environment variable behind a setting."""
    return {"env": name}


@dataclass(frozen=True)
class Settings:
    """Every setting of the service; build with `Settings.from_env()` or directly in tests."""

    data_dir: Path = field(metadata=_env("MODERATION_DATA_DIR"))
    secret_key: str = field(repr=False, metadata=_env("SECRET_KEY"))
    redis_url: str | None = field(default=None, metadata=_env("REDIS_URL"))
    database_url: str = field(default="", metadata=_env("DATABASE_URL"))
    models_dir: Path | None = field(default=None, metadata=_env("MODERATION_MODELS_DIR"))
    # Where model versions are kept for every node: "" the database (default), or an
    # S3-compatible bucket "s3://bucket/prefix" (endpoint and credentials: boto3's AWS_*
    # variables); each node's models_dir is then a cache
    model_store_url: str = field(default="", metadata=_env("MODEL_STORE_URL"))

    # Database: how long a write waits for a locked SQLite (or a PostgreSQL connection)
    database_busy_timeout_ms: int = field(default=5000, metadata=_env("MODERATION_DB_BUSY_TIMEOUT"))

    # Intake
    max_body_bytes: int = field(default=64 * 1024, metadata=_env("MODERATION_MAX_BODY_BYTES"))
    redis_timeout_seconds: float = field(default=0.5, metadata=_env("MODERATION_REDIS_TIMEOUT"))

    # Pipeline
    batch_size: int = field(default=256, metadata=_env("MODERATION_BATCH_SIZE"))
    batch_linger_ms: float = field(default=8.0, metadata=_env("MODERATION_BATCH_LINGER_MS"))
    consumers_per_worker: int = field(default=1, metadata=_env("MODERATION_CONSUMERS"))
    sweep_interval_seconds: float = field(default=10.0, metadata=_env("MODERATION_SWEEP_INTERVAL"))
    pending_grace_seconds: float = field(default=60.0, metadata=_env("MODERATION_PENDING_GRACE"))
    model_poll_seconds: float = field(default=2.0, metadata=_env("MODERATION_MODEL_POLL"))
    results_stream_maxlen: int = field(
        default=1_000_000, metadata=_env("MODERATION_RESULTS_MAXLEN")
    )
    publish_guard_ttl_seconds: int = field(
        default=7 * 24 * 3600, metadata=_env("MODERATION_PUBLISH_GUARD_TTL")
    )

    # Abuse controls (see docs/reliability.md)
    rate_limit_author: str = field(
        default="30/minute;600/hour", metadata=_env("MODERATION_RATE_LIMIT_AUTHOR")
    )
    rate_limit_site: str = field(default="", metadata=_env("MODERATION_RATE_LIMIT_SITE"))
    # training labels a site key may send (feedback, Akismet submit-spam/ham)
    rate_limit_labels: str = field(
        default="60/minute;1000/day", metadata=_env("MODERATION_RATE_LIMIT_LABELS")
    )
    duplicate_window_seconds: int = field(default=300, metadata=_env("MODERATION_DUPLICATE_WINDOW"))
    login_max_failures: int = field(default=5, metadata=_env("MODERATION_LOGIN_MAX_FAILURES"))
    login_lockout_seconds: int = field(default=300, metadata=_env("MODERATION_LOGIN_LOCKOUT"))

    # Retraining
    retrain_interval_seconds: float = field(
        default=24 * 3600.0, metadata=_env("MODERATION_RETRAIN_INTERVAL")
    )
    retrain_min_new_labels: int = field(default=50, metadata=_env("MODERATION_RETRAIN_MIN_LABELS"))

    # Optional sentence-embedding tier (docs/model.md): models trained with it score better
    # and cost ~20-60 ms more per comment; needs pip install '.[embeddings]'
    embeddings: bool = field(default=False, metadata=_env("MODERATION_EMBEDDINGS"))
    embedding_model: str = field(default="", metadata=_env("MODERATION_EMBEDDING_MODEL"))

    # Article context (docs/model.md): compare each comment with the approved comments of its
    # article, so off-topic spam scores higher; costs one indexed query per article and batch
    article_context: bool = field(default=True, metadata=_env("MODERATION_ARTICLE_CONTEXT"))
    # how long a worker reuses an article's reference comments before reading them again
    article_context_refresh_seconds: float = field(
        default=5.0, metadata=_env("MODERATION_ARTICLE_CONTEXT_REFRESH")
    )

    # Alerts (domain/policies/alerts.py): how often beat checks, and the operator's SMTP
    # server for alert emails (unset: alerts go to webhooks and the dashboard only)
    alert_interval_seconds: float = field(default=60.0, metadata=_env("MODERATION_ALERT_INTERVAL"))
    smtp_host: str = field(default="", metadata=_env("MODERATION_SMTP_HOST"))
    smtp_port: int = field(default=587, metadata=_env("MODERATION_SMTP_PORT"))
    smtp_user: str = field(default="", metadata=_env("MODERATION_SMTP_USER"))
    smtp_password: str = field(default="", repr=False, metadata=_env("MODERATION_SMTP_PASSWORD"))
    smtp_from: str = field(default="moderation@localhost", metadata=_env("MODERATION_SMTP_FROM"))
    smtp_starttls: bool = field(default=True, metadata=_env("MODERATION_SMTP_STARTTLS"))

    # Metrics: a worker on a node without a web process serves /metrics on this port (0: off)
    worker_metrics_port: int = field(default=0, metadata=_env("MODERATION_WORKER_METRICS_PORT"))

    # Web
    web_workers: int = field(default=2, metadata=_env("MODERATION_WEB_WORKERS"))
    # threads per web worker: a slow client holds one thread, at most for the read timeout
    web_threads: int = field(default=8, metadata=_env("MODERATION_WEB_THREADS"))
    web_read_timeout_seconds: float = field(
        default=10.0, metadata=_env("MODERATION_WEB_READ_TIMEOUT")
    )
    secure_cookies: bool = field(default=False, metadata=_env("MODERATION_SECURE_COOKIES"))

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'moderation.db').resolve()}"

    @property
    def effective_web_threads(self) -> int:
        """Threads per web worker: the setting, or the database's default."""
        if self.web_threads > 0:
            return self.web_threads
        return 4 if self.effective_database_url.startswith("postgresql") else 1

    @property
    def effective_models_dir(self) -> Path:
        """Where model versions are kept."""
        return self.models_dir or self.data_dir / "models"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some settings changed (tests and the `run` command use this)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment (or a given mapping)."""
        env = os.environ if env is None else env
        _warn_unknown(env)
        data_dir = _path(env.get("MODERATION_DATA_DIR") or "moderation-data")
        models_dir = env.get("MODERATION_MODELS_DIR")
        embedding_model = env.get("MODERATION_EMBEDDING_MODEL", "").strip()
        tunables = {
            f.name: _coerce(env, f.metadata["env"], f.default)
            for f in fields(cls)
            if f.name not in _SPECIAL_FIELDS
        }
        if embedding_model:  # a directory of weights; empty means the installed package
            tunables["embedding_model"] = str(_path(embedding_model))
        return cls(
            data_dir=data_dir,
            secret_key=_secret_key(env, data_dir),
            redis_url=env.get("REDIS_URL") or None,
            database_url=_database_url(env.get("DATABASE_URL", "")),
            models_dir=_path(models_dir) if models_dir else None,
            model_store_url=_model_store_url(env.get("MODEL_STORE_URL", "")),
            **tunables,
        )
