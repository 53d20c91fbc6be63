"""Public pages. Lists and exports go through the selectors; details start from published().

Bad input never breaks a page: an invalid filter, sort key, page or page size answers
400 with the form's message, and a page that does not exist answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from partnerships import exports, selectors
from partnerships.caching import cached_counts, cached_page, current_generation
from partnerships.changes import recent_changes
from partnerships.filters import FacetedFilterSet, shown_signatory
from partnerships.models import (
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    Signatory,
)
from partnerships.vocabulary import Country, Status

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


class BadRequest(Exception):
    """A query parameter the page cannot use; the message is shown to the reader."""


WHOLE_NUMBER = re.compile(r"[0-9]{1,7}")


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= 1_000_000:
        raise BadRequest(_("The page number must be a whole number from 1."))
    return int(raw)


def page_size(request: HttpRequest) -> int:
    raw = request.GET.get("per_page", str(DEFAULT_PAGE_SIZE))
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) not in PAGE_SIZES:
        sizes = ", ".join(map(str, PAGE_SIZES))
        raise BadRequest(_("Results per page can be %(sizes)s.") % {"sizes": sizes})
    return int(raw)


def active_filters(filterset: FacetedFilterSet) -> int:
    """How many filters the address sets (sorting is not a filter): shown on the closed
    "Filter" disclosure of a phone, so the reader knows the list is narrowed."""
    return sum(
        1 for name in filterset.filters if name != "sort" and filterset.data.get(name, "") != ""
    )


class RegistryListView(TemplateView):
    """A filtered, sorted, paginated public list with facet counts and a CSV export."""

    selector: Callable[[object], FacetedFilterSet]
    list_title: str = ""
    export_url_name: str = ""
    # The same rows on the map (partnerships/maps.py), if this list has one.
    map_url_name: str = ""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_page(request, lambda: self.render_list(request))

    def render_list(self, request: HttpRequest) -> HttpResponse:
        filterset = type(self).selector(request.GET)
        filterset._generation = current_generation(request)  # read by the page cache
        context = {
            "filterset": filterset,
            "page_sizes": PAGE_SIZES,
            "view": self,
            "active_filters": active_filters(filterset),
        }
        try:
            if not filterset.is_valid():
                raise BadRequest(_("Some filters could not be used; see the messages below."))
            number, size = page_number(request), page_size(request)
        except BadRequest as error:
            context["error"] = str(error)
            return render(request, self.template_name, context, status=400)
        queryset = filterset.qs
        total, facet_values = cached_counts(request, filterset.count_key(), filterset.counts)
        last_page = max((total + size - 1) // size, 1)
        if number > last_page:
            raise Http404(_("There is no page %(number)s.") % {"number": number})
        offset = (number - 1) * size
        if total == 0 and filterset.suggests():
            # No rows to read; the one query asks instead whether the search itself found
            # nothing, and which names come close ("did you mean …?").
            object_list, unmatched = [], filterset.unmatched_search()
        else:
            object_list, unmatched = list(queryset[offset : offset + size]), None
        context.update(
            object_list=object_list,
            unmatched=unmatched,
            total=total,
            page=number,
            last_page=last_page,
            per_page=size,
            first_index=offset + 1 if total else 0,
            last_index=min(offset + size, total),
            facets=filterset.facet_counts(facet_values),
        )
        return render(request, self.template_name, context)


class RegistryExportView(TemplateView):
    """The CSV of exactly the rows the list shows under the same query string (all pages)."""

    selector: Callable[[object], FacetedFilterSet]
    columns: list[exports.Column]
    prepare: Callable = staticmethod(lambda queryset: queryset)
    # The columns as SQL (queryset, base URL -> rows of text cells): PostgreSQL then
    # writes the file (exports.copy_csv); without, model instances and ``columns``.
    cells: Callable | None = None
    export_name: str = "export"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        filterset = type(self).selector(request.GET)
        if not filterset.is_valid():
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()
            )
            return HttpResponseBadRequest(
                _("The export's filters could not be used: %(messages)s") % {"messages": messages},
                content_type="text/plain; charset=utf-8",
            )
        semicolon = request.GET.get("sep") == "semicolon"
        base_url = request.build_absolute_uri("/")
        if type(self).cells is not None:
            return exports.copy_csv(
                type(self).cells(filterset.qs, base_url),
                [column.header for column in self.columns],
                name=self.export_name,
                semicolon=semicolon,
            )
        queryset = type(self).prepare(filterset.qs)
        lines = exports.rows(queryset, self.columns, base_url)
        return exports.stream_csv(lines, name=self.export_name, semicolon=semicolon)


class PartnershipListView(RegistryListView):
    template_name = "partnerships/partnership_list.html"
    selector = staticmethod(selectors.partnership_filter)
    export_url_name = "partnerships:partnership-export"
    map_url_name = "partnerships:map"


class PartnershipExportView(RegistryExportView):
    selector = staticmethod(selectors.partnership_filter)
    columns = exports.PARTNERSHIP_COLUMNS
    cells = staticmethod(exports.cells_partnerships)
    export_name = "partnerships"


class MunicipalityListView(RegistryListView):
    template_name = "partnerships/municipality_list.html"
    selector = staticmethod(selectors.municipality_filter)
    export_url_name = "partnerships:municipality-export"


class MunicipalityExportView(RegistryExportView):
    selector = staticmethod(selectors.municipality_filter)
    columns = exports.MUNICIPALITY_COLUMNS
    cells = staticmethod(exports.cells_municipalities)
    export_name = "municipalities"


class InitiativeListView(RegistryListView):
    template_name = "partnerships/initiative_list.html"
    selector = staticmethod(selectors.initiative_filter)
    export_url_name = "partnerships:initiative-export"


class InitiativeExportView(RegistryExportView):
    selector = staticmethod(selectors.initiative_filter)
    columns = exports.INITIATIVE_COLUMNS
    prepare = staticmethod(exports.prepare_initiatives)
    export_name = "initiatives"


class SignatoryListView(RegistryListView):
    template_name = "partnerships/signatory_list.html"
    selector = staticmethod(selectors.signatory_filter)
    export_url_name = "partnerships:signatory-export"


class SignatoryExportView(RegistryExportView):
    selector = staticmethod(selectors.signatory_filter)
    columns = exports.SIGNATORY_COLUMNS
    export_name = "signatories"


class PreviewableDetailView(DetailView):
    """Drafts answer 404 to the public; staff see them with a "draft" banner."""

    def visible(self, queryset):
        if self.request.user.is_staff:
            return queryset
        return queryset.published()


class CachedRecordView(PreviewableDetailView):
    """A detail page whose record and everything its article shows are read in one query
    (``selectors.partnership_page``, ``selectors.municipality_page``), its main part
    (``<article>``) kept in the cache under the registry's generation.

    The query also reads the generation (``current_generation`` then asks no more). The
    "suggest a correction" form with its CSRF token stays outside the cached part.
    """

    # selectors.partnership_page or selectors.municipality_page
    read_page: Callable[..., object]

    def get_object(self, queryset=None):
        page = type(self).read_page(self.kwargs["slug"], drafts=self.request.user.is_staff)
        if page is None:
            raise Http404(
                _("No %(verbose_name)s found matching the query")
                % {"verbose_name": self.model._meta.verbose_name}
            )
        self.page = page
        self.request.registry_generation = page.generation
        return self.record(page)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registry_generation"] = current_generation(self.request)
        context["language"] = get_language()
        return context


class PartnershipDetailView(CachedRecordView):
    template_name = "partnerships/partnership_detail.html"
    model = Partnership
    read_page = staticmethod(selectors.partnership_page)

    def record(self, page: selectors.PartnershipPage) -> Partnership:
        return page.partnership

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status_events"] = self.page.status_events
        context["sources"] = self.page.sources
        context["initiatives"] = self.page.initiatives
        return context


class MunicipalityDetailView(CachedRecordView):
    template_name = "partnerships/municipality_detail.html"
    model = Municipality
    read_page = staticmethod(selectors.municipality_page)

    def record(self, page: selectors.MunicipalityPage) -> Municipality:
        return page.municipality

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alternative_names"] = self.page.alternative_names
        context["partnerships"] = self.page.partnerships
        context["initiatives"] = self.page.initiatives
        return context


class InitiativeDetailView(PreviewableDetailView):
    template_name = "partnerships/initiative_detail.html"

    def get_queryset(self):
        partnerships = self.visible(Partnership.objects.all()).select_related(
            "german_partner", "russian_partner"
        )
        return (
            self.visible(Initiative.objects.all())
            .select_related("seat__region")
            .prefetch_related(Prefetch("partnerships", queryset=partnerships))
        )


class AppealDetailView(PreviewableDetailView):
    """The appeal in the reader's language, how many of the reported signatories the
    registry records, and its signatories and supporters apart."""

    template_name = "partnerships/appeal_detail.html"

    def get_queryset(self):
        signatories = (
            self.visible(Signatory.objects.all())
            .select_related("municipality", "initiative")
            .order_by(shown_signatory(), "pk")
        )
        return self.visible(Appeal.objects.all()).prefetch_related(
            Prefetch("signatories", queryset=signatories)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        everyone = list(self.object.signatories.all())
        context["signers"] = [s for s in everyone if not s.is_supporter]
        context["supporters"] = [s for s in everyone if s.is_supporter]
        return context


class HomeView(TemplateView):
    template_name = "partnerships/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnerships = Partnership.objects.published()
        context["counts"] = {
            "partnerships": partnerships.count(),
            "suspended": partnerships.filter(status=Status.SUSPENDED).count(),
            "german": Municipality.objects.published().filter(country=Country.GERMANY).count(),
            "russian": Municipality.objects.published().filter(country=Country.RUSSIA).count(),
            "initiatives": Initiative.objects.published().count(),
        }
        context["latest"] = list(
            partnerships.select_related("german_partner", "russian_partner").order_by(
                "-updated_at", "-pk"
            )[:8]
        )
        context["appeal"] = Appeal.objects.published().order_by("date").first()
        return context


class AboutView(TemplateView):
    template_name = "partnerships/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact_email"] = settings.CONTACT_EMAIL
        return context


class RecentChangesView(TemplateView):
    """What changed lately in the published records (no editors' personal data)."""

    template_name = "partnerships/changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = recent_changes()
        return context


class RecentChangesFeed(Feed):
    """The recent changes as an Atom feed."""

    feed_type = Atom1Feed
    link = reverse_lazy("partnerships:changes")
    title = gettext_lazy("German–Russian Partnership Registry: recent changes")
    subtitle = gettext_lazy("Changes to published partnerships, municipalities and initiatives.")

    def items(self):
        return recent_changes()

    def item_title(self, item) -> str:
        return f"{item.title} ({item.what}: {item.kind})"

    def item_description(self, item) -> str:
        if item.status is not None:
            if item.status.source:
                return _("%(news)s (source: %(source)s)") % {
                    "news": item.status.text,
                    "source": item.status.source,
                }
            return item.status.text
        return ", ".join(item.fields)

    def item_link(self, item) -> str:
        return item.url

    def item_guid(self, item) -> str:
        return f"{item.url}#{item.key or item.when.isoformat()}"

    def item_pubdate(self, item):
        return item.when

    def item_updateddate(self, item):
        return item.when
