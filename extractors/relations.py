"""Relation patterns: miRNA × cancer × effect within a sentence (TRIPLES.md §1, §4).

Cues are data (``extractors/data/triggers.jsonl``): processes (proliferation, invasion,
angiogenesis, resistance …), polarity words (promote / inhibit), expression words (upregulated,
lower), marker words (diagnostic, prognosis), outright roles (tumour suppressor, oncogenic),
negation and hedge cues. The engine composes them:

* a process takes its polarity from the nearest polarity cue before it in the same clause
  ("promoted proliferation" → promotes_growth; "inhibited invasion" → suppresses_tumor), or after
  it in a passive ("invasion was inhibited");
* an expression cue counts when it describes the miRNA itself, not a target the miRNA acts on
  ("miR-21 was elevated" yes; "miR-21 reduced PTEN" no);
* effects attach to the miRNAs of their clause (clauses split at "whereas", "while", ";", "but"),
  else to those of the previous clause (a shared subject);
* a miRNA that is removed ("knockdown of miR-21", "miR-21 inhibitor") inverts polarity; a miRNA
  that is only acted on ("sponging miR-21") takes no effect;
* a cue with a negation just before it gives nothing; a hedge anywhere flags the row.

Each decision between competing candidates is a small named policy function below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from extractors import syntax as _syntax
from extractors.cancer import Concept, choose_most_specific

_CUE_KEYS = {"id", "kind"}
_KINDS = {"process", "polarity", "expression", "marker", "role", "assoc", "negation", "hedge", "knockdown",
          "object", "experiment"}

#: Process category × polarity → effect (None: no §4 effect for that direction).
PROCESS_EFFECTS = {
    ("growth", "+"): "promotes_growth",
    ("growth", "-"): "suppresses_tumor",
    ("metastasis", "+"): "promotes_metastasis",
    ("metastasis", "-"): "suppresses_tumor",
    ("angiogenesis", "+"): "promotes_angiogenesis",
    ("angiogenesis", "-"): "suppresses_tumor",
    ("tme", "+"): "modulates_microenvironment",
    ("immunity", "-"): "modulates_microenvironment",
    ("resistance", "+"): "drug_resistance",
    ("resistance", "-"): "drug_sensitivity",
    ("sensitivity", "+"): "drug_sensitivity",
    ("sensitivity", "-"): "drug_resistance",
    ("apoptosis", "+"): "suppresses_tumor",
    ("apoptosis", "-"): "promotes_growth",
}

#: Cue kinds whose effect belongs to a grammatical subject (syntax.effect_targets).
_OWNED_KINDS = {"process", "role", "marker"}
_CLAUSE_BREAKS = {";", "whereas", "while", "whilst", "but", "however", "although", "conversely", "meanwhile"}
_COPULA = {"is", "was", "were", "are", "be", "been", "being", "remained", "became", "appeared", "seemed"}
#: Between a polarity word and a process, these mean the word is about something else.
_BLOCKERS = {"level", "levels", "expression", "amount", "amounts", "concentration", "concentrations", "in",
             "from", "than", "compared", "whereas", "while", "which", "that", "by", "via", "through"}
#: Words a coordinated list of processes is made of.
_LIST_WORDS = {"and", "or", "as", "well", "the", "of", "its", "their", "cell", "cells", "tumor", "tumour",
               "cancer", "both", "also", "further", "subsequent", "subsequently", "thereby"}
#: Verbs that carry a state like a copula: "miR-21 had significant downregulation".
_STATE_VERBS = {"had", "has", "have", "showed", "shows", "show", "exhibited", "displayed", "demonstrated",
                "presented", "revealed", "with", "having", "showing"}
#: Words between a cue and the name it acts on: "inactivation of the tumour suppressor miR-21".
_MODIFIERS = {"of", "the", "a", "an", "tumor", "tumour", "suppressor", "suppressive", "oncogenic", "exosomal",
              "serum", "endogenous", "mature", "competitively", "directly", "to", "with", "-"}
#: Degree words that describe cells ("highly metastatic cells"), not a change the miRNA causes.
_INTENSIFIERS = {"highly", "high", "low", "lowly", "rich"}
#: Words that mark a comparison with controls: without one, "high miR-21 … survival" stratifies.
_COMPARISON = {"than", "compared", "comparison", "versus", "vs", "vs.", "control", "controls", "healthy",
               "normal", "benign", "noncancerous", "non-cancerous", "adjacent", "relative"}
_LEVEL_NOUNS = {"level", "levels", "expression", "abundance", "amount", "amounts", "concentration",
                "concentrations", "content", "copy", "copies"}
_LEVEL_WORDS = _LEVEL_NOUNS | {"among", "expressed", "in", "of", "than"}  # nouns, and the words around them
#: An experimenter's doing, not a finding about the cancer: "exogenous overexpression of miR-21".
_MANIPULATION = {"exogenous", "ectopic", "forced", "enforced", "transient", "stable", "stably", "transfected",
                 "artificial", "lentiviral", "induced"}
#: Words that may follow an expression word that describes a level ("higher in", "elevated, and").
_FOLLOW_OK = {"level", "levels", "expression", "expressed", "abundance", "amount", "amounts", "concentration",
              "concentrations", "in", "than", "among", "compared", "relative", "after", "during", "at", "within",
              "across", "and", "or", "but", "whereas", "while", "when", "both", "only", "versus", "vs", "from",
              "with", "to", "of", "on", "upon", "following", "as", "respectively", "there", "which"}
#: A token that is (part of) a miRNA name; a knockdown word right after it removes that miRNA.
_NAME_TOKEN = re.compile(r"(?i)(?:mir|let-?7)\S*\d|^\d+[a-z]?(?:-[35]p)?$")
_ASSOC_WORDS = {"association", "associations", "associated", "correlation", "correlations", "correlated",
                "relationship", "relation", "link", "linked", "difference", "differences", "effect", "impact"}
#: Nominal expression words that, as the subject of an effect verb, describe an experiment:
#: "Overexpression of miR-21 inhibited invasion" says what the miRNA does, not that it is high.
_EXPERIMENT_NOUNS = {"overexpression", "over-expression", "upregulation", "up-regulation", "downregulation",
                     "down-regulation", "elevation", "restoration", "reintroduction"}
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "this", "these", "those", "both"}
#: What a prediction must be about to make a marker: "predicts survival / lymph node metastasis";
#: "TargetScan predicts regulation of X", "were predicted to inhibit N genes" are target prediction.
_PREDICTED_OUTCOMES = {"survival", "prognosis", "prognoses", "outcome", "outcomes", "recurrence", "relapse",
                       "response", "responses", "responders", "metastasis", "metastases", "metastatic", "lnm",
                       "progression", "mortality", "death", "risk", "os", "dfs", "pfs", "rfs", "stage",
                       "aggressiveness", "resistance", "efficacy", "benefit", "chemosensitivity", "sensitivity"}
#: How many tokens after a "predict" word its outcome may come ("predicted a significantly shorter overall survival").
_PREDICT_REACH = 6
#: "predictor", "predictive" name a marker by themselves ("an independent predictor of …").
_MARKER_PREDICT = {"predictor", "predictors", "predictive"}
#: Nouns that, after "other", move a statement away from the document's cancer: "in other cancer types".
_OTHER_CANCERS = {"cancer", "cancers", "tumor", "tumors", "tumour", "tumours", "malignancies", "malignancy",
                  "carcinomas", "neoplasms"}


class CueError(ValueError):
    pass


@dataclass(frozen=True)
class Cue:
    kind: str
    start: int  # token index in the doc
    end: int
    id: str
    category: str = ""
    polarity: str = ""
    effect: str = ""


@dataclass(frozen=True)
class Relation:
    mirna: str
    cancer: Concept
    effect: str
    hedged: bool
    rule: str
    #: Character offsets in the doc of the miRNA mention, the cancer mention (None when it came
    #: from a heading) and the cue, so the evidence can be annotated.
    mirna_span: tuple[int, int] | None = None
    cancer_span: tuple[int, int] | None = None
    cue_span: tuple[int, int] | None = None


@lru_cache(maxsize=1)
def load_cue_records() -> tuple[dict, ...]:
    """Cue records from ``triggers.jsonl``, each checked for its shape."""
    text = resources.files("extractors.data").joinpath("triggers.jsonl").read_text(encoding="utf-8")
    records = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if "_meta" in rec:
            continue
        missing = _CUE_KEYS - rec.keys()
        if missing or rec["kind"] not in _KINDS or ("pattern" in rec) == ("literal" in rec):
            raise CueError(f"triggers.jsonl:{n}: needs id, a known kind and exactly one of pattern/literal")
        records.append(rec)
    return tuple(records)


def build_cue_matcher(nlp: Language) -> tuple[Matcher, dict[str, dict]]:
    matcher = Matcher(nlp.vocab)
    by_id = {}
    for rec in load_cue_records():
        pattern = rec.get("pattern") or [{"LOWER": tok.lower_} for tok in nlp.make_doc(rec["literal"])]
        matcher.add(rec["id"], [pattern], greedy="LONGEST")
        by_id[rec["id"]] = rec
    return matcher, by_id


def find_cues(doc: Doc, matcher: Matcher, by_id: dict[str, dict]) -> list[Cue]:
    cues = []
    taken: dict[str, set[int]] = {}
    # Longer matches first, so "tube formation" wins over a shorter overlapping cue of its kind.
    # Cues of different kinds may share a token: "elevated" is a polarity before a process
    # ("elevated invasion") and an expression cue elsewhere; the sentence engine decides.
    for match_id, start, end in sorted(matcher(doc), key=lambda m: (m[1] - m[2], m[1])):
        rec = by_id[doc.vocab.strings[match_id]]
        family = "process" if rec["kind"] in {"process", "role", "marker"} else rec["kind"]
        used = taken.setdefault(family, set())
        if any(i in used for i in range(start, end)):
            continue
        cues.append(Cue(rec["kind"], start, end, rec["id"], rec.get("category", ""), rec.get("polarity", ""),
                        rec.get("effect", "")))
        used.update(range(start, end))
    return sorted(cues, key=lambda c: (c.start, c.kind))


def clause_ids(sent: Span) -> list[int]:
    """Clause number of each token of a sentence (splits at "whereas", "while", ";", "but" …)."""
    ids, current = [], 0
    cited = _syntax.citation_tokens(sent)  # "(Li et al., 2005; Wu et al., 2006)" is no clause
    for token in sent:
        if token.lower_ in _CLAUSE_BREAKS and token.i not in cited:
            current += 1
        ids.append(current)
    return ids


# --- policies -------------------------------------------------------------------------------


def polarity_for_process(doc: Doc, cue: Cue, cues: list[Cue], clause_of) -> tuple[str, Cue | None]:
    """Polarity of a process: the nearest polarity/expression cue before it in the same clause,
    reached across a coordinated list of processes ("promoted migration, invasion and
    angiogenesis"); a level noun or a preposition in between means the cue describes something
    else ("elevated amounts in serosa-invasive samples"). Else a passive polarity cue after it
    ("proliferation of the cells was inhibited", a copula between, at most seven tokens on)."""
    by_start = {c.start: c for c in cues if c.kind in {"polarity", "expression", "knockdown"}
                and clause_of(c) == clause_of(cue) and doc[c.start].lower_ not in _INTENSIFIERS
                and not _describes_a_mirna(doc, c)
                and not (c.kind == "knockdown" and c.start > 0 and _NAME_TOKEN.search(doc[c.start - 1].text))}
    process_tokens = {i for c in cues if c.kind == "process" for i in range(c.start, c.end)}
    words = 0
    i = cue.start - 1
    while i >= 0 and words <= 6:
        if i in by_start and by_start[i].end <= cue.start:
            pol = by_start[i]
            return _direction(pol), pol
        token = doc[i]
        if token.lower_ in _BLOCKERS or token.is_sent_start:
            break
        if not (i in process_tokens or token.is_punct or token.lower_ in _LIST_WORDS):
            words += 1
        i -= 1
    after = [c for c in cues if c.start >= cue.end and c.start - cue.end <= 7 and clause_of(c) == clause_of(cue)
             and c.kind in {"polarity", "expression"}]
    if after and any(t.lower_ in _COPULA for t in doc[cue.end:after[0].start]) and not any(
            t.lower_ in _LEVEL_NOUNS or _GENE_SYMBOL.match(t.text) for t in doc[cue.end:after[0].start]):
        # "invasion … was inhibited", but not "cells with invasive capacity, GENE expression was reduced"
        return _direction(after[0]), after[0]
    return "", None


_MODEL_WORDS = {"cell", "cells", "line", "lines", "mice", "mouse", "xenograft", "xenografts", "culture", "cultured",
                "organoids", "spheroids", "vitro"}


def level_set_by_experiment(doc: Doc, cue: Cue, cues: list[Cue], clause_of) -> bool:
    """A level the authors set is not a finding about the cancer (GUIDELINES 29): "cells
    transfected with miR-21 mimics showed increased miR-21", "treatment with cisplatin increased
    miR-21 in lung cancer cells". An experiment cue counts within ten tokens in the same clause,
    not across ", and" (a new statement); a treatment only in a model (cells, mice), not in patients."""
    sent = doc[cue.start].sent
    for exp in cues:
        if exp.kind != "experiment" or clause_of(exp) != clause_of(cue):
            continue
        lo, hi = (exp.end, cue.start) if exp.end <= cue.start else (cue.end, exp.start)
        if hi - lo > 10 and not _experiment_leads_to(doc, sent, exp, cue):
            continue
        if ", and " in " ".join(t.lower_ for t in doc[lo:hi + 1]):
            continue
        if exp.category == "treatment" and not any(t.lower_ in _MODEL_WORDS for t in sent):
            continue
        return True
    return False


_GROUP_WORDS = {"group", "groups", "subgroup", "subgroups", "cohort", "arm", "category"}


def splits_into_groups(doc: Doc, cue: Cue) -> bool:
    """"compared with the low expression group": patients split by level (GUIDELINES 14, 30)."""
    words = [t.lower_ for t in doc[cue.end:min(cue.end + 2, len(doc))]]
    return bool(words) and (words[0] in _GROUP_WORDS or (
        words[0] in _LEVEL_NOUNS and len(words) > 1 and words[1] in _GROUP_WORDS))


_MOLECULE_NOUNS = {"pathway", "pathways", "gene", "genes", "protein", "proteins", "target", "targets", "receptor",
                   "receptors", "oncogene", "oncogenes", "transcripts", "mrna", "mrnas", "signaling", "signalling"}


def regulates_other_molecule(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """"downregulation of the PTEN pathway", "upregulation of its target genes": the nominal names
    another molecule's change, not the miRNA's level."""
    if cue.end >= len(doc) or doc[cue.end].lower_ != "of":
        return False
    starts = {s.start for s in mirna_spans}
    j = cue.end + 1
    while j < len(doc) and j < cue.end + 4 and (doc[j].lower_ in _DETERMINERS or doc[j].lower_ in {"its", "their"}):
        j += 1
    if j >= len(doc) or j in starts:
        return False
    return bool(_GENE_SYMBOL.match(doc[j].text)) or doc[j].lower_ in _MOLECULE_NOUNS


def _experiment_leads_to(doc: Doc, sent: Span, exp: Cue, cue: Cue) -> bool:
    """"Exposure of the cells to X led to … miR-21 was increased": a manipulation that opens the
    sentence and causes what follows sets every level in it (within 25 tokens)."""
    if exp.start - sent.start > 1 or not exp.end <= cue.start or cue.start - exp.end > 25:
        return False
    return any(t.lower_ in {"led", "leads", "resulted", "results", "caused", "causes"} for t in doc[exp.end:cue.start])


def _describes_a_mirna(doc: Doc, cue: Cue) -> bool:
    """"one downregulated miRNA, miR-200a, on tumour growth": a participle before "miRNA" says
    which miRNA, not which way the process goes (a knockdown word before a name still does)."""
    if cue.kind == "knockdown" or cue.end >= len(doc) or not doc[cue.start].lower_.endswith("ed"):
        return False
    return doc[cue.end].lower_ in _PLURAL_MIRNA


def _polarity_candidates(doc: Doc, cues: list[Cue]) -> dict[int, Cue]:
    """Words that can give a process its polarity, by token (for the parse)."""
    out: dict[int, Cue] = {}
    for c in cues:
        if c.kind in {"polarity", "expression", "knockdown"} and doc[c.start].lower_ not in _INTENSIFIERS \
                and not _describes_a_mirna(doc, c) \
                and not (c.kind == "knockdown" and c.start > 0 and _NAME_TOKEN.search(doc[c.start - 1].text)) \
                and not (c.start > 0 and doc[c.start - 1].text in {"-", "–"} and not doc[c.start - 1].whitespace_):
            out.setdefault(c.start, c)  # "MALAT1-mediated", "TGF-β-induced" name a cause, not a polarity
    return out


def _direction(cue: Cue) -> str:
    if cue.kind == "polarity":
        return cue.polarity
    if cue.kind == "knockdown":
        return "-"  # "inhibition of invasion"
    return "+" if cue.effect == "upregulated" else "-"


def expression_describes_mirna(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """An expression cue counts when it is about the miRNA's own level, not a target it acts on."""
    nxt = doc[cue.end] if cue.end < len(doc) else None
    word = doc[cue.start].lower_
    if cue.start > 0 and doc[cue.start - 1].lower_ in _MANIPULATION:
        return False
    if word in _EXPERIMENT_NOUNS and (_subject_of_effect_verb(doc, cue, mirna_spans)
                                      or _experiment_setting(doc, cue, mirna_spans)):
        return False
    if nxt is not None and nxt.lower_ == "by":
        return False  # "PTEN was reduced by miR-21": the miRNA is the agent
    if word in _EXPERIMENT_NOUNS | {"expression", "overexpression"} and cue.start > 0 \
            and _GENE_SYMBOL.match(doc[cue.start - 1].text) \
            and not any(s.start <= cue.start - 1 < s.end for s in mirna_spans + list(doc.spans.get("cancer", []))):
        return False  # "induced by HOXA9 overexpression": the word is the gene's level
    if compares_subgroups(doc, cue):
        return False
    if cue.start > 1 and doc[cue.start - 1].text == "-" and not doc[cue.start - 1].whitespace_ \
            and not doc[cue.start - 2].whitespace_ and not any(
                s.start <= cue.start - 2 < s.end for s in doc.spans.get("cancer", [])):
        return False  # "brain-enriched miRNAs": where a miRNA is normally found, not a finding in cancer
    if splits_into_groups(doc, cue):
        return False
    if regulates_other_molecule(doc, cue, mirna_spans):
        return False
    sent = doc[cue.start].sent
    cited = _syntax.citation_tokens(sent)  # "[19]", "(Li et al., 2019)" add no distance
    near = [s for s in mirna_spans if _plain_gap(s, cue, cited) <= 12]
    if not near:
        return False
    if stratifies(sent, cue, mirna_spans):
        return False
    if word in {"high", "low", "highly", "rich"}:
        return nxt is not None and (nxt.lower_ in _LEVEL_WORDS or nxt.lower_ in {"enriched", "abundant"}
                                    or any(s.start == cue.end for s in mirna_spans))
    if nxt is not None and any(s.start == cue.end or s.start == cue.end + 1 for s in mirna_spans):
        return True  # "elevated miR-21", "overexpression of miR-21"
    if lists_what_rose(doc, cue, mirna_spans):
        return True  # "the miRNAs that were increased most include miR-21 and miR-155"
    if _names_follow(doc, cue.end, mirna_spans):
        return True  # "glioma-upregulated miRNAs (miR-21 and miR-23a)"
    if nxt is not None and nxt.is_alpha and nxt.lower_ not in _FOLLOW_OK and not nxt.lower_.endswith("ly") \
            and not any(0 <= s.start - cue.end <= 3 for s in mirna_spans):
        return False  # the word modifies another noun: "elevated risk", "higher sensitivity"
    if nxt is not None and (nxt.lower_ in _DETERMINERS or (nxt.text[:1].isupper() and nxt.text.isalnum()
                                                            and not any(s.start == nxt.i for s in mirna_spans))):
        return False  # transitive: "miR-21 reduced the expression of PTEN", "downregulated PTEN"
    before = [s for s in mirna_spans if s.end <= cue.start]
    if before:
        between = [t for t in doc[before[-1].end:cue.start] if t.i not in cited]
        return len(between) <= 12 and (any(t.lower_ in _COPULA | _LEVEL_NOUNS | _STATE_VERBS for t in between)
                                       or all(t.is_punct or t.lower_.endswith("ly") for t in between))
    return any(t.lower_ in _LEVEL_WORDS for t in doc[cue.end:cue.end + 3])


_NAME_LEAD = {"mirnas", "micrornas", "mirs", "(", "two", "three", "four", "five", "several", "these", ",", ":", "such",
              "as", "including", "like", "namely", "e.g.", "i.e."}


def _names_follow(doc: Doc, i: int, mirna_spans: list[Span]) -> bool:
    """miRNA names after a lead-in such as "miRNAs (" within four tokens."""
    starts = {s.start for s in mirna_spans}
    for j in range(i, min(i + 4, len(doc))):
        if j in starts:
            return j > i
        if doc[j].lower_ not in _NAME_LEAD and not doc[j].like_num:
            return False
    return False


_GENE_SYMBOL = re.compile(r"^(?=[A-Z0-9-]*[A-Z][A-Z0-9-]*[A-Z0-9]$)[A-Z][A-Z0-9-]{1,9}$")
_CONTROL_WORDS = {"normal", "healthy", "control", "controls", "adjacent", "benign", "noncancerous", "non-cancerous",
                  "non-tumor", "non-tumour", "nontumor", "nontumour", "paired", "para-carcinoma", "paracancerous",
                  "volunteers", "donors", "non-malignant", "nonmalignant"}
#: §4: higher in more advanced / metastatic / resistant disease IS an up/down finding.
_PROGRESSION_WORDS = re.compile(r"(?i)^(metasta\w*|advanced|late|resistant|chemoresistant|refractory|recurren\w*|"
                                r"relaps\w*|invasive|aggressive|high-grade|stage|stages|grade|poor\w*|progress\w*)$")


def compares_subgroups(doc: Doc, cue: Cue) -> bool:
    """"higher in HPV-positive than in HPV-negative cervical cancer": two groups of one cancer,
    not the cancer against controls and not more against less advanced disease (§4), so no
    up/down row (GUIDELINES 30)."""
    sent = doc[cue.start].sent
    after = doc[cue.end:sent.end]
    pivot = next((t.i for t in after if t.lower_ in {"than", "versus", "vs", "vs."}
                  or (t.lower_ == "compared" and t.i + 1 < sent.end and doc[t.i + 1].lower_ in {"with", "to"})), None)
    if pivot is None:
        return False
    other = doc[pivot + 1:sent.end]
    cut = next((t.i for t in other if t.text in {",", ";", "."} or t.lower_ in {"and", "which", "whereas"}), sent.end)
    other = doc[pivot + 1:cut]
    if any(t.lower_ in _CONTROL_WORDS for t in other) or any(_PROGRESSION_WORDS.match(t.text) for t in sent):
        return False
    cancers = [s for s in doc.spans.get("cancer", []) if other.start <= s.start < other.end]
    return bool(cancers) or any(t.lower_ in {"subtype", "subtypes", "subgroup", "subgroups"} for t in other)


_EFFECT_VERB = re.compile(r"^(promot|enhanc|induc|facilitat|accelerat|stimulat|inhibit|suppress|reduc|decreas|"
                          r"attenuat|block|impair|abrogat|prevent|repress|diminish|restor|increas|augment|"
                          r"sensiti|confer|reversed|led|result)")


def _subject_of_effect_verb(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """"Overexpression of miR-21 (significantly) inhibited …": the nominal is the subject of a verb."""
    after = [s for s in mirna_spans if s.start in (cue.end + 1, cue.end + 2) and doc[cue.end].lower_ == "of"]
    if not after:
        return False
    window = doc[after[0].end:after[0].end + 3]
    if any(_EFFECT_VERB.match(t.lower_) for t in window):
        return True
    # "Overexpression of miR-21 in A549 and H1299 cells significantly increased …": a setting first
    end = min(after[0].end + 10, doc[cue.start].sent.end)
    if after[0].end < end and doc[after[0].end].lower_ == "in":
        for t in doc[after[0].end + 1:end]:
            if t.is_punct or t.lower_ in _COPULA or t.lower_ in {"which", "that", "than"}:
                return False
            if _EFFECT_VERB.match(t.lower_) and t.i > after[0].end + 2:
                return True
    return False


_AFTER_WORDS = {"after", "following", "upon", "by", "with"}
_EFFECT_NOUNS = {"effect", "effects", "impact", "influence", "consequence", "consequences"}


def _experiment_setting(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """The nominal names what the authors did: "after overexpression of miR-21", "the effect of
    miR-21 overexpression on …", "induced by miR-21 overexpression", "miR-21 overexpression,
    which reduces PTEN, led to …"."""
    named_before = [s for s in mirna_spans if s.end == cue.start]
    first = named_before[0].start if named_before else cue.start
    prev = doc[first - 1].lower_ if first > 0 else ""
    if prev == "by":
        return first > 1 and doc[first - 2].lower_.endswith("ed") and _EFFECT_VERB.match(doc[first - 2].lower_)
    if prev in _AFTER_WORDS:
        return True
    if prev == "of" and first > 1 and doc[first - 2].lower_ in _EFFECT_NOUNS:
        return True
    if named_before and cue.end < len(doc) and doc[cue.end].text == ",":
        # "miR-21 overexpression, which reduces PTEN, led to …": a relative clause, then the verb
        close = next((t.i for t in doc[cue.end + 1:min(cue.end + 12, len(doc))] if t.text == ","), None)
        if close is not None and doc[cue.end + 1].lower_ in {"which", "that"}:
            return any(_EFFECT_VERB.match(t.lower_) for t in doc[close + 1:close + 3])
    return False


def stratifies(sent: Span, cue: Cue, mirna_spans: list[Span]) -> bool:
    """"High miR-21 was associated with poor survival": patients split by level, not a comparison
    with controls, so no up/down row (GUIDELINES decision 14)."""
    attributive = any(s.start >= cue.end and s.start - cue.end <= 4 for s in mirna_spans)
    if not attributive:
        return False
    words = {t.lower_ for t in sent}
    outcome = words & {"survival", "prognosis", "os", "dfs", "pfs", "recurrence", "relapse", "outcome", "risk",
                       "associated", "association", "associations", "correlated", "correlation", "predicted"}
    return bool(outcome) and not (words & _COMPARISON)


def _plain_gap(span: Span, cue: Cue, skip: set[int]) -> int:
    """Tokens between a name and a cue, leaving out ``skip`` (citation brackets)."""
    lo, hi = (span.end, cue.start) if span.end <= cue.start else (cue.end, span.start)
    return sum(1 for i in range(lo, hi) if i not in skip)


def subject_far_before(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """The expression word reads as a predicate ("… upregulated in X") after a name at the start of
    its clause more than twelve tokens back, with no other name in between: the case the word
    rules leave to the parse."""
    nxt = doc[cue.end] if cue.end < len(doc) else None
    if nxt is None or nxt.lower_ not in {"in", "among", "across", "than", "compared"}:
        return False
    if cue.start > 0 and doc[cue.start - 1].lower_ in _MANIPULATION:
        return False
    before = [s for s in mirna_spans if s.end <= cue.start]
    return bool(before) and len(before) == len(mirna_spans) and cue.start - before[-1].end > 12 \
        and any(t.lower_ in _COPULA for t in doc[before[-1].end:cue.start])


_CULTURE_WORDS = {"cell", "cells", "cellular", "line", "lines", "phenotype", "phenotypes", "vitro", "culture",
                  "cultured", "spheroid", "spheroids", "outgrowth", "clonogenic", "colony", "colonies"}


def about_cultured_cells(doc: Doc, cue: Cue) -> bool:
    """"correlated with cell line proliferation", "related to melanoma cell migration": a property
    of cells in culture, not of patients' disease, so an association with it is no prognosis."""
    window = doc[max(cue.start - 3, doc[cue.start].sent.start):cue.end + 5]
    named = {i for s in doc.spans.get("cancer", []) for i in range(s.start, s.end)}  # "renal cell carcinoma"
    return any(t.lower_ in _CULTURE_WORDS for t in window if t.i not in range(cue.start, cue.end) and t.i not in named)


#: Nouns whose association is their own: "GO terms associated with EMT", "genes linked to invasion".
_ASSOCIATED_OTHERS = {"annotations", "annotation", "terms", "term", "genes", "gene", "pathways", "categories",
                      "processes", "functions", "targets", "transcripts", "proteins", "features"}


def association_of_other(doc: Doc, assoc: Cue) -> bool:
    return assoc.start > 0 and doc[assoc.start - 1].lower_ in _ASSOCIATED_OTHERS


def is_cell_survival(doc: Doc, cue: Cue) -> bool:
    """"outgrowth survival", "clonogenic survival", "survival of the transfected cells": the cells'
    survival (TRIPLES.md §4: growth), not patients'."""
    if cue.kind != "marker" or doc[cue.start].lower_ != "survival":
        return False
    if cue.start > 0 and doc[cue.start - 1].lower_ in _CULTURE_WORDS:
        return True
    after = [t.lower_ for t in doc[cue.end:min(cue.end + 5, doc[cue.start].sent.end)]]
    return bool(after) and after[0] == "of" and any(w in {"cell", "cells", "lines", "spheroids"} for w in after)


#: "detection zone", "miRNA screening": a method of the study, not a diagnosis of the cancer.
_METHOD_AFTER = {"zone", "zones", "limit", "limits", "system", "systems", "assay", "assays", "kit", "kits", "method",
                 "methods", "reagent", "reagents", "probe", "probes", "platform", "platforms", "threshold",
                 "antibody", "antibodies", "software", "step", "channel", "window", "range"}
_SCREENED_THINGS = {"mirs", "mirna", "mirnas", "microrna", "micrornas", "sirna", "sirnas", "shrna", "shrnas",
                    "crispr", "library", "genetic", "functional", "high-throughput", "genome-wide", "compound",
                    "drug", "mimic", "mimics", "inhibitor", "target", "targets"}


def is_method_word(doc: Doc, cue: Cue) -> bool:
    word = doc[cue.start].lower_
    if word not in {"detection", "detect", "detecting", "screening", "screen"}:
        return False
    nxt = doc[cue.end].lower_ if cue.end < len(doc) else ""
    prev = doc[cue.start - 1].lower_ if cue.start > 0 else ""
    return nxt in _METHOD_AFTER or prev in _SCREENED_THINGS


_PLAN = re.compile(r"(?i)^\W*(?:\w+\W+){0,3}?(?:experiments|studies|trials|investigations|work|analyses)\b.*\b"
                   r"(?:are|is)\s+(?:already\s+|currently\s+|now\s+|still\s+)?(?:ongoing|under\s?way|in progress|"
                   r"planned|being\s+(?:conducted|performed|carried out))\b")


def reports_planned_work(sent: Span) -> bool:
    """"Experiments showing that miR-X improves outcome … are ongoing": work in progress, whose
    content is not yet a finding."""
    return bool(_PLAN.search(sent.text))


#: Words between "as" and a role: "GENE as a (novel, putative) tumour suppressor".
_ROLE_LEAD = {"a", "an", "the", "novel", "putative", "potential", "new", "key", "critical", "bona", "fide", "major",
              "important", "candidate", "classic", "classical", "well-known", "true"}


def role_of_named_other(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """"the role of ZNF281 as a tumour suppressor", "the pro-invasive effect of ZNF281 knockdown":
    the role is the named gene's, not the miRNA's (unless the miRNA "mediates" that effect)."""
    k = cue.end
    if k + 1 < len(doc) and doc[k].lower_ in _EFFECT_NOUNS and doc[k + 1].lower_ == "of":
        j = k + 2 + (k + 2 < len(doc) and doc[k + 2].lower_ in _DETERMINERS)
        if j < len(doc) and _GENE_SYMBOL.match(doc[j].text) and not any(
                s.start <= j < s.end for s in mirna_spans) and not any(
                t.lower_.startswith("mediat") for t in doc[max(cue.start - 3, 0):cue.start]):
            return True
    i = cue.start - 1
    while i >= 0 and doc[i].lower_ in _ROLE_LEAD:
        i -= 1
    if i < 1 or doc[i].lower_ != "as":
        return False
    j = i - 1
    if doc[j].text == ")":  # "ZNF281 (zinc finger 281) as a …"
        while j > 0 and doc[j].text != "(":
            j -= 1
        j -= 1
    named = doc[j]
    in_name = any(s.start <= j < s.end for s in mirna_spans + list(doc.spans.get("cancer", [])))
    return not in_name and bool(_GENE_SYMBOL.match(named.text))


_PLURAL_MIRNA = {"mirnas", "micrornas", "mirs", "mirna", "microrna"}
_LIST_VERBS = {"include", "included", "includes", "including", "were", "are", "was", "is", "comprised", ":"}


def lists_what_rose(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> bool:
    """"The miRNAs that were increased (the) most include miR-A and miR-B": a relative clause on
    "miRNAs" whose list of names follows a verb such as "include"."""
    i = cue.start - 1
    while i >= 0 and (doc[i].lower_ in _COPULA or doc[i].lower_.endswith("ly") or doc[i].lower_ == "most"):
        i -= 1
    if i < 1 or doc[i].lower_ not in {"that", "which"} or doc[i - 1].lower_ not in _PLURAL_MIRNA:
        return False
    j = cue.end
    while j < len(doc) and j < cue.end + 6 and (doc[j].lower_ in {"most", "the", "significantly", "in", "strongly"}
                                                   or doc[j].lower_.endswith("ly")):
        j += 1
    if j >= len(doc) or doc[j].lower_ not in _LIST_VERBS:
        return False
    starts = {s.start for s in mirna_spans}
    return any(k in starts for k in range(j + 1, min(j + 6, len(doc))))


def _gap(span: Span, cue: Cue) -> int:
    if span.end <= cue.start:
        return cue.start - span.end
    if cue.end <= span.start:
        return span.start - cue.end
    return 0


def adjacent_mirnas(cue: Cue, mirna_spans: list[Span]) -> list[Span]:
    """An expression word right beside a name is about that name only ("miR-181b downregulation",
    "elevated miR-21"), not about every miRNA of the clause."""
    return [s for s in mirna_spans if s.end == cue.start or cue.end == s.start]


_LIST_GLUE = {",", "and", "or", "/", "(", ")", "&", "as", "well", "also", "including", "i.e.", "e.g.", "such",
              "mirnas", "micrornas", "both", "the", "of", "namely", ";", ":", "but", "cluster", "clusters",
              "polycistron", "family", "members"}


def coordinated_group(doc: Doc, anchor: Span, mirna_spans: list[Span]) -> list[Span]:
    """The anchor and the names listed with it ("miR-1, miR-2 and miR-3"), nothing farther."""
    spans = sorted(mirna_spans, key=lambda s: s.start)
    i = spans.index(anchor)
    lo = hi = i
    while lo > 0 and all(t.lower_ in _LIST_GLUE for t in doc[spans[lo - 1].end:spans[lo].start]):
        lo -= 1
    while hi + 1 < len(spans) and all(t.lower_ in _LIST_GLUE for t in doc[spans[hi].end:spans[hi + 1].start]):
        hi += 1
    return spans[lo:hi + 1]


def expression_targets(doc: Doc, cue: Cue, mirna_spans: list[Span]) -> list[Span]:
    """Names an expression word is about: the adjacent name, else the list nearest to it."""
    adjacent = adjacent_mirnas(cue, mirna_spans)
    if adjacent:
        # "High miR-21 and miR-155 amounts": a word before a name covers the list it opens
        after = [s for s in adjacent if s.start == cue.end]
        return coordinated_group(doc, after[0], mirna_spans) if after else adjacent
    if not mirna_spans:
        return []
    nearest = min(mirna_spans, key=lambda s: (abs(_gap(s, cue)), s.start > cue.start))
    return coordinated_group(doc, nearest, mirna_spans)


_CELL_NOUNS = {"cell", "cells", "line", "lines", "tumor", "tumors", "tumour", "tumours", "patients", "clones",
               "subclones", "variants", "phenotype", "counterparts", "sublines"}


def describes_cells(doc: Doc, cue: Cue) -> bool:
    """"sensitive cells", "metastatic tumours", "resistant lines": an adjective that names a kind of
    cell, not a process the miRNA drives."""
    word = doc[cue.start].lower_
    if cue.end - cue.start != 1 or not word.endswith(("ive", "ant", "ic", "ent")):
        return False
    nxt = doc[cue.end] if cue.end < len(doc) else None
    return nxt is not None and nxt.lower_ in _CELL_NOUNS


def nearest_per_name(spans: list[Span], cue: Cue) -> list[Span]:
    """When a clause names the same miRNA twice ("miR-10b was high …, and miR-10b inhibition
    reduced invasion"), the cue speaks of the mention nearest to it."""
    best: dict[tuple, Span] = {}
    for span in spans:
        key = span._.mirnas
        if key not in best or abs(_gap(span, cue)) < abs(_gap(best[key], cue)):
            best[key] = span
    return [s for s in spans if best.get(s._.mirnas) is s]


def is_test_sensitivity(doc: Doc, cue: Cue, diagnostic_context: bool) -> bool:
    """Plain "sensitivity" of a test, not of cells to a drug: no "to …" follows it."""
    word = doc[cue.start].lower_
    if word not in {"sensitivity", "sensitivities", "sensitive"}:
        return False  # chemosensitivity, radiosensitivity: always about therapy
    # a test's sensitivity comes with a diagnostic word, a specificity or a percentage;
    # otherwise "restored sorafenib sensitivity" is about a therapy
    sent = doc[cue.start].sent
    return diagnostic_context or any(t.text == "%" or t.lower_ == "percent" for t in sent)


def about_endothelium(doc: Doc, cue: Cue, process_tokens: frozenset[int] = frozenset()) -> bool:
    """Endothelial proliferation or migration is angiogenesis (TRIPLES.md §4), also further down a
    list of processes ("HUVEC proliferation, migration, invasion and tube formation")."""
    first = cue.start
    while first > 0 and (first - 1 in process_tokens or doc[first - 1].text in {",", "and", "or", "/"}):
        first -= 1
    window = doc[max(min(first, cue.start) - 3, 0):cue.end + 4]
    return any(t.lower_.startswith(("huvec", "endothelial", "huvecs")) for t in window)


def predicts_no_outcome(doc: Doc, sent: Span, cue: Cue) -> bool:
    """A "predict" word with no clinical outcome right after it is target or model prediction
    ("predicted to regulate 300 genes", "as predicted, …", "target prediction"), not a prognostic
    marker; "predicted poor overall survival", "the prediction of LNM" are."""
    word = doc[cue.start].lower_
    if not word.startswith("predict") or word in _MARKER_PREDICT:
        return False
    after = {t.lower_ for t in doc[cue.end:min(cue.end + _PREDICT_REACH, sent.end)]}
    return not (after & _PREDICTED_OUTCOMES)


def about_other_cancers(sent: Span) -> bool:
    """"In other cancer types, miR-X acts as …": the statement is not about the document's cancer."""
    words = [t.lower_ for t in sent]
    return any(w == "other" and set(words[i + 1:i + 3]) & _OTHER_CANCERS for i, w in enumerate(words))


def set_in_benign(cue: Cue, benign: list[Span], cancers: list[Span], clause_of, clause_of_token) -> bool:
    """"… reported to be upregulated in thyroid adenoma": a benign neoplasm (TRIPLES.md §1: not a
    cancer) in the cue's clause, and no cancer there, is the setting of the cue."""
    clause = clause_of(cue)
    return any(clause_of_token(b.start) == clause for b in benign) and not any(
        clause_of_token(c.start) == clause for c in cancers)


_NUMBER = re.compile(r"^[-\u2212\u2013]?\d+(?:\.\d+)?$")
_FOLD_WORDS = {"fold", "fc", "logfc", "log2fc", "log2-fold", "log2fold"}


def fold_change_directions(doc: Doc, sent: Span, mirna_spans: list[Span]) -> dict[int, tuple[str, Span]]:
    """"miR-A, miR-B and miR-C (log2 fold change 1.7, 1.3 and −1.1, respectively)": each name's
    direction is the sign of its own figure (on a log scale; a plain ratio below 1 is a fall).
    Names map (by token index) to (effect, the figure); empty when the sentence does not read so."""
    spans = sorted(mirna_spans, key=lambda s: s.start)
    resp = [t.i for t in sent if t.lower_ == "respectively"]
    if not spans or not resp or resp[-1] < spans[-1].end:
        return {}
    between = doc[spans[-1].end:resp[-1]]
    words = {t.lower_ for t in between}
    if not (words & _FOLD_WORDS):
        return {}
    log_scale = any(w.startswith("log") for w in words)
    figures = []
    for t in between:
        text = t.text
        if t.i > between.start and doc[t.i - 1].text in {"\u2212", "-"} and doc[t.i - 1].whitespace_ == "":
            text = "-" + text
        if _NUMBER.match(text):
            figures.append((float(text.replace("\u2212", "-").replace("\u2013", "-")), t))
    if len(figures) != len(spans):
        return {}
    out = {}
    for span, (value, token) in zip(spans, figures, strict=True):
        up = value > 0 if log_scale else value > 1
        down = value < 0 if log_scale else value < 1
        if up or down:
            out[span.start] = ("upregulated" if up else "downregulated", doc[token.i:token.i + 1])
    return out


def is_negated(doc: Doc, cue: Cue, negations: list[Cue], clause_of) -> bool:
    """A negation cue at most four tokens before the cue, in the same clause ("not only" is not one),
    or one that negates an association the cue belongs to ("no association between miR-21 levels
    and prognosis")."""
    for n in negations:
        if clause_of(n) != clause_of(cue) or (n.end < len(doc) and doc[n.end].lower_ == "only"):
            continue
        if 0 <= cue.start - n.end <= 4:
            return True
        if n.end <= cue.start and cue.start - n.end <= 12 and any(
                t.lower_ in _ASSOC_WORDS for t in doc[n.end:min(n.end + 3, cue.start)]):
            return True
    return False


def mirna_is_removed(doc: Doc, span: Span, knockdowns: list[Cue], _listed: bool = True) -> bool:
    """"knockdown of miR-21", "miR-21 inhibitor", "anti-miR-21": the statement is about its absence;
    so is every name listed with it ("knockdown of miR-21 and miR-155", "inhibition of two
    miRNAs (miR-21 and miR-23a)")."""
    if span.start > 0 and doc[span.start - 1].lower_ in {"anti", "anti-"}:
        return True
    if span.text.lower().startswith("anti"):
        return True
    for k in knockdowns:
        between = doc[k.end:span.start]
        if k.end <= span.start and (len(between) <= 2 or (len(between) <= 5 and all(
                t.lower_ in _MODIFIERS for t in between))):
            return True  # "inactivation of the tumour suppressor miR-21"
        if k.end <= span.start and 2 < len(between) <= 7 and between[-1].text in {"(", ":"} and any(
                t.lower_ in _PLURAL_MIRNA for t in between) and not any(t.is_punct and t.text not in {"(", ":", "-"}
                                                                     for t in between):
            return True  # "inhibition of two glioma-upregulated miRNAs (miR-21 …"
        if k.start >= span.end and k.start - span.end <= 1:
            return True
    if _listed:
        spans = [s for s in doc.spans.get("mirna", []) if s.sent.start == span.sent.start]
        same = next((s for s in spans if (s.start, s.end) == (span.start, span.end)), None)
        if same is not None:
            group = coordinated_group(doc, same, spans)
            if group[0].start != span.start:
                return mirna_is_removed(doc, group[0], knockdowns, _listed=False)
            after = [k for k in knockdowns if k.start >= group[-1].end and k.start - group[-1].end <= 1]
            return bool(after) and len(group) > 1  # "miR-21 and miR-155 knockdown"
    return False


_LOWERED = {"downregulated", "down-regulated", "reduced", "decreased", "low", "lower", "lost", "silenced",
            "deficient", "diminished", "underexpressed", "under-expressed"}


def lowered_attributively(doc: Doc, span: Span, sent: Span) -> bool:
    """"Downregulated miR-200a in meningiomas promotes tumour growth": the subject is the miRNA's
    loss, so the effect is the opposite of the miRNA's own (like "miR-200a downregulation")."""
    i = span.start - 1
    if i < sent.start or doc[i].lower_ not in _LOWERED:
        return False
    return i == sent.start or doc[i - 1].lower_ in {"the", "a", "an", ",", ":", "that"}


def mirna_is_object(doc: Doc, span: Span, objects: list[Cue]) -> bool:
    """"circX sponges miR-21", "targeting miR-21": the miRNA is acted on, not acting."""
    return any(o.end <= span.start and (span.start - o.end <= 2 or all(
        t.lower_ in _MODIFIERS for t in doc[o.end:span.start])) for o in objects)


def nearest_mention(concept: Concept, cancers: list[Span], span: Span) -> tuple[int, int] | None:
    """Character offsets of the mention of ``concept`` nearest the miRNA, None when no span names it."""
    named = [c for c in cancers if c._.cancer == concept]
    if not named:
        return None
    best = min(named, key=lambda c: abs(c.start - span.start))
    return best.start_char, best.end_char


def cancers_for_mirna(span: Span, cancers: list[Span], clause_of_token) -> list[Concept]:
    """Cancers of the miRNA's clause, else the nearest in the sentence."""
    if not cancers:
        return []
    concepts = choose_most_specific([c._.cancer for c in cancers])
    if len(concepts) <= 1:
        return concepts
    same = [c for c in cancers if clause_of_token(c.start) == clause_of_token(span.start)]
    if same:
        return choose_most_specific([c._.cancer for c in same])
    nearest = min(cancers, key=lambda c: abs(c.start - span.start))
    return [nearest._.cancer]


#: Separators between listed names, strongest first: where a "respectively" list splits into groups.
_GROUP_BREAKS = (("but", "also"), ("as", "well", "as"), (";",), ("whereas",), ("and",), ("or",), (",",))


def respectively_pairs(doc: Doc, sent: Span, mirna_spans: list[Span], cancer_spans: list[Span]
                       ) -> dict[int, Concept] | None:
    """"A, B, but also C were lower in X and Y patients, respectively": names pair with cancers in
    order. The names are split into as many groups as the sentence names cancer types, at the
    strongest separators between them; None when the sentence does not read that way."""
    if not any(t.lower_ == "respectively" for t in sent):
        return None
    concepts = list(dict.fromkeys(c._.cancer for c in sorted(cancer_spans, key=lambda c: c.start)))
    spans = sorted(mirna_spans, key=lambda s: s.start)
    if len(concepts) < 2 or len(spans) < len(concepts):
        return None
    gaps = []  # (strength, index of the name a new group starts at)
    for i in range(1, len(spans)):
        words = tuple(t.lower_ for t in doc[spans[i - 1].end:spans[i].start])
        for rank, sep in enumerate(_GROUP_BREAKS):
            if any(words[j:j + len(sep)] == sep for j in range(len(words))):
                gaps.append((rank, i))
                break
        else:
            return None  # something other than a separator between two names: not one list
    cuts = sorted(i for _, i in sorted(gaps)[:len(concepts) - 1])
    bounds = [0, *cuts, len(spans)]
    return {span.start: concepts[g] for g in range(len(concepts)) for span in spans[bounds[g]:bounds[g + 1]]}


# --- the sentence engine ---------------------------------------------------------------------


def relate_sentence(doc: Doc, sent: Span, cues: list[Cue], heading_cancers: list[Concept],
                    mirna_spans: list[Span] | None = None, cancer_spans: list[Span] | None = None,
                    syntax=None) -> list[Relation]:
    """Relations stated by one sentence. Spans default to those of ``doc`` inside the sentence.
    ``syntax`` (an ``extractors.syntax.Parser``) settles whose effect and which polarity."""
    if mirna_spans is None:
        mirna_spans = [s for s in doc.spans.get("mirna", []) if s.start >= sent.start and s.end <= sent.end]
    if not mirna_spans:
        return []
    if cancer_spans is None:
        cancer_spans = [s for s in doc.spans.get("cancer", []) if s.start >= sent.start and s.end <= sent.end]
    if not cancer_spans and about_other_cancers(sent):
        heading_cancers = []
    if not cancer_spans and not heading_cancers:
        return []
    benign = [s for s in doc.spans.get("benign", []) if s.start >= sent.start and s.end <= sent.end]
    cids = clause_ids(sent)

    def clause_of_token(i: int) -> int:
        return cids[min(max(i - sent.start, 0), len(cids) - 1)]

    def clause_of(cue: Cue) -> int:
        return clause_of_token(cue.start)

    cues = [c for c in cues if c.start >= sent.start and c.end <= sent.end]
    # Cues inside a miRNA or cancer name ("tumour" in a cancer name) are not cues.
    occupied = {i for s in mirna_spans + cancer_spans for i in range(s.start, s.end)}
    cues = [c for c in cues if not any(i in occupied for i in range(c.start, c.end))]
    if reports_planned_work(sent):
        return []
    cues = [Cue("process", c.start, c.end, "cell-survival", "growth") if is_cell_survival(doc, c) else c
            for c in cues]
    negations = [c for c in cues if c.kind == "negation"]
    knockdowns = [c for c in cues if c.kind == "knockdown"]
    objects = [c for c in cues if c.kind == "object"]
    hedged = any(c.kind == "hedge" for c in cues)
    has_specificity = any(t.lower_ == "specificity" for t in sent)
    has_prognostic = any(c.effect == "prognostic_marker" and not predicts_no_outcome(doc, sent, c) for c in cues)
    has_diagnostic = any(c.effect == "diagnostic_marker" for c in cues)
    has_metastasis = any(c.category in {"metastasis", "clinical"} for c in cues)
    # parse only a sentence whose cues carry an effect that someone has to own
    parse = syntax(sent, mirna_spans) if syntax is not None and any(
        c.kind in _OWNED_KINDS for c in cues) else None
    governing = _polarity_candidates(doc, cues) if parse is not None else {}

    # (effect, cue, direction-sensitive) for every cue that yields an effect
    found: list[tuple[str, Cue, bool, str]] = []
    consumed: set[Cue] = set()
    process_at = frozenset(i for c in cues if c.kind == "process" for i in range(c.start, c.end))
    for cue in cues:
        if cue.kind != "process" or describes_cells(doc, cue):
            continue
        if cue.category == "sensitivity" and is_test_sensitivity(doc, cue, has_specificity or has_diagnostic):
            found.append(("diagnostic_marker", cue, False, "marker:test-sensitivity"))
            continue
        if cue.category in {"growth", "metastasis"} and about_endothelium(doc, cue, process_at):
            cue = Cue(cue.kind, cue.start, cue.end, cue.id, "angiogenesis")
        assoc = [a for a in cues if a.kind == "assoc" and 0 <= cue.start - a.end <= 8
                 and clause_of(a) == clause_of(cue)]
        if assoc and cue.category in {"metastasis", "growth", "clinical"}:
            if not about_cultured_cells(doc, cue) and not association_of_other(doc, assoc[-1]):
                found.append(("prognostic_marker", cue, False, f"assoc:{cue.id}"))
            continue
        if assoc and cue.category == "resistance":
            found.append(("drug_resistance", cue, False, f"assoc:{cue.id}"))
            continue
        direction, pol = polarity_for_process(doc, cue, cues, clause_of)
        if parse is not None:
            by_tree, decided = parse.governing_polarity(cue.start, cue.end, governing,
                                                          pol.start if pol is not None else None)
            if decided:
                direction, pol = (_direction(by_tree), by_tree) if by_tree is not None else ("", None)
        if not direction and cue.polarity:
            direction = cue.polarity  # a verb that carries its polarity: "sensitized cells to X"
        if not direction:
            continue
        if pol is not None:
            # the word is used up as this process's polarity, in every reading of it
            consumed.update(c for c in cues if c.start == pol.start)
        found.append((cue.category, cue, True, f"process:{cue.id}:{pol.id if pol else ''}{direction}"))
    for cue in cues:
        if cue in consumed:
            continue
        if cue.kind == "role":
            effect = cue.effect
            if role_of_named_other(doc, cue, mirna_spans):
                continue
            if parse is not None:
                if _syntax.role_describes_other(parse, cue.start, cue.end, mirna_spans):
                    continue
                if _syntax.role_under_polarity(parse, cue.start, cue.end, governing, _direction,
                                               mirna_spans) == "-":
                    effect = _syntax.invert_role(effect)
                    if not effect:
                        continue
            found.append((effect, cue, False, f"role:{cue.id}"))
        elif cue.kind == "marker":
            effect = cue.effect
            if effect == "prognostic_marker" and predicts_no_outcome(doc, sent, cue):
                continue
            if effect == "diagnostic_marker" and is_method_word(doc, cue):
                continue
            if effect == "biomarker":
                if has_prognostic:
                    continue
                # a marker "for characterising metastasis / stage" is prognostic (GUIDELINES 20)
                effect = "prognostic_marker" if has_metastasis and not has_diagnostic else "diagnostic_marker"
            found.append((effect, cue, False, f"marker:{cue.id}"))
        elif cue.kind == "expression" and not level_set_by_experiment(doc, cue, cues, clause_of):
            if expression_describes_mirna(doc, cue, mirna_spans):
                found.append((cue.effect, cue, False, f"expression:{cue.id}"))
            elif syntax is not None and subject_far_before(doc, cue, mirna_spans):
                # "miR-21 is one of the most studied miRNAs in X and has been shown to be
                # upregulated in Y": too far for the word rules; the parse names the subject
                far = parse if parse is not None else syntax(sent, mirna_spans)
                owner = _syntax.expression_owner(far, cue.start, cue.end, mirna_spans,
                                                 _polarity_candidates(doc, cues)) if far is not None else []
                if owner:
                    found.append((cue.effect, cue, False, f"expression:{cue.id}:subject"))

    paired = respectively_pairs(doc, sent, mirna_spans, cancer_spans)
    relations: list[Relation] = []
    figures = {} if knockdowns or (benign and not cancer_spans) else fold_change_directions(doc, sent, mirna_spans)
    if figures:
        for span in mirna_spans:
            effect, figure = figures.get(span.start, ("", None))
            if not effect or mirna_is_object(doc, span, objects):
                continue
            concepts = cancers_for_mirna(span, cancer_spans, clause_of_token) if cancer_spans else heading_cancers
            for concept in concepts:
                for name in span._.mirnas:
                    relations.append(Relation(name, concept, effect, hedged, "fold-change:respectively"
                                              + ("+heading" if not cancer_spans else ""),
                                              (span.start_char, span.end_char),
                                              nearest_mention(concept, cancer_spans, span),
                                              (figure.start_char, figure.end_char)))
    for effect_or_category, cue, directional, rule in found:
        if is_negated(doc, cue, negations, clause_of):
            continue
        if benign and set_in_benign(cue, benign, cancer_spans, clause_of, clause_of_token):
            continue
        targets = expression_targets(doc, cue, mirna_spans) if cue.kind == "expression" else []
        targets = targets or [s for s in mirna_spans if clause_of_token(s.start) == clause_of(cue)]
        if not targets:
            earlier = [s for s in mirna_spans if clause_of_token(s.start) < clause_of(cue)]
            if earlier:
                last = max(clause_of_token(s.start) for s in earlier)
                targets = [s for s in earlier if clause_of_token(s.start) == last]
        if parse is not None and cue.kind in _OWNED_KINDS:
            targets = _syntax.effect_targets(parse, cue.kind, cue.start, cue.end, targets, mirna_spans,
                                             governing)
        for span in nearest_per_name(targets, cue):
            if mirna_is_object(doc, span, objects):
                continue
            if directional:
                direction = rule.rsplit(":", 1)[-1][-1]
                if mirna_is_removed(doc, span, knockdowns) or lowered_attributively(doc, span, sent):
                    direction = "-" if direction == "+" else "+"
                effect = PROCESS_EFFECTS.get((effect_or_category, direction))
            else:
                effect = effect_or_category
                # "miR-21 downregulation" is the level; so is a word inside the removed phrase
                # ("inhibition of two glioma-upregulated miRNAs (miR-21 …")
                others = [k for k in knockdowns if k.start != cue.start
                          and not (k.end <= cue.start and cue.end <= span.start)]
                if effect in {"upregulated", "downregulated"} and mirna_is_removed(doc, span, others):
                    continue  # the level after knock-down says nothing about the cancer
            if not effect:
                continue
            if paired is not None and span.start in paired:
                concepts = [paired[span.start]]
            elif cancer_spans:
                concepts = cancers_for_mirna(span, cancer_spans, clause_of_token)
            else:
                concepts = heading_cancers
            how = rule + ("+heading" if not cancer_spans else "")
            cue_at = (doc[cue.start:cue.end].start_char, doc[cue.start:cue.end].end_char)
            for concept in concepts:
                cancer_at = nearest_mention(concept, cancer_spans, span)
                for name in span._.mirnas:
                    relations.append(Relation(name, concept, effect, hedged, how, (span.start_char, span.end_char),
                                              cancer_at, cue_at))
    return relations
