"""Importing partnerships in the admin: upload a file, preview every row, confirm.

The admin runs the command line's importer (``PartnershipImporter``), so both read the
same formats (the starter-data CSV, the registry's own export, CSV or XLSX) and match
names by the same rules.

1. Upload: a CSV or XLSX file up to ``MAX_UPLOAD_BYTES``. A file that cannot be read
   (encoding, format, missing columns, too many rows) is a form error.
2. Preview: a dry run; every row with its outcome, the changed fields (old → new) or the
   error (column and reason). The file waits in a private temporary directory under a
   random token kept in the editor's session, with the fingerprint of the preview.
3. Confirm: the import runs for real in one transaction and is kept only if it does
   exactly what the preview showed (same rows, same changes, same record versions). If
   someone changed the registry in between, nothing is imported and the editor sees the
   new preview (no lost edits). A file with errors cannot be confirmed.

Every saved record's history names the editor (the request's user) and the change reason
``import FILE``. The importer's messages (every row's errors, the notices, the conflicts,
a file that cannot be read) are in the editor's language, the one of the page's address.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from partnerships.importing.base import (
    CREATED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    ImportReport,
    read_bytes,
)
from partnerships.importing.files import MAX_ROWS
from partnerships.importing.partnerships import PartnershipImporter

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
SESSION_KEY = "partnership_import"
# Uploads waiting for confirmation are removed after this long.
KEEP_UPLOADS_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

UPLOAD_TEMPLATE = "admin/partnerships/partnership/import.html"
PREVIEW_TEMPLATE = "admin/partnerships/partnership/import_preview.html"

OUTCOME_LABELS = {
    CREATED: _("new"),
    UPDATED: _("update"),
    UNCHANGED: _("unchanged"),
    REJECTED: _("error"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV file (UTF-8, or Windows-1252 from German Excel; separated by ',' or ';') "
            "or an Excel workbook (.xlsx, first sheet, column names in row 1), in the "
            "starter-data format or the registry's own partnership export. At most "
            "%(megabytes)s MB and %(rows)s rows."
        ) % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": MAX_ROWS}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not Path(upload.name).name.casefold().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."), code="extension"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(megabytes)s MB: split it into smaller files.")
                % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="size",
            )
        return upload


# Uploads waiting for confirmation ------------------------------------------------------------


def upload_dir() -> Path:
    configured = getattr(settings, "IMPORT_UPLOAD_DIR", None)
    directory = Path(configured or Path(tempfile.gettempdir()) / "twinning-admin-imports")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _upload_path(token: str) -> Path | None:
    return upload_dir() / f"{token}.upload" if _TOKEN.match(token or "") else None


def _prune_old_uploads() -> None:
    cutoff = time.time() - KEEP_UPLOADS_SECONDS
    for stale in upload_dir().glob("*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass  # removed meanwhile by another process


def keep_upload(request: HttpRequest, data: bytes, name: str, report: ImportReport) -> str:
    """Store the file for the confirm step; one waiting import per session."""
    discard_upload(request)
    _prune_old_uploads()
    token = secrets.token_urlsafe(32)
    descriptor = os.open(_upload_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    request.session[SESSION_KEY] = {"token": token, "name": name}
    remember_preview(request, report)
    return token


def remember_preview(request: HttpRequest, report: ImportReport) -> None:
    """What the editor was shown: the confirm step must do exactly this."""
    pending = dict(request.session[SESSION_KEY])
    pending.update(fingerprint=report.fingerprint(), ok=report.ok)
    request.session[SESSION_KEY] = pending


def waiting_upload(request: HttpRequest, token: str) -> tuple[dict, bytes] | None:
    pending = request.session.get(SESSION_KEY)
    if not pending or not token or not secrets.compare_digest(pending["token"], token):
        return None
    location = _upload_path(pending["token"])
    try:
        return pending, location.read_bytes()
    except (OSError, AttributeError):
        return None


def discard_upload(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    location = _upload_path(pending["token"]) if pending else None
    if location is not None:
        location.unlink(missing_ok=True)


# The view ------------------------------------------------------------------------------------


def urls(model_admin) -> list:
    """The import page's address, for ``PartnershipAdmin.get_urls``."""
    opts = model_admin.model._meta

    def view(request: HttpRequest) -> HttpResponse:
        return PartnershipImport(model_admin, request).dispatch()

    return [
        path(
            "import/",
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_import",
        )
    ]


class PartnershipImport:
    """One request to the import page: upload, confirm or cancel."""

    def __init__(self, model_admin, request: HttpRequest) -> None:
        self.model_admin = model_admin
        self.request = request
        self.opts = model_admin.model._meta

    def dispatch(self) -> HttpResponse:
        request = self.request
        if not (
            self.model_admin.has_add_permission(request)
            and self.model_admin.has_change_permission(request)
        ):
            raise PermissionDenied
        if request.method == "POST":
            if "confirm" in request.POST:
                return self.confirm()
            if "confirm_names" in request.POST:
                return self.confirm_names()
            if "cancel" in request.POST:
                discard_upload(request)
                messages.info(request, gettext("The import was cancelled; nothing was imported."))
                return HttpResponseRedirect(self.changelist_url())
            return self.upload()
        return self.render_upload(ImportForm())

    # Steps ---------------------------------------------------------------------------------

    def upload(self) -> HttpResponse:
        form = ImportForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            return self.render_upload(form)
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        data = b"".join(upload.chunks())
        report = self.run(data, name, dry_run=True)
        if report.file_error:
            form.add_error("file", report.file_error)
            return self.render_upload(form)
        token = keep_upload(self.request, data, name, report)
        return self.render_preview(report, token)

    def confirm(self) -> HttpResponse:
        request = self.request
        token = request.POST.get("token", "")
        waiting = waiting_upload(request, token)
        if waiting is None:
            messages.error(
                request,
                gettext(
                    "There is no import waiting for confirmation: it was confirmed, cancelled "
                    "or replaced by another upload. Upload the file again."
                ),
            )
            return HttpResponseRedirect(self.import_url())
        pending, data = waiting
        if not pending.get("ok"):
            messages.error(
                request,
                gettext(
                    "A file with errors cannot be imported: correct the rows listed below "
                    "and upload it again. Nothing was imported."
                ),
            )
            report = self.run(data, pending["name"], dry_run=True)
            remember_preview(request, report)
            return self.render_preview(report, token)
        with transaction.atomic():
            report = self.run(data, pending["name"], dry_run=False)
            applied = report.ok and report.fingerprint() == pending["fingerprint"]
            if not applied:
                transaction.set_rollback(True)
        if not applied:
            # Rolled back. The new preview is a dry run of its own, so that a save racing
            # with this run (refused by the version check) does not show up as an error.
            report = self.run(data, pending["name"], dry_run=True)
            remember_preview(request, report)
            messages.error(
                request,
                gettext(
                    "The registry has changed since your preview, so nothing was imported. "
                    "Check the new preview below and confirm again if it is still right."
                ),
            )
            return self.render_preview(report, token)
        discard_upload(request)
        messages.success(
            request,
            gettext("Imported: created %(created)s, updated %(updated)s, unchanged %(unchanged)s.")
            % {
                "created": report.counts[CREATED],
                "updated": report.counts[UPDATED],
                "unchanged": report.counts[UNCHANGED],
            },
        )
        return HttpResponseRedirect(self.changelist_url())

    def confirm_names(self) -> HttpResponse:
        """The editor ticked new municipalities as really new: preview again with them."""
        request = self.request
        token = request.POST.get("token", "")
        waiting = waiting_upload(request, token)
        if waiting is None:
            return HttpResponseRedirect(self.import_url())
        pending, data = waiting
        names = sorted(set(request.POST.getlist("new_name")))
        request.session[SESSION_KEY] = {**pending, "confirmed_names": names}
        report = self.run(data, pending["name"], dry_run=True)
        remember_preview(request, report)
        return self.render_preview(report, token)

    def run(self, data: bytes, name: str, *, dry_run: bool) -> ImportReport:
        importer = PartnershipImporter()
        pending = self.request.session.get(SESSION_KEY) or {}
        importer.confirmed_names = set(pending.get("confirmed_names", []))
        return importer.run(
            read_bytes(data, name),
            dry_run=dry_run,
            progress=False,
            reason=f"import {name}",
            user=self.request.user,
            language=get_language(),  # the request's: the address's /ru/ or /en/, else German
        )

    # Pages ---------------------------------------------------------------------------------

    def context(self, title: str) -> dict:
        return {
            **self.model_admin.admin_site.each_context(self.request),
            "opts": self.opts,
            "title": title,
            "has_view_permission": self.model_admin.has_view_permission(self.request),
            "import_url": self.import_url(),
            "changelist_url": self.changelist_url(),
        }

    def render_upload(self, form: ImportForm) -> HttpResponse:
        context = self.context(gettext("Import partnerships"))
        context.update(
            form=form, max_megabytes=MAX_UPLOAD_BYTES // (1024 * 1024), max_rows=MAX_ROWS
        )
        return TemplateResponse(self.request, UPLOAD_TEMPLATE, context)

    def render_preview(self, report: ImportReport, token: str) -> HttpResponse:
        context = self.context(gettext("Import partnerships: preview"))
        change_url = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        rows = [
            {
                "line": row.line,
                "outcome": row.outcome,
                "outcome_label": OUTCOME_LABELS.get(row.outcome, row.outcome),
                "label": row.label,
                "changes": row.changes,
                "problems": row.problems,
                "url": reverse(change_url, args=[row.record_id]) if row.record_id else "",
            }
            for row in report.rows
        ]
        context.update(
            report=report,
            rows=rows,
            token=token,
            created=report.counts[CREATED],
            updated=report.counts[UPDATED],
            unchanged=report.counts[UNCHANGED],
            rejected=report.rejected,
            can_confirm=report.ok and report.changed_anything,
            confirmed_names=(self.request.session.get(SESSION_KEY) or {}).get(
                "confirmed_names", []
            ),
        )
        return TemplateResponse(self.request, PREVIEW_TEMPLATE, context)

    def import_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
