import datetime

from django.db import migrations


def create_appeal(apps, schema_editor):
    """The first appeal: the German-Russian Forum's letter of 30 April 2020."""
    Appeal = apps.get_model("partnerships", "Appeal")
    Appeal.objects.get_or_create(
        slug="drf-solidarity-appeal-2020",
        defaults={
            "title": (
                "Solidaritätsappell des Deutsch-Russischen Forums an die russischen Partnerkommunen"
            ),
            "date": datetime.date(2020, 4, 30),
            "publisher": "Deutsch-Russisches Forum e.V.",
            "summary": (
                "Letter of 30 April 2020 from the German-Russian Forum to the Russian partner "
                "municipalities of German towns, districts and Länder, expressing solidarity. "
                "More than 100 representatives of German cities, municipalities, districts, "
                "initiatives and associations joined it. The published list of signatories is "
                "not in the registry's sources yet; editors add signatories as they are confirmed."
            ),
            "url": "https://friedenkoeln.de/?p=14959",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0003_regions")]
    operations = [migrations.RunPython(create_appeal, migrations.RunPython.noop)]
