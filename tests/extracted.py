"""What the tests read back: triples from one invented text, or per document from a knowledge base.

One place, so every test file asks the same question the same way (a Document built the same way,
the same triple shape)."""

from __future__ import annotations

from extractors.schema import Document


def triples(extractor, text: str) -> set[tuple[str, str, str]]:
    """(mirna, cancer, effect) that ``extractor`` finds in ``text`` as a one-document plain text."""
    doc = Document(doc_id="t", path="t.txt", format="txt", text=text, sha256="0")
    return {(m.mirna, m.cancer, m.effect) for m in extractor.extract(doc)}


def kb_triples_by_doc(kb_path) -> dict[str, set[tuple[str, str, str]]]:
    """Every document of the knowledge base with the (mirna, cancer, effect) of its mentions."""
    from mirkb.kb import KnowledgeBase

    with KnowledgeBase(kb_path) as kb:
        states = kb.document_states()
        found: dict[str, set] = {d: set() for d in states}
        for m in kb.mentions_of(states):
            found[m["doc_id"]].add((m["mirna"], m["cancer"], m["effect"]))
        return found
