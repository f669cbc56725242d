"""Normalisation: evasion folding and offset maps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.normalize import normalize, normalize_with_offsets


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("y0u 1d10t", "you idiot"),
        ("i d i o t", "idiot"),
        ("s.p.a.m", "spam"),
        ("уоu аrе stupіd", "you are stupid"),  # Cyrillic lookalikes
        ("Ｙｏｕ ａｒｅ ｓｔｕｐｉｄ", "you are stupid"),  # fullwidth (NFKC)
        ("i\u200bd\u200bi\u200bo\u200bt", "idiot"),  # zero-width characters
        ("stuuuuupid!!!!!", "stuupid!!"),
        ("I&#39;m<br />here &amp; there", "i'm here & there"),
        ("in 2015 we had 3 issues", "in 2015 we had 3 issues"),
    ],
)
def test_folding(raw: str, expected: str) -> None:
    """Cheap evasions fold to the plain form."""
    assert normalize(raw) == expected


def test_tokens() -> None:
    """URLs, e-mails, phone numbers and money become tokens (URL keeps its host)."""
    norm = normalize("Visit http://bit.ly/xyz or mail a@b.com, call 0800 123 4567, win $500")
    assert "xurlx bit.ly" in norm
    assert "xemailx" in norm
    assert "xphonex" in norm
    assert "xmoneyx" in norm


@pytest.mark.parametrize(
    ("raw", "host"),
    [("used pimpmyviews. com for it", "pimpmyviews.com"), ("visit mysite .com now", "mysite.com"),
     ("go to cheap-views(dot)com", "cheap-views.com"), ("see promo[dot]biz", "promo.biz")],
)
def test_spaced_out_domains_are_links(raw: str, host: str) -> None:
    """A domain split to dodge link filters is still a link, with its host."""
    assert f"xurlx {host}" in normalize(raw)


@pytest.mark.parametrize("raw", ["the dot com bubble burst", "he earned. net income rose",
                                 "I like it. Com on", "thanks for the help. Info: call us"])
def test_ordinary_sentences_with_tld_words_are_not_links(raw: str) -> None:
    assert "xurlx" not in normalize(raw)


def test_offsets_point_at_original_word() -> None:
    """A normalised word maps back to the original characters it came from."""
    raw = "Hey  Ｙ0U  are an 1d10t!!!"
    tracked = normalize_with_offsets(raw)
    begin = tracked.text.index("idiot")
    b, e = tracked.original_span(begin, begin + len("idiot"))
    assert raw[b:e] == "1d10t"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_arbitrary_unicode(raw: str) -> None:
    """Arbitrary unicode never raises; both paths agree; offsets stay inside the original."""
    fast = normalize(raw)
    tracked = normalize_with_offsets(raw)
    assert tracked.text == fast
    assert len(tracked.starts) == len(tracked.ends) == len(fast)
    for s, e in zip(tracked.starts, tracked.ends, strict=True):
        assert 0 <= s < e <= len(raw)
