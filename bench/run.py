#!/usr/bin/env python3
"""The mirkb benchmark: speed and quality, each against a baseline measured in the same run.

Run ``make bench`` (or ``.venv/bin/python bench/run.py``); ``--quick`` uses fewer repetitions,
``--out FILE.json`` also writes the raw figures as JSON. The Markdown report goes to stdout. It
needs ``../shared`` beside the checkout (corpus, PDFs, dev abstracts) and takes about 15 minutes
(``--quick``: fewer repetitions; the engine part refreshes ×1, ×3 and ×10 copies of 300 articles either way, about 13 minutes on two idle cores). Everything runs in one process on one core (BLAS/OpenMP threads
are set to 1 before any import); absolute seconds depend on the machine and its load, so compare
the ratios, which set each figure against a baseline timed in the same run on the same input.

Speed (median of the repetitions; seconds are wall-clock ``perf_counter``):

* **start-up**: seconds to import ``extractors.pipeline`` and build ``Extractor()``, measured
  in a fresh subprocess each time so imports are cold (interpreter start-up excluded). Baseline:
  importing spaCy and building ``spacy.blank("en")`` in a fresh subprocess. Ratio = full/baseline.
* **seed reviews**: ``load_document`` + ``Extractor.extract`` over both reviews of
  ``../shared/corpus`` (after one warm-up), as seconds and characters/s of raw text. Baseline:
  the scispacy tokenizer alone (``extractor.nlp.tokenizer``) over the same cleaned text.
  Ratio = full/tokenizer, i.e. how many tokenizer passes one extraction costs.
* **PDF text**: ``extractors.ingest.pdf.read_pdf`` over the PDFs of ``../shared/pdfs``, as
  pages/s, with its table finder (as used) and text-only (table finder switched off). Baseline:
  pdfplumber ``page.extract_text()`` on the same pages. Ratio = baseline seconds/read_pdf seconds
  (how many times faster than plain pdfplumber).
* **dev abstracts**: ``load_document`` + ``extract`` over the 201 dev abstracts, documents/s.

Quality (``mirkb.scoring``, TRIPLES.md §7; P/R/F1 are micro-averaged):

* **baseline = sentence co-occurrence**: every sentence the pipeline reads (same sentence
  splitting, same table areas and headings skipped) gives every miRNA × every (non-generic)
  cancer named in it × every effect that any cue in it could give, from the same recognisers
  (``doc.spans["mirna"]``/``["cancer"]``, ``find_cues``), ignoring clauses, polarity, negation,
  knock-down and who acts on whom: a process cue gives its ``"+"`` effect (``PROCESS_EFFECTS``),
  expression, marker and role cues their effect, ``biomarker`` → ``diagnostic_marker``. Cues
  inside a miRNA or cancer name are not cues (as in the pipeline).
* **seed reviews** against ``gold/``, text source only (the baseline reads only sentences), at
  strict and pair level; the pipeline is scored text-only for the comparison, and with tables
  (``all``) for reference.
* **dev abstracts**: pair level over all 201 documents (``mirkb.quality.load_dev_gold``), so a
  pair predicted in a document without gold is a false positive.

"diff" = pipeline − baseline.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"  # OPENBLAS_CORETYPE, if the machine sets it, is left alone

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
PDFS = SHARED / "pdfs"
DEVSET = SHARED / "devsets" / "mirna_corpus_abstracts"

STARTUP_FULL = """\
import time
t0 = time.perf_counter()
from extractors.pipeline import Extractor
Extractor()
print(time.perf_counter() - t0)
"""
STARTUP_BASE = """\
import time
t0 = time.perf_counter()
import spacy
spacy.blank("en")
print(time.perf_counter() - t0)
"""


def timed(fn, reps: int, warmup: int = 0) -> tuple[float, list[float]]:
    """Median seconds of ``reps`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def subprocess_seconds(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=os.environ.copy(), check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- speed


def bench_startup(reps: int) -> dict:
    full, base = [], []
    for _ in range(reps):  # interleaved, so a burst of load hits both alike
        base.append(subprocess_seconds(STARTUP_BASE))
        full.append(subprocess_seconds(STARTUP_FULL))
    f, b = statistics.median(full), statistics.median(base)
    return {"extractor_seconds": f, "spacy_blank_seconds": b, "ratio": f / b, "runs_extractor": full,
            "runs_spacy_blank": base}


def bench_seeds(extractor, reps: int) -> tuple[dict, dict]:
    """Speed over the seed reviews; also returns the pipeline's mentions per document."""
    from extractors.clean import clean_text
    from extractors.ingest import load_document

    paths = sorted(CORPUS.glob("*.txt"))
    mentions: dict[str, list] = {}

    def full():
        for path in paths:
            doc = load_document(path)
            mentions[doc.doc_id] = extractor.extract(doc)

    docs = [load_document(p) for p in paths]
    chars = sum(len(d.text) for d in docs)
    cleaned = [clean_text(d.text).text for d in docs]

    def tokenizer_only():
        for text in cleaned:
            extractor.nlp.tokenizer(text)

    f, f_runs = timed(full, reps, warmup=1)
    t, t_runs = timed(tokenizer_only, reps, warmup=1)
    return {"documents": len(paths), "characters": chars, "extract_seconds": f, "tokenizer_seconds": t,
            "extract_chars_per_s": chars / f, "tokenizer_chars_per_s": chars / t, "ratio": f / t,
            "runs_extract": f_runs, "runs_tokenizer": t_runs}, mentions


@contextlib.contextmanager
def no_pdf_tables():
    """read_pdf with its table finder switched off (no page is a table page)."""
    from extractors.ingest import pdf

    saved = pdf._pages_with_tables
    pdf._pages_with_tables = lambda text, page_starts: []
    try:
        yield
    finally:
        pdf._pages_with_tables = saved


def bench_pdfs(reps: int, plumber_reps: int) -> dict:
    import pdfplumber
    import pypdfium2 as pdfium

    from extractors.ingest.pdf import read_pdf

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # colour-space notices on some pages
    files = [(p, p.read_bytes()) for p in sorted(PDFS.glob("*.pdf"))]
    pages = 0
    for _, data in files:
        pdf = pdfium.PdfDocument(data)
        pages += len(pdf)
        pdf.close()

    def with_tables():
        for path, data in files:
            read_pdf(path, data)

    def text_only():
        with no_pdf_tables():
            with_tables()

    def plumber():
        for _, data in files:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.close()  # flush pdfplumber's per-page caches, as a reader of many pages would

    # warm-up: imports and first-use caches, on the smallest file only (full passes are slow)
    smallest = min(files, key=lambda f: len(f[1]))
    read_pdf(*smallest)
    with pdfplumber.open(io.BytesIO(smallest[1])) as pdf:
        pdf.pages[0].extract_text()
    w, w_runs = timed(with_tables, reps)
    t, t_runs = timed(text_only, reps)
    b, b_runs = timed(plumber, plumber_reps)
    return {"files": len(files), "pages": pages,
            "read_pdf_seconds": w, "read_pdf_text_only_seconds": t, "pdfplumber_seconds": b,
            "read_pdf_pages_per_s": pages / w, "read_pdf_text_only_pages_per_s": pages / t,
            "pdfplumber_pages_per_s": pages / b,
            "speedup_read_pdf": b / w, "speedup_read_pdf_text_only": b / t,
            "runs_read_pdf": w_runs, "runs_read_pdf_text_only": t_runs, "runs_pdfplumber": b_runs}


def bench_dev(extractor, reps: int) -> tuple[dict, dict]:
    from extractors.ingest import load_document

    paths = sorted((DEVSET / "docs").glob("*.txt"))
    mentions: dict[str, list] = {}

    def run():
        for path in paths:
            doc = load_document(path)
            mentions[doc.doc_id] = extractor.extract(doc)

    s, runs = timed(run, reps)
    return {"documents": len(paths), "seconds": s, "documents_per_s": len(paths) / s, "runs": runs}, mentions


# --------------------------------------------------------------------------- quality


def as_rows(mentions: dict[str, list]) -> list:
    from mirkb.scoring import Row

    return [Row(m.doc_id, m.mirna, m.cancer, m.effect, m.source, m.evidence) for ms in mentions.values() for m in ms]


def quality(extractor, seed_mentions: dict, dev_mentions: dict) -> dict:
    from extractors.ingest import load_document
    from mirkb.quality import cooccurrence_rows, load_dev_gold
    from mirkb.scoring import load_gold, score
    from mirkb.settings import default_gold

    out: dict = {}
    gold_rows, gold_docs = load_gold(default_gold())
    seed_docs = [d for d in gold_docs if d in seed_mentions]
    pipeline = score(as_rows({d: seed_mentions[d] for d in seed_docs}), gold_rows, seed_docs)
    t0 = time.perf_counter()
    base_rows = [r for d in seed_docs for r in cooccurrence_rows(extractor, load_document(CORPUS / f"{d}.txt"))]
    baseline = score(base_rows, gold_rows, seed_docs)
    out["seed_documents"] = seed_docs
    for level in ("strict", "pair"):
        out[f"seed_{level}_text_pipeline"] = pipeline.result(level, "text").micro.to_dict()
        out[f"seed_{level}_text_baseline"] = baseline.result(level, "text").micro.to_dict()
        out[f"seed_{level}_all_pipeline"] = pipeline.result(level, "all").micro.to_dict()
    dev_gold, dev_docs = load_dev_gold(DEVSET)
    dev_pipeline = score(as_rows(dev_mentions), dev_gold, dev_docs, docs=dev_docs)
    dev_base_rows = [r for p in sorted((DEVSET / "docs").glob("*.txt"))
                     for r in cooccurrence_rows(extractor, load_document(p))]
    dev_baseline = score(dev_base_rows, dev_gold, dev_docs, docs=dev_docs)
    out["dev_documents"] = len(dev_docs)
    out["dev_pair_pipeline"] = dev_pipeline.result("pair", "all").micro.to_dict()
    out["dev_pair_baseline"] = dev_baseline.result("pair", "all").micro.to_dict()
    out["baseline_seconds"] = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- report


def _f(x: float, nd: int = 3) -> str:
    return f"{x:.{nd}f}"


def git_revision() -> str:
    """Short commit of the checkout, "+dirty" when extractors/ or mirkb/ have uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "extractors", "mirkb"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def report(fig: dict) -> str:
    s, e, p, d, q = fig["startup"], fig["seeds"], fig["pdf"], fig["dev"], fig["quality"]
    lines = [
        "# mirkb benchmark",
        "",
        f"{fig['when']} · commit {fig['git']} · extractor {fig['config_id']} · Python {fig['python']} · "
        f"{'quick' if fig['quick'] else 'full'} run ({fig['reps']}) · {_f(fig['total_seconds'], 1)} s in all",
        "",
        "## Speed (one process, one thread; median of the repetitions)",
        "",
        "| what | mirkb | baseline (same run) | ratio |",
        "|---|---|---|---|",
        f"| start-up: import + build `Extractor()` (fresh process) | {_f(s['extractor_seconds'], 2)} s "
        f"| import spaCy + `spacy.blank(\"en\")`: {_f(s['spacy_blank_seconds'], 2)} s "
        f"| {_f(s['ratio'], 1)}× slower |",
        f"| seed reviews: load + extract ({e['documents']} docs, {e['characters']:,} chars) "
        f"| {_f(e['extract_seconds'], 2)} s, {e['extract_chars_per_s']:,.0f} chars/s "
        f"| scispacy tokenizer only: {_f(e['tokenizer_seconds'], 3)} s, {e['tokenizer_chars_per_s']:,.0f} chars/s "
        f"| {_f(e['ratio'], 1)}× slower |",
        f"| PDF: `read_pdf` with tables ({p['files']} PDFs, {p['pages']} pages) "
        f"| {_f(p['read_pdf_seconds'], 2)} s, {_f(p['read_pdf_pages_per_s'], 1)} pages/s "
        f"| pdfplumber `extract_text()`: {_f(p['pdfplumber_seconds'], 2)} s, "
        f"{_f(p['pdfplumber_pages_per_s'], 1)} pages/s | {_f(p['speedup_read_pdf'], 1)}× faster |",
        f"| PDF: `read_pdf` text only (table finder off) "
        f"| {_f(p['read_pdf_text_only_seconds'], 2)} s, {_f(p['read_pdf_text_only_pages_per_s'], 1)} pages/s "
        f"| (same) | {_f(p['speedup_read_pdf_text_only'], 1)}× faster |",
        f"| dev abstracts: load + extract ({d['documents']} docs) | {_f(d['seconds'], 2)} s, "
        f"{_f(d['documents_per_s'], 0)} docs/s | — | — |",
        "",
        "## Quality against the sentence co-occurrence baseline (micro P/R/F1, mirkb.scoring)",
        "",
        "| set | level | mirkb P | R | F1 | baseline P | R | F1 | diff P | R | F1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(name: str, level: str, a: dict, b: dict) -> str:
        diff = " | ".join(f"{a[k] - b[k]:+.3f}" for k in ("p", "r", "f1"))
        return (f"| {name} | {level} | {_f(a['p'])} | {_f(a['r'])} | {_f(a['f1'])} "
                f"| {_f(b['p'])} | {_f(b['r'])} | {_f(b['f1'])} | {diff} |")

    for level in ("strict", "pair"):
        lines.append(row("seed reviews, text", level, q[f"seed_{level}_text_pipeline"], q[f"seed_{level}_text_baseline"]))
    lines.append(row(f"dev abstracts ({q['dev_documents']} docs)", "pair", q["dev_pair_pipeline"],
                     q["dev_pair_baseline"]))
    lines += ["", "Counts (TP/FP/FN):", ""]
    for key, label in (("seed_strict_text", "seed reviews, text, strict"), ("seed_pair_text", "seed reviews, text, pair"),
                       ("dev_pair", "dev abstracts, pair")):
        a, b = q[f"{key}_pipeline"], q[f"{key}_baseline"]
        lines.append(f"- {label}: mirkb {a['tp']}/{a['fp']}/{a['fn']}, baseline {b['tp']}/{b['fp']}/{b['fn']}")
    for level in ("strict", "pair"):
        a = q[f"seed_{level}_all_pipeline"]
        lines.append(f"- for reference, mirkb on the seed reviews with tables (all sources), {level}: "
                     f"P={_f(a['p'])} R={_f(a['r'])} F1={_f(a['f1'])} ({a['tp']}/{a['fp']}/{a['fn']})")
    lines += ["", "Baseline: every miRNA × every cancer × every effect any cue of the sentence could give, "
              "in the sentences mirkb reads, with mirkb's own recognisers (see bench/run.py)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about half the time)")
    parser.add_argument("--out", type=Path, help="also write the raw figures to this JSON file")
    parser.add_argument("--no-engine", action="store_true",
                        help="skip the engine figures (bench/engine.py, ~10 min; they go to bench/results.json)")
    args = parser.parse_args(argv)
    for folder in (CORPUS, PDFS, DEVSET):
        if not folder.is_dir():
            parser.error(f"missing {folder} (the team's shared/ folder must sit beside the checkout)")
    reps = {"startup": 1 if args.quick else 3, "seeds": 2 if args.quick else 5, "pdf": 1 if args.quick else 3,
            "pdfplumber": 1 if args.quick else 2, "dev": 1 if args.quick else 3}
    started = time.perf_counter()
    log = print if sys.stderr.isatty() else (lambda *a, **k: None)
    log("start-up …", file=sys.stderr)
    fig: dict = {"startup": bench_startup(reps["startup"])}
    from extractors.pipeline import Extractor

    extractor = Extractor()
    log("seed reviews …", file=sys.stderr)
    fig["seeds"], seed_mentions = bench_seeds(extractor, reps["seeds"])
    log("PDFs …", file=sys.stderr)
    fig["pdf"] = bench_pdfs(reps["pdf"], reps["pdfplumber"])
    log("dev abstracts …", file=sys.stderr)
    fig["dev"], dev_mentions = bench_dev(extractor, reps["dev"])
    log("quality …", file=sys.stderr)
    fig["quality"] = quality(extractor, seed_mentions, dev_mentions)
    fig.update({
        "when": time.strftime("%Y-%m-%d %H:%M"), "git": git_revision(), "config_id": extractor.config_id, "quick": args.quick,
        "reps": ", ".join(f"{k} ×{v}" for k, v in reps.items()), "python": platform.python_version(),
        "machine": platform.machine(), "total_seconds": time.perf_counter() - started,
    })
    if not args.no_engine:
        sys.path.insert(0, str(Path(__file__).parent))
        import engine

        fig["engine"] = engine.run_all(extractor, fig["pdf"], 3 if not args.quick else 1, log=log)
        details = fig["engine"]["details"]
        results = {**fig["engine"]["results"], "when": fig["when"], "git": fig["git"],
                   "load_average_1min_start_end": [details["load_average_at_start"][0],
                                                   details["load_average_at_end"][0]]}
        (REPO / "bench" / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n",
                                                      encoding="utf-8")
    print(report(fig))
    if not args.no_engine:
        print()
        print(engine.report(fig["engine"]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fig, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
