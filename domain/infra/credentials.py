"""API keys, personal tokens and passwords: generated at random, stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Site keys are lower-case letters, digits and one hyphen so that they survive as a host name's
# first label (`<key>.<host>`, as Akismet clients send them): host names are case-insensitive,
# HTTP stacks lower-case them, and `_` is not allowed in one. Older `cmk_` keys keep working.
SITE_KEY_PREFIX = "cmk-"
LEGACY_SITE_KEY_PREFIX = "cmk_"
USER_TOKEN_PREFIX = "cmt_"

_password_hasher = PasswordHasher()


def new_site_key() -> str:
    """A long random site API key (256 bits, 56 characters); shown once, stored as its SHA-256."""
    body = base64.b32encode(secrets.token_bytes(32)).decode("ascii").rstrip("=").lower()
    return SITE_KEY_PREFIX + body


def new_user_token() -> str:
    """A long random personal API token for a moderator."""
    return USER_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (keys and tokens; passwords use argon2)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Compare a presented secret with a stored hash in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def display_prefix(secret: str) -> str:
    """The first characters of a secret, safe to show so people can tell keys apart."""
    return secret[:10]


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _password_hasher.hash(password)


def password_matches(password: str, stored_hash: str) -> bool:
    """Check a password against its argon2 hash without raising."""
    try:
        return _password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
