"""Reading labelled texts (text,label) from CSV or JSON Lines, with every bad row reported.

One reader serves `labels import` (keep the good rows, report the bad) and `evaluate` (refuse a
file with any bad row, naming its line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from classifier.labels import LABEL_VALUES

# Twenty times the comment form's 500 characters: long enough for any real comment or e-mail.
MAX_LABEL_TEXT_CHARS = 10_000


@dataclass
class ParsedLabels:
    """The good rows (text, label) and the bad ones as (line number, problem)."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _check(text: object, label: object) -> str | None:
    """Why a row is unusable, or None."""
    if not isinstance(text, str) or not text.strip():
        return "text is missing"
    if "\x00" in text:
        return "text contains a NUL character"
    if len(text) > MAX_LABEL_TEXT_CHARS:
        return f"text is longer than {MAX_LABEL_TEXT_CHARS} characters"
    if not isinstance(label, str) or label.strip().lower() not in LABEL_VALUES:
        return f"label must be one of {', '.join(LABEL_VALUES)} (got {label!r})"
    return None


Record = tuple[int, object, object, str | None]


def _csv_rows(content: str) -> Iterator[Record]:
    """(line number, text, label, parse problem) for each CSV record; header required."""
    reader = csv.DictReader(io.StringIO(content, newline=""))
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    if not {"text", "label"} <= set(reader.fieldnames):
        raise ValueError("the CSV needs a header row with columns text,label")
    for record in reader:
        # reader.line_num is the line where this record ended (records may span lines).
        yield reader.line_num, record.get("text"), record.get("label"), None


def _jsonl_rows(content: str) -> Iterator[Record]:
    """(line number, text, label, parse problem) for each JSON Lines record."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, None, None, f"not valid JSON: {error}"
            continue
        if not isinstance(record, dict):
            yield number, None, None, "a line must be a JSON object"
            continue
        yield number, record.get("text"), record.get("label"), None


def parse_labels(path: Path) -> ParsedLabels:
    """Parse a CSV (.csv) or JSON Lines (.jsonl/.ndjson/.json) file of text,label rows."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text: {error}") from error
    is_json = path.suffix.lower() in {".jsonl", ".ndjson", ".json"}
    parsed = ParsedLabels()
    try:
        for number, text, label, parse_problem in (_jsonl_rows if is_json else _csv_rows)(content):
            problem = parse_problem or _check(text, label)
            if problem:
                parsed.problems.append((number, problem))
            else:
                parsed.rows.append((str(text), str(label).strip().lower()))
    except csv.Error as error:
        raise ValueError(f"{path} is not a readable CSV file: {error}") from error
    return parsed


def read_labelled_csv(path: Path | str) -> list[tuple[str, str]]:
    """Every (text, label) row of a labelled file; ValueError naming the first bad line."""
    parsed = parse_labels(Path(path))
    if parsed.problems:
        number, problem = parsed.problems[0]
        raise ValueError(f"{path}, line {number}: {problem}")
    return parsed.rows
