"""A local S3 server for the storage tests: moto's server mode (`moto[server]`), on 127.0.0.1 and a free port,
one per test process. The tests talk to it through django-storages and boto3 exactly as to a real store.

Facts of the S3 API the tests rely on (Amazon S3 API Reference): PutObject takes `x-amz-server-side-encryption:
AES256` and HeadObject returns it as `ServerSideEncryption`; GetObjectAcl of an object written without an ACL
grants FULL_CONTROL to its owner only ("Access control list (ACL) overview": the default ACL is private);
ListObjectsV2 lists the keys under a prefix; DeleteObject removes the key.
"""

from __future__ import annotations

import uuid

import boto3
import pytest

REGION = "eu-south-1"  # Milan
CREDENTIALS = {"access_key": "omnibus-test", "secret_key": "omnibus-test-secret"}


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=CREDENTIALS["access_key"], aws_secret_access_key=CREDENTIALS["secret_key"])


def s3_storages(settings, endpoint: str) -> str:
    """Point STORAGES at a new private bucket of the local server, as FILE_STORAGE=s3 would; its name."""
    bucket = f"omnibus-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    options = {"bucket_name": bucket, "endpoint_url": endpoint, "region_name": REGION, **CREDENTIALS,
               "object_parameters": {"ServerSideEncryption": "AES256"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "omnibus.storage_s3.MediaS3Storage", "OPTIONS": {**options, "location": "media"}},
        "private": {"BACKEND": "omnibus.storage_s3.PrivateS3Storage", "OPTIONS": {**options, "location": "private"}},
    }
    return bucket
