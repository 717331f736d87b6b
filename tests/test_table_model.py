"""The one table model (issue 8 §2), on invented tables: JATS, structured and flattened."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from extractors.cancer import load_lexicon
from extractors.ingest.xml import read_xml
from extractors.schema import Table
from extractors.table_model import (
    TableContext,
    column_info,
    fill_spans,
    footnote_definitions,
    jats_tables,
    numeric_direction,
    organ_cancers,
    read_table,
)


def _triples(mentions):
    return {(m.mirna, m.cancer, m.effect) for m in mentions}


def _read(header, rows, caption="Table 1 Invented", footnotes="", ctx=None, header_rows=None, shape="jats"):
    table = Table(caption=caption, header=header, rows=rows, header_rows=header_rows or [], footnotes=footnotes,
                  shape=shape)
    return _triples(read_table("d", table, ctx))


def _concept(name):
    return load_lexicon().lookup(name)


# --- spanning cells ---------------------------------------------------------------------------

JATS_WRAP = """<table-wrap><label>Table 2</label><caption><p>Invented miRNA levels<sup>a</sup></p></caption>
<table><thead>
<tr><th rowspan="2">Cancer</th><th colspan="2">Invented profile</th></tr>
<tr><th>miRNA</th><th>Regulation<sup>b</sup></th></tr>
</thead><tbody>
<tr><td rowspan="2">Glioma</td><td>miR-21</td><td>Increased</td></tr>
<tr><td>miR-155</td><td>Decreased</td></tr>
<tr><td colspan="3">Melanoma</td></tr>
<tr><td/><td>miR-10b</td><td>Increased</td></tr>
</tbody></table>
<table-wrap-foot><fn><p><sup>a</sup>Invented cohort of patients.</p></fn>
<fn><p><sup>b</sup>Tumour against normal tissue.</p></fn></table-wrap-foot></table-wrap>"""


def test_fill_spans_repeats_a_cell_into_every_position_it_covers():
    grid = fill_spans([[("A", 2, 1), ("B", 1, 2)], [("C", 1, 1), ("D", 1, 1)], [("E", 1, 3)]])
    assert grid == [["A", "B", "B"], ["A", "C", "D"], ["E", "E", "E"]]


def test_jats_rowspan_and_colspan_fill_header_and_body():
    [table] = jats_tables(etree.fromstring(JATS_WRAP))
    assert table.header_rows[0] == ["Cancer", "Invented profile", "Invented profile"]
    assert table.header_rows[1][0] == "Cancer"  # the rowspan header reaches the second header row
    assert table.header_rows[1][2] == "Regulationᵇ"  # the footnote mark is kept apart, in superscript
    assert table.rows[1] == ["Glioma", "miR-155", "Decreased"]
    assert table.rows[2] == ["Melanoma"] * 3
    assert table.footnotes.splitlines() == ["ᵃ Invented cohort of patients.", "ᵇ Tumour against normal tissue."]


def test_jats_table_read_end_to_end(tmp_path: Path):
    xml = (f"<article><front><article-meta><title-group><article-title>An invented study</article-title>"
           f"</title-group></article-meta></front><body><sec><title>Results</title><p>Text.</p>{JATS_WRAP}"
           f"</sec></body></article>").encode()
    doc = read_xml(tmp_path / "x.xml", xml)
    [table] = doc.tables
    found = _triples(read_table("x", table))
    assert ("miR-21", "glioma", "upregulated") in found
    assert ("miR-155", "glioma", "downregulated") in found  # the rowspan cell covers this row
    assert ("miR-10b", "melanoma", "upregulated") in found  # group row, then an empty cancer cell
    assert not any(m == "miR-10b" and c == "glioma" for m, c, _ in found)
    start, end = table.row_spans[1]
    assert doc.text[start:end] == "Glioma | miR-155 | Decreased"


# --- continuation cells and group rows --------------------------------------------------------------


def test_empty_continuation_cells_inherit_the_cell_above():
    found = _read(["Cancer", "miRNA", "Target", "Function"],
                  [["Gastric cancer", "miR-34a", "GENE1", "Promotes invasion"],
                   ["", "", "GENE2", "Promotes proliferation"],
                   ["", "miR-200c", "GENE3", "Tumour suppressor"]])
    assert ("miR-34a", "gastric cancer", "promotes_growth") in found  # miRNA and cancer both continued
    assert ("miR-200c", "gastric cancer", "suppresses_tumor") in found


def test_group_rows_set_the_cancer_until_the_next_group_row():
    found = _read(["miRNA", "Expression", "Reference"],
                  [["Breast cancer", "", ""],
                   ["miR-375", "Upregulated", "[1]"],
                   ["miR-9", "Downregulated", "[2]"],
                   ["Prostate cancer", "", ""],
                   ["miR-221", "Upregulated", "[3]"]])
    assert {("miR-375", "breast cancer", "upregulated"), ("miR-9", "breast cancer", "downregulated"),
            ("miR-221", "prostate cancer", "upregulated")} <= found
    assert not any(m == "miR-221" and c == "breast cancer" for m, c, _ in found)


def test_an_unrecognised_group_label_ends_the_previous_group():
    found = _read(["miRNA", "Expression"],
                  [["Melanoma", ""], ["miR-222", "Upregulated"],
                   ["Invented cohort B", ""], ["miR-126", "Upregulated"]])
    assert ("miR-222", "melanoma", "upregulated") in found
    assert not any(m == "miR-126" for m, _, _ in found)  # no cancer left for it


def test_group_row_can_state_the_direction():
    found = _read(["miRNA", "Target"], [["Up-regulated miRNAs", ""], ["miR-145", "GENE1"],
                                        ["Down-regulated miRNAs", ""], ["miR-143", "GENE2"]],
                  caption="Table 1 Invented miRNAs in bladder cancer")
    assert found == {("miR-145", "bladder cancer", "upregulated"), ("miR-143", "bladder cancer", "downregulated")}


# --- header roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("levels, role, direction", [
    (["miR (up)ᵇ"], "mirna", "upregulated"),
    (["Invented module", "miR (down)b"], "mirna", "downregulated"),
    (["Up-regulated miRNA"], "mirna", "upregulated"),
    (["Downregulated miRNAs"], "mirna", "downregulated"),
    (["mRNA (down)"], "other", ""),
    (["ncRNA"], "mirna", ""),
    (["Function"], "effect", ""),
    (["Role"], "effect", ""),
    (["Oncogene or tumor suppressor"], "effect", ""),
    (["Fold change (T/N)"], "fold", ""),
    (["log2 fold change"], "logfold", ""),
    (["T/N ratio"], "fold", ""),
    (["q value"], "pvalue", ""),
    (["Pearson r"], "other", ""),
])
def test_header_roles_from_qualified_or_split_headers(levels, role, direction):
    info = column_info(levels)
    assert (info.role, info.direction) == (role, direction)


def test_expression_in_a_place_names_the_cancer_of_the_column():
    info = column_info(["Expression in glioma"])
    assert info.role == "effect" and [c.canonical for c in info.cancers] == ["glioma"]
    found = _read(["miRNA", "Expression in glioma"], [["miR-31", "Decreased"]], caption="Table 1 Invented")
    assert found == {("miR-31", "glioma", "downregulated")}


def test_split_header_direction_reaches_every_mirna_of_the_column():
    found = _read(["Invented module miR (up)", "Invented module mRNA (down)", "Pearson r"],
                  [["hsa-miR-17", "GENE1", "−0.5"], ["hsa-miR-20a", "GENE2", "0.1"]],
                  header_rows=[["Invented module", "Invented module", "Pearson r"], ["miR (up)", "mRNA (down)", ""]],
                  caption="Table 1 Invented modules in melanoma")
    assert found == {("miR-17", "melanoma", "upregulated"), ("miR-20a", "melanoma", "upregulated")}


def test_role_codes_are_explained_by_the_footnote():
    assert footnote_definitions("O, oncogene; TS, tumour suppressor.") == {"O": "oncogene", "TS": "tumour suppressor"}
    found = _read(["miRNA", "Oncogene or tumor suppressor"], [["miR-92a", "TS"], ["miR-106b", "O"]],
                  caption="Table 1 Invented miRNAs in glioma", footnotes="O, oncogene; TS, tumour suppressor.")
    assert found == {("miR-92a", "glioma", "suppresses_tumor"), ("miR-106b", "glioma", "promotes_growth")}


def test_mirna_column_found_by_its_content_when_its_header_is_unknown():
    found = _read(["Probe", "Invented score", "Function"],
                  [["hsa-miR-125b", "12", "Promotes metastasis"], ["hsa-miR-146a", "9", "Tumour suppressor"]],
                  caption="Table 1 Invented probes in pancreatic cancer")
    assert found == {("miR-125b", "pancreatic cancer", "promotes_metastasis"),
                     ("miR-146a", "pancreatic cancer", "suppresses_tumor")}


# --- cancer from caption, footnote, title ----------------------------------------------------------


def test_cancer_from_the_caption_keeps_every_type_named():
    found = _read(["miRNA", "Function"], [["miR-181a", "Promotes invasion"]],
                  caption="Table 1 Invented miRNAs in lung cancer and non-small cell lung cancer")
    assert found == {("miR-181a", "lung cancer", "promotes_metastasis"),
                     ("miR-181a", "non-small cell lung carcinoma", "promotes_metastasis")}


def test_cancer_from_the_footnote_marked_on_the_columns_read():
    found = _read(["miRNA (up)ᵃ", "GENE", "Pearson r"], [["miR-192", "GENE1", "0.4"]],
                  header_rows=[["miRNA (up)ᵃ", "GENE", "Correlation (cell lines)ᵇ"]],
                  footnotes="ᵃ Invented levels in melanoma against normal skin.\nᵇ Measured in glioma cell lines.")
    assert found == {("miR-192", "melanoma", "upregulated")}  # footnote b is about another column


def test_cancer_from_a_document_defined_abbreviation_in_the_footnote():
    ctx = TableContext(abbreviations={"IVC": _concept("glioma")})
    found = _read(["miRNA", "Function"], [["miR-194", "Promotes proliferation"]],
                  footnotes="Profiles of 12 IVC patients.", ctx=ctx)
    assert found == {("miR-194", "glioma", "promotes_growth")}


def test_cancer_from_the_document_title_when_nothing_else_names_one():
    ctx = TableContext(title_cancers=[_concept("bladder cancer"), _concept("prostate cancer")])
    found = _read(["miRNA", "Role"], [["miR-196a", "Oncogene"]], ctx=ctx)
    assert found == {("miR-196a", "bladder cancer", "promotes_growth"), ("miR-196a", "prostate cancer", "promotes_growth")}


def test_no_cancer_anywhere_gives_nothing():
    assert _read(["miRNA", "Role"], [["miR-210", "Oncogene"]]) == set()


# --- direction from numbers ---------------------------------------------------------------------------


def test_direction_from_fold_change_with_p_values():
    found = _read(["miRNA", "Fold change", "P value"],
                  [["miR-214", "3.2", "0.001"], ["miR-223", "0.4", "<0.01"], ["miR-29a", "2.5", "0.30"]],
                  caption="Table 1 Invented profile of colorectal cancer tissue")
    assert ("miR-214", "colorectal cancer", "upregulated") in found
    assert ("miR-223", "colorectal cancer", "downregulated") in found
    assert not any(m == "miR-29a" for m, _, _ in found)  # not significant: no direction


def test_direction_from_log_ratio_and_q_value_and_from_a_caption_that_says_significant():
    found = _read(["miRNA", "log2FC", "q value"], [["miR-30a", "−1.8", "1.2 × 10−4"], ["miR-1", "0.9", "0.2"]],
                  caption="Table 1 Invented glioma profile")
    assert found == {("miR-30a", "glioma", "downregulated")}
    found = _read(["miRNA", "T/N ratio"], [["miR-7", "2.1"], ["miR-15a", "0.3"]],
                  caption="Table 1 miRNAs significantly changed in invented melanoma samples (P < 0.05)")
    assert found == {("miR-7", "melanoma", "upregulated"), ("miR-15a", "melanoma", "downregulated")}


def test_numeric_direction_threshold():
    assert numeric_direction("1.0", False, False, "0.001", False) == ""  # no change
    assert numeric_direction("-2.0", False, True, "0.049", False) == "downregulated"  # signed fold change
    assert numeric_direction("2.0", False, False, "0.05", False) == ""  # p must be below 0.05
    assert numeric_direction("2.0", False, False, None, False) == ""  # no significance given


# --- organ names ----------------------------------------------------------------------------------


def test_bare_organ_names_in_a_cancer_column_are_cancers_of_those_organs():
    assert [c.canonical for c in organ_cancers("Lung, breast")] == ["lung cancer", "breast cancer"]
    assert [c.canonical for c in organ_cancers("Ovary and pancreas")] == ["ovarian cancer", "pancreatic cancer"]
    assert organ_cancers("Serum") == []
    found = _read(["Tumour type", "miRNA", "Function"], [["Lung, breast", "miR-16", "Promotes metastasis"]])
    assert found == {("miR-16", "lung cancer", "promotes_metastasis"),
                     ("miR-16", "breast cancer", "promotes_metastasis")}


def test_a_short_form_we_cannot_read_stops_the_guess_from_the_title():
    ctx = TableContext(title_cancers=[_concept("glioma")], unresolved={"OXC"})
    assert _read(["miRNA", "Role"], [["miR-21", "Oncogene"]], caption="Table 1 Profiles of OXC", ctx=ctx) == set()
    assert _read(["miRNA", "Role"], [["miR-21", "Oncogene"]], caption="Table 1 Profiles", ctx=ctx) == {
        ("miR-21", "glioma", "promotes_growth")}
