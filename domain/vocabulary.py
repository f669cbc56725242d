"""The service's vocabulary, defined once: statuses, who decides, events, roles, axes, labels.

The values are what is stored in the database and published to sites' streams.
"""

from __future__ import annotations

from enum import StrEnum

from classifier.labels import AXES, AXIS_OF_LABEL, LABEL_VALUES

__all__ = ["AXES", "AXIS_OF_LABEL", "LABEL_VALUES", "DecidedBy", "Event", "Role", "Status"]


class Status(StrEnum):
    """Where a comment stands; the values are what is stored and published."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    FLAGGED = "flagged"


class DecidedBy(StrEnum):
    """Who made a decision."""

    MODEL = "model"
    RULE = "rule"
    MODERATOR = "moderator"


class Event(StrEnum):
    """The kind of result published to a site."""

    VERDICT = "verdict"
    MODERATED = "moderated"
    REPORTED = "reported"  # readers' reports moved an approved comment to flagged
    APPEAL = "appeal"  # a moderator decided an author's appeal


class Role(StrEnum):
    """What a user of the moderator pages may do."""

    MODERATOR = "moderator"
    ADMIN = "admin"
