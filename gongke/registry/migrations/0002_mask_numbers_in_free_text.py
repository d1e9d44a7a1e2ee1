"""ID and mobile numbers typed into free text before it was masked on input are masked now,
and ID masks of the older form (first 3 and last 4 digits shown) keep only the first 3: the
hash cannot be read back, but today's mask is a prefix of the old one."""

from django.db import migrations

from gongke.lib.masking import mask_stored


def forwards(apps, schema_editor):
    get = apps.get_model
    mask_stored(get("registry", "Organization"), free_text=("note",))
    mask_stored(get("registry", "Person"), free_text=("note",), id_masks=("id_number_masked",))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
