"""Issue #24: a rotated site key stops working at once, in every process."""

from __future__ import annotations

from domain.store import Store


def test_a_key_rotated_by_another_process_is_refused_at_once(store: Store) -> None:
    site, old_key = store.sites.create("planet")
    assert store.sites.by_key(old_key) == site  # the web process has just used it
    operator = Store(store.db.engine.url.render_as_string(hide_password=False))
    try:
        new_key = operator.sites.rotate_key("planet")  # `moderation sites rotate-key`
    finally:
        operator.dispose()
    assert store.sites.by_key(old_key) is None
    found = store.sites.by_key(new_key)
    assert found is not None and found.id == site.id
