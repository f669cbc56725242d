"""Appeals (DSA art. 20): an author contests a rejection; another moderator decides it."""

from __future__ import annotations

from domain.publishing.deliver import Publishing, publish
from domain.records import Comment, Decision, Site, User
from domain.store import Store
from domain.store.labels import Label
from domain.store.newsroom.appeals import AppealRefused, StoredAppeal
from domain.vocabulary import DecidedBy

LABEL_SOURCE = "appeal"  # a label an appeal taught; a reversed model verdict is a strong one
MAX_MESSAGE, MAX_REASON = 2000, 200

__all__ = ["AppealRefused", "decide_appeal", "file_appeal"]


def file_appeal(store: Store, site: Site, comment_id: str, message: object) -> StoredAppeal:
    """Record an author's appeal of the latest decision on their rejected comment."""
    if message is not None and not isinstance(message, str):
        raise AppealRefused("invalid", "Message must be text")
    if isinstance(message, str) and len(message) > MAX_MESSAGE:
        raise AppealRefused("invalid", f"Message must be at most {MAX_MESSAGE} characters")
    text = message.strip() if isinstance(message, str) else ""
    return store.appeals.file(comment_id, site.id, text or None)


def decide_appeal(
    store: Store, publishing: Publishing, user: User, appeal_id: int, reverse: bool, reason: str
) -> Decision:
    """Uphold or reverse an appeal, label what it teaches, and publish `event: appeal`.

    By default the moderator who made the contested decision may not decide its appeal
    (a site's policy `appeal_by_same_moderator: true` allows it, for one-person newsrooms).
    """
    appeal = store.appeals.get(appeal_id)
    comment = store.comments.get(appeal.comment_id) if appeal else None
    if appeal is None or comment is None or not user.may_see(comment.site_slug):
        raise AppealRefused("not_found", "No such appeal.")
    reason = reason.strip()[:MAX_REASON]
    if not reason:
        raise AppealRefused("invalid", "Say why: the author will read the reason.")
    site = store.sites.by_id(comment.site_id)
    same_allowed = bool(site and site.policy.get("appeal_by_same_moderator"))
    if appeal.appealed_user_id == user.id and not same_allowed:
        raise AppealRefused(
            "same_moderator", "You made the contested decision: another moderator decides."
        )
    decision = store.appeals.decide(appeal, user.id, reverse, reason)
    store.labels.add_many(_labels(appeal, comment, decision, user))
    publish([decision], publishing)
    return decision


def _labels(appeal: StoredAppeal, comment: Comment, decision: Decision, user: User) -> list[Label]:
    """A reversal says the text was fine; an upheld automated rejection confirms its axes."""
    if decision.new_status.value == "approved":
        values = ["ham", "ok"]
    elif appeal.appealed_decided_by != DecidedBy.MODERATOR.value:
        axes = {reason.split(":", 1)[0] for reason in comment.reasons}
        values = [v for axis, v in (("spam", "spam"), ("toxicity", "toxic")) if axis in axes]
    else:
        values = []  # the moderator's decision already taught its label
    return [
        Label(
            text=comment.body,
            label=value,
            source=LABEL_SOURCE,
            comment_id=comment.id,
            site_id=comment.site_id,
            user_id=user.id,
            decision_id=decision.id,
        )
        for value in values
        if comment.body
    ]
