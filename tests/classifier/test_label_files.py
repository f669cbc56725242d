"""Label files: good rows kept, bad rows reported with their line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.label_files import parse_labels


def test_csv_rows_are_checked_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        'text,label\n"buy cheap pills",spam\n"",ok\n"a fine remark",OK\n"multi\nline",maybe\n',
        encoding="utf-8",
    )
    parsed = parse_labels(path)
    assert parsed.rows == [("buy cheap pills", "spam"), ("a fine remark", "ok")]
    assert [number for number, _ in parsed.problems] == [3, 6]
    assert "text is missing" in parsed.problems[0][1]
    assert "label must be one of" in parsed.problems[1][1]


def test_json_lines_report_bad_json_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"text": "you idiot", "label": "toxic"}\n{oops\n\n[1]\n', encoding="utf-8")
    parsed = parse_labels(path)
    assert parsed.rows == [("you idiot", "toxic")]
    assert [number for number, _ in parsed.problems] == [2, 4]


def test_a_csv_without_the_columns_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("message,class\nhi,ham\n", encoding="utf-8")
    with pytest.raises(ValueError, match="text,label"):
        parse_labels(path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(tmp_path: Path, content: bytes) -> None:
    for name in ("x.csv", "x.jsonl"):
        path = tmp_path / name
        path.write_bytes(content)
        try:
            parsed = parse_labels(path)
        except ValueError:
            continue
        assert all(label in {"spam", "ham", "toxic", "ok"} for _, label in parsed.rows)
