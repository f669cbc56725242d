"""Text normalisation that defeats cheap evasion while keeping a map back to the original text.

The pipeline is a fixed list of steps. Each step is either a character translation table or a
regular-expression substitution, so the fast path (``normalize``) and the offset-tracking path
(``normalize_with_offsets``) apply exactly the same operations and always agree.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

MAX_CHARS = 2000  # safety cap (the form allows 500); applied identically at training and scoring

URL_TOKEN = " xurlx "
EMAIL_TOKEN = " xemailx "
PHONE_TOKEN = " xphonex "
MONEY_TOKEN = " xmoneyx "

# Cyrillic / Greek / other lookalikes of Latin letters (after lower-casing).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ς": "c", "σ": "o", "μ": "u",
    "ӏ": "l", "һ": "h", "ү": "y", "ғ": "f", "ɑ": "a", "ɩ": "i", "ʀ": "r", "ᴀ": "a", "ʙ": "b",
    "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l",
    "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ̀": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}
_ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
# Code-point ranges whose characters get a precomputed translation (others pass unchanged).
_TABLE_RANGES = [
    (0x0000, 0x3000), (0xA640, 0xA6A0), (0xFB00, 0xFB50), (0xFE00, 0xFE70), (0xFF00, 0xFFF0),
    (0x1D400, 0x1D800), (0x1F100, 0x1F200),
]
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g",
                       "@": "a", "$": "s"})


def _fold_char(ch: str) -> str:
    """Return the folded form of one character: NFKC, lower case, accents and lookalikes removed."""
    if ch in _ZERO_WIDTH:
        return ""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Zl", "Zp", "Zs"):
        return "" if cat == "Cf" else " "
    if cat == "Mn":  # stray combining marks are a common way to garble words
        return ""
    out = unicodedata.normalize("NFKC", ch).lower()
    stripped = "".join(c for c in unicodedata.normalize("NFD", out) if not unicodedata.combining(c))
    if stripped.isascii() and stripped:
        out = stripped
    return "".join(_CONFUSABLES.get(c, c) for c in out)


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Build (once, lazily) the translation table for all characters that change when folded."""
    table: dict[int, str] = {}
    for lo, hi in _TABLE_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            if 0xD800 <= cp < 0xE000:
                continue
            folded = _fold_char(ch)
            if folded != ch:
                table[cp] = folded
    return table


@lru_cache(maxsize=1)
def _length_changers() -> re.Pattern[str]:
    """Match any character whose folded form is not exactly one character long."""
    table = _fold_table()
    odd = sorted(cp for cp, rep in table.items() if len(rep) != 1)
    cls = "".join(re.escape(chr(cp)) for cp in odd)
    return re.compile(f"[{cls}]" if cls else r"(?!x)x")


def _url_repl(m: re.Match[str]) -> str:
    """Replace a URL by a URL token followed by its host, which carries the spam signal."""
    host = re.sub(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?", "", m.group(0)).split("/")[0]
    return f"{URL_TOKEN}{host[:40]} "


def _leet_repl(m: re.Match[str]) -> str:
    """Fold leetspeak digits/symbols inside a word that also contains letters."""
    return m.group(0).translate(_LEET)


def _spaced_repl(m: re.Match[str]) -> str:
    """Join letters written one by one with separators (``s p a m`` -> ``spam``)."""
    return re.sub(r"[^a-z]", "", m.group(0))


_TLD = r"(?:com|net|org|info|biz|ly|co|io|me|tv|us|uk|de|ru|be|gl|gg|to|xyz|online|site|club)"
Repl = Callable[[re.Match[str]], str] | str
Guard = Callable[[str], bool]
_URL_HINT = re.compile(r"://|www\.|\." + _TLD + r"\b")
# "pimpmyviews. com", "site .com", "site(dot)com": spam that dodges link filters. Only TLDs
# that are not English words, so "the net. Net income" or "help. Info:" stays text.
_SPACED_DOMAIN = re.compile(r"(?<![a-z0-9.-])([a-z0-9-]{3,})(?:\s\.\s?|\.\s|\s?[(\[]dot[)\]]\s?)"
                            r"(com|biz)\b")
_DIGIT = re.compile(r"\d")
_LEET_HINT = re.compile(r"[0-9@$]")


def _always(_text: str) -> bool:
    """Guard that always runs the step."""
    return True


# (guard, pattern, replacement): the cheap guard skips a step that cannot match, for speed.
_STEPS: list[tuple[Guard, re.Pattern[str] | None, Repl]] = [
    (lambda t: "<" in t, re.compile(r"</?[a-zA-Z][^<>]{0,300}>"), " "),  # YouTube <br />, <a>
    (lambda t: "&" in t, re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"),
     lambda m: html.unescape(m.group(0))),
    (_always, None, ""),  # character folding table
    (lambda t: "@" in t, re.compile(r"\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b"), EMAIL_TOKEN),
    (lambda t: "com" in t or "biz" in t, _SPACED_DOMAIN,
     lambda m: f"{m.group(1)}.{m.group(2)}"),
    (lambda t: _URL_HINT.search(t) is not None,
     re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+|(?<![a-z0-9.-])[a-z0-9-]{2,}"
                r"(?:\.[a-z0-9-]+)*\." + _TLD + r"\b(?:/[^\s<>\"']*)?"), _url_repl),
    (lambda t: _DIGIT.search(t) is not None,
     re.compile(r"[$£€¥]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion)\b)?|\b\d[\d,.]*\s?"
                r"(?:dollars|pounds|euros?|usd|gbp|eur)\b"), MONEY_TOKEN),
    (lambda t: _DIGIT.search(t) is not None, re.compile(r"(?<![\w+])\+?\d(?:[\d\s().-]{5,16})\d\b"),
     lambda m: PHONE_TOKEN if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0)),
    (lambda t: _LEET_HINT.search(t) is not None,
     re.compile(r"(?<![a-z0-9@$])(?=[a-z0-9@$]*[a-z])(?=[a-z@$]*[0-9@$])(?![0-9]+(?:st|nd|rd|th|"
                r"s|k|m|g|gb|mb|am|pm|px|mm|cm|km|kg|lbs?|x|p|d)\b)[a-z0-9@$]+"), _leet_repl),
    (lambda t: "!" in t or "|" in t, re.compile(r"(?<=[a-z])[!|](?=[a-z])"),
     lambda m: "i" if m.group(0) == "!" else "l"),
    (_always, re.compile(r"\b(?:[a-z][ ._*\-]{1,2}){2,}[a-z]\b"), _spaced_repl),
    (_always, re.compile(r"(.)\1{2,}"), lambda m: m.group(1) * 2),
    (_always, re.compile(r"\s{2,}|[^\S ]"), " "),
]


def fold(text: str) -> str:
    """Fold characters only (NFKC, case, accents, lookalikes; invisible characters removed).

    The first step of ``normalize`` without its token rewriting: what makes two texts "the
    same" to a reader, for duplicate checks and "is this comment blank".
    """
    return _INVISIBLE_OUTSIDE_TABLE.sub("", text.translate(_fold_table())).lower()


# Invisible characters beyond the folding table's ranges: the BOM (U+FEFF), tag characters and
# the supplementary variation selectors. (``normalize`` keeps them, so trained models stay as
# they are; a duplicate check must not.)
_INVISIBLE_OUTSIDE_TABLE = re.compile("[\ufeff\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (fast path, no offsets)."""
    text = text[:MAX_CHARS]
    table = _fold_table()
    for guard, pattern, repl in _STEPS:
        if pattern is None:
            text = text.translate(table).lower()
        elif guard(text):
            text = pattern.sub(repl, text)
    return text.strip()


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, per normalised character, the original [start, end) it came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, begin: int, end: int) -> tuple[int, int]:
        """Map a [begin, end) range of the normalised text back to the original text."""
        if not self.text or begin >= end:
            return (0, 0)
        return (self.starts[begin], self.ends[end - 1])


def _tracked_sub(
    pattern: re.Pattern[str], repl: Repl, text: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    """Apply ``pattern.sub(repl, text)`` while carrying the offset maps along."""
    out: list[str] = []
    new_s: list[int] = []
    new_e: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        a, b = m.span()
        out.append(text[pos:a])
        new_s.extend(starts[pos:a])
        new_e.extend(ends[pos:a])
        rep = repl if isinstance(repl, str) else repl(m)
        out.append(rep)
        if a < b:
            s0, e0 = starts[a], ends[b - 1]
        else:  # empty match: anchor on the neighbouring character
            s0 = e0 = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
        if len(rep) == b - a and rep != m.group(0):  # same-length rewrite keeps per-char offsets
            new_s.extend(starts[a:b])
            new_e.extend(ends[a:b])
        elif rep == m.group(0):
            new_s.extend(starts[a:b])
            new_e.extend(ends[a:b])
        else:
            new_s.extend([s0] * len(rep))
            new_e.extend([e0] * len(rep))
        pos = b
    out.append(text[pos:])
    new_s.extend(starts[pos:])
    new_e.extend(ends[pos:])
    return "".join(out), new_s, new_e


def _tracked_translate(
    text: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    """Apply the folding table (and ``lower``) character by character, carrying offsets."""
    table = _fold_table()
    if _length_changers().search(text) is None:  # 1:1 mapping: offsets are unchanged
        return text.translate(table).lower(), starts, ends
    out: list[str] = []
    new_s: list[int] = []
    new_e: list[int] = []
    for ch, s, e in zip(text, starts, ends, strict=True):
        rep = table.get(ord(ch), ch).lower()
        out.append(rep)
        new_s.extend([s] * len(rep))
        new_e.extend([e] * len(rep))
    return "".join(out), new_s, new_e


def normalize_with_offsets(text: str) -> Normalized:
    """Return the normalised text with a map back to original code-point offsets."""
    text = text[:MAX_CHARS]
    starts = list(range(len(text)))
    ends = [i + 1 for i in starts]
    for guard, pattern, repl in _STEPS:
        if pattern is None:
            text, starts, ends = _tracked_translate(text, starts, ends)
        elif guard(text):
            text, starts, ends = _tracked_sub(pattern, repl, text, starts, ends)
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    return Normalized(stripped, starts[lead:lead + len(stripped)], ends[lead:lead + len(stripped)])
