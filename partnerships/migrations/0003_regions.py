import csv
from pathlib import Path

import pycountry
from django.db import migrations

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def load_regions(apps, schema_editor):
    """Ship the 16 Länder and 83 federal subjects; every code must be an ISO 3166-2 code."""
    Region = apps.get_model("partnerships", "Region")
    known = {s.code for c in ("DE", "RU") for s in pycountry.subdivisions.get(country_code=c)}
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    unknown = {row["code"] for row in rows} - known
    if unknown:
        raise ValueError(f"not ISO 3166-2 codes: {sorted(unknown)}")
    for row in rows:
        Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "country": row["country"],
                "kind": row["kind"],
                "name_de": row["name_de"],
                "name_ru": row["name_ru"],
                "name_en": row["name_en"],
                "aliases": row["aliases"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0002_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
