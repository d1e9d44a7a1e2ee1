"""ID and mobile numbers typed into free text before it was masked on input are masked now,
and ID masks of the older form (first 3 and last 4 digits shown) keep only the first 3: the
hash cannot be read back, but today's mask is a prefix of the old one."""

from django.db import migrations

from gongke.lib.masking import mask_stored


def forwards(apps, schema_editor):
    get = apps.get_model
    mask_stored(get("resumption", "Application"), free_text=("note",))
    mask_stored(get("resumption", "ApplicationEvent"), free_text=("comment",))
    mask_stored(get("resumption", "DailyReport"), free_text=("note",))
    mask_stored(get("resumption", "FeverCase"), free_text=("outcome",))
    mask_stored(get("resumption", "FeverNote"), free_text=("text",))


class Migration(migrations.Migration):
    dependencies = [("resumption", "0003_robot_address_allowed_hosts")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
