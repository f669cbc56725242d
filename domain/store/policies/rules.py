"""All SQL about sites' rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select

from domain.policies.rules import Action, Kind, Rule
from domain.records import utcnow
from domain.store.base import Database
from domain.store.tables import rules


def _rule(row: Any) -> Rule:
    """Build a Rule from a row."""
    return Rule(
        id=row.id,
        site_id=row.site_id,
        kind=Kind(row.kind),
        action=Action(row.action),
        pattern=row.pattern,
        note=row.note,
    )


class RuleRepository:
    """Adds, lists and removes rules; the caller checks them first (`clean_rule`)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        site_id: int,
        entries: Sequence[tuple[Kind, Action, str, str | None]],
        created_by: str | None = None,
    ) -> list[Rule]:
        """Store checked rules (kind, action, pattern, note) in one transaction."""
        if not entries:
            return []
        now = utcnow()
        added = []
        with self._db.write() as connection:
            for kind, action, pattern, note in entries:
                rule_id = connection.execute(
                    insert(rules).values(
                        site_id=site_id, kind=kind.value, action=action.value, pattern=pattern,
                        note=(note or None) and note[:200], created_by=created_by, created_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                added.append(Rule(int(rule_id), site_id, kind, action, pattern, note))
        return added

    def for_site(self, site_id: int) -> list[Rule]:
        """A site's rules, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(rules).where(rules.c.site_id == site_id).order_by(rules.c.id)
            ).all()
        return [_rule(row) for row in rows]

    def by_ids(self, rule_ids: Sequence[int]) -> dict[int, Rule]:
        """Rules by id (the review page names the rule behind a reason)."""
        if not rule_ids:
            return {}
        with self._db.read() as connection:
            rows = connection.execute(select(rules).where(rules.c.id.in_(list(rule_ids)))).all()
        return {row.id: _rule(row) for row in rows}

    def versions(self) -> dict[int, tuple[int, int]]:
        """Per site, (count, highest id) of its rules: a cache knows when to recompile."""
        query = select(rules.c.site_id, func.count(), func.max(rules.c.id)).group_by(
            rules.c.site_id
        )
        with self._db.read() as connection:
            return {row[0]: (int(row[1]), int(row[2])) for row in connection.execute(query)}

    def remove(self, site_id: int, rule_id: int) -> bool:
        """Delete one rule of a site; False if there was none."""
        with self._db.write() as connection:
            removed = connection.execute(
                delete(rules).where(rules.c.site_id == site_id, rules.c.id == rule_id)
            ).rowcount
        return bool(removed)
