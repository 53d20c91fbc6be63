from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
# Editors add and change every record (publishing, unpublishing and status changes are
# changes), but never delete: partnerships end or are unpublished. Only superusers delete.
ACTIONS = ("add", "change", "view")


def create_editors_group(apps, schema_editor):
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    models = [
        m._meta.model_name
        for m in app_config.get_models()
        if not m._meta.model_name.startswith("historical")
    ]
    codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="partnerships", codename__in=codenames)
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0005_history_versions_suggestions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
