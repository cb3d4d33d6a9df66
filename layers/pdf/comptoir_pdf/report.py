"""A report table as a PDF, laid out by PyMuPDF's Story: a title block, then the table over as many
pages as it needs, its header row repeated on each (MuPDF does not repeat a <thead>, so each page is its
own table of the one-line rows that fit), and a footer with the page number.

Input is plain data (what comptoir_core.reports.models.ReportTable dumps to): this layer knows no model."""

import html
import io
from decimal import Decimal

import pymupdf

# A one-line row at 8 pt measures 11.8 pt with its padding; 12.5 leaves a margin.
ROW_HEIGHT = 12.5
MAX_CELL = 60
CSS = """
* { font-family: sans-serif; font-size: 8pt; }
h1 { font-size: 14pt; margin: 0 0 4pt 0; }
p.note { color: #555555; margin: 0; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; margin-top: 6pt; }
th { background-color: #DDE4EE; text-align: left; padding: 2pt; border-bottom: 1px solid #888888; }
td { padding: 1pt 2pt; }
td.n, th.n { text-align: right; }
tr.total td { font-weight: bold; border-top: 1px solid #888888; }
tr.section td { font-weight: bold; background-color: #F2F2F2; }
"""


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        number = Decimal(str(value))
        text = f"{number:,.2f}".replace(",", " ")
        return html.escape(text)
    text = str(value)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return html.escape(text)


def _numeric(column: dict) -> str:
    return ' class="n"' if column["kind"] == "money" else ""


def _page_html(table: dict, rows: list, styles: list, first: bool) -> str:
    parts = []
    if first:
        parts.append(f"<h1>{html.escape(table['title'])}</h1>")
        parts.extend(f'<p class="note">{html.escape(line)}</p>' for line in table["lines"])
    else:
        parts.append(f'<p class="note">{html.escape(table["title"])} — {html.escape(table["lines"][0])}</p>')
    columns = table["columns"]
    head = "".join(f"<th{_numeric(c)}>{html.escape(c['label'])}</th>" for c in columns)
    body = []
    for row, style in zip(rows, styles, strict=True):
        cells = "".join(
            f"<td{_numeric(c)}>{_cell(v, c['kind'])}</td>" for v, c in zip(row, columns, strict=True)
        )
        body.append(f'<tr class="{style or ""}">{cells}</tr>')
    parts.append(f"<table><tr>{head}</tr>{''.join(body)}</table>")
    return "".join(parts)


def render_report_pdf(table: dict) -> bytes:
    rows, styles = table["rows"], table["styles"]
    wide = len(table["columns"]) > 6
    mediabox = pymupdf.paper_rect("a4-l" if wide else "a4")
    where = mediabox + (36, 36, -36, -48)
    per_page = int((where.height - 40) / ROW_HEIGHT)
    first_size = per_page - len(table["lines"]) - 3
    chunks = [(0, max(first_size, 5))]
    start = chunks[0][1]
    while start < len(rows):
        chunks.append((start, start + per_page))
        start += per_page
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out)
    pages = 0
    for index, (low, high) in enumerate(chunks):
        story = pymupdf.Story(
            html=_page_html(table, rows[low:high], styles[low:high], index == 0), user_css=CSS
        )
        more = True
        while more:
            device = writer.begin_page(mediabox)
            more, _ = story.place(where)
            story.draw(device)
            writer.end_page()
            pages += 1
    writer.close()
    # The footer (what the report is and its page number) on every page.
    document = pymupdf.open(stream=out.getvalue(), filetype="pdf")
    for page in document:
        page.insert_text(
            (36, page.rect.height - 24),
            f"{table['footer']}   {page.number + 1} / {pages}",
            fontsize=7,
            fontname="helv",
        )
    return document.tobytes(garbage=3, deflate=True)
