"""Encodings of CSV uploads (files.read_table, no database): UTF-8 with or without BOM, the
code pages German and Russian Excel write, the files refused, and the helpers that tell a
value whose letters a code page lost ("?") from a real one.

The files are realistic partnership lists, encoded here with Python's codecs as Excel would
write them (characters a code page lacks become "?", as Excel writes them).
"""

import csv
import io
import random

import pytest
from django.utils import translation

from partnerships.importing import files
from partnerships.importing.errors import FileError
from partnerships.importing.files import (
    LATIN_1,
    REPAIR_HINT,
    UTF8,
    WINDOWS_1251,
    WINDOWS_1252,
    differs_only_by_lost_characters,
    has_cyrillic,
    read_table,
)

STARTER = files.__file__.rsplit("/", 2)[0] + "/data/starter/partnerships-de-ru.csv"

GERMAN_EXCEL = (
    "german_name;german_state;kind;partner;note\r\n"
    "Düsseldorf;Nordrhein-Westfalen;Städtepartnerschaft;Moskau;\r\n"
    "Köln;Nordrhein-Westfalen;Städtepartnerschaft;Wolgograd;seit 1988\r\n"
    "Lüneburg;Niedersachsen;Partnerschaft;Naro-Fominsk;\r\n"
    "Große Kreisstadt Radebeul;Sachsen;Freundschaft;Sankt Petersburg;„Kontakte ruhen“ – 2022\r\n"
)

RUSSIAN_EXCEL = (
    "german_name;russian_name_latin;russian_name_cyrillic;russian_region;kind\r\n"
    "Aachen;Kostroma;Кострома;Костромская область;Städtepartnerschaft\r\n"
    "Bad Orb;Istra;Истра;Московская область;Partnerschaft\r\n"
    "Köln;Wolgograd;Волгоград;Волгоградская область;Partnerschaft\r\n"
    "Kiel;Kaliningrad;Калининград;Калининградская область;Partnerschaft\r\n"
    "Düsseldorf;Moskau;Москва;;Städtepartnerschaft\r\n"
)


@pytest.fixture(autouse=True)
def in_english():
    """The refusals and notices are read here as the command line prints them: in English
    (they are translated for the admin; tests/test_import_messages.py)."""
    with translation.override("en"):
        yield


def excel(text: str, encoding: str) -> bytes:
    """The text as a program saving in ``encoding`` writes it: "?" for what it lacks."""
    return text.encode(encoding, errors="replace")


def cells(table: files.Table, column: str) -> list[str]:
    return [row[column] for _line, row in table.rows]


def refusal(data: bytes) -> str:
    with pytest.raises(FileError) as refused:
        read_table(data, "upload.csv")
    return str(refused.value)


# German files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "reported", "notice"),
    [
        ("utf-8", UTF8, None),
        ("utf-8-sig", UTF8, None),
        ("cp1252", WINDOWS_1252, "Windows-1252"),
        # Latin-1 text (no bytes 0x80-0x9F) is Windows-1252 text, byte for byte.
        ("latin-1", WINDOWS_1252, "Windows-1252"),
        ("iso-8859-15", WINDOWS_1252, "Windows-1252"),
    ],
)
def test_a_german_excel_file_keeps_its_umlauts(encoding, reported, notice):
    table = read_table(excel(GERMAN_EXCEL, encoding), "partnerships.csv")

    assert table.encoding == reported
    assert table.header == ["german_name", "german_state", "kind", "partner", "note"]
    assert cells(table, "german_name") == [
        "Düsseldorf",
        "Köln",
        "Lüneburg",
        "Große Kreisstadt Radebeul",
    ]
    assert cells(table, "kind")[:2] == ["Städtepartnerschaft", "Städtepartnerschaft"]
    assert [line for line, _row in table.rows] == [2, 3, 4, 5]
    if notice:
        assert len(table.notices) == 1
        assert notice in table.notices[0]
        assert "not UTF-8" in table.notices[0]
    else:
        assert table.notices == []


def test_the_line_of_the_issue_reads_right_in_windows_1252():
    line = "Düsseldorf;Nordrhein-Westfalen;Städtepartnerschaft;Köln;Lüneburg;Große"
    table = read_table(("a;b;c;d;e;f\r\n" + line + "\r\n").encode("cp1252"), "excel.csv")
    assert table.encoding == WINDOWS_1252
    assert ";".join(table.rows[0][1].values()) == line


def test_windows_1252_punctuation_is_read_as_windows_1252():
    table = read_table(excel(GERMAN_EXCEL, "cp1252"))
    assert cells(table, "note")[3] == "„Kontakte ruhen“ – 2022"


# Short files: the library alone is unsure on them (it reads "Köln" in Windows-1252 as Big5,
# and picks Mac Roman's "St‰dte" among Latin code pages that read equally well).
SHORT_GERMAN_FILES = [
    "german_name\r\nKöln\r\n",
    "german_name,kind\r\nKöln,Partnerschaft\r\nAachen,Partnerschaft\r\n",
    "german_name;german_state;kind\r\n"
    "Oberursel (Taunus);Hessen;twin town / sister city\r\n"
    "Delmenhorst;Niedersachsen;Städtepartnerschaft\r\n",
    "german_name;german_state;russian_name_latin;kind;since_year\r\n"
    "Düsseldorf;Nordrhein-Westfalen;Moskau;Städtepartnerschaft;1992\r\n"
    "Prenzlau;Brandenburg;Pochwistnewo;Städtepartnerschaft;1997\r\n",
    "german_name;russian_name_latin;russian_name_cyrillic\r\n"
    "Berlin-Neukölln;Pavlovsk;Павловск\r\n"
    "Ratingen;Gagarin;Гагарин\r\n"
    "Karlsruhe;Krasnodar;Краснодар\r\n",
    "german_name;german_state;kind;since_year\r\n"
    "Neuss;Nordrhein-Westfalen;Partnerschaft;1990\r\n"
    "Celle;Niedersachsen;Partnerschaft;\r\n"
    "Hanau;Hessen;Städtepartnerschaft;\r\n"
    "Land Brandenburg;Brandenburg;Partnerschaft (Region);\r\n"
    "Bad Homburg vor der Höhe;Hessen;twin town / sister city;\r\n"
    "Unterschleißheim;Bayern;Partnerschaft;\r\n"
    "Verden (Aller);Niedersachsen;Partnerschaft;\r\n",
]


@pytest.mark.parametrize("text", SHORT_GERMAN_FILES)
def test_a_short_windows_1252_file_is_read_right(text):
    data = excel(text, "cp1252")
    table = read_table(data, "short.csv")
    assert table.encoding == WINDOWS_1252
    delimiter = ";" if ";" in text.split("\r\n", 1)[0] else ","
    expected = list(csv.reader(io.StringIO(data.decode("cp1252")), delimiter=delimiter))
    assert [list(row.values()) for _line, row in table.rows] == [row for row in expected[1:] if row]
    assert any(char in "äöüßÄÖÜ" for _line, row in table.rows for char in "".join(row.values()))


def starter_rows() -> list[list[str]]:
    with open(STARTER, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def to_csv(rows: list[list[str]], delimiter: str = ";") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(40))
def test_random_starter_extracts_in_windows_1252_are_read_right(seed):
    """2 to 9 starter rows in some of the columns, as German Excel writes them."""
    chance = random.Random(seed)
    header, *rows = starter_rows()
    columns = chance.choice([[0, 1, 2, 3, 5], [0, 2, 3], [0, 1, 5, 6], [0, 1, 2, 3, 4, 5, 6, 7]])
    picked = [header, *chance.sample(rows, chance.randint(2, 9))]
    text = to_csv([[row[index] for index in columns] for row in picked])
    data = excel(text, "cp1252")
    if data.isascii():
        return  # nothing to detect: UTF-8
    table = read_table(data)
    assert table.encoding == WINDOWS_1252
    assert [list(row.values()) for _line, row in table.rows] == [
        [row[index] for index in columns] for row in excel_text(picked[1:], "cp1252")
    ]


def excel_text(rows: list[list[str]], encoding: str) -> list[list[str]]:
    return [[cell.encode(encoding, "replace").decode(encoding) for cell in row] for row in rows]


def test_the_whole_starter_file_in_windows_1252_is_read_right():
    header, *rows = starter_rows()
    table = read_table(excel(to_csv([header, *rows]), "cp1252"))
    assert table.encoding == WINDOWS_1252
    assert len(table.rows) == 120
    assert [list(row.values()) for _line, row in table.rows] == excel_text(rows, "cp1252")


def test_one_umlaut_at_the_end_of_a_long_file_is_found():
    """Shown a whole long file, the library measures a few slices and misses the one line
    that is not ASCII: only the first line and the non-ASCII lines are shown to it."""
    lines = ["german_name;kind"] + ["Aachen;Partnerschaft"] * 50_000 + ["Köln;Städtepartnerschaft"]
    table = read_table("\r\n".join(lines).encode("cp1252"))
    assert table.encoding == WINDOWS_1252
    assert table.rows[-1] == (50_002, {"german_name": "Köln", "kind": "Städtepartnerschaft"})


# Russian files -----------------------------------------------------------------------------


def test_a_russian_excel_file_in_windows_1251_is_read_with_its_cyrillic_letters():
    table = read_table(excel(RUSSIAN_EXCEL, "cp1251"), "russian.csv")
    assert table.encoding == WINDOWS_1251
    assert cells(table, "russian_name_cyrillic") == [
        "Кострома",
        "Истра",
        "Волгоград",
        "Калининград",
        "Москва",
    ]
    assert cells(table, "russian_region")[0] == "Костромская область"
    # Windows-1251 has no umlauts: Excel wrote "?" for them.
    assert cells(table, "german_name")[2] == "K?ln"
    assert cells(table, "kind")[0] == "St?dtepartnerschaft"
    assert len(table.notices) == 1
    assert "Windows-1251" in table.notices[0]
    assert "umlauts" in table.notices[0]


def test_the_whole_starter_file_in_windows_1251_is_read_right():
    header, *rows = starter_rows()
    table = read_table(excel(to_csv([header, *rows]), "cp1251"))
    assert table.encoding == WINDOWS_1251
    assert [list(row.values()) for _line, row in table.rows] == excel_text(rows, "cp1251")


@pytest.mark.parametrize("encoding", ["koi8-r", "cp866", "iso-8859-5", "mac-cyrillic"])
def test_other_cyrillic_code_pages_are_refused_not_guessed(encoding):
    message = refusal(excel(RUSSIAN_EXCEL, encoding))
    assert "not UTF-8" in message
    assert "Windows-1251" in message
    assert REPAIR_HINT in message


def test_cyrillic_letters_that_read_as_well_in_two_code_pages_are_refused():
    """Two Cyrillic names are too few to tell Windows-1251 from Mac Cyrillic ("Псков" or
    "Џсков"): a wrong Cyrillic name would look right, so the file is refused."""
    text = (
        "german_name;russian_name_latin;russian_name_cyrillic\r\n"
        "Neuss;Pskow;Псков\r\n"
        "Rostock;Kaliningrad;Калининград\r\n"
    )
    message = refusal(text.encode("cp1251"))
    assert "read equally well in several code pages" in message
    assert "mac_cyrillic" in message
    assert REPAIR_HINT in message


# Refused files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(1, 256)) * 40,
        random.Random(7).randbytes(4000).replace(b"\x00", b"\x01"),  # no NUL: detection decides
        b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(500).replace(b"\x00", b"\x01"),
        "都市;国\r\n東京;日本\r\n大阪;日本\r\n".encode("shift_jis"),
    ],
    ids=["all-bytes", "random", "png-like", "shift-jis"],
)
def test_binary_and_unknown_files_are_refused_with_what_to_do(data):
    message = refusal(data)
    assert message.startswith("the file is not UTF-8 (byte ")
    assert REPAIR_HINT in message


def test_utf8_mixed_with_windows_1252_is_refused():
    text = "german_name;russian_name_cyrillic\r\nKöln;Волгоград\r\nDüsseldorf;Москва\r\n"
    data = text.encode("utf-8").replace("ö".encode(), "ö".encode("cp1252"))
    message = refusal(data)
    assert "not UTF-8" in message
    assert REPAIR_HINT in message


def test_a_utf8_mark_before_windows_1252_text_is_refused():
    message = refusal(b"\xef\xbb\xbf" + GERMAN_EXCEL.encode("cp1252"))
    assert "starts with the mark of UTF-8" in message


def test_a_control_character_in_windows_1252_text_is_refused():
    """Read as Windows-1252 every byte is a character; control characters are not text."""
    data = excel(GERMAN_EXCEL, "cp1252").replace(b"Moskau", b"Mos\x01kau")
    message = refusal(data)
    assert "read as Windows-1252 it holds control characters" in message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("\ufeffgerman_name\nKöln\n".encode("utf-16"), "UTF-16"),
        ("german_name\nKöln\n".encode("utf-16-le"), "NUL bytes"),
        (b"german_name\x00\nK\xf6ln\n", "NUL bytes"),
    ],
)
def test_utf16_and_nul_bytes_are_still_refused(data, message):
    assert message in refusal(data)


def test_latin_1_is_reported_when_only_latin_1_reads_the_file(monkeypatch):
    """Windows-1252 wins over Latin-1 whenever both read a file (they agree on its letters);
    where the detection finds only a Latin-1 reading, the file is reported as Latin-1."""
    monkeypatch.setattr(files, "detect_code_page", lambda data, not_utf8: "latin_1")
    table = read_table(excel(GERMAN_EXCEL.replace("„", '"').replace("“", '"'), "latin-1"))
    assert table.encoding == LATIN_1
    assert "Latin-1" in table.notices[0]
    assert cells(table, "german_name")[1] == "Köln"


# Characters lost to a code page ------------------------------------------------------------


def test_every_starter_value_that_a_code_page_spoils_is_recognised():
    """Every cell of the starter file, saved in Windows-1252 or Windows-1251: where the code
    page lost a character, the spoiled value is told from the original."""
    spoiled = 0
    for row in starter_rows():
        for value in row:
            for code_page in ("cp1252", "cp1251"):
                written = value.encode(code_page, "replace").decode(code_page)
                if written != value:
                    spoiled += 1
                    assert differs_only_by_lost_characters(value, written), (value, written)
    assert spoiled > 200  # every Cyrillic name in one, every umlaut in the other


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Köln ↔ Wolgograd", "Köln ? Wolgograd", True),
        ("Кострома", "????????", True),
        ("Düsseldorf", "D?sseldorf", True),
        ("Bad ↔ ü", "Bad ? ?", True),
        ("Köln", "Köln", False),  # nothing lost
        ("Köln", "K?lm", False),  # another letter changed too
        ("Aachen", "Aac?en", False),  # "h" is ASCII: no code page loses it
        ("Кострома", "???????", False),  # not the same length
        ("Köln", "Koln", False),  # a letter replaced, but not by "?"
        ("K?ln", "Köln", False),  # the other way round
    ],
)
def test_differs_only_by_lost_characters(old, new, expected):
    assert differs_only_by_lost_characters(old, new) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Кострома", True),
        ("Kostroma", False),
        ("????????", False),
        ("Ростов-на-Дону", True),
        ("Köln", False),
        ("Aachen ↔ Кострома", True),
        ("Ѓ", True),  # Macedonian: still Cyrillic
        ("ԁ", True),  # Cyrillic Supplement
        ("҂", False),  # a Cyrillic sign, not a letter
        ("", False),
    ],
)
def test_a_text_has_cyrillic_only_if_it_holds_a_cyrillic_letter(text, expected):
    assert has_cyrillic(text) is expected
