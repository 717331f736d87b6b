"""find_text_tables / table_mentions: invented flattened tables of each shape."""

from __future__ import annotations

import pytest

from extractors.schema import Table
from extractors.tables import cell_effects, column_role, find_text_tables, parse_header, table_mentions

PROSE = ("Running text resumes here and miR-9 was shown to promote invasion in gastric cancer cells in "
         "a mouse model. It is a sentence, not a cell.\n")

CELL_PER_LINE = """Some introduction line.

Table 3 Invented exosomal markers
Cancer

Exosomal miRNAs

Donor

Recipient

Function

Refs.

Breast cancer

miR-21, -155 and -221

Invented donor
cells

/

Progression, angiogenesis

[4]

miR-34a

Stromal cells

Endothelial cells

Inhibitor

[5, 6]
 Table 3 (continued)
Cancer

Exosomal miRNAs

Donor

Recipient

Function

Refs.

Gastric cancer

miR-10b

Macrophage

Gastric cells

Diagnosis

[7]

miR-200c

Serum

A549

Metastasis

[8]

"""


def _triples(mentions):
    return {(m.mirna, m.cancer, m.effect) for m in mentions}


def _only(text: str) -> Table:
    tables = find_text_tables(text)
    assert len(tables) == 1
    return tables[0]


def test_cell_per_line_rows_and_header():
    table = _only(CELL_PER_LINE)
    assert table.shape == "cell-per-line"
    assert table.header == ["Cancer", "Exosomal miRNAs", "Donor", "Recipient", "Function", "Refs."]
    assert [row[1] for row in table.rows] == ["miR-21, -155 and -221", "miR-34a", "miR-10b", "miR-200c"]
    assert table.rows[0][2] == "Invented donor cells"  # a wrapped cell is one cell


def test_multi_mirna_cell_and_multi_effect_cell():
    found = _triples(table_mentions("d", _only(CELL_PER_LINE)))
    for name in ("miR-21", "miR-155", "miR-221"):
        assert (name, "breast cancer", "promotes_growth") in found
        assert (name, "breast cancer", "promotes_angiogenesis") in found


def test_first_column_carries_down_until_next_label():
    found = _triples(table_mentions("d", _only(CELL_PER_LINE)))
    assert ("miR-34a", "breast cancer", "suppresses_tumor") in found
    assert ("miR-10b", "gastric cancer", "diagnostic_marker") in found


def test_continued_header_is_not_a_row_and_rows_go_on():
    table = _only(CELL_PER_LINE)
    assert len(table.rows) == 4
    assert not any("Exosomal miRNAs" in cell for row in table.rows for cell in row)


def test_cell_line_in_row_beats_carried_label():
    found = _triples(table_mentions("d", _only(CELL_PER_LINE)))
    assert ("miR-200c", "lung cancer", "promotes_metastasis") in found  # A549 is a lung cancer line
    assert not any(m == "miR-200c" and c == "gastric cancer" for m, c, _ in found)


def test_row_spans_point_at_the_rows():
    table = _only(CELL_PER_LINE)
    start, end = table.row_spans[1]
    assert CELL_PER_LINE[start:end].startswith("miR-34a") and CELL_PER_LINE[start:end].endswith("[5, 6]")


def test_table_followed_by_prose_ends_before_it():
    text = CELL_PER_LINE + PROSE
    table = _only(text)
    prose_at = text.index("Running text")
    assert table.end <= prose_at
    mentions = table_mentions("d", table)
    assert mentions and all(m.end <= prose_at for m in mentions)
    assert not any(m.mirna == "miR-9" for m in mentions)


def test_stacked_labels_wait_for_a_row_that_names_them():
    text = """Table 1 Invented
Cancer

miRNAs

Donor

Effect

Refs.

Prostate cancer

miR-21

PCa cells

Metastasis

[1]

Ovarian cancer

Breast cancer

miR-155

Plasma

Prognosis

[2]

miR-221

SKOV-3

Proliferation

[3]

miR-222

Serum

Metastasis

[4]
"""
    found = _triples(table_mentions("d", _only(text)))
    assert ("miR-155", "prostate cancer", "prognostic_marker") in found  # no row named the stacked ones yet
    assert ("miR-221", "ovarian cancer", "promotes_growth") in found
    assert ("miR-222", "ovarian cancer", "promotes_metastasis") in found


def _rotate(text: str) -> str:
    """Fragments of two characters, one per line, two lines then a blank line (a rotated page)."""
    pieces = [text[i:i + 2] for i in range(0, len(text), 2)]
    lines = []
    for k in range(0, len(pieces), 2):
        lines.extend(pieces[k:k + 2])
        lines.append("")
    return "\n".join(lines)


ROTATED_BODY = ("Table 4 Invented roles of exosomes in colorectal cancer"
                "Source of exosomeExosomal componentMechanism or pathwayPrincipal effectsReferences"
                "Tumor cellsmiR-92a and miR-19bActivates an invented pathwayPromoted migration and invasion[12]"
                "PlasmamiR-375Binds a made-up targetInhibited proliferation[13]"
                "Stromal cellscircABC1Sponges miR-21 in invented cellsEnhanced growth[14]")


def test_rotated_fragments_are_reassembled_into_rows():
    text = "Prose before the table.\n\n" + _rotate(ROTATED_BODY) + "\n\nProse after the table resumes here.\n"
    table = _only(text)
    assert table.shape == "rotated"
    assert table.caption.startswith("Table 4 Invented roles")
    assert table.header[1] == "Exosomal component"
    assert len(table.rows) == 3
    assert table.end <= text.index("Prose after")
    found = _triples(table_mentions("d", table))
    assert ("miR-92a", "colorectal cancer", "promotes_metastasis") in found  # cancer from the caption
    assert ("miR-19b", "colorectal cancer", "promotes_metastasis") in found
    assert ("miR-375", "colorectal cancer", "suppresses_tumor") in found


def test_rotated_row_about_another_rna_gives_no_mirna_triple():
    text = _rotate(ROTATED_BODY)
    found = _triples(table_mentions("d", _only(text)))
    assert not any(m == "miR-21" for m, _, _ in found)


WRAPPED = """Table 2 Invented predictive use
Source Component Effect Ref

NSCLC patients miR-21 and miR-155 Higher levels predict poor
survival in patients
[21]

Serum of bladder cancer patients miR-126 Diagnostic biomarker of bladder cancer [22]

Plasma samples miR-17 Correlates with tumour
stage and distinguishes
patients from controls
[23]
 (hsa_circ_000) could suppress invasion of lung cancer cells, and miR-31 promotes growth. The
text goes on as a paragraph.
"""


def test_wrapped_cells_rows_split_by_content():
    table = _only(WRAPPED)
    assert table.shape == "wrapped-cells"
    assert table.header == ["Source", "Component", "Effect", "Ref"]
    assert table.rows[0][:2] == ["NSCLC patients", "miR-21 and miR-155"]
    assert table.rows[0][3] == "[21]"
    found = _triples(table_mentions("d", table))
    assert ("miR-21", "non-small cell lung carcinoma", "prognostic_marker") in found
    assert ("miR-126", "bladder cancer", "diagnostic_marker") in found
    assert ("miR-17", "lung cancer", "diagnostic_marker") not in found


def test_wrapped_cells_table_stops_at_running_text():
    table = _only(WRAPPED)
    assert table.end <= WRAPPED.index(" (hsa_circ")
    assert not any(m.mirna == "miR-31" for m in table_mentions("d", table))


SPACED = """Table 5 Invented aligned table
miRNA        Cancer type           Function
miR-21       Gastric cancer        Proliferation
miR-145      Colorectal cancer     Tumor suppressor
miR-155      Melanoma              Drug resistance

A new paragraph begins with a sentence that mentions miR-7 and breast cancer growth. More text.
"""


def test_space_aligned_rows():
    table = _only(SPACED)
    assert table.shape == "space-aligned"
    assert table.rows[1] == ["miR-145", "Colorectal cancer", "Tumor suppressor"]
    assert table.end <= SPACED.index("A new paragraph")
    assert _triples(table_mentions("d", table)) == {
        ("miR-21", "gastric cancer", "promotes_growth"),
        ("miR-145", "colorectal cancer", "suppresses_tumor"),
        ("miR-155", "melanoma", "drug_resistance"),
    }


@pytest.mark.parametrize(("cell", "expected"), [
    ("Angiogenesis", ["promotes_angiogenesis"]),
    ("Bone metastasis", ["promotes_metastasis"]),
    ("Proliferation and metastasis", ["promotes_growth", "promotes_metastasis"]),
    ("Inhibitor", ["suppresses_tumor"]),
    ("Suppressor", ["suppresses_tumor"]),
    ("Inhibited invasion", ["suppresses_tumor"]),
    ("Diagnosis", ["diagnostic_marker"]),
    ("Survival prognosis", ["prognostic_marker"]),
    ("Inflammation", ["modulates_microenvironment"]),
    ("Drug resistance", ["drug_resistance"]),
    ("Downregulated", ["downregulated"]),
    ("/", []),
])
def test_cell_effects(cell, expected):
    assert cell_effects(cell) == expected


def test_marker_column_reads_a_process_as_prognosis():
    assert cell_effects("Higher in patients with bone metastasis", marker_column=True) == ["prognostic_marker"]


@pytest.mark.parametrize(("name", "role"), [
    ("Exosomal miRNAs", "mirna"), ("Type of biomarker", "effect"), ("Recipient", "context"),
    ("Refs.", "ref"), ("Cancer", "cancer"), ("Mechanism or pathway", "other"), ("Lung cancer cells", None),
])
def test_column_roles(name, role):
    assert column_role(name) == role


def test_run_together_header_splits_into_columns():
    assert parse_header("Experimental model/source Exosomal component Predictive effect References") == [
        "Experimental model/source", "Exosomal component", "Predictive effect", "References"]


def test_text_without_tables_gives_none():
    assert find_text_tables("Table 1 shows that miR-21 is high in lung cancer.\n" + PROSE) == []


# --- flattened rows ---------------------------------------------------------------------------------

PIPE_TABLE = """Some running text before the table.
Table 3 Invented miRNA changes in renal cell carcinoma
Invented module | | Score
miRNA (up)ᵃ | Target | Score
hsa-miR-21 | GENE1 | 5
 | GENE2 | 4
hsa-miR-155 | GENE3 | 3
ᵃ Invented tissue pairs.
Running text resumes here.
"""


def test_flattened_rows_with_pipes_read_by_the_table_model():
    table = _only(PIPE_TABLE)
    assert table.shape == "delimited"
    assert table.header_rows == [["Invented module", "Invented module", "Score"], ["miRNA (up)ᵃ", "Target", "Score"]]
    assert table.footnotes == "ᵃ Invented tissue pairs."
    assert [PIPE_TABLE[a:b] for a, b in table.row_spans][1] == " | GENE2 | 4"
    found = _triples(table_mentions("d", table))
    assert found == {("miR-21", "renal cell carcinoma", "upregulated"),
                     ("miR-155", "renal cell carcinoma", "upregulated")}


def test_flattened_rows_with_tabs_and_a_group_row():
    text = ("Table 1 Invented profile\nmiRNA\tFold change\tP value\nMelanoma\nmiR-21\t2.5\t0.001\n"
            "miR-155\t0.3\t0.02\nGlioma\nmiR-34a\t1.9\t0.4\n")
    table = _only(text)
    found = _triples(table_mentions("d", table))
    assert found == {("miR-21", "melanoma", "upregulated"), ("miR-155", "melanoma", "downregulated")}


def test_flattened_rows_with_runs_of_spaces():
    text = ("Table 2 Invented roles\nCancer type     miRNA      Function\n"
            "Lung, breast    miR-21     Promotes invasion\n"
            "Gastric cancer  miR-34a    Tumour suppressor\n")
    found = _triples(table_mentions("d", _only(text)))
    assert found == {("miR-21", "lung cancer", "promotes_metastasis"), ("miR-21", "breast cancer", "promotes_metastasis"),
                     ("miR-34a", "gastric cancer", "suppresses_tumor")}


def test_prose_with_a_pipe_is_not_a_table():
    assert find_text_tables("We measured miR-21 | and nothing else.\nNext sentence here.\n") == []


def test_flattened_footnotes_run_together_are_split_at_their_marks():
    text = ("Table 4 Invented modules\nmiR (up)b | Target | Pearson r (cell lines)c\nmiR-21 | GENE1 | -0.4\n"
            "miR-155 | GENE2 | -0.6\naInvented study. bLevels measured in melanoma tissue. cMeasured in glioma "
            "cell lines.\n")
    table = _only(text)
    assert table.footnotes.splitlines()[1] == "ᵇ Levels measured in melanoma tissue."
    found = _triples(table_mentions("d", table))
    assert found == {("miR-21", "melanoma", "upregulated"), ("miR-155", "melanoma", "upregulated")}
