"""microRNA recognition and normalisation (TRIPLES.md §2).

Authors write one miRNA in many ways (``miR-21``, ``microRNA-21``, ``hsa-miR-21-5p``,
``miRNA1225-5p`` from a PDF), and pack several into one phrase (``miR-221/-222``,
``miR-200a/b/c``, ``miR-21, -192 and -221``). The engine here works on characters, not tokens,
because PDF text and list punctuation defeat any tokenizer; ``MirnaRecognizer`` is the thin spaCy
component that stores what it finds on ``doc.spans["mirna"]``.

A name is kept when its number exists among human miRNAs in miRBase 22.1 (mature names and
previous names, ``extractors/data/mirbase_numbers.txt``), or when it is typed in full ("miR-290")
and then flagged ``unknown``: a PDF artefact such as ``miRNA-2 l`` still gives nothing, as §2
asks. ``mirbase_id`` gives every canonical name its accession and status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.cancer import DASHES

# Head of a name: species prefix, then any of the spellings authors use for "miR".
_HEAD = r"(?:(?:hsa|mmu|rno)-)?(?:[Oo]nco-?)?(?:mi[Rr]|MiR|Mir|MIR|miRNA|MiRNA|miRNAs?|micro[Rr][Nn][Aa]|Micro[Rr][Nn][Aa]|micro-RNA)"
# Number, optional letter, optional precursor copy / cluster end, optional arm.
_BODY = r"(?P<num>\d{1,5})(?P<let>[a-rt-zA-RT-Z](?![a-zA-Z]))?(?P<sub>-\d{1,3}(?![\dp]))?(?P<arm>-?[35]p|\*)?"
_MIR = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_HEAD})(?:-\s?|\s)?{_BODY}",
)
_LET = re.compile(r"(?<![A-Za-z0-9])(?:(?:hsa|mmu)-)?(?:let|Let|LET)-?\s?7(?P<let>[a-kA-K])?(?![a-zA-Z])(?P<arm>-[35]p)?")
# Families written as a plural or with "family"/"cluster" after the name.
_FAMILY_AFTER = re.compile(
    r"\s*(?:s\b|\s(?:miRNA\s|microRNA\s)?(?:family|families|cluster|polycistron)\b(?:\s+members?)?)")
_TILDE_CLUSTER = re.compile(r"(?:~|\s+approximately\s+)(\d{1,3})(?=\s+(?:cluster|polycistron)|\s*\))")
_CLUSTER_WORD = re.compile(r"\s(?:miRNA\s)?(?:cluster|polycistron)\b")
# "miR-17/92 cluster": a slash and a bare number before a cluster word name the cluster.
_SLASH_CLUSTER = re.compile(r"/(\d{1,3})(?=\s(?:miRNA\s)?(?:cluster|polycistron)\b)")
# A list continuation after a name: separator then a short form.
_SEP = r"(?:\s*/\s*|\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*)"
_CONT = re.compile(
    rf"{_SEP}(?:"
    r"(?P<arm>-?[35]p)(?![A-Za-z0-9])"
    r"|-(?P<hnum>\d{1,5})(?P<hlet>[a-z])?(?P<harm>-[35]p)?(?![A-Za-z0-9])"
    r"|(?P<bnum>\d{1,5})(?P<blet>[a-z])?(?P<barm>-[35]p)(?![A-Za-z0-9])"
    r"|(?P<letter>[a-z])(?![A-Za-z0-9])"
    r"|(?P<slashnum>\d{1,5}[a-z]?)(?![A-Za-z0-9%.,]\d)(?=[\s,;.)\]/]|$)"
    r"(?P<bare>(?=\s*(?:[,;.)\]]|$|\s(?:and|or|were|are|was|is|in|expression|levels?|up-?regulation"
    r"|down-?regulation)\b)))?"
    r")"
)


# A name typed in full: species prefix, "miR"/"microRNA" head, one hyphen, number (no PDF joins).
_WELL_FORMED = re.compile(r"(?:hsa-)?(?:miR|MiR|microRNA|MicroRNA|miRNA)-\d+[a-z]?(?:-[35]p)?$")
# Typographic hyphens and dashes that PDF text puts inside names ("miR‐18a"); one character each,
# so offsets stay valid.
_DASHES = str.maketrans({c: "-" for c in DASHES})


@dataclass(frozen=True)
class MirnaMention:
    """One written mention (possibly a list) and the canonical names it stands for."""

    start: int
    end: int
    names: tuple[str, ...]


@lru_cache(maxsize=1)
def known_numbers() -> frozenset[str]:
    """Numbers (and ``let-7``) of human mature miRNAs in miRBase 22.1, current and previous names."""
    text = resources.files("extractors.data").joinpath("mirbase_numbers.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _arm(raw: str | None) -> str:
    if not raw or raw == "*":
        return ""
    return "-" + raw.lstrip("-").lower()


def _mir(num: str, letter: str | None = None, sub: str | None = None, arm: str | None = None) -> str:
    return f"miR-{num}{(letter or '').lower()}{sub or ''}{_arm(arm)}"


def _is_known(name: str) -> bool:
    if name.startswith("let-7"):
        return True
    m = re.match(r"miR-(\d+)", name)
    return bool(m) and m.group(1) in known_numbers()


def normalize_mirna(text: str) -> str | None:
    """Canonical name of a single written miRNA (``hsa-mir-21-5p`` → ``miR-21-5p``), or None."""
    found = find_mirnas(text.strip())
    if len(found) == 1 and len(found[0].names) == 1:
        return found[0].names[0]
    return None


def _family_or_cluster(text: str, end: int, base: str) -> tuple[str, int] | None:
    m = _FAMILY_AFTER.match(text, end)
    if not m:
        return None
    word = m.group(0)
    root = re.sub(r"[a-z]?(-[35]p)?$", "", base) if "cluster" not in word else base
    if "cluster" in word or "polycistron" in word:
        return f"{root} cluster", m.end()
    if base.startswith("let-7"):
        root = "let-7"
    return f"{root} family", m.end()


def find_mirnas(text: str, clusters: dict[str, tuple[str, ...]] | None = None) -> list[MirnaMention]:
    """Every miRNA mention in ``text``, lists expanded, names canonical (TRIPLES.md §2).

    ``clusters``: written forms that other passages of the same document name as a cluster
    (see :func:`cluster_definitions`); the text's own definitions win.
    """
    text = text.translate(_DASHES)  # same length: offsets stay valid
    spans: list[MirnaMention] = []
    pos = 0
    candidates = sorted(
        [(m.start(), m, "mir") for m in _MIR.finditer(text)] + [(m.start(), m, "let") for m in _LET.finditer(text)],
        key=lambda item: item[0],
    )
    for start, m, kind in candidates:
        if start < pos:
            continue
        if kind == "let":
            base_num, letter, sub = "let-7", m["let"], None
            # a bare "let-7" names the family (TRIPLES.md §2 writes families with "family")
            first = f"let-7{letter.lower()}{_arm(m['arm'])}" if letter else "let-7 family"
        else:
            base_num, letter, sub = m["num"], m["let"], m["sub"]
            # "miR-17-92", "miR-17~92" (PubMed renders "~" as "approximately"): a cluster.
            tilde = None if m["arm"] else (_TILDE_CLUSTER.match(text, m.end()) or _SLASH_CLUSTER.match(text, m.end()))
            if tilde and not sub:
                sub, m_end = "-" + tilde.group(1), tilde.end()
            else:
                m_end = m.end()
            if sub and int(sub[1:]) > 9:
                first = f"miR-{base_num}{(letter or '').lower()}{sub} cluster"
                end = m_end
                cl = _CLUSTER_WORD.match(text, end)
                end = cl.end() if cl else end
                spans.append(MirnaMention(start, end, (first,)))
                pos = end
                continue
            first = _mir(base_num, letter, sub, m["arm"])
        end = m.end()
        # "miR-224/miR-452 cluster": the cluster word covers the whole list, so each name stands alone.
        in_list = text[max(0, start - 2):start].rstrip().endswith("/")
        fam = None if in_list else _family_or_cluster(text, end, first)
        if fam:
            spans.append(MirnaMention(start, fam[1], (fam[0],)))
            pos = fam[1]
            continue
        names = [first]
        prev_num, prev_arm = base_num, m["arm"]
        while True:
            c = _CONT.match(text, end)
            if not c:
                break
            if c["hnum"]:
                names.append(_mir(c["hnum"], c["hlet"], None, c["harm"]))
                prev_num = c["hnum"]
            elif c["bnum"]:
                names.append(_mir(c["bnum"], c["blet"], None, c["barm"]))
                prev_num = c["bnum"]
            elif c["arm"]:
                if not prev_arm:
                    break  # "miR-21/5p" without a first arm is not an arm list
                names.append(re.sub(r"-[35]p$", "", names[-1]) + _arm(c["arm"]))
            elif c["letter"]:
                if "/" not in c.group(0) and "," not in c.group(0):
                    break  # "miR-155 and a few others": a lone letter after "and" is a word
                if c["letter"] == "a" and "/" not in c.group(0) and re.match(
                        r"\s+(?!(?:and|or|were|are|was|is|in|to|expression|levels?)\b)[a-zA-Z]{2,}", text[c.end():]):
                    break  # "miR-21, a miRNA that …": an apposition, not the letter "a" of a list
                if kind == "let":
                    names.append(f"let-7{c['letter']}")
                else:
                    names.append(_mir(prev_num, c["letter"]))
            elif c["slashnum"]:
                if kind == "let" or ("/" not in c.group(0) and c["bare"] is None):
                    break  # a bare number before a noun is a count ("and 3 cohorts"), not a miRNA
                num, let = re.match(r"(\d+)([a-z]?)", c["slashnum"]).groups()
                names.append(_mir(num, let or None))
                prev_num = num
            end = c.end()
        cl = _CLUSTER_WORD.match(text, end) if len(names) > 1 else None
        end = cl.end() if cl else end
        # a number miRBase lacks is kept (status "unknown") only for the first name of a mention
        # typed in full, head, hyphen and number ("miR-290", "microRNA-9001"): PDF debris and
        # run-together text ("miRNA-2 l", "miR202x") never gives a miRNA that does not exist
        well_formed = (kind == "mir" and _WELL_FORMED.match(m.group(0)) is not None
                       and 2 <= len(m["num"]) <= 4 and not re.match(r"\s?[A-Za-z0-9](?![A-Za-z0-9])", text[end:]))
        kept = tuple(dict.fromkeys(n for i, n in enumerate(names) if _is_known(n) or (i == 0 and well_formed)))
        if kept:
            spans.append(MirnaMention(start, end, kept))
        pos = end
    return _apply_defined_clusters(text, spans, clusters)


def cluster_definitions(text: str, spans: list[MirnaMention]) -> dict[str, tuple[str, ...]]:
    """Written forms ``text`` names as a cluster ("the miR-17/92 cluster" → "miR-17/92")."""
    defined = {}
    for m in spans:
        if len(m.names) == 1 and m.names[0].endswith(" cluster"):
            written = _CLUSTER_WORD.sub("", text[m.start:m.end]).strip()
            defined[written] = m.names
    return defined


def _apply_defined_clusters(text: str, spans: list[MirnaMention],
                            extra: dict[str, tuple[str, ...]] | None = None) -> list[MirnaMention]:
    """A written form the document names as a cluster ("the miR-17/92 cluster") means that
    cluster wherever it recurs ("expression of miR-17/92"), as a defined abbreviation would."""
    defined = {**(extra or {}), **cluster_definitions(text, spans)}
    if not defined:
        return spans
    return [MirnaMention(m.start, m.end, defined[text[m.start:m.end]]) if text[m.start:m.end] in defined else m
            for m in spans]


@Language.factory("mirkb_mirna", default_config={"spans_key": "mirna"})
def make_mirna_recognizer(nlp: Language, name: str, spans_key: str) -> MirnaRecognizer:
    return MirnaRecognizer(spans_key)


class MirnaRecognizer:
    """spaCy component: miRNA mentions as spans labelled ``MIRNA`` with ``span._.mirnas``."""

    def __init__(self, spans_key: str = "mirna"):
        self.spans_key = spans_key
        if not Span.has_extension("mirnas"):
            Span.set_extension("mirnas", default=())
        if not Doc.has_extension("mirkb_context"):
            Doc.set_extension("mirkb_context", default=None)
        #: {written form: cluster names} this doc itself defines (read back by the extractor)
        if not Doc.has_extension("mirkb_defined_clusters"):
            Doc.set_extension("mirkb_defined_clusters", default=None)

    def __call__(self, doc: Doc) -> Doc:
        # Span extension values are keyed by token range, so mentions that fall in one token
        # ("miR-224/miR-452" when the tokenizer keeps it whole) must share one span and its names.
        by_range: dict[tuple[int, int], list[str]] = {}
        # A passage read on its own still knows the clusters its document defines elsewhere.
        context = doc._.mirkb_context or {}
        text = doc.text  # built from the tokens on every access: read it once
        mentions = find_mirnas(text, context.get("clusters"))
        doc._.mirkb_defined_clusters = cluster_definitions(text.translate(_DASHES), mentions)
        for mention in mentions:
            span = doc.char_span(mention.start, mention.end, label="MIRNA", alignment_mode="expand")
            if span is not None:
                by_range.setdefault((span.start, span.end), []).extend(mention.names)
        spans = []
        for (start, end), names in sorted(by_range.items()):
            span = Span(doc, start, end, label="MIRNA")
            span._.mirnas = tuple(dict.fromkeys(names))
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


# --- miRBase identifiers (issue 10 §2) --------------------------------------------------------

#: Status of a name against miRBase 22.1 (README "miRNA identifiers", GUIDELINES):
#: current (today's name, or an arm-less name of which miRBase has one arm only), previous (an
#: older miRBase name of exactly one entry, e.g. "miR-21" → miR-21-5p), ambiguous (an arm-less
#: name with both arms and no previous-name mapping, or an old name used by several entries: every
#: candidate accession is given, 5p first, joined by ";"; or a known number without its member
#: letter, "miR-181", with no id), family (a family or cluster name: no
#: single accession), unknown (a well-formed name miRBase lacks, kept and flagged).
MIRNA_STATUSES = ("current", "previous", "ambiguous", "family", "unknown")


def _mirbase_name(raw: str) -> str:
    name = re.sub(r"^[a-z]{3}-", "", raw.strip())
    return re.sub(r"^mir-", "miR-", name)


@lru_cache(maxsize=1)
def _mirbase() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Current name → accession and previous name → accessions, from the shipped miRBase table."""
    text = resources.files("extractors.data").joinpath("mirbase_mature.tsv").read_text(encoding="utf-8")
    current: dict[str, str] = {}
    previous: dict[str, list[str]] = {}
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    for line in lines:
        name, accession, old = (line.split("\t") + ["", ""])[:3]
        current[_mirbase_name(name)] = accession
        for prev in filter(None, old.split(";")):
            if not prev.endswith("*"):  # star names are written as arms in canonical form
                previous.setdefault(_mirbase_name(prev), []).append(accession)
    return current, {k: tuple(dict.fromkeys(v)) for k, v in previous.items()}


@lru_cache(maxsize=4096)
def mirbase_id(name: str) -> tuple[str, str]:
    """(accession or accessions joined by ";", status) of a canonical name (see MIRNA_STATUSES)."""
    if name.endswith((" family", " cluster")):
        return "", "family"
    current, previous = _mirbase()
    if name in current:
        return current[name], "current"
    if name in previous:
        accessions = previous[name]
        return ";".join(accessions), "previous" if len(accessions) == 1 else "ambiguous"
    if not re.search(r"-[35]p$", name):
        arms = [current[name + arm] for arm in ("-5p", "-3p") if name + arm in current]
        if len(arms) == 1:
            return arms[0], "current"
        if arms:
            return ";".join(arms), "ambiguous"
    if _is_known(name):
        return "", "ambiguous"  # "miR-181": the number exists, the member (a, b, c …) is not said
    return "", "unknown"
