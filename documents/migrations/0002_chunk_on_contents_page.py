"""Chunk.on_contents_page, filled for documents ingested before it existed."""

from django.db import migrations, models


def flag_existing_contents_pages(apps, schema_editor):
    from documents.chunking import CONTENTS_PAGE_CHARS, is_contents_listing

    DocumentPage = apps.get_model("documents", "DocumentPage")
    Chunk = apps.get_model("documents", "Chunk")
    pages = DocumentPage.objects.values_list("document_id", "number", "text").iterator(
        chunk_size=500
    )
    for document_id, number, text in pages:
        if is_contents_listing(text[:CONTENTS_PAGE_CHARS]):
            Chunk.objects.filter(document_id=document_id, page_start=number).update(
                on_contents_page=True
            )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="on_contents_page",
            field=models.BooleanField(default=False, db_default=False),
        ),
        migrations.RunPython(flag_existing_contents_pages, migrations.RunPython.noop),
    ]
