"""Uploads that cannot take the server down: every spreadsheet import refuses a file over the
limits (size, unpacked size and ratio, rows, cell length) before parsing it, answers malformed
files with a clear message in the user's language, and writes nothing when it refuses."""

import io
import struct
import zipfile
import zlib
from decimal import Decimal
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from gongke.census import services as census
from gongke.census.models import Household
from gongke.donations import importer
from gongke.donations.models import Entry, Gift
from gongke.lib import excel
from gongke.lib.excel import build_xlsx, read_upload
from gongke.registry import imports as registry
from gongke.registry.models import Organization
from gongke.resumption import services as resumption
from gongke.resumption.models import StaffTemperature

HEADERS = ["捐赠方", "金额", "日期"]
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
)
TAIL = b"</t></is></c></row></sheetData></worksheet>"


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of raw-deflated members (name, data, crc, size), written by hand: zipfile cannot
    take data already compressed, and compressing 300 MB in the test would take seconds."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in members:
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(name.encode()))
        out.write(b"PK\x03\x04" + struct.pack("<2H3H3L2H", *fields[:3], *fields[3:], 0))
        out.write(name.encode() + data)
        directory.write(
            b"PK\x01\x02"
            + struct.pack("<3H3H3L5H2L", 20, *fields[:3], *fields[3:], 0, 0, 0, 0, 0, offset)
            + name.encode()
        )
    start = out.tell()
    out.write(directory.getvalue())
    count = len(members)
    out.write(b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, count, count, directory.tell(), start, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    return squeeze.compress(data) + squeeze.flush()


@cache
def bomb(megabytes: int) -> bytes:
    """A real .xlsx (the template's other parts) whose sheet is one cell of `megabytes` MB of
    the same letter: ~1 KB per MB once deflated, as the file that once took 6 GB and a minute."""
    template = zipfile.ZipFile(io.BytesIO(build_xlsx(HEADERS, [["张三", "100", "2020-02-01"]])))
    members = [
        (m.filename, _deflate(raw := template.read(m)), zlib.crc32(raw), len(raw))
        for m in template.infolist()
        if m.filename != SHEET
    ]
    letters = b"A" * (1 << 20)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = squeeze.compress(HEAD) + squeeze.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh, so every MB compresses to the same bytes.
    block = squeeze.compress(letters) + squeeze.flush(zlib.Z_FULL_FLUSH)
    tail = squeeze.compress(TAIL) + squeeze.flush()
    crc = zlib.crc32(HEAD)
    for _ in range(megabytes):
        crc = zlib.crc32(letters, crc)
    size = len(HEAD) + megabytes * len(letters) + len(TAIL)
    members.append((SHEET, head + block * megabytes + tail, zlib.crc32(TAIL, crc), size))
    return _zip(members)


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if anything reaches the spreadsheet parser."""

    class Refused:
        @staticmethod
        def from_filelike(*args, **kwargs):
            raise AssertionError("the file was handed to the parser")

    monkeypatch.setattr(excel, "CalamineWorkbook", Refused)


def _donations_page(client, cast, data, name="gifts.xlsx"):
    return client.post(
        reverse("donations:import"),
        {"organization": cast.chamber_a.pk, "file": SimpleUploadedFile(name, data)},
    )


def test_a_300_kb_file_with_one_300_mb_cell_is_refused_before_it_is_parsed(
    cast, client_for, never_parsed
):
    data = bomb(300)
    assert len(data) < 400_000
    with zipfile.ZipFile(io.BytesIO(data)) as book:  # a well-formed zip, every CRC right
        assert book.getinfo(SHEET).file_size > 300_000_000
    response = _donations_page(client_for(cast.admin_a), cast, data)
    assert response.status_code == 200
    assert "表格解压后超过 200 MB。" in response.content.decode()
    assert not Gift.objects.exists()


@pytest.mark.parametrize("importer_name", ["donations", "registry", "census", "resumption"])
def test_every_importer_refuses_a_file_packed_beyond_the_ratio(cast, never_parsed, importer_name):
    data = bomb(20)  # 20 MB of sheet in ~25 KB: within the unpacked size, far beyond the ratio
    message = "表格解压后超过原文件大小的 100 倍，已拒绝。"
    if importer_name == "donations":
        result = importer.import_gifts(
            user=cast.admin_a, organization=cast.chamber_a, data=data, filename="g.xlsx"
        )
        assert [e.message for e in result.errors] == [message]
    elif importer_name == "registry":
        with pytest.raises(registry.ImportRejected) as refused:
            registry.import_file(cast.admin_a, "organizations", data, "o.xlsx")
        assert [e.message for e in refused.value.errors] == [message]
    elif importer_name == "census":
        with pytest.raises(excel.SheetError, match=message):
            census.import_households(user=cast.admin_a, place=cast.compound_a, data=data)
    else:
        count, errors = resumption.import_temperatures(
            enterprise=cast.a1, user=cast.reporter_a1, data=data, filename="t.xlsx"
        )
        assert (count, [e.message for e in errors]) == (0, [message])
    assert not (
        Gift.objects.exists() or Household.objects.exists() or StaffTemperature.objects.exists()
    )
    assert not Organization.objects.filter(name="张三").exists()


def test_a_cell_over_the_limit_is_refused(cast, settings, never_parsed):
    settings.UPLOAD_MAX_CELL_CHARS = 100
    data = build_xlsx(HEADERS, [["张三", "100", "2020-02-01"], ["李四" * 500, "100", "2020-02-01"]])
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="g.xlsx"
    )
    assert [e.message for e in result.errors] == ["有单元格超过 100 个字符。"]


def test_a_cell_just_over_the_limit_is_refused_with_its_row(cast, settings):
    settings.UPLOAD_MAX_CELL_CHARS = 100
    rows = [["张三", "100", "2020-02-01"], ["张三", "100", "2020-02-01", "x" * 101]]
    for data, name in [
        (build_xlsx([*HEADERS, "备注"], rows), "g.xlsx"),
        (
            "捐赠方,金额,日期,备注\n张三,100,2020-02-01,\n张三,100,2020-02-01,{}\n".format(
                "x" * 101
            ).encode(),
            "g.csv",
        ),
    ]:
        result = importer.import_gifts(
            user=cast.admin_a, organization=cast.chamber_a, data=data, filename=name
        )
        assert [e.message for e in result.errors] == ["第 3 行有单元格超过 100 个字符。"], name
    assert not Gift.objects.exists()


def test_too_many_rows_are_refused_before_parsing(cast, settings, never_parsed):
    settings.UPLOAD_MAX_ROWS = 5
    rows = [["张三", str(n), "2020-02-01"] for n in range(1, 9)]
    csv = ("\n".join(",".join(r) for r in [HEADERS, *rows]) + "\n").encode()
    for data, name in [(build_xlsx(HEADERS, rows), "g.xlsx"), (csv, "g.csv")]:
        result = importer.import_gifts(
            user=cast.admin_a, organization=cast.chamber_a, data=data, filename=name
        )
        assert [e.message for e in result.errors] == ["文件超过 5 行，请拆分成几个较小的文件。"]
    assert not Gift.objects.exists()


def test_a_file_over_the_size_limit_is_refused_without_being_read_whole(cast, settings, api_for):
    settings.UPLOAD_MAX_BYTES = 1000
    assert len(read_upload(io.BytesIO(b"x" * 5000))) == 1001
    csv = ("捐赠方,金额,日期\n" + "张三,100,2020-02-01\n" * 200).encode()
    response = api_for(cast.admin_a).post(
        "/api/v1/donations/imports",
        {"organization_id": cast.chamber_a.pk, "file": SimpleUploadedFile("g.csv", csv)},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "文件大于 0.001 MB。"
    assert not Gift.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "g.xlsx", "无法将该文件读取为 Excel 或 CSV 表格。"),
        (b"this is no spreadsheet", "g.xlsx", "无法将该文件读取为 Excel 或 CSV 表格。"),
        (
            b"\xff\xfe\xff\xfe\x80\x81",
            "g.csv",
            "CSV 文件既不是 UTF-8 也不是 GB18030（GBK）编码的文本。",
        ),
        (b"", "g.csv", "表格是空的。"),
        (build_xlsx([], []), "g.xlsx", "表格是空的。"),
    ],
)
def test_a_malformed_file_gets_a_clear_message_and_nothing_is_written(cast, data, name, message):
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename=name
    )
    assert [e.message for e in result.errors] == [message]
    assert not Gift.objects.exists()


def test_a_csv_saved_by_a_chinese_excel_in_gbk_is_read(cast):
    data = "捐赠方,金额,日期\n张三,100,2020-02-01\n".encode("gbk")
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="g.csv"
    )
    assert result.ok, result.errors
    assert Gift.objects.get().public_name == "张三"


def test_text_over_a_columns_length_is_refused_on_every_database(cast):
    # SQLite would store a 501-character note; PostgreSQL refuses it. The import refuses both.
    rows = [["张三", "100", "2020-02-01", "长" * 501], ["李" * 201, "100", "2020-02-01", ""]]
    result = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=build_xlsx([*HEADERS, "备注"], rows),
        filename="g.xlsx",
    )
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "最多 500 个字符。"),
        (3, "最多 200 个字符。"),
    ]
    assert not Gift.objects.exists() and not Entry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_file_is_parsed_before_the_write_transaction_begins(cast, monkeypatch):
    inside: list[bool] = []
    read = importer._Reader.read

    def spy(self, *args, **kwargs):
        inside.append(connection.in_atomic_block)
        return read(self, *args, **kwargs)

    monkeypatch.setattr(importer._Reader, "read", spy)
    rows = [["张三", str(n), "2020-02-01"] for n in range(1, 4)]
    result = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=build_xlsx(HEADERS, rows),
        filename="g.xlsx",
    )
    assert result.created == 3
    assert inside == [False, False, False]
    assert sum(Gift.objects.values_list("value", flat=True)) == Decimal(6)


def test_an_imports_statements_are_all_seen_by_query_counting(cast):
    from django.test.utils import CaptureQueriesContext

    rows = [["张三", str(n), "2020-02-01"] for n in range(1, 4)]
    with CaptureQueriesContext(connection) as queries:
        result = importer.import_gifts(
            user=cast.admin_a,
            organization=cast.chamber_a,
            data=build_xlsx(HEADERS, rows),
            filename="g.xlsx",
        )
    assert result.created == 3 and Entry.objects.count() == 6
    # SQLite: executemany, logged as "6 times: INSERT INTO ..."; PostgreSQL: COPY.
    targets = [
        f"{verb} {connection.ops.quote_name(model._meta.db_table)} "
        for verb in ("INSERT INTO", "COPY")
        for model in (Gift, Entry)
    ]
    writes = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in targets)]
    assert len(writes) == 2, writes
