"""A small knowledge base of invented papers whose mentions carry every newer field.

The fields that newer extractors give (miRBase accession and status, passage, offsets of the
miRNA, cancer and cue inside the evidence) and documents' identifiers are set here directly, so
these tests do not wait for, or depend on, the extractor that fills them.
"""

from __future__ import annotations

from extractors.schema import Mention
from mirkb.kb import DocumentInfo, KnowledgeBase


def mention(doc_id: str, evidence: str, mirna: str, written: str, cancer: str, cancer_id: str, cancer_written: str,
            effect: str, cue: str, *, source: str = "text", hedged: bool = False, passage: str = "abstract",
            mirna_id: str = "", status: str = "current", start: int = 0) -> Mention:
    m = Mention(doc_id, mirna, cancer, cancer_id, effect, evidence, start, start + len(evidence), source, hedged,
                "invented")
    for kind, text in (("mirna", written), ("cancer", cancer_written), ("cue", cue)):
        at = evidence.index(text)
        setattr(m, f"{kind}_span", (at, at + len(text)))
    m.mirna_id, m.mirna_status, m.passage = mirna_id, status, passage
    return m


S1 = "In invented NSCLC samples, hsa-miR-21-5p was raised compared with controls."
S2 = "=miR-200c | lung adenocarcinoma | lowered"
S3 = "High miR-21 may predict poor survival in lung cancer, we invented."
S4 = "let-7a suppresses breast cancer growth in this invented study."
S5 = "miR-200a drives invasion of breast cancer cells (invented); miR-20a is unrelated."
S6 = "miR-20a spurs growth of breast cancer in invented mice."


def documents() -> list[tuple[DocumentInfo, list[Mention]]]:
    return [
        (DocumentInfo("paper1", "/corpus/paper1.xml", "sha-p1", "pubmed", "An invented NSCLC study", pmid="111",
                      pmcid="PMC9000111", doi="10.1000/invented.1"),
         [mention("paper1", S1, "miR-21-5p", "hsa-miR-21-5p", "non-small cell lung carcinoma", "DOID:3908", "NSCLC",
                  "upregulated", "raised", mirna_id="MIMAT0000076", start=40),
          mention("paper1", S2, "miR-200c", "miR-200c", "lung adenocarcinoma", "DOID:3910", "lung adenocarcinoma",
                  "downregulated", "lowered", source="table", passage="table", mirna_id="MIMAT0000617",
                  start=400)]),
        (DocumentInfo("paper2", "/corpus/paper2.xml", "sha-p2", "pubmed", "Invented survival markers", pmid="222"),
         [mention("paper2", S3, "miR-21", "miR-21", "lung cancer", "DOID:1324", "lung cancer", "prognostic_marker",
                  "predict poor survival", hedged=True, mirna_id="", status="ambiguous", start=10),
          mention("paper2", S4, "let-7a", "let-7a", "breast cancer", "DOID:1612", "breast cancer", "suppresses_tumor",
                  "suppresses", mirna_id="MIMAT0000062", passage="body", start=90)]),
        (DocumentInfo("paper3", "/corpus/paper3.txt", "sha-p3", "txt", "Invented EMT paper"),
         [mention("paper3", S5, "miR-200a", "miR-200a", "breast cancer", "DOID:1612", "breast cancer",
                  "promotes_metastasis", "invasion", mirna_id="MIMAT0000682", passage="body"),
          mention("paper3", S6, "miR-20a", "miR-20a", "breast cancer", "DOID:1612", "breast cancer",
                  "promotes_growth", "spurs growth", mirna_id="MIMAT0000075", passage="caption", start=200),
          mention("paper3", S4, "let-7a", "let-7a", "breast cancer", "DOID:1612", "breast cancer",
                  "suppresses_tumor", "suppresses", mirna_id="MIMAT0000062", passage="body", start=300)]),
    ]


def build(path) -> str:
    """Write the invented papers into a knowledge base at ``path`` in one finished run; returns its path."""
    with KnowledgeBase(path) as kb:
        run = kb.start_run("cfg-invented", "invented", "0.1.0")
        for info, found in documents():
            kb.write_document(run, info, "cfg-invented", found)
        kb.finish_run(run, "completed", {"docs_added": 3}, None)
    return str(path)
