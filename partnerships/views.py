"""Public pages: the four lists with their CSV exports, and the detail and home pages.

A list is django-filter's ``FilterView``: its FilterSet (``filterset_class``) filters the
rows its selector names (``selectors.listed_*``), and Django's Paginator pages them, told
the total by the count cache (``CachedCountPaginator``). Its export is a view of its own
kind (``CSVExportView``) over the same FilterSet and rows.

Bad input never breaks a page: an invalid filter, sort key, page or page size answers
400 with the form's message, and a page that does not exist answers 404.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View
from django_filters.views import FilterMixin, FilterView

from partnerships import exports, selectors
from partnerships.caching import cached_counts, cached_page, current_generation
from partnerships.changes import recent_changes
from partnerships.filters import (
    FacetedFilterSet,
)
from partnerships.models import Municipality, Partnership

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
NOT_A_PAGE_NUMBER = gettext_lazy("The page number must be a whole number from 1.")


class UnusableParameter(Exception):
    """A query parameter the list cannot use; the message is shown to the reader (400)."""


def active_filters(filterset: FacetedFilterSet) -> int:
    """How many filters the address sets (sorting is not a filter): shown on the closed
    "Filter" disclosure of a phone, so the reader knows the list is narrowed."""
    return sum(
        1 for name in filterset.filters if name != "sort" and filterset.data.get(name, "") != ""
    )


class CachedCountPaginator(Paginator):
    """Django's Paginator over a faceted list, its count taken from the count cache.

    The total and every facet's counts are one grouped query (``FacetedFilterSet.counts``),
    kept per filters and registry generation (``cached_counts``): paging, sorting or
    switching the language counts nothing again, and the Paginator never counts the rows
    itself. The facets' counts are here too (``facet_values``).
    """

    def __init__(self, object_list, per_page, *, request: HttpRequest, filterset, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.request = request
        self.filterset = filterset

    def validate_number(self, number):
        # int() would also read " 2", "+2" or other scripts' digits: one address per page
        # (the page cache keeps each address apart).
        if isinstance(number, str) and not (number.isascii() and number.isdigit()):
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        return super().validate_number(number)

    @cached_property
    def counts(self) -> tuple[int, dict[str, dict[str, int]]]:
        filterset = self.filterset
        return cached_counts(self.request, filterset.count_key(), filterset.counts)

    @cached_property
    def count(self) -> int:
        return self.counts[0]

    @property
    def facet_values(self) -> dict[str, dict[str, int]]:
        return self.counts[1]


class ListFilterMixin(FilterMixin):
    """django-filter's FilterMixin with the FilterSet bound even to an empty query string:
    the whole list is a valid choice of filters, with counts, facets and an export."""

    def get_filterset_kwargs(self, filterset_class) -> dict:
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}


class RegistryListView(ListFilterMixin, FilterView):
    """A filtered, sorted, paginated public list with facet counts, a CSV export and, for
    partnerships, a map. Rendered pages are kept in the page cache (``cached_page``)."""

    paginator_class = CachedCountPaginator
    paginate_by = DEFAULT_PAGE_SIZE
    page_sizes = PAGE_SIZES
    export_url_name: str = ""
    # The same rows on the map (partnerships/maps.py), if this list has one.
    map_url_name: str = ""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_page(request, lambda: self.render_list(request, *args, **kwargs))

    def render_list(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = super().get(request, *args, **kwargs)
        except UnusableParameter as error:
            context = {**self.list_context(), "error": str(error)}
            response = self.render_to_response(context, status=400)
        # Rendered here: the page cache keeps the content.
        return response.render()

    def list_context(self) -> dict:
        """What the page shows whether or not its parameters can be used."""
        return {
            "filterset": self.filterset,
            "view": self,
            "page_sizes": self.page_sizes,
            "active_filters": active_filters(self.filterset),
        }

    def get_paginate_by(self, queryset) -> int:
        raw = self.request.GET.get("per_page", str(self.paginate_by))
        sizes = {str(size): size for size in self.page_sizes}
        if raw not in sizes:
            sizes_text = ", ".join(sizes)
            raise UnusableParameter(_("Results per page can be %(sizes)s.") % {"sizes": sizes_text})
        return sizes[raw]

    def get_paginator(self, queryset, per_page, **kwargs) -> CachedCountPaginator:
        return super().get_paginator(
            queryset, per_page, request=self.request, filterset=self.filterset, **kwargs
        )

    def paginate_queryset(self, queryset, page_size):
        queryset = selectors.list_rows(queryset)  # only the columns the rows show
        paginator = self.get_paginator(queryset, page_size)
        number = self.request.GET.get(self.page_kwarg, "1")
        try:
            page = paginator.page(number)
        except EmptyPage:
            if int(number) >= 1:
                raise Http404(_("There is no page %(number)s.") % {"number": int(number)}) from None
            raise UnusableParameter(NOT_A_PAGE_NUMBER) from None
        except PageNotAnInteger:
            raise UnusableParameter(NOT_A_PAGE_NUMBER) from None
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs) -> dict:
        filterset = self.filterset
        if not filterset.is_valid():
            raise UnusableParameter(_("Some filters could not be used; see the messages below."))
        context = super().get_context_data(**kwargs)
        paginator = context["paginator"]
        unmatched = None
        if paginator.count == 0 and filterset.suggests():
            # The empty page reads no rows (the Paginator slices nothing); the one query
            # asks instead whether the search itself found nothing, and which names come
            # close ("did you mean …?").
            unmatched = filterset.unmatched_search()
        context.update(
            self.list_context(),
            unmatched=unmatched,
            total=paginator.count,
            per_page=paginator.per_page,
            facets=filterset.facet_counts(paginator.facet_values),
        )
        return context


class CSVExportView(ListFilterMixin, View):
    """The CSV of exactly the rows a list shows under the same query string (all pages),
    streamed: model instances, one ``Column.value`` per cell (``exports.stream_csv``).

    Invalid filters answer 400 in plain text, naming each filter and what is wrong.
    """

    columns: list[exports.Column]
    export_name: str = "export"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_valid():
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()
            )
            return HttpResponseBadRequest(
                _("The export's filters could not be used: %(messages)s") % {"messages": messages},
                content_type="text/plain; charset=utf-8",
            )
        return self.write_csv(
            filterset.qs,
            base_url=request.build_absolute_uri("/"),
            semicolon=request.GET.get("sep") == "semicolon",
        )

    def write_csv(self, rows: QuerySet, *, base_url: str, semicolon: bool) -> StreamingHttpResponse:
        lines = exports.rows(rows, self.columns, base_url)
        return exports.stream_csv(lines, name=self.export_name, semicolon=semicolon)


class SQLCSVExportView(CSVExportView):
    """An export whose cells are computed in SQL (``cells``) and written by PostgreSQL
    (``exports.copy_csv``): the same bytes, ten times faster, for the large lists."""

    def cells(self, rows: QuerySet, base_url: str) -> QuerySet:
        """The rows as text cells, one per column (``exports.cells_*``)."""
        raise NotImplementedError

    def write_csv(self, rows: QuerySet, *, base_url: str, semicolon: bool) -> StreamingHttpResponse:
        return exports.copy_csv(
            self.cells(rows, base_url),
            [column.header for column in self.columns],
            name=self.export_name,
            semicolon=semicolon,
        )


class PartnershipListView(selectors.PartnershipList, RegistryListView):
    template_name = "partnerships/partnership_list.html"
    export_url_name = "partnerships:partnership-export"
    map_url_name = "partnerships:map"


class PartnershipExportView(selectors.PartnershipList, SQLCSVExportView):
    columns = exports.PARTNERSHIP_COLUMNS
    export_name = "partnerships"

    def cells(self, rows, base_url):
        return exports.cells_partnerships(rows, base_url)


class MunicipalityListView(selectors.MunicipalityList, RegistryListView):
    template_name = "partnerships/municipality_list.html"
    export_url_name = "partnerships:municipality-export"


class MunicipalityExportView(selectors.MunicipalityList, SQLCSVExportView):
    columns = exports.MUNICIPALITY_COLUMNS
    export_name = "municipalities"

    def cells(self, rows, base_url):
        return exports.cells_municipalities(rows, base_url)


class InitiativeListView(selectors.InitiativeList, RegistryListView):
    template_name = "partnerships/initiative_list.html"
    export_url_name = "partnerships:initiative-export"


class InitiativeExportView(selectors.InitiativeList, CSVExportView):
    columns = exports.INITIATIVE_COLUMNS
    export_name = "initiatives"

    def write_csv(self, rows, **kwargs):
        return super().write_csv(exports.prepare_initiatives(rows), **kwargs)


class SignatoryListView(selectors.SignatoryList, RegistryListView):
    template_name = "partnerships/signatory_list.html"
    export_url_name = "partnerships:signatory-export"


class SignatoryExportView(selectors.SignatoryList, CSVExportView):
    columns = exports.SIGNATORY_COLUMNS
    export_name = "signatories"


class PreviewableDetailView(DetailView):
    """Drafts answer 404 to the public; staff see them with a "draft" banner."""

    @property
    def drafts(self) -> bool:
        """Whether the reader may see drafts (editors)."""
        return self.request.user.is_staff


class CachedRecordView(PreviewableDetailView):
    """A detail page whose record and everything its article shows are read in one query
    (``selectors.partnership_page``, ``selectors.municipality_page``), its main part
    (``<article>``) kept in the cache under the registry's generation.

    The query also reads the generation (``current_generation`` then asks no more). The
    "suggest a correction" form with its CSRF token stays outside the cached part.
    """

    def read_page(self, slug: str):
        """The page's record and what its article shows, or None (``selectors.*_page``)."""
        raise NotImplementedError

    def get_object(self, queryset=None):
        page = self.read_page(self.kwargs["slug"])
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

    def read_page(self, slug: str) -> selectors.PartnershipPage | None:
        return selectors.partnership_page(slug, drafts=self.drafts)

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

    def read_page(self, slug: str) -> selectors.MunicipalityPage | None:
        return selectors.municipality_page(slug, drafts=self.drafts)

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
        return selectors.initiative_pages(drafts=self.drafts)


class AppealDetailView(PreviewableDetailView):
    """The appeal in the reader's language, how many of the reported signatories the
    registry records, and its signatories and supporters apart."""

    template_name = "partnerships/appeal_detail.html"

    def get_queryset(self):
        return selectors.appeal_pages(drafts=self.drafts)

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
        page = selectors.home_page()
        context.update(counts=page.counts, latest=page.latest, appeal=page.appeal)
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
