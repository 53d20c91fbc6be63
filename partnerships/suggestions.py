"""Corrections from the public: the form on every detail page and the view that stores it.

A suggestion is only ever stored for editors (status "new"); nothing on the public pages
changes until an editor edits the record itself. Spam protection:

- a honeypot field (``website``) that people never see; a submission that fills it is
  discarded silently but answered exactly like a success, so bots learn nothing;
- a rate limit per IP address on POSTs (django-ratelimit, ``SUGGESTIONS_RATE``, default
  5 per 10 minutes); over the limit answers 429 with a message page;
- Django's CSRF protection, like every form of the site.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from partnerships.models import Appeal, Initiative, Municipality, Partnership, Suggestion

# The URL's first segment -> the record it names (the same as the detail pages').
KINDS: dict[str, type[models.Model]] = {
    "partnerships": Partnership,
    "municipalities": Municipality,
    "initiatives": Initiative,
    "appeals": Appeal,
}

HONEYPOT = "website"
DEFAULT_RATE = "5/10m"
TEMPLATE = "partnerships/suggestion_form.html"


def suggestion_rate(group: str, request: HttpRequest) -> str:
    """POSTs allowed per IP address and period, e.g. "5/10m" (setting SUGGESTIONS_RATE)."""
    return getattr(settings, "SUGGESTIONS_RATE", DEFAULT_RATE)


def _formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    # An address typed without a scheme means https, as in the admin (Django 6's default).
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class SuggestionForm(forms.ModelForm):
    """What the public may send; status, page and record are set by the view, never posted."""

    # The honeypot: hidden from people (CSS class, aria-hidden, tabindex=-1, autocomplete
    # off, see _suggest.html); only bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Suggestion
        fields = ["message", "source_url", "sender_name", "sender_email"]
        formfield_callback = _formfield

    def is_bot(self) -> bool:
        """True when the honeypot was filled in (read from the raw data: valid or not)."""
        return bool(self.data.get(HONEYPOT, "").strip())


def _success(record: models.Model) -> HttpResponse:
    response = HttpResponseRedirect(f"{record.get_absolute_url()}?suggested=1")
    response.status_code = 303  # See Other: the browser GETs the detail page
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """GET: the form on its own page. POST: store a suggestion for the editors."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    record = get_object_or_404(model.objects.published(), slug=slug)
    context = {"object": record}
    if request.method != "POST":
        context["suggestion_form"] = SuggestionForm()
        return render(request, TEMPLATE, context)

    usage = get_usage(
        request,
        group="partnerships.suggest",
        key="ip",
        rate=suggestion_rate,
        method="POST",
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        context["limited"] = True
        response = render(request, TEMPLATE, context, status=429)
        if usage["time_left"] > 0:
            response["Retry-After"] = str(usage["time_left"])
        return response

    form = SuggestionForm(request.POST)
    if form.is_bot():
        return _success(record)  # discarded, but answered like a success
    if not form.is_valid():
        context["suggestion_form"] = form
        return render(request, TEMPLATE, context, status=400)
    suggestion = form.save(commit=False)
    suggestion.record = record
    suggestion.page_url = record.get_absolute_url()
    suggestion.status = Suggestion.Status.NEW
    suggestion.save()
    return _success(record)
