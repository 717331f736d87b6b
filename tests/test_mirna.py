"""miRNA recognition and normalisation: TRIPLES.md §2 rewritten as invented sentences."""

import pytest
import spacy

from extractors.mirna import find_mirnas, normalize_mirna


def names(text: str) -> list[str]:
    return [n for m in find_mirnas(text) for n in m.names]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Serum miR-21 rose in our cohort.", ["miR-21"]),
        ("We measured miR-21-5p by qPCR.", ["miR-21-5p"]),
        ("Levels of miR-200c fell.", ["miR-200c"]),
        ("Exosomal miR-146a-5p was abundant.", ["miR-146a-5p"]),
        ("The let-7a precursor was cleaved.", ["let-7a"]),
        ("We saw let-7d-5p in plasma.", ["let-7d-5p"]),
        ("Circulating miRNA-21 was measured.", ["miR-21"]),
        ("Circulating microRNA-21 was measured.", ["miR-21"]),
        ("MiR-21 was measured.", ["miR-21"]),
        ("The mir-21 locus was measured.", ["miR-21"]),
        ("The probe hsa-miR-21-5p was measured.", ["miR-21-5p"]),
        ("A broken miRNA1225-5p name.", ["miR-1225-5p"]),
        ("A broken miR202 name.", ["miR-202"]),
        ("A broken MiR934 name.", ["miR-934"]),
        ("Typographic miR\u201018a hyphen.", ["miR-18a"]),
    ],
)
def test_single_name_variants_normalise(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("miR-221/-222 were high.", ["miR-221", "miR-222"]),
        ("miR-221/222 were high.", ["miR-221", "miR-222"]),
        ("miR-155/-146a were high.", ["miR-155", "miR-146a"]),
        ("miR-200a/b/c were high.", ["miR-200a", "miR-200b", "miR-200c"]),
        ("miR-21, -192 and -221 were high.", ["miR-21", "miR-192", "miR-221"]),
        ("miR-31, -185, and -34b were high.", ["miR-31", "miR-185", "miR-34b"]),
        ("miR-574-5p, 328-3p and miR-423-3p were high.", ["miR-574-5p", "miR-328-3p", "miR-423-3p"]),
        ("miR-21-5p/-3p were high.", ["miR-21-5p", "miR-21-3p"]),
        ("miR-21 and 221 were high.", ["miR-21", "miR-221"]),
        ("let-7a/b/c were high.", ["let-7a", "let-7b", "let-7c"]),
    ],
)
def test_slash_and_comma_lists_expand_each_mirna(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Members of the miR-200 family were lost.", ["miR-200 family"]),
        ("The miR-200s were lost.", ["miR-200 family"]),
        ("let-7 miRNA family members were lost.", ["let-7 family"]),
        ("The miR-17-92 cluster was amplified.", ["miR-17-92 cluster"]),
        ("The miR-17~92 cluster was amplified.", ["miR-17-92 cluster"]),
        ("The miR-17 approximately 92 cluster was amplified.", ["miR-17-92 cluster"]),
        ("The miR-106b-25 cluster was amplified.", ["miR-106b-25 cluster"]),
    ],
)
def test_families_and_clusters_keep_a_family_name(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A garbled miRNA-2 l name from a PDF.",  # no human miR-2 exists in miRBase
        "miR-21 and 3 cohorts were studied.",
        "The ratio was 21 and 155.",
    ],
)
def test_names_that_cannot_be_read_give_nothing_extra(text):
    assert "miR-2" not in names(text) and "miR-3" not in names(text) and "miR-155" not in names(text)


def test_a_lone_letter_after_and_is_a_word_not_a_list_item():
    assert names("miR-155 and a few others rose.") == ["miR-155"]


def test_normalize_mirna_accepts_any_spelling_of_one_name():
    assert normalize_mirna("hsa-mir-21-5p") == "miR-21-5p"
    assert normalize_mirna("MicroRNA-155") == "miR-155"
    assert normalize_mirna("miR-221/222") is None  # two names: not a single miRNA


def test_component_puts_spans_with_names_on_the_doc():
    nlp = spacy.blank("en")
    nlp.add_pipe("mirkb_mirna")
    doc = nlp("Both miR-221/222 and let-7a were measured.")
    spans = doc.spans["mirna"]
    assert [s._.mirnas for s in spans] == [("miR-221", "miR-222"), ("let-7a",)]
    assert spans[0].text == "miR-221/222"


def test_polycistron_and_slash_cluster_forms_name_the_cluster():
    assert names("The miR-17/92 polycistron was amplified.") == ["miR-17-92 cluster"]


def test_written_form_defined_as_a_cluster_keeps_that_meaning():
    text = "The miR-17/92 cluster was amplified. Expression of miR-17/92 was highest in tumours."
    assert names(text) == ["miR-17-92 cluster", "miR-17-92 cluster"]


def test_names_listed_before_a_cluster_word_stand_alone():
    assert names("The miR-182/miR-183/miR-96 cluster was gained.") == ["miR-182", "miR-183", "miR-96"]


def test_names_glued_into_one_token_keep_every_name():
    nlp = spacy.blank("en")  # the default tokenizer keeps "miR-224/miR-452" as one token
    nlp.add_pipe("mirkb_mirna")
    doc = nlp("The miR-224/miR-452 pair rose.")
    assert [n for s in doc.spans["mirna"] for n in s._.mirnas] == ["miR-224", "miR-452"]
