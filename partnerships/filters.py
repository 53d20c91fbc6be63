"""FilterSets of the public lists, with facet counts.

Next to each option of a facet stands the number of results it would give under the
other active filters (as Datasette's facets do). The total and every facet are counted in
one grouped query (``FacetedFilterSet.counts``), so a page runs a fixed number of queries
whatever the data size.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Collate, NullIf
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from partnerships.caching import current_generation
from partnerships.models import Initiative, Municipality, Partnership, Region, Signatory
from partnerships.models.appeals import Participation
from partnerships.models.municipalities import NO_MATCH, SearchMatch, in_search_order
from partnerships.models.partnerships import (
    STATUS_DATED,
    STATUS_UNDATED,
    UNVERIFIED,
    has_published_initiative,
)
from partnerships.sql import AnyOf, fetch_rows
from partnerships.vocabulary import (
    LEVEL_OF_KIND,
    Country,
    InitiativeKind,
    MunicipalityKind,
    OrganisationKind,
    PartnerLevel,
    PartnershipKind,
    Status,
)

MAX_QUERY_LENGTH = 100
YES_NO = [("yes", _("yes")), ("no", _("no"))]
# Whether a dated source says since when the status holds (``Partnership.objects.
# status_dated()`` / ``status_undated()``; a partnership whose status is unknown is neither).
STATUS_DATED_CHOICES = [("dated", _("dated")), ("undated", _("undated"))]
STATUS_DATED_CONDITIONS = {"dated": STATUS_DATED, "undated": STATUS_UNDATED}


def kinds_of_level(level: str) -> list[str]:
    return [kind for kind, of_level in LEVEL_OF_KIND.items() if of_level == level]


# Lists sort by the name the reader sees, as the reader's language sorts it: PostgreSQL's
# ICU collations ("Ä" with "A" in German, "Ё" with "Е" in Russian; the database's own
# C.UTF-8 collation would put "Ä" after "Z" and sort by code points).
COLLATIONS = {"de": "de-x-icu", "ru": "ru-x-icu", "en": "en-x-icu"}


def reader_language() -> str:
    language = (get_language() or "de")[:2]
    return language if language in COLLATIONS else "de"


def collated(expression) -> Collate:
    """``expression`` (a field name or an expression) sorted as the reader's language sorts."""
    if isinstance(expression, str):
        expression = F(expression)
    return Collate(expression, COLLATIONS[reader_language()])


# ``Municipality.display_name`` as SQL: the names tried, in order, before the official name.
SHOWN_NAME_FIELDS = {"ru": ["name_ru"], "en": ["name_en", "name_de"], "de": ["name_de", "name_en"]}


def shown_name(prefix: str = "") -> Collate:
    """The municipality's name as the reader sees it (``display_name``), collated; through
    ``prefix`` for a related one (``german_partner__``)."""
    names = [NullIf(F(prefix + field), Value("")) for field in SHOWN_NAME_FIELDS[reader_language()]]
    return collated(Coalesce(*names, F(prefix + "name")))


def shown_region(prefix: str = "") -> Collate:
    """The region's name in the reader's language, collated (``region__`` by default)."""
    return collated(f"{prefix}region__{Region.name_field(reader_language())}")


def shown_label(field: str, choices) -> Collate:
    """A choice field by its label in the reader's language, collated."""
    return collated(
        Case(
            *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
            default=F(field),
        )
    )


def shown_organisation() -> Collate:
    """What a signature is shown on behalf of (``Signatory.localized_organisation``)."""
    language = reader_language()
    own = "organisation" if language == "de" else f"organisation_{language}"
    linked = [
        NullIf(F(f"municipality__{field}"), Value("")) for field in SHOWN_NAME_FIELDS[language]
    ]
    return collated(
        Coalesce(
            NullIf(F(own), Value("")),
            *linked,
            F("municipality__name"),
            F("initiative__name"),
            F("organisation"),
        )
    )


def shown_signatory() -> Collate:
    """A signatory's name, or for an unnamed supporter the organisation as named."""
    return collated(Coalesce(NullIf(F("person_name"), Value("")), F("organisation")))


# Regions are reference data that hardly ever change: they are read once per process,
# language and registry generation, so that building a page's filters costs no query. An
# editor's change to a region raises the generation (partnerships/caching.py), which every
# worker reads with its next request: no worker keeps showing the regions as they were.
@functools.lru_cache(maxsize=64)
def _region_choices(country: str, language: str, generation: int) -> tuple[tuple[str, str], ...]:
    name = Region.name_field(language)
    collation = COLLATIONS.get(language[:2], COLLATIONS["de"])
    regions = Region.objects.for_country(country).order_by(Collate(F(name), collation), "code")
    return tuple((region.code, getattr(region, name) or region.name_de) for region in regions)


def region_choices(country: str, generation: int) -> list[tuple[str, str]]:
    """The regions of a country as filter choices, in the reader's language and order."""
    return list(_region_choices(country, get_language() or "de", generation))


@functools.cache
def region_ids() -> dict[str, int]:
    """Regions' ids by ISO code, read once per process: a region keeps its id, and one
    added since is found by its code (``RegionFilter.filter``)."""
    return dict(Region.objects.values_list("code", "id"))


@functools.lru_cache(maxsize=4)
def _region_codes(generation: int) -> dict[int, str]:
    """Regions' ISO codes by id, read once per process and registry generation (an
    editor may correct a code)."""
    return dict(Region.objects.values_list("id", "code"))


def grouped_column(path: str, generation: int) -> tuple[str, Callable[[object], str]]:
    """What a column facet's rows are grouped by, and how a group's value becomes the
    option's value: a region's code (``…region__code``) is grouped by the region's id and
    looked up in ``_region_codes``, so that the count joins no region table (two hash
    joins per partnership count; docs/PERFORMANCE.md, "fourth session")."""
    if path.endswith("region__code"):
        codes = _region_codes(generation)
        return path.removesuffix("__code"), lambda region_id: codes.get(region_id, "None")
    return path, str


class RegionChoices:
    """The choices of one FilterSet's region filter, read when its form asks for them."""

    def __init__(self, region_filter: RegionFilter) -> None:
        self.region_filter = region_filter

    def __call__(self) -> list[tuple[str, str]]:
        return self.region_filter.region_choices()

    def __deepcopy__(self, _memo) -> RegionChoices:
        # The form copies its fields; the choices stay those of this FilterSet (a copy
        # would copy the FilterSet and its request with them).
        return self


class RegionFilter(django_filters.ChoiceFilter):
    """A region of ``countries`` chosen by its ISO code (``field_name`` names the region
    relation).

    It filters on the region's id, not on a join to the region table: PostgreSQL's
    statistics then tell it how many municipalities the region has (Bavaria: 8,000 of
    100,000, not the 1 % an average region would have), and it reads the first page in
    name order instead of sorting all of them (16 instead of 128 ms at 100,000).
    """

    def __init__(self, *args, countries: tuple[str, ...], **kwargs):
        self.countries = countries
        super().__init__(*args, choices=RegionChoices(self), **kwargs)

    def bind(self) -> None:
        """Choices of this copy, the one its FilterSet holds (``FacetedFilterSet``)."""
        self.extra["choices"] = RegionChoices(self)

    def region_choices(self) -> list[tuple[str, str]]:
        generation = self.parent.generation
        return [
            choice for country in self.countries for choice in region_choices(country, generation)
        ]

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        region_id = region_ids().get(value)
        if region_id is None:  # a region added since the ids were read
            return qs.filter(**{f"{self.field_name}__code": value})
        return qs.filter(**{f"{self.field_name}_id": region_id})


class SearchField(forms.CharField):
    """The search box: bounded, without control characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault("strip", True)
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and any(ord(char) < 32 for char in value):
            raise forms.ValidationError(_("The search text contains control characters."))


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class UnmatchedSearch:
    """A search that lists nothing, and the names closest to it ("did you mean …?")."""

    text: str
    suggestions: list[Municipality]

    @property
    def quoted_text(self) -> str:
        """The search text as the page repeats it, marked as the reader's own words (not a
        name from the registry)."""
        return format_html('<span class="search-text">{}</span>', self.text)


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting that pages reliably: empty values last, ties broken by the primary key.

    ``expressions`` maps a sort key to a callable giving what to sort by, asked per
    request (the name shown in the reader's language, collated); other keys sort by
    their field.
    """

    def __init__(self, *args, expressions: dict[str, Callable] | None = None, **kwargs):
        self.expressions = expressions or {}
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            key = param.lstrip("-")
            field = self.param_map[key]
            expression = self.expressions[key]() if key in self.expressions else models.F(field)
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "pk")


# In a facet given as conditions: the rows that no other option of the facet counts (the
# "no" of a yes/no facet), counted as the total less the others instead of row by row.
OTHERWISE = None


def counted_conditions(options: dict[str, Q | None], prefix: str) -> dict[str, Count]:
    """The aggregates counting a condition facet's options (``OTHERWISE`` needs none)."""
    return {
        f"{prefix}{i}": Count("pk", filter=condition)
        for i, condition in enumerate(options.values())
        if condition is not OTHERWISE
    }


def option_counts(options: dict[str, Q | None], counted: dict, prefix: str) -> dict[str, int]:
    """A condition facet's counts by option, from ``counted_conditions`` and the total."""
    result = {
        value: counted[f"{prefix}{i}"]
        for i, (value, condition) in enumerate(options.items())
        if condition is not OTHERWISE
    }
    for value, condition in options.items():
        if condition is OTHERWISE:
            result[value] = counted["total"] - sum(result.values())
    return result


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet that can count, per facet, what each option would give.

    ``facets`` maps a filter name to either a model path to group by, or a callable
    given the FilterSet and returning ``{value: Q}`` for facets that are not a plain column (``OTHERWISE`` for the
    option that takes the rows no other option counts). A column facet's filter must keep
    exactly the rows whose column (the path) equals the chosen value.
    """

    facets: dict[str, str | Callable[[FacetedFilterSet], dict[str, Q | None]]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._generation: int | None = None
        for region_filter in self.filters.values():
            if isinstance(region_filter, RegionFilter):
                region_filter.bind()
        # Searches decided once for this FilterSet and its facets: by text, the matching
        # municipalities; by ("match", text), what they satisfy; by ("ranks", text),
        # their ids by rank.
        self.searches: dict = {}
        # While the filters are applied for counting (``filter_queryset_without``): a
        # search then only filters, without the order it would list the results in.
        self.counting = False

    @property
    def generation(self) -> int:
        """The registry's generation, for what is read once per generation (regions);
        the request's, when the FilterSet has one."""
        if self._generation is None:
            self._generation = current_generation(self.request)
        return self._generation

    def search(self, text: str) -> QuerySet[Municipality]:
        """``Municipality.objects.search(text)``, decided once for this FilterSet and its facets.

        The search first asks whether anything matches closely; the facets' FilterSets share
        the answer instead of asking again.
        """
        if text not in self.searches:
            match = self.search_match(text)
            self.searches[text] = (
                Municipality.objects.none()
                if match is None
                else in_search_order(
                    Municipality.objects.filter(match.condition), text, similarity=not match.many
                )
            )
        return self.searches[text]

    def search_match(self, text: str) -> SearchMatch | None:
        """``Municipality.objects.search_match(text)``, asked once for this FilterSet and
        its facets (None: nothing can match)."""
        key = ("match", text)
        if key not in self.searches:
            self.searches[key] = Municipality.objects.search_match(text)
        return self.searches[key]

    def suggestion_base(self) -> QuerySet[Municipality] | None:
        """The municipalities whose names an empty search of this list suggests instead;
        None: the list suggests none."""
        return None

    def suggests(self) -> bool:
        """Whether this list, searched by name, says so when the search finds nothing."""
        searched = self.is_valid() and self.form.cleaned_data.get("q")
        return bool(searched) and self.suggestion_base() is not None

    def unmatched_search(self) -> UnmatchedSearch | None:
        """For a page that lists nothing (one query): if the search itself finds nothing,
        the names closest to it; None if it does and other filters leave nothing."""
        text = self.form.cleaned_data["q"]
        found, suggestions = self.suggestion_base().search_outcome(text)
        return None if found else UnmatchedSearch(text, suggestions)

    def count_key(self) -> str:
        """What the counts depend on: the valid filters, without sorting (or pages)."""
        values = sorted(
            (name, str(value))
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in EMPTY_VALUES
        )
        return f"{type(self).__name__}|{values!r}"

    def filter_queryset_without(self, *names: str) -> QuerySet:
        """The results under every valid filter but those of ``names``: what a facet's
        options are counted in. The filters of this FilterSet are applied again, without a
        FilterSet (and form) of its own per facet; searches are decided once, as for ``qs``."""
        queryset = self.queryset.all()
        self.counting = True
        try:
            for field, value in self.form.cleaned_data.items():
                if field not in names:
                    queryset = self.filters[field].filter(queryset, value)
        finally:
            self.counting = False
        return queryset

    def is_active(self, name: str) -> bool:
        return self.form.cleaned_data.get(name) not in EMPTY_VALUES

    def counts(self) -> tuple[int, dict[str, dict[str, int]]]:
        """The number of results, and per facet the number each option would give.

        A facet's options are counted under the other active filters. The facets that
        group by a column (``facets`` maps them to a model path) are counted together in
        one grouped query: it reads the rows that pass all but at most one of the active
        column facets' filters, grouped by every column facet, and each facet then adds up
        the groups that pass the other active filters (a column facet's filter keeps the
        rows whose column equals the chosen value). The total and the facets given as
        conditions are counted in the same query, per group, for the groups that pass all
        filters. Only a condition facet that is itself active needs a query of its own.
        """
        if not self.is_valid():
            return 0, {}
        columns = {name: path for name, path in self.facets.items() if isinstance(path, str)}
        # Each condition facet's options (value -> Q), built once for the shared count and
        # the facet's own.
        conditions = {name: path(self) for name, path in self.facets.items() if callable(path)}
        chosen = {
            name: str(self.form.cleaned_data[name]) for name in columns if self.is_active(name)
        }
        rows = self.filter_queryset_without(*chosen).order_by()
        if chosen:
            # Rows that pass every chosen column filter but at most one.
            model = self.queryset.model
            passing = {
                name: self.filters[name].filter(model._base_manager.all(), value)
                for name, value in chosen.items()
            }
            if len(passing) > 1:
                near = functools.reduce(
                    operator.or_,
                    (
                        functools.reduce(operator.and_, (passing[o] for o in passing if o != n))
                        for n in passing
                    ),
                )
                rows = rows & near
        shared = {}
        for name, options in conditions.items():
            if not self.is_active(name):
                shared.update(counted_conditions(options, f"{name}__"))
        result: dict[str, dict[str, int]] = {name: {} for name in columns}
        if not columns:
            totals = rows.aggregate(total=Count("pk"), **shared)
        else:
            totals = dict.fromkeys(["total", *shared], 0)
            names = list(columns)
            facets = [f"facet_{name}" for name in names]
            paths, readers = zip(
                *(grouped_column(path, self.generation) for path in columns.values()), strict=True
            )
            groups = rows.annotate(**dict(zip(facets, map(F, paths), strict=True)))
            groups = groups.values(*facets).annotate(total=Count("pk"), **shared)
            wanted = [(names.index(name), value) for name, value in chosen.items()]
            for group in fetch_rows(groups.values_list(*facets, *totals)):
                values = [read(value) for read, value in zip(readers, group, strict=False)]
                failing = [i for i, value in wanted if values[i] != value]
                if len(failing) > 1:
                    continue
                for i, name in enumerate(names):
                    if not failing or failing == [i]:
                        counted = result[name]
                        counted[values[i]] = counted.get(values[i], 0) + group[len(names)]
                if not failing:
                    for offset, key in enumerate(totals, start=len(names)):
                        totals[key] += group[offset]
        for name, options in conditions.items():
            if self.is_active(name):
                facet_rows = self.filter_queryset_without(name).order_by()
                counted = facet_rows.aggregate(
                    total=Count("pk"), **counted_conditions(options, f"{name}__")
                )
                result[name] = option_counts(options, counted, f"{name}__")
            else:
                result[name] = option_counts(options, totals, f"{name}__")
        return totals["total"], result

    def facet_counts(self, values: dict[str, dict[str, int]] | None = None) -> list[Facet]:
        """The facets with their options' labels (in the reader's language) and counts."""
        if not self.is_valid():
            return []
        if values is None:
            values = self.counts()[1]
        result = []
        for name in self.facets:
            by_value = values.get(name, {})
            selected = str(self.form.cleaned_data.get(name) or "")
            field = self.filters[name]
            choices = field.extra.get("choices") or []
            if callable(choices):
                choices = choices()
            options = [
                FacetOption(
                    str(value), str(label), by_value.get(str(value), 0), str(value) == selected
                )
                for value, label in choices
                if by_value.get(str(value), 0) or str(value) == selected
            ]
            result.append(Facet(name, str(field.label), options))
        return result


class PartnershipFilter(FacetedFilterSet):
    q = SearchFilter(label=_("Name"), method="filter_search")
    german_state = RegionFilter(
        label=_("German Land"),
        field_name="german_partner_region",
        countries=(Country.GERMANY,),
    )
    russian_region = RegionFilter(
        label=_("Russian region"),
        field_name="russian_partner_region",
        countries=(Country.RUSSIA,),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PartnershipKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    level = django_filters.ChoiceFilter(
        label=_("Partner level"), choices=PartnerLevel.choices, method="filter_level"
    )
    year_from = YearFilter(label=_("Established from"), field_name="since_year", lookup_expr="gte")
    year_to = YearFilter(label=_("Established until"), field_name="since_year", lookup_expr="lte")
    status_dated = django_filters.ChoiceFilter(
        label=_("Date of the status"), choices=STATUS_DATED_CHOICES, method="filter_status_dated"
    )
    status_since_from = YearFilter(
        label=_("Status since, from year"), field_name="status_since__year", lookup_expr="gte"
    )
    status_since_to = YearFilter(
        label=_("Status since, until year"), field_name="status_since__year", lookup_expr="lte"
    )
    has_initiative = django_filters.ChoiceFilter(
        label=_("Has an initiative"), choices=YES_NO, method="filter_has_initiative"
    )
    unverified = django_filters.ChoiceFilter(
        label=_("Unverified"), choices=YES_NO, method="filter_unverified"
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[
            ("german_partner__name", "german"),
            ("russian_partner__name_de", "russian"),
            ("since_year", "year"),
            ("status", "status"),
            ("kind", "kind"),
            ("updated_at", "updated"),
            ("status_since", "status_since"),
        ],
        field_labels={
            "german_partner__name": _("German partner"),
            "russian_partner__name_de": _("Russian partner"),
            "since_year": _("Year"),
            "status": _("Status"),
            "kind": _("Kind"),
            "updated_at": _("Last change"),
            "status_since": _("Status since"),
        },
        expressions={
            "german": lambda: shown_name("german_partner__"),
            "russian": lambda: shown_name("russian_partner__"),
            "status": lambda: shown_label("status", Status.choices),
            "kind": lambda: shown_label("kind", PartnershipKind.choices),
        },
    )

    facets = {
        # The partners' regions and kinds are kept on the partnership row (migration
        # 0013): the facets count one table.
        "german_state": "german_partner_region__code",
        "russian_region": "russian_partner_region__code",
        "kind": "kind",
        "status": "status",
        "status_dated": lambda filterset: STATUS_DATED_CONDITIONS,
        "level": lambda filterset: {
            level: Q(german_partner_kind__in=kinds_of_level(level))
            | Q(russian_partner_kind__in=kinds_of_level(level))
            for level in PartnerLevel.values
        },
        "has_initiative": lambda filterset: {
            "yes": Q(has_published_initiative()),
            "no": OTHERWISE,
        },
        "unverified": lambda filterset: {"yes": UNVERIFIED, "no": ~UNVERIFIED},
    }

    class Meta:
        model = Partnership
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        # The municipalities are matched and ranked once (through their trigram indexes);
        # the partnerships are then picked by their partners' ids, which their foreign-key
        # indexes answer, and ranked by a lookup of those ids instead of testing every
        # partner's names again for each partnership.
        by_rank = self.partner_ranks(value)
        ids = [pk for pks in by_rank.values() for pk in pks]
        found = queryset.filter(
            Q(AnyOf(F("german_partner_id"), ids)) | Q(AnyOf(F("russian_partner_id"), ids))
        )
        if self.counting:
            return found
        # The better matching partner decides; at equal strength a town's partnerships come
        # before those of its districts.
        ranks = [
            models.Case(
                *[When(AnyOf(F(f"{partner}_id"), pks), then=rank) for rank, pks in by_rank.items()],
                default=Value(NO_MATCH * 3 + 2),
                output_field=models.IntegerField(),
            )
            for partner in ("german_partner", "russian_partner")
        ]
        return found.annotate(search_rank=models.functions.Least(*ranks)).order_by(
            "search_rank", shown_name("german_partner__"), shown_name("russian_partner__"), "pk"
        )

    def partner_ranks(self, text: str) -> dict[int, list[int]]:
        """The ids of the municipalities the search finds, by rank (the strength of the
        match × 3 + towns before districts before regions), best first; asked once for the
        FilterSet and its facets."""
        key = ("ranks", text)
        if key not in self.searches:
            self.searches[key] = Municipality.objects.search_ranks(text)
        return self.searches[key]

    def suggestion_base(self) -> QuerySet[Municipality]:
        """The partners of published partnerships: a suggested name lists partnerships."""
        partnerships = Partnership.objects.published()
        return Municipality.objects.published().filter(
            Q(Exists(partnerships.filter(german_partner=OuterRef("pk"))))
            | Q(Exists(partnerships.filter(russian_partner=OuterRef("pk"))))
        )

    def filter_level(self, queryset, name, value):
        kinds = kinds_of_level(value)
        return queryset.filter(Q(german_partner_kind__in=kinds) | Q(russian_partner_kind__in=kinds))

    def filter_has_initiative(self, queryset, name, value):
        if value == "yes":
            return queryset.with_published_initiative()
        return queryset.without_published_initiative()

    def filter_unverified(self, queryset, name, value):
        return queryset.unverified() if value == "yes" else queryset.verified()

    def filter_status_dated(self, queryset, name, value):
        return queryset.filter(STATUS_DATED_CONDITIONS[value])


class MunicipalityFilter(FacetedFilterSet):
    q = SearchFilter(label=_("Name"), method="filter_search")
    country = django_filters.ChoiceFilter(label=_("Country"), choices=Country.choices)
    region = RegionFilter(
        label=_("Region"),
        field_name="region",
        countries=(Country.GERMANY, Country.RUSSIA),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MunicipalityKind.choices)
    has_active = django_filters.ChoiceFilter(
        label=_("Has an active partnership"), choices=YES_NO, method="filter_has_active"
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("name", "name"), ("region__code", "region"), ("kind", "kind")],
        field_labels={"name": _("Name"), "region__code": _("Region"), "kind": _("Kind")},
        expressions={
            "name": shown_name,
            "region": shown_region,
            "kind": lambda: shown_label("kind", MunicipalityKind.choices),
        },
    )

    facets = {
        "country": "country",
        "region": "region__code",
        "kind": "kind",
        "has_active": lambda filterset: {
            "yes": has_active_partnership(),
            "no": OTHERWISE,
        },
    }

    class Meta:
        model = Municipality
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        match = self.search_match(value)
        if match is None:
            return queryset.none()
        # The condition itself, not ``pk IN (the search)``: see ``search_match``.
        if self.counting:
            return queryset.filter(match.condition)
        return in_search_order(
            queryset.filter(match.condition),
            value,
            name=shown_name(),
            similarity=not match.many,
        )

    def suggestion_base(self) -> QuerySet[Municipality]:
        return self.queryset

    def filter_has_active(self, queryset, name, value):
        active = has_active_partnership()
        return queryset.filter(active if value == "yes" else ~active)


def has_active_partnership() -> Q:
    """A municipality partner of a published, active partnership.

    One ``EXISTS`` per partner rather than one over both (``german OR russian``): PostgreSQL
    can then answer each either row by row through the partner's index or, for many rows,
    by hashing the partner ids once (an alternative it chooses by the number of rows);
    the ``OR`` inside one ``EXISTS`` ran once per municipality whatever their number.
    """
    active = Partnership.objects.published().active()
    return Q(Exists(active.filter(german_partner=OuterRef("pk")))) | Q(
        Exists(active.filter(russian_partner=OuterRef("pk")))
    )


class InitiativeFilter(FacetedFilterSet):
    q = SearchFilter(label=_("Name"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InitiativeKind.choices)
    region = RegionFilter(
        label=_("Region"),
        field_name="seat__region",
        countries=(Country.GERMANY, Country.RUSSIA),
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("name", "name"), ("kind", "kind"), ("founded_year", "founded")],
        field_labels={"name": _("Name"), "kind": _("Kind"), "founded_year": _("Founded")},
        expressions={
            "name": lambda: collated("name"),
            "kind": lambda: shown_label("kind", InitiativeKind.choices),
        },
    )
    facets = {"kind": "kind", "region": "seat__region__code"}

    class Meta:
        model = Initiative
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(seat_name__icontains=value)
            | Q(name__trigram_word_similar=value)
            | Q(seat__in=Municipality.objects.published().search(value).values("pk"))
        )


class SignatoryFilter(FacetedFilterSet):
    q = SearchFilter(label=_("Name"), method="filter_search")
    participation = django_filters.ChoiceFilter(
        label=_("Participation"), choices=Participation.choices
    )
    organisation_kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"), choices=OrganisationKind.choices
    )
    land = RegionFilter(label=_("Land"), method="filter_land", countries=(Country.GERMANY,))
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("person_name", "name"), ("organisation", "organisation")],
        field_labels={"person_name": _("Signatory"), "organisation": _("Organisation")},
        expressions={"name": shown_signatory, "organisation": shown_organisation},
    )
    facets = {
        "participation": lambda filterset: {
            value: Q(participation=value) for value in Participation.values
        },
        "organisation_kind": "organisation_kind",
        "land": lambda filterset: {
            code: Q(municipality__region__code=code) | Q(initiative__seat__region__code=code)
            for code, _label in filterset.filters["land"].region_choices()
        },
    }

    class Meta:
        model = Signatory
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(person_name__icontains=value)
            | Q(organisation__icontains=value)
            | Q(municipality__in=Municipality.objects.published().search(value).values("pk"))
        )

    def filter_land(self, queryset, name, value):
        return queryset.filter(
            Q(municipality__region__code=value) | Q(initiative__seat__region__code=value)
        )
