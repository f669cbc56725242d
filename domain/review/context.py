"""The context a moderator decides with: story, thread, author's record, claims, explanation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.records import Comment, User, utcnow
from domain.review.decisions import Invalid, NotFound
from domain.store import Store
from domain.store.review.claims import Claim
from domain.store.review.context import MAX_NOTE_CHARS, ArticleKey, AuthorKey, AuthorRecord
from domain.vocabulary import Status

# How long opening or selecting a comment holds it for one moderator.
CLAIM_SECONDS = 300

# Reason codes in plain words, for the explanation line under a comment.
PLAIN_REASONS = {
    "toxicity:insult": "insult aimed at a person",
    "toxicity:hate": "hateful words about a group",
    "toxicity:profanity": "profanity",
    "toxicity:general": "hostile or abusive language",
    "toxicity:identity-term": "names a group of people (judge the rest of the text)",
    "spam:links": "links",
    "spam:contact": "contact details (email or phone)",
    "spam:money": "money amounts",
    "spam:promotion": "promotional wording",
    "spam:off-topic": "unlike the approved comments on this story",
    "language:unsupported": "a language the models do not cover",
}
PREFIXES = {"rule:": "matched a site rule", "reports:": "reported by readers"}


@dataclass
class RowContext:
    """Everything the queue rows show beside the comments, read in a few queries."""

    parents: dict[str, Comment] = field(default_factory=dict)
    records: dict[AuthorKey, AuthorRecord] = field(default_factory=dict)
    article_counts: dict[ArticleKey, int] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)

    def record(self, comment: Comment) -> AuthorRecord:
        """The author's record on the comment's site."""
        return self.records.get((comment.site_id, comment.email)) or AuthorRecord()

    def on_story(self, comment: Comment) -> int:
        """How many comments of the comment's story share the queue's status."""
        return self.article_counts.get((comment.site_id, comment.article_id), 0)


def row_context(store: Store, shown: Sequence[Comment], status: str) -> RowContext:
    """The context of a page of queue rows."""
    counted = status if status != "all" else Status.FLAGGED.value
    return RowContext(
        parents=store.context.parents(shown),
        records=store.context.author_records((c.site_id, c.email) for c in shown),
        article_counts=store.context.article_counts(
            ((c.site_id, c.article_id) for c in shown), counted
        ),
        claims=store.claims.holders([c.id for c in shown]),
    )


def explain(reasons: Sequence[str]) -> str:
    """The reason codes in plain words ('insult aimed at a person; profanity')."""
    words: list[str] = []
    for reason in reasons:
        plain = PLAIN_REASONS.get(reason)
        if plain is None:
            plain = next((v for k, v in PREFIXES.items() if reason.startswith(k)), None)
        if plain is None and reason.endswith(("above_flag", "above_reject")):
            axis = reason.partition(":")[0]
            plain = f"{axis} score over the {'reject' if 'reject' in reason else 'flag'} line"
        if plain and plain not in words:
            words.append(plain)
    specific = [w for w in words if " score over the " not in w]
    return "; ".join(specific or words)


def claim(store: Store, user: User, comment_id: str) -> Claim | None:
    """Hold a comment the user may see for a few minutes; returns whoever holds it now.

    Returns None for a comment the user may not see (or that does not exist).
    """
    if not store.moderation.comments([comment_id], user.site_slugs):
        return None
    return store.claims.claim(comment_id, user.id, CLAIM_SECONDS)


def conflict_messages(store: Store, conflicts: Mapping[str, Status]) -> dict[str, str]:
    """Why each conflicting decision was refused: who decided the comment meanwhile, and when."""
    latest = store.context.latest_decisions(list(conflicts))
    messages = {}
    for comment_id, current in conflicts.items():
        decision = latest.get(comment_id)
        who = (decision.user_email if decision and decision.user_email else None) or (
            f"the {decision.decided_by.value}" if decision else "someone else"
        )
        when = ""
        if decision is not None:
            minutes = int((utcnow() - decision.created_at).total_seconds() // 60)
            when = " just now" if minutes < 1 else f" {minutes} min ago"
        messages[comment_id] = (
            f"Already {current.value} by {who}{when}: your decision was not applied."
        )
    return messages


def add_note(store: Store, user: User, site_slug: str, email: str, body: str) -> None:
    """Record a note on an author for every moderator of the site.

    Raises NotFound for a site the user may not see and Invalid for an empty or long note.
    """
    site = store.sites.by_slug(site_slug)
    if site is None or not user.may_see(site_slug):
        raise NotFound(site_slug)
    text = body.strip()
    if not text:
        raise Invalid({"note": ["Write the note first"]})
    if len(text) > MAX_NOTE_CHARS:
        raise Invalid({"note": [f"A note is at most {MAX_NOTE_CHARS} characters"]})
    store.context.add_note(site.id, email, user.id, text)
