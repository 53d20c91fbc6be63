"""Reading an import file into a header and numbered rows: CSV or XLSX, whatever the encoding.

CSV files are read as UTF-8 (with or without BOM) first. A file that is not UTF-8 is read
as Windows-1252 (what German Excel writes for "CSV (Trennzeichen-getrennt)") only when its
bytes look like Windows-1252 text: no control characters, few non-ASCII characters, and no
UTF-8 sequences mixed in. Anything else is refused with a message saying what to do. The
separator is ``,`` or ``;`` (German Excel), or what an Excel ``sep=`` first line says.

XLSX workbooks are read with openpyxl (first sheet, column names in row 1); a file that is
not a readable workbook is refused, never half-read. Both readers cap the size of the file
and the number of rows, so that an upload cannot exhaust the server.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from partnerships.importing.errors import FileError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
# A workbook is a zip archive: cap what it unpacks to, not only what it weighs.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
# In Windows-1252 text, at most this share of the characters lie outside ASCII.
MAX_NON_ASCII_SHARE = 0.2

UTF8, WINDOWS_1252, XLSX = "utf-8", "windows-1252", "xlsx"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old Excel (.xls) and other compound documents
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$")

REPAIR_HINT = "save it as 'CSV UTF-8' (or as an Excel workbook .xlsx) and try again"


@dataclass
class Table:
    """A file's column names and its non-empty rows, numbered as a spreadsheet shows them."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = UTF8
    notices: list[str] = field(default_factory=list)


def read_table(data: bytes, name: str = "") -> Table:
    """A CSV or XLSX file (told apart by its content, and by its name's extension)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileError("the file is empty")
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if data.startswith(OLE_MAGIC) or extension == "xls":
        raise FileError(f"old Excel files (.xls) cannot be read: {REPAIR_HINT}")
    if data.startswith(ZIP_MAGIC) or extension in {"xlsx", "xlsm"}:
        return read_xlsx(data)
    return read_csv(data)


# CSV ---------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in (UTF-8, else plausible Windows-1252)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(f"the file is UTF-16 ('Unicode text'), not UTF-8: {REPAIR_HINT}")
    if b"\x00" in data:
        raise FileError("the file contains NUL bytes: is it really a CSV file?")
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as error:
        text = plausible_windows_1252(data)
        if text is None:
            raise FileError(
                f"the file is not UTF-8 (byte {error.start}) and does not look like "
                f"Windows-1252 text either: {REPAIR_HINT}"
            ) from error
        return text, WINDOWS_1252


def plausible_windows_1252(data: bytes) -> str | None:
    """The text if the bytes read as Windows-1252 look like text, else None."""
    if _UTF8_SEQUENCE.search(data):
        return None  # UTF-8 mixed with something else: no single encoding fits
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None  # bytes that Windows-1252 leaves undefined
    if _CONTROL.search(text):
        return None
    non_ascii = sum(1 for char in text if ord(char) > 127)
    if non_ascii > MAX_NON_ASCII_SHARE * len(text):
        return None
    return text


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    notices = []
    if encoding == WINDOWS_1252:
        notices.append(
            "The file is not UTF-8: it was read as Windows-1252 (German Excel's 'CSV'). "
            "Check the names with umlauts below; Cyrillic letters cannot be written in this "
            "encoding, so save the file as 'CSV UTF-8' when it holds any."
        )
    offset = 0
    first_line, _newline, rest = text.partition("\n")
    sep_line = _SEP_LINE.match(first_line)
    if sep_line:  # Excel's "sep=;" hint line
        delimiter, text, offset = sep_line.group(1), rest, 1
        first_line = text.split("\n", 1)[0]
    else:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = []
        for row in reader:
            line = reader.line_num + offset
            if row.pop(None, None):
                raise FileError(f"line {line} has more cells than the header")
            cells = {key: (value or "").strip() for key, value in row.items()}
            if not any(cells.values()):
                continue  # an empty row (";;;;" from Excel)
            if len(rows) >= MAX_ROWS:
                raise FileError(too_many_rows())
            rows.append((line, cells))
    except csv.Error as error:
        raise FileError(f"line {reader.line_num + offset}: {error}") from error
    return Table(header=header, rows=rows, encoding=encoding, notices=notices)


def too_many_rows() -> str:
    return f"the file has more than {MAX_ROWS} rows: split it into smaller files"


# XLSX --------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> Table:
    import openpyxl  # only needed for workbooks

    not_a_workbook = f"the file is not a readable Excel workbook (.xlsx): {REPAIR_HINT}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileError(not_a_workbook) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileError(
            f"the workbook unpacks to more than {MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)} MB"
        )
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a malformed workbook can fail in many ways
        raise FileError(not_a_workbook) from error
    try:
        if not workbook.worksheets:
            raise FileError("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
            cells = [cell_text(value) for value in values]
            if line == 1:
                header = cells
                if not any(header):
                    raise FileError("row 1 of the first sheet must hold the column names")
                continue
            row = {name: value for name, value in zip(header, cells, strict=False) if name}
            if not any(row.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileError(too_many_rows())
            rows.append((line, {name: row.get(name, "") for name in header if name}))
    except FileError:
        raise
    except Exception as error:
        raise FileError(not_a_workbook) from error
    finally:
        workbook.close()
    if not header:
        raise FileError("the first sheet of the workbook is empty")
    return Table(header=[name for name in header if name], rows=rows, encoding=XLSX)


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file would hold (1990, not 1990.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()
