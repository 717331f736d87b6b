"""Syntax: who does what in a sentence, from a dependency parse (issue 8 §4).

The lexical engine (``relations.py``) pairs cues with miRNAs by position and clause. A parse
settles three things it cannot see:

* **whose effect** — an effect is its grammatical subject's (or, in a passive, its agent's).
  When that subject is another molecule ("KDM5B promotes invasion and represses miR-448",
  "HOTAIR promotes invasion by sponging miR-331", "the miR-21/PTEN axis promotes …", a drug),
  the effect is not the miRNA's. Coordinated subjects ("miR-A and miR-B promote …") each get it.
* **which polarity** — a process takes the polarity of the word that governs it in the tree
  ("miR-448 inhibits MALAT1-mediated oncogenic and metastatic potential": "inhibits", not
  "mediated"), and none from a polarity word in another clause.
* **what a role word describes** — "oncogenic BRAF signalling" is about BRAF; "inhibits …
  oncogenic potential" inverts the role.

The parser is mirkb's own small tagger + parser trained on the GENIA treebank
(``models/genia_parser/config.cfg``, ``make model``), shipped in ``extractors/data/genia_parser``.
A user's installed scispacy model (``--model en_core_sci_sm`` / ``MIRKB_MODEL``) is used instead
when it has a parser. Only sentences that hold a miRNA and an effect cue are parsed, each as its
own small Doc with the extractor's tokens, so the cost grows with what is read, not with the text.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from importlib import resources

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

#: Sentences longer than this are left to the lexical rules (flattened tables, run-on captions).
MAX_TOKENS = 120
BUNDLED = "genia_parser"


@spacy.registry.callbacks("mirkb.tokenizer")
def _tokenizer_callback():
    """Gives a pipeline mirkb's tokenizer, so the parser is trained on the splits it will see."""
    def set_tokenizer(nlp: Language) -> Language:
        from extractors.nlp import _tokenizer

        nlp.tokenizer = _tokenizer(nlp)
        return nlp

    return set_tokenizer


# --- loading ---------------------------------------------------------------------------------


@dataclass
class Parser:
    """A tagger + parser run over single sentences. ``source`` says which model it is."""

    nlp: Language
    source: str

    def __call__(self, sent: Span, names: list[Span] = ()) -> SentenceParse | None:
        """Parse one sentence. Each name in ``names`` (a miRNA written as several tokens,
        "miR-331 - 3p") is given to the parser as one word, as the treebank writes names."""
        if len(sent) > MAX_TOKENS:
            return None
        starts = {s.start: s for s in names if s.start >= sent.start and s.end <= sent.end}
        skip = citation_tokens(sent)
        words, spaces, index = [], [], {}
        i = sent.start
        while i < sent.end:
            if i in skip:
                i += 1
                continue
            span = starts.get(i)
            end = span.end if span is not None and span.end > i else i + 1
            last = sent.doc[end - 1]
            words.append("".join(t.text for t in sent.doc[i:end]))
            spaces.append(bool(last.whitespace_))
            for j in range(i, end):
                index[j] = len(words) - 1
            i = end
        doc = Doc(self.nlp.vocab, words=words, spaces=spaces)
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return SentenceParse(doc, index)


_CITATION_WORD = re.compile(r"(?i)^(\d+[a-z]?|[-–,;]|and|al\.?|et|fig\.?|figs?|figure|figures|table|tables|"
                            r"supplementary|additional|file|s\d+|[a-z]|(19|20)\d\d[a-z]?)$")
_YEAR_OR_FIGURE = re.compile(r"(?i)^((19|20)\d\d[a-z]?|al\.?|fig\.?|figs?|figure|figures|table|tables|supplementary)$")


def citation_tokens(sent: Span) -> set[int]:
    """Tokens of citation and figure brackets ("[61]", "[3, 5–7]", "(Fig. 2b)", "(Li et al., 2019)"):
    they are not part of the sentence's grammar, and a parser trained on abstracts misreads them."""
    out: set[int] = set()
    doc = sent.doc
    i = sent.start
    while i < sent.end:
        opener = doc[i].text
        if opener in {"[", "("}:
            closer = "]" if opener == "[" else ")"
            j = i + 1
            # author-year lists run long: "(Li et al., 2005; Wu et al., 2006; …)"
            reach = 25 if opener == "[" else 100
            while j < min(sent.end, i + reach) and doc[j].text != closer and doc[j].text != opener:
                j += 1
            if j < sent.end and doc[j].text == closer and j > i + 1:
                inner = doc[i + 1:j]
                if (opener == "[" and all(_CITATION_WORD.match(t.text) for t in inner)) or (
                        opener == "(" and any(_YEAR_OR_FIGURE.match(t.text) for t in inner)):
                    out.update(range(i, j + 1))
                    i = j + 1
                    continue
        i += 1
    return out


def bundled_path():
    return resources.files("extractors.data").joinpath(BUNDLED)


@functools.lru_cache(maxsize=4)
def _load(name: str) -> Language | None:
    """A pipeline's tagger and parser (its other components are not needed here)."""
    try:
        nlp = spacy.load(name)
    except OSError:
        return None
    keep = {"tok2vec", "tagger", "parser", "attribute_ruler"}
    for pipe in list(nlp.pipe_names):
        if pipe not in keep:
            nlp.remove_pipe(pipe)
    return nlp


_warned: set[str] = set()


def load_parser(model: str = "", enabled: bool = True) -> Parser | None:
    """The parser for the syntax step: the user's model when it is installed and has a parser,
    else the bundled GENIA parser; None when the step is turned off."""
    if not enabled:
        return None
    if model:
        nlp = _load(model)
        if nlp is not None and "parser" in nlp.pipe_names:
            return Parser(nlp, model)
        if model not in _warned:
            _warned.add(model)
            why = "is not installed" if nlp is None else "has no parser"
            log.info("model %r %s; the syntax step uses the bundled GENIA parser", model, why)
    path = bundled_path()
    nlp = _load(str(path))
    if nlp is None:
        if BUNDLED not in _warned:
            _warned.add(BUNDLED)
            log.warning("the bundled parser is missing (%s); syntax step off (run `make model`)", path)
        return None
    return Parser(nlp, BUNDLED)


# --- reading the parse -----------------------------------------------------------------------

_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass"}
#: Relations that start a new clause: a polarity word beyond them governs something else.
_CLAUSE_DEPS = {"acl:relcl", "advcl", "ccomp", "parataxis", "csubj", "csubjpass"}
#: Through these a miRNA inside a subject is acted on, not acting ("circX, which sponges miR-21, …").
_OBJECT_DEPS = {"dobj", "iobj"}
#: Subject heads that stand for something named elsewhere, or for the study: no opinion.
#: Nouns a process adjective describes without naming a process ("metastatic tumours").
_DESCRIBED_NOUNS = {"cell", "cells", "line", "lines", "tumor", "tumors", "tumour", "tumours", "cancer", "cancers",
                    "patient", "patients", "case", "cases", "tissue", "tissues", "sample", "samples", "specimen",
                    "specimens", "model", "models", "assay", "assays", "group", "groups", "subtype", "subtypes",
                    "variant", "variants", "cohort", "cohorts", "mice", "mouse", "xenograft", "xenografts", "lesion",
                    "lesions", "node", "nodes", "site", "sites", "disease", "clone", "clones", "subline", "sublines",
                    "counterparts"}
#: Prepositions by which a word governs a process noun ("inhibition of invasion", "led to EMT").
_GOVERNING_CASES = {"of", "to", "into", "on", "for"}
#: Verbs whose subject owns an effect without being a polarity word ("acts as a tumour suppressor").
_OWNING_VERBS = re.compile(r"^(act|serv|function|play|associat|correlat|relat|link|predict|contribut|show|display|exhibit|"
                           r"participat|involv|mediat|confer|exert|is$|are$|was$|were$|be$|been$|becom|remain)")
_GENERIC_SUBJECTS = {
    "we", "it", "they", "this", "these", "that", "those", "which", "who", "both", "all", "each", "one", "either",
    "mirna", "mirnas", "microrna", "micrornas", "mir", "mirs", "mirna(s)", "member", "members", "family", "cluster",
    "result", "results", "data", "finding", "findings", "study", "studies", "analysis", "analyses", "experiment",
    "experiments", "assay", "assays", "evidence", "observation", "observations", "work", "report", "reports",
    "cell", "cells", "line", "lines", "tumor", "tumors", "tumour", "tumours", "patient", "patients", "mouse", "mice",
    "xenograft", "xenografts", "sample", "samples", "tissue", "tissues", "exosome", "exosomes", "vesicle",
    "vesicles", "ev", "evs", "model", "models", "group", "groups", "level", "levels", "expression", "mimic",
    "mimics", "transfection", "overexpression", "over-expression", "upregulation", "up-regulation", "elevation",
    "downregulation", "down-regulation", "knockdown", "knock-down", "inhibition", "silencing", "depletion", "loss",
    "restoration", "reintroduction", "introduction", "delivery", "treatment", "transfer", "uptake", "abundance",
    "amount", "amounts", "presence", "absence", "increase", "decrease", "reduction", "agomir", "antagomir",
    "inhibitor", "inhibitors", "what", "latter", "former",
}
#: Subject heads that name a whole pathway: its effect is not one member's (GUIDELINES 21).
#: Heads of a subject phrase that speak of a molecule's state ("expression of GENE1 …").
_STATE_HEADS = {"expression", "overexpression", "over-expression", "level", "levels", "upregulation",
                "up-regulation", "activity", "activation", "amplification", "abundance", "elevation"}
_PATHWAY_HEADS = {"axis", "axes", "pathway", "pathways", "loop", "loops", "circuit", "circuits", "network",
                  "networks", "cascade", "signaling", "signalling", "complex"}
_MOLECULE_WORDS = re.compile(r"(?i)^(lncrna|lincrna|circrna|circ|lnc|mrna|gene|genes|protein|proteins|"
                             r"oncogene|kinase|receptor|ligand|factor|drug|compound|agent|antibody)s?$")
#: Drug names by their stems (platins, anthracyclines, taxanes, kinase inhibitors, antibodies …).
_DRUG = re.compile(r"(?i)^\w+(platin|mycin|rubicin|taxel|tinib|fenib|rafenib|mab|citabine|fluorouracil|trexate|"
                   r"tecan|limus|parib|zomib|xifen|oxifene|trozole|statin|formin)s?$")
_NAME_LIKE = re.compile(r"^(?=.*[A-Z])(?=.*(?:\d|[A-Z].*[A-Z]))[\w\-/.]+$")


class SentenceParse:
    """A parsed sentence; ``index`` maps a token of the document to its word in the parse."""

    def __init__(self, doc: Doc, index: dict[int, int]):
        self.doc = doc
        self.index = index
        self.back: dict[int, int] = {}
        for i, j in sorted(index.items(), reverse=True):
            self.back[j] = i  # a parse word's first document token

    def token(self, i: int) -> Token:
        return self.doc[self.index[i]]

    def words(self, start: int, end: int) -> set[int]:
        return {self.index[i] for i in range(start, end) if i in self.index}

    def head_of(self, start: int, end: int) -> Token:
        """The word of a span whose head lies outside it."""
        inside = self.words(start, end)
        for j in sorted(inside):
            t = self.doc[j]
            if t.head.i not in inside or t.head.i == t.i:
                return t
        return self.doc[max(inside)]

    # --- polarity ---------------------------------------------------------------------------

    def governing_polarity(self, start: int, end: int, candidates: dict[int, object], lexical: int | None = None):
        """The polarity cue (from ``candidates``, keyed by token index) that governs the words
        ``start:end``: a modifier before it ("enhanced invasion"), or the nearest ancestor before a
        verb ("inhibits … potential", "invasion was inhibited", "inhibition of invasion"). Returns
        (cue, True); (None, True) when the phrase that holds the process ends before the
        polarity word the lexical rules chose (token ``lexical``) — at another clause, at a noun
        the process word only describes ("metastatic PCa", "invasive cells"), at a setting
        ("higher in patients with metastasis"); or (None, False) when the parse says nothing."""
        candidates = {self.index[i]: c for i, c in candidates.items() if i in self.index}
        lexical_word = self.index.get(lexical) if lexical is not None else None

        def ends_here(phrase: Token):
            # the lexical word inside the phrase: the parse does not contradict it
            inside = lexical_word is not None and phrase.left_edge.i <= lexical_word <= phrase.right_edge.i
            return None, not inside

        node = self.head_of(start, end)
        for child in node.children:
            if child.i in candidates and child.i < node.i and child.dep_ in {"amod", "compound", "nmod", "advmod"}:
                return candidates[child.i], True
        while node.head.i != node.i:
            child, node = node, node.head
            dep = child.dep_
            if dep == "nmod" and not any(c.dep_ == "case" for c in child.children) and child.i > node.i:
                dep = "dobj"  # a bare noun after a verb is its object, whatever label the parser gave
            if node.i in candidates and dep not in {"nmod"} | _CLAUSE_DEPS:
                return candidates[node.i], True
            if dep in _CLAUSE_DEPS:
                return ends_here(child)
            if dep in {"amod", "compound"} and node.i not in candidates and self._described(node):
                return ends_here(child)
            if dep == "nmod":
                case = next((c.lower_ for c in child.children if c.dep_ == "case"), "")
                if case not in _GOVERNING_CASES and not (case == "in" and node.tag_.startswith("NN")):
                    return ends_here(child)
                if node.i in candidates:
                    return candidates[node.i], True
            if node.tag_.startswith("VB") or node.pos_ == "VERB":
                # a verb that is not a polarity word ("showed", or one misspelt): the parse gives no
                # polarity, and the lexical reading stands; a control verb passes its object on
                if dep == "xcomp":
                    continue
                return None, False
            for sib in node.children:  # "the increased invasion of cells": a modifier of a head noun
                if sib.i in candidates and sib.dep_ == "amod" and sib.i < node.i:
                    return candidates[sib.i], True
        return None, False

    @staticmethod
    def _described(noun: Token) -> bool:
        """A noun that a process adjective only describes: a cancer, cells, a model, a named thing."""
        return noun.lower_ in _DESCRIBED_NOUNS or bool(_NAME_LIKE.match(noun.text)) or noun.lower_.endswith(
            ("oma", "omas", "emia", "aemia", "emias"))

    # --- whose effect -----------------------------------------------------------------------

    def doer(self, start: int, end: int, candidates: dict[int, object]) -> Token | None:
        """The grammatical subject (or a passive's agent) of the clause that governs ``start:end``;
        None when the parse names none."""
        candidates = {self.index[i] for i in candidates if i in self.index}
        node = self.head_of(start, end)
        came_by = ""
        checked_verb = False
        while True:
            if not checked_verb and (node.tag_.startswith("VB") or node.pos_ == "VERB"):
                # the effect is the subject's only through a verb that states it ("GENE promotes
                # invasion"), not through one of method or report ("RT-PCR was used to validate …")
                if node.i not in candidates and not _OWNING_VERBS.match(node.lower_):
                    return None
                checked_verb = True
            subject = next((c for c in node.children if c.dep_ in _SUBJECTS), None)
            if subject is not None and subject.i not in self.words(start, end):
                if subject.dep_.endswith("pass"):
                    agent = self._agent(node)
                    if agent is not None:
                        return agent
                    # "miR-21 was shown to promote …": the raised subject does it; in
                    # "invasion was promoted" the subject is only what is acted on
                    return subject if came_by == "xcomp" else None
                return subject
            if node.head.i == node.i:
                return None
            if node.dep_ == "acl":  # "a lncRNA promoting invasion": the noun it describes
                return node.head
            if node.dep_ == "acl:relcl":
                return None
            if node.dep_ == "advcl" and node.head.lower_.startswith(("lead", "led", "result", "caus")):
                # "A leads to B, inducing C": C is the result's doing
                result = next((c for c in node.head.children if c.dep_ == "nmod" and any(
                    k.dep_ == "case" and k.lower_ in {"to", "in"} for k in c.children)), None)
                if result is not None:
                    return result
            if node.dep_ in {"advcl", "ccomp", "parataxis"} and node.tag_ != "VBG":
                # only a gerund borrows the main clause's subject ("…, thereby promoting invasion");
                # another clause without a subject is one the parse got wrong
                return None
            came_by = node.dep_
            node = node.head

    @staticmethod
    def _agent(verb: Token) -> Token | None:
        for child in verb.children:
            if child.dep_ in {"nmod", "nmod:agent", "agent"} and any(
                    c.dep_ == "case" and c.lower_ == "by" for c in child.children):
                return child
        return None

    def owners(self, subject: Token, mirna_spans: list[Span]) -> tuple[str, list[Span]]:
        """Who the subject is: ("mirna", spans) for miRNAs that act in it (conjuncts included,
        miRNAs it acts on excluded), ("other", []) for another molecule or a pathway,
        ("unknown", []) for a pronoun or a word that stands for something named elsewhere."""
        if subject.lower_ in _PATHWAY_HEADS or any(
                c.dep_ == "compound" and c.lower_ in _PATHWAY_HEADS for c in subject.children):
            return "other", []
        inside = set()
        for span in mirna_spans:
            tok = self.head_of(span.start, span.end)
            if _reaches(tok, subject):
                inside.add(span.start)
        if inside:
            return "mirna", [s for s in mirna_spans if s.start in inside]
        if self._is_molecule(subject):
            return "other", []
        return "unknown", []

    def _is_molecule(self, token: Token) -> bool:
        """A name that is not a miRNA: a gene, a lncRNA/circRNA, a protein, a drug class."""
        if token.tag_ in {"PRP", "PRP$", "WDT", "WP", "DT", "EX"} or token.lower_ in _GENERIC_SUBJECTS:
            # "KDM5B expression", "HOTAIR knockdown": the molecule it is about
            return any(c.dep_ in {"compound", "nmod", "amod", "nmod:poss"} and (
                _NAME_LIKE.match(c.text) or _MOLECULE_WORDS.match(c.text)) for c in token.children)
        return bool(_NAME_LIKE.match(token.text) or _MOLECULE_WORDS.match(token.text) or _DRUG.match(token.text)) or any(
            c.dep_ == "compound" and (_NAME_LIKE.match(c.text) or _MOLECULE_WORDS.match(c.text))
            for c in token.children)

    def enclosing_subject(self, start: int, end: int) -> Token | None:
        """The subject phrase the words ``start:end`` sit inside ("Increased expression of GENE
        correlating with poor outcome was reversed by miR-21" → "expression"), reached through
        nouns and non-finite modifiers only; None when the words are not inside a subject."""
        own = self.words(start, end)
        node = self.head_of(start, end)
        while node.head.i != node.i:
            if node.dep_ in _CLAUSE_DEPS or node.tag_ in {"VBZ", "VBP", "VBD", "MD"}:
                return None
            if node.dep_ in _SUBJECTS:
                return None if node.i in own else node
            node = node.head
        return None

    def names_other_molecule(self, phrase: Token, mirna_spans: list[Span]) -> bool:
        """A subject phrase about another molecule's state: its head is a level word or a name,
        some word in it names a gene (not a miRNA, not a cancer or cell line), and no miRNA is in it."""
        skip = set()
        for s in list(mirna_spans) + (list(mirna_spans[0].doc.spans.get("cancer", [])) if mirna_spans else []):
            skip |= self.words(s.start, s.end)
        inside = [t for t in phrase.subtree]
        if any(t.i in skip and any(t.i in self.words(m.start, m.end) for m in mirna_spans) for t in inside):
            return False
        if phrase.lower_ not in _STATE_HEADS and not _NAME_LIKE.match(phrase.text):
            return False
        return any(t.i not in skip and _NAME_LIKE.match(t.text) and not _MOLECULE_WORDS.match(t.text)
                   for t in inside)

    def described_name(self, start: int, end: int, mirna_spans: list[Span]) -> Token | None:
        """The miRNA a role word is attached to ("tumour suppressor miR-34a", "pro-metastatic
        miR-129-3p and miR-34c"), through modifiers only."""
        names = set()
        for s in mirna_spans:
            names |= self.words(s.start, s.end)
        node = self.head_of(start, end)
        while node.dep_ in {"amod", "compound", "appos", "det"} and node.head.i != node.i:
            node = node.head
            if node.i in names:
                return node
        return None

    def modified_noun(self, start: int, end: int) -> Token | None:
        """The noun an adjective cue describes ("oncogenic BRAF signalling" → signalling)."""
        node = self.head_of(start, end)
        if node.dep_ in {"amod", "compound"} and node.head.i > node.i:
            return node.head
        return None

    def molecule_named(self, noun: Token, mirna_starts: set[int], cue_words: set[int] = frozenset()) -> bool:
        """The noun is, or is named after, a molecule that is not one of the miRNAs (the role
        word itself, "EMT-inhibitory", is not a name)."""
        parts = [noun] + [c for c in noun.children if c.dep_ in {"compound", "amod"} and c.i < noun.i
                          and c.i not in cue_words]
        if any(self.back.get(p.i) in mirna_starts for p in parts):
            return False
        return any(_NAME_LIKE.match(p.text) or _MOLECULE_WORDS.match(p.text) for p in parts)


def _reaches(token: Token, top: Token) -> bool:
    """``token`` is in ``top``'s subtree by a path on which nothing acts on it."""
    node = token
    while node.i != top.i:
        if node.dep_ in _OBJECT_DEPS or node.head.i == node.i:
            return False
        node = node.head
    return True


# --- the hooks relations.py calls ------------------------------------------------------------


def effect_targets(parse: SentenceParse, cue_kind: str, start: int, end: int, targets: list[Span],
                   mirna_spans: list[Span], candidates: dict[int, object]) -> list[Span]:
    """The miRNAs an effect cue at ``start:end`` belongs to, given the engine's ``targets``:
    a role word's own name ("tumour suppressor miR-584-3p", even as another molecule's object);
    else the miRNAs of the grammatical subject (each conjunct); none when the subject is another
    molecule or a pathway; the engine's choice when the parse names no subject."""
    phrase = parse.enclosing_subject(start, end)
    if phrase is not None and parse.names_other_molecule(phrase, mirna_spans):
        return []  # the effect describes the subject's molecule, whatever the verb does to it
    if cue_kind == "role":
        named = parse.described_name(start, end, mirna_spans)
        if named is not None:
            who, spans = parse.owners(named, mirna_spans)
            if who == "mirna":
                return spans
    subject = parse.doer(start, end, candidates)
    if subject is None:
        return targets
    who, spans = parse.owners(subject, mirna_spans)
    if who == "other":
        return []
    if who == "mirna":
        keep = {s.start for s in spans}
        return [s for s in targets if s.start in keep] or spans
    return targets


def expression_owner(parse: SentenceParse | None, start: int, end: int, mirna_spans: list[Span],
                     candidates: dict[int, object]) -> list[Span]:
    """The miRNAs that are the grammatical subject of an expression word ("miR-21 … has been shown
    to be upregulated in …"); empty when the parse names another subject or none."""
    if parse is None or not parse.words(start, end):
        return []
    subject = parse.doer(start, end, candidates)
    if subject is None:
        return []
    who, spans = parse.owners(subject, mirna_spans)
    return spans if who == "mirna" else []


def role_describes_other(parse: SentenceParse, start: int, end: int, mirna_spans: list[Span]) -> bool:
    """A role adjective on another molecule's name: "oncogenic BRAF signalling", "the
    tumour-suppressive PTEN"."""
    noun = parse.modified_noun(start, end)
    return noun is not None and parse.molecule_named(noun, {s.start for s in mirna_spans}, parse.words(start, end))


#: A role under a lowering verb ("inhibits … oncogenic potential") is the opposite role.
_INVERTED_ROLE = {"promotes_growth": "suppresses_tumor", "promotes_metastasis": "suppresses_tumor",
                  "promotes_angiogenesis": "suppresses_tumor"}


def role_under_polarity(parse: SentenceParse, start: int, end: int, candidates: dict[int, object],
                        direction_of, mirna_spans: list[Span]) -> str:
    """"+", "-" or "" — the polarity of a verb whose object a role word describes ("inhibits …
    oncogenic potential" → "-"). A role word on a miRNA ("the tumour suppressor miR-34a
    inhibits …") or on a subject is not under the verb."""
    names = set()
    for s in mirna_spans:
        names |= parse.words(s.start, s.end)
    node = parse.head_of(start, end)
    if node.dep_ not in {"amod", "compound", "dobj", "conj", "nmod"}:
        return ""
    while node.head.i != node.i:
        if node.i in names or node.dep_ in _SUBJECTS or node.dep_ in _CLAUSE_DEPS:
            return ""
        node = node.head
        first = parse.back[node.i]
        if first in candidates:
            return direction_of(candidates[first])
        if node.tag_.startswith("VB"):
            return ""
    return ""


def invert_role(effect: str) -> str:
    return _INVERTED_ROLE.get(effect, "")
