"""Line boxes on pages and chunks (where each line is drawn), for highlighting citations.

Documents ingested before keep empty boxes: their citations open the page unhighlighted.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_document_metadata"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="boxes",
            field=models.JSONField(
                blank=True, db_default=models.Value({}, models.JSONField()), default=dict
            ),
        ),
        migrations.AddField(
            model_name="documentpage",
            name="boxes",
            field=models.JSONField(
                blank=True, db_default=models.Value([], models.JSONField()), default=list
            ),
        ),
    ]
