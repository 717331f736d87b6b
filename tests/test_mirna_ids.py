"""miRBase 22.1 accessions and statuses for every miRNA (issue 10 §2), on invented sentences."""

import pytest

from extractors.mirna import MIRNA_STATUSES, find_mirnas, mirbase_id
from extractors.pipeline import Extractor
from extractors.schema import OUTPUT_COLUMNS, Document


@pytest.mark.parametrize(("name", "accession", "status"), [
    ("miR-21-5p", "MIMAT0000076", "current"),
    ("miR-21", "MIMAT0000076", "previous"),  # miRBase's own previous name decides the arm
    ("miR-1246", "MIMAT0005898", "current"),  # one mature product, no arm in its name
    ("miR-378", "MIMAT0000732;MIMAT0000731", "ambiguous"),  # an old name of two entries
    ("miR-200 family", "", "family"),
    ("miR-17-92 cluster", "", "family"),
    ("miR-290", "", "unknown"),
])
def test_accession_and_status(name, accession, status):
    assert mirbase_id(name) == (accession, status)
    assert status in MIRNA_STATUSES


def test_armless_name_with_both_arms_and_no_previous_mapping_is_ambiguous():
    # miR-7-2 has one arm only, so it is that arm; let-7a-2 likewise
    assert mirbase_id("miR-7-2")[1] == "current"
    ids, status = mirbase_id("miR-142")
    assert status == "ambiguous" and ids.count("MIMAT") == 2


def test_well_formed_unknown_names_are_kept_but_debris_is_not():
    assert [m.names for m in find_mirnas("miR-2901 rose while miR-21 fell")] == [("miR-2901",), ("miR-21",)]
    assert find_mirnas("miRNA-2 l was read") == []  # §2: a name that cannot be read is left out
    assert find_mirnas("miR2901 and miR 2901") == []  # run-together text is not trusted


def test_output_rows_carry_id_and_status_after_the_contract_columns():
    assert OUTPUT_COLUMNS[-2:] == ("mirna_id", "mirna_status")
    rows = Extractor().extract(Document("t", "t.txt", "txt",
                                        "miR-2901 and miR-21 were higher in gastric cancer than in normal tissue.", "0"))
    got = {(m.mirna, m.mirna_id, m.mirna_status) for m in rows}
    assert got == {("miR-2901", "", "unknown"), ("miR-21", "MIMAT0000076", "previous")}


def test_known_number_without_its_member_letter_is_ambiguous_without_an_id():
    assert mirbase_id("miR-181") == ("", "ambiguous")  # miR-181a, b, c, d exist
