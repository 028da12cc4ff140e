"""Document metadata (company, ticker, form type, fiscal year and quarter, period end, and
who set it), read from the stored pages of documents ingested before it existed."""

import django.core.validators
from django.db import migrations, models


def read_existing_metadata(apps, schema_editor):
    from documents.metadata import FIRST_PAGES, metadata_from_pages

    Document = apps.get_model("documents", "Document")
    DocumentPage = apps.get_model("documents", "DocumentPage")
    for document in Document.objects.only("id").iterator(chunk_size=500):
        pages = DocumentPage.objects.filter(document_id=document.pk, number__lte=FIRST_PAGES)
        texts = list(pages.order_by("number").values_list("text", flat=True))
        if texts:
            Document.objects.filter(pk=document.pk).update(**metadata_from_pages(texts).as_fields())


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_chunk_on_contents_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="company",
            field=models.CharField(blank=True, help_text="Registrant as printed.", max_length=300),
        ),
        migrations.AddField(
            model_name="document",
            name="fiscal_quarter",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(4),
                ],
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="fiscal_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The year the fiscal year ends in.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1900),
                    django.core.validators.MaxValueValidator(2100),
                ],
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="form_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("10-K", "Form 10-K"),
                    ("10-Q", "Form 10-Q"),
                    ("8-K", "Form 8-K"),
                    ("annual_report", "Annual report"),
                    ("earnings_release", "Earnings release"),
                    ("other", "Other SEC form"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="metadata_source",
            field=models.CharField(
                choices=[
                    ("extracted", "Read from the document"),
                    ("operator", "Corrected by an operator"),
                    ("tenant", "Corrected by the tenant"),
                ],
                default="extracted",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="period_end",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="ticker",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fiscal_quarter__isnull", True),
                    models.Q(("fiscal_quarter__gte", 1), ("fiscal_quarter__lte", 4)),
                    _connector="OR",
                ),
                name="document_fiscal_quarter_1_to_4",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fiscal_year__isnull", True),
                    models.Q(("fiscal_year__gte", 1900), ("fiscal_year__lte", 2100)),
                    _connector="OR",
                ),
                name="document_fiscal_year_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "form_type__in",
                        ["", "10-K", "10-Q", "8-K", "annual_report", "earnings_release", "other"],
                    )
                ),
                name="document_form_type_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(("metadata_source__in", ["extracted", "operator", "tenant"])),
                name="document_metadata_source_known",
            ),
        ),
        migrations.RunPython(read_existing_metadata, migrations.RunPython.noop),
    ]
