"""What an editor does in the admin, posted as the admin's forms post it."""

from partnerships.models import Municipality, Partnership
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


def change_form_data(client, obj, **changes):
    """The admin's change form of a record as the browser posts it, with changes applied.

    Returns the form's address and the data: the form's values and those of every inline
    row the record has (no blank rows), a related record by its key.
    """
    url = admin_url(type(obj), "change", obj.pk)
    page = client.get(url)
    data = form_values(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for index, form in enumerate(formset.initial_forms):
            data.update(form_values(form, prefix=f"{formset.prefix}-{index}-"))
    data.update(changes)
    return url, data


def form_values(form, prefix: str = "") -> dict:
    """A form's initial values as the browser posts them (lists and empty values left out)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = getattr(value, "pk", value)
        if value is not None and not isinstance(value, list | tuple):
            data[prefix + name] = value
    return data


def add_inline_row(data: dict, prefix: str, **fields) -> None:
    """One more row in the inline formset ``prefix`` of change-form data, with these fields."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})


def add_municipality(client, **fields):
    """The admin's add form of a municipality posted: a published town, no other names."""
    data = {
        "kind": "town",
        "is_published": "on",
        "alternative_names-TOTAL_FORMS": 0,
        "alternative_names-INITIAL_FORMS": 0,
        **fields,
    }
    return client.post(admin_url(Municipality, "add"), data)
