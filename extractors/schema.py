"""Shapes shared across mirkb: documents, tables and output rows (TRIPLES.md §5).

These are the only structures that cross from ``extractors`` to the flows, the store and the
command line; keep them small and stable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Output columns of one mention row, in order (TRIPLES.md §5).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "mirna",
    "cancer",
    "cancer_id",
    "effect",
    "evidence",
    "start",
    "end",
    "source",
    "hedged",
    "rule",
    # Added after the TRIPLES.md §5 columns (the contract asks for "at least these columns"):
    "passage",
    # after the §5 columns: the miRNA's miRBase 22.1 accession and how the name maps to it
    # (extractors.mirna.MIRNA_STATUSES)
    "mirna_id",
    "mirna_status",
)

#: Kinds of passage a reader marks in a document (issue 8 §1). ``reference`` and ``table``
#: passages are never read as running text; the others are, each on its own (no sentence
#: crosses a passage boundary).
PASSAGE_KINDS: tuple[str, ...] = (
    "title",
    "abstract",
    "heading",
    "body",
    "caption",
    "table",
    "table_footnote",
    "reference",
)
#: Passage kinds whose text is not read as sentences.
UNREAD_PASSAGES = frozenset({"table", "reference"})

#: The closed effect vocabulary of TRIPLES.md §4.
EFFECTS: tuple[str, ...] = (
    "upregulated",
    "downregulated",
    "promotes_growth",
    "promotes_metastasis",
    "promotes_angiogenesis",
    "modulates_microenvironment",
    "drug_resistance",
    "drug_sensitivity",
    "suppresses_tumor",
    "diagnostic_marker",
    "prognostic_marker",
)


@dataclass
class Table:
    """A table recovered from a PDF, a JATS file or flattened PDF text.

    ``rows`` are lists of cell strings aligned with ``header``; ``row_spans`` give, for each row,
    the (start, end) character offsets of that row in the document text (or (-1, -1) when the
    table did not come from the text, e.g. a pdfplumber table whose cells are not in ``text``).
    """

    caption: str
    header: list[str]
    rows: list[list[str]]
    row_spans: list[tuple[int, int]] = field(default_factory=list)
    #: The header as printed, one list per header row, spanning cells repeated (``header`` is
    #: these merged per column); empty when the reader saw one header row only.
    header_rows: list[list[str]] = field(default_factory=list)
    #: The table's footnote text (abbreviations, codes, significance), "" when none.
    footnotes: str = ""
    start: int = -1
    end: int = -1
    shape: str = ""  # how it was found: "pdf-ruled", "pdf-unruled", "cell-per-line", "rotated", ...
    page: int | None = None


@dataclass
class Passage:
    """A typed piece of a document: ``Document.text[start:end]`` is its text.

    ``kind`` is one of :data:`PASSAGE_KINDS`. Passages follow the text in order and do not
    overlap; text between passages (line breaks) belongs to none.
    """

    kind: str
    start: int
    end: int


@dataclass
class Document:
    """One ingested document.

    ``text`` is the document text that every offset refers to: for a .txt file the decoded file
    itself; for a PDF the extracted text; for XML the text the reader assembled (headings on
    their own lines). ``sha256`` is of the raw bytes on disk, so a refresh can skip unchanged files.
    """

    doc_id: str
    path: str
    format: str  # "txt", "pdf", "jats", "pubmed", "bioc", "pubtator"
    text: str
    sha256: str
    title: str = ""
    #: (start offset, 1-based page number) for each page start, PDFs only.
    pages: list[tuple[int, int]] = field(default_factory=list)
    #: Tables found structurally (PDF/JATS). Tables flattened into ``text`` are found later.
    tables: list[Table] = field(default_factory=list)
    #: (start, end) spans of ``text`` that must not be read as sentences (e.g. table areas).
    skip_spans: list[tuple[int, int]] = field(default_factory=list)
    #: Typed passages in text order (title, abstract, heading, body, caption, table, ...).
    #: Empty only for a Document built by hand; the extractor then reads ``text`` as one body.
    passages: list[Passage] = field(default_factory=list)
    #: Identifiers the source carries ("" when it gives none).
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    #: What the reader had to repair to read it (bad bytes replaced, NUL characters replaced, ...).
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """1-based page number of a character offset, or None when pages are unknown."""
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page


@dataclass
class Mention:
    """One output row: a triple with the evidence it came from (TRIPLES.md §5)."""

    doc_id: str
    mirna: str
    cancer: str
    cancer_id: str
    effect: str
    evidence: str
    start: int
    end: int
    source: str  # "text" or "table"
    hedged: bool
    rule: str
    #: Where the miRNA, the cancer and the cue are inside ``evidence`` ((start, end), None when
    #: unknown, e.g. a cancer from a heading): for BioC/PubTator export and highlighting.
    mirna_span: tuple[int, int] | None = None
    cancer_span: tuple[int, int] | None = None
    cue_span: tuple[int, int] | None = None
    #: Kind of passage the evidence sits in (title, abstract, heading, body, caption,
    #: table_footnote, table); "" when unknown.
    passage: str = ""
    #: miRBase 22.1 accession(s) of ``mirna`` and the name's status (extractors.mirna.mirbase_id)
    mirna_id: str = ""
    mirna_status: str = ""

    def as_row(self) -> dict:
        return asdict(self)
