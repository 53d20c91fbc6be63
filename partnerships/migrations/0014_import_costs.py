"""Costs of a large import (issue 14), without changing what is stored.

- The history tables lose the indexes nothing reads them by: a history is read by record
  (``id``) and date; slug, partner, partnership, region and GeoNames-id lookups go to the
  records themselves (``HistoricalRecords(no_db_index=...)`` in the models).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0013_partnership_partner_columns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalappeal",
            name="slug",
            field=models.SlugField(db_index=False, max_length=120, verbose_name="permalink"),
        ),
        migrations.AlterField(
            model_name="historicalinitiative",
            name="slug",
            field=models.SlugField(db_index=False, max_length=120, verbose_name="permalink"),
        ),
        migrations.AlterField(
            model_name="historicalmunicipality",
            name="geonames_id",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The gazetteer entry, matched by country, coordinates and name.",
                null=True,
                verbose_name="GeoNames ID",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmunicipality",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                help_text="The Land or federal subject; empty where the sources do not say.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.region",
                verbose_name="region",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmunicipality",
            name="slug",
            field=models.SlugField(
                db_index=False,
                help_text="Part of the permanent address; never changes once published.",
                max_length=120,
                verbose_name="permalink",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnership",
            name="german_partner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                limit_choices_to={"country": "DE"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.municipality",
                verbose_name="German partner",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnership",
            name="russian_partner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                limit_choices_to={"country": "RU"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.municipality",
                verbose_name="Russian partner",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnership",
            name="slug",
            field=models.SlugField(
                blank=True,
                db_index=False,
                help_text="Made from the partners' permalinks when left empty; never changes later.",
                max_length=250,
                verbose_name="permalink",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpartnershipsource",
            name="partnership",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.partnership",
                verbose_name="partnership",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstatusevent",
            name="partnership",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.partnership",
                verbose_name="partnership",
            ),
        ),
    ]
