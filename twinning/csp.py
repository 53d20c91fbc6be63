"""The Content Security Policy's one exception: the Django admin's inline styles.

The public pages allow no inline script and no inline style (``style-src 'self'``): charts
are SVG with classes, the map is styled by its stylesheet. Django's admin writes a few
``style="…"`` attributes of its own (widgets, the changelist's filters), so its pages, and
only they, get ``'unsafe-inline'`` for styles. Scripts stay ``'self'`` everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class AdminInlineStylesMiddleware:
    """Adds ``style-src 'unsafe-inline'`` to the policy of the admin's responses.

    Listed after ``csp.middleware.CSPMiddleware``, so its response passes here first and
    the CSP middleware then builds the header with this update (django-csp's
    ``_csp_update``, the same attribute its ``@csp_update`` decorator sets).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.app_name == "admin":
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
