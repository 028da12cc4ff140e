"""A question that names a company and a period is scoped to that company's filing."""

from documents.question_scope import LibraryDocument, company_keys, scope, years_named

LIBRARY = [
    LibraryDocument("mmm18", "3M Company", 2018),
    LibraryDocument("mmm22", "3M COMPANY", 2022),
    LibraryDocument("pep22", "PepsiCo, Inc.", 2022),
    LibraryDocument("pep23", "PepsiCo, Inc.", 2023),
    LibraryDocument("cvs22", "CVS HEALTH CORPORATION", 2022),
    LibraryDocument("jpm", "JPMorgan Chase & Co.", 2021, "JPM"),
    LibraryDocument("jpm22", "JPMorgan Chase & Co.", 2022),
    LibraryDocument("amd15", "Advanced Micro Devices, Inc.", 2015),
    LibraryDocument("costco", "Costco Wholesale Corporation", 2021, "COST"),
    LibraryDocument("blank", "", None),
]


def test_company_and_year_pick_one_filing():
    assert scope("What is the FY2018 capital expenditure for 3M?", LIBRARY) == ["mmm18"]
    assert scope("Is 3M a capital-intensive business based on FY2022 data?", LIBRARY) == ["mmm22"]


def test_a_year_without_its_own_filing_falls_to_the_next_ones():
    # FY2021 figures are the comparatives of the FY2022 10-K.
    assert scope("PepsiCo's FY2021 net revenue?", LIBRARY) == ["pep22"]


def test_company_without_a_period_keeps_all_its_filings():
    assert scope("What does PepsiCo say about its debt?", LIBRARY) == ["pep22", "pep23"]


def test_no_named_company_searches_the_whole_library():
    assert scope("What was the FY2022 revenue?", LIBRARY) is None
    assert scope("", LIBRARY) is None


def test_legal_words_do_not_match_and_multiword_names_need_their_words():
    assert company_keys("JPMorgan Chase & Co.") == ["jpmorgan", "chase"]
    assert scope("What did the company and its holdings report?", LIBRARY) is None
    assert scope("What is CVS Health's FY2022 quick ratio?", LIBRARY) == ["cvs22"]
    assert scope("JPMorgan's Q1 2021 net income", LIBRARY) == ["jpm"]


def test_a_ticker_or_initials_in_capitals_name_the_company_and_all_its_filings():
    assert scope("Which of JPM's segments had the lowest net revenue in 2022 Q2?", LIBRARY) == [
        "jpm22"
    ]  # the 2022 filing printed no ticker: the company's name joins them
    assert scope("What is the FY2015 D&A for AMD?", LIBRARY) == ["amd15"]
    assert sorted(scope("JPM risk factors", LIBRARY)) == ["jpm", "jpm22"]


def test_symbols_need_capitals_and_three_letters():
    # "cost" is a word, not Costco; two-letter initials ("CH") are too ambiguous.
    assert scope("What was the cost of revenue in 2021?", LIBRARY) is None
    assert scope("What is the USD amount of DPO in FY2022?", LIBRARY) is None


def test_years_are_read_as_filings_write_them():
    assert years_named("FY2018 vs FY 17 and fiscal 2016, also fiscal year 2015") == {
        2018,
        2017,
        2016,
        2015,
    }
    assert years_named("No period here, 12,345 units") == set()
