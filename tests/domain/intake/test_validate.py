"""The form's rules: exact messages, every problem at once, browser-compatible counting."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.normalize import fold
from domain.intake.validate import count_characters, validate_submission

# What a reader cannot see: zero-width space/joiners, soft hyphen, BOM, word joiner, variation
# selectors, direction marks (issue #24's probe sent a comment made only of these).
INVISIBLE = "\u200b\u200c\u200d\u00ad\ufeff\u2060\ufe0f\ufe00\u200e\u200f\U000e0101"

VALID = {
    "article_id": "russia-china-security",
    "sender_name": "Jt",
    "email": "jt@example.com",
    "comment": "A thoughtful piece on spheres of influence.",
}


def test_a_valid_comment_passes_with_its_fields_cleaned() -> None:
    result = validate_submission({**VALID, "sender_name": "  Jt  ", "author_ip": "203.0.113.9"})
    assert result.ok
    assert result.submission is not None
    assert result.submission.sender_name == "Jt"
    assert result.submission.author_ip == "203.0.113.9"


def test_missing_fields_get_the_forms_own_messages_all_at_once() -> None:
    result = validate_submission({"article_id": "a"})
    assert result.errors == {
        "sender_name": ["Sender name is required"],
        "email": ["Email is required"],
        "comment": ["Comment is required"],
    }


def test_blank_and_whitespace_only_count_as_missing() -> None:
    result = validate_submission({**VALID, "sender_name": "   ", "email": "", "comment": "\n\t "})
    assert result.errors == {
        "sender_name": ["Sender name is required"],
        "email": ["Email is required"],
        "comment": ["Comment is required"],
    }


@given(st.text(alphabet=INVISIBLE + " \n\t", min_size=1, max_size=40))
def test_invisible_characters_only_count_as_missing(blank: str) -> None:
    result = validate_submission({**VALID, "sender_name": blank, "comment": blank})
    assert result.errors == {
        "sender_name": ["Sender name is required"],
        "comment": ["Comment is required"],
    }


def test_invalid_email_gets_a_clear_message() -> None:
    result = validate_submission({**VALID, "email": "not-an-email"})
    assert list(result.errors) == ["email"]
    assert result.errors["email"][0].startswith("Email is not a valid email address")


def test_a_comment_of_exactly_500_characters_passes_and_501_fails() -> None:
    assert validate_submission({**VALID, "comment": "x" * 500}).ok
    result = validate_submission({**VALID, "comment": "x" * 501})
    assert result.errors == {"comment": ["Comment must be at most 500 characters (it has 501)"]}


def test_crlf_counts_as_one_character_like_the_browser() -> None:
    comment = "ab\r\n" * 125  # 500 characters in the browser, 625 bytes-ish here
    assert count_characters(comment) == 375
    result = validate_submission({**VALID, "comment": ("a" * 498) + "\r\n" + "b"})
    assert result.ok
    assert result.submission is not None
    assert result.submission.comment == ("a" * 498) + "\nb"


def test_astral_characters_count_as_one_code_point_each() -> None:
    assert validate_submission({**VALID, "comment": "😀" * 500}).ok
    assert not validate_submission({**VALID, "comment": "😀" * 501}).ok


def test_sender_name_is_bounded() -> None:
    result = validate_submission({**VALID, "sender_name": "n" * 101})
    assert result.errors == {
        "sender_name": ["Sender name must be at most 100 characters (it has 101)"]
    }


def test_wrong_types_are_reported_not_raised() -> None:
    result = validate_submission({**VALID, "comment": ["a"], "email": 5, "sender_name": {"x": 1}})
    assert result.errors == {
        "comment": ["Comment must be a string"],
        "email": ["Email must be a string"],
        "sender_name": ["Sender name must be a string"],
    }


def test_numeric_article_ids_are_accepted_as_text() -> None:
    result = validate_submission({**VALID, "article_id": 12345})
    assert result.submission is not None and result.submission.article_id == "12345"


def test_nul_bytes_and_lone_surrogates_are_refused() -> None:
    result = validate_submission({**VALID, "comment": "a\x00b", "sender_name": "\ud800"})
    assert set(result.errors) == {"comment", "sender_name"}


def test_bad_author_ip_is_reported() -> None:
    result = validate_submission({**VALID, "author_ip": "999.1.1.1"})
    assert result.errors == {"author_ip": ["Author IP must be an IPv4 or IPv6 address"]}


values = st.one_of(
    st.none(),
    st.text(),
    st.text(min_size=400, max_size=600),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.text(), max_size=3),
    st.dictionaries(st.text(), st.text(), max_size=2),
)
FIELDS = [
    "article_id",
    "sender_name",
    "email",
    "comment",
    "parent_id",
    "author_ip",
    "user_agent",
    "referrer",
    "permalink",
    "unknown",
]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), values))
def test_arbitrary_input_never_raises_and_is_either_valid_or_explained(data: dict) -> None:
    result = validate_submission(data)
    assert (result.submission is None) == bool(result.errors)
    for field, messages in result.errors.items():
        assert field in FIELDS and messages and all(isinstance(m, str) for m in messages)


@settings(deadline=None)
@given(st.text(max_size=500).filter(lambda s: fold(s).strip() and "\x00" not in s))
def test_any_comment_the_form_accepts_is_accepted(comment: str) -> None:
    if any("\ud800" <= ch <= "\udfff" for ch in comment):
        return
    result = validate_submission({**VALID, "comment": comment})
    assert result.ok, result.errors
