"""What an editor does in the admin, posted as the admin's forms post it."""

from partnerships.models import Partnership
from tests.public_pages import admin_url


def record_status_change(client, partnerships, **fields):
    """The changelist's "record a status change" action, applied to these partnerships.

    A note and a source are filled in; ``fields`` add the status and its date, or override
    any of them.
    """
    data = {
        "action": "record_status_change",
        "_selected_action": [p.pk for p in partnerships],
        "apply": "1",
        "note": "Ratsbeschluss",
        "source_url": "https://example.org/beschluss",
        **fields,
    }
    return client.post(admin_url(Partnership, "changelist"), data)
