"""A site's rules: words, phrases, wildcards, regular expressions, email domains and IP ranges.

Text rules match the comment after the classifier's own folding (``classifier.normalize``:
case, accents, lookalike letters, leetspeak, spaced-out letters), so "1d10t" and "i.d.i.o.t"
meet a rule for "idiot" exactly as the model sees them. Words and phrases match whole words
only: a rule for "ass" never fires on "classic" or "assessment" (the Scunthorpe problem).
Wildcards (``idiot*``) and regular expressions run on RE2, a linear-time engine, so no pattern
can backtrack catastrophically; patterns are checked when a rule is added.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import re2

from classifier.normalize import MAX_CHARS, Normalized, normalize, normalize_with_offsets

MAX_PATTERN_CHARS = 500
# RE2 refuses patterns whose compiled program would pass this many bytes: a cap on memory.
_RE2_MAX_MEM = 8 << 20
_TOKEN = re.compile(r"[^\W_]+")  # a word of the folded text: letters and digits
_LETTER = r"[\pL\pN]"  # RE2 syntax for the same
_BOUNDARY_BEFORE = r"(?:^|[^\pL\pN])"
_BOUNDARY_AFTER = r"(?:[^\pL\pN]|$)"


class RuleError(ValueError):
    """A rule that cannot be added as given (bad kind, action or pattern)."""


class Kind(StrEnum):
    """What a rule's pattern is."""

    WORD = "word"
    PHRASE = "phrase"
    REGEX = "regex"
    EMAIL_DOMAIN = "email_domain"
    IP = "ip"


class Action(StrEnum):
    """What a match does; the stronger action wins when several rules match."""

    REJECT = "reject"
    FLAG = "flag"
    ALLOW = "allow"  # the model's verdict is taken again without the matched words


STRENGTH = {Action.REJECT: 0, Action.FLAG: 1, Action.ALLOW: 2}


@dataclass(frozen=True)
class Rule:
    """One rule of a site, as stored."""

    id: int
    site_id: int
    kind: Kind
    action: Action
    pattern: str
    note: str | None = None

    @property
    def reason(self) -> str:
        """The reason code a verdict made by this rule carries."""
        return f"rule:{self.id}"

    def describe(self) -> str:
        """A moderator-facing sentence: what the rule is and does."""
        kind = self.kind.value.replace("_", " ")
        return f"Rule {self.id}: {self.action.value} {kind} {self.pattern!r}"


@dataclass(frozen=True)
class Match:
    """A rule that matched, with where in the original comment (for text rules)."""

    rule: Rule
    spans: tuple[tuple[int, int], ...] = ()


def clean_rule(kind: str, action: str, pattern: str) -> tuple[Kind, Action, str]:
    """Check a rule's kind, action and pattern; return them cleaned, or raise RuleError."""
    try:
        rule_kind = Kind(kind.strip().lower())
    except ValueError:
        raise RuleError(f"kind must be one of {', '.join(k.value for k in Kind)}") from None
    try:
        rule_action = Action(action.strip().lower())
    except ValueError:
        raise RuleError(f"action must be one of {', '.join(a.value for a in Action)}") from None
    text = pattern.strip()
    if not text:
        raise RuleError("pattern is required")
    if len(text) > MAX_PATTERN_CHARS:
        raise RuleError(f"pattern must be at most {MAX_PATTERN_CHARS} characters")
    if rule_kind is Kind.IP:
        try:
            text = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise RuleError(
                "an ip rule needs an address or a range such as 203.0.113.0/24"
            ) from None
    elif rule_kind is Kind.EMAIL_DOMAIN:
        text = text.lower().removeprefix("*.").removeprefix("@").removeprefix(".")
        if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", text):
            raise RuleError("an email_domain rule needs a domain such as example.com")
    elif rule_kind is Kind.REGEX:
        _compile_regex(text)
    elif not _word_tokens(text):
        raise RuleError("a word or phrase rule needs at least one letter or digit")
    elif rule_kind is Kind.WORD and len(_word_tokens(text)) > 1:
        raise RuleError("a word rule is one word: use kind phrase for several")
    return rule_kind, rule_action, text


def _compile_regex(pattern: str) -> Any:
    """Compile with RE2 (linear time); a pattern RE2 refuses is a RuleError."""
    options = re2.Options()
    options.max_mem = _RE2_MAX_MEM
    options.log_errors = False
    try:
        return re2.compile(f"(?i){pattern}", options)
    except re2.error as error:
        detail = error.args[0] if error.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RuleError(f"not a usable regular expression: {detail}") from None


def _word_tokens(pattern: str) -> list[str]:
    """The folded words of a word or phrase pattern, each wildcard kept as '*'."""
    words = []
    for raw in pattern.split():
        parts = [_TOKEN.findall(normalize(part)) for part in raw.split("*")]
        folded = "*".join("".join(tokens) for tokens in parts)
        if folded.strip("*"):
            words.append(folded)
    return words


def _wildcard_regex(words: Sequence[str]) -> Any:
    """An RE2 pattern for folded words with wildcards, bounded by non-letters on both sides."""
    body = r"[^\pL\pN]+".join(
        f"{_LETTER}*".join(re2.escape(piece) for piece in word.split("*")) for word in words
    )
    return _compile_regex(f"{_BOUNDARY_BEFORE}({body}){_BOUNDARY_AFTER}")


class RuleSet:
    """A site's rules compiled for matching many comments."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = sorted(rules, key=lambda r: (STRENGTH[r.action], r.id))
        # exact words and phrases: looked up by their tuple of folded words
        self._phrases: dict[tuple[str, ...], list[Rule]] = {}
        self._regexes: list[tuple[Rule, Any]] = []
        self._domains: list[Rule] = []
        self._networks: list[tuple[Rule, Any]] = []
        for rule in self.rules:
            self._add(rule)
        self._lengths = sorted({len(words) for words in self._phrases})

    def _add(self, rule: Rule) -> None:
        """Index one rule by how it matches."""
        if rule.kind in (Kind.WORD, Kind.PHRASE):
            words = _word_tokens(rule.pattern)
            if any("*" in word for word in words):
                self._regexes.append((rule, _wildcard_regex(words)))
            elif words:
                self._phrases.setdefault(tuple(words), []).append(rule)
        elif rule.kind is Kind.REGEX:
            self._regexes.append((rule, _compile_regex(rule.pattern)))
        elif rule.kind is Kind.EMAIL_DOMAIN:
            self._domains.append(rule)
        elif rule.kind is Kind.IP:
            self._networks.append((rule, ipaddress.ip_network(rule.pattern, strict=False)))

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, text: str, email: str | None = None, ip: str | None = None) -> list[Match]:
        """Every rule that matches this comment, strongest action first, then by id."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self._phrases or self._regexes:
            folded = normalize_with_offsets(text)
            self._match_phrases(folded, found)
            self._match_regexes(text[:MAX_CHARS], folded, found)
        by_id = {rule.id: rule for rule in self.rules}
        matches = [Match(by_id[i], tuple(spans)) for i, spans in found.items()]
        matches += [Match(rule) for rule in self._domains if _domain_matches(rule.pattern, email)]
        matches += [Match(rule) for rule, net in self._networks if _ip_in(net, ip)]
        return sorted(matches, key=lambda m: (STRENGTH[m.rule.action], m.rule.id))

    def _match_phrases(self, folded: Normalized, found: dict[int, list[tuple[int, int]]]) -> None:
        """Whole-word look-ups of every run of 1..n folded words."""
        if not self._phrases:
            return
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded.text)]
        for start in range(len(tokens)):
            for length in self._lengths:
                run = tokens[start:start + length]
                if len(run) < length:
                    break
                for rule in self._phrases.get(tuple(word for word, _, _ in run), ()):
                    span = folded.original_span(run[0][1], run[-1][2])
                    found.setdefault(rule.id, []).append(span)

    def _match_regexes(
        self, original: str, folded: Normalized, found: dict[int, list[tuple[int, int]]]
    ) -> None:
        """Wildcards on the folded text, regular expressions on it and as written (RE2)."""
        for rule, pattern in self._regexes:
            if rule.kind is Kind.REGEX:
                # as written too: folding turns "100 euros" into a money token, and a pattern's
                # author may be after exactly that
                spans = [*_search(pattern, original, 0)]
                spans += [folded.original_span(b, e) for b, e in _search(pattern, folded.text, 0)]
            else:
                spans = [folded.original_span(b, e) for b, e in _search(pattern, folded.text, 1)]
            if spans:
                found.setdefault(rule.id, []).extend(sorted(set(spans)))


def _search(pattern: Any, text: str, group: int) -> list[tuple[int, int]]:
    """Every non-empty span of the group; the search resumes at the end of the group, not of
    the match, since the boundary after one word is the boundary before the next."""
    spans = []
    position = 0
    while position <= len(text) and (hit := pattern.search(text, position)) is not None:
        begin, end = hit.span(group)
        if end > begin:
            spans.append((begin, end))
        position = max(end, hit.start() + 1)
    return spans


def _domain_matches(domain: str, email: str | None) -> bool:
    """Whether an email address is at this domain or one of its subdomains."""
    if not email or "@" not in email:
        return False
    host = email.rsplit("@", 1)[1].lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def _ip_in(network: Any, ip: str | None) -> bool:
    """Whether an address lies in a network (False for none or a malformed one)."""
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False


@dataclass(frozen=True)
class ImportedRow:
    """One line of a rules CSV: a rule to add, or why it cannot be."""

    line: int
    kind: str
    action: str
    pattern: str
    note: str | None = None
    error: str | None = None


def parse_csv(content: str, default_action: str = "reject") -> list[ImportedRow]:
    """Read rules from CSV with a header naming `pattern` and optionally `kind,action,note`.

    A file without a header is one pattern per line (words or phrases), with the default
    action: what most newsrooms' word lists look like.
    """
    lines = content.lstrip("\ufeff").splitlines()
    if not lines:
        return []
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]), [])]
    if "pattern" not in header:
        return [
            _row(n, "", default_action, line) for n, line in enumerate(lines, 1) if line.strip()
        ]
    rows = []
    for number, record in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), 2):
        fields = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if k}
        if not fields.get("pattern"):
            continue
        rows.append(_row(number, fields.get("kind", ""), fields.get("action") or default_action,
                         fields["pattern"], fields.get("note") or None))
    return rows


def _row(line: int, kind: str, action: str, pattern: str, note: str | None = None) -> ImportedRow:
    """Check one imported rule; a missing kind is `phrase` for several words, else `word`."""
    pattern = pattern.strip()
    kind = kind or ("phrase" if len(pattern.split()) > 1 else "word")
    try:
        clean_kind, clean_action, clean_pattern = clean_rule(kind, action, pattern)
    except RuleError as error:
        return ImportedRow(line, kind, action, pattern, note, str(error))
    return ImportedRow(line, clean_kind.value, clean_action.value, clean_pattern, note)
