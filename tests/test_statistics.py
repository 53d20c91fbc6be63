"""The statistics page (issue 12): every number equals the list it links to.

Each figure's bars and table cells link to the partnership list filtered by the list's own
parameters; following a link must show exactly the number the figure shows. Drafts never
count; the charts are accessible SVG without scripts or style attributes; each figure's
CSV holds the numbers of its table.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from partnerships.models import Region
from partnerships.selectors import partnership_filterset
from partnerships.vocabulary import Status
from tests.factories import MunicipalityFactory, PartnershipFactory, RussianMunicipalityFactory

pytestmark = pytest.mark.django_db

URL = "/statistics/"
FIGURES = ["land-status", "federal-subjects", "decades", "kinds", "levels"]


def figures_of(client, url: str = URL) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return {figure.slug: figure for figure in response.context["figures"]}


def numbers(figure):
    """Every number the figure shows (bars, cells, totals), each with its link."""
    for row in figure.rows:
        yield row.label, row.total
        for cell in row.cells:
            yield f"{row.label} · {cell.label}", cell
    if figure.total is not None:
        yield figure.total.label, figure.total
        for cell in figure.column_totals:
            yield f"{figure.total.label} · {cell.label}", cell


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


class Tables(HTMLParser):
    """The text of each table cell, per table (by the id of the figure's heading)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = self.tables.setdefault(attrs["aria-labelledby"], [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_page_shows_every_figure(client):
    figures = figures_of(client)
    assert list(figures) == FIGURES
    for figure in figures.values():
        assert figure.rows, figure.slug


def test_every_number_equals_the_list_it_links_to(client):
    """Follows every link of every figure: the list shows the figure's number."""
    followed = 0
    for figure in figures_of(client).values():
        for label, cell in numbers(figure):
            assert cell.url.startswith("/partnerships/")
            response = client.get(cell.url)
            assert response.status_code == 200, cell.url
            assert response.context["total"] == cell.value, (figure.slug, label, cell.url)
            followed += 1
    assert followed > 100


def test_every_number_equals_the_selectors_count(client):
    for figure in figures_of(client).values():
        for label, cell in numbers(figure):
            count = partnership_filterset(params_of(cell.url)).qs.count()
            assert count == cell.value, (figure.slug, label)


def test_land_by_status_adds_up_and_links_by_land_and_status(client):
    figure = figures_of(client)["land-status"]
    lands = Region.objects.filter(country="DE").count()
    assert len(figure.rows) == lands
    assert [value for value, _label in figure.columns] == list(Status.values)
    for row in figure.rows:
        assert sum(cell.value for cell in row.cells) == row.total.value
        for cell, status in zip(row.cells, Status.values, strict=True):
            assert params_of(cell.url) == {
                "german_state": row.params["german_state"],
                "status": status,
            }
    for i, column in enumerate(figure.column_totals):
        assert sum(row.cells[i].value for row in figure.rows) == column.value
    assert figure.total.value == 120
    assert sum(cell.value for cell in figure.column_totals) == 120
    suspended = figure.column_totals[list(Status.values).index(Status.SUSPENDED)]
    assert suspended.value == partnership_filterset({"status": "suspended"}).qs.count() > 0


def test_lander_are_sorted_by_the_name_the_reader_sees(client):
    german = [row.label for row in figures_of(client)["land-status"].rows]
    assert german.index("Baden-Württemberg") < german.index("Bayern")
    assert german[-1] == "Thüringen"
    russian = [row.label for row in figures_of(client, "/ru" + URL)["land-status"].rows]
    assert russian[0] == "Бавария"
    assert russian.index("Тюрингия") < russian.index("Шлезвиг-Гольштейн")


def test_decades_link_to_the_year_range(client):
    figure = figures_of(client)["decades"]
    for row in figure.rows:
        start = row.params["year_from"]
        assert start % 10 == 0
        assert params_of(row.total.url) == {"year_from": str(start), "year_to": str(start + 9)}
    undated = partnership_filterset({}).qs.filter(since_year__isnull=True).count()
    assert undated
    assert sum(row.total.value for row in figure.rows) + undated == 120
    assert any(str(undated) in note for note in figure.notes)


def test_a_draft_is_never_counted(client):
    before = figures_of(client)
    saarland = Region.objects.get(code="DE-SL")
    draft = {
        "status": Status.SUSPENDED,
        "since_year": 1975,
        "kind": "project",
        "german_partner": MunicipalityFactory(region=saarland),
    }
    PartnershipFactory(is_published=False, **draft)
    # A published partnership whose partner is a draft is not public either.
    PartnershipFactory(
        **{**draft, "german_partner": MunicipalityFactory(region=saarland, is_published=False)}
    )
    after = figures_of(client)
    for slug in FIGURES:
        assert [(label, c.value) for label, c in numbers(after[slug])] == [
            (label, c.value) for label, c in numbers(before[slug])
        ], slug
    # The same partnership published counts everywhere it belongs.
    PartnershipFactory(
        **{**draft, "german_partner": MunicipalityFactory(region=saarland)},
        russian_partner=RussianMunicipalityFactory(),
    )
    published = figures_of(client)
    row = next(row for row in published["land-status"].rows if row.label == "Saarland")
    assert row.total.value == 1
    assert [cell.value for cell in row.cells if cell.value] == [1]
    assert published["land-status"].total.value == 121
    seventies = next(r for r in published["decades"].rows if r.params["year_from"] == 1970)
    assert seventies.total.value == 1 + next(
        r.total.value for r in before["decades"].rows if r.params["year_from"] == 1970
    )


def test_the_charts_are_accessible_svg_without_script_or_style(client):
    html = client.get(URL).content.decode()
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == len(FIGURES)
    for slug, svg in zip(FIGURES, svgs, strict=True):
        opening = svg[: svg.index(">")]
        assert 'role="img"' in opening
        assert f'aria-labelledby="{slug}-title {slug}-desc"' in opening
        assert "viewBox=" in opening
        assert re.search(rf'<title id="{slug}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{slug}-desc">[^<]+</desc>', svg)
        # Coordinates are written as SVG reads them, never in a locale's number format.
        for value in re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg):
            assert re.fullmatch(r"\d+(\.\d)?", value), value
        # Every bar is a link to a list.
        assert svg.count("<rect") == len(
            re.findall(
                r'<a href="/partnerships/\?[^"]+" tabindex="-1"><title>[^<]*</title><rect', svg
            )
        )


def test_each_csv_has_the_numbers_of_its_table(client):
    html = client.get(URL).content.decode()
    parser = Tables()
    parser.feed(html)
    for slug in FIGURES:
        table = parser.tables[f"{slug}-heading"]
        response = client.get(f"/statistics/{slug}.csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        lines = list(csv.reader(io.StringIO(streamed(response))))
        header, rows = lines[0], lines[1:]
        assert header[-1] == "url" and "label" in header
        first_number = header.index("label") + 1
        assert len(rows) == len(table) - 1  # the table's head row
        for line, cells in zip(rows, table[1:], strict=True):
            assert line[header.index("label")] == cells[0]
            assert line[first_number:-1] == cells[1:]
            assert line[-1].startswith("http://testserver/partnerships/")


def test_the_csv_for_german_excel_is_semicolon_separated(client):
    text = streamed(client.get("/statistics/kinds.csv", {"sep": "semicolon"}))
    assert text.splitlines()[0] == "kind;label;partnerships;url"


def test_an_unknown_figure_is_not_found(client):
    assert client.get("/statistics/nothing.csv").status_code == 404
    assert client.get("/statistics/land-status.json").status_code == 404


@pytest.mark.parametrize(
    ("prefix", "title", "land"),
    [
        ("", "Partnerschaften nach Bundesland und Status", "Bayern"),
        ("/ru", "Партнёрства по федеральным землям Германии и статусу", "Бавария"),
        ("/en", "Partnerships by German Land and status", "Bavaria"),
    ],
)
def test_the_page_in_every_language(client, prefix, title, land):
    response = client.get(prefix + URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert land in html
    assert f'href="{prefix}/partnerships/?german_state=DE-BY&amp;status=suspended"' in html
    csv_text = streamed(client.get(f"{prefix}/statistics/land-status.csv"))
    assert csv_text.splitlines()[0].startswith("german_state,label,active,")
    assert land in csv_text
    assert f"http://testserver{prefix}/partnerships/?german_state=DE-BY" in csv_text


def test_no_english_left_on_the_german_and_russian_pages(client):
    english = ["Partnerships by", "Horizontal bars", "The table", "Total", "This table"]
    for prefix in ("", "/ru"):
        html = client.get(prefix + URL).content.decode()
        for words in english:
            assert words not in html, (prefix, words)


def test_the_page_is_cached_for_anonymous_readers(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get(URL)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the registry's generation only
        again = client.get(URL)
    assert again.content == first.content
