"""Spreadsheet input and output: python-calamine reads, XlsxWriter writes.

Importers read every row first and report every bad one (row, column, reason); callers save
nothing unless the whole file is clean.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in Excel: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class SheetError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, empty)."""


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(
    data: bytes, filename: str = ""
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Header names and an iterator of (row number, {header: value}) for the first sheet."""
    if filename.lower().endswith(".csv"):
        text = data.decode("utf-8-sig", errors="replace")
        raw: list[list[Any]] = list(csv.reader(io.StringIO(text)))
    else:
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            raw = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:
            raise SheetError(_("The file could not be read as an Excel or CSV spreadsheet."))
    if not raw:
        raise SheetError(_("The spreadsheet is empty."))
    headers = [str(h).strip() for h in raw[0]]
    if not any(headers):
        raise SheetError(_("The first row must hold the column headers."))

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(raw[1:], start=2):
            cells = [_cell(v) for v in values]
            if all(c in ("", None) for c in cells):
                continue
            yield (
                number,
                {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h},
            )

    return headers, rows()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, (int, float, date, str)):
        return value
    return str(value)


def build_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    notes: Sequence[str] = (),
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd",
            # Cell text typed by users must stay text: "=HYPERLINK(...)" is not a formula.
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, header in enumerate(headers):
        ws.write(0, col, str(header), bold)
        ws.set_column(col, col, max(12, len(str(header)) * 2))
    r = 0
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            value = _plain(value)
            if isinstance(value, datetime):
                ws.write_datetime(r, col, value, stamp)
            else:
                ws.write(r, col, value)
    if notes:
        info = book.add_worksheet(_("Notes")[:31])
        for i, note in enumerate(notes):
            info.write(i, 0, str(note))
    book.close()
    return out.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], **kw: Any
) -> HttpResponse:
    response = HttpResponse(build_xlsx(headers, rows, **kw), content_type=XLSX_TYPE)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
