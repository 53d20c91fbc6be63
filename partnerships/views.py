"""Public pages. Every view starts from a ``published()`` queryset."""

from django.views.generic import DetailView

from partnerships.models import Appeal, Initiative, Municipality, Partnership


class PartnershipDetailView(DetailView):
    template_name = "partnerships/partnership_detail.html"

    def get_queryset(self):
        return Partnership.objects.published().with_partners()


class MunicipalityDetailView(DetailView):
    template_name = "partnerships/municipality_detail.html"

    def get_queryset(self):
        return Municipality.objects.published().select_related("region")


class InitiativeDetailView(DetailView):
    template_name = "partnerships/initiative_detail.html"

    def get_queryset(self):
        return Initiative.objects.published().select_related("seat")


class AppealDetailView(DetailView):
    template_name = "partnerships/appeal_detail.html"

    def get_queryset(self):
        return Appeal.objects.published()
