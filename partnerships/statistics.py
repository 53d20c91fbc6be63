"""The statistics page: partnerships counted by Land × status, federal subject, decade, kind
and partner level, as server-rendered SVG charts with tables and CSVs (issue 12).

Every number is counted on the partnership list's own FilterSet and rows
(``selectors.partnership_filterset``, published partnerships only) and kept in the list's
count cache, and every bar and cell links to the list filtered by the list's own parameters:
a figure always equals the list it links to. The facets of the unfiltered list give the
Länder, federal subjects, kinds, levels and statuses (the same cached counts as
``/partnerships/``); Land × status and the decades are one grouped query each on the same
queryset, instead of one filtered list per status or decade (a dozen counts with all their
facets).

The charts are SVG drawn here, without JavaScript: each row a label line above its bar,
so that long Russian names fit a phone's width; the geometry is computed below and the
template only writes it out (as text, so no locale formats a coordinate).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, ExpressionWrapper, F, IntegerField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from partnerships import exports
from partnerships.caching import cached_counts, cached_page, current_generation
from partnerships.filters import region_choices
from partnerships.selectors import partnership_filterset
from partnerships.vocabulary import Country, PartnerLevel, PartnershipKind, Status

# The chart's coordinate system: 360 units wide, shown at the width of its column (at most
# 26rem): a 390 px phone shows the 14-unit text at about 14 px, a desktop at about 16 px.
CHART_WIDTH = 360
FONT_SIZE = 14
LINE_HEIGHT = 17
BAR_HEIGHT = 13
ROW_GAP = 9
# Room right of the longest bar for its number.
VALUE_ROOM = 56
# Characters per label line (the widest Cyrillic letters at about 0.6 em).
LABEL_CHARS = int(CHART_WIDTH / (FONT_SIZE * 0.6))
# A chart of more rows shows only the first ones; its table lists all.
CHART_ROWS = 20


def list_url(params: dict[str, str | int]) -> str:
    """The partnership list filtered by ``params`` (the list's own parameter names)."""
    url = reverse("partnerships:partnership-list")
    return f"{url}?{urlencode(params)}" if params else url


def num(value: float) -> str:
    """A coordinate as SVG reads it (never through a locale's number format)."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass
class Cell:
    """One number of a figure and the list it counts."""

    value: int
    url: str
    label: str = ""
    css: str = ""


@dataclass
class Row:
    """A bar (or a table row): its label, its list's parameters and its number(s)."""

    label: str
    params: dict[str, str | int]
    total: Cell
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Line:
    y: str
    text: str


@dataclass
class Segment:
    x: str
    width: str
    cell: Cell
    tooltip: str


@dataclass
class ChartRow:
    row: Row
    lines: list[Line]
    bar_y: str
    segments: list[Segment]
    value_x: str
    value_y: str


@dataclass
class Chart:
    width: int
    height: int
    bar_height: int
    rows: list[ChartRow]


@dataclass
class Figure:
    slug: str
    title: str
    summary: str
    # What the rows are (the table's first column) and the list parameters they set.
    key_label: str
    key_columns: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    # The columns of a figure split by status: (value, label); their totals and the
    # total of all.
    columns: list[tuple[str, str]] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    total: Cell | None = None
    chart_note: str = ""

    @property
    def description(self) -> str:
        """The chart's text alternative: what it shows and its largest bar."""
        if not self.rows:
            return self.summary
        top = max(self.rows, key=lambda row: row.total.value)
        largest = _("Largest: %(label)s, %(count)s.") % {
            "label": top.label,
            "count": top.total.value,
        }
        return f"{self.summary} {largest} {_('The table gives every number.')}"

    @property
    def chart(self) -> Chart:
        return draw(self.rows[:CHART_ROWS], self.columns)

    def csv_lines(self, base_url: str) -> list[list[str]]:
        """The table as CSV: fixed header names in every language, labels in the reader's."""
        counts = [value for value, _label in self.columns] + ["partnerships"]
        lines = [[*self.key_columns, "label", *counts, "url"]]
        for row in self.rows:
            keys = [str(row.params.get(column, "")) for column in self.key_columns]
            values = [cell.value for cell in row.cells] + [row.total.value]
            lines.append([*keys, row.label, *values, base_url + row.total.url])
        if self.total is not None:
            keys = [""] * len(self.key_columns)
            values = [cell.value for cell in self.column_totals] + [self.total.value]
            lines.append([*keys, self.total.label, *values, base_url + self.total.url])
        return [[exports.neutralise(cell) for cell in line] for line in lines]


def draw(rows: list[Row], columns: list[tuple[str, str]]) -> Chart:
    """Horizontal bars, one per row (stacked by status where the figure has columns)."""
    largest = max((row.total.value for row in rows), default=0) or 1
    scale = (CHART_WIDTH - VALUE_ROOM) / largest
    drawn, y = [], 0
    for row in rows:
        texts = textwrap.wrap(row.label, LABEL_CHARS) or [""]
        lines = [Line(num(y + FONT_SIZE + i * LINE_HEIGHT), text) for i, text in enumerate(texts)]
        bar_y = y + len(texts) * LINE_HEIGHT + 3
        segments, x = [], 0.0
        for cell in row.cells or [row.total]:
            width = cell.value * scale
            if cell.value:
                name = f"{row.label} · {cell.label}" if cell.label else row.label
                segments.append(Segment(num(x), num(width), cell, f"{name}: {cell.value}"))
            x += width
        drawn.append(
            ChartRow(
                row=row,
                lines=lines,
                bar_y=num(bar_y),
                segments=segments,
                value_x=num(x + 5),
                value_y=num(bar_y + BAR_HEIGHT - 2),
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    return Chart(CHART_WIDTH, max(y - ROW_GAP + 2, 1), BAR_HEIGHT, drawn)


def bar_row(label: str, params: dict[str, str | int], value: int) -> Row:
    return Row(label=label, params=params, total=Cell(value, list_url(params)))


# --- the counts -------------------------------------------------------------------------


def land_status_counts(queryset) -> dict[str, int]:
    rows = (
        queryset.order_by()
        .values_list("german_partner__region__code", "status")
        .annotate(n=Count("pk"))
    )
    return {f"{code}|{status}": n for code, status, n in rows}


def decade_counts(queryset) -> dict[int | None, int]:
    decade = ExpressionWrapper(F("since_year") / 10 * 10, output_field=IntegerField())
    rows = queryset.order_by().values_list(decade).annotate(n=Count("pk"))
    return dict(rows)


def figures(request: HttpRequest) -> list[Figure]:
    """The page's figures, from the list's counts (cached under the registry's generation)."""
    filterset = partnership_filterset({})
    filterset.is_valid()  # no filters: always valid, and count_key() reads the cleaned data
    key = filterset.count_key()
    total, facets = cached_counts(request, key, filterset.counts)
    land_status = cached_counts(
        request, f"statistics|land-status|{key}", lambda: land_status_counts(filterset.qs)
    )
    decades = cached_counts(
        request, f"statistics|decades|{key}", lambda: decade_counts(filterset.qs)
    )
    return [
        by_land_and_status(total, facets, land_status, current_generation(request)),
        by_federal_subject(facets, current_generation(request)),
        by_decade(decades),
        by_kind(facets),
        by_level(total, facets),
    ]


def by_land_and_status(total: int, facets, land_status: dict[str, int], generation: int) -> Figure:
    statuses = [(str(value), str(label)) for value, label in Status.choices]
    by_land = facets.get("german_state", {})
    by_status = facets.get("status", {})
    rows = []
    for code, name in region_choices(Country.GERMANY, generation):
        cells = [
            Cell(
                land_status.get(f"{code}|{status}", 0),
                list_url({"german_state": code, "status": status}),
                label,
                f"status-{status}",
            )
            for status, label in statuses
        ]
        rows.append(
            Row(
                name,
                {"german_state": code},
                Cell(by_land.get(code, 0), list_url({"german_state": code})),
                cells,
            )
        )
    column_totals = [
        Cell(by_status.get(status, 0), list_url({"status": status}), label, f"status-{status}")
        for status, label in statuses
    ]
    notes = []
    without = by_land.get("None", 0)
    if without:
        notes.append(
            ngettext(
                "%(count)s partnership has a German partner without a Land; it is only in "
                "the totals.",
                "%(count)s partnerships have a German partner without a Land; they are only "
                "in the totals.",
                without,
            )
            % {"count": without}
        )
    return Figure(
        slug="land-status",
        title=_("Partnerships by German Land and status"),
        summary=_(
            "Stacked horizontal bars: for each German Land, its partnerships by status "
            "(active, dormant, suspended, ended, unknown)."
        ),
        key_label=_("German Land"),
        key_columns=["german_state"],
        rows=rows,
        notes=notes,
        columns=statuses,
        column_totals=column_totals,
        total=Cell(total, list_url({}), _("All Länder")),
    )


def by_federal_subject(facets, generation: int) -> Figure:
    counts = facets.get("russian_region", {})
    names = region_choices(Country.RUSSIA, generation)
    order = {code: position for position, (code, _name) in enumerate(names)}
    rows = [
        bar_row(name, {"russian_region": code}, counts[code])
        for code, name in names
        if counts.get(code)
    ]
    rows.sort(key=lambda row: (-row.total.value, order[row.params["russian_region"]]))
    notes = []
    without = counts.get("None", 0)
    if without:
        notes.append(
            ngettext(
                "%(count)s partnership has a Russian partner whose federal subject is not "
                "recorded; it is not in this figure.",
                "%(count)s partnerships have a Russian partner whose federal subject is not "
                "recorded; they are not in this figure.",
                without,
            )
            % {"count": without}
        )
    chart_note = ""
    if len(rows) > CHART_ROWS:
        chart_note = _(
            "The chart shows the %(shown)s federal subjects with the most partnerships; "
            "the table lists all %(all)s."
        ) % {"shown": CHART_ROWS, "all": len(rows)}
    return Figure(
        slug="federal-subjects",
        title=_("Partnerships by Russian federal subject"),
        summary=_(
            "Horizontal bars: the number of partnerships per Russian federal subject, "
            "the most first."
        ),
        key_label=_("Russian federal subject"),
        key_columns=["russian_region"],
        rows=rows,
        notes=notes,
        chart_note=chart_note,
    )


def by_decade(decades: dict[int | None, int]) -> Figure:
    dated = [decade for decade in decades if decade is not None]
    rows = []
    if dated:
        for start in range(min(dated), max(dated) + 1, 10):
            end = start + 9
            label = f"{start}–{end}"
            rows.append(bar_row(label, {"year_from": start, "year_to": end}, decades.get(start, 0)))
    notes = []
    undated = decades.get(None, 0)
    if undated:
        notes.append(
            ngettext(
                "For %(count)s partnership the year of establishment is not known; it is not "
                "in this figure.",
                "For %(count)s partnerships the year of establishment is not known; they are "
                "not in this figure.",
                undated,
            )
            % {"count": undated}
        )
    return Figure(
        slug="decades",
        title=_("Partnerships by decade of establishment"),
        summary=_("Horizontal bars: the number of partnerships established in each decade."),
        key_label=_("Decade"),
        key_columns=["year_from", "year_to"],
        rows=rows,
        notes=notes,
    )


def by_kind(facets) -> Figure:
    counts = facets.get("kind", {})
    rows = [
        bar_row(str(label), {"kind": value}, counts.get(value, 0))
        for value, label in PartnershipKind.choices
    ]
    return Figure(
        slug="kinds",
        title=_("Partnerships by kind"),
        summary=_("Horizontal bars: the number of partnerships of each kind."),
        key_label=_("Kind"),
        key_columns=["kind"],
        rows=rows,
    )


def by_level(total: int, facets) -> Figure:
    counts = facets.get("level", {})
    rows = [
        bar_row(str(label), {"level": value}, counts.get(value, 0))
        for value, label in PartnerLevel.choices
    ]
    notes = []
    if sum(row.total.value for row in rows) != total:
        notes.append(
            _(
                "A partnership counts at the level of each of its two partners (a town linked "
                "with a district counts at both levels), so the bars do not add up to the "
                "total (%(total)s)."
            )
            % {"total": total}
        )
    return Figure(
        slug="levels",
        title=_("Partnerships by partner level"),
        summary=_(
            "Horizontal bars: the number of partnerships with a partner at each level "
            "(town, district, Land or region)."
        ),
        key_label=_("Partner level"),
        key_columns=["level"],
        rows=rows,
        notes=notes,
    )


# --- the views --------------------------------------------------------------------------


class StatisticsView(View):
    template_name = "partnerships/statistics.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_page(request, lambda: self.render_page(request))

    def render_page(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"figures": figures(request)})


def statistics_csv(request: HttpRequest, figure: str) -> HttpResponse:
    """One figure's table as CSV (``?sep=semicolon`` for German Excel)."""
    found = [each for each in figures(request) if each.slug == figure]
    if not found:
        raise Http404(_("There is no such figure."))
    lines = found[0].csv_lines(request.build_absolute_uri("/").rstrip("/"))
    semicolon = request.GET.get("sep") == "semicolon"
    return exports.stream_csv(lines, name=f"statistics-{figure}", semicolon=semicolon)
