from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        """Every signal receiver of the app is connected here, and only here."""
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.signals import pre_create_historical_record

        from partnerships.caching import registry_changed, registry_links_changed
        from partnerships.importing.base import mark_imported

        # Any change of a registry record makes cached pages stale (partnerships/caching.py);
        # regions read once per generation follow it too (partnerships/filters.py).
        post_save.connect(registry_changed, dispatch_uid="registry-generation")
        post_delete.connect(registry_changed, dispatch_uid="registry-generation-delete")
        m2m_changed.connect(registry_links_changed, dispatch_uid="registry-generation-m2m")
        # History rows written during an import carry its reason and editor.
        pre_create_historical_record.connect(mark_imported, dispatch_uid="importing-change-reason")
