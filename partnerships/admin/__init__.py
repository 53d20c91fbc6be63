"""The editors' admin, one module per concept.

Changelists select and prefetch what ``list_display`` shows, so a page runs a fixed
number of queries whatever the number of rows.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnerships.admin import appeals, initiatives, municipalities, partnerships, suggestions

admin.site.site_header = _("German–Russian Partnership Registry: editors")
admin.site.site_title = _("Partnership Registry")
admin.site.index_title = _("Records and workflow")

__all__ = ["appeals", "initiatives", "municipalities", "partnerships", "suggestions"]
