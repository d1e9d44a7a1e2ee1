"""ID and mobile numbers typed into free text before it was masked on input are masked now,
and ID masks of the older form (first 3 and last 4 digits shown) keep only the first 3: the
hash cannot be read back, but today's mask is a prefix of the old one."""

from django.db import migrations

from gongke.lib.masking import mask_stored, mask_stored_audit


def forwards(apps, schema_editor):
    get = apps.get_model
    mask_stored(get("census", "Household"), free_text=("note",))
    mask_stored(get("census", "Resident"), free_text=("note",), id_masks=("id_number_masked",))
    mask_stored(get("census", "ReturnRecord"), free_text=("from_place", "note"))
    mask_stored(get("census", "Isolation"), free_text=("note", "end_note"))
    mask_stored(get("census", "Visit"), free_text=("note",))
    # The audit trail, once for every app: census is where ID numbers are kept.
    mask_stored_audit(get("auditlog", "LogEntry"))


class Migration(migrations.Migration):
    dependencies = [
        ("census", "0003_visit_keeps_its_household"),
        ("auditlog", "0017_add_actor_email"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
