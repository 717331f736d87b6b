"""The gold validator on tiny invented documents, and on the project's real gold files."""

from __future__ import annotations

import json

import pytest

from mirkb import settings
from mirkb.cli import main
from mirkb.goldcheck import canonical_cancers, check_gold, mirna_core

HEADER = "doc_id\tmirna\tcancer\teffect\tsource\toptional\tevidence\tline"

#: An invented document: a sentence, a PDF line break inside a name, and a table broken into
#: fragments the way the rotated table of the corpus is.
TEXT = "\n".join([
    "Invented title",
    "Serum miR-900 was elevated in glioma patients.",
    "The cluster microRNA-",
    "77 promoted invasion of melanoma cells, and let-7z",
    "was lost in melanoma.",
    "Table 1",
    "m",
    "",
    "iR",
    "-4",
    "",
    "4 | Growth",
    "contain miRNA-3 l in an unclear print.",
])

GOOD_ROWS = [
    "inv1\tmiR-900\tglioma\tupregulated\ttext\t0\tSerum miR-900 was elevated in glioma patients.\t2",
    "inv1\tmiR-77-5p\tmelanoma\tpromotes_metastasis\ttext\t0\tThe cluster microRNA-77 promoted invasion\t3",
    "inv1\tlet-7z\tmelanoma\tdownregulated\ttext\t0\tlet-7z was lost in melanoma.\t4",
    "inv1\tmiR-44\tglioblastoma\tpromotes_growth\ttable\t0\tmiR-44 | Growth\t7",
    "inv1\tmiR-900\tglioma\tupregulated\ttable\t1\tsame triple, other source: no duplicate\t2",
    "inv1\tmiR-31\tglioma\tupregulated\ttext\t1\tcontain miRNA-3 l\t13",
]

#: A two-term invented ontology: one term the §3 table renames, one it does not list.
OBO = """format-version: 1.2

[Term]
id: DOID:10534
name: stomach cancer

[Term]
id: DOID:3068
name: glioblastoma
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "inv1.txt").write_text(TEXT + "\n", encoding="utf-8")
    (tmp_path / "do.obo").write_text(OBO, encoding="utf-8")
    return folder


def write(tmp_path, rows, header=HEADER, name="inv1.tsv"):
    gold = tmp_path / "gold"
    gold.mkdir(exist_ok=True)
    (gold / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return gold


def problems(tmp_path, corpus, rows, **kwargs):
    gold = write(tmp_path, rows, **kwargs)
    return check_gold(gold, corpus, lexicon=None, ontology=tmp_path / "do.obo")


def columns(found):
    return [(p.row, p.column) for p in found]


def test_good_file_passes(tmp_path, corpus):
    assert problems(tmp_path, corpus, GOOD_ROWS) == []


def test_header_only_file_passes(tmp_path, corpus):
    assert problems(tmp_path, corpus, []) == []


def test_bad_effect_is_reported(tmp_path, corpus):
    rows = [GOOD_ROWS[0].replace("upregulated", "overexpressed")]
    assert columns(problems(tmp_path, corpus, rows)) == [(2, "effect")]


def test_non_canonical_mirna_is_reported(tmp_path, corpus):
    rows = [GOOD_ROWS[0].replace("\tmiR-900\t", "\tmir-900\t")]
    found = problems(tmp_path, corpus, rows)
    assert columns(found) == [(2, "mirna")]
    assert "mir-900" in found[0].message


@pytest.mark.parametrize("name", ["miR-21", "miR-21-5p", "miR-200c", "miR-146a-3p", "miR-7-1", "let-7a",
                                  "let-7d-5p", "miR-200 family", "let-7 family", "miR-17-92 cluster",
                                  "miR-106b-25 cluster"])
def test_canonical_mirna_forms_are_accepted(tmp_path, corpus, name):
    row = f"inv1\t{name}\tglioma\tupregulated\ttext\t0\tev\t2"
    assert all(p.column != "mirna" for p in problems(tmp_path, corpus, [row]))


@pytest.mark.parametrize("name", ["mir-21", "miRNA-21", "hsa-miR-21", "miR21", "miR-21-5P", "let-7", "MiR-21"])
def test_variant_mirna_forms_are_rejected(tmp_path, corpus, name):
    row = f"inv1\t{name}\tglioma\tupregulated\ttext\t0\tev\t2"
    assert (2, "mirna") in columns(problems(tmp_path, corpus, [row]))


def test_non_canonical_cancer_is_reported_even_when_the_ontology_names_it(tmp_path, corpus):
    rows = [GOOD_ROWS[0].replace("\tglioma\t", "\tstomach cancer\t")]
    found = problems(tmp_path, corpus, rows)
    assert columns(found) == [(2, "cancer")]
    assert "stomach cancer" in found[0].message


def test_cancer_lexicon_canonical_names_are_accepted_but_generic_ones_are_not(tmp_path, corpus):
    lexicon = tmp_path / "lexicon.jsonl"
    lexicon.write_text("\n".join(json.dumps(r) for r in [
        {"_meta": {"built_by": "test"}},
        {"canonical": "invented sarcoma", "id": "", "generic": False},
        {"canonical": "cancer", "id": "DOID:162", "generic": True},
    ]) + "\n")
    names = canonical_cancers(lexicon, None)
    assert "invented sarcoma" in names and "glioma" in names
    assert "cancer" not in names


def test_wrong_line_is_reported(tmp_path, corpus):
    rows = [GOOD_ROWS[0].replace("\t2", "\t6"), GOOD_ROWS[2].replace("\t4", "\t99")]
    found = problems(tmp_path, corpus, rows)
    assert columns(found) == [(2, "line"), (3, "line")]
    assert "not found on line 6" in found[0].message
    assert "outside the document" in found[1].message


def test_misprinted_digits_pass_only_on_optional_rows(tmp_path, corpus):
    row = GOOD_ROWS[5].replace("\t1\tcontain", "\t0\tcontain")
    assert columns(problems(tmp_path, corpus, [row])) == [(2, "line")]


def test_duplicate_is_reported_with_the_first_row(tmp_path, corpus):
    found = problems(tmp_path, corpus, [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]])
    assert columns(found) == [(4, "-")]
    assert "duplicate of row 2" in found[0].message


def test_missing_column_is_reported(tmp_path, corpus):
    header = HEADER.replace("\toptional", "")
    row = GOOD_ROWS[0].replace("\ttext\t0\t", "\ttext\t")
    assert columns(problems(tmp_path, corpus, [row], header=header)) == [(1, "optional")]


def test_short_row_is_reported(tmp_path, corpus):
    row = GOOD_ROWS[0].rsplit("\t", 1)[0]
    found = problems(tmp_path, corpus, [row])
    assert columns(found) == [(2, "-")] and "expected 8 fields, found 7" in found[0].message


def test_doc_id_source_and_optional_values_are_checked(tmp_path, corpus):
    row = GOOD_ROWS[0].replace("inv1\t", "other\t", 1).replace("\ttext\t0\t", "\tfigure\tyes\t")
    found = problems(tmp_path, corpus, [row])
    assert {c for _, c in columns(found)} >= {"doc_id", "source", "optional"}


def test_empty_file_is_reported(tmp_path, corpus):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "inv1.tsv").write_text("")
    found = check_gold(gold, corpus, lexicon=None, ontology=None)
    assert columns(found) == [(0, "-")]


def test_mirna_core_is_loose_on_number_and_strict_on_let7():
    assert mirna_core("miR-21-5p").search("miR-21 and")
    assert not mirna_core("miR-21-5p").search("miR-210")
    assert mirna_core("miR-17-92 cluster").search("miR-17~92")
    assert mirna_core("let-7a").search("let7a")
    assert not mirna_core("let-7a").search("let-7b")


def test_gold_check_command_exit_status(tmp_path, corpus, capsys, monkeypatch):
    # the command reads the repository lexicon and the default ontology: keep both out of the test
    monkeypatch.setattr("mirkb.goldcheck.LEXICON_FILE", tmp_path / "none.jsonl")
    gold = write(tmp_path, GOOD_ROWS[:3])
    assert main(["gold", "check", "--gold", str(gold), "--corpus", str(corpus)]) == 0
    assert "no problems" in capsys.readouterr().out
    write(tmp_path, [GOOD_ROWS[0].replace("upregulated", "overexpressed")])
    assert main(["gold", "check", "--gold", str(gold), "--corpus", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert "inv1.tsv:2: effect:" in out and "1 problem(s)" in out


def test_gold_stats_markdown(tmp_path, corpus, capsys):
    gold = write(tmp_path, GOOD_ROWS)
    assert main(["gold", "stats", "--gold", str(gold), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| inv1 | 3 | 1 | 4 | 2 |" in out
    assert "| promotes_growth | 0 | 1 | 1 | 0 |" in out
    assert "| upregulated | 1 | 0 | 1 | 2 |" in out


# --------------------------------------------------------------------------- the real gold

GOLD_DIR = settings.REPO_ROOT / "gold"
#: The two documents whose gold is being curated; listed so their absence fails rather than
#: silently shrinking the parametrisation to nothing.
EXPECTED_GOLD = ("li2022_jtm_20_6", "yin2021_jtm_19_312")
REAL_GOLD = sorted(set(EXPECTED_GOLD) | {p.stem for p in GOLD_DIR.glob("*.tsv")})


def test_gold_folder_has_gold_tsv_files():
    # Expected to fail until the curated gold lands at gold/<doc_id>.tsv (drafts live in gold/parts/).
    assert sorted(GOLD_DIR.glob("*.tsv")), f"no gold TSV at {GOLD_DIR}/*.tsv yet"


@pytest.mark.parametrize("doc_id", REAL_GOLD)
def test_real_gold_file_is_valid(doc_id):
    path = GOLD_DIR / f"{doc_id}.tsv"
    assert path.is_file(), f"{path} has not landed yet"
    found = check_gold(path, settings.default_corpus())
    assert found == [], "\n".join(map(str, found))
