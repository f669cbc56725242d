"""Newsroom policies end to end: HTTP intake, a real Celery worker, the site's results stream.

Rules, sections, pre-moderation, reputation and alerts each decide real comments here, and
each verdict says why in its reasons (the review page shows the same reasons).
"""

from __future__ import annotations

import json
from typing import Any

import redis
import requests

from config import Settings
from domain.infra.collaborators import Runtime
from domain.policies.alerts import check_alerts
from domain.records import Site
from domain.vocabulary import Status
from tests.support.processes import ManagedProcess, run_command
from tests.support.receiver import receiving
from tests.support.review import add_comment
from tests.support.smtp import smtp_server
from tests.support.streams import read_results

ORDINARY = "Interesting comparison of the two spheres of influence, thanks for the history."
# The model flags these for a name or a place (toxicity in the flag band, under the reject line).
CHENEY = "Dick Cheney's record in Iraq deserves a fair look."
LIGHTHOUSE = "The Butt of Lewis lighthouse is stunning"
INSULT = "you are a stupid idiot and a moron, shut up"


def post(base_url: str, key: str, comment: str, **fields: Any) -> str:
    """Post a comment as a site's server would; returns its id."""
    body = {
        "article_id": "a1",
        "sender_name": "Reader",
        "email": "r@example.com",
        "comment": comment,
        "author_ip": "198.51.100.7",
        **fields,
    }
    answer = requests.post(
        f"{base_url}/api/v1/comments",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def verdicts(settings: Settings, site: str, count: int) -> dict[str, dict[str, Any]]:
    """The site's stream entries by comment id, reasons decoded."""
    entries = read_results(redis.Redis.from_url(settings.redis_url or ""), site, count)
    return {e["comment_id"]: {**e, "reasons": json.loads(e["reasons"])} for e in entries}


def rule_id(settings: Settings, site: str, *args: str) -> str:
    """Add a rule with the real CLI; returns its id (the command's last line)."""
    done = run_command(settings, "rules", "add", site, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_rules_reject_flag_and_allow_and_name_themselves(
    runtime: Runtime, settings: Settings, base_url: str, worker: ManagedProcess
) -> None:
    _, key = runtime.store.sites.create("planet")
    insult = rule_id(settings, "planet", "--action", "reject", "--pattern", "idiot*")
    shop = rule_id(
        settings, "planet", "--action", "flag", "--kind", "phrase", "--pattern", "buy followers"
    )
    cheney = rule_id(
        settings, "planet", "--action", "allow", "--kind", "phrase", "--pattern", "Dick Cheney"
    )
    domain = rule_id(
        settings,
        "planet",
        "--action",
        "reject",
        "--kind",
        "email_domain",
        "--pattern",
        "spam.example",
    )
    rule_ip = rule_id(
        settings, "planet", "--action", "flag", "--kind", "ip", "--pattern", "203.0.113.0/24"
    )
    ass = rule_id(settings, "planet", "--action", "reject", "--pattern", "ass")

    ids = {
        "insult": post(base_url, key, "What 1d10ts wrote this?"),
        "shop": post(base_url, key, "Nice article. BUY  f0ll0wers cheap"),
        "cheney": post(base_url, key, CHENEY),
        "cheney_insult": post(base_url, key, f"{CHENEY} You moron, shut up, you stupid idiot."),
        "domain": post(base_url, key, ORDINARY, email="x@mail.spam.example"),
        "ip": post(base_url, key, ORDINARY, author_ip="203.0.113.9"),
        "scunthorpe": post(base_url, key, "A classic assessment of Scunthorpe's grass pitch."),
    }
    got = verdicts(settings, "planet", len(ids))
    by = {name: got[comment_id] for name, comment_id in ids.items()}

    assert (by["insult"]["status"], by["insult"]["decided_by"]) == ("rejected", "rule")
    assert f"rule:{insult}" in by["insult"]["reasons"]
    assert json.loads(by["insult"]["statement"])["automated"] is True
    assert (by["shop"]["status"], by["shop"]["decided_by"]) == ("flagged", "rule")
    assert f"rule:{shop}" in by["shop"]["reasons"]
    # the allowed name no longer carries the model over its line ...
    assert (by["cheney"]["status"], by["cheney"]["decided_by"]) == ("approved", "rule")
    assert f"rule:{cheney}" in by["cheney"]["reasons"]
    # ... but an insult beside it still counts
    assert by["cheney_insult"]["status"] in {"flagged", "rejected"}
    assert f"rule:{insult}" in by["cheney_insult"]["reasons"]
    assert (by["domain"]["status"], by["domain"]["reasons"][-1]) == ("rejected", f"rule:{domain}")
    assert (by["ip"]["status"], by["ip"]["reasons"][-1]) == ("flagged", f"rule:{rule_ip}")
    assert by["scunthorpe"]["status"] == "approved"
    assert f"rule:{ass}" not in by["scunthorpe"]["reasons"]

    # the matched words are kept as spans for the review page
    stored = runtime.store.comments.get(ids["shop"])
    assert stored is not None
    assert [stored.body[s["begin"] : s["end"]] for s in stored.spans if s["axis"] == "rule"] == [
        "BUY  f0ll0wers"
    ]


def test_premoderation_per_site_and_section_and_section_thresholds(
    runtime: Runtime, settings: Settings, base_url: str, worker: ManagedProcess
) -> None:
    _, key = runtime.store.sites.create("planet")
    done = run_command(
        settings,
        "sites",
        "policy",
        "planet",
        "--set",
        "premoderation=new_authors",
        "--set",
        "new_author_comments=1",
        "--set",
        'sections={"politics": {"premoderation": "all"}, '
        '"sport": {"thresholds": {"toxicity": {"flag": 0.01}}}}',
    )
    assert done.returncode == 0, done.stderr

    first = post(base_url, key, ORDINARY, email="new@example.com")
    assert verdicts(settings, "planet", 1)[first]["reasons"] == ["rule:first_comment"]
    second = post(base_url, key, ORDINARY + " Again.", email="new@example.com")
    politics = post(
        base_url, key, ORDINARY + " Politics.", email="new@example.com", section="politics"
    )
    sport = post(base_url, key, "A fair match report.", email="new@example.com", section="sport")
    got = verdicts(settings, "planet", 4)

    assert (got[first]["status"], got[first]["decided_by"]) == ("flagged", "rule")
    assert got[second]["status"] == "approved"  # one comment was enough to be known
    assert (got[politics]["status"], got[politics]["reasons"]) == (
        "flagged",
        ["rule:premoderation"],
    )
    assert got[sport]["status"] == "flagged" and "toxicity:above_flag" in got[sport]["reasons"]
    answer = requests.get(
        f"{base_url}/api/v1/comments/{politics}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()
    assert answer["reasons"] == ["rule:premoderation"] and answer["decided_by"] == "rule"


def test_trusted_authors_pass_the_flag_band_and_often_rejected_ones_are_held(
    runtime: Runtime, settings: Settings, base_url: str, worker: ManagedProcess
) -> None:
    site, key = runtime.store.sites.create("planet")
    runtime.store.sites.set_policy("planet", {"reputation": {"trusted_min_approved": 10}})
    site = runtime.store.sites.by_slug("planet") or site
    history(runtime, site, "regular@example.com", approved=10)
    history(runtime, site, "troll@example.com", approved=1, rejected=4)

    trusted = post(base_url, key, LIGHTHOUSE, email="regular@example.com")
    stranger = post(base_url, key, LIGHTHOUSE, email="stranger@example.com")
    troll = post(base_url, key, ORDINARY, email="troll@example.com")
    trusted_insult = post(base_url, key, INSULT, email="regular@example.com")
    got = verdicts(settings, "planet", 4)

    assert (got[trusted]["status"], got[trusted]["decided_by"]) == ("approved", "rule")
    assert got[trusted]["reasons"][-1] == "rule:trusted_author"
    assert got[stranger]["status"] == "flagged" and got[stranger]["decided_by"] == "model"
    assert (got[troll]["status"], got[troll]["reasons"]) == ("flagged", ["rule:reputation"])
    assert got[trusted_insult]["status"] == "rejected"  # trust stops at the reject line


def history(runtime: Runtime, site: Site, email: str, approved: int = 0, rejected: int = 0) -> None:
    """Earlier comments of an author, already decided."""
    for status, count in ((Status.APPROVED, approved), (Status.REJECTED, rejected)):
        for n in range(count):
            add_comment(runtime, site, status, body=f"Earlier comment {n}", email=email)


def test_alerts_for_a_wave_of_copies_reach_the_webhook_and_the_mailbox(
    runtime: Runtime, settings: Settings, base_url: str, worker: ManagedProcess
) -> None:
    with receiving([200]) as hook, smtp_server() as mailbox:
        _, key = runtime.store.sites.create("planet")
        runtime.store.sites.set_policy(
            "planet",
            {
                "alerts": {
                    "flagged_queue": 2,
                    "rejections_per_minute": 3,
                    "near_duplicates": 4,
                    "webhook_url": hook.url,
                    "emails": ["desk@example.com"],
                }
            },
        )
        wave = [
            post(
                base_url,
                key,
                f"Visit my shop now, cheap pills number {n} http://spam.biz",
                email=f"bot{n}@example.com",
            )
            for n in range(6)
        ]
        got = verdicts(settings, "planet", len(wave))
        assert all(got[c]["status"] in {"flagged", "rejected"} for c in wave)

        settings_with_smtp = settings.with_overrides(
            smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_starttls=False
        )
        raised = check_alerts(runtime.store.sites.all(), runtime.store.alerts, settings_with_smtp)
        kinds = {finding.kind for _, finding, _ in raised}
        assert "near_duplicates" in kinds
        assert all(delivery == {"webhook": "ok", "email": "ok"} for _, _, delivery in raised)
        posted = [json.loads(r.body) for r in hook.wait_for(len(raised))]
        assert all(set(p) >= {"text", "site", "kind"} for p in posted)
        assert any("near-identical" in p["text"] for p in posted)
        assert len(mailbox.messages) == len(raised)
        assert mailbox.messages[0]["To"] == "desk@example.com"
        # the cool-down keeps a long wave to one alert of each kind
        assert (
            check_alerts(runtime.store.sites.all(), runtime.store.alerts, settings_with_smtp) == []
        )
        assert {a.kind for a in runtime.store.alerts.recent(None)} == kinds
