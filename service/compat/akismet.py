"""Akismet's REST API 1.1: comment-check, submit-spam, submit-ham and verify-key.

Akismet answers every call with HTTP 200 and a plain-text body (`true`, `false`, `valid`,
`invalid`, or the thank-you sentence), explaining problems in `X-akismet-debug-help`; so do we.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from domain.intake.admission import RateLimited
from domain.intake.validate import MAX_CHARS
from domain.records import Site
from domain.store import Label
from domain.vocabulary import Status
from service.compat import common
from service.context import current_runtime

blueprint = Blueprint("akismet", __name__, url_prefix="/1.1")

SUBMITTED = "Thanks for making the web a better place."
# Akismet's documented test values: always spam, and always ham.
TEST_SPAM_AUTHOR = "viagra-test-123"
TEST_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
TRUSTED_ROLE = "administrator"
EMAIL = common.placeholder_email("akismet")
ANONYMOUS = "anonymous"


def _plain(body: str, headers: dict[str, str] | None = None) -> Response:
    """A text/plain answer, as Akismet sends."""
    return Response(body, 200, mimetype="text/plain", headers=headers)


def _site(key: str | None) -> Site | None:
    """The site an Akismet API key (one of our site API keys) belongs to."""
    return current_runtime().store.sites.by_key(key) if key else None


def _invalid_key(key: str | None) -> Response:
    """Akismet's answer to a missing or wrong key."""
    help_text = (
        'Empty "api_key" value' if not key else "Invalid key: use this site's moderation API key."
    )
    return _plain("invalid", {"X-akismet-debug-help": help_text})


def _is_test() -> bool:
    """Whether the call is marked a test (`is_test=1` or `true`): nothing stored or learnt."""
    return request.form.get("is_test", "").strip().lower() in ("1", "true", "yes")


def _fields() -> dict[str, object]:
    """Akismet's parameters as our submission's fields, metadata cut to our column sizes."""
    form = request.form
    article = form.get("comment_post_ID") or form.get("permalink") or "akismet"

    def cut(name: str, value: str | None) -> str | None:
        return common.truncate(value, MAX_CHARS[name])

    return {
        "article_id": cut("article_id", article),
        "sender_name": cut("sender_name", form.get("comment_author")) or ANONYMOUS,
        "email": cut("email", form.get("comment_author_email")) or EMAIL,
        "comment": form.get("comment_content", ""),
        "author_ip": cut("author_ip", form.get("user_ip")),
        "user_agent": cut("user_agent", form.get("user_agent")),
        "referrer": cut("referrer", form.get("referrer")),
        "permalink": cut("permalink", form.get("permalink")),
    }


@blueprint.post("/verify-key")
def verify_key() -> Response:
    """`valid` for one of our site API keys, `invalid` otherwise."""
    key = request.form.get("key") or request.form.get("api_key")
    if _site(key) is None:
        return _invalid_key(key)
    return _plain("valid")


@blueprint.post("/comment-check")
def comment_check() -> Response:
    """`true` (hold as spam) unless our verdict approves; blatant spam gets the discard tip."""
    key = request.form.get("api_key")
    site = _site(key)
    if site is None:
        return _invalid_key(key)
    author = request.form.get("comment_author", "")
    email = request.form.get("comment_author_email", "")
    # The documented test triggers answer fixed values and are not stored.
    if author == TEST_SPAM_AUTHOR or email == TEST_SPAM_EMAIL:
        return _plain("true")
    if request.form.get("user_role", "").strip().lower() == TRUSTED_ROLE:
        return _plain("false")
    runtime = current_runtime()
    fields = _fields()
    if _is_test():
        checked = common.assess(site, str(fields["comment"]), runtime)
    else:
        checked = common.record(site, fields, runtime, EMAIL)
    if checked.limited is not None:
        return _rate_limited(checked.limited)
    # WordPress has only "spam" to hold a comment back, so a flagged or rejected verdict
    # (toxic as well as spammy) answers `true`; the comment waits in our review queue too.
    held = checked.status is not Status.APPROVED
    headers = {"X-Moderation-Status": checked.status.value}
    if checked.comment_id:
        headers["X-Moderation-Comment-Id"] = checked.comment_id
    if "spam" in checked.axes_above("reject"):
        headers["X-akismet-pro-tip"] = "discard"
    return _plain("true" if held else "false", headers)


def _rate_limited(limited: RateLimited) -> Response:
    """A rate-limited author's comment: held (`true`), neither scored nor stored.

    Akismet's comment-check answers only `true`, `false` or `invalid`, always with HTTP 200;
    its clients treat anything else as an outage and retry, which a flood must not earn. So
    the comment is held as spam, and the headers say why and when the author may post again.
    """
    scope = limited.scope.replace("_", " ")
    return _plain(
        "true",
        {
            "X-Moderation-Status": "rate_limited",
            "X-akismet-debug-help": f"Too many comments from this {scope}; not stored. "
            f"Retry in {limited.retry_after_seconds} s.",
            "Retry-After": str(limited.retry_after_seconds),
        },
    )


def _submit(label: str) -> Response:
    """Keep a reader's correction as a training label (unless it is a test)."""
    key = request.form.get("api_key")
    site = _site(key)
    if site is None:
        return _invalid_key(key)
    text = request.form.get("comment_content", "")
    if text.strip() and not _is_test():
        runtime = current_runtime()
        limited = runtime.abuse.admit_label(site)  # each label shapes every site's next model
        if limited is not None:
            retry = {"Retry-After": str(limited.retry_after_seconds)}
            return Response("Too many submissions.", 429, mimetype="text/plain", headers=retry)
        runtime.store.labels.add_many([Label(text, label, source="akismet", site_id=site.id)])
    return _plain(SUBMITTED)


@blueprint.post("/submit-spam")
def submit_spam() -> Response:
    """A comment we let through was spam."""
    return _submit("spam")


@blueprint.post("/submit-ham")
def submit_ham() -> Response:
    """A comment we held was not spam."""
    return _submit("ham")
