"""PDF parsing and chunking on real PDFs: rows on one line, labels, headers, page bounds."""

import re

import pytest

from documents.chunking import PageText, estimate_tokens, plan_chunks
from documents.parsing import PdfRejected, extract_pages, find_boilerplate, inspect_pdf
from tests.data.pdf_factory import (
    column_major_table_pdf,
    column_prose,
    columns_pdf,
    filler,
    framed_columns_pdf,
    make_pdf,
)


def test_table_drawn_column_by_column_comes_back_one_row_per_line():
    text = next(extract_pages(column_major_table_pdf())).text
    assert "Revenue  1,482.3  1,301.7" in text.splitlines()
    assert "Cost of sales  (842.1)  (702.5)" in text.splitlines()


def test_two_column_prose_comes_out_left_column_then_right_column():
    west, east = column_prose("west", 12), column_prose("east", 10)
    text = next(extract_pages(columns_pdf([west, east]))).text
    assert text.splitlines() == west + east


def test_three_column_prose_comes_out_column_by_column():
    west, north, east = column_prose("west", 9), column_prose("north", 9), column_prose("east", 6)
    text = next(extract_pages(columns_pdf([west, north, east]))).text
    assert text.splitlines() == west + north + east


def test_short_last_lines_of_column_paragraphs_stay_in_their_column():
    west = [*column_prose("west", 4), "and costs.", *column_prose("west", 4)]
    east = [*column_prose("east", 6), "in the year."]
    text = next(extract_pages(columns_pdf([west, east]))).text
    assert text.splitlines() == west + east


def test_a_few_lines_ending_a_text_in_the_right_column_read_after_the_left_column():
    west = column_prose("west", 10)
    east = ["appetite.", "we expect 310,000 to 340,000 tonnes of", "spodumene in FY2025."]
    text = next(extract_pages(columns_pdf([west, east]))).text
    assert text.splitlines() == west + east


def test_full_width_heading_and_table_around_columns_keep_their_lines():
    west, east = column_prose("west", 8), column_prose("east", 8)
    table = [("Revenue", "1,482.3", "1,301.7"), ("Total recordable injury rate", "3.1", "4.4")]
    data = columns_pdf([west, east], heading="Chair's review", table_below=table)
    assert next(extract_pages(data)).text.splitlines() == [
        "## Chair's review",
        *west,
        *east,
        "Revenue  1,482.3  1,301.7",
        "Total recordable injury rate  3.1  4.4",
    ]


# Paragraphs enough to reach well into the last column of the one page.
@pytest.mark.parametrize(
    ("columns", "justify", "count"), [(2, False, 30), (2, True, 30), (3, False, 27)]
)
def test_paragraphs_flowed_through_columns_read_in_order(columns, justify, count):
    paragraphs = [" ".join(filler(f"topic{i}", 2)) for i in range(count)]
    (page,) = extract_pages(framed_columns_pdf(paragraphs, columns=columns, justify=justify))
    assert " ".join(page.text.split()) == " ".join(paragraphs)


def test_spacing_within_and_around_a_line_is_normalised():
    data = make_pdf([["Revenue   grew strongly  ", "   Indented line here"]])
    assert next(extract_pages(data)).text.splitlines() == [
        "Revenue grew strongly",
        "Indented line here",
    ]


def test_printed_page_labels_are_read():
    data = make_pdf([["Cover"], ["Contents"], ["Body one"], ["Body two"]], labels_from=3)
    assert [page.label for page in extract_pages(data)] == ["i", "ii", "1", "2"]


def test_bold_large_lines_are_marked_as_headings():
    data = make_pdf([["# Segment information", "Iron Ore revenue was strong this year."]])
    lines = next(extract_pages(data)).text.splitlines()
    assert lines[0] == "## Segment information"
    assert lines[1] == "Iron Ore revenue was strong this year."


def test_running_header_and_footer_are_found_and_left_out_of_chunks():
    pages = [filler(f"topic{i}", 5) for i in range(6)]
    data = make_pdf(pages, header="ACME HOLDINGS ANNUAL REPORT 2024")
    parsed = list(extract_pages(data))
    boilerplate = find_boilerplate([page.text for page in parsed])
    assert "acme holdings annual report #" in boilerplate
    chunks = plan_chunks(
        [PageText(p.number, p.label, p.text) for p in parsed], title="T", boilerplate=boilerplate
    )
    assert chunks and not any("ACME HOLDINGS" in chunk.text for chunk in chunks)
    assert all("ACME HOLDINGS" in page.text for page in parsed)  # the page text keeps it


def test_a_years_header_row_is_never_boilerplate():
    pages = [["2024  2023", f"Line {i} of body text here."] for i in range(8)]
    assert find_boilerplate(["\n".join(lines) for lines in pages]) == ["line # of body text here."]


def test_chunks_stay_within_their_page_and_carry_the_heading():
    pages = [
        PageText(1, "1", "## Note 7 Borrowings\n" + "\n".join(filler("debt", 40))),
        PageText(2, "2", "\n".join(filler("debt continued", 3))),
    ]
    chunks = plan_chunks(pages, title="Annual Report")
    assert len({c.page_start for c in chunks}) == 2
    assert all(c.page_start == c.page_end for c in chunks)
    assert all(c.token_count <= 220 for c in chunks)
    assert {c.heading for c in chunks} == {"Note 7 Borrowings"}
    assert all(c.context == "Annual Report / Note 7 Borrowings" for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_split_chunks_overlap_by_whole_lines():
    pages = [PageText(1, "1", "\n".join(filler("markets", 60)))]
    first, second = plan_chunks(pages, title="T")[:2]
    first_lines, second_lines = first.text.splitlines(), second.text.splitlines()
    carried = [line for line in second_lines if line in first_lines]
    assert carried and carried == first_lines[-len(carried) :]
    assert second_lines[: len(carried)] == carried
    assert sum(len(line.split()) for line in carried) <= 40


def test_token_estimate_counts_words_numbers_and_punctuation():
    assert estimate_tokens("Revenue 1,482.3 (2023: 1,301.7)") == 15


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "FY2024 revenue: $1,482.3m (up 12.4%)",
        "abc123def 4x4 --- ...",
        "tab\tand\x1cfile separator\x0b_under_score",
        "Caf\u00e9 \u2013 \u00b2 \u0663\u0664 non\u00a0breaking",
        "".join(chr(i) for i in range(128)),
    ],
)
def test_token_estimate_is_the_count_of_token_pattern_matches(text):
    # ASCII text is counted without the regex; both ways must agree with the definition.
    assert estimate_tokens(text) == len(re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]", text))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"PK\x03\x04 this is a zip file", "not_a_pdf"),
        (make_pdf([["x"]], encrypt="secret"), "encrypted_pdf"),
        (b"%PDF-1.4\n" + b"garbage " * 50, "corrupt_pdf"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(data, code):
    with pytest.raises(PdfRejected) as raised:
        inspect_pdf(data, filename="x.pdf", max_pages=100)
    assert raised.value.code == code
    assert raised.value.message


def test_page_limit_is_enforced():
    with pytest.raises(PdfRejected) as raised:
        inspect_pdf(make_pdf([["a"], ["b"], ["c"]]), filename="x.pdf", max_pages=2)
    assert raised.value.code == "too_many_pages"
    assert "3 pages" in raised.value.message
