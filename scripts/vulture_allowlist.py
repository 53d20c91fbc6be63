"""Names vulture cannot see used (scripts/dead_code.py): each group says who uses them.

Framework hooks used by name everywhere are in ``[tool.vulture] ignore_names``
(pyproject.toml); this file names the rest, one by one, so a new unused name is still found.
"""

# ruff: noqa: B018, F821

# Named in settings.py as dotted paths: the app, middleware, router, throttle, servers.
_.PartnershipsConfig
_.AdminInlineStylesMiddleware
_.ReplicaRouter
_.ClientRateThrottle
_.application  # twinning/wsgi.py, twinning/asgi.py
_.warm_up  # gunicorn.conf.py's post_worker_init

# Model fields: columns, read by the database, the admin, exports and the API.
_.created_at
_.recorded_at
_.status_wording
_.name_en_origin
_.partners_published  # kept by the database (migration 0013), read by published()
_.german_partner_region
_.russian_partner_region
_.german_partner_kind
_.russian_partner_kind
_.object_id
_.editor_note
_.title_en
_.title_ru
_.publisher_en
_.publisher_ru
_.summary_en
_.summary_ru
_.full_text_en
_.full_text_ru

# Choices: members offered in forms and filters through ``.choices``.
_.OBLAST
_.KRAI
_.REPUBLIC
_.FEDERAL_CITY
_.AUTONOMOUS_OKRUG
_.AUTONOMOUS_OBLAST
_.SCHOOL
_.CHURCH
_.FOUNDATION
_.COUNCIL_COMMITTEE
_.EXONYM

# Fields declared on forms, FilterSets and serializers: the form, the query string, the JSON.
_.version_seen
_.confirm_new
_.field_class
_.german_state
_.has_initiative
_.has_active
_.land
_.api_url
_.german_partner_en
_.german_land_iso
_.german_ags
_.russian_partner_cyrillic
_.russian_partner_de
_.russian_partner_en
_.russian_region_iso
_.russian_oktmo
_.region_iso
_.ags
_.oktmo
_.seat_id
_.seat_region_iso
_.appeal_id
_.appeal_date
_.land_iso
_.initiative_id

# Read by libraries: django-csp's per-view policy, zipfile's per-member compression,
# django-simple-history's hook for the history page's differences.
_._csp_update
_.compress_type
_.set_history_delta_changes
_.foreign_keys_are_objs
