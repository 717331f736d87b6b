"""Engine benchmarks for ``make bench``: throughput against the tokenizer, ingest, workers, linear cost.

Each figure is a ratio against a baseline timed in the same run (or a rate), on the 300 real
open-access articles of ``../shared/bench/pmc_oa_jats_300.tar.xz`` unpacked to a temporary folder:

* ``ratio_vs_tokenizer``: scispacy's tokenizer alone over the cleaned texts, seconds, divided by
  load + extract of the same files (issue 9 target ≥ 0.4); also on the two seed reviews.
* ``jats_mb_per_s``: ``load_document`` over the 300 JATS files (MB of XML per second).
* ``ratio_two_workers``: ``mirkb.batch.extract`` with 1 worker process vs 2, wall-clock, pipeline
  start-up included in both (target ≥ 1.6; needs two idle cores).
* ×1, ×3, ×10 copies of the batch (distinct file names, and each copy's DOI, PMCID, PMID and title
  marked with its copy number, so that the same-article check of ``mirkb.articles`` sees distinct
  articles, not one article in several files) refreshed into a fresh
  SQLite knowledge base by ``mirkb run --no-prefect`` in a fresh process each: seconds per MB and
  peak RSS; ``ratio_time_per_mb_x10_x1`` (≤ 1.1), ``ratio_rss_x10_x1`` (≤ 1.2), and a second
  refresh of ×10 with nothing changed (``noop_refresh_seconds_x10``, < 10 s, process start included).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TARBALL = SHARED / "bench" / "pmc_oa_jats_300.tar.xz"

REFRESH = """\
import json, resource, sys, time
t0 = time.perf_counter()
from mirkb import batch
s = batch.refresh(sys.argv[1], sys.argv[2], None)
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "documents": s.documents, "status": s.status}))
"""


def unpack(tmp: Path) -> Path:
    with tarfile.open(TARBALL) as tar:
        tar.extractall(tmp / "x1src", filter="data")
    files = sorted((tmp / "x1src").rglob("*.xml"))
    return files[0].parent


def distinct_copy(source: Path, target: Path, i: int) -> None:
    """Copy a JATS article as a different article: its ids and title carry the copy number.

    A plain file copy would be the same article in two files, which the batch engine reads once
    (mirkb.articles), so ×10 copies would cost little more than ×1 and measure nothing."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    tree = etree.parse(str(source), parser)
    meta = tree.find(".//article-meta")
    if meta is not None:
        for node in meta.findall("article-id"):
            node.text = f"{(node.text or '').strip()}{i:02d}"
        title = meta.find("title-group/article-title")
        if title is not None:
            title.text = f"Copy {i}: {title.text or ''}"
    tree.write(str(target), encoding="utf-8", xml_declaration=True)


def copies(src: Path, dest: Path, n: int) -> float:
    """``n`` copies of every file of ``src`` under distinct names, each a distinct article; MB."""
    dest.mkdir(parents=True)
    size = 0
    for i in range(n):
        for f in sorted(src.iterdir()):
            target = dest / f"c{i:02d}_{f.name}"
            if i == 0:
                shutil.copyfile(f, target)
            else:
                distinct_copy(f, target, i)
            size += target.stat().st_size
    return size / 1e6


def run_refresh(corpus: Path, kb: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", REFRESH, str(corpus), str(kb)], cwd=REPO, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_text(extractor, files: list[Path], reps: int, without_parser=None) -> dict:
    """Load + extract vs the tokenizer alone; with ``without_parser`` (an Extractor built with
    ``syntax=False``) also load + extract without the bundled parser, interleaved in the same run."""
    from extractors.clean import clean_text
    from extractors.ingest import load_document

    docs = [load_document(p) for p in files]
    cleaned = [clean_text(d.text).text for d in docs]
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6

    def full(ex=extractor):
        for p in files:
            ex.extract(load_document(p))

    def tok():
        for c in cleaned:
            extractor.nlp.tokenizer(c)

    runs = {"tokenizer": tok, "extract": full}
    if without_parser is not None:
        runs["extract_without_parser"] = lambda: full(without_parser)
    for fn in runs.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(reps):  # interleaved, so a burst of load hits all alike
        for key, fn in runs.items():
            a = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - a)
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"documents": len(files), "characters": sum(len(d.text) for d in docs), "text_mb": mb,
           "extract_seconds": med["extract"], "tokenizer_seconds": med["tokenizer"],
           "ratio": med["tokenizer"] / med["extract"], "extract_mb_per_s": mb / med["extract"]}
    if without_parser is not None:
        out.update({"extract_seconds_without_parser": med["extract_without_parser"],
                    "ratio_without_parser": med["tokenizer"] / med["extract_without_parser"],
                    "extract_mb_per_s_without_parser": mb / med["extract_without_parser"]})
    return out


def bench_jats(files: list[Path], reps: int) -> dict:
    from extractors.ingest import load_document

    mb = sum(p.stat().st_size for p in files) / 1e6
    times = []
    for _ in range(reps):
        a = time.perf_counter()
        for p in files:
            load_document(p)
        times.append(time.perf_counter() - a)
    s = statistics.median(times)
    return {"files": len(files), "mb": mb, "seconds": s, "mb_per_s": mb / s}


def bench_workers(src: Path, tmp: Path) -> dict:
    from mirkb import batch

    items, _ = batch.extract_plan([src])
    out = {}
    for n in (1, 2):
        a = time.perf_counter()
        batch.extract(items, tmp / f"w{n}.csv", workers=n)
        out[f"seconds_{n}"] = time.perf_counter() - a
    out["ratio"] = out["seconds_1"] / out["seconds_2"]
    return out


def bench_scale(src: Path, tmp: Path, factors=(1, 3, 10)) -> dict:
    out: dict = {}
    for n in factors:
        corpus = tmp / f"x{n}"
        mb = copies(src, corpus, n)
        first = run_refresh(corpus, tmp / f"x{n}.sqlite")
        out[f"x{n}"] = {"mb": mb, **first, "seconds_per_mb": first["seconds"] / mb}
    again = run_refresh(tmp / f"x{factors[-1]}", tmp / f"x{factors[-1]}.sqlite")
    out["noop"] = again
    last, one = out[f"x{factors[-1]}"], out[f"x{factors[0]}"]
    out["ratio_time_per_mb"] = last["seconds_per_mb"] / one["seconds_per_mb"]
    out["ratio_rss"] = last["peak_rss_mb"] / one["peak_rss_mb"]
    return out


def run_all(extractor, pdf: dict, reps: int = 3, log=lambda *a: None) -> dict:
    """Every engine figure, and the results.json keys of issue 9."""
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="mirkb-bench-") as name:
        tmp = Path(name)
        src = unpack(tmp)
        files = sorted(src.iterdir())
        log("engine: text vs tokenizer, with and without the parser …")
        from extractors.pipeline import Extractor, ExtractSettings

        settings = extractor.settings
        no_parser = Extractor(ExtractSettings(model=settings.model, tables=settings.tables, syntax=False))
        text = bench_text(extractor, files, reps, without_parser=no_parser if settings.syntax else None)
        del no_parser
        seeds = bench_text(extractor, sorted((SHARED / "corpus").glob("*.txt")), reps)
        log("engine: JATS ingest …")
        jats = bench_jats(files, reps)
        log("engine: workers …")
        workers = bench_workers(src, tmp)
        log("engine: x1/x3/x10 refreshes …")
        scale = bench_scale(src, tmp)
    figures = {
        "ratio_vs_tokenizer": text["ratio"],
        "ratio_vs_tokenizer_seed_reviews": seeds["ratio"],
        # the bundled parser (extractors/syntax.py) timed apart: same files, same run
        "extract_mb_per_s_with_parser": text["extract_mb_per_s"] if extractor.settings.syntax else None,
        "extract_mb_per_s_without_parser": text.get("extract_mb_per_s_without_parser", text["extract_mb_per_s"]),
        "ratio_vs_tokenizer_without_parser": text.get("ratio_without_parser", text["ratio"]),
        "ratio_two_workers": workers["ratio"],
        "ratio_time_per_mb_x10_x1": scale["ratio_time_per_mb"],
        "ratio_rss_x10_x1": scale["ratio_rss"],
        "jats_mb_per_s": jats["mb_per_s"],
        "pdf_pages_per_s": pdf["read_pdf_text_only_pages_per_s"],
        "noop_refresh_seconds_x10": scale["noop"]["seconds"],
    }
    return {"results": figures, "details": {"text_300": text, "text_seeds": seeds, "jats": jats,
                                            "workers": workers, "scale": scale,
                                            "load_average_at_start": load, "load_average_at_end": os.getloadavg(),
                                            "cpus": os.cpu_count()}}


TARGETS = {"ratio_vs_tokenizer": (">=", 0.4), "ratio_two_workers": (">=", 1.6),
           "ratio_time_per_mb_x10_x1": ("<=", 1.1), "ratio_rss_x10_x1": ("<=", 1.2),
           "jats_mb_per_s": (">=", 5), "pdf_pages_per_s": (">=", 100), "noop_refresh_seconds_x10": ("<", 10)}


def report(engine: dict) -> str:
    r, d = engine["results"], engine["details"]
    lines = ["## Engine (issue 9; `bench/results.json`)", "",
             f"Load average at start {d['load_average_at_start'][0]:.2f}, at end {d['load_average_at_end'][0]:.2f} "
             f"({d['cpus']} CPUs).", "", "| figure | value | target | met |", "|---|---|---|---|"]
    for key, value in r.items():
        if value is None:
            lines.append(f"| `{key}` | (not run) | | |")
            continue
        op, goal = TARGETS.get(key, ("", None))
        met = "" if goal is None else ("yes" if eval(f"{value} {op} {goal}") else "**no**")  # noqa: S307
        lines.append(f"| `{key}` | {value:.3f} | {op} {goal if goal is not None else ''} | {met} |")
    s = d["scale"]
    lines += ["", "| copies | MB | seconds | s/MB | peak RSS MB |", "|---|---|---|---|---|"]
    for k in ("x1", "x3", "x10"):
        lines.append(f"| {k} | {s[k]['mb']:.1f} | {s[k]['seconds']:.1f} | {s[k]['seconds_per_mb']:.2f} "
                     f"| {s[k]['peak_rss_mb']:.0f} |")
    lines.append(f"| x10, nothing changed | | {s['noop']['seconds']:.1f} | | {s['noop']['peak_rss_mb']:.0f} |")
    w = d["workers"]
    lines += ["", f"Workers on the 300 articles: 1 worker {w['seconds_1']:.1f} s, 2 workers {w['seconds_2']:.1f} s.",
              f"Text: {d['text_300']['documents']} articles, {d['text_300']['characters']:,} characters: extract "
              f"{d['text_300']['extract_seconds']:.2f} s, tokenizer {d['text_300']['tokenizer_seconds']:.2f} s; "
              f"seed reviews: extract {d['text_seeds']['extract_seconds']:.3f} s, tokenizer "
              f"{d['text_seeds']['tokenizer_seconds']:.3f} s."]
    t = d["text_300"]
    if "extract_seconds_without_parser" in t:
        lines.append(f"Bundled parser (MIRKB_SYNTAX): with it {t['extract_seconds']:.2f} s "
                     f"({t['extract_mb_per_s']:.2f} MB of text/s), without it {t['extract_seconds_without_parser']:.2f} s "
                     f"({t['extract_mb_per_s_without_parser']:.2f} MB/s); ratio vs tokenizer without it "
                     f"{t['ratio_without_parser']:.3f}.")
    return "\n".join(lines)
