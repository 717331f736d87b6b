"""What a knowledge-base reader asks for, as SQL conditions (``kb query``, ``kb export``).

Names arrive here already resolved (``mirkb.kb.names`` turns what a curator typed into canonical
names and DOIDs); this module only says which triples and which evidence rows match.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_

from mirkb.kb.schema import documents, mentions, triples


@dataclass(frozen=True)
class TripleQuery:
    """Filters over triples (names, effect) and over their evidence (source, hedging, documents, run).

    A triple matches when one of its mentions passes every evidence filter; support counts and
    evidence rows then come from the mentions that pass.
    """

    mirnas: Collection[str] | None = None  # canonical names, compared case-insensitively
    mirna_ids: Collection[str] | None = None  # miRBase accessions (MIMAT…)
    cancers: Collection[str] | None = None  # canonical names, compared case-insensitively
    cancer_ids: Collection[str] | None = None  # DOIDs; a triple matches by name OR by id
    effect: str | None = None
    source: str | None = None  # "text" or "table"
    hedged: bool | None = None
    documents: Collection[str] | None = None  # doc_id, PMID, PMCID or DOI
    run_id: int | None = None  # evidence written by this run
    min_documents: int = 1

    def triple_conditions(self) -> list:
        conds = [triples.c.n_mentions > 0]
        if self.mirnas is not None:
            conds.append(func.lower(triples.c.mirna).in_(sorted({m.lower() for m in self.mirnas})))
        if self.mirna_ids is not None:
            conds.append(triples.c.mirna_id.in_(sorted(set(self.mirna_ids))))
        if self.cancers is not None or self.cancer_ids is not None:
            either = []
            if self.cancers:
                either.append(func.lower(triples.c.cancer).in_(sorted({c.lower() for c in self.cancers})))
            if self.cancer_ids:
                either.append(triples.c.cancer_id.in_(sorted(set(self.cancer_ids))))
            conds.append(or_(*either) if either else triples.c.triple_id.is_(None))
        if self.effect:
            conds.append(triples.c.effect == self.effect)
        return conds

    def mention_conditions(self) -> list:
        conds = []
        if self.source:
            conds.append(mentions.c.source == self.source)
        if self.hedged is not None:
            conds.append(mentions.c.hedged == self.hedged)
        if self.documents is not None:
            ids = sorted(set(self.documents))
            conds.append(or_(mentions.c.doc_id.in_(ids), documents.c.pmid.in_(ids), documents.c.pmcid.in_(ids),
                             func.lower(documents.c.doi).in_([i.lower() for i in ids])))
        if self.run_id is not None:
            conds.append(mentions.c.run_id == self.run_id)
        return conds
