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
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
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
