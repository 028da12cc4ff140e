"""Document files in S3 (moto's in-process S3): the tenant/document key and AES-256 at rest."""

import boto3
import pytest
from django.core.files.storage import storages
from moto import mock_aws

from documents.models import Chunk
from documents.services import document_delete, document_ingest
from tests.data.pdf_factory import filler, make_pdf
from tests.fixtures.documents import upload_pdf

pytestmark = pytest.mark.django_db
BUCKET = "rag-system-docs-test"


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="ap-southeast-2")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "ap-southeast-2",
                    "object_parameters": {"ServerSideEncryption": "AES256"},
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        storages._storages.pop("default", None)
        yield client
        storages._storages.pop("default", None)


def test_pdf_is_stored_in_s3_under_the_tenant_key_encrypted_and_ingested(s3, tenant_a):
    data = make_pdf([["# Results", *filler("results")]])
    document = upload_pdf(tenant_a, data, name="results.pdf")
    key = f"tenants/{tenant_a.pk}/documents/{document.pk}.pdf"
    assert document.storage_key == key
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data

    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "ready"
    assert Chunk.objects.filter(document=document).exists()


def test_deleting_a_document_deletes_its_s3_object(
    s3, tenant_a, django_capture_on_commit_callbacks
):
    data = make_pdf([["# Results", *filler("results")]])
    document = upload_pdf(tenant_a, data, name="results.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(tenant=tenant_a, document_id=document.pk)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"tenants/{tenant_a.pk}/")
    assert listed.get("KeyCount", 0) == 0
