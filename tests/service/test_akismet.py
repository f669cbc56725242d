"""Akismet compatibility: the real `akismet` client against our server, and raw form replays."""

from __future__ import annotations

from collections.abc import Iterator

import akismet
import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from tests.support.live_server import serve
from tests.support.streams import read_results

BENIGN = "Interesting comparison of the two spheres of influence."
SPAM = "Check out my channel and subscribe!!! Win free money at http://spam.example.com"
BLOG = "https://news.example"


class _ToOurServer(httpx.HTTPTransport):
    """Sends what the client addresses to rest.akismet.com to our server instead.

    The client hard-codes its base URL (akismet._common._API_URL) but takes any httpx client,
    so the requests it builds are exactly those Akismet would receive.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base = httpx.URL(base_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite scheme, host and port; keep path, headers and body."""
        request.url = request.url.copy_with(
            scheme=self._base.scheme, host=self._base.host, port=self._base.port
        )
        return super().handle_request(request)


@pytest.fixture
def base_url(app: Flask, runtime: Runtime) -> Iterator[str]:
    """The app over real HTTP, its model loaded (the client's default timeout is one second)."""
    runtime.models.current()
    with serve(app) as url:
        yield url


def _client(base_url: str, key: str) -> akismet.SyncClient:
    """The real Akismet client, talking to us."""
    http = httpx.Client(
        transport=_ToOurServer(base_url), headers={"User-Agent": akismet.USER_AGENT}, timeout=10
    )
    return akismet.SyncClient.validated_client(
        config=akismet.Config(key=key, url=BLOG), http_client=http
    )


def test_the_real_client_verifies_checks_and_submits(
    base_url: str, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    client = _client(base_url, site_and_key[1])
    assert client.verify_key() is True
    ham = client.comment_check(
        "203.0.113.7",
        comment_content=BENIGN,
        comment_type="comment",
        comment_author="Jt",
        comment_author_email="jt@example.com",
        permalink=f"{BLOG}/2026/russia-china",
        user_agent="Mozilla/5.0",
    )
    assert ham == akismet.CheckResponse.HAM
    spam = client.comment_check("203.0.113.8", comment_content=SPAM, comment_type="comment")
    assert spam == akismet.CheckResponse.DISCARD
    assert client.submit_spam("203.0.113.7", comment_content=BENIGN) is True
    assert client.submit_ham("203.0.113.8", comment_content=SPAM) is True
    assert [(lb.label, lb.source) for lb in runtime.store.labels.all()] == [
        ("spam", "akismet"),
        ("ham", "akismet"),
    ]
    results = read_results(runtime.redis, "daily-planet", 2)
    assert [r["status"] for r in results] == ["approved", "rejected"]


def test_the_documented_test_values_answer_fixed_results(
    base_url: str, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    client = _client(base_url, site_and_key[1])
    always_spam = client.comment_check("127.0.0.1", comment_author="viagra-test-123")
    assert always_spam == akismet.CheckResponse.SPAM
    guaranteed = client.comment_check(
        "127.0.0.1", comment_author_email="akismet-guaranteed-spam@example.com"
    )
    assert guaranteed == akismet.CheckResponse.SPAM
    admin = client.comment_check("127.0.0.1", comment_content=SPAM, user_role="administrator")
    assert admin == akismet.CheckResponse.HAM
    tested = client.comment_check("127.0.0.1", comment_content=SPAM, is_test=True)
    assert tested == akismet.CheckResponse.DISCARD
    assert client.submit_spam("127.0.0.1", comment_content=BENIGN, is_test=True) is True
    assert runtime.store.labels.all() == []
    assert runtime.redis.xlen("moderation:results:daily-planet") == 0


def test_the_real_client_refuses_a_wrong_key(base_url: str) -> None:
    with pytest.raises(akismet.APIKeyError):
        _client(base_url, "not-a-key")


def test_comment_check_replayed_as_the_wordpress_plugin_posts_it(
    client: FlaskClient, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    form = {
        "api_key": site_and_key[1],
        "blog": BLOG,
        "blog_lang": "en_US",
        "blog_charset": "UTF-8",
        "user_ip": "198.51.100.4",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "referrer": f"{BLOG}/2026/russia-china",
        "permalink": f"{BLOG}/2026/russia-china",
        "comment_post_ID": "87790",
        "comment_type": "comment",
        "comment_author": "Jt",
        "comment_author_email": "jt@example.com",
        "comment_content": BENIGN,
    }
    response = client.post("/1.1/comment-check", data=form)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "false"
    assert "X-akismet-pro-tip" not in response.headers
    stored = runtime.store.comments.get(response.headers["X-Moderation-Comment-Id"])
    assert stored is not None
    assert (stored.article_id, stored.sender_name, stored.email) == (
        "87790",
        "Jt",
        "jt@example.com",
    )
    assert (stored.author_ip, stored.status.value) == ("198.51.100.4", "approved")

    spam = client.post("/1.1/comment-check", data={**form, "comment_content": SPAM})
    assert spam.get_data(as_text=True) == "true"
    assert spam.headers["X-akismet-pro-tip"] == "discard"


def test_a_missing_or_wrong_key_answers_invalid_with_a_debug_header(client: FlaskClient) -> None:
    for form in ({"blog": BLOG, "user_ip": "127.0.0.1"}, {"api_key": "nope", "blog": BLOG}):
        response = client.post("/1.1/comment-check", data=form)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "invalid"
        assert response.headers["X-akismet-debug-help"]
    verify = client.post("/1.1/verify-key", data={"key": "nope", "blog": BLOG})
    assert verify.get_data(as_text=True) == "invalid"


def test_submissions_thank_the_caller_and_keep_a_label(
    client: FlaskClient, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    form = {"api_key": site_and_key[1], "blog": BLOG, "user_ip": "127.0.0.1"}
    response = client.post("/1.1/submit-ham", data={**form, "comment_content": BENIGN})
    assert response.get_data(as_text=True) == "Thanks for making the web a better place."
    [label] = runtime.store.labels.all()
    assert (label.text, label.label, label.site_id) == (BENIGN, "ham", site_and_key[0].id)


def test_host_name_keys_blogs_honeypots_and_rechecks(
    client: FlaskClient, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    key = site_and_key[1]
    form = {"blog": BLOG, "user_ip": "198.51.100.4", "comment_content": BENIGN}
    by_host = client.post("/1.1/comment-check", data=form, base_url=f"http://{key}.mod.test")
    assert by_host.get_data(as_text=True) == "false"
    for host in ("127.0.0.1", "localhost", "mod.test", "cmk-notakey.mod.test"):
        refused = client.post("/1.1/comment-check", data=form, base_url=f"http://{host}")
        assert refused.get_data(as_text=True) == "invalid", host
        assert refused.headers["X-akismet-debug-help"]
    runtime.store.sites.set_policy("daily-planet", {"blogs": ["https://www.news.example"]})
    ok = client.post("/1.1/verify-key", data={"key": key, "blog": BLOG})
    assert ok.get_data(as_text=True) == "valid"
    other = client.post("/1.1/verify-key", data={"key": key, "blog": "https://evil.example"})
    assert other.get_data(as_text=True) == "invalid"
    assert "evil.example" in other.headers["X-akismet-debug-help"]
    trap = {**form, "api_key": key, "honeypot_field_name": "hp", "hp": "bot text"}
    caught = client.post("/1.1/comment-check", data=trap)
    assert caught.get_data(as_text=True) == "true"
    assert caught.headers["X-akismet-pro-tip"] == "discard"
    recheck = {**form, "api_key": key, "recheck_reason": "recheck_queue"}
    assert client.post("/1.1/comment-check", data=recheck).get_data(as_text=True) == "false"
    assert runtime.redis.xlen("moderation:results:daily-planet") == 1  # only the first
