"""bench.tables --cells: how hand-checked cells are matched against extracted tables (row by
keywords, value, period) and scored, on a table built here (the real filings are not in the
repository), and the clear error a bad list or a missing filing gives."""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bench.tables import (
    CellListError,
    ListedCell,
    cells_load,
    cells_report,
    cells_score,
    on_row,
    period_matches,
)
from documents.tables import Cell, Column, ExtractedTable

ROOT = Path(__file__).resolve().parent.parent
FY2023 = Column("2023", "FY2023", fiscal_year=2023, period_end=date(2023, 12, 31), months=12)
FY2022 = Column("2022", "FY2022", fiscal_year=2022, period_end=date(2022, 12, 31), months=12)
CHANGE = Column("% change", "")
M = Decimal(1_000_000)


def statement(rows, *, page=3) -> ExtractedTable:
    """An extracted table with columns 2023, 2022 and % change; rows are (label path,
    values), a value None for a column the row has no cell in."""
    table = ExtractedTable(
        page_start=page,
        page_end=page,
        title="Consolidated Statements of Operations",
        statement="income",
        columns=[FY2023, FY2022, CHANGE],
        unit="USD",
        scale=1_000_000,
        unit_text="in millions",
    )
    for row, (path, values) in enumerate(rows):
        for column, value in enumerate(values):
            if value is not None:
                table.cells.append(
                    Cell(row, column, path, str(value), Decimal(value), "USD", page, row, (0,) * 4)
                )
    table.rows = len(rows)
    return table


TABLE = statement(
    [
        (("Net revenues", "Cloud Services"), (3412 * M, 3130 * M, 9)),
        (("Total net revenues",), (5399 * M, 4953 * M, 9)),
        (("Adjustments to reconcile net income", "Depreciation"), (100 * M, 90 * M, None)),
        (("Net income",), (628 * M, 726 * M, None)),  # the years' figures swapped
        (("Operating income",), (909, 778, None)),  # the table's scale not applied
    ]
)


def listed(keywords, period, value, *, page=3) -> ListedCell:
    return ListedCell("X_2023_10K.pdf", page, tuple(keywords), period, Decimal(value))


def outcome(item: ListedCell) -> str:
    (result,) = cells_score([item], {"X_2023_10K.pdf": [TABLE]}).outcomes
    return result.kind


def test_cell_on_its_row_with_its_value_and_period_is_found():
    assert outcome(listed(["cloud"], "FY2022", 3130 * M)) == "found"
    assert outcome(listed(["total", "revenues"], "FY2023", 5399 * M)) == "found"


def test_value_under_the_other_year_is_a_period_miss():
    assert outcome(listed(["net income"], "FY2023", 726 * M)) == "period"


def test_value_without_the_tables_scale_is_a_scale_miss():
    assert outcome(listed(["operating income"], "FY2023", 909 * M)) == "scale"


def test_a_value_not_on_the_row_is_a_value_miss():
    assert outcome(listed(["cloud"], "FY2023", 3413 * M)) == "value"


def test_a_row_missing_from_the_page_and_a_page_without_tables_are_told_apart():
    assert outcome(listed(["goodwill"], "FY2023", 1 * M)) == "row"
    assert outcome(listed(["cloud"], "FY2023", 3412 * M, page=4)) == "table"


def test_keywords_found_only_in_a_rows_section_do_not_make_it_that_row():
    assert not on_row(("Adjustments to reconcile net income", "Depreciation"), ("net income",))
    assert on_row(("Net revenues", "Cloud Services"), ("revenues", "cloud"))
    assert on_row(("NET INCOME",), ("net income",))


@pytest.mark.parametrize(
    ("period", "column", "matches"),
    [
        ("FY2023", FY2023, True),
        ("FY2022", FY2023, False),
        ("FY2023", Column("Q4 2023", "Q4 2023", fiscal_year=2023, months=3), False),
        ("2023-12-31", FY2023, True),
        ("2023-12-30", FY2023, False),
        ("2023-12-31", Column("2023", "FY2023", fiscal_year=2023), True),  # no day printed
        ("3M2022-06-30", Column("x", "", 2022, date(2022, 6, 30), 3), True),
        ("6M2022-06-30", Column("x", "", 2022, date(2022, 6, 30), 3), False),
        ("3M2022-06-30", Column("12 Weeks Ended", ""), False),  # no year in the header
        ("FY2023", CHANGE, False),
    ],
)
def test_a_listed_period_matches_the_columns_fiscal_year_end_day_and_months(
    period, column, matches
):
    assert period_matches(period, column) is matches


def test_precision_judges_the_listed_rows_cells_of_listed_periods_or_values():
    listed_cells = [
        listed(["cloud"], "FY2023", 3412 * M),
        listed(["cloud"], "FY2022", 3130 * M),
        listed(["net income"], "FY2023", 726 * M),
        listed(["net income"], "FY2022", 628 * M),
    ]
    score = cells_score(listed_cells, {"X_2023_10K.pdf": [TABLE]})
    # Cloud: both years right, its "% change" cell not judged; net income: both years wrong.
    assert (score.correct["X_2023_10K.pdf"], score.judged["X_2023_10K.pdf"]) == (2, 4)
    assert score.unjudged == 1
    report = cells_report(listed_cells, score)
    assert any(line.startswith("X_2023_10K.pdf") and "50.0%" in line for line in report)
    assert "MISS period X_2023_10K.pdf p.3 ['net income'] FY2023: expected 726000000" in "\n".join(
        report
    )


def test_the_committed_list_loads_with_at_least_150_cells_of_15_filings():
    cells = cells_load(ROOT / "bench" / "data" / "filing_cells.jsonl")
    assert len(cells) >= 150
    assert len({cell.file for cell in cells}) >= 15


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "Expecting property name"),
        ('{"file": "a.pdf", "page": 0, "keywords": ["x"], "period": "FY2023", "value": 1}', "page"),
        (
            '{"file": "a.pdf", "page": 1, "keywords": ["X"], "period": "FY2023", "value": 1}',
            "lower",
        ),
        ('{"file": "a.pdf", "page": 1, "keywords": ["x"], "period": "2023", "value": 1}', "period"),
        ('{"file": "a.pdf", "page": 1, "keywords": ["x"], "period": "FY2023"}', "exactly"),
    ],
)
def test_a_malformed_line_is_an_error_naming_the_file_and_line(tmp_path, line, message):
    path = tmp_path / "cells.jsonl"
    good = '{"file": "a.pdf", "page": 1, "keywords": ["x"], "period": "FY2023", "value": 1}'
    path.write_text(f"{good}\n{line}\n")
    with pytest.raises(CellListError, match=f"cells.jsonl:2: .*{message}"):
        cells_load(path)


def run_cells(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench.tables", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_or_malformed_list_exits_with_a_clear_error(tmp_path):
    missing = run_cells("--cells", str(tmp_path / "nowhere.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "a.pdf"}\n')
    malformed = run_cells("--cells", str(bad))
    for result in (missing, malformed):
        assert result.returncode != 0
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
    assert "nowhere.jsonl: cannot read the list of cells" in missing.stderr
    assert "bad.jsonl:1: expected an object with exactly" in malformed.stderr


def test_listed_filings_missing_from_the_folder_are_a_clear_error(tmp_path):
    result = run_cells(str(tmp_path), "--cells")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"listed filing(s) not in {tmp_path}" in result.stderr
