"""What a curator types → the names and ids stored in the knowledge base.

A cancer is read with the extractor's own lexicon (``extractors.cancer``): a name, synonym,
abbreviation, cell line or DOID gives a concept, and the concepts whose recorded ancestors
include it are its subtypes (the ontology's ``is_a`` closure, as the lexicon build records it).
A miRNA is read with ``extractors.mirna``'s normaliser, so every spelling §2 accepts works;
``arms`` and ``family`` widen the match over the names the knowledge base actually holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_DOID = re.compile(r"(?i)^\s*doid\s*[:_ ]?\s*(\d+)\s*$")
_MIMAT = re.compile(r"(?i)^\s*(MIMAT\d{7})\s*$")
_ARM = re.compile(r"-[35]p$")
# The name a family is written under: "miR-200" for miR-200a/b/c, "let-7" for let-7a…k.
_ROOT = re.compile(r"^(miR-\d+|let-7)")


@dataclass
class CancerMatch:
    """The names and DOIDs a cancer filter stands for, and how it was read (for the user)."""

    names: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    concept: str = ""  # canonical name of the concept typed, "" when the lexicon does not know it
    concept_id: str = ""
    subtypes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.concept:
            return f"cancer named {', '.join(sorted(self.names | self.ids))} (not in the lexicon: exact match)"
        text = self.concept + (f" ({self.concept_id})" if self.concept_id else "")
        if self.subtypes:
            text += f" and {len(self.subtypes)} subtype(s): " + ", ".join(self.subtypes[:8])
            text += ", …" if len(self.subtypes) > 8 else ""
        return text


def _lexicon():
    from extractors.cancer import load_lexicon

    return load_lexicon()


def find_concept(text: str):
    """The lexicon concept ``text`` names (name, synonym, abbreviation, cell line or DOID), or None."""
    lex = _lexicon()
    doid = _DOID.match(text)
    if doid:
        number = doid.group(1)
        return next((c for c in lex.concepts.values()
                     if c.id and c.id.split(":")[-1].lstrip("0") == number.lstrip("0")), None)
    concept = lex.lookup(text)
    if concept is None:
        # Abbreviations match case-sensitively in papers ("ALL" is not "all"); a curator typing
        # "nsclc" means NSCLC when only one abbreviation reads so.
        folded = " ".join(text.split()).casefold()
        hits = {c for a, c in lex.abbreviations.items() if a.casefold() == folded}
        concept = hits.pop() if len(hits) == 1 else None
    if concept is None and not doid and len(text.split()) == 1:
        # An organ typed alone ("lung", "breast") means its cancer, as in "lung cancer".
        concept = lex.lookup(f"{text} cancer")
    if concept is not None and concept.generic:
        return None
    return concept


def resolve_cancer(text: str, exact: bool = False) -> CancerMatch:
    """Names and DOIDs to match for ``text``: the concept and, unless ``exact``, every subtype."""
    concept = find_concept(text)
    if concept is None:
        doid = _DOID.match(text)
        if doid:
            return CancerMatch(ids={f"DOID:{doid.group(1)}"})
        return CancerMatch(names={" ".join(text.split())})
    chosen = [concept]
    if not exact and concept.id:
        chosen += sorted((c for c in _lexicon().concepts.values() if concept.id in c.ancestors),
                         key=lambda c: c.canonical)
    return CancerMatch(names={c.canonical for c in chosen}, ids={c.id for c in chosen if c.id},
                       concept=concept.canonical, concept_id=concept.id, subtypes=[c.canonical for c in chosen[1:]])


def suggest_cancers(text: str, limit: int = 8) -> list[str]:
    """Canonical names that contain every word typed ("lung" → lung cancer, lung adenocarcinoma, …)."""
    words = [w for w in re.split(r"\W+", text.casefold()) if w]
    if not words:
        return []
    names = [c for c in _lexicon().concepts if all(w in c.casefold() for w in words)]
    return sorted(names, key=lambda n: (len(n), n))[:limit]


@dataclass
class MirnaMatch:
    names: set[str] = field(default_factory=set)
    accession: str = ""  # a MIMAT typed by the user: matched against stored accessions


def canonical_mirna(text: str) -> str:
    """The §2 canonical name of what was typed; as typed when it cannot be read as one."""
    from extractors.mirna import normalize_mirna

    return normalize_mirna(text) or " ".join(text.split())


def root_of(name: str) -> str | None:
    m = _ROOT.match(name)
    return m.group(1) if m else None


def in_family(name: str, root: str) -> bool:
    """``name`` is a member of ``root``'s family: the root, a letter, a precursor copy and/or an arm
    (miR-200 → miR-200a, miR-200c-3p, "miR-200 family"; let-7 → let-7a-5p), never miR-2000."""
    if name.casefold() == f"{root} family".casefold():
        return True
    return re.fullmatch(rf"{re.escape(root)}[a-z]?(?:-\d+)?(?:-[35]p)?", name, flags=re.IGNORECASE) is not None


def resolve_mirna(text: str, known: Iterable[str], arms: bool = False, family: bool = False) -> MirnaMatch:
    """The stored names (from ``known``) that the typed miRNA stands for.

    By default the one canonical name (an arm written is part of it). ``arms``: the name with
    and without -5p/-3p. ``family``: every name in its family (see :func:`in_family`).
    """
    accession = _MIMAT.match(text)
    if accession:
        return MirnaMatch(accession=accession.group(1).upper())
    name = canonical_mirna(text)
    known = list(known)
    wanted = {name}
    if family:
        root = root_of(name)
        if root:
            wanted |= {k for k in known if in_family(k, root)}
    if arms:
        base = _ARM.sub("", name).casefold()
        wanted |= {k for k in known if _ARM.sub("", k).casefold() == base}
    return MirnaMatch(names=wanted)
