"""clean_text: line joining, line-end hyphens, headings and the exact map back to raw offsets."""

from __future__ import annotations

import random
import re
import time

import pytest

from extractors.clean import _lines, clean_text, furniture_lines, is_heading
from mirkb.settings import REPO_ROOT

CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def test_lowercase_word_split_at_line_end_is_rejoined():
    assert clean_text("The tumour showed metasta-\nsis in the liver.").text == (
        "The tumour showed metastasis in the liver."
    )


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("levels of miR-\n23a rose", "miR-23a"),
        ("signalling by TGF-\nβ was", "TGF-β"),
        ("secretion of IL-\n6 fell", "IL-6"),
        ("members of let-\n7a family", "let-7a"),
        ("mature hsa-miR-\n21 strand", "hsa-miR-21"),
        ("the CD-\n44 marker", "CD-44"),
        ("in non-\nsmall cells", "non-small"),
    ],
)
def test_hyphen_of_a_name_is_kept_when_joining(raw, joined):
    assert joined in clean_text(raw).text


def test_hyphen_kept_when_document_writes_the_compound_on_one_line():
    raw = "Plasma-derived vesicles were counted.\nWe saw plasma-\nderived vesicles again."
    assert "plasma-derived vesicles again" in clean_text(raw).text


def test_lines_of_a_paragraph_join_with_one_space_and_blank_lines_stay():
    raw = "First line of text\ngoes on here.\n\n\nSecond paragraph\nends here."
    assert clean_text(raw).text == "First line of text goes on here.\n\nSecond paragraph ends here."


def test_heading_keeps_its_own_line_and_is_reported():
    raw = "Gastric cancer\nTumours of the stomach grew in the model.\nThey spread."
    cleaned = clean_text(raw)
    assert cleaned.text == "Gastric cancer\nTumours of the stomach grew in the model. They spread."
    assert [cleaned.text[a:b] for a, b in cleaned.headings] == ["Gastric cancer"]


@pytest.mark.parametrize(
    ("line", "next_line", "prev_line", "expected"),
    [
        ("Gastric cancer", "Tumours grew.", None, True),
        ("2.1 Cell culture", "Cells were grown.", "The end.", True),
        ("Tumours grew in all of the", "Mice treated later.", None, False),
        ("Results", "the cells grew", None, False),
        ("A short sentence.", "Next one.", None, False),
        ("Gastric cancer", "Tumours grew.", "cells that were in", False),
    ],
)
def test_is_heading_policy(line, next_line, prev_line, expected):
    assert is_heading(line, next_line, prev_line) is expected


def test_odd_whitespace_soft_hyphen_and_form_feed():
    raw = "The ex\u00adpression\u00a0of genes\fwas high."
    assert clean_text(raw).text == "The expression of genes was high."


def test_crlf_line_ends():
    assert clean_text("One line\r\nand the next.\r\n").text == "One line and the next."


def _squash(s: str) -> str:
    return re.sub(r"[\s\u00ad\u200b-]", "", s)


def test_random_spans_map_back_exactly():
    raw = (
        "Results\nThe metasta-\nsis of miR-\n23a\u00a0cells   grew.\n\n\fNext\u00adone   here\r\n"
        "  Indented line with TGF-\nβ and IL-\n6 and colo-\nrectal cancer.\n\nEnd."
    )
    cleaned = clean_text(raw)
    rng = random.Random(7)
    assert len(cleaned.offsets) == len(cleaned.text) + 1
    for _ in range(500):
        start = rng.randrange(len(cleaned.text))
        end = rng.randrange(start, len(cleaned.text) + 1)
        a, b = cleaned.raw_span(start, end)
        assert _squash(raw[a:b]) == _squash(cleaned.text[start:end])


def test_every_cleaned_character_comes_from_the_same_raw_character():
    raw = "Alpha beta-\ngamma delta.\n\nEpsilon\u00a0zeta."
    cleaned = clean_text(raw)
    for i, ch in enumerate(cleaned.text):
        if not ch.isspace():
            assert raw[cleaned.raw_offset(i)] == ch


def test_corpus_files_clean_fast_and_keep_every_letter():
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 2
    raws = [f.read_text(encoding="utf-8") for f in files]
    start = time.perf_counter()
    results = [clean_text(raw) for raw in raws]
    elapsed = time.perf_counter() - start
    assert elapsed < 0.1 * 3  # well under 100 ms on a quiet machine; slack for a shared CPU
    for raw, cleaned in zip(raws, results, strict=True):
        # every letter survives except those of page furniture lines, which are dropped on purpose
        lines = _lines(raw)
        furniture = furniture_lines(lines)
        kept = "".join(text for i, (_, _, text) in enumerate(lines) if i not in furniture)
        assert re.sub(r"[^A-Za-z0-9]", "", kept) == re.sub(r"[^A-Za-z0-9]", "", cleaned.text)
        assert "\n" not in cleaned.text[cleaned.headings[0][0]:cleaned.headings[0][1]]


def test_page_furniture_inside_a_sentence_is_dropped_and_the_sentence_joined():
    raw = ("Serum miR-933 was elevated in glioma and correlated with\n\nDoe et al. Journal of Invented Studies\n\n"
           "(2024) 3:7\n\npoor survival of the patients.\nA second page.\n\nDoe et al. Journal of Invented Studies\n\n"
           "(2024) 3:7\n\nPage 2 of 9\n\nThe end.")
    text = clean_text(raw).text
    assert "correlated with poor survival of the patients." in text
    assert "et al" not in text and "(2024)" not in text and "Page 2 of 9" not in text
