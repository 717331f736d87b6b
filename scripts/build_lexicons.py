#!/usr/bin/env python3
"""Build mirkb's lexicon data files from the shared reference data. Re-runnable; deterministic.

Inputs (read-only, beside the repository):
  ../shared/ontology/DO_cancer_slim.obo      Disease Ontology cancer subset (CC0)
  ../shared/ontology/mirbase_hsa_mature.tsv  miRBase 22.1 human mature miRNAs
  extractors/data/cancer_additions.tsv       what authors write that the ontology lacks
                                             (abbreviations, spec names without a DOID)
Outputs:
  extractors/data/cancer_lexicon.jsonl       one record per concept: id, canonical, aliases,
                                             ancestors, generic, source, spec (a §3 name)
  extractors/data/cancer_lexicon.meta.json  the ontology release it was built from
  extractors/data/mirbase_numbers.txt        miRNA numbers known to miRBase (current and previous)

Usage: python scripts/build_lexicons.py [--ontology DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

import networkx
import obonet

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "extractors" / "data"

#: TRIPLES.md §3: canonical names that win over the ontology's own wording.
SPEC_NAMES = {
    "DOID:1324": "lung cancer",
    "DOID:3908": "non-small cell lung carcinoma",
    "DOID:5409": "small cell lung carcinoma",
    "DOID:3910": "lung adenocarcinoma",
    "DOID:3907": "lung squamous cell carcinoma",
    "DOID:1612": "breast cancer",
    "DOID:4362": "cervical cancer",
    "DOID:5041": "esophageal cancer",
    "DOID:3748": "esophageal squamous cell carcinoma",
    "DOID:10534": "gastric cancer",
    "DOID:9256": "colorectal cancer",
    "DOID:219": "colon cancer",
    "DOID:684": "hepatocellular carcinoma",
    "DOID:3571": "liver cancer",
    "DOID:4947": "cholangiocarcinoma",
    "DOID:1793": "pancreatic cancer",
    "DOID:10283": "prostate cancer",
    "DOID:2394": "ovarian cancer",
    "DOID:4450": "renal cell carcinoma",
    "DOID:4467": "clear cell renal cell carcinoma",
    "DOID:11054": "bladder cancer",
    "DOID:9538": "multiple myeloma",
    "DOID:1040": "chronic lymphocytic leukemia",
    "DOID:8552": "chronic myeloid leukemia",
    "DOID:1909": "melanoma",
    "DOID:769": "neuroblastoma",
    "DOID:1319": "brain cancer",
    "DOID:3070": "glioma",
    "DOID:3965": "Merkel cell carcinoma",
    "DOID:2531": "hematologic cancer",
}

#: Terms too general to be a cancer type (TRIPLES.md §1: "cancer", "tumor", "malignancies").
GENERIC_IDS = {"DOID:162", "DOID:305", "DOID:299", "DOID:0050686", "DOID:0050687", "DOID:14566"}

# Synonym scopes that name the same disease; BROAD/NARROW ones name another.
KEEP_SCOPES = {"EXACT", "RELATED"}


def spelling_variants(name: str) -> set[str]:
    """US/UK spellings and plurals authors use for the same term."""
    forms = {name}
    swaps = [("tumor", "tumour"), ("esophag", "oesophag"), ("hemato", "haemato"), ("leukemia", "leukaemia"),
             ("hemangio", "haemangio"), ("estrogen", "oestrogen"), ("anemia", "anaemia")]
    for us, uk in swaps:
        for form in list(forms):
            if us in form:
                forms.add(form.replace(us, uk))
    plural = {"cancer": "cancers", "carcinoma": "carcinomas", "tumor": "tumors", "tumour": "tumours",
              "neoplasm": "neoplasms", "sarcoma": "sarcomas", "lymphoma": "lymphomas", "glioma": "gliomas",
              "melanoma": "melanomas", "adenocarcinoma": "adenocarcinomas", "blastoma": "blastomas",
              "leukemia": "leukemias", "leukaemia": "leukaemias", "malignancy": "malignancies"}
    for form in list(forms):
        last = form.rsplit(" ", 1)[-1]
        for sing, plur in plural.items():
            if last.endswith(sing):
                forms.add(form[: len(form) - len(sing)] + plur)
        if last.endswith("oma"):  # astrocytoma(s), meningioma(s), carcinoma(s)
            forms.add(form + "s")
    return forms


def load_additions(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"),
                                start=2):
            if not row.get("alias") or not row.get("canonical"):
                raise ValueError(f"{path}:{n}: 'alias' and 'canonical' are required")
            rows.append(row)
    return rows


def build_cancer_lexicon(obo: Path, additions: Path) -> list[dict]:
    graph = obonet.read_obo(obo)
    records: dict[str, dict] = {}
    for node, data in graph.nodes(data=True):
        name = data.get("name")
        if not name or not node.startswith("DOID:"):
            continue
        canonical = SPEC_NAMES.get(node, name.lower())
        aliases = {name.lower(), canonical.lower()}
        for syn in data.get("synonym", []):
            m = re.match(r'"(.*)"\s+(\w+)', syn)
            if m and m.group(2) in KEEP_SCOPES:
                text = m.group(1)
                # Abbreviations keep their case (matched case-sensitively); words are lower-cased.
                aliases.add(text if re.search(r"[A-Z].*[A-Z]", text) and len(text) <= 8 else text.lower())
        expanded = set()
        for alias in aliases:
            expanded |= spelling_variants(alias) if not alias.isupper() else {alias}
        ancestors = sorted(a for a in networkx.descendants(graph, node) if a.startswith("DOID:"))
        records[node] = {
            "id": node, "canonical": canonical, "aliases": sorted(expanded), "ancestors": ancestors,
            "generic": node in GENERIC_IDS, "source": "DO_cancer_slim", "spec": node in SPEC_NAMES,
        }
    by_name = {r["canonical"]: r for r in records.values()}
    do_aliases = {a.lower(): r["canonical"] for r in records.values() for a in r["aliases"]}
    for row in load_additions(additions):
        target = row["canonical"]
        rec = by_name.get(target)
        if rec is None:
            # A spec name with no DO term (e.g. castration-resistant prostate cancer): id stays empty.
            parent = by_name.get(row.get("parent") or "")
            rec = {"id": "", "canonical": target, "aliases": sorted(spelling_variants(target)),
                   "ancestors": ([parent["id"]] + parent["ancestors"]) if parent else [],
                   "generic": False, "source": "mirkb", "spec": True}
            records[f"mirkb:{target}"] = rec
            by_name[target] = rec
        alias = row["alias"]
        held = do_aliases.get(alias.lower())
        if held and held != target:
            # The ontology already names this form as another term: it wins (never hand-type it).
            raise ValueError(f"{additions}: {alias!r} is already the DO term {held!r}; remove the row")
        forms = {alias} if row.get("kind") == "abbreviation" else spelling_variants(alias)
        rec["aliases"] = sorted(set(rec["aliases"]) | forms)
    return sorted(records.values(), key=lambda r: (r["id"] or "~", r["canonical"]))


def build_mirbase_numbers(tsv: Path) -> list[str]:
    numbers = set()
    with tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for name in [row["name"], *filter(None, row["previous_names"].split(";"))]:
                m = re.match(r"hsa-(?:miR|mir)-(\d+)", name.strip())
                if m:
                    numbers.add(m.group(1))
    return sorted(numbers, key=int)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ontology", type=Path, default=ROOT.parent / "shared" / "ontology")
    args = parser.parse_args(argv)
    obo = args.ontology / "DO_cancer_slim.obo"
    if not obo.exists():
        print(f"error: {obo} not found", file=sys.stderr)
        return 2
    version = next((line.split(":", 1)[1].strip() for line in obo.open() if line.startswith("data-version:")), "")
    lexicon = build_cancer_lexicon(obo, DATA / "cancer_additions.tsv")
    with (DATA / "cancer_lexicon.jsonl").open("w", encoding="utf-8") as out:
        for rec in lexicon:
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    (DATA / "cancer_lexicon.meta.json").write_text(
        json.dumps({"source": version, "built_by": "scripts/build_lexicons.py", "concepts": len(lexicon)}, indent=1)
        + "\n", encoding="utf-8")
    numbers = build_mirbase_numbers(args.ontology / "mirbase_hsa_mature.tsv")
    (DATA / "mirbase_numbers.txt").write_text(
        "# miRNA numbers of human mature miRNAs, miRBase 22.1 (current and previous names)\n"
        "# built by scripts/build_lexicons.py from ../shared/ontology/mirbase_hsa_mature.tsv\n"
        + "\n".join(numbers) + "\n", encoding="utf-8")
    print(f"cancer_lexicon.jsonl: {len(lexicon)} concepts ({version}); mirbase_numbers.txt: {len(numbers)} numbers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
