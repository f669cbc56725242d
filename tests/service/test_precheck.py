"""The pre-check (nudge): POST /api/v1/comments:check judges a comment and stores nothing."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.infra.collaborators import Runtime
from domain.policies.precheck import nudge_counts
from domain.policies.rules import clean_rule
from domain.records import Site
from domain.store.tables import comments

ORDINARY = "Interesting comparison of the two spheres of influence, thanks for the history."
INSULT = "you are a stupid idiot and a moron, shut up"


def body(comment: str, **extra: Any) -> dict[str, Any]:
    """A complete form, as the site's server forwards it."""
    return {"article_id": "a1", "sender_name": "Reader", "email": "r@example.com",
            "comment": comment, **extra}


def add_rule(runtime: Runtime, site: Site, kind: str, action: str, pattern: str) -> int:
    """Add a checked rule to a site; returns its id."""
    [rule] = runtime.store.rules.add(site.id, [(*clean_rule(kind, action, pattern), None)])
    runtime.rulebook.forget()
    return rule.id


def stored(runtime: Runtime) -> int:
    """How many comments the database holds."""
    with runtime.store.db.read() as connection:
        return int(connection.execute(select(func.count()).select_from(comments)).scalar() or 0)


def test_an_ordinary_comment_is_ok_and_nothing_is_stored(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    answer = client.post("/api/v1/comments:check", headers=auth, json=body(ORDINARY))
    assert answer.status_code == 200
    assert answer.get_json() == {"ok": True, "outcome": "approved", "warnings": [], "errors": {}}
    assert stored(runtime) == 0


def test_an_insult_is_warned_with_the_words_that_carry_it(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    answer = client.post("/api/v1/comments:check", headers=auth, json=body(INSULT)).get_json()
    assert answer["ok"] is False and answer["outcome"] in {"held", "rejected"}
    [warning] = answer["warnings"]
    assert warning["code"].startswith("toxicity") and warning["message"]
    words = {INSULT[s["begin"]:s["end"]].lower() for s in warning["spans"]}
    assert words & {"idiot", "stupid", "moron", "stupid idiot"}
    assert stored(runtime) == 0


def test_a_rule_names_itself_and_where_it_matched(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    rule_id = add_rule(runtime, site_and_key[0], "phrase", "reject", "buy followers")
    text = "Great piece. BUY  f0ll0wers at my shop"
    answer = client.post("/api/v1/comments:check", headers=auth, json=body(text)).get_json()
    assert answer["ok"] is False and answer["outcome"] == "rejected"
    [warning] = answer["warnings"]
    assert warning["code"] == f"rule:{rule_id}"
    assert [text[s["begin"]:s["end"]] for s in warning["spans"]] == ["BUY  f0ll0wers"]


def test_a_new_author_is_told_of_the_hold_but_the_words_are_ok(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    runtime.store.sites.set_policy("daily-planet", {"premoderation": "new_authors"})
    answer = client.post("/api/v1/comments:check", headers=auth, json=body(ORDINARY)).get_json()
    assert answer["ok"] is True and answer["outcome"] == "held"
    assert [w["code"] for w in answer["warnings"]] == ["rule:first_comment"]


def test_a_half_filled_form_gets_its_errors_and_its_comment_checked(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = client.post(
        "/api/v1/comments:check", headers=auth, json={"article_id": "a1", "comment": INSULT}
    ).get_json()
    assert answer["ok"] is False
    assert answer["errors"] == {"sender_name": ["Sender name is required"],
                                "email": ["Email is required"]}
    assert answer["warnings"]


def test_the_key_is_required_and_counts_reach_the_dashboard(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    assert client.post("/api/v1/comments:check", json=body(ORDINARY)).status_code == 401
    client.post("/api/v1/comments:check", headers=auth, json=body(ORDINARY))
    client.post("/api/v1/comments:check", headers=auth, json=body(INSULT))
    assert nudge_counts(runtime.redis, ["daily-planet"], 7) == {
        "daily-planet": {"checks": 2, "warned": 1}
    }


def test_posting_anyway_is_remembered(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    answer = client.post("/api/v1/comments", headers=auth, json=body(INSULT, nudged=True))
    assert answer.status_code == 202
    comment = runtime.store.comments.get(answer.get_json()["id"])
    assert comment is not None and comment.nudged is True
    refused = client.post("/api/v1/comments", headers=auth, json=body(INSULT, nudged="maybe"))
    assert refused.status_code == 422 and "nudged" in refused.get_json()["errors"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.dictionaries(
    st.sampled_from(["article_id", "sender_name", "email", "comment", "nudged", "section",
                     "author_ip", "other"]),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=600),
              st.lists(st.text(max_size=5), max_size=2)),
))
def test_any_body_gets_an_answer_never_a_500(
    client: FlaskClient, auth: dict[str, str], payload: dict[str, Any]
) -> None:
    answer = client.post("/api/v1/comments:check", headers=auth, json=payload)
    assert answer.status_code == 200
    assert set(answer.get_json()) == {"ok", "outcome", "warnings", "errors"}


GERMAN_INSULT = "Du bist ein dummes Arschloch, halt endlich dein Maul, du Idiot"
GERMAN_CIVIL = "Vielen Dank für den ausführlichen Artikel, die Grafiken sind sehr hilfreich."
RUSSIAN_CIVIL = "Спасибо за подробную статью, графики очень полезны и понятны."


def test_a_comment_is_checked_in_its_own_language(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    def check(text: str) -> dict[str, Any]:
        answer = client.post("/api/v1/comments:check", headers=auth, json=body(text))
        assert answer.status_code == 200
        return dict(answer.get_json())

    civil, insult, russian = check(GERMAN_CIVIL), check(GERMAN_INSULT), check(RUSSIAN_CIVIL)
    # the German model reads German: a civil remark passes, an insult is warned
    assert civil == {"ok": True, "outcome": "approved", "warnings": [], "errors": {}}
    assert insult["ok"] is False and insult["outcome"] in {"held", "rejected"}
    assert insult["warnings"][0]["code"].startswith("toxicity")
    # no model reads Russian: the author hears it will wait for a moderator
    assert russian["ok"] is False and russian["outcome"] == "held"
    [warning] = russian["warnings"]
    assert warning["code"] == "language:unsupported" and "language" in warning["message"]
    assert stored(runtime) == 0


def test_a_rule_warns_in_any_language(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    rule_id = add_rule(runtime, site_and_key[0], "word", "reject", "Grafiken")
    answer = client.post("/api/v1/comments:check", headers=auth, json=body(GERMAN_CIVIL))
    result = answer.get_json()
    assert result["ok"] is False and result["outcome"] == "rejected"
    [warning] = result["warnings"]
    assert warning["code"] == f"rule:{rule_id}"
    [span] = warning["spans"]
    assert GERMAN_CIVIL[span["begin"]:span["end"]] == "Grafiken"
