"""Validate gold TSVs against TRIPLES.md §2–§4 and §6, and against the text they quote.

Checks, per row: exactly the §6 columns; ``doc_id`` equals the file stem; ``mirna`` in the §2
canonical grammar; ``cancer`` canonical (§3 table, the project's cancer lexicon when it exists,
or a Disease Ontology cancer name that the §3 table does not override); ``effect`` in §4;
``source`` text/table; ``optional`` 0/1; ``line`` inside the document; the miRNA on that line or
the next two; no duplicate ``(mirna, cancer, effect, source)`` in a document.

Like the scorer, this imports nothing from ``extractors`` (it checks the answers they are scored
against); it reads the lexicon data file directly when it is there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mirkb import settings
from mirkb.scoring import EFFECTS, GOLD_COLUMNS, SOURCES, gold_files, read_tsv

#: TRIPLES.md §3, canonical name → DOID ("" where the contract gives none).
CONTRACT_CANCERS: dict[str, str] = {
    "lung cancer": "DOID:1324",
    "non-small cell lung carcinoma": "DOID:3908",
    "small cell lung carcinoma": "DOID:5409",
    "lung adenocarcinoma": "DOID:3910",
    "lung squamous cell carcinoma": "DOID:3907",
    "breast cancer": "DOID:1612",
    "cervical cancer": "DOID:4362",
    "esophageal cancer": "DOID:5041",
    "esophageal squamous cell carcinoma": "DOID:3748",
    "gastric cancer": "DOID:10534",
    "colorectal cancer": "DOID:9256",
    "colon cancer": "DOID:219",
    "hepatocellular carcinoma": "DOID:684",
    "liver cancer": "DOID:3571",
    "cholangiocarcinoma": "DOID:4947",
    "pancreatic cancer": "DOID:1793",
    "prostate cancer": "DOID:10283",
    "castration-resistant prostate cancer": "",
    "ovarian cancer": "DOID:2394",
    "high-grade serous ovarian carcinoma": "",
    "renal cell carcinoma": "DOID:4450",
    "clear cell renal cell carcinoma": "DOID:4467",
    "bladder cancer": "DOID:11054",
    "multiple myeloma": "DOID:9538",
    "chronic lymphocytic leukemia": "DOID:1040",
    "chronic myeloid leukemia": "DOID:8552",
    "melanoma": "DOID:1909",
    "neuroblastoma": "DOID:769",
    "brain cancer": "DOID:1319",
    "glioma": "DOID:3070",
    "Merkel cell carcinoma": "DOID:3965",
    "hematologic cancer": "DOID:2531",
}

#: TRIPLES.md §2. Families and clusters take the generic shape the guidelines use
#: ("miR-30 family", "miR-106b-25 cluster"), not only the contract's three examples.
CANONICAL_MIRNA = re.compile(
    r"""^(?:
        miR-\d+[a-z]?(?:-\d+)?(?:-[35]p)?
      | let-7[a-z](?:-[35]p)?
      | (?:miR-\d+[a-z]?|let-7)\ family
      | miR-\d+[a-z]?-\d+[a-z]?\ cluster
    )$""",
    re.VERBOSE,
)

#: Lines after ``line`` searched for the miRNA. Text: a sentence's miRNA is quoted within two
#: lines of where the quote starts (GUIDELINES.md). Table: one rotated table is broken into
#: 1–3 character fragments, one per line with blank lines between, so a name spans ~20 lines.
TEXT_WINDOW = 3
TABLE_WINDOW = 40

LEXICON_FILE = settings.REPO_ROOT / "extractors" / "data" / "cancer_lexicon.jsonl"

#: "Use LEXICON_FILE", resolved at call time; None means "no lexicon".
DEFAULT = "default"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # line of the TSV (header = 1); 0 for a problem with the whole file
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.message}"


def default_ontology(corpus: Path | None = None) -> Path | None:
    """``ontology/DO_cancer_slim.obo`` beside the corpus folder (both live in ../shared)."""
    for base in (corpus, settings.default_corpus(), settings.REPO_ROOT / ".." / "shared" / "corpus"):
        if base is not None:
            candidate = (Path(base) / ".." / "ontology" / "DO_cancer_slim.obo").resolve()
            if candidate.is_file():
                return candidate
    return None


@lru_cache(maxsize=8)
def _ontology_names(path: Path) -> frozenset[str]:
    """Lower-case DO names, minus those of terms the §3 table renames ("stomach cancer")."""
    import obonet

    graph = obonet.read_obo(str(path))
    overridden = {doid for doid in CONTRACT_CANCERS.values() if doid}
    return frozenset(
        data["name"].lower()
        for doid, data in graph.nodes(data=True)
        if "name" in data and doid not in overridden and not data.get("is_obsolete")
    )


def _lexicon_names(path: Path) -> frozenset[str]:
    names = set()
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
                if "_meta" in record:
                    continue
                canonical = record["canonical"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad lexicon record (missing or bad {exc})") from exc
            # "cancer" and "carcinoma" are in the lexicon so extractors can recognise and drop them;
            # §1 says they are never a gold cancer type.
            if not record.get("generic"):
                names.add(canonical)
    return frozenset(names)


def canonical_cancers(lexicon: Path | str | None = DEFAULT, ontology: Path | None = None) -> frozenset[str]:
    """Every cancer name a gold row may use.

    The lexicon is read when it exists; the ontology names are kept as well, because the lexicon is
    built from the same ontology and a gold file should not fail for a term the lexicon skipped.
    """
    names = set(CONTRACT_CANCERS)
    if lexicon == DEFAULT:
        lexicon = LEXICON_FILE
    if lexicon is not None and Path(lexicon).is_file():
        names |= _lexicon_names(Path(lexicon))
    if ontology is not None and Path(ontology).is_file():
        names |= _ontology_names(Path(ontology).resolve())
    return frozenset(names)


def mirna_core(mirna: str) -> re.Pattern | None:
    """What must appear in the text for a canonical name, compared loosely.

    The number alone for miR names (``miR-21-5p`` → ``21``, ``miR-17-92 cluster`` → ``17``), so that
    list expansions ("miR-200a/b/c" → ``miR-200b``) and PDF breaks ("miRNA-\\n21") still pass;
    ``let-7`` with its letter for let-7 names (``let-7a`` → ``let-7a`` or ``let7a``), since a bare
    "7" would match almost any line.
    """
    match = re.match(r"miR-(\d+)", mirna)
    if match:
        return re.compile(rf"(?<!\d){match.group(1)}(?!\d)")
    match = re.match(r"let-7([a-z]?)", mirna)
    if match:
        return re.compile(rf"let-?7{match.group(1)}", re.IGNORECASE)
    return None


def _windows(lines: list[str], line: int, source: str) -> list[str]:
    """The text the miRNA must appear in, starting at 1-based ``line``.

    Text: the lines joined with end-of-line hyphens removed, tried both with and without a space
    at each line break (without, "miR-2" + "1" reads as miR-21; with, "...2021" + "21 cases" does
    not fuse into 202121). Table: the next ``TABLE_WINDOW`` lines with all whitespace removed.
    """
    if source == "table":
        chunk = lines[line - 1 : line - 1 + TABLE_WINDOW]
        return [re.sub(r"\s+", "", "".join(chunk))]
    chunk = [text.rstrip() for text in lines[line - 1 : line - 1 + TEXT_WINDOW]]
    unhyphenated = [text[:-1] if text.endswith("-") else text for text in chunk]
    return ["".join(unhyphenated), " ".join(unhyphenated)]


#: Characters PDF extraction prints for digits. §2 makes a name that cannot be read with confidence
#: ("miRNA-2 l") an optional gold row written as best read, so only optional rows get this reading.
_MISREAD = str.maketrans({"l": "1", "I": "1", "O": "0", "o": "0"})


def _misread(window: str) -> str:
    """The window as a reader would guess digits: misprinted digits and stray spaces undone."""
    return re.sub(r"(?<=\d) (?=\S)", "", window).translate(_MISREAD)


def check_file(
    path: Path,
    corpus: Path | None,
    cancers: frozenset[str],
    _texts: dict[str, list[str] | None] | None = None,
) -> list[Problem]:
    """Problems in one gold TSV; ``corpus`` is the folder of ``<doc_id>.txt`` files."""
    path = Path(path)
    name = path.name
    texts = _texts if _texts is not None else {}
    try:
        header, records = read_tsv(path)
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(name, 0, "-", f"cannot read: {exc}")]
    if not header:
        return [Problem(name, 0, "-", "empty file: no header row")]
    problems: list[Problem] = []
    for column in GOLD_COLUMNS:
        if column not in header:
            problems.append(Problem(name, 1, column, "missing column"))
    for column in header:
        if column not in GOLD_COLUMNS:
            problems.append(Problem(name, 1, column, "unexpected column (§6 columns only)"))
    if len(set(header)) != len(header):
        problems.append(Problem(name, 1, "-", "repeated column name in header"))
    index = {column: i for i, column in enumerate(header)}

    seen: dict[tuple[str, str, str, str], int] = {}
    for lineno, fields in records:
        if len(fields) != len(header):
            problems.append(
                Problem(name, lineno, "-", f"expected {len(header)} fields, found {len(fields)}")
            )
            continue
        row = {column: fields[i].strip() for column, i in index.items()}

        def bad(column: str, message: str, lineno=lineno) -> None:
            problems.append(Problem(name, lineno, column, message))

        doc_id = row.get("doc_id")
        if doc_id is not None and doc_id != path.stem:
            bad("doc_id", f"{doc_id!r} is not the file stem {path.stem!r}")
        mirna = row.get("mirna")
        if mirna is not None and not CANONICAL_MIRNA.match(mirna):
            bad("mirna", f"{mirna!r} is not a canonical name (§2), e.g. miR-21, miR-21-5p, let-7a")
        cancer = row.get("cancer")
        if cancer is not None and cancer not in cancers:
            bad("cancer", f"{cancer!r} is not a canonical cancer name (§3 table, lexicon or DO name)")
        effect = row.get("effect")
        if effect is not None and effect not in EFFECTS:
            bad("effect", f"{effect!r} is not in the §4 vocabulary")
        source = row.get("source")
        if source is not None and source not in SOURCES:
            bad("source", f"{source!r} must be text or table")
        if "optional" in row and row["optional"] not in {"0", "1"}:
            bad("optional", f"{row['optional']!r} must be 0 or 1")

        if None not in (mirna, cancer, effect, source):
            key = (mirna, cancer, effect, source)
            if key in seen:
                bad("-", f"duplicate of row {seen[key]} ({mirna}, {cancer}, {effect}, {source})")
            else:
                seen[key] = lineno

        if "line" in row:
            _check_line(row, doc_id or path.stem, corpus, texts, bad)
    return problems


def _check_line(row: dict, doc_id: str, corpus: Path | None, texts: dict, bad) -> None:
    try:
        line = int(row["line"])
    except ValueError:
        bad("line", f"{row['line']!r} is not an integer")
        return
    if corpus is None:
        return  # reported once by check_gold, not once per row
    if doc_id not in texts:
        text_path = Path(corpus) / f"{doc_id}.txt"
        texts[doc_id] = text_path.read_text(encoding="utf-8").splitlines() if text_path.is_file() else None
    lines = texts[doc_id]
    if lines is None:
        bad("line", f"no corpus text {doc_id}.txt in {corpus}")
        return
    if not 1 <= line <= len(lines):
        bad("line", f"{line} is outside the document (1-{len(lines)})")
        return
    mirna = row.get("mirna") or ""
    core = mirna_core(mirna)
    if core is None:
        return  # a non-canonical name is already reported
    source = row.get("source", "text")
    windows = _windows(lines, line, source)
    if row.get("optional") == "1":
        windows += [_misread(window) for window in windows]
    if not any(core.search(window) for window in windows):
        span = TABLE_WINDOW if source == "table" else TEXT_WINDOW
        bad("line", f"{mirna} ({core.pattern}) not found on line {line} or the {span - 1} lines after it")


def check_gold(
    gold: Path | None = None,
    corpus: Path | None = None,
    *,
    lexicon: Path | str | None = DEFAULT,
    ontology: Path | None = None,
) -> list[Problem]:
    """Validate a gold folder (its top-level ``*.tsv``) or one gold TSV.

    ``corpus`` defaults to :func:`mirkb.settings.default_corpus`; without a corpus the line and
    miRNA-in-text checks cannot run, which is itself reported as a problem.
    """
    gold = Path(gold) if gold is not None else settings.default_gold()
    corpus = Path(corpus) if corpus is not None else settings.default_corpus()
    problems: list[Problem] = []
    if corpus is None or not Path(corpus).is_dir():
        problems.append(Problem(str(gold), 0, "-", f"corpus folder not found ({corpus}): lines not checked"))
        corpus = None
    cancers = canonical_cancers(lexicon, ontology or default_ontology(corpus))
    texts: dict[str, list[str] | None] = {}
    for path in gold_files(gold):
        problems.extend(check_file(path, corpus, cancers, texts))
    return problems
