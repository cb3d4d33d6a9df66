"""Keep the local stack's state in a data folder: table items, S3 objects and Cognito users.

Written on a clean stop and every 30 s, read back at start. Objects are stored by content hash, so
a snapshot only writes what is new. Passwords and user ids (`sub`) are read from moto's in-process
Cognito backend: the Cognito API never reveals them, and memberships are keyed by `sub`.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from moto.cognitoidp.models import cognitoidp_backends

from comptoir_infra.local.provision import ACCOUNT_ID, LocalResources

STATE_FILE = "state.json"
BLOBS_DIR = "blobs"
FORMAT_VERSION = 1


@dataclass
class State:
    demo_password: str | None = None
    items: list[dict] = field(default_factory=list)
    objects: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)


def load(data_dir: Path) -> State | None:
    path = data_dir / STATE_FILE
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    if raw.get("format") != FORMAT_VERSION:
        raise RuntimeError(f"{path} has format {raw.get('format')}, expected {FORMAT_VERSION}; use --reset")
    return State(
        demo_password=raw.get("demo_password"), items=raw["items"], objects=raw["objects"], users=raw["users"]
    )


def capture(
    resources: LocalResources, data_dir: Path, *, demo_password: str, previous: State | None = None
) -> State:
    """Read the whole embedded AWS state and write it to `data_dir` atomically.

    An object whose ETag has not changed since `previous` is not read again.
    """
    session = boto3.session.Session(region_name=resources.region)
    dynamodb = session.client("dynamodb", endpoint_url=resources.endpoint)
    s3 = session.client("s3", endpoint_url=resources.endpoint)
    blobs = data_dir / BLOBS_DIR
    blobs.mkdir(parents=True, exist_ok=True)

    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=resources.table_name):
        items.extend(page["Items"])

    known = {(o["bucket"], o["key"], o.get("etag")): o for o in (previous.objects if previous else [])}
    objects = []
    for bucket_id, bucket in resources.bucket_names.items():
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for summary in page.get("Contents", []):
                unchanged = known.get((bucket_id, summary["Key"], summary["ETag"]))
                if unchanged and (blobs / unchanged["blob"]).exists():
                    objects.append(unchanged)
                    continue
                got = s3.get_object(Bucket=bucket, Key=summary["Key"])
                body = got["Body"].read()
                digest = hashlib.sha256(body).hexdigest()
                blob = blobs / digest
                if not blob.exists():
                    _write_atomically(blob, body)
                objects.append(
                    {
                        "bucket": bucket_id,
                        "key": summary["Key"],
                        "etag": summary["ETag"],
                        "blob": digest,
                        "content_type": got.get("ContentType", "binary/octet-stream"),
                        "metadata": got.get("Metadata", {}),
                    }
                )

    state = State(demo_password=demo_password, items=items, objects=objects, users=_users(resources))
    document = {"format": FORMAT_VERSION, **state.__dict__}
    _write_atomically(data_dir / STATE_FILE, json.dumps(document).encode())
    return state


def restore(resources: LocalResources, data_dir: Path, state: State) -> None:
    """Put a captured state into freshly provisioned resources (before S3 notifications exist)."""
    session = boto3.session.Session(region_name=resources.region)
    dynamodb = session.client("dynamodb", endpoint_url=resources.endpoint)
    s3 = session.client("s3", endpoint_url=resources.endpoint)
    cognito = session.client("cognito-idp", endpoint_url=resources.endpoint)

    for start in range(0, len(state.items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in state.items[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={resources.table_name: batch})

    for obj in state.objects:
        s3.put_object(
            Bucket=resources.bucket_names[obj["bucket"]],
            Key=obj["key"],
            Body=(data_dir / BLOBS_DIR / obj["blob"]).read_bytes(),
            ContentType=obj["content_type"],
            Metadata=obj["metadata"],
        )

    pool = _pool(resources)
    for user in state.users:
        cognito.admin_create_user(
            UserPoolId=resources.user_pool_id,
            Username=user["username"],
            UserAttributes=[a for a in user["attributes"] if a["Name"] != "sub"],
            MessageAction="SUPPRESS",
        )
        restored = pool.users[user["username"]]
        restored.id = user["sub"]
        restored.update_attributes([{"Name": "sub", "Value": user["sub"]}])
        restored.password = user["password"]
        restored.status = user["status"]
        restored.enabled = user["enabled"]


def _users(resources: LocalResources) -> list[dict]:
    return [
        {
            "username": user.username,
            "sub": user.id,
            "password": user.password,
            "status": user.status,
            "enabled": user.enabled,
            "attributes": user.attributes,
        }
        for user in list(_pool(resources).users.values())
    ]


def _pool(resources: LocalResources):
    return cognitoidp_backends[ACCOUNT_ID][resources.region].user_pools[resources.user_pool_id]


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
