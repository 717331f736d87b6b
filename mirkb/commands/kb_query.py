"""``mirkb kb query`` (and the filters ``kb export`` shares): names as curators write them.

The filters turn what was typed into a :class:`mirkb.kb.filters.TripleQuery` through
``mirkb.kb.names``: a cancer by name, synonym, abbreviation or DOID with its subtypes, a miRNA by
any spelling with its arms or family.
"""

from __future__ import annotations

import json
import re
import sys

QUERY_COLUMNS = ("triple_id", "mirna", "cancer", "cancer_id", "effect", "n_documents", "n_mentions",
                 "first_seen", "last_seen", "documents", "evidence", "mirna_id", "pmids")


def add_filter_arguments(p) -> None:
    g = p.add_argument_group("what to select")
    g.add_argument("--mirna", help="any spelling TRIPLES.md §2 accepts (mir-21, hsa-miR-21-5p, microRNA-21, "
                                   "miR-200 family) or a miRBase accession (MIMAT0000076)")
    g.add_argument("--arms", action="store_true", help="also the -5p/-3p arms of --mirna (and the arm-less name)")
    g.add_argument("--family", action="store_true",
                   help="every member of --mirna's family: miR-200 → miR-200a/b/c (any arm), let-7 → let-7a…")
    g.add_argument("--cancer", help='a name, synonym or abbreviation ("NSCLC", "stomach cancer") or a DOID '
                                    "(DOID:1324); its subtypes are included")
    g.add_argument("--exact", action="store_true", help="--cancer only, without its subtypes")
    g.add_argument("--effect", help="one of the §4 effects")
    g.add_argument("--source", choices=("text", "table"), help="evidence from running text or from tables")
    g.add_argument("--hedged", choices=("yes", "no"), help="only speculative (yes) or only firm (no) evidence")
    g.add_argument("--doc", action="append", metavar="ID",
                   help="evidence from this document: doc_id, PMID, PMCID or DOI (repeatable)")
    g.add_argument("--pmid", action="append", metavar="PMID", help="the same as --doc, for a PMID (repeatable)")
    g.add_argument("--min-docs", type=int, default=1, metavar="N",
                   help="triples that at least N documents support (after the other filters)")
    g.add_argument("--run", metavar="RUN|last", help="evidence written by this run (a run id, or 'last')")


def _identifier(text: str) -> str:
    """What a document filter compares: "PMID: 123" → "123"; PMCIDs and DOIs as written."""
    text = text.strip()
    m = re.fullmatch(r"(?i)pmid\s*:?\s*(\d+)", text)
    return m.group(1) if m else re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text)


def build_query(args, kb) -> tuple:
    """(TripleQuery, notes): the filters of ``args``, with how each name was read (for the user)."""
    from mirkb.errors import UsageError
    from mirkb.kb.filters import TripleQuery
    from mirkb.kb.names import resolve_cancer, resolve_mirna

    notes: list[str] = []
    fields: dict = {}
    if args.effect:
        from extractors.schema import EFFECTS

        if args.effect not in EFFECTS:
            raise UsageError(f"unknown effect {args.effect!r}; one of: {', '.join(EFFECTS)}")
        fields["effect"] = args.effect
    if args.min_docs < 1:
        raise UsageError("--min-docs must be at least 1")
    if args.mirna:
        match = resolve_mirna(args.mirna, kb.mirna_names(), arms=args.arms, family=args.family)
        if match.accession:
            fields["mirna_ids"] = [match.accession]
            notes.append(f"miRNA: accession {match.accession}")
        else:
            fields["mirnas"] = sorted(match.names)
            notes.append("miRNA: " + ", ".join(sorted(match.names)))
    elif args.arms or args.family:
        raise UsageError("--arms and --family widen --mirna; give --mirna too")
    if args.cancer:
        match = resolve_cancer(args.cancer, exact=args.exact)
        fields["cancers"], fields["cancer_ids"] = sorted(match.names), sorted(match.ids)
        notes.append("cancer: " + match.describe())
    elif args.exact:
        raise UsageError("--exact narrows --cancer; give --cancer too")
    if args.source:
        fields["source"] = args.source
    if args.hedged:
        fields["hedged"] = args.hedged == "yes"
    docs = [_identifier(d) for d in (args.doc or []) + (args.pmid or [])]
    if docs:
        fields["documents"] = docs
    if args.run:
        fields["run_id"] = _run_id(args.run, kb)
    fields["min_documents"] = args.min_docs
    return TripleQuery(**fields), notes


def _run_id(text: str, kb) -> int:
    from mirkb.errors import UsageError

    if text == "last":
        try:
            return kb.last_runs()[1]
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
    if not text.isdigit() or kb.run(int(text)) is None:
        raise UsageError(f"no run with id {text}")
    return int(text)


def cancer_hint(args) -> str:
    """When a cancer name matched nothing the lexicon knows: names that contain what was typed."""
    from mirkb.kb.names import find_concept, suggest_cancers

    if not args.cancer or find_concept(args.cancer) is not None:
        return ""
    names = suggest_cancers(args.cancer)
    return f"{args.cancer!r} is not a cancer name the lexicon knows" + (
        f"; did you mean: {', '.join(names)}" if names else "")


def query(args) -> int:
    from mirkb.commands.kb import _open, _write_csv
    from mirkb.errors import UsageError

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.evidence < 0:
        raise UsageError("--evidence must be 0 or more")
    with _open(args) as kb:
        where, notes = build_query(args, kb)
        found = kb.query_triples(limit=args.limit, evidence_per_triple=args.evidence, where=where)
    if not found and (hint := cancer_hint(args)):
        print(hint, file=sys.stderr)
    if args.format == "json":
        json.dump(found, sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        _write_csv(sys.stdout, [_flat(t) for t in found], QUERY_COLUMNS)
    else:
        for note in notes:
            print(f"# {note}")
        if not found:
            print("no triples match")
        for t in found:
            print(format_triple(t))
            for ev in t["evidence"]:
                print("    " + format_evidence(ev))
    return 0


def format_triple(t: dict) -> str:
    ids = ", ".join(i for i in (t.get("mirna_id"), t.get("cancer_id")) if i)
    return (f"{t['mirna']} | {t['cancer']} | {t['effect']}  ({t['n_documents']} document(s), "
            f"{t['n_mentions']} mention(s))" + (f"  [{ids}]" if ids else ""))


def format_evidence(ev: dict) -> str:
    where = ev["doc_id"] + (f" PMID:{ev['pmid']}" if ev.get("pmid") else "")
    tags = [ev["source"], *([ev["passage"]] if ev.get("passage") and ev["passage"] != ev["source"] else []),
            *(["hedged"] if ev.get("hedged") else []),
            # a name miRBase knows only as a previous one, or not unambiguously, is worth a curator's look
            *([f"miRBase: {ev['mirna_status']}"] if ev.get("mirna_status") not in (None, "", "current") else [])]
    return f"{where}:{ev['start']} [{', '.join(tags)}] {ev['evidence']}"


def _flat(t: dict) -> dict:
    """One CSV row per triple: evidence sentences joined so a spreadsheet keeps one line per triple.

    ``documents`` and ``pmids`` list every supporting document (from the store), not only those of
    the evidence shown.
    """
    row = {k: t[k] for k in QUERY_COLUMNS if k in t}
    row["documents"] = ";".join(t["documents"])
    row["pmids"] = ";".join(t.get("pmids", []))
    row["evidence"] = " || ".join(e["evidence"] for e in t["evidence"])
    return row
