from django.db import migrations, models


def fill_prefixes(apps, schema_editor):
    """Receipts issued before numbers carried their organization: the same prefix it would get
    now (models.receipt_prefix)."""
    Receipt = apps.get_model("donations", "Receipt")
    for organization_id in Receipt.objects.values_list("organization_id", flat=True).distinct():
        Receipt.objects.filter(organization_id=organization_id).update(
            prefix=f"GK{organization_id:04d}"
        )


class Migration(migrations.Migration):
    dependencies = [("donations", "0007_review_keeps_checked_rows")]

    operations = [
        migrations.AddField(
            model_name="receipt",
            name="prefix",
            field=models.CharField(
                default="", editable=False, max_length=20, verbose_name="prefix"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_prefixes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="receipt",
            constraint=models.UniqueConstraint(
                fields=("prefix", "year", "number"), name="donations_receipt_label_once"
            ),
        ),
    ]
