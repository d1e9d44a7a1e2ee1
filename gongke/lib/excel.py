"""Spreadsheet input and output: python-calamine reads, XlsxWriter writes.

Uploads are checked before any parsing (`check_upload`): the file's size; for a zip (xlsx,
ods) the sum of its members' uncompressed sizes and their compression ratio, read from the
zip's directory, then one streaming pass over the XML that bounds the rows and the longest
text in a cell without building anything. A 300 KB file that inflates to gigabytes is refused
in milliseconds. Rows then reach Python one at a time (calamine holds the sheet's cells, which
the unpacked-size limit bounds, but no list of all rows is built) and each cell's length is
checked exactly.

Importers read every row first and report every bad one (row, column, reason); callers save
nothing unless the whole file is clean.
"""

import codecs
import csv
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from .chinese import to_simplified
from .masking import mask_id_number, mask_phone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in Excel: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class SheetError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, empty, too large)."""


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def read_upload(upload: IO[bytes]) -> bytes:
    """The bytes of an uploaded file, never more than one byte over UPLOAD_MAX_BYTES: a larger
    file is cut there, so `check_upload` refuses it without it ever being held whole."""
    return upload.read(settings.UPLOAD_MAX_BYTES + 1)


def check_upload(data: bytes, filename: str = "") -> None:
    """Refuse, with a SheetError in the user's language, a file over the limits, before any
    parsing: size; for a zip its uncompressed size and ratio, rows and cell length."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise SheetError(
            _("The file is larger than %(size)s MB.")
            % {"size": _megabytes(settings.UPLOAD_MAX_BYTES)}
        )
    if _is_csv(filename):
        _check_csv(data)
    elif data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm", ".ods")):
        _check_zip(data)


def _is_csv(filename: str) -> bool:
    return filename.lower().endswith(".csv")


def _too_many_rows() -> SheetError:
    return SheetError(
        _("The file has more than %(rows)d rows; split it into smaller files.")
        % {"rows": settings.UPLOAD_MAX_ROWS}
    )


def _cell_too_long(row: int | None = None) -> SheetError:
    limit = {"chars": settings.UPLOAD_MAX_CELL_CHARS}
    if row is None:
        return SheetError(_("A cell holds more than %(chars)d characters.") % limit)
    return SheetError(
        _("A cell in row %(row)d holds more than %(chars)d characters.") % {**limit, "row": row}
    )


def _check_csv(data: bytes) -> None:
    # A line per row at least (quoted line breaks only add lines): an upper bound, in C.
    if data.count(b"\n") > settings.UPLOAD_MAX_ROWS + 1:
        raise _too_many_rows()


def _check_zip(data: bytes) -> None:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise SheetError(_("The file could not be read as an Excel or CSV spreadsheet."))
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > settings.UPLOAD_MAX_UNCOMPRESSED_BYTES:
        raise SheetError(
            _("The spreadsheet unpacks to more than %(size)s MB.")
            % {"size": _megabytes(settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)}
        )
    ratio = settings.UPLOAD_MAX_RATIO
    # Small members (styles, a short sheet) compress far better than data and hold no risk.
    if any(m.file_size > 1_000_000 and m.file_size > ratio * m.compress_size for m in members) or (
        total > 1_000_000 and total > ratio * packed
    ):
        raise SheetError(
            _("The spreadsheet unpacks to more than %(ratio)d times its size; it is refused.")
            % {"ratio": ratio}
        )
    for member in members:
        name = member.filename.lower()
        if name.endswith(".xml") and (
            "/worksheets/" in name or name.endswith(("sharedstrings.xml", "content.xml"))
        ):
            _scan_xml(book, member, rows="/worksheets/" in name)


def _scan_xml(book: zipfile.ZipFile, member: zipfile.ZipInfo, *, rows: bool) -> None:
    """One streaming pass over an XML member, in C-speed steps: counts its rows and refuses text
    runs long enough to hold a cell over the limit, without parsing anything.

    A cell's text has no "<" in it, so a cell of n characters is a run of at most 4n bytes
    without "<" (UTF-8; escaping rarely adds). Checking only that every aligned block of
    `block` bytes holds a "<" finds every run of 2 x block bytes or more and never flags a run
    shorter than block; what lies between is measured exactly when the rows are read."""
    block = max(64, 4 * settings.UPLOAD_MAX_CELL_CHARS)
    size = block * max(1, (1 << 20) // block)
    count, tail = 0, b""
    try:
        with book.open(member) as stream:
            while chunk := stream.read(size):
                if rows:
                    count += (tail + chunk[:3]).count(b"<row") + chunk.count(b"<row")
                    tail = chunk[-3:]
                    if count > settings.UPLOAD_MAX_ROWS + 1:
                        raise _too_many_rows()
                for start in range(0, len(chunk) - block + 1, block):
                    if chunk.find(b"<", start, start + block) < 0:
                        raise _cell_too_long()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise SheetError(_("The file could not be read as an Excel or CSV spreadsheet."))


# A cell holding a formula: <c r="B12" …><f>…</f><v>cached value</v></c> in the sheet's XML.
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*><f[ >/]')


def formula_cells(data: bytes, filename: str = "") -> list[tuple[int, int]]:
    """(row number, column index from 0) of every formula cell of the first sheet of an .xlsx
    file; none for CSV and other formats. The reader takes the value the formula last computed
    (a total row's =SUM(...) would come in as one more line), so importers report them. One
    streaming pass over the sheet's XML, searched only where a formula element occurs at all.
    The first sheet is the workbook's xl/worksheets/sheet1.xml (Excel keeps that name for the
    first sheet it wrote)."""
    if _is_csv(filename):
        return []
    found: set[tuple[int, int]] = set()
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        with book.open("xl/worksheets/sheet1.xml") as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                if b"<f" in text:
                    for m in _FORMULA_CELL.finditer(text):
                        column = 0
                        for letter in m[1]:
                            column = column * 26 + letter - 64
                        found.add((int(m[2]), column - 1))
                tail = text[-300:]  # a cell's opening tag cut by the chunk is found next time
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []
    return sorted(found)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


_is_text = str.__instancecheck__


def _csv_text(data: bytes) -> str:
    # Excel on a Chinese Windows saves CSV as GB18030 (GBK); everything else as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(_("The CSV file is neither UTF-8 nor GB18030 (GBK) text."))


def read_sheet(
    data: bytes, filename: str = ""
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """Header names and an iterator of (row number, [cell values]) for the first sheet, after
    `check_upload`. Rows come one at a time (never a list of the whole sheet); the iterator
    raises SheetError at a row over the row limit or with a cell over the length limit."""
    check_upload(data, filename)
    raw: Iterator[list[Any]]
    if _is_csv(filename):
        raw = csv.reader(io.StringIO(_csv_text(data)))
    else:
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            raw = iter(sheet.iter_rows())
        except Exception:
            raise SheetError(_("The file could not be read as an Excel or CSV spreadsheet."))
    limit = settings.UPLOAD_MAX_CELL_CHARS

    def checked() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(raw, start=1):
                if number > settings.UPLOAD_MAX_ROWS + 1:
                    raise _too_many_rows()
                # The longest text of the row, found in C (a row is a dozen cells, a file 100,000 rows).
                if max(map(len, filter(_is_text, values)), default=0) > limit:
                    raise _cell_too_long(number)
                yield number, values
        except csv.Error:
            raise SheetError(_("The file could not be read as an Excel or CSV spreadsheet."))

    rows = checked()
    first = next(rows, None)
    if first is None:
        raise SheetError(_("The spreadsheet is empty."))
    headers = [str(h).strip() for h in first[1]]
    if not any(headers):
        raise SheetError(_("The first row must hold the column headers."))
    return headers, rows


def read_rows(
    data: bytes, filename: str = ""
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Header names and an iterator of (row number, {header: value}) for the first sheet, as
    `read_sheet` reads them; empty rows are skipped."""
    headers, raw = read_sheet(data, filename)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in raw:
            cells = [_clean(v) for v in values]
            if all(c in ("", None) for c in cells):
                continue
            yield (
                number,
                {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h},
            )

    return headers, rows()


# --- Writing ------------------------------------------------------------------------------------
# Every sheet Gongke writes looks the same: a named sheet, a bold frozen header with an
# autofilter, numbers, money and dates as typed cells with their formats (so Excel sums and sorts
# them), columns wide enough for what they hold, ID and phone numbers masked. Rows are written in
# constant memory (XlsxWriter keeps one row at a time) into a temporary file that the response
# then streams: a 500,000-row export costs the worker no more memory than a 10-row one.


class Kind:
    """What a column holds: decides the cell's type, its number format and its masking."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"  # decimals as written (temperatures, litres)
    MONEY = "money"  # yuan, two places, thousands separators
    PERCENT = "percent"  # a figure already in per cent (85.5 → "85.5%")
    DATE = "date"
    DATETIME = "datetime"
    PHONE = "phone"  # always masked
    ID = "id"  # always masked


FORMATS: dict[str, str] = {
    Kind.INT: "#,##0",
    Kind.NUMBER: "0.0##",
    Kind.MONEY: "#,##0.00",
    Kind.PERCENT: '0.0"%"',
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}
MIN_WIDTHS = {Kind.DATE: 11, Kind.DATETIME: 17, Kind.MONEY: 14, Kind.ID: 20, Kind.PHONE: 14}
SAMPLE_ROWS = 200  # rows looked at to size the columns (the rest never widen them)
MAX_WIDTH = 60


@dataclass(frozen=True)
class Col:
    """A column of a written sheet. `choices` (templates only) becomes a dropdown."""

    header: Any
    kind: str = Kind.TEXT
    width: int | None = None
    choices: Sequence[Any] = ()
    note: Any = ""
    strict: bool = True  # False: a value outside the choices is only warned about


def _col(c: "Col | Any") -> Col:
    return c if isinstance(c, Col) else Col(str(c))


def text_width(text: str) -> int:
    """Columns as Excel counts them: a CJK character is two wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == Kind.PHONE:
        return mask_phone(str(value))
    if kind == Kind.ID:
        return value if "*" in str(value) else mask_id_number(str(value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, date, str)):
        return value
    return str(value)


class _Book:
    def __init__(self, target: Any) -> None:
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "in_memory": isinstance(target, io.BytesIO),
                "default_date_format": FORMATS[Kind.DATE],
                # Cell text typed by users must stay text: "=HYPERLINK(...)" is not a formula.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.header = self.book.add_format(
            {"bold": True, "bg_color": "#F2F2F2", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.formats = {k: self.book.add_format({"num_format": f}) for k, f in FORMATS.items()}

    def sheet(
        self, name: str, columns: Sequence[Col], rows: Iterable[Sequence[Any]], *, filter_: bool
    ) -> int:
        ws = self.book.add_worksheet(_sheet_name(name))
        iterator = iter(rows)
        sample: list[list[Any]] = []
        for row in iterator:
            sample.append([_cell(v, c.kind) for v, c in zip(row, columns, strict=False)])
            if len(sample) >= SAMPLE_ROWS:
                break
        for i, c in enumerate(columns):
            width = c.width or max(
                [text_width(str(c.header)) + 3, MIN_WIDTHS.get(c.kind, 8)]
                + [text_width(str(r[i])) + 1 for r in sample if i < len(r)]
            )
            ws.set_column(i, i, min(width, MAX_WIDTH), self.formats.get(c.kind))
            ws.write_string(0, i, str(c.header), self.header)
        ws.freeze_panes(1, 0)
        last = 0
        for last, row in enumerate(sample, start=1):
            self._row(ws, last, row, columns)
        first_unsampled = last + 1
        for last, raw in enumerate(iterator, start=first_unsampled):
            self._row(
                ws, last, [_cell(v, c.kind) for v, c in zip(raw, columns, strict=False)], columns
            )
        if filter_ and columns:
            ws.autofilter(0, 0, max(last, 1), len(columns) - 1)
        return last

    def _row(self, ws: Any, r: int, values: list[Any], columns: Sequence[Col]) -> None:
        for i, value in enumerate(values):
            fmt = self.formats.get(columns[i].kind)
            if isinstance(value, datetime):
                ws.write_datetime(r, i, value, self.formats[Kind.DATETIME])
            elif isinstance(value, date):
                ws.write_datetime(r, i, value, self.formats[Kind.DATE])
            elif isinstance(value, (int, float)):
                ws.write_number(r, i, value, fmt)
            elif value == "":
                ws.write_blank(r, i, None, fmt)
            else:
                ws.write_string(r, i, str(value))

    def notes(
        self, lines: Sequence[Any], example: tuple[Sequence[Col], Sequence[Any]] | None
    ) -> None:
        info = self.book.add_worksheet(_sheet_name(str(_("Notes"))))
        info.set_column(0, 0, 100)
        r = 0
        for r, line in enumerate(lines):
            info.write_string(r, 0, str(line))
        if example:
            columns, values = example
            r += 2
            info.write_string(r, 0, str(_("Example (this sheet is never imported):")), self.header)
            for i, (c, v) in enumerate(zip(columns, values, strict=False)):
                info.write_string(r + 1 + i, 0, f"{c.header}: {v}")

    def close(self) -> None:
        self.book.close()


def _sheet_name(name: str) -> str:
    # Excel refuses these characters in a sheet name and more than 31 characters.
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name.strip()[:31] or "Sheet1"


def write_xlsx(
    target: Any,
    columns: Sequence["Col | Any"],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    notes: Sequence[Any] = (),
) -> int:
    """Write one data sheet (and a notes sheet when given) to a path or binary file; returns
    the number of data rows."""
    book = _Book(target)
    cols = [_col(c) for c in columns]
    count = book.sheet(sheet, cols, rows, filter_=True)
    if notes:
        book.notes(notes, None)
    book.close()
    return count


def build_xlsx(
    headers: Sequence["Col | Any"],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    notes: Sequence[Any] = (),
) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, headers, rows, sheet=sheet, notes=notes)
    return out.getvalue()


def template_xlsx(
    columns: Sequence[Col], *, sheet: str, notes: Sequence[Any] = (), example: Sequence[Any] = ()
) -> bytes:
    """An import template: the header alone on the data sheet (so nothing in it can be imported
    by mistake), a dropdown on every column with choices, each column's note as a cell comment,
    and a notes sheet with the rules and an example row."""
    out = io.BytesIO()
    book = _Book(out)
    ws_name = _sheet_name(sheet)
    book.sheet(ws_name, columns, [], filter_=False)
    ws = book.book.get_worksheet_by_name(ws_name)
    lists = None
    for i, c in enumerate(columns):
        if c.note:
            ws.write_comment(0, i, str(c.note))
        if not c.choices:
            continue
        values = [str(v) for v in c.choices]
        if sum(len(v) + 1 for v in values) < 250:
            source: Any = values
        else:  # Excel's inline list is limited to 255 characters: long lists live on a sheet.
            if lists is None:
                lists = book.book.add_worksheet("lists")
                lists.hide()
            for r, v in enumerate(values):
                lists.write_string(r, i, v)
            letter = xlsxwriter.utility.xl_col_to_name(i)
            source = f"=lists!${letter}$1:${letter}${len(values)}"
        ws.data_validation(
            1,
            i,
            settings.UPLOAD_MAX_ROWS,
            i,
            {
                "validate": "list",
                "source": source,
                "error_type": "stop" if c.strict else "warning",
                "error_title": str(c.header)[:32],
                "error_message": str(_("Choose one of the values in the list."))[:255],
            },
        )
    book.notes(notes, (columns, example) if example else None)
    book.close()
    return out.getvalue()


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def xlsx_response(
    filename: str, headers: Sequence["Col | Any"], rows: Iterable[Sequence[Any]], **kw: Any
) -> FileResponse:
    """The sheet as a download, written row by row to a temporary file that the response
    streams in blocks (constant memory however many rows)."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(spool, headers, rows, **kw)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def bytes_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


# --- Reading with headers that differ ------------------------------------------------------------


def header_key(text: Any) -> str:
    """A header as compared with the names a column may go by: case, spaces, punctuation,
    width, units in brackets and the script (繁/简) do not matter."""
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    s = re.sub(r"[\s_\-·.:：*＊/]", "", s)
    return to_simplified(s)


def map_headers(
    headers: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    chosen: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """Which of the file's headers holds each column: the user's choice (`chosen`: column →
    header) first, then any of the column's names compared by `header_key`. Returns
    ({column: header}, [columns not found])."""
    keyed = {header_key(h): h for h in headers if h}
    found: dict[str, str] = {}
    missing: list[str] = []
    for column, names in columns.items():
        pick = (chosen or {}).get(column)
        if pick and pick in headers:
            found[column] = pick
            continue
        match = next((keyed[k] for k in map(header_key, names) if k in keyed), None)
        if match is None:
            missing.append(column)
        else:
            found[column] = match
    return found, missing
