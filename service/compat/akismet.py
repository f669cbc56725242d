"""Akismet's REST API 1.1: comment-check, submit-spam, submit-ham and verify-key.

Akismet answers every call with HTTP 200 and a plain-text body (`true`, `false`, `valid`,
`invalid`, or the thank-you sentence), explaining problems in `X-akismet-debug-help`; so do we.
The key may come as `api_key`, as `key`, or in the host name (`<key>.<our host>`).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from domain.intake.admission import RateLimited
from domain.records import Site
from domain.store import Label
from domain.vocabulary import Status
from service.compat import akismet_request as ask
from service.compat import common
from service.context import current_runtime

blueprint = Blueprint("akismet", __name__, url_prefix="/1.1")

SUBMITTED = "Thanks for making the web a better place."
# Akismet's documented test values: always spam, and always ham.
TEST_SPAM_AUTHOR = "viagra-test-123"
TEST_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
TRUSTED_ROLE = "administrator"
DEBUG = "X-akismet-debug-help"
KEY_FIELDS = ("api_key", "key")


class _Refused(Exception):
    """A call answered `invalid` with the reason in `X-akismet-debug-help`."""

    def __init__(self, help_text: str) -> None:
        super().__init__(help_text)
        self.help_text = help_text


@blueprint.errorhandler(_Refused)
def _refused(error: _Refused) -> Response:
    """Akismet's answer to a missing or wrong key, or a blog the key does not cover."""
    return _plain("invalid", {DEBUG: error.help_text})


def _plain(body: str, headers: dict[str, str] | None = None) -> Response:
    """A text/plain answer, as Akismet sends."""
    return Response(body, 200, mimetype="text/plain", headers=headers)


def _site() -> Site:
    """The site whose key the call carries (field or host name) and whose blog it names."""
    key = ask.api_key(request, *KEY_FIELDS)
    if not key:
        raise _Refused('Empty "api_key" value')
    site = current_runtime().store.sites.by_key(key)
    if site is None:
        raise _Refused(_wrong_key_help(key))
    mismatch = ask.blog_mismatch(site, request.form.get("blog"))
    if mismatch:
        raise _Refused(mismatch)
    return site


def _wrong_key_help(key: str) -> str:
    """Why a key was refused, with the likely fix."""
    if key == ask.host_key(request) and not request.form.get("api_key"):
        return (
            "Invalid key in the host name. Host names are lower-case: a key made before "
            "keys were host-name safe needs `moderation sites rotate-key`."
        )
    return "Invalid key: use this site's moderation API key."


@blueprint.post("/verify-key")
def verify_key() -> Response:
    """`valid` for one of our site API keys (and a blog it covers), `invalid` otherwise."""
    _site()
    return _plain("valid")


def _fixed_answer() -> Response | None:
    """Answers that need no model: Akismet's test values, trusted roles and filled honeypots."""
    form = request.form
    if (
        form.get("comment_author") == TEST_SPAM_AUTHOR
        or form.get("comment_author_email") == TEST_SPAM_EMAIL
    ):
        return _plain("true")
    if form.get("user_role", "").strip().lower() == TRUSTED_ROLE:
        return _plain("false")
    if ask.honeypot_filled(request):
        # A hidden field only a bot fills: blatant spam, which clients may drop unseen.
        return _plain("true", {"X-akismet-pro-tip": "discard"})
    return None


@blueprint.post("/comment-check")
def comment_check() -> Response:
    """`true` (hold as spam) unless our verdict approves; blatant spam gets the discard tip."""
    site = _site()
    fixed = _fixed_answer()
    if fixed is not None:
        return fixed  # the documented fixed answers are not stored
    runtime = current_runtime()
    fields = ask.fields(request)
    # A test, or a recheck of a comment already sent (`recheck_reason`, e.g. `recheck_queue`),
    # is scored but not stored again; an edit changed the text, so it is a new comment.
    recheck = request.form.get("recheck_reason", "").strip().lower()
    if ask.is_true(request, "is_test") or (recheck and recheck != "edit"):
        checked = common.assess(site, str(fields["comment"]), runtime.scorer)
    else:
        recorder = common.Recorder(runtime.abuse, runtime.store, runtime.scorer, runtime.publishing)
        checked = common.record(site, fields, recorder, ask.EMAIL)
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
    site = _site()
    text = request.form.get("comment_content", "")
    if text.strip() and not ask.is_true(request, "is_test"):
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
