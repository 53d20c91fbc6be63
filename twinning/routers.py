"""Send public reads to a read replica when one is configured.

Reads of the registry's records go to the ``replica`` alias when it exists, unless the
primary is inside a transaction (an editor's save, an import, the optimistic-locking
check), where reading a lagging replica could lose an edit. Sessions, users and the
admin's own tables always use the primary. Writes and migrations go to the primary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

REPLICA = "replica"
REPLICATED_APPS = {"partnerships"}


class ReplicaRouter:
    def db_for_read(self, model, **_hints):
        if not settings.USE_REPLICA or REPLICA not in settings.DATABASES:
            return None
        if model._meta.app_label not in REPLICATED_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **_hints):
        return "default"

    def allow_relation(self, _obj1, _obj2, **_hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **_hints):
        return db == "default"
