"""Building the spaCy pipeline: scispacy tokenizer, sentences, abbreviations, miRNAs, cancers.

``build_nlp()`` is called once per process (the extractor caches it). The default needs no
download. A configured scispacy/spaCy model (``model="en_core_sci_sm"``, or a path to a saved
pipeline) is loaded when installed; its entities are merged with the rules' (rules win on
conflict). When it is not installed the default works unchanged and the log says so once.
"""

from __future__ import annotations

import logging
import warnings

import numpy
import spacy
from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers "abbreviation_detector")
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, filter_spans

from extractors import cancer as _cancer  # noqa: F401  (registers "mirkb_cancer")
from extractors import mirna as _mirna  # noqa: F401  (registers "mirkb_mirna")

log = logging.getLogger(__name__)

# Known, harmless library warnings that would otherwise print on every run: spaCy's regex
# "possible set union" notice about its own tokenizer rules, and scispacy's abbreviation
# detector, which builds an empty global matcher by design.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)

# scispacy keeps "cancer-derived", "HCC-derived" and "NSCLC/SCLC" as one token; authors glue
# cancer names to these words, so split them off to let the phrase matchers see the name.
_EXTRA_INFIXES = [
    r"(?<=[A-Za-z0-9])-(?=(?:derived|associated|related|secreted|released|bearing|positive|negative|specific"
    r"|resistant|sensitive|induced|mediated|dependent|treated|like|enriched|targeted|loaded|carrying"
    r"|containing|exposed|educated|conditioned|stimulated|originated|secreting|producing|infiltrating"
    r"|bearing|free|type|targeting|promoting|suppressing|initiating|upregulated|downregulated|up-regulated"
    r"|down-regulated|expressed|overexpressed)\b)",
    r"(?<=[A-Za-z]{2})/(?=[A-Za-z]{2})",
    r"(?<=[0-9a-z])/(?=(?:miR|mir|MiR|let|hsa)-)",  # "miR-224/miR-452": two names
    # PDF line joins sometimes lose the hyphen: "cancerderived", "tumorassociated".
    r"(?:(?<=cancer)|(?<=tumor)|(?<=tumour))(?=(?:derived|associated|secreted|released)\b)",
]


def _tokenizer(nlp: Language):
    tokenizer = combined_rule_tokenizer(nlp)
    # combined_rule_tokenizer compiles its own infix rules; extend that pattern rather than replace it.
    tokenizer.infix_finditer = compile_infix_regex([tokenizer.infix_finditer.__self__.pattern,
                                                    *_EXTRA_INFIXES]).finditer
    return tokenizer


def _plain_lowercase_word(text: str) -> bool:
    """A lower-case word continues a sentence; a lower-case name ("miR-21", "p53") may start one."""
    return text[:1].islower() and text.isalpha()


@Language.component("mirkb_sentences")
def sentence_boundaries(doc: Doc) -> Doc:
    """Sentence starts that survive PDF text: "et al.", "Fig. 2", "vs.", citation brackets.

    A new sentence starts after a line break (clean-up leaves breaks only between paragraphs and
    after headings) and after ``.``/``!``/``?`` unless the next token is a plain lower-case word
    (sentences may begin with a lower-case name such as "miR-21").
    Abbreviations with a full stop ("al.", "Fig.") are single tokens, so they never split.
    """
    n = len(doc)
    starts = numpy.full(n, -1, dtype="int64")  # -1: not a sentence start
    if n:
        # Decided once per distinct token text (a few thousand), not once per token: creating a
        # Python Token per position cost more than tokenising.
        orth = doc.to_array(ORTH).astype("uint64")
        uniq, inverse = numpy.unique(orth, return_inverse=True)
        texts = [doc.vocab.strings[int(o)] for o in uniq]
        line_break = numpy.array([t.isspace() and "\n" in t for t in texts], dtype=bool)[inverse]
        ender = numpy.array([t in {".", "!", "?"} for t in texts], dtype=bool)[inverse]
        continues = numpy.array([_plain_lowercase_word(t) or t in {",", ";", ")"} for t in texts],
                                dtype=bool)[inverse]
        # A figure caption's panel letter opens a sentence: "… cells. b Western blot of …",
        # "… cells. d, e Box plots …" (a lone lower-case letter, then a capital or a comma).
        letter = numpy.array([len(t) == 1 and "a" <= t <= "z" for t in texts], dtype=bool)[inverse]
        opens = numpy.array([t[:1].isupper() or t == "," for t in texts], dtype=bool)[inverse]
        panel = numpy.zeros(n, dtype=bool)
        panel[:-1] = letter[:-1] & opens[1:]
        continues = continues & ~panel
        # A token's trailing whitespace is at most one space (spaCy), so a break is its own token.
        after_break = line_break[:-1]
        after_end = ender[:-1] & ~continues[1:]
        starts[1:][after_break | after_end] = 1
        starts[0] = 1
    # One bulk write: setting token.is_sent_start one by one re-scans the doc each time.
    doc.from_array([SENT_START], starts.reshape(-1, 1).astype("uint64"))  # spaCy reads -1 back from uint64
    return doc


class ParenthesisPairs:
    """scispacy's abbreviation matcher (``(`` any+ ``)``), computed from two index arrays.

    spaCy's Matcher enumerates every "(" … ")" pair of the document, of any length, through a
    wildcard state per token, which cost more than the tokenizer on full-text articles. Only
    pairs with at most 8 tokens inside survive scispacy's ``filter_matches``, so only those are
    produced, in the order the Matcher returns them (by end, later start first).
    """

    MAX_INSIDE = 8  # filter_matches drops longer ones

    def __init__(self, vocab):
        self.key = vocab.strings.add("parenthesis")
        self.open, self.close = vocab.strings.add("("), vocab.strings.add(")")

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        orth = doc.to_array(ORTH).astype("uint64")
        opens = numpy.flatnonzero(orth == numpy.uint64(self.open))
        closes = numpy.flatnonzero(orth == numpy.uint64(self.close))
        out = []
        for i in opens.tolist():
            lo = numpy.searchsorted(closes, i + 2)
            hi = numpy.searchsorted(closes, i + 1 + self.MAX_INSIDE, side="right")
            out += [(self.key, i, j + 1) for j in closes[lo:hi].tolist()]
        return sorted(out, key=lambda m: (m[2], -m[1]))


class OrthSequences:
    """The part of spaCy's Matcher API that scispacy's global abbreviation matcher uses
    (``add(key, [[{"ORTH": …}, …]])``, ``remove``, ``vocab``, call), by comparing token-id arrays.

    scispacy adds each abbreviation a document defines and matches them over the whole document;
    spaCy's Matcher walks every token through every pattern, this compares arrays once per pattern.
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self._patterns: dict[int, list[list[int]]] = {}

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        self._patterns.setdefault(self.vocab.strings.add(key), []).extend(
            [self.vocab.strings.add(tok["ORTH"]) for tok in pattern] for pattern in patterns)

    def remove(self, key: str) -> None:
        del self._patterns[self.vocab.strings[key]]

    def __len__(self) -> int:
        return len(self._patterns)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if not self._patterns:
            return []
        orth = doc.to_array(ORTH).astype("uint64")
        out = []
        for key, patterns in self._patterns.items():
            for pattern in patterns:
                n = len(pattern)
                hits = numpy.flatnonzero(orth[: len(orth) - n + 1] == numpy.uint64(pattern[0]))
                for k in range(1, n):
                    hits = hits[orth[hits + k] == numpy.uint64(pattern[k])]
                out += [(key, i, i + n) for i in hits.tolist()]
        return sorted(out, key=lambda m: (m[1], m[2]))


class SentenceCueMatcher:
    """The cue matcher run only over the sentences that name a miRNA.

    Cues are read only in sentences with a miRNA (the others cannot give a triple), and matching
    45 token patterns over every token of a full-text article was the largest single cost of
    extraction. Matches come back in document token offsets, as from the matcher itself.
    """

    def __init__(self, matcher):
        self.matcher = matcher

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        seen, out = set(), []
        for span in doc.spans.get("mirna", []):
            sent = span.sent
            if sent.start in seen:
                continue
            seen.add(sent.start)
            out += [(key, start + sent.start, end + sent.start) for key, start, end in self.matcher(sent)]
        return out


@Language.factory("mirkb_model_entities", default_config={"model": ""})
def make_model_entities(nlp: Language, name: str, model: str) -> ModelEntities:
    return ModelEntities(model)


class ModelEntities:
    """Adds a statistical model's disease entities as cancer mentions where the rules found none.

    Rules win: a model entity that overlaps a rule span is dropped; one that the lexicon cannot
    normalise to a cancer type is dropped too (a triple needs a canonical name).
    """

    def __init__(self, model: str):
        self.model = spacy.load(model, exclude=["parser", "lemmatizer"])

    def __call__(self, doc: Doc) -> Doc:
        lexicon = _cancer.load_lexicon()
        rule_spans = list(doc.spans.get("cancer", []))
        extra = []
        for ent in self.model(doc.text).ents:
            concept = lexicon.lookup(ent.text)
            if concept is None or concept.generic:
                continue
            span = doc.char_span(ent.start_char, ent.end_char, label="CANCER", alignment_mode="expand")
            if span is None or any(span.start < s.end and s.start < span.end for s in rule_spans):
                continue
            span._.cancer = concept
            extra.append(span)
        doc.spans["cancer"] = filter_spans(rule_spans + extra)
        return doc


_warned_models: set[str] = set()


def build_nlp(model: str = "") -> Language:
    """The mirkb pipeline. ``model`` optionally names an installed spaCy/scispacy model or path."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("mirkb_sentences")
    abbreviations = nlp.add_pipe("abbreviation_detector")
    abbreviations.matcher = ParenthesisPairs(nlp.vocab)
    abbreviations.global_matcher = OrthSequences(nlp.vocab)
    nlp.add_pipe("mirkb_mirna")
    nlp.add_pipe("mirkb_cancer")
    if model:
        try:
            nlp.add_pipe("mirkb_model_entities", config={"model": model})
        except OSError:
            if model not in _warned_models:
                _warned_models.add(model)
                log.warning("model %r is not installed; using the rule-based default only", model)
    return nlp
