"""Generate realistic (fictional) financial filings with known facts on known pages.

Two filings: an Australian-style annual report (Northwind Minerals Ltd, front matter with
roman page labels, income statement, segment note, borrowings note) and a 10-K-like annual
report (Contoso Systems, Inc.: risk factors, MD&A, statements, notes with footnotes). Both
have running headers and footers on every page, tables with a year header, confusable
tables (a five-year summary, quarterly data) and filler prose that reuses the same
vocabulary, so retrieval has to find the page that really holds the evidence.

    python samples/make_financial_pdfs.py                    # committed small samples + facts
    python samples/make_financial_pdfs.py --long --out /tmp/x  # 150+ page versions (benchmarks)

Every fact is written as a question with its answer and the physical page (and printed
label) where the evidence sits; `also_pages` lists other pages that state the same figure.
"""

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import yaml
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["Normal"], fontSize=9.5, leading=12.5, spaceAfter=5)
NOTE = ParagraphStyle("note", parent=BODY, fontSize=7.5, leading=9)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=16, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=12.5, spaceAfter=6)
H3 = ParagraphStyle("h3", parent=STYLES["Heading3"], fontSize=10.5, spaceAfter=4)


def money(value: float) -> str:
    text = f"{abs(value):,.1f}"
    return f"({text})" if value < 0 else text


@dataclass
class Fact:
    id: str
    question: str
    answer: str
    evidence: str
    pages: set[int] = field(default_factory=set)
    primary: int | None = None
    # Text found on the evidence page of the built PDF, for evidence whose page reportlab
    # decides (a row of a table that splits across pages): its page is looked up afterwards.
    locate: str = ""


class Filing(BaseDocTemplate):
    """A DocTemplate that draws running headers/footers and records where facts land.

    Long filings (`long=True`) look more like real ones: a taller bottom margin holds the
    footnotes of each page, a two-column template is available, section headings record their
    printed page for the table of contents, and `top_line` ("Table of Contents", as on every
    page of an EDGAR filing) is drawn above the running header.
    """

    def __init__(
        self, path, *, header, footer, front_pages, pagesize, long=False, top_line="", **kwargs
    ):
        super().__init__(str(path), pagesize=pagesize, invariant=1, **kwargs)
        self.header, self.footer, self.front_pages = header, footer, front_pages
        self.top_line = top_line
        bottom = 30 * mm if long else 20 * mm
        width, height = pagesize[0] - 36 * mm, pagesize[1] - 20 * mm - bottom
        frame = Frame(18 * mm, bottom, width, height, id="body")
        templates = [PageTemplate(id="page", frames=[frame], onPage=self._decorate)]
        if long:
            templates[0].onPageEnd = self._draw_footnotes
            column = (width - 8 * mm) / 2
            templates.append(
                PageTemplate(
                    id="two-column",
                    frames=[
                        Frame(18 * mm, bottom, column, height, id="left"),
                        Frame(18 * mm + column + 8 * mm, bottom, column, height, id="right"),
                    ],
                    onPage=self._decorate,
                    onPageEnd=self._draw_footnotes,
                )
            )
        self.addPageTemplates(templates)
        self.facts: dict[str, Fact] = {}
        self.sections: dict[str, str] = {}  # heading -> printed label of its first page
        self.page_notes: list[str] = []

    def label(self, page: int) -> str:
        if page <= self.front_pages:
            return _roman(page)
        return str(page - self.front_pages)

    def _decorate(self, canvas, doc):
        page = canvas.getPageNumber()
        if page == 1:
            canvas.addPageLabel(0, "ROMAN_LOWER")
            if self.front_pages:
                canvas.addPageLabel(self.front_pages, "ARABIC", 1)
        if page == 1:
            return  # cover: no running header
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        if self.top_line:
            canvas.drawString(18 * mm, height - 8 * mm, self.top_line)
        canvas.drawString(18 * mm, height - 12 * mm, self.header)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"{self.footer}  |  {self.label(page)}")
        canvas.restoreState()

    def _draw_footnotes(self, canvas, doc):
        """Footnotes referenced on this page, at its bottom (above the footer), in small type."""
        if not self.page_notes:
            return
        width = self.pagesize[0] - 36 * mm
        canvas.saveState()
        canvas.setLineWidth(0.4)
        canvas.line(18 * mm, 27.5 * mm, 18 * mm + 40 * mm, 27.5 * mm)
        canvas.setFont("Helvetica", 7)
        y = 25 * mm
        for note in self.page_notes:
            for line in simpleSplit(note, "Helvetica", 7, width):
                canvas.drawString(18 * mm, y, line)
                y -= 8.5
        canvas.restoreState()
        self.page_notes = []

    def afterFlowable(self, flowable):
        page = self.canv.getPageNumber()
        for fact_id in getattr(flowable, "fact_ids", ()):
            self.facts[fact_id].primary = self.facts[fact_id].primary or page
            self.facts[fact_id].pages.add(page)
        for fact_id in getattr(flowable, "mention_ids", ()):
            self.facts[fact_id].pages.add(page)
        if getattr(flowable, "section_title", None):
            self.sections.setdefault(flowable.section_title, self.label(page))
        if getattr(flowable, "footnote", None):
            self.page_notes.append(flowable.footnote)


class FootnoteRef(Flowable):
    """Takes no space where it stands; its footnote is printed at the bottom of that page."""

    def __init__(self, text: str):
        super().__init__()
        self.footnote = text

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass


def section(text: str, style) -> Paragraph:
    """A heading that the table of contents lists with its page."""
    heading = Paragraph(text, style)
    heading.section_title = text
    return heading


def contents(entries: list[str], toc: dict[str, str] | None, *, title: str) -> list:
    """A table of contents: each entry with the printed page the previous build found it on
    (blank on the first build; the entries' heights do not depend on the numbers)."""
    rows = [[Paragraph(entry, BODY), (toc or {}).get(entry, "")] for entry in entries]
    t = Table([["", "Page"], *rows], colWidths=[140 * mm, 20 * mm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [Paragraph(title, H1), t]


def dollar_table(header: list[str], rows: list[tuple], *, facts=(), mentions=(), dollars=()):
    """A statement laid out like an EDGAR filing: "$" and the closing parenthesis of a
    negative number sit in cells of their own, "$" only on the rows listed in `dollars`."""
    years = header[1:]
    out = [[header[0]] + [cell for year in years for cell in ("", year, "")]]
    for label, *values in rows:
        cells = [label]
        for value in values:
            if value is None:
                cells += ["", "", ""]
                continue
            text = f"{abs(value):,.1f}"
            cells += [
                "$" if label in dollars else "",
                f"({text}" if value < 0 else text,
                ")" if value < 0 else "",
            ]
        out.append(cells)
    t = Table(
        out,
        colWidths=[78 * mm] + [4 * mm, 20 * mm, 3 * mm] * len(years),
        repeatRows=1,
        hAlign="LEFT",
    )
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LEFTPADDING", (1, 0), (-1, -1), 1),
                ("RIGHTPADDING", (1, 0), (-1, -1), 1),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return KeepTogether([tag(t, facts, mentions), Spacer(1, 6)])


def long_table(rows, *, widths=None) -> Table:
    """A table left free to split across pages; its column header repeats on each page."""
    t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return t


def _roman(number: int) -> str:
    out = ""
    for value, numeral in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + numeral, number - value
    return out


def tag(flowable, facts=(), mentions=()):
    flowable.fact_ids, flowable.mention_ids = tuple(facts), tuple(mentions)
    if facts and isinstance(flowable, Paragraph):
        # Evidence is never split across pages (it moves to the next one whole), so the page
        # recorded for it holds all of it; a split Paragraph's parts lose their tags too.
        flowable.split = lambda available_width, available_height: []
    return flowable


def table(rows, *, facts=(), mentions=(), widths=None, footnotes=()):
    t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    # KeepTogether hands its parts to the page, so the table itself carries the fact ids.
    parts = [tag(t, facts, mentions)] + [Paragraph(note, NOTE) for note in footnotes]
    return KeepTogether([*parts, Spacer(1, 6)])


PROSE_SUBJECTS = [
    "Management",
    "The Group",
    "The Board",
    "The Company",
    "Our leadership team",
    "The Audit and Risk Committee",
]
PROSE_VERBS = [
    "continued to monitor",
    "reviewed",
    "assessed the impact of",
    "remained focused on",
    "considered",
    "evaluated",
]
PROSE_OBJECTS = [
    "changes in commodity prices and foreign exchange rates",
    "the recoverability of deferred tax assets",
    "cost pressures across the supply chain",
    "the timing of capital expenditure on growth projects",
    "customer demand in its principal markets",
    "the carrying value of goodwill and intangible assets",
    "liquidity and access to funding",
    "cyber security and the resilience of information systems",
    "climate-related risks and transition planning",
    "compliance with laws and regulations in each jurisdiction",
]
PROSE_TAILS = [
    "during the reporting period",
    "in line with the approved risk appetite",
    "and no material matters were identified",
    "as described further in the notes to the financial statements",
    "with reference to external market data",
    "consistent with prior periods",
]
FILLER_NUMBERS = ["increased", "decreased", "was broadly stable", "improved"]


def prose(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        sentence = (
            f"{rng.choice(PROSE_SUBJECTS)} {rng.choice(PROSE_VERBS)} "
            f"{rng.choice(PROSE_OBJECTS)} {rng.choice(PROSE_TAILS)}."
        )
        if rng.random() < 0.3:
            sentence += (
                f" Revenue from {rng.choice(['existing', 'new', 'major', 'regional'])} "
                f"customers {rng.choice(FILLER_NUMBERS)} compared with the prior year, "
                f"and operating costs {rng.choice(FILLER_NUMBERS)}."
            )
        out.append(sentence)
    return " ".join(out)


def risk_factor(rng: random.Random, index: int) -> list:
    topics = [
        "We depend on a limited number of suppliers",
        "Our results may fluctuate significantly from quarter to quarter",
        "We face intense competition",
        "Changes in tax law could adversely affect our results",
        "Security breaches could harm our business",
        "We may not realise the benefits of acquisitions",
        "Our indebtedness could limit our flexibility",
        "Foreign currency fluctuations may reduce our revenue",
        "We are subject to evolving privacy regulation",
        "Climate change may affect our operations",
    ]
    title = f"{rng.choice(topics)} ({index})"
    return [Paragraph(title, H3), Paragraph(prose(rng, rng.randint(5, 9)), BODY)]


def build_annual_report(out: Path, *, long: bool, toc: dict | None = None) -> Filing:
    """Northwind Minerals Ltd annual report, year ended 30 June 2024 (AUD millions)."""
    rng = random.Random(2024)
    name = "Northwind Minerals Ltd"
    doc = Filing(
        out,
        header=f"{name}  Annual Report 2024",
        footer="Northwind Minerals Annual Report 2024",
        front_pages=3,
        pagesize=A4,
        long=long,
        title=f"{name} Annual Report 2024",
        author=name,
    )
    facts = doc.facts

    def fact(fid, question, answer, evidence):
        facts[fid] = Fact(fid, question, answer, evidence)
        return fid

    revenue = {2024: 1482.3, 2023: 1301.7}
    segments = {
        "Iron Ore": (812.4, 402.6),
        "Copper": (421.8, 158.3),
        "Lithium": (248.1, 61.9),
    }
    npat = 212.6
    dividend = 18.5
    five_year = [1482.3, 1301.7, 1150.2, 987.4, 902.8]
    debt_facility = 600.0
    drawn = 275.0
    maturity = "March 2029"
    employees = 2940

    f_rev = fact(
        "nwm_revenue_2024",
        "What was Northwind Minerals' total revenue for the year ended 30 June 2024?",
        f"A${money(revenue[2024])} million",
        "Revenue row of the consolidated income statement",
    )
    f_npat = fact(
        "nwm_profit_2024",
        "How much profit after tax attributable to members did Northwind report for FY2024?",
        f"A${money(npat)} million",
        "Profit attributable to members of the parent row of the income statement",
    )
    f_seg = fact(
        "nwm_lithium_revenue",
        "How much revenue did the lithium segment generate in 2024?",
        f"A${money(segments['Lithium'][0])} million",
        "Lithium row of the segment information table (note 2)",
    )
    f_cu = fact(
        "nwm_copper_ebitda",
        "What was the underlying EBITDA of the copper business in fiscal 2024?",
        f"A${money(segments['Copper'][1])} million",
        "Copper row, EBITDA column of the segment information table (note 2)",
    )
    f_div = fact(
        "nwm_dividend",
        "What final dividend per share did the directors declare?",
        f"{dividend} cents per share, fully franked",
        "Dividends paragraph of the directors' report",
    )
    f_debt = fact(
        "nwm_facility_maturity",
        "When does Northwind's syndicated debt facility mature and how much of it was drawn?",
        f"{maturity}; A${drawn:,.1f} million drawn of A${debt_facility:,.1f} million",
        "Borrowings note",
    )
    f_emp = fact(
        "nwm_employees",
        "How many people did Northwind Minerals employ at year end?",
        f"{employees:,} employees",
        "People paragraph of the operating and financial review",
    )
    f_rev2020 = fact(
        "nwm_revenue_2020",
        "What was Northwind's revenue in 2020 according to the five-year summary?",
        f"A${money(five_year[4])} million",
        "Five-year summary table",
    )
    f_sub = fact(
        "nwm_subsequent_event",
        "What happened after the reporting date regarding the Pilbara acquisition?",
        "Binding agreement signed on 14 August 2024 to acquire Redcliff Pilbara Pty Ltd "
        "for A$96.0 million",
        "Events after the reporting period note",
    )

    if long:
        f_trifr = fact(
            "nwm_trifr",
            "What total recordable injury frequency rate did Northwind achieve in FY2024?",
            "3.1 per million hours worked (FY2023: 4.4)",
            "Chair and Managing Director's review (two-column page), safety paragraph",
        )
        f_guidance = fact(
            "nwm_spodumene_guidance",
            "What spodumene concentrate production guidance did Northwind give for FY2025?",
            "310,000 to 340,000 tonnes",
            "Chair and Managing Director's review (two-column page), outlook paragraph",
        )
        f_impairment = fact(
            "nwm_ebitda_impairment",
            "Which impairment was excluded from underlying EBITDA, and how much was it?",
            "A$23.4 million impairment of the Gascoyne exploration assets",
            "Footnote 2 of the segment information table, at the bottom of the page",
        )
        f_reserve = fact(
            "nwm_yarrie_creek_reserve",
            "What probable ore reserve is reported for the Yarrie Creek deposit?",
            "14.2 Mt probable ore reserve",
            "Yarrie Creek row of the ore reserves statement (continued page)",
        )
        facts[f_reserve].locate = "Yarrie Creek"
        f_ocf = fact(
            "nwm_operating_cash_flow",
            "What was Northwind's net cash from operating activities in FY2024?",
            "A$398.2 million",
            "Net cash from operating activities row of the statement of cash flows",
        )
        f_capex = fact(
            "nwm_capex",
            "How much did Northwind pay for property, plant and equipment in FY2024?",
            "A$287.4 million (shown as (287.4) in the statement of cash flows)",
            "Payments for property, plant and equipment row of the statement of cash flows",
        )
        f_ceo = fact(
            "nwm_ceo_remuneration",
            "What was the CEO's total remuneration in the remuneration report?",
            "",  # filled in with the generated figure below
            "J. Harper (CEO) row of the key management personnel table",
        )

    story = [
        Spacer(1, 60 * mm),
        Paragraph(name, H1),
        Paragraph("Annual Report 2024", H1),
        Paragraph("For the year ended 30 June 2024. ABN 12 345 678 901.", BODY),
        PageBreak(),
    ]
    if long:
        story += contents(ANNUAL_REPORT_CONTENTS, toc, title="Contents")
        story += [PageBreak(), Paragraph("2024 highlights", H1)]
        # The headline figures, stated again in detail in the statements and notes.
        story.append(
            table(
                [
                    ["", "FY2024", "FY2023", "Change"],
                    ["Revenue (A$m)", money(revenue[2024]), money(revenue[2023]), "14%"],
                    ["Underlying EBITDA (A$m)", "622.8", "540.1", "15%"],
                    ["Net profit after tax (A$m)", money(npat), "183.3", "16%"],
                    ["Net cash from operating activities (A$m)", "398.2", "351.0", "13%"],
                    ["Final dividend (cents per share)", f"{dividend}", "15.0", "23%"],
                ],
                mentions=[f_rev, f_npat, f_ocf, f_div],
                widths=[80 * mm, 25 * mm, 25 * mm, 20 * mm],
            )
        )
        story.append(
            Paragraph(
                "Record revenue, a safer year and first production from Whitestone. See the "
                "operating and financial review and the financial statements for detail.",
                BODY,
            )
        )
    else:
        story.append(Paragraph("Contents", H1))
        for line in [
            "Chair's letter",
            "Operating and financial review",
            "Directors' report",
            "Five-year summary",
            "Financial statements",
            "Notes to the financial statements",
        ]:
            story.append(Paragraph(line, BODY))
    story += [PageBreak(), section("Chair's letter", H1)]
    story.append(
        tag(
            Paragraph(
                "Dear shareholders, it is my privilege to present the annual report for the "
                "2024 financial year. Revenue grew strongly on higher lithium volumes and the "
                "first full year of production at the Whitestone copper mine. " + prose(rng, 6),
                BODY,
            ),
        )
    )
    story.append(Paragraph(prose(rng, 8), BODY))
    if long:
        # A two-column page, as annual reports lay out their reviews.
        story += [NextPageTemplate("two-column"), PageBreak()]
        story.append(section("Chair and Managing Director's review", H2))
        for _ in range(5):
            story.append(Paragraph(prose(rng, 5), BODY))
        story.append(
            tag(
                Paragraph(
                    "Safety remains our first priority. Our total recordable injury frequency "
                    "rate improved to 3.1 per million hours worked (FY2023: 4.4), and there "
                    "were no fatalities across our operations. " + prose(rng, 2),
                    BODY,
                ),
                facts=[f_trifr],
            )
        )
        for _ in range(5):
            story.append(Paragraph(prose(rng, 5), BODY))
        story.append(
            tag(
                Paragraph(
                    "Looking ahead, we expect to produce between 310,000 and 340,000 tonnes of "
                    "spodumene concentrate in FY2025 as the Pilbara expansion ramps up, at unit "
                    "costs similar to this year. " + prose(rng, 2),
                    BODY,
                ),
                facts=[f_guidance],
            )
        )
        story += [NextPageTemplate("page"), PageBreak()]
    else:
        story.append(PageBreak())
    story.append(section("Operating and financial review", H1))
    for topic in ["Strategy", "Safety", "Production", "Markets", "Outlook"]:
        story.append(Paragraph(topic, H2))
        story.append(Paragraph(prose(rng, 10 if long else 6), BODY))
    story.append(Paragraph("People", H2))
    story.append(
        tag(
            Paragraph(
                f"At 30 June 2024 the Group employed {employees:,} people across Western "
                "Australia, Queensland and Chile, up from 2,610 a year earlier. " + prose(rng, 3),
                BODY,
            ),
            facts=[f_emp],
        )
    )
    if long:
        for region in [f"{r} {phase}" for r in REGIONS for phase in ("mine", "processing")]:
            story.append(section(f"Operations review: {region}", H2))
            for _ in range(9):
                story.append(Paragraph(prose(rng, 12), BODY))
            story.append(
                table(
                    [["Operating statistics", "2024", "2023"]]
                    + [
                        [label, f"{rng.uniform(10, 900):,.1f}", f"{rng.uniform(10, 900):,.1f}"]
                        for label in [
                            "Ore mined (Mt)",
                            "Ore processed (Mt)",
                            "Grade (%)",
                            "Recovery (%)",
                            "Revenue (A$m)",
                            "Unit cost (A$/t)",
                        ]
                    ],
                    widths=[70 * mm, 30 * mm, 30 * mm],
                )
            )
        story.append(section("Ore reserves statement", H2))
        story.append(
            Paragraph(
                "Ore reserves at 30 June 2024, reported in accordance with the JORC Code "
                "(2012). Tonnes are rounded; totals may not add.",
                BODY,
            )
        )
        # Long enough to split across pages: later rows sit under the repeated header.
        reserve_rng = random.Random(77)
        rows = [["Deposit", "Commodity", "Proved (Mt)", "Probable (Mt)", "Grade"]]
        for deposit in DEPOSITS:
            commodity = reserve_rng.choice(["Iron ore", "Copper", "Lithium"])
            probable = 14.2 if deposit == "Yarrie Creek" else reserve_rng.uniform(1, 90)
            rows.append(
                [
                    deposit,
                    commodity,
                    f"{reserve_rng.uniform(1, 60):.1f}",
                    f"{probable:.1f}",
                    f"{reserve_rng.uniform(0.5, 62):.2f}%",
                ]
            )
        story.append(long_table(rows, widths=[55 * mm, 30 * mm, 25 * mm, 25 * mm, 20 * mm]))
    story += [PageBreak(), section("Directors' report", H1)]
    story.append(Paragraph(prose(rng, 8), BODY))
    story.append(Paragraph("Dividends", H2))
    story.append(
        tag(
            Paragraph(
                f"The directors have declared a final dividend of {dividend} cents per share, "
                "fully franked, payable on 26 September 2024 (2023: 15.0 cents). Together with "
                "the interim dividend of 12.0 cents, total dividends for the year are "
                f"{dividend + 12.0:.1f} cents per share.",
                BODY,
            ),
            facts=[f_div],
        )
    )
    story.append(Paragraph("Principal activities", H2))
    story.append(Paragraph(prose(rng, 6), BODY))
    if long:
        story.append(section("Remuneration report", H1))
        for _ in range(6):
            story.append(Paragraph(prose(rng, 12), BODY))
        people = [
            [
                person,
                f"{rng.randint(400, 1500):,}",
                f"{rng.randint(50, 600):,}",
                f"{rng.randint(50, 900):,}",
                f"{rng.randint(600, 2900):,}",
            ]
            for person in ["J. Harper (CEO)", "M. Okafor (CFO)", "L. Chen (COO)"]
        ]
        facts[f_ceo].answer = f"A${people[0][4]} thousand (J. Harper)"
        story.append(
            table(
                [["Key management personnel (A$000)", "Salary", "STI", "LTI", "Total"], *people],
                facts=[f_ceo],
            )
        )
    story += [PageBreak(), section("Five-year summary", H1)]
    years = ["2024", "2023", "2022", "2021", "2020"]
    story.append(
        table(
            [["A$ million", *years], ["Revenue", *[money(v) for v in five_year]]]
            + [
                [label, *[money(rng.uniform(50, 600)) for _ in years]]
                for label in ["EBITDA", "Net profit after tax", "Capital expenditure"]
            ],
            facts=[f_rev2020],
            mentions=[f_rev],
        )
    )
    story.append(Paragraph(prose(rng, 5), BODY))
    story += [PageBreak(), section("Consolidated income statement", H1)]
    story.append(Paragraph("For the year ended 30 June 2024", BODY))
    cost = -(revenue[2024] - 640.2)
    story.append(
        table(
            [
                ["A$ million", "Note", "2024", "2023"],
                ["Revenue", "3", money(revenue[2024]), money(revenue[2023])],
                ["Cost of sales", "", money(cost), money(-702.5)],
                ["Gross profit", "", money(revenue[2024] + cost), money(599.2)],
                ["Exploration expense", "", money(-41.3), money(-38.0)],
                ["Administrative expenses", "4", money(-88.6), money(-80.1)],
                ["Finance costs", "", money(-24.9), money(-21.4)],
                ["Profit before income tax", "", money(304.7), money(262.8)],
                ["Income tax expense", "5", money(-92.1), money(-79.5)],
                ["Profit attributable to members of the parent", "", money(npat), "183.3"],
                ["Basic earnings per share (cents)", "", "41.2", "35.6"],
            ],
            facts=[f_rev, f_npat],
            widths=[80 * mm, 15 * mm, 25 * mm, 25 * mm],
        )
    )
    story.append(Paragraph("The above statement should be read with the accompanying notes.", NOTE))
    story += [PageBreak(), section("Consolidated balance sheet", H1)]
    story.append(
        table(
            [["A$ million", "2024", "2023"]]
            + [
                [label, money(rng.uniform(20, 2500)), money(rng.uniform(20, 2500))]
                for label in [
                    "Cash and cash equivalents",
                    "Trade and other receivables",
                    "Inventories",
                    "Property, plant and equipment",
                    "Exploration and evaluation assets",
                    "Total assets",
                    "Trade and other payables",
                    "Interest-bearing liabilities",
                    "Provisions",
                    "Total liabilities",
                    "Net assets",
                    "Total equity",
                ]
            ]
        )
    )
    if long:
        story += [PageBreak(), section("Consolidated statement of cash flows", H1)]
        story.append(
            dollar_table(
                ["A$ million", "2024", "2023"],
                [
                    ("Cash flows from operating activities", None, None),
                    ("Receipts from customers", 1455.1, 1290.4),
                    ("Payments to suppliers and employees", -921.6, -822.7),
                    ("Income taxes paid", -110.4, -95.2),
                    ("Interest paid", -24.9, -21.5),
                    ("Net cash from operating activities", 398.2, 351.0),
                    ("Cash flows from investing activities", None, None),
                    ("Payments for property, plant and equipment", -287.4, -241.9),
                    ("Payments for exploration and evaluation", -52.6, -47.3),
                    ("Net cash used in investing activities", -340.0, -289.2),
                    ("Cash flows from financing activities", None, None),
                    ("Dividends paid", -131.8, -104.9),
                    ("Net repayment of borrowings", -35.0, -20.0),
                    ("Net cash used in financing activities", -166.8, -124.9),
                ],
                facts=[f_ocf, f_capex],
            )
        )
    story += [PageBreak(), section("Notes to the financial statements", H1)]
    if long:
        story += contents(ANNUAL_REPORT_NOTES, toc, title="Index of notes")
        story.append(PageBreak())
    story.append(section("1. Basis of preparation", H2))
    story.append(Paragraph(prose(rng, 9), BODY))
    story.append(section("2. Segment information", H2))
    story.append(
        Paragraph(
            "The Group's operating segments are organised by commodity and reported to the "
            "Managing Director on an underlying EBITDA basis.",
            BODY,
        )
    )
    ebitda_header = "Underlying EBITDA (2)" if long else "Underlying EBITDA"
    story.append(
        table(
            [["2024 A$ million", "Revenue", ebitda_header]]
            + [[seg, money(r), money(e)] for seg, (r, e) in segments.items()]
            + [
                [
                    "Total segments",
                    money(sum(r for r, _ in segments.values())),
                    money(sum(e for _, e in segments.values())),
                ]
            ],
            facts=[f_seg, f_cu],
            footnotes=["1 Lithium includes spodumene concentrate sold under offtake agreements."],
        )
    )
    if long:
        story.append(
            tag(
                FootnoteRef(
                    "(2) Underlying EBITDA excludes the A$23.4 million impairment of the "
                    "Gascoyne exploration assets recognised in the second half (note 11)."
                ),
                facts=[f_impairment],
            )
        )
    story.append(section("3. Revenue", H2))
    story.append(Paragraph(prose(rng, 7), BODY))
    story.append(section("4. Expenses", H2))
    story.append(Paragraph(prose(rng, 7), BODY))
    story.append(section("5. Income tax", H2))
    story.append(Paragraph(prose(rng, 7), BODY))
    if long:
        for number, title in enumerate(ANNUAL_REPORT_LONG_NOTES, start=6):
            story.append(section(f"{number}. {title}", H2))
            for _ in range(13):
                story.append(Paragraph(prose(rng, 10), BODY))
            story.append(
                table(
                    [["A$ million", "2024", "2023"]]
                    + [
                        [
                            f"{title} item {i}",
                            money(rng.uniform(1, 400)),
                            money(rng.uniform(1, 400)),
                        ]
                        for i in range(1, 7)
                    ]
                )
            )
    story.append(section(f"{26 if long else 6}. Borrowings", H2))
    story.append(
        tag(
            Paragraph(
                f"The Group has a A${debt_facility:,.1f} million syndicated revolving facility "
                f"maturing in {maturity}. At 30 June 2024 A${drawn:,.1f} million was drawn "
                "(2023: A$310.0 million). Interest is charged at BBSY plus a margin of 1.65%. "
                "The Group complied with all financial covenants during the year.",
                BODY,
            ),
            facts=[f_debt],
        )
    )
    story.append(section(f"{27 if long else 7}. Events after the reporting period", H2))
    story.append(
        tag(
            Paragraph(
                "On 14 August 2024 the Company signed a binding agreement to acquire Redcliff "
                "Pilbara Pty Ltd for A$96.0 million in cash, subject to regulatory approval. "
                "No other matter has arisen since the end of the year that significantly "
                "affects the Group.",
                BODY,
            ),
            facts=[f_sub],
        )
    )
    doc.build(story)
    return doc


REGIONS = ["Pilbara", "Goldfields", "Mount Isa", "Atacama", "Kimberley", "Gascoyne"]
ANNUAL_REPORT_LONG_NOTES = [
    "Cash flow reconciliation",
    "Trade receivables",
    "Inventories",
    "Property, plant and equipment",
    "Exploration assets",
    "Impairment testing",
    "Provisions for rehabilitation",
    "Financial risk management",
    "Share-based payments",
    "Related parties",
    "Commitments",
    "Contingent liabilities",
    "Leases",
    "Goodwill",
    "Intangible assets",
    "Joint arrangements",
    "Investments in associates",
    "Derivative financial instruments",
    "Employee benefits",
    "Auditor's remuneration",
]
ANNUAL_REPORT_NOTES = [
    "1. Basis of preparation",
    "2. Segment information",
    "3. Revenue",
    "4. Expenses",
    "5. Income tax",
    *[f"{number}. {title}" for number, title in enumerate(ANNUAL_REPORT_LONG_NOTES, start=6)],
    "26. Borrowings",
    "27. Events after the reporting period",
]
ANNUAL_REPORT_CONTENTS = [
    "Chair's letter",
    "Chair and Managing Director's review",
    "Operating and financial review",
    *[f"Operations review: {r} {phase}" for r in REGIONS for phase in ("mine", "processing")],
    "Ore reserves statement",
    "Directors' report",
    "Remuneration report",
    "Five-year summary",
    "Consolidated income statement",
    "Consolidated balance sheet",
    "Consolidated statement of cash flows",
    "Notes to the financial statements",
]
DEPOSITS = [
    f"{place} {kind}"
    for place in [
        "Mount Brockman",
        "Tom Price",
        "Paraburdoo",
        "Marandoo",
        "Hope Downs",
        "Nammuldi",
        "Silvergrass",
        "Brockman",
        "Yandi",
        "Koodaideri",
        "Western Turner",
        "Mesa",
    ]
    for kind in ("North", "South", "East", "Central")
] + ["Yarrie Creek"]


def build_10k(out: Path, *, long: bool, toc: dict | None = None) -> Filing:
    """Contoso Systems, Inc. Form 10-K, fiscal year ended December 31, 2023 (USD millions)."""
    rng = random.Random(1010)
    name = "Contoso Systems, Inc."
    doc = Filing(
        out,
        header="CONTOSO SYSTEMS, INC.  |  FORM 10-K  |  FISCAL 2023",
        footer="Contoso Systems, Inc. 2023 Form 10-K",
        front_pages=2,
        pagesize=letter,
        long=long,
        top_line="Table of Contents" if long else "",
        title="Contoso Systems Inc Form 10-K 2023",
        author=name,
    )
    facts = doc.facts

    def fact(fid, question, answer, evidence):
        facts[fid] = Fact(fid, question, answer, evidence)
        return fid

    segs = {"Cloud Services": 3412.0, "Devices": 1987.5, "Professional Services": 655.3}
    total = sum(segs.values())
    f_total = fact(
        "contoso_revenue_2023",
        "What were Contoso's total net revenues in fiscal 2023?",
        f"${money(total)} million",
        "Total net revenues row of the consolidated statements of operations",
    )
    f_cloud = fact(
        "contoso_cloud_revenue",
        "How much revenue came from the Cloud Services segment in 2023?",
        f"${money(segs['Cloud Services'])} million",
        "Segment information note, Cloud Services row",
    )
    f_rd = fact(
        "contoso_rd_expense",
        "How much did Contoso spend on research and development in 2023?",
        "$842.6 million",
        "Research and development row of the statements of operations",
    )
    f_tax = fact(
        "contoso_effective_tax_rate",
        "What was Contoso's effective tax rate for 2023?",
        "17.9%",
        "Income taxes note",
    )
    f_notes = fact(
        "contoso_senior_notes",
        "What interest rate do Contoso's senior notes due 2031 carry?",
        "4.375% senior notes due 2031, $1,250.0 million principal",
        "Debt note table",
    )
    f_q4 = fact(
        "contoso_q4_revenue",
        "What were Contoso's revenues in the fourth quarter of 2023?",
        "$1,702.4 million",
        "Quarterly financial data table, fourth quarter",
    )
    f_buyback = fact(
        "contoso_buyback",
        "How many shares did Contoso repurchase in 2023 and for how much?",
        "9.2 million shares for $615.0 million",
        "Item 5 share repurchases paragraph",
    )
    f_employees = fact(
        "contoso_employees",
        "How many full-time employees did Contoso have at the end of 2023?",
        "approximately 14,300 full-time employees",
        "Human capital section of Item 1",
    )
    f_backlog = fact(
        "contoso_rpo",
        "What was Contoso's remaining performance obligation at year end?",
        "$5,870.0 million, of which about 58% is expected to be recognised within 12 months",
        "Revenue recognition note",
    )

    if long:
        f_icfr = fact(
            "contoso_icfr",
            "What did management conclude about the effectiveness of Contoso's internal "
            "control over financial reporting?",
            "Effective as of December 31, 2023 (COSO 2013 framework); the auditor issued an "
            "unqualified opinion",
            "Item 9A. Controls and Procedures",
        )
        f_rate = fact(
            "contoso_rate_sensitivity",
            "How would a 100 basis point increase in interest rates affect Contoso's annual "
            "interest expense?",
            "It would increase annual interest expense by about $3.0 million (term loan)",
            "Item 7A. Quantitative and Qualitative Disclosures About Market Risk",
        )
        f_ocf = fact(
            "contoso_operating_cash_flow",
            "How much net cash did Contoso's operating activities provide in 2023?",
            "$1,204.7 million",
            "Net cash provided by operating activities row of the statements of cash flows",
        )
        f_capex = fact(
            "contoso_capex",
            "How much did Contoso spend on purchases of property and equipment in 2023?",
            "$312.5 million (shown as (312.5) in the statement of cash flows)",
            "Purchases of property and equipment row of the statements of cash flows",
        )
        f_fair = fact(
            "contoso_notes_fair_value",
            "What was the estimated fair value of Contoso's senior notes at the end of 2023?",
            "$1,811.6 million (Level 2)",
            "Footnote (2) of the debt table, at the bottom of the page",
        )
        f_country = fact(
            "contoso_revenue_vietnam",
            "How much net revenue did Contoso generate in Vietnam in 2023?",
            "$18.4 million",
            "Vietnam row of the net revenues by country table (continued page)",
        )
        facts[f_country].locate = "Vietnam"

    items = {
        "1": "Item 1. Business",
        "1A": "Item 1A. Risk Factors",
        "5": "Item 5. Market for Registrant's Common Equity",
        "7": "Item 7. Management's Discussion and Analysis",
        "8": "Item 8. Financial Statements and Supplementary Data",
    }
    if long:
        items |= {
            "5": "Item 5. Market for Registrant's Common Equity, Related Stockholder Matters "
            "and Issuer Purchases of Equity Securities",
            "7": "Item 7. Management's Discussion and Analysis of Financial Condition and "
            "Results of Operations",
        }
    story = [
        Spacer(1, 40 * mm),
        Paragraph("UNITED STATES SECURITIES AND EXCHANGE COMMISSION", H2),
        Paragraph("FORM 10-K", H1),
        Paragraph(
            "Annual report pursuant to Section 13 or 15(d) of the Securities Exchange "
            "Act of 1934 for the fiscal year ended December 31, 2023",
            BODY,
        ),
        Paragraph(name, H1),
        PageBreak(),
    ]
    if long:
        story += contents(TEN_K_CONTENTS, toc, title="Table of Contents")
    else:
        story.append(Paragraph("Table of Contents", H1))
        for item in [
            "Item 1. Business",
            "Item 1A. Risk Factors",
            "Item 5. Market",
            "Item 7. MD&A",
            "Item 8. Financial Statements",
        ]:
            story.append(Paragraph(item, BODY))
    story += [PageBreak(), section("PART I", H1), section(items["1"], H2)]
    story.append(Paragraph(prose(rng, 10), BODY))
    story.append(Paragraph("Human capital", H3))
    story.append(
        tag(
            Paragraph(
                "As of December 31, 2023, we had approximately 14,300 full-time employees, of "
                "whom 41% were located outside the United States. " + prose(rng, 3),
                BODY,
            ),
            facts=[f_employees],
        )
    )
    story.append(section(items["1A"], H2))
    for index in range(1, 240 if long else 7):
        story += risk_factor(rng, index)
    if long:
        for title in TEN_K_CONTENTS[TEN_K_CONTENTS.index("Item 1B. Unresolved Staff Comments") :]:
            if title == "PART II":
                break
            story.append(section(title, H2))
            story.append(Paragraph(prose(rng, 4), BODY))
    story += [PageBreak(), section("PART II", H1)]
    story.append(section(items["5"], H2))
    story.append(
        tag(
            Paragraph(
                "During 2023 we repurchased 9.2 million shares of our common stock for $615.0 "
                "million under the program authorised by the Board in February 2022. "
                + prose(rng, 3),
                BODY,
            ),
            facts=[f_buyback],
        )
    )
    if long:
        story.append(section("Item 6. [Reserved]", H2))
    story.append(section(items["7"], H2))
    if long:
        # A summary that repeats figures stated in detail in the statements and notes.
        story.append(Paragraph("2023 highlights", H3))
        story.append(
            tag(
                Paragraph(
                    f"Total net revenues of ${money(total)} million, up 9%; operating income of "
                    "$909.8 million; diluted earnings per share of $5.84; cash flow from "
                    "operations of $1,204.7 million; and $615.0 million returned to "
                    "stockholders through share repurchases.",
                    BODY,
                ),
                mentions=[f_total, f_ocf, f_buyback],
            )
        )
    for _ in range(6 if long else 2):
        story.append(Paragraph(prose(rng, 10), BODY))
    story.append(Paragraph("Net revenues by segment", H3))
    story.append(
        table(
            [["(in millions)", "2023", "2022", "% change"]]
            + [[s, money(v), money(v / 1.09), "9%"] for s, v in segs.items()]
            + [["Total net revenues", money(total), money(total / 1.09), "9%"]],
            mentions=[f_total, f_cloud],
        )
    )
    story.append(Paragraph(prose(rng, 6), BODY))
    if long:
        for year in (2023, 2022, 2021):
            story.append(Paragraph(f"Results of operations, {year} compared with {year - 1}", H3))
            for _ in range(10):
                story.append(Paragraph(prose(rng, 10), BODY))
            story.append(
                table(
                    [["(in millions)", str(year), str(year - 1)]]
                    + [
                        [label, money(rng.uniform(100, 4000)), money(rng.uniform(100, 4000))]
                        for label in [
                            "Net revenues",
                            "Gross margin",
                            "Operating expenses",
                            "Operating income",
                        ]
                    ]
                )
            )
        story.append(Paragraph("Liquidity and capital resources", H3))
        story.append(Paragraph(prose(rng, 8), BODY))
        story.append(
            Paragraph(
                "Cash provided by operating activities increased on higher collections, and we "
                "continued to invest in data centre capacity. " + prose(rng, 4),
                BODY,
            )
        )
        story.append(section(TEN_K_ITEM_7A, H2))
        story.append(Paragraph(prose(rng, 5), BODY))
        story.append(
            tag(
                Paragraph(
                    "Interest rate risk. Our senior notes bear fixed rates; the term loan bears "
                    "interest at SOFR plus 1.10%. A hypothetical 100 basis point increase in "
                    "interest rates would increase our annual interest expense by approximately "
                    "$3.0 million. Foreign currency risk. " + prose(rng, 3),
                    BODY,
                ),
                facts=[f_rate],
            )
        )
    story += [PageBreak(), section(items["8"], H2)]
    if long:
        story += contents(TEN_K_STATEMENTS, toc, title="Index to Consolidated Financial Statements")
        story.append(PageBreak())
    story.append(section("Consolidated Statements of Operations", H3))
    story.append(
        table(
            [
                ["(in millions, except per share)", "2023", "2022", "2021"],
                ["Net revenues", "", "", ""],
                *[[f"  {s}", money(v), money(v / 1.09), money(v / 1.2)] for s, v in segs.items()],
                ["Total net revenues", money(total), money(total / 1.09), money(total / 1.2)],
                ["Cost of revenues", money(-2810.2), money(-2611.9), money(-2390.4)],
                ["Research and development", money(842.6), money(790.3), money(701.8)],
                ["Sales and marketing", money(1104.2), money(1032.8), money(955.1)],
                ["General and administrative", money(388.0), money(351.7), money(330.2)],
                ["Operating income", money(909.8), money(778.6), money(640.0)],
                ["Provision for income taxes", money(-158.3), money(-131.0), money(-110.2)],
                ["Net income", money(726.9), money(628.4), money(515.5)],
                ["Diluted earnings per share", "5.84", "4.97", "4.02"],
            ],
            facts=[f_total, f_rd],
            footnotes=["See accompanying notes to consolidated financial statements."],
        )
    )
    if long:
        story.append(section("Consolidated Statements of Cash Flows", H3))
        story.append(
            dollar_table(
                ["(in millions)", "2023", "2022", "2021"],
                [
                    ("Operating activities", None, None, None),
                    ("Net income", 726.9, 628.4, 515.5),
                    ("Depreciation and amortization", 298.4, 276.0, 251.3),
                    ("Stock-based compensation", 187.2, 166.5, 140.9),
                    ("Changes in operating assets and liabilities", -7.8, -20.6, -6.5),
                    ("Net cash provided by operating activities", 1204.7, 1050.3, 901.2),
                    ("Investing activities", None, None, None),
                    ("Purchases of property and equipment", -312.5, -288.1, -240.6),
                    ("Acquisitions, net of cash acquired", -95.0, -410.2, 0.0),
                    ("Net cash used in investing activities", -407.5, -698.3, -240.6),
                    ("Financing activities", None, None, None),
                    ("Repurchases of common stock", -615.0, -402.7, -250.0),
                    ("Repayment of term loan", -150.0, -150.0, 0.0),
                    ("Net cash used in financing activities", -765.0, -552.7, -250.0),
                    ("Net increase (decrease) in cash", 32.2, -200.7, 410.6),
                ],
                facts=[f_ocf, f_capex],
                dollars=("Net income", "Net increase (decrease) in cash"),
            )
        )
    story.append(section("Notes to Consolidated Financial Statements", H2))
    story.append(section("Note 1. Summary of Significant Accounting Policies", H3))
    story.append(Paragraph(prose(rng, 10), BODY))
    story.append(section("Note 2. Revenue Recognition", H3))
    story.append(
        tag(
            Paragraph(
                "Remaining performance obligations represent contracted revenue that has not "
                "yet been recognised. As of December 31, 2023, remaining performance "
                "obligations were $5,870.0 million, of which we expect to recognise "
                "approximately 58% as revenue over the next 12 months. " + prose(rng, 3),
                BODY,
            ),
            facts=[f_backlog],
        )
    )
    if long:
        for number, title in enumerate(TEN_K_NOTES, start=3):
            story.append(section(f"Note {number}. {title}", H3))
            for _ in range(18):
                story.append(Paragraph(prose(rng, 10), BODY))
            story.append(
                table(
                    [["(in millions)", "2023", "2022"]]
                    + [
                        [
                            f"{title} line {i}",
                            money(rng.uniform(5, 900)),
                            money(rng.uniform(5, 900)),
                        ]
                        for i in range(1, 6)
                    ]
                )
            )
    story.append(section(f"Note {9 if long else 3}. Debt", H3))
    notes_label = "Senior notes (2)" if long else "Senior notes"
    story.append(
        table(
            [
                ["(in millions)", "Maturity", "Rate", "2023", "2022"],
                [notes_label, "2026", "2.950%", "750.0", "750.0"],
                [notes_label, "2031", "4.375%", "1,250.0", "1,250.0"],
                ["Term loan", "2025", "SOFR + 1.10%", "300.0", "450.0"],
                ["Total debt", "", "", "2,300.0", "2,450.0"],
            ],
            facts=[f_notes],
            footnotes=["(1) The 2031 notes were issued at 99.6% of par in May 2021."],
        )
    )
    if long:
        story.append(
            tag(
                FootnoteRef(
                    "(2) At December 31, 2023 the estimated fair value of the senior notes, "
                    "based on quoted prices in less active markets (Level 2), was $1,811.6 "
                    "million."
                ),
                facts=[f_fair],
            )
        )
    story.append(section(f"Note {10 if long else 4}. Income Taxes", H3))
    story.append(
        tag(
            Paragraph(
                "Our effective tax rate was 17.9% for 2023 compared with 17.3% for 2022, "
                "reflecting the mix of earnings across jurisdictions and research credits. "
                + prose(rng, 4),
                BODY,
            ),
            facts=[f_tax],
        )
    )
    story.append(section(f"Note {11 if long else 5}. Segment Information", H3))
    story.append(Paragraph(prose(rng, 4), BODY))
    story.append(
        table(
            [["(in millions)", "Net revenues", "Segment operating income"]]
            + [[s, money(v), money(v * 0.19)] for s, v in segs.items()],
            facts=[f_cloud],
        )
    )
    if long:
        # Long enough to split across pages: the later rows sit under the repeated header.
        story.append(Paragraph("Net revenues by country, based on the customer's location:", BODY))
        country_rng = random.Random(31)
        rows = [["Country", "2023", "2022"]]
        for country in COUNTRIES:
            value = 18.4 if country == "Vietnam" else country_rng.uniform(20, 900)
            rows.append([country, money(value), money(value / 1.09)])
        story.append(long_table(rows, widths=[80 * mm, 30 * mm, 30 * mm]))
    story.append(section(f"Note {12 if long else 6}. Quarterly Financial Data (unaudited)", H3))
    story.append(
        table(
            [
                ["(in millions)", "Q1", "Q2", "Q3", "Q4"],
                ["Net revenues", "1,398.7", "1,451.0", "1,502.7", "1,702.4"],
                ["Operating income", "201.3", "214.8", "226.0", "267.7"],
            ],
            facts=[f_q4],
        )
    )
    if long:
        story.append(PageBreak())
        story.append(section(TEN_K_ITEM_9, H2))
        story.append(Paragraph("None.", BODY))
        story.append(section("Item 9A. Controls and Procedures", H2))
        story.append(Paragraph(prose(rng, 4), BODY))
        story.append(
            tag(
                Paragraph(
                    "Management assessed the effectiveness of our internal control over "
                    "financial reporting as of December 31, 2023 using the criteria of the "
                    "Internal Control - Integrated Framework (2013) issued by COSO. Based on "
                    "that assessment, management concluded that our internal control over "
                    "financial reporting was effective as of December 31, 2023. Our independent "
                    "registered public accounting firm issued an unqualified opinion on it.",
                    BODY,
                ),
                facts=[f_icfr],
            )
        )
        for title in TEN_K_CONTENTS[TEN_K_CONTENTS.index("Item 9B. Other Information") :]:
            story.append(section(title, H1 if title.startswith("PART") else H2))
            if not title.startswith("PART"):
                story.append(Paragraph(prose(rng, 3), BODY))
    doc.build(story)
    return doc


TEN_K_ITEM_7A = "Item 7A. Quantitative and Qualitative Disclosures About Market Risk"
TEN_K_ITEM_9 = (
    "Item 9. Changes in and Disagreements With Accountants on Accounting and Financial Disclosure"
)
TEN_K_CONTENTS = [
    "PART I",
    "Item 1. Business",
    "Item 1A. Risk Factors",
    "Item 1B. Unresolved Staff Comments",
    "Item 1C. Cybersecurity",
    "Item 2. Properties",
    "Item 3. Legal Proceedings",
    "Item 4. Mine Safety Disclosures",
    "PART II",
    "Item 5. Market for Registrant's Common Equity, Related Stockholder Matters and Issuer "
    "Purchases of Equity Securities",
    "Item 6. [Reserved]",
    "Item 7. Management's Discussion and Analysis of Financial Condition and Results of Operations",
    TEN_K_ITEM_7A,
    "Item 8. Financial Statements and Supplementary Data",
    TEN_K_ITEM_9,
    "Item 9A. Controls and Procedures",
    "Item 9B. Other Information",
    "PART III",
    "Item 10. Directors, Executive Officers and Corporate Governance",
    "Item 11. Executive Compensation",
    "Item 12. Security Ownership of Certain Beneficial Owners and Management",
    "Item 13. Certain Relationships and Related Transactions, and Director Independence",
    "Item 14. Principal Accountant Fees and Services",
    "PART IV",
    "Item 15. Exhibits and Financial Statement Schedules",
    "Item 16. Form 10-K Summary",
]
TEN_K_NOTES = [
    "Leases",
    "Goodwill and Intangible Assets",
    "Fair Value Measurements",
    "Stock-Based Compensation",
    "Commitments and Contingencies",
    "Restructuring",
]
TEN_K_STATEMENTS = [
    "Consolidated Statements of Operations",
    "Consolidated Statements of Cash Flows",
    "Notes to Consolidated Financial Statements",
    "Note 1. Summary of Significant Accounting Policies",
    "Note 2. Revenue Recognition",
    *[f"Note {number}. {title}" for number, title in enumerate(TEN_K_NOTES, start=3)],
    "Note 9. Debt",
    "Note 10. Income Taxes",
    "Note 11. Segment Information",
    "Note 12. Quarterly Financial Data (unaudited)",
]
COUNTRIES = [
    "Argentina",
    "Australia",
    "Austria",
    "Belgium",
    "Brazil",
    "Canada",
    "Chile",
    "China",
    "Colombia",
    "Czech Republic",
    "Denmark",
    "Egypt",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hong Kong",
    "Hungary",
    "India",
    "Indonesia",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Kenya",
    "Luxembourg",
    "Malaysia",
    "Mexico",
    "Morocco",
    "Netherlands",
    "New Zealand",
    "Nigeria",
    "Norway",
    "Peru",
    "Philippines",
    "Poland",
    "Portugal",
    "Qatar",
    "Romania",
    "Saudi Arabia",
    "Singapore",
    "Slovakia",
    "South Africa",
    "South Korea",
    "Spain",
    "Sweden",
    "Switzerland",
    "Taiwan",
    "Thailand",
    "Turkey",
    "Ukraine",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
    "Uruguay",
    "Vietnam",
]


FILINGS = {
    "northwind-minerals-annual-report-2024.pdf": build_annual_report,
    "contoso-systems-form-10k-2023.pdf": build_10k,
}


def generate(out_dir: Path, *, long: bool) -> list[dict]:
    """Write the PDFs into out_dir and return the facts (question, answer, page)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for filename, build in FILINGS.items():
        path = out_dir / filename
        doc = build(path, long=long)
        if long:
            # The contents pages list each section's page, known once the filing is laid out.
            toc = doc.sections
            doc = build(path, long=long, toc=toc)
            assert doc.sections == toc, "the contents changed the layout"
            _locate_facts(path, doc.facts.values())
        for fact in doc.facts.values():
            records.append(
                {
                    "id": fact.id,
                    "document": filename,
                    "question": fact.question,
                    "answer": fact.answer,
                    "evidence": fact.evidence,
                    "page": fact.primary,
                    "page_label": doc.label(fact.primary),
                    "also_pages": sorted(fact.pages - {fact.primary}),
                }
            )
    return records


def _locate_facts(path: Path, facts) -> None:
    """The page of each fact with a `locate` text: the one page of the PDF that holds it."""
    wanted = [fact for fact in facts if fact.locate]
    if not wanted:
        return
    pdf = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            texts.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
    finally:
        pdf.close()
    for fact in wanted:
        pages = [n for n, text in enumerate(texts, start=1) if fact.locate in text]
        assert len(pages) == 1, (fact.id, fact.locate, pages)
        fact.primary, fact.pages = pages[0], set(pages) | fact.pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "pdfs")
    parser.add_argument("--long", action="store_true", help="150+ page versions for benchmarks")
    args = parser.parse_args()
    records = generate(args.out, long=args.long)
    facts_path = args.out / "facts.yaml" if args.long else HERE / "facts.yaml"
    header = (
        "# Generated by samples/make_financial_pdfs.py: questions whose evidence is on `page`\n"
        "# (physical, 1-based; `page_label` is the printed number). `also_pages` repeat the fact.\n"
    )
    facts_path.write_text(header + yaml.safe_dump({"facts": records}, sort_keys=False))
    for filename in FILINGS:
        print(f"wrote {args.out / filename}")
    print(f"wrote {facts_path} ({len(records)} facts)")


if __name__ == "__main__":
    main()
