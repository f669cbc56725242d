"""Issue #24: concurrent wrong passwords get no more tries than the lock-out allows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from domain.store import Store
from domain.vocabulary import Role

PASSWORD = "correct horse battery"
MAX_FAILURES = 5


def test_twelve_concurrent_guesses_get_at_most_five_tries(store: Store) -> None:
    user, _ = store.users.create("mod@example.com", PASSWORD, Role.MODERATOR)

    def guess(n: int) -> tuple[bool, bool]:
        found, locked = store.users.authenticate(
            "mod@example.com", f"guess number {n}", MAX_FAILURES, timedelta(minutes=5)
        )
        return found is not None, locked

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(guess, range(12)))
    # "Wrong password" without a lock is a try the attacker got to learn from; the try that
    # reaches the limit answers "locked", as do those refused without a password check.
    tries = sum(1 for found, locked in answers if not found and not locked)
    assert not any(found for found, _ in answers)
    assert tries <= MAX_FAILURES - 1
    found, locked = store.users.authenticate(
        "mod@example.com", PASSWORD, MAX_FAILURES, timedelta(minutes=5)
    )
    assert (found, locked) == (None, True)
    assert user.active


def test_the_right_password_resets_the_count(store: Store) -> None:
    store.users.create("mod@example.com", PASSWORD, Role.MODERATOR)
    lockout = timedelta(minutes=5)
    for _ in range(MAX_FAILURES - 1):
        assert store.users.authenticate("mod@example.com", "nope", MAX_FAILURES, lockout) == (
            None,
            False,
        )
    found, _ = store.users.authenticate("mod@example.com", PASSWORD, MAX_FAILURES, lockout)
    assert found is not None
    for _ in range(MAX_FAILURES - 1):
        assert (
            store.users.authenticate("mod@example.com", "nope", MAX_FAILURES, lockout)[1] is False
        )


def test_a_lapsed_lock_out_starts_a_fresh_count(store: Store) -> None:
    store.users.create("mod@example.com", PASSWORD, Role.MODERATOR)
    no_time = timedelta(0)
    for _ in range(MAX_FAILURES):
        store.users.authenticate("mod@example.com", "nope", MAX_FAILURES, no_time)
    found, locked = store.users.authenticate("mod@example.com", PASSWORD, MAX_FAILURES, no_time)
    assert found is not None and not locked
