"""ID and mobile numbers typed into free text before it was masked on input are masked now,
and ID masks of the older form (first 3 and last 4 digits shown) keep only the first 3: the
hash cannot be read back, but today's mask is a prefix of the old one."""

from django.db import migrations

from gongke.lib.masking import mask_stored


def forwards(apps, schema_editor):
    get = apps.get_model
    mask_stored(get("community", "Passage"), free_text=("reason",), id_masks=("id_number_masked",))
    mask_stored(get("community", "Alert"), free_text=("handling_note",))
    mask_stored(get("community", "IdReveal"), free_text=("reason",))
    mask_stored(get("community", "Shift"), free_text=("handover_note",))
    mask_stored(get("community", "PublicityItem"), free_text=("description",))


class Migration(migrations.Migration):
    dependencies = [("community", "0005_robot_address_allowed_hosts")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
