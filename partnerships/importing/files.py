"""Reading an import file into a header and numbered rows: CSV or XLSX, whatever the encoding.

CSV files are read as UTF-8 (with or without BOM) first: a file that decodes as UTF-8 is
UTF-8. The encoding of any other file is detected with charset-normalizer, and the file is
read only in an encoding that spreadsheet programs write for this registry's users:
Windows-1252 (German Excel's "CSV (Trennzeichen-getrennt)") or its relatives Latin-1 and
ISO-8859-15, or Windows-1251 (Russian Excel's CSV). Anything else, and any file whose
encoding is not recognised with confidence, is refused with a message saying what to do
(see ``detect_code_page``). The separator is ``,`` or ``;`` (German Excel), or what an Excel
``sep=`` first line says.

A code page without Cyrillic letters (Windows-1252) writes them as "?", and one without
umlauts (Windows-1251) writes those as "?": ``differs_only_by_lost_characters`` and
``has_cyrillic`` let the importers flag such values.

XLSX workbooks are read with openpyxl (first sheet, column names in row 1); a file that is
not a readable workbook is refused, never half-read. Both readers cap the size of the file
and the number of rows, so that an upload cannot exhaust the server.

Every refusal and notice is in the active language (the admin's editor's; English on the
command line), translated when raised.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from charset_normalizer import from_bytes
from charset_normalizer.constant import IANA_SUPPORTED
from charset_normalizer.utils import is_multi_byte_encoding
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext

from partnerships.importing.errors import FileError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
# A workbook is a zip archive: cap what it unpacks to, not only what it weighs.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024

UTF8, WINDOWS_1252, LATIN_1, WINDOWS_1251, XLSX = (
    "utf-8",
    "windows-1252",
    "latin-1",
    "windows-1251",
    "xlsx",
)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old Excel (.xls) and other compound documents
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$")

# Marked here, translated where a message says it (``repair_hint``).
REPAIR_HINT = gettext_noop("save it as 'CSV UTF-8' (or as an Excel workbook .xlsx) and try again")

# Encoding detection (charset-normalizer) -----------------------------------------------------
#
# charset-normalizer decodes the bytes in every candidate code page and measures the "chaos"
# of each reading (0 = reads like text, up to 1; it drops readings above 0.2). A reading is
# only a candidate here at MAX_CHAOS or below, and only the readings exactly as good as the
# best one (``CONTENDER_MARGIN``) are considered. Among those:
#
# * a Western reading (Windows-1252, else Latin-1, else ISO-8859-15) wins. On a short German
#   file many Latin code pages read equally well (Mac Roman, DOS 850, Windows-1250, ...) and
#   the library's own pick among them is arbitrary (it picks Mac Roman's "St‰dte" as often as
#   "Städte"): what German Excel writes is by far the likeliest, so it is preferred;
# * else Windows-1251, but only when no other Cyrillic code page (Mac Cyrillic, KOI8-R, ...)
#   reads the file as well into different Cyrillic letters: a Cyrillic name misread is a
#   wrong name that looks right, so a doubt is a refusal. KOI8-R, DOS 866, Mac Cyrillic and
#   ISO-8859-5 are never accepted: Excel does not write them, and they are told apart from
#   each other and from Windows-1251 only on long texts;
# * a Western and a Cyrillic reading that differ, equally good, are refused (ambiguous).
#
# Multi-byte code pages (Chinese, Japanese, Korean) are not candidates: on a short file they
# swallow an umlaut and the letter after it as one character and win (the library reads
# "Köln" in Windows-1252 as Big5), and no file for this registry is written in them. A
# genuinely CJK file is refused anyway, since no single-byte reading of it is clean.
#
# What it cannot tell:
# * a German file from Mac Excel (Mac Roman) or DOS (code page 850) reads as cleanly in
#   Windows-1252, with other letters ("Kšln"), and is read so (the notice asks to check the
#   umlauts);
# * Latin-1 text is Windows-1252 text byte for byte (bar control characters), and is reported
#   as such; ISO-8859-15 is read as Windows-1252 too, so that its "€" (and Š š Ž ž Œ œ Ÿ)
#   comes out as "¤" (and ¦ ¨ ´ ¸ ¼ ½ ¾);
# * a very short Windows-1251 file (two or three Cyrillic words) can read best as
#   Windows-1252 ("Ìàõà÷êàëà"); its Cyrillic column then holds no Cyrillic letter
#   (``has_cyrillic``), which the partnership importer refuses row by row.
#
# MAX_CHAOS: the right readings of realistic German and Russian files (2 to 120 rows of the
# starter data, in trials) scored at most 0.1; the library itself drops readings at 0.2.
MAX_CHAOS = 0.15
CONTENDER_MARGIN = 0.0
DETECTION_SAMPLE_BYTES = 16 * 1024
WESTERN_CODE_PAGES = {"cp1252": WINDOWS_1252, "latin_1": LATIN_1, "iso8859_15": LATIN_1}
CYRILLIC_CODE_PAGES = {"cp1251": WINDOWS_1251}
_MULTI_BYTE = [name for name in IANA_SUPPORTED if is_multi_byte_encoding(name)]
CODE_PAGE_NAMES = {
    "cp1252": "Windows-1252",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_15": "ISO-8859-15 (Latin-9)",
    "cp1251": "Windows-1251",
}


@dataclass
class Table:
    """A file's column names and its non-empty rows, numbered as a spreadsheet shows them."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = UTF8
    notices: list[str] = field(default_factory=list)


def repair_hint() -> str:
    """What to do with a file that cannot be read, in the active language."""
    return gettext(REPAIR_HINT)


def read_table(data: bytes, name: str = "") -> Table:
    """A CSV or XLSX file (told apart by its content, and by its name's extension)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(
            gettext("the file is larger than %(megabytes)s MB")
            % {"megabytes": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise FileError(gettext("the file is empty"))
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if data.startswith(OLE_MAGIC) or extension == "xls":
        raise FileError(
            gettext("old Excel files (.xls) cannot be read: %(hint)s") % {"hint": repair_hint()}
        )
    if data.startswith(ZIP_MAGIC) or extension in {"xlsx", "xlsm"}:
        return read_xlsx(data)
    return read_csv(data)


# CSV ---------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8, else the code page detected.

    The encoding is ``UTF8``, ``WINDOWS_1252``, ``LATIN_1`` (Latin-1 or ISO-8859-15) or
    ``WINDOWS_1251``; a file in any other encoding, or in none recognised with confidence,
    raises FileError.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            gettext("the file is UTF-16 ('Unicode text'), not UTF-8: %(hint)s")
            % {"hint": repair_hint()}
        )
    if b"\x00" in data:
        raise FileError(gettext("the file contains NUL bytes: is it really a CSV file?"))
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as error:
        not_utf8 = gettext("the file is not UTF-8 (byte %(position)s)") % {"position": error.start}
        if data.startswith(b"\xef\xbb\xbf"):  # marked as UTF-8, yet not: two encodings mixed
            raise FileError(
                gettext(
                    "%(not_utf8)s, though it starts with the mark of UTF-8: parts of it are "
                    "in another encoding. %(hint)s"
                )
                % {"not_utf8": not_utf8, "hint": capfirst(repair_hint())}
            ) from error
        code_page = detect_code_page(data, not_utf8)
        name = CODE_PAGE_NAMES[code_page]
        try:
            text = data.decode(code_page)
        except UnicodeDecodeError as undefined:  # in a line the detection did not sample
            raise FileError(
                gettext(
                    "%(not_utf8)s, and byte %(position)s is not a character in %(encoding)s, "
                    "the encoding of the rest of it: %(hint)s"
                )
                % {
                    "not_utf8": not_utf8,
                    "position": undefined.start,
                    "encoding": name,
                    "hint": repair_hint(),
                }
            ) from error
        if _CONTROL.search(text):
            raise FileError(
                gettext(
                    "%(not_utf8)s, and read as %(encoding)s it holds control characters: is "
                    "it really a CSV file? Otherwise %(hint)s"
                )
                % {"not_utf8": not_utf8, "encoding": name, "hint": repair_hint()}
            ) from error
        return text, WESTERN_CODE_PAGES.get(code_page) or CYRILLIC_CODE_PAGES[code_page]


def detect_code_page(data: bytes, not_utf8: str | None = None) -> str:
    """The Python codec of a file that is not UTF-8: 'cp1252', 'latin_1', 'iso8859_15' or
    'cp1251', as charset-normalizer detects it (see the rules above ``MAX_CHAOS``).

    Raises FileError, its message starting with ``not_utf8``, when no reading is clean
    enough, when the best readings are in other encodings, or when they disagree.
    """
    not_utf8 = not_utf8 or gettext("the file is not UTF-8")
    sample = detection_sample(data)
    readings = [
        match for match in from_bytes(sample, cp_exclusion=_MULTI_BYTE) if match.chaos <= MAX_CHAOS
    ]
    if not readings:
        raise FileError(
            gettext(
                "%(not_utf8)s, and its encoding cannot be recognised with confidence (it "
                "does not read as text in any of the encodings the import knows): %(hint)s"
            )
            % {"not_utf8": not_utf8, "hint": repair_hint()}
        )
    best = min(match.chaos for match in readings)
    contenders = [match for match in readings if match.chaos <= best + CONTENDER_MARGIN]
    western = next(
        (
            code_page
            for code_page in WESTERN_CODE_PAGES
            if any(code_page in match.could_be_from_charset for match in contenders)
        ),
        None,
    )
    cyrillic_readings = [match for match in contenders if has_cyrillic(str(match))]
    cyrillic = next(
        (
            code_page
            for code_page in CYRILLIC_CODE_PAGES
            if any(code_page in match.could_be_from_charset for match in cyrillic_readings)
        ),
        None,
    )
    if cyrillic and len({str(match) for match in cyrillic_readings}) > 1:
        others = sorted(
            {
                match.encoding
                for match in cyrillic_readings
                if cyrillic not in match.could_be_from_charset
            }
        )
        raise FileError(
            gettext(
                "%(not_utf8)s, and its Cyrillic letters read equally well in several code "
                "pages that spell them differently (Windows-1251, %(others)s): %(hint)s"
            )
            % {"not_utf8": not_utf8, "others": ", ".join(others), "hint": repair_hint()}
        )
    if western and cyrillic and sample.decode(western) != sample.decode(cyrillic):
        raise FileError(
            gettext(
                "%(not_utf8)s, and it reads equally well as Windows-1252 (German) and as "
                "Windows-1251 (Russian) text, which differ: %(hint)s"
            )
            % {"not_utf8": not_utf8, "hint": repair_hint()}
        )
    if western or cyrillic:
        return western or cyrillic
    closest = ", ".join(sorted({match.encoding for match in contenders})[:3])
    raise FileError(
        gettext(
            "%(not_utf8)s, and it is in none of the other encodings the import reads "
            "(Windows-1252, Latin-1, Windows-1251; it reads best as %(closest)s): %(hint)s"
        )
        % {"not_utf8": not_utf8, "closest": closest, "hint": repair_hint()}
    )


def detection_sample(data: bytes) -> bytes:
    """What charset-normalizer is shown of a file: its first line and the lines that hold
    non-ASCII bytes, evenly chosen from the whole file up to DETECTION_SAMPLE_BYTES.

    ASCII bytes read the same in every code page the import reads, so only the other lines
    can tell those apart; shown the whole file, the library measures a few slices of it, and
    in a long file these may miss the one line with umlauts. The sample also keeps the
    detection of a 50 MB file under a second (cut short, should a line be that long: in a
    single-byte code page a cut never splits a character).
    """
    lines = data.splitlines(keepends=True)
    first, rest = lines[:1], [line for line in lines[1:] if not line.isascii()]
    size = sum(len(line) for line in rest)
    if size > DETECTION_SAMPLE_BYTES:
        count = max(1, len(rest) * DETECTION_SAMPLE_BYTES // size)
        rest = [rest[index * len(rest) // count] for index in range(count)]
    return b"".join(first + rest)[: 2 * DETECTION_SAMPLE_BYTES]


# Marked here, translated when a file is read.
NOTICES = {
    WINDOWS_1252: gettext_noop(
        "The file is not UTF-8: it was read as Windows-1252 (German Excel's 'CSV'). "
        "Check the names with umlauts below; Cyrillic letters cannot be written in this "
        "encoding, so save the file as 'CSV UTF-8' when it holds any."
    ),
    LATIN_1: gettext_noop(
        "The file is not UTF-8: it was read as Latin-1 (ISO-8859-1 or ISO-8859-15). "
        "Check the names with umlauts below; Cyrillic letters cannot be written in this "
        "encoding, so save the file as 'CSV UTF-8' when it holds any."
    ),
    WINDOWS_1251: gettext_noop(
        "The file is not UTF-8: it was read as Windows-1251 (Russian Excel's 'CSV'). "
        "Check the Cyrillic names below; German umlauts and ß cannot be written in this "
        "encoding (they come out as '?'), so save the file as 'CSV UTF-8' when it holds any."
    ),
}


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    notices = [gettext(NOTICES[encoding])] if encoding in NOTICES else []
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
                raise FileError(
                    gettext("line %(line)s has more cells than the header") % {"line": line}
                )
            cells = {key: (value or "").strip() for key, value in row.items()}
            if not any(cells.values()):
                continue  # an empty row (";;;;" from Excel)
            if len(rows) >= MAX_ROWS:
                raise FileError(too_many_rows())
            rows.append((line, cells))
    except csv.Error as error:
        raise FileError(
            gettext("line %(line)s: %(error)s") % {"line": reader.line_num + offset, "error": error}
        ) from error
    return Table(header=header, rows=rows, encoding=encoding, notices=notices)


# Characters lost to a code page --------------------------------------------------------------
#
# Saving text in a code page that lacks some of its characters (Cyrillic in Windows-1252,
# umlauts in Windows-1251, "↔" in both) writes "?" for each of them: "Köln" becomes "K?ln",
# "Кострома" "????????". Nothing in the file says so; these tell such values apart.

_CYRILLIC_LETTER = re.compile(r"[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")


def differs_only_by_lost_characters(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with some of its non-ASCII characters written as "?".

    True for ("Köln ↔ Wolgograd", "Köln ? Wolgograd") and ("Кострома", "????????"): the
    same length, and every character that differs is a non-ASCII one of ``old`` that is "?"
    in ``new`` (a code page writes "?" only for what it lacks, and every code page has
    ASCII). False when the two are equal, or differ in anything else.
    """
    if old == new or len(old) != len(new):
        return False
    return all(
        was == now or (now == "?" and ord(was) > 127) for was, now in zip(old, new, strict=True)
    )


def has_cyrillic(text: str) -> bool:
    """Whether ``text`` holds at least one Cyrillic letter (of any Cyrillic block)."""
    return any(char.isalpha() for char in _CYRILLIC_LETTER.findall(text))


def too_many_rows() -> str:
    return ngettext(
        "the file has more than %(rows)s row: split it into smaller files",
        "the file has more than %(rows)s rows: split it into smaller files",
        MAX_ROWS,
    ) % {"rows": MAX_ROWS}


# XLSX --------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> Table:
    import openpyxl  # only needed for workbooks

    not_a_workbook = gettext("the file is not a readable Excel workbook (.xlsx): %(hint)s") % {
        "hint": repair_hint()
    }
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileError(not_a_workbook) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileError(
            gettext("the workbook unpacks to more than %(megabytes)s MB")
            % {"megabytes": MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)}
        )
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a malformed workbook can fail in many ways
        raise FileError(not_a_workbook) from error
    try:
        if not workbook.worksheets:
            raise FileError(gettext("the workbook has no sheet"))
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
            cells = [cell_text(value) for value in values]
            if line == 1:
                header = cells
                if not any(header):
                    raise FileError(gettext("row 1 of the first sheet must hold the column names"))
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
        raise FileError(gettext("the first sheet of the workbook is empty"))
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
