"""What the public lists filter and count by, kept on the partnership row (issue 14).

Whether both partners are published, their regions and kinds are copied onto each
partnership by the database itself: a BEFORE trigger on the partnership sets them on every
insert and update (also the importer's COPY, and Django's saves, whatever the instance
holds), and an AFTER trigger on a municipality passes a change of its publication, region
or kind on to its partnerships. A list, its facets and the search then need no join to the
municipalities, and ``published()`` is two columns of one row.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION partnerships_partnership_partner_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    german_published boolean;
    russian_published boolean;
BEGIN
    SELECT m.is_published, m.region_id, m.kind
      INTO german_published, NEW.german_partner_region_id, NEW.german_partner_kind
      FROM partnerships_municipality m WHERE m.id = NEW.german_partner_id;
    SELECT m.is_published, m.region_id, m.kind
      INTO russian_published, NEW.russian_partner_region_id, NEW.russian_partner_kind
      FROM partnerships_municipality m WHERE m.id = NEW.russian_partner_id;
    NEW.german_partner_kind := coalesce(NEW.german_partner_kind, '');
    NEW.russian_partner_kind := coalesce(NEW.russian_partner_kind, '');
    NEW.partners_published := coalesce(german_published AND russian_published, false);
    RETURN NEW;
END
$$;

CREATE TRIGGER partnership_partner_columns
    BEFORE INSERT OR UPDATE ON partnerships_partnership
    FOR EACH ROW EXECUTE FUNCTION partnerships_partnership_partner_columns();

-- A partner changed: its partnerships take the new values (through the trigger above).
CREATE FUNCTION partnerships_municipality_to_partnerships() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE partnerships_partnership SET german_partner_id = german_partner_id
     WHERE german_partner_id = NEW.id OR russian_partner_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER municipality_to_partnerships
    AFTER UPDATE OF is_published, region_id, kind ON partnerships_municipality
    FOR EACH ROW
    WHEN (OLD.is_published IS DISTINCT FROM NEW.is_published
          OR OLD.region_id IS DISTINCT FROM NEW.region_id
          OR OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION partnerships_municipality_to_partnerships();

-- A partnership inserted before its partner (the foreign keys are checked at commit).
CREATE TRIGGER municipality_inserted_to_partnerships
    AFTER INSERT ON partnerships_municipality
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION partnerships_municipality_inserted();
"""

INSERTED = """
CREATE FUNCTION partnerships_municipality_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE partnerships_partnership p SET german_partner_id = p.german_partner_id
      FROM inserted m WHERE p.german_partner_id = m.id OR p.russian_partner_id = m.id;
    RETURN NULL;
END
$$;
"""

BACKFILL = """
UPDATE partnerships_partnership p
   SET partners_published = g.is_published AND r.is_published,
       german_partner_region_id = g.region_id, german_partner_kind = g.kind,
       russian_partner_region_id = r.region_id, russian_partner_kind = r.kind
  FROM partnerships_municipality g, partnerships_municipality r
 WHERE g.id = p.german_partner_id AND r.id = p.russian_partner_id;
"""

DROP = """
DROP TRIGGER IF EXISTS municipality_inserted_to_partnerships ON partnerships_municipality;
DROP TRIGGER IF EXISTS municipality_to_partnerships ON partnerships_municipality;
DROP TRIGGER IF EXISTS partnership_partner_columns ON partnerships_partnership;
DROP FUNCTION IF EXISTS partnerships_municipality_inserted();
DROP FUNCTION IF EXISTS partnerships_municipality_to_partnerships();
DROP FUNCTION IF EXISTS partnerships_partnership_partner_columns();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0012_appeal_translations_supporters"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnership",
            name="german_partner_kind",
            field=models.CharField(
                blank=True, editable=False, max_length=20, verbose_name="kind of the German partner"
            ),
        ),
        migrations.AddField(
            model_name="partnership",
            name="german_partner_region",
            field=models.ForeignKey(
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.region",
                verbose_name="region of the German partner",
            ),
        ),
        migrations.AddField(
            model_name="partnership",
            name="partners_published",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="both partners published"
            ),
        ),
        migrations.AddField(
            model_name="partnership",
            name="russian_partner_kind",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=20,
                verbose_name="kind of the Russian partner",
            ),
        ),
        migrations.AddField(
            model_name="partnership",
            name="russian_partner_region",
            field=models.ForeignKey(
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partnerships.region",
                verbose_name="region of the Russian partner",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(INSERTED + TRIGGERS, DROP),
    ]
