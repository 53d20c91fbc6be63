"""One selector per public read: the HTML list, the CSV export and any API share it.

Each ``*_filter(params)`` returns the bound FilterSet (for the form and the facets);
each ``*_list(params)`` returns its rows. Everything starts from ``published()``, in the
order of the names the reader sees, collated as the reader's language sorts
(``partnerships.filters.shown_name``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from partnerships.filters import (
    InitiativeFilter,
    MunicipalityFilter,
    PartnershipFilter,
    SignatoryFilter,
    collated,
    shown_name,
    shown_signatory,
)
from partnerships.models import Initiative, Municipality, Partnership, Signatory


def partnership_filter(params) -> PartnershipFilter:
    queryset = (
        Partnership.objects.published()
        .select_related("german_partner__region", "russian_partner__region")
        .order_by(shown_name("german_partner__"), shown_name("russian_partner__"), "pk")
    )
    return PartnershipFilter(params, queryset=queryset)


def partnership_list(*, params) -> QuerySet[Partnership]:
    return partnership_filter(params).qs


def municipality_filter(params) -> MunicipalityFilter:
    queryset = (
        Municipality.objects.published().select_related("region").order_by(shown_name(), "pk")
    )
    return MunicipalityFilter(params, queryset=queryset)


def municipality_list(*, params) -> QuerySet[Municipality]:
    return municipality_filter(params).qs


def initiative_filter(params) -> InitiativeFilter:
    queryset = (
        Initiative.objects.published()
        .select_related("seat__region")
        .order_by(collated("name"), "pk")
    )
    return InitiativeFilter(params, queryset=queryset)


def initiative_list(*, params) -> QuerySet[Initiative]:
    return initiative_filter(params).qs


def signatory_filter(params) -> SignatoryFilter:
    queryset = (
        Signatory.objects.published()
        .filter(appeal__is_published=True)
        .select_related("appeal", "municipality__region", "initiative__seat__region")
        .order_by(shown_signatory(), "pk")
    )
    return SignatoryFilter(params, queryset=queryset)


def signatory_list(*, params) -> QuerySet[Signatory]:
    return signatory_filter(params).qs
