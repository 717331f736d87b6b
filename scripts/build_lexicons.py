#!/usr/bin/env python3
"""Build mirkb's lexicon data files from the shared reference data. Re-runnable; deterministic.

Inputs (read-only, beside the repository):
  ../shared/ontology/DO_cancer_slim.obo      Disease Ontology cancer subset (CC0)
  ../shared/ontology/DO_NCIthesaurus_subset.obo  DO terms cross-referenced to NCIt (CC0): cancer
                                             subtypes the slim lacks, and benign neoplasms
  ../shared/ontology/mirbase_hsa_mature.tsv  miRBase 22.1 human mature miRNAs
  extractors/data/cancer_additions.tsv       what authors write that the ontology lacks
                                             (abbreviations, spec names without a DOID)
Outputs:
  extractors/data/cancer_lexicon.jsonl       one record per concept: id, canonical, aliases,
                                             ancestors, generic, benign, source, spec (a §3 name)
  extractors/data/cancer_lexicon.meta.json  the ontology releases it was built from
  extractors/data/other_diseases.tsv         the NCIt subset's other diseases (a title's disease)
  extractors/data/mirbase_numbers.txt        miRNA numbers known to miRBase (current and previous)
  extractors/data/mirbase_mature.tsv         miRBase names, accessions and previous names (for ids)

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
    # "triple-negative" is also written "triple negative"
    forms |= {re.sub(r"(?<=[a-z])-(?=[a-z])", " ", form) for form in forms}
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


def _aliases(data: dict, canonical: str) -> set[str]:
    """The term's name, its EXACT/RELATED synonyms and their spelling variants."""
    aliases = {data["name"].lower(), canonical.lower()}
    for syn in data.get("synonym", []):
        m = re.match(r'"(.*)"\s+(\w+)', syn)
        if m and m.group(2) in KEEP_SCOPES:
            text = m.group(1)
            # Abbreviations keep their case (matched case-sensitively); words are lower-cased.
            aliases.add(text if re.search(r"[A-Z].*[A-Z]", text) and len(text) <= 8 else text.lower())
    expanded = set()
    for alias in aliases:
        expanded |= spelling_variants(alias) if not alias.isupper() else {alias}
    return expanded


def _lineage(graph: networkx.MultiDiGraph, obo: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Parents of every term (also parents the file does not hold) and the name of every id.

    A subset file names a parent that it leaves out only in the ``is_a`` comment
    ("is_a: DOID:0060085 ! organ system benign neoplasm"), so names come from those comments too.
    """
    names = dict(re.findall(r"^is_a: (DOID:\d+) ! (.+)$", obo.read_text(encoding="utf-8"), flags=re.M))
    parents = {}
    for node, data in graph.nodes(data=True):
        names[node] = data.get("name", names.get(node, ""))
        parents[node] = [p.split()[0] for p in data.get("is_a", [])]
    return parents, names


_BENIGN_GENUS = re.compile(r'^"An? (?:(?!\bthat\b)[^".,;])*?\bbenign neopla')


def benign_terms(graph: networkx.MultiDiGraph, obo: Path) -> set[str]:
    """Terms the ontology classifies as benign neoplasms: the term or an ancestor is named
    "… benign neoplasm", or its definition's genus is one ("A cell type benign neoplasm that …":
    DO writes definitions as genus + differentia, and names the parent there when the subset
    file leaves the parent out)."""
    parents, names = _lineage(graph, obo)
    direct = {node for node, data in graph.nodes(data=True)
              if "benign" in names.get(node, "") or _BENIGN_GENUS.match(data.get("def", ""))}
    direct |= {node for node, name in names.items() if "benign" in name}
    # where the is_a hierarchy places a term under "cancer" (DOID:162), that placement wins over a
    # definition's wording ("low grade glioma" is a glioma), unless the term's own name says benign
    return {node for node in graph.nodes
            if "benign" in names.get(node, "")
            or ((node in direct or _closure(node, parents) & direct) and "DOID:162" not in _closure(node, parents))}


def _closure(node: str, parents: dict[str, list[str]]) -> set[str]:
    seen, stack = set(), list(parents.get(node, []))
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(parents.get(p, []))
    return seen


def add_ncit_terms(records: dict[str, dict], slim: networkx.MultiDiGraph, ncit_obo: Path) -> None:
    """Cancer subtypes and benign neoplasms of the NCIt subset that the slim lacks.

    A term is a cancer when "cancer" (DOID:162) or a slim term is among its ancestors, and a
    benign neoplasm as :func:`benign_terms` reads the ontology (never a hand list). Benign neoplasms are recorded so that their names are
    recognised (and not read as a cancer by a substring, "adenoma" inside "pituitary adenoma" …)
    but flagged ``benign``: they are never output as a cancer (TRIPLES.md §1). Other diseases of
    the subset (syndromes, infections …) are left out.
    """
    graph = obonet.read_obo(ncit_obo)
    parents, names = _lineage(graph, ncit_obo)
    benign = benign_terms(graph, ncit_obo)
    for node, data in graph.nodes(data=True):
        if not data.get("name") or not node.startswith("DOID:") or node in records:
            continue
        lineage = _closure(node, parents)
        if node in benign:
            records[node] = {"id": node, "canonical": data["name"].lower(), "aliases": sorted(_aliases(data, data["name"].lower())),
                             "ancestors": [], "generic": True, "benign": True, "source": "DO_NCIthesaurus_subset",
                             "spec": False}
            continue
        in_slim = [a for a in lineage if a in records]
        if "DOID:162" not in lineage and not in_slim:
            continue
        if re.search(r"\bsystem\b", data["name"]):
            continue  # a body-system grouping ("nervous system cancer") is not a type (GUIDELINES 2, 12)
        ancestors = set(lineage)
        for a in in_slim:
            ancestors |= set(records[a]["ancestors"])
        records[node] = {"id": node, "canonical": data["name"].lower(), "aliases": sorted(_aliases(data, data["name"].lower())),
                         "ancestors": sorted(a for a in ancestors if a.startswith("DOID:")), "generic": False,
                         "benign": False, "source": "DO_NCIthesaurus_subset", "spec": False}


def add_cancer_carcinoma_variants(records: dict[str, dict]) -> None:
    """"papillary thyroid cancer" for "papillary thyroid carcinoma", "triple-negative breast
    carcinoma" for "triple-negative breast cancer": authors swap the two words for one subtype. The
    swapped form is added only where no term of the ontology already uses it (there, as for "lung
    carcinoma" and "lung cancer", the ontology keeps two terms apart)."""
    held = {a.lower() for r in records.values() for a in r["aliases"]}
    swap = {"cancer": "carcinoma", "carcinoma": "cancer", "cancers": "carcinomas", "carcinomas": "cancers"}
    # only qualified subtypes (three words or more): "organ cancer" and "organ carcinoma" are
    # often two terms, or a body-system grouping ("gastrointestinal cancer")
    for rec in records.values():
        if rec["benign"] or rec["generic"]:
            continue
        extra = set()
        for alias in rec["aliases"]:
            head, _, last = alias.rpartition(" ")
            if len(head.split()) >= 2 and last in swap and f"{head} {swap[last]}".lower() not in held:
                extra.add(f"{head} {swap[last]}")
        rec["aliases"] = sorted(set(rec["aliases"]) | extra)


#: The Disease Ontology names a site by its noun ("larynx cancer", "esophagus adenocarcinoma",
#: "vulva cancer"); authors mostly write the adjective ("laryngeal cancer"). Anatomy, not a list of
#: cancers: every term whose name starts with one of these nouns gets the adjective form too.
SITE_ADJECTIVES = {
    "larynx": "laryngeal", "pharynx": "pharyngeal", "nasopharynx": "nasopharyngeal",
    "oropharynx": "oropharyngeal", "hypopharynx": "hypopharyngeal", "esophagus": "esophageal",
    "vulva": "vulvar", "vagina": "vaginal", "uterus": "uterine", "cervix": "cervical", "ovary": "ovarian",
    "kidney": "renal", "stomach": "gastric", "liver": "hepatic", "pancreas": "pancreatic",
    "adrenal gland": "adrenal", "thyroid gland": "thyroid", "testis": "testicular", "prostate": "prostatic",
    "penis": "penile", "anus": "anal", "rectum": "rectal", "colon": "colonic", "lung": "pulmonary",
    "skin": "cutaneous", "thymus": "thymic", "eye": "ocular",
}


def add_site_adjective_variants(records: dict[str, dict]) -> None:
    """"laryngeal cancer" for DO's "larynx cancer": the adjective of a leading site noun, and
    "high-grade" for "high grade", added only where no term already uses that form (there the
    ontology's own term wins)."""
    held = {a.lower() for r in records.values() for a in r["aliases"]}
    for rec in records.values():
        if rec["benign"] or rec["generic"]:
            continue
        # a grade DO writes open ("high grade glioma") is mostly hyphenated ("high-grade glioma");
        # not for benign terms, whose hyphenated form would hide a cancer name that authors mean
        extra = {re.sub(r"\b(high|low|intermediate) grade\b", r"\1-grade", a) for a in rec["aliases"]}
        for alias in rec["aliases"]:
            for noun, adjective in SITE_ADJECTIVES.items():
                if alias.lower().startswith(noun + " ") and len(alias.split()) > len(noun.split()):
                    form = adjective + alias[len(noun):]
                    if form.lower() not in held:
                        extra |= spelling_variants(form)
        extra = {f for f in extra if f.lower() not in held}
        held |= {f.lower() for f in extra}
        rec["aliases"] = sorted(set(rec["aliases"]) | extra)


def build_cancer_lexicon(obo: Path, additions: Path, ncit_obo: Path | None = None) -> list[dict]:
    graph = obonet.read_obo(obo)
    records: dict[str, dict] = {}
    for node, data in graph.nodes(data=True):
        name = data.get("name")
        if not name or not node.startswith("DOID:"):
            continue
        canonical = SPEC_NAMES.get(node, name.lower())
        ancestors = sorted(a for a in networkx.descendants(graph, node) if a.startswith("DOID:"))
        records[node] = {
            "id": node, "canonical": canonical, "aliases": sorted(_aliases(data, canonical)),
            "ancestors": ancestors, "generic": node in GENERIC_IDS, "benign": False, "source": "DO_cancer_slim",
            "spec": node in SPEC_NAMES,
        }
    for node in benign_terms(graph, obo) - set(SPEC_NAMES):
        if node in records:  # "lipoma", "fibroma": in the slim, yet benign by its own definition
            records[node].update(generic=True, benign=True, ancestors=[])
    if ncit_obo is not None:
        add_ncit_terms(records, graph, ncit_obo)
    by_name = {r["canonical"]: r for r in records.values() if not r["benign"]}
    do_aliases = {a.lower(): r["canonical"] for r in records.values() if r["source"] == "DO_cancer_slim"
                  for a in r["aliases"]}
    ncit_by_alias = {a.lower(): key for key, r in records.items() if r["source"] != "DO_cancer_slim"
                     for a in r["aliases"]}
    for row in load_additions(additions):
        target = row["canonical"]
        rec = by_name.get(target)
        if rec is None:
            # A spec name with no DO term (e.g. castration-resistant prostate cancer): id stays empty.
            parent = by_name.get(row.get("parent") or "")
            rec = {"id": "", "canonical": target, "aliases": sorted(spelling_variants(target)),
                   "ancestors": ([parent["id"]] + parent["ancestors"]) if parent else [],
                   "generic": False, "benign": False, "source": "mirkb", "spec": True}
            records[f"mirkb:{target}"] = rec
            by_name[target] = rec
        alias = row["alias"]
        held = do_aliases.get(alias.lower())
        if held and held != target:
            # The ontology already names this form as another term: it wins (never hand-type it).
            raise ValueError(f"{additions}: {alias!r} is already the DO term {held!r}; remove the row")
        forms = {alias, alias + "s"} if row.get("kind") == "abbreviation" else spelling_variants(alias)
        for form in forms:
            # The slim and §3 names are the contract's; a wider NCIt term that authors' usage
            # (an addition) maps onto one of them gives up that form.
            key = ncit_by_alias.pop(form.lower(), None)
            if key in records and key != f"mirkb:{target}":
                other = records[key]
                other["aliases"] = [a for a in other["aliases"] if a.lower() != form.lower()]
                if other["canonical"].lower() == form.lower() or not other["aliases"]:
                    del records[key]
        rec["aliases"] = sorted(set(rec["aliases"]) | forms)
    add_cancer_carcinoma_variants(records)
    add_site_adjective_variants(records)
    return sorted(records.values(), key=lambda r: (r["id"] or "~", r["canonical"]))


#: Words of a neoplasm's name: such a term is a cancer or a benign neoplasm (the lexicon's business),
#: never "another disease".
_NEOPLASM_WORDS = re.compile(r"tumou?r|cancer|carcinoma|neoplas|sarcoma|lymphoma|leuk|blastoma|malignan|metasta|"
                             r"adenoma|papilloma|myeloma|melanoma|glioma")


_ROOT_WORDS = {"disease", "syndrome", "disorder"}


def build_other_diseases(ncit_obo: Path, lexicon: list[dict]) -> list[tuple[str, str, str]]:
    """(alias, DOID, name) of the NCIt subset's diseases that are neither cancers nor benign
    neoplasms ("Alzheimer's disease", "obesity", "hepatitis B"): what a title names when a paper
    studies another disease (extractors/cancer.py: its cell lines name no cancer). Names and EXACT
    synonyms, lower-cased; short or capitalised synonyms (abbreviations, ambiguous) are left out,
    and so is any form the cancer lexicon holds."""
    graph = obonet.read_obo(ncit_obo)
    held = {r["id"] for r in lexicon}
    cancer_forms = {a.lower() for r in lexicon for a in r["aliases"]}
    rows = set()
    for node, data in graph.nodes(data=True):
        name = data.get("name")
        # the ontology's roots ("disease", "syndrome") name no disease a paper studies
        if (not name or not node.startswith("DOID:") or node in held or _NEOPLASM_WORDS.search(name.lower())
                or " " not in name and name.lower() in _ROOT_WORDS):
            continue
        forms = {name}
        for syn in data.get("synonym", []):
            m = re.match(r'"(.*)"\s+(\w+)', syn)
            if m and m.group(2) == "EXACT":
                forms.add(m.group(1))
        for form in forms:
            if len(form) < 5 or re.search(r"[A-Z].*[A-Z]", form) and len(form) <= 8 or _NEOPLASM_WORDS.search(form.lower()):
                continue
            if form.lower() not in cancer_forms:
                rows.add((form.lower(), node, name.lower()))
    return sorted(rows)


def build_mirbase_numbers(tsv: Path) -> list[str]:
    numbers = set()
    with tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for name in [row["name"], *filter(None, row["previous_names"].split(";"))]:
                m = re.match(r"hsa-(?:miR|mir)-(\d+)", name.strip())
                if m:
                    numbers.add(m.group(1))
    return sorted(numbers, key=int)


def data_version(obo: Path) -> str:
    with obo.open(encoding="utf-8") as fh:
        return next((line.split(":", 1)[1].strip() for line in fh if line.startswith("data-version:")), "")


def write_mirbase_table(tsv: Path, out: Path) -> None:
    """The miRBase 22.1 names, accessions and previous names the extractor maps names with
    (extractors/mirna.py), copied so that nothing outside the package is read at run time."""
    with tsv.open(encoding="utf-8") as fh:
        rows = sorted((r["name"], r["accession"], r["previous_names"]) for r in csv.DictReader(fh, delimiter="\t"))
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# miRBase 22.1 human mature miRNAs (Kozomara et al. 2019, doi:10.1093/nar/gky1141);\n"
                 "# built by scripts/build_lexicons.py from ../shared/ontology/mirbase_hsa_mature.tsv\n"
                 "name\taccession\tprevious_names\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ontology", type=Path, default=ROOT.parent / "shared" / "ontology")
    args = parser.parse_args(argv)
    obo = args.ontology / "DO_cancer_slim.obo"
    if not obo.exists():
        print(f"error: {obo} not found", file=sys.stderr)
        return 2
    ncit = args.ontology / "DO_NCIthesaurus_subset.obo"
    version, ncit_version = data_version(obo), data_version(ncit)
    lexicon = build_cancer_lexicon(obo, DATA / "cancer_additions.tsv", ncit)
    with (DATA / "cancer_lexicon.jsonl").open("w", encoding="utf-8") as out:
        for rec in lexicon:
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    (DATA / "cancer_lexicon.meta.json").write_text(
        json.dumps({"source": version, "sources": [version, ncit_version], "built_by": "scripts/build_lexicons.py",
                    "concepts": len(lexicon), "benign": sum(r["benign"] for r in lexicon)}, indent=1)
        + "\n", encoding="utf-8")
    others = build_other_diseases(ncit, lexicon)
    with (DATA / "other_diseases.tsv").open("w", encoding="utf-8") as out:
        out.write(f"# Diseases of the DO NCIt subset ({ncit_version}) that are neither cancers nor benign\n"
                  "# neoplasms; built by scripts/build_lexicons.py (used for a title's disease only)\n"
                  "alias\tid\tname\n")
        out.writelines("\t".join(r) + "\n" for r in others)
    write_mirbase_table(args.ontology / "mirbase_hsa_mature.tsv", DATA / "mirbase_mature.tsv")
    numbers = build_mirbase_numbers(args.ontology / "mirbase_hsa_mature.tsv")
    (DATA / "mirbase_numbers.txt").write_text(
        "# miRNA numbers of human mature miRNAs, miRBase 22.1 (current and previous names)\n"
        "# built by scripts/build_lexicons.py from ../shared/ontology/mirbase_hsa_mature.tsv\n"
        + "\n".join(numbers) + "\n", encoding="utf-8")
    print(f"cancer_lexicon.jsonl: {len(lexicon)} concepts ({version}); mirbase_numbers.txt: {len(numbers)} numbers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
