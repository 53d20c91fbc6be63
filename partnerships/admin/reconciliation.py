"""Reconciliation with Wikidata in the admin: upload a P190 query result, see the differences.

The page runs ``partnerships.reconciliation`` on an uploaded SPARQL JSON result (or on the
sample the project ships) and shows the report grouped by kind, each entry linked to the
registry's admin pages and to Wikidata. It reads only: nothing is saved, and the upload is
not kept. Editors who may view partnerships may use it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.reconciliation import (
    SAMPLE_FILE,
    Kind,
    Report,
    ResultFileError,
    admin_url,
    pair_label,
    reconcile_file,
    registry_value,
    wikidata_url,
    wikidata_value,
)
from partnerships.vocabulary import Country

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TEMPLATE = "admin/partnerships/reconciliation.html"


class ReconciliationForm(forms.Form):
    file = forms.FileField(label=_("Result file"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "The result of the P190 query in the SPARQL JSON results format (the query "
            "service's 'JSON file (verbose)'), at most %(megabytes)s MB."
        ) % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}

    def clean(self):
        data = super().clean()
        if "sample" in self.data:
            return data
        upload = data.get("file")
        if upload is None:
            if "file" not in self.errors:
                self.add_error("file", _("Choose a result file, or compare with the sample."))
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(megabytes)s MB.")
                % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return data


def urls(model_admin) -> list:
    """The page's address, for ``PartnershipAdmin.get_urls``."""
    opts = model_admin.model._meta

    def view(request: HttpRequest) -> HttpResponse:
        return reconciliation_view(model_admin, request)

    return [
        path(
            "wikidata/",
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_wikidata",
        )
    ]


def reconciliation_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    opts = model_admin.model._meta
    report = None
    if request.method == "POST":
        form = ReconciliationForm(request.POST, request.FILES)
        if form.is_valid():
            if "sample" in request.POST:
                data, name = SAMPLE_FILE.read_bytes(), SAMPLE_FILE.name
            else:
                upload = form.cleaned_data["file"]
                data, name = b"".join(upload.chunks()), upload.name
            try:
                report = reconcile_file(data, source=name)
            except ResultFileError as error:
                form.add_error("file", str(error))
    else:
        form = ReconciliationForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": gettext("Reconciliation with Wikidata"),
        "has_view_permission": True,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        "form": form,
        "sample_name": SAMPLE_FILE.name,
        "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
        "report": report,
        "groups": groups(report) if report else [],
    }
    return TemplateResponse(request, TEMPLATE, context)


def _link(label: str, url: str) -> dict:
    return {"label": label, "url": url}


def groups(report: Report) -> list[dict]:
    """The report as the template shows it: per kind, rows with labels and links."""
    shown = []
    for kind, differences in report.groups():
        rows = []
        for difference in differences:
            if kind == Kind.NO_WIKIDATA_ID:
                town = difference.town
                rows.append(
                    {
                        "label": town.name,
                        "country": Country(town.country).label,
                        "draft": not town.is_published,
                        "partnerships": town.partnerships,
                        "registry": [_link(gettext("municipality"), admin_url(town))],
                        "wikidata": [],
                    }
                )
                continue
            registry_links = []
            if difference.partnership is not None:
                registry_links.append(
                    _link(gettext("partnership"), admin_url(difference.partnership))
                )
            else:
                registry_links += [
                    _link(town.name, admin_url(town))
                    for town in (difference.german, difference.russian)
                    if town is not None
                ]
            if difference.wikidata is not None:
                qids = [difference.wikidata.german, difference.wikidata.russian]
            else:
                qids = [difference.german.wikidata_id, difference.russian.wikidata_id]
            rows.append(
                {
                    "label": pair_label(difference),
                    "draft": bool(difference.partnership and difference.partnership.is_draft),
                    "registry_value": registry_value(difference),
                    "wikidata_value": wikidata_value(difference),
                    "status": difference.partnership.status_label if difference.partnership else "",
                    "registry": registry_links,
                    "wikidata": [_link(qid, wikidata_url(qid)) for qid in qids],
                    "references": difference.wikidata.references if difference.wikidata else [],
                }
            )
        shown.append(
            {
                "kind": kind.value,
                "title": kind.title,
                "explanation": kind.explanation,
                "count": len(rows),
                "rows": rows,
            }
        )
    return shown
