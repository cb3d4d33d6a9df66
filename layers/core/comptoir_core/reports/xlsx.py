"""A ReportTable as an Excel workbook (XlsxWriter): real numbers and dates with formats, frozen headers,
an autofilter, the title block above."""

import io

import xlsxwriter

from comptoir_core.reports.models import ReportTable


def render_xlsx(table: ReportTable) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(table.title[:31])
    title = book.add_format({"bold": True, "font_size": 14})
    note = book.add_format({"italic": True, "font_color": "#555555"})
    head = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    bold = book.add_format({"bold": True})
    bold_money = book.add_format({"bold": True, "num_format": "#,##0.00", "top": 1})
    section = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    sheet.write(0, 0, table.title, title)
    for index, line in enumerate(table.lines, start=1):
        sheet.write(index, 0, line, note)
    header_row = len(table.lines) + 2
    for col, column in enumerate(table.columns):
        sheet.write(header_row, col, column.label, head)
        sheet.set_column(col, col, column.width)
    for r, (row, style) in enumerate(zip(table.rows, table.styles, strict=True), start=header_row + 1):
        for col, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            if value is None:
                if style == "section":
                    sheet.write_blank(r, col, None, section)
                continue
            if column.kind == "money":
                sheet.write_number(r, col, float(value), bold_money if style == "total" else money)
            elif column.kind == "date":
                sheet.write_datetime(r, col, _datetime(value), day)
            else:
                sheet.write_string(
                    r, col, str(value), section if style == "section" else bold if style else None
                )
    last = header_row + len(table.rows)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(last, header_row), len(table.columns) - 1)
    sheet.set_footer(f"&L{table.footer}&R&P / &N")
    sheet.set_landscape()
    sheet.repeat_rows(header_row)
    book.close()
    return out.getvalue()


def _datetime(value):
    from datetime import datetime

    return datetime(value.year, value.month, value.day)
