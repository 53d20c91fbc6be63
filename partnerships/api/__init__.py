"""The read-only open-data API under ``/api/v1/`` (issue 13).

Lists filter the HTML lists' rows (``selectors.listed_*``) with the lists' own FilterSets
and the request's query string, so an API query and a page with the same parameters hold the
same rows; details start from ``published()``. Pages follow a cursor over ``(updated_at,
id)``, so that a harvester can walk everything and then ask only for what changed
(``modified_since``). Every answer carries an ETag from the registry's generation
(``partnerships.caching``) and answers 304 to a matching ``If-None-Match``.

- ``filters``: the filter backend that applies the lists' FilterSets, and ``modified_since``;
- ``pagination``: the keyset cursor;
- ``throttling``: the rate limit per client (django-ratelimit, the shared cache);
- ``serializers``: the stable field names (the CSV exports' headers where they exist);
- ``views``: the viewsets, the GeoJSON of partnerships and municipalities, ETags;
- ``urls``: ``/api/v1/``, the OpenAPI schema at ``/api/schema/`` and its documentation
  at ``/api/docs/``.
"""
