"""The shipped data sets: annotator agreement as a training weight, the fixed news split."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from classifier.data import (
    CIVIL,
    agreement,
    civil_holdout,
    jigsaw_holdout,
    load_dataset,
    youtube_holdout,
)


@given(annotators=st.integers(1, 500), data=st.data())
def test_agreement_is_one_when_unanimous_and_falls_to_zero_at_a_tie(annotators: int,
                                                                    data: st.DataObject) -> None:
    not_toxic = data.draw(st.integers(0, annotators))
    value = agreement({"annotators": str(annotators), "not_toxic_votes": str(not_toxic)})
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == (not_toxic in (0, annotators))
    if 2 * not_toxic == annotators:
        assert value == 0.0


@given(record=st.dictionaries(st.sampled_from(["annotators", "not_toxic_votes", "text"]),
                              st.text(max_size=5)))
def test_records_without_usable_votes_count_fully(record: dict[str, str]) -> None:
    try:
        usable = int(record["annotators"]) > 0 and int(record["not_toxic_votes"]) >= 0
    except (KeyError, ValueError):
        usable = False
    if not usable:
        assert agreement(record) == 1.0


def test_civil_comments_rows_carry_their_votes_and_other_sets_count_fully() -> None:
    civil = load_dataset(CIVIL)
    split_votes = [r.agreement for r in civil if r.agreement < 0.5]
    assert len(split_votes) > len(civil) // 2  # most posts were 2-to-1 votes
    assert any(r.agreement == 1.0 for r in civil)
    assert all(r.agreement == 1.0 for r in load_dataset("fox-news-comments"))


def test_no_held_out_text_is_trained_on() -> None:
    """YouTube repeats spam and Jigsaw a few posts: the train part drops the held-out texts."""
    for holdout in (jigsaw_holdout, youtube_holdout):
        train, test = holdout()
        assert not {r.text for r in train} & {r.text for r in test}
    assert len(youtube_holdout()[1]) == 317  # the held-out rows themselves did not change


def test_the_news_split_is_fixed_and_disjoint() -> None:
    first, second = civil_holdout(), civil_holdout()
    assert [r.text for r in first["test"]] == [r.text for r in second["test"]]
    train = {r.text for r in first["train"]}
    assert not train & {r.text for r in first["test"]}
    assert not train & {r.text for r in first["dev"]}
