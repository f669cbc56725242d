"""Reading an Akismet request: where its key is, which blog it names, what its fields mean."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request

from domain.infra.credentials import SITE_KEY_PREFIX
from domain.intake.validate import MAX_CHARS
from domain.records import Site
from service.compat import common

ANONYMOUS = "anonymous"
EMAIL = common.placeholder_email("akismet")
TRUE_VALUES = ("1", "true", "yes")
# Akismet's documented comment types that are not a reply on an article: they have no post id,
# so they are filed under an article of their own name (`akismet:signup`).
STANDALONE_TYPES = ("contact-form", "signup", "message", "blog-post", "forum-post")


def host_key(request: Request) -> str | None:
    """The key in the host name's first label (`<key>.<host>`), as Akismet has always accepted.

    Only a label that looks like one of our site keys counts, so `127.0.0.1`, `localhost` or
    `moderation.news.example` are never read as a key.
    """
    host = request.host.lower()
    if host.startswith("["):  # an IPv6 literal has no labels
        return None
    first, dot, rest = host.partition(":")[0].partition(".")
    if not dot or not rest or not first.startswith(SITE_KEY_PREFIX):
        return None
    return first


def api_key(request: Request, *names: str) -> str | None:
    """The key from the form fields named (in order), else from the host name."""
    for name in names:
        if request.form.get(name):
            return request.form[name]
    return host_key(request)


def blog_host(blog: str) -> str:
    """The host part of a `blog` URL (or the value itself when it is a bare host name)."""
    value = blog.strip().lower()
    parts = urlsplit(value if "//" in value else f"//{value}")
    return (parts.hostname or "").removeprefix("www.")


def blog_mismatch(site: Site, blog: str | None) -> str | None:
    """Why `blog` does not belong to the site, or None when it does (or the site lists none).

    A site lists its blogs with `moderation sites blogs NAME URL...`; until it does, the key
    alone names the site, as before.
    """
    allowed = site.policy.get("blogs") or []
    if not allowed:
        return None
    if not blog:
        return 'Missing required field: "blog".'
    if blog_host(blog) in {blog_host(str(a)) for a in allowed}:
        return None
    return f"The blog {blog_host(blog)!r} is not registered for this key's site."


def is_true(request: Request, name: str) -> bool:
    """Whether a flag field is set (`1`, `true` or `yes`)."""
    return request.form.get(name, "").strip().lower() in TRUE_VALUES


def honeypot_filled(request: Request) -> bool:
    """Whether the hidden field named by `honeypot_field_name` came back filled (a bot did)."""
    name = request.form.get("honeypot_field_name", "").strip()
    return bool(name) and bool(request.form.get(name, "").strip())


def comment_type(request: Request) -> str:
    """Akismet's `comment_type` (`comment` when absent), lower-cased."""
    return request.form.get("comment_type", "").strip().lower() or "comment"


def fields(request: Request) -> dict[str, object]:
    """Akismet's parameters as our submission's fields, metadata cut to our column sizes."""
    form = request.form
    kind = comment_type(request)
    default_article = f"akismet:{kind}" if kind in STANDALONE_TYPES else "akismet"
    article = form.get("comment_post_ID") or form.get("permalink") or default_article

    def cut(name: str, value: str | None) -> str | None:
        return common.truncate(value, MAX_CHARS[name])

    return {
        "article_id": cut("article_id", article),
        "sender_name": cut("sender_name", form.get("comment_author")) or ANONYMOUS,
        "email": cut("email", form.get("comment_author_email")) or EMAIL,
        "comment": form.get("comment_content", ""),
        "parent_id": cut("parent_id", form.get("comment_parent")) if kind == "reply" else None,
        "author_ip": cut("author_ip", form.get("user_ip")),
        "user_agent": cut("user_agent", form.get("user_agent")),
        "referrer": cut("referrer", form.get("referrer")),
        "permalink": cut("permalink", form.get("permalink")),
    }
