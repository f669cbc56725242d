"""The comment form's rules, enforced server-side with the form's own words."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from classifier.normalize import fold
from domain.records import Submission

MAX_COMMENT_CHARS = 500
MAX_SENDER_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254

REQUIRED_MESSAGES = {
    "article_id": "Article id is required",
    "sender_name": "Sender name is required",
    "email": "Email is required",
    "comment": "Comment is required",
}
FIELD_LABELS = {
    "article_id": "Article id",
    "sender_name": "Sender name",
    "email": "Email",
    "comment": "Comment",
    "parent_id": "Parent id",
    "author_ip": "Author IP",
    "user_agent": "User agent",
    "referrer": "Referrer",
    "permalink": "Permalink",
    "section": "Section",
    "article_title": "Article title",
    "article_url": "Article URL",
}
MAX_CHARS = {
    "article_id": 200,
    "sender_name": MAX_SENDER_NAME_CHARS,
    "email": MAX_EMAIL_CHARS,
    "comment": MAX_COMMENT_CHARS,
    "parent_id": 64,
    "author_ip": 45,
    "user_agent": 512,
    "referrer": 2048,
    "permalink": 2048,
    "section": 64,
    "article_title": 300,
    "article_url": 2048,
}
OPTIONAL_FIELDS = (
    "parent_id", "author_ip", "user_agent", "referrer", "permalink",
    "section", "article_title", "article_url",
)  # fmt: skip
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


@dataclass
class ValidationResult:
    """Either a clean submission or every problem found, by field."""

    submission: Submission | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the submission passed every rule."""
        return not self.errors


def count_characters(text: str) -> int:
    """Count characters as the reader's browser does: code points, with CRLF as one newline."""
    return len(normalise_newlines(text))


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF, as a browser submits a textarea."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_unstorable_characters(text: str) -> bool:
    """NUL and lone surrogates cannot be stored as UTF-8 text in every database."""
    return _UNSTORABLE.search(text) is not None


def _as_text(value: object) -> str | None:
    """Accept strings, and numbers for ids; anything else is a type error (None)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _check_field(name: str, raw: object, errors: dict[str, list[str]]) -> str | None:
    """Check one field's type, presence and length; return its cleaned text."""
    label = FIELD_LABELS[name]
    if raw is None:
        if name in REQUIRED_MESSAGES:
            errors.setdefault(name, []).append(REQUIRED_MESSAGES[name])
        return None
    text = _as_text(raw)
    if text is None or (name not in ("article_id", "parent_id") and not isinstance(raw, str)):
        errors.setdefault(name, []).append(f"{label} must be a string")
        return None
    if _has_unstorable_characters(text):
        errors.setdefault(name, []).append(f"{label} contains characters that are not allowed")
        return None
    if name == "comment":
        text = normalise_newlines(text)
    stripped = text.strip()
    # Only invisible characters (zero-width spaces, joiners, BOM...) is as empty as only spaces.
    if not stripped or not fold(stripped).strip():
        if name in REQUIRED_MESSAGES:
            errors.setdefault(name, []).append(REQUIRED_MESSAGES[name])
        return None
    # The comment keeps its inner whitespace as written; other fields are trimmed.
    value = text if name == "comment" else stripped
    limit = MAX_CHARS[name]
    if len(value) > limit:
        errors.setdefault(name, []).append(
            f"{label} must be at most {limit} characters (it has {len(value)})"
        )
        return None
    return value


def _check_email(email: str, errors: dict[str, list[str]]) -> str | None:
    """Check an email's syntax (no DNS look-up) and return its normalised form."""
    try:
        result = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        errors.setdefault("email", []).append(f"Email is not a valid email address: {error}")
        return None
    return str(result.normalized)


def _check_ip(address: str, errors: dict[str, list[str]]) -> str | None:
    """Check that author_ip is an IPv4 or IPv6 address."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        errors.setdefault("author_ip", []).append("Author IP must be an IPv4 or IPv6 address")
        return None


def _check_url(url: str, errors: dict[str, list[str]]) -> str | None:
    """Check that article_url is an absolute http(s) address: the review page links to it."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        errors.setdefault("article_url", []).append(
            "Article URL must be an http:// or https:// address"
        )
        return None
    return url


def _check_flag(name: str, raw: object, errors: dict[str, list[str]]) -> bool:
    """A yes/no field: JSON true/false, or a form's "true"/"1"/"on" and "false"/"0"/"off"."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return raw.strip().lower() in TRUE_WORDS
    errors.setdefault(name, []).append(f"{name.capitalize()} must be true or false")
    return False


def validate_submission(data: Mapping[str, object]) -> ValidationResult:
    """Check a posted comment against the form's rules, collecting every problem at once."""
    errors: dict[str, list[str]] = {}
    values = {
        name: _check_field(name, data.get(name), errors)
        for name in (*REQUIRED_MESSAGES, *OPTIONAL_FIELDS)
    }
    if values["email"] is not None:
        values["email"] = _check_email(values["email"], errors)
    if values["author_ip"] is not None:
        values["author_ip"] = _check_ip(values["author_ip"], errors)
    if values["article_url"] is not None:
        values["article_url"] = _check_url(values["article_url"], errors)
    nudged = _check_flag("nudged", data.get("nudged"), errors)
    if errors:
        return ValidationResult(errors=errors)
    return ValidationResult(
        submission=Submission(
            article_id=values["article_id"] or "",
            sender_name=values["sender_name"] or "",
            email=values["email"] or "",
            comment=values["comment"] or "",
            **{name: values[name] for name in OPTIONAL_FIELDS},
            nudged=nudged,
        )
    )
