"""Files built to hurt (issue 16): an XLSX zip bomb, a sheet of millions of empty rows and a
NUL byte in a CSV are refused with a message — no worker held for minutes, no 500."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from dataio.imports import MAX_ROWS_READ, MAX_UNPACKED_BYTES
from tests.dataio.test_imports import csv_file, preview, xlsx_file

pytestmark = pytest.mark.django_db

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _with_sheet(rows_xml: str) -> SimpleUploadedFile:
    """A real workbook (openpyxl's) whose first sheet is replaced by `rows_xml`."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([]).read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = (SHEET_HEAD + rows_xml + SHEET_TAIL).encode()
            target.writestr(member.filename, data)
    return SimpleUploadedFile("bomb.xlsx", out.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, manager):
    client.force_login(manager)
    rows = "<row/>" * 4_000_000  # 24 MB unpacked, 24 KB packed
    bomb = _with_sheet(rows)
    assert bomb.size < 2 * 1024 * 1024 < MAX_UNPACKED_BYTES < len(rows)
    started = time.monotonic()

    response = preview(client, bomb)

    assert response.status_code == 200
    assert "unpacks to more than 20 MB" in response.context["form"].errors["file"][0]
    assert time.monotonic() - started < 5  # refused from the zip's directory, not by parsing


def test_millions_of_empty_rows_within_the_size_bound_stop_at_the_row_bound(client, manager):
    client.force_login(manager)
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>customer</t></is></c></row>'
    empty = "".join(f'<row r="{n}"/>' for n in range(2, MAX_ROWS_READ + 100))

    response = preview(client, _with_sheet(header + empty))

    assert "more than 2000 rows" in response.context["form"].errors["file"][0]


def test_a_nul_byte_in_a_csv_is_a_row_error(client, manager):
    client.force_login(manager)
    rows = [
        ["Harbour\x00 Group", "manufacturing", "east", "Harbour ERP", "", "500000", "CNY"],
        ["Clean Customer", "finance", "north", "", "", "", ""],
    ]

    response = preview(client, csv_file(rows))

    assert response.status_code == 200
    refused, clean = response.context["result"].rows
    assert [label for label, _ in refused.errors] == ["Customer"]
    assert "U+0000" in refused.errors[0][1]
    assert clean.errors == []
    assert not Customer.objects.exists()


def test_a_control_character_in_a_cell_is_a_row_error_in_chinese(client, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    rows = [["Harbour Group", "manufacturing", "east", "Harbour\x1b ERP", "", "", "CNY"]]

    response = preview(client, csv_file(rows))

    [row] = response.context["result"].rows
    assert row.errors == [("销售项目", "请删除文本中不可见的控制字符（代码 U+001B）。")]
