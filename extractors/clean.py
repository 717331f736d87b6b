"""Clean-up of PDF-extracted text that keeps an exact map back to the raw offsets.

PDF dumps break every line, hyphenate words at line ends and carry odd whitespace. Sentence
splitting and pattern matching want running paragraphs, but every mention must still point at
the raw text, so :func:`clean_text` records, for each character it emits, the raw offset it came
from. Worked example (raw -> cleaned)::

    "Results\\nThe metasta-\\nsis of miR-\\n23a cells\\ngrew.\\n\\nNext one."
    "Results\\nThe metastasis of miR-23a cells grew.\\n\\nNext one."

Rules, in order of precedence:

* soft hyphens (U+00AD), zero-width characters and carriage returns are removed; form feeds,
  NBSP and other odd spaces count as ordinary whitespace;
* a blank line (or a form feed) ends a paragraph and stays as one blank line;
* a heading (see :func:`is_heading`) keeps its own line;
* a line ending in a hyphen joins the next line without a space; the hyphen is kept when the
  word is a name (see :func:`keep_line_end_hyphen`), else dropped;
* any other line break inside a paragraph becomes one space.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

#: Characters deleted outright: soft hyphen, zero-width space/joiners, BOM, carriage return.
_DELETE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\r"
_DELETE_RE = re.compile(f"[{_DELETE}]")
#: One-for-one replacements, so offsets do not move: odd spaces and tabs become a space, form
#: feeds (page breaks in text dumps) become a line break.
_TRANSLATE = str.maketrans(
    {**{c: " " for c in "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000\v"}, "\f": "\n"}
)
_HYPHENS = "-\u2010"
_WORD_BEFORE_HYPHEN = re.compile(r"([\w\u0370-\u03ff][\w\u0370-\u03ff-]*)[-\u2010]$")
_WORD_AFTER = re.compile(r"[\w\u0370-\u03ff]+")
_COMPOUND_RE = re.compile(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b")
_WORD_RE = re.compile(r"[A-Za-z]{4,}")
#: Words a heading never ends with: a line ending in one is the start of a wrapped sentence.
_OPEN_ENDINGS = frozenset(
    "a an and as at by for from in into of on or the to with via than that which whose are is was were be been"
    " its their this these those but not also both".split()
)
#: Prefixes that keep their hyphen in biomedical prose even when the next part is lowercase.
_KEEP_PREFIXES = frozenset({"non", "self", "miR", "mir", "let", "hsa", "mmu", "rno"})
_GREEK = re.compile(r"[\u0370-\u03ff]")


@dataclass
class Cleaned:
    """Cleaned text plus, for every cleaned character, the raw offset it came from.

    ``offsets[i]`` is the raw offset of ``text[i]``; ``offsets[len(text)]`` is ``len(raw)``, so
    end offsets map too. Characters the cleaner inserted (a space or line break that replaces a
    line break) map to the raw line break they replace.
    """

    text: str
    offsets: array
    #: (start, end) cleaned offsets of the lines kept as headings.
    headings: list[tuple[int, int]] = field(default_factory=list)

    def raw_offset(self, i: int) -> int:
        return self.offsets[i]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw (start, end) covering cleaned ``text[start:end]``; the end is exclusive."""
        if end <= start:
            pos = self.offsets[start]
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def clean_offset(self, raw: int) -> int:
        """The cleaned offset of the first cleaned character at or after raw offset ``raw``."""
        lo, hi = 0, len(self.text)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.offsets[mid] < raw:
                lo = mid + 1
            else:
                hi = mid
        return lo


def is_heading(line: str, next_line: str | None, prev_line: str | None = None, full_line: int = 0) -> bool:
    """Whether ``line`` (already stripped) is a section heading to keep on its own line.

    A heading is short (at most 12 words, 90 characters), starts with a capital letter or a
    section number, has no final punctuation, does not end with a function word ("of", "the",
    ...; that is a sentence wrapped at a line end), and is followed by a line that starts a
    paragraph (a capital letter, a digit or a bracket) or by nothing. When the line before is
    known it must have ended a sentence (or be a heading itself): a line that follows a line
    ending mid-sentence is that sentence's continuation. ``full_line`` is the length of a typical
    full line of the document (0: unknown); a line nearly that long is the first line of a
    paragraph, not a heading.
    Example: "Gastric cancer" followed by "Tumours of the stomach are ..." is a heading.
    """
    if not line or len(line) > 90 or (full_line and len(line) >= 0.9 * full_line) or line[-1] in ".,;:-\u2010([" or line[0] in "•·-–(":
        return False
    first = line[0]
    if not (first.isupper() or (first.isdigit() and re.match(r"\d+(\.\d+)*\.?\s+[A-Z]", line))):
        return False
    words = line.split()
    if len(words) > 12 or words[-1].lower() in _OPEN_ENDINGS or "[" in line:
        return False
    if next_line is not None:
        nxt = next_line.lstrip()
        if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "([“\""):
            return False
    if prev_line is not None and prev_line and prev_line[-1] not in ".!?:)]\"”" and not prev_line.isupper():
        return False
    return True


def keep_line_end_hyphen(left: str, right: str, compounds: set[str], words: set[str]) -> bool:
    """Whether the hyphen in ``left-`` + newline + ``right`` is part of the word.

    ``left`` is the word before the hyphen, ``right`` the fragment on the next line. The hyphen
    stays when the right part starts with a digit, an uppercase or a Greek letter ("miR-" "23a",
    "TGF-" "β", "IL-" "6"), when the left part looks like a gene or miRNA name (has an uppercase
    letter or a digit after its first letter, or is a prefix such as "miR", "let", "non"), or
    when the document itself writes the hyphenated form on one line and never the joined one.
    Otherwise it is a typesetter's hyphen in a lowercase word ("metasta-" "sis").
    """
    if not right or not left:
        return True
    r0 = right[0]
    if r0.isdigit() or r0.isupper() or _GREEK.match(r0):
        return True
    last = re.split(r"[-\u2010]", left)[-1]
    if last in _KEEP_PREFIXES or any(c.isupper() or c.isdigit() for c in last[1:]):
        return True
    if any(c.isdigit() for c in last):
        return True
    key = (last + right).lower()
    if key in words:
        return False
    return f"{last}-{right}".lower() in compounds


def _vocabulary(raw: str) -> tuple[set[str], set[str]]:
    """Hyphenated compounds and plain words the document writes within one line."""
    compounds = {f"{a}-{b}".lower() for a, b in _COMPOUND_RE.findall(raw)}
    words = {w.lower() for w in _WORD_RE.findall(raw)}
    return compounds, words


class _Builder:
    """Accumulates cleaned pieces with their raw offsets."""

    def __init__(self, raw: str, translated: str | None = None):
        self.raw = raw
        #: raw with the one-for-one replacements made once (a slice of it is a translated slice)
        self.translated = raw.translate(_TRANSLATE) if translated is None else translated
        self.parts: list[str] = []
        self.offsets = array("l")
        self.length = 0
        self.has_deletions = _DELETE_RE.search(raw) is not None

    def copy(self, start: int, end: int) -> None:
        if start >= end:
            return
        chunk = self.raw[start:end]
        if self.has_deletions and _DELETE_RE.search(chunk):
            pos = start
            for m in _DELETE_RE.finditer(chunk):
                self._append(self.raw[pos:start + m.start()], pos)
                pos = start + m.end()
            self._append(self.raw[pos:end], pos)
            return
        self._append(chunk, start)

    def _append(self, chunk: str, start: int) -> None:
        if chunk:
            self.parts.append(self.translated[start:start + len(chunk)])
            self.offsets.extend(range(start, start + len(chunk)))
            self.length += len(chunk)

    def put(self, s: str, raw_pos: int) -> None:
        self.parts.append(s)
        self.offsets.extend([raw_pos] * len(s))
        self.length += len(s)


def _lines(raw: str, translated: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of each raw line, with the strip applied to the offsets.

    ``translated``: ``raw.translate(_TRANSLATE)`` when the caller has it already."""
    out = []
    pos = 0
    for line in (raw.translate(_TRANSLATE) if translated is None else translated).split("\n"):
        start, end = pos, pos + len(line)
        line_start = pos
        pos = end + 1
        # Deleted characters are blanked out so the strip sees them; their offsets stay put.
        kept = line
        if _DELETE_RE.search(line):
            line = _DELETE_RE.sub(" ", line)
        stripped = line.strip(" ")
        if stripped:
            start += len(line) - len(line.lstrip(" "))
            end = start + len(stripped)
        else:
            end = start
        # The replacements are one for one, so the translated line's slice is the raw slice translated.
        text = kept[start - line_start:end - line_start]
        out.append((start, end, _DELETE_RE.sub("", text) if kept is not line else text))
    return out


_PAGE_LINE = re.compile(r"(?i)^page\s+\d+\s+of\s+\d+")
_PAGE_NUMBER = re.compile(r"^\d{1,4}$")
#: Running heads and citation lines: "Li et al. Journal of …", "(2022) 20:6", "J Transl Med 19:312".
_RUNNING = re.compile(r"(?i)\bet al\b|^\(?\d{4}\)?\s+\d+\s*[:(]\s*\d+|\bdoi\b|\bvol\.?\s*\d")
_MIRNA_LIKE = re.compile(r"(?i)\b(?:mir|let-?7|microrna)")
_DIGITS = re.compile(r"\d+")


def furniture_lines(lines: list[tuple[int, int, str]]) -> set[int]:
    """Indices of page furniture left in PDF-extracted text: "Page 4 of 15", bare page numbers,
    and running heads or citation lines printed on more than one page ("Li et al. Journal of …",
    "(2022) 20:6"). Only short lines of those shapes count, so repeated table cells and headings
    stay; a line naming a miRNA is never furniture."""
    shapes = [_DIGITS.sub("#", " ".join(text.lower().split())) if text else "" for _, _, text in lines]
    counts: dict[str, int] = {}
    for shape, (_, _, text) in zip(shapes, lines, strict=True):
        if text:
            counts[shape] = counts.get(shape, 0) + 1
    out = set()
    for i, (_, _, text) in enumerate(lines):
        if not text or len(text) > 100 or _MIRNA_LIKE.search(text):
            continue
        if _PAGE_LINE.match(text) or _PAGE_NUMBER.match(text) or (
                counts[shapes[i]] >= 2 and _RUNNING.search(text)):
            out.add(i)
    return out


def clean_text(raw: str) -> Cleaned:
    """Join wrapped lines and line-end hyphenation, keeping an exact offset map (module doc).

    Page furniture between two halves of a sentence is dropped and the sentence joined again.
    """
    translated = raw.translate(_TRANSLATE)
    lines = _lines(raw, translated)
    furniture = furniture_lines(lines)
    compounds, words = _vocabulary(raw)
    lengths = sorted(e - s for s, e, _ in lines if e > s)
    # Wrapped text has most lines near the column width; one-line paragraphs make this large.
    full_line = lengths[len(lengths) * 3 // 4] if len(lengths) >= 8 else 0
    b = _Builder(raw, translated)
    headings: list[tuple[int, int]] = []
    prev_text: str | None = None  # previous non-blank line of the current paragraph
    prev_end = 0
    prev_heading = False
    pending_break = False  # a blank line was seen since the last emitted line
    gap_has_furniture = False
    for i, (start, end, text) in enumerate(lines):
        if i in furniture:
            gap_has_furniture = True
            continue
        if not text:
            if b.length:
                pending_break = True
            continue
        if gap_has_furniture and pending_break and prev_text and prev_text[-1] not in ".!?:":
            pending_break = False  # the page break fell inside a sentence
        gap_has_furniture = False
        next_text = None
        if i + 1 < len(lines):
            next_text = lines[i + 1][2] or None
        after_break = pending_break or prev_heading or prev_text is None
        heading = is_heading(text, next_text, None if after_break else prev_text, full_line)
        if b.length:
            if pending_break:
                b.put("\n\n", prev_end)
            elif heading or prev_heading:
                b.put("\n", prev_end)
            elif prev_text[-1] in _HYPHENS and len(prev_text) > 1 and prev_text[-2] not in " ":
                m = _WORD_BEFORE_HYPHEN.search(prev_text)
                r = _WORD_AFTER.match(text)
                if m and not keep_line_end_hyphen(m.group(1), r.group() if r else "", compounds, words):
                    # Drop the hyphen already emitted: it is the last cleaned character.
                    _drop_last(b)
            else:
                b.put(" ", prev_end)
        h_start = b.length
        b.copy(start, end)
        if heading:
            headings.append((h_start, b.length))
        prev_text, prev_end, prev_heading, pending_break = text, end, heading, False
    b.offsets.append(len(raw))
    return Cleaned(text="".join(b.parts), offsets=b.offsets, headings=headings)


def _drop_last(b: _Builder) -> None:
    last = b.parts[-1]
    if len(last) == 1:
        b.parts.pop()
    else:
        b.parts[-1] = last[:-1]
    b.offsets.pop()
    b.length -= 1

