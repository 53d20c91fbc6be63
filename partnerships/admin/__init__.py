"""The editors' admin, one module per concept.

Changelists select and prefetch what ``list_display`` shows, so a page runs a fixed
number of queries whatever the number of rows.
"""

from partnerships.admin import appeals, initiatives, municipalities, partnerships, suggestions

__all__ = ["appeals", "initiatives", "municipalities", "partnerships", "suggestions"]
