"""The only code that touches the DynamoDB table.

Items go in and out as plain dicts (numbers as Decimal). Conditional writes that lose
become the domain's Conflict, so two clicks never both win.
"""

from collections.abc import Iterator
from typing import Any, NamedTuple

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from comptoir_core import aws
from comptoir_core.errors import Conflict
from comptoir_core.keys import INDEX_KEYS

Item = dict[str, Any]


class Page(NamedTuple):
    """One bounded read of an index range: the items, where to go on (None at the end), how many read."""

    items: list[Item]
    last_key: Item | None
    scanned: int


class Put(NamedTuple):
    """A put inside a transaction; `expected_version` None writes unconditionally, 0 only a new item."""

    item: Item
    expected_version: int | None = None


class Add(NamedTuple):
    """Add (or subtract) numbers on an item inside a transaction; the item is created if missing."""

    pk: str
    sk: str
    deltas: dict[str, int]


class Repository:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self):
        return aws.resource("dynamodb").Table(self.table_name)

    def get(self, pk: str, sk: str) -> Item | None:
        response = self._table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True)
        return response.get("Item")

    def create(self, item: Item) -> None:
        """Put an item that must not exist yet."""
        with _conflicts("already exists"):
            self._table.put_item(Item=item, ConditionExpression=Attr("pk").not_exists())

    def put(self, item: Item) -> None:
        self._table.put_item(Item=item)

    def replace_versioned(self, item: Item, *, expected_version: int) -> Item:
        """Write `item` with version+1 only if the stored version is still `expected_version`."""
        new_item = {**item, "version": expected_version + 1}
        condition = Attr("pk").not_exists() if expected_version == 0 else Attr("version").eq(expected_version)
        with _conflicts("changed meanwhile; reload and try again"):
            self._table.put_item(Item=new_item, ConditionExpression=condition)
        return new_item

    def replace_all_versioned(self, items: list[tuple[Item, int]]) -> list[Item]:
        """Write several (item, expected_version) pairs in one transaction: all land, or none (Conflict)."""
        if not items:
            return []
        written = [{**item, "version": expected + 1} for item, expected in items]
        client = aws.client("dynamodb")
        serializer = TypeSerializer()
        with _conflicts("changed meanwhile; reload and try again"):
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {k: serializer.serialize(v) for k, v in item.items()},
                            "ConditionExpression": "#v = :v",
                            "ExpressionAttributeNames": {"#v": "version"},
                            "ExpressionAttributeValues": {":v": serializer.serialize(expected)},
                        }
                    }
                    for item, (_, expected) in zip(written, items, strict=True)
                ]
            )
        return written

    def transact(self, puts: list[Put], adds: list[Add] = ()) -> None:
        """Puts and counter updates in one transaction: all land, or none (Conflict)."""
        serializer = TypeSerializer()
        operations: list[dict] = []
        for put in puts:
            operation: dict[str, Any] = {
                "TableName": self.table_name,
                "Item": {k: serializer.serialize(v) for k, v in put.item.items()},
            }
            if put.expected_version == 0:
                operation["ConditionExpression"] = "attribute_not_exists(pk)"
            elif put.expected_version is not None:
                operation["ConditionExpression"] = "#v = :v"
                operation["ExpressionAttributeNames"] = {"#v": "version"}
                operation["ExpressionAttributeValues"] = {":v": serializer.serialize(put.expected_version)}
            operations.append({"Put": operation})
        for add in adds:
            deltas = {k: v for k, v in add.deltas.items() if v}
            if not deltas:
                continue
            names = {f"#n{i}": name for i, name in enumerate(deltas)}
            values = {f":d{i}": serializer.serialize(delta) for i, delta in enumerate(deltas.values())}
            operations.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": {"pk": serializer.serialize(add.pk), "sk": serializer.serialize(add.sk)},
                        "UpdateExpression": "ADD " + ", ".join(f"#n{i} :d{i}" for i in range(len(deltas))),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        if len(operations) == 1 and "Put" in operations[0]:
            operation = operations[0]["Put"]
            with _conflicts("changed meanwhile; reload and try again"):
                aws.client("dynamodb").put_item(**operation)
            return
        with _conflicts("changed meanwhile; reload and try again"):
            aws.client("dynamodb").transact_write_items(TransactItems=operations)

    def batch_put(self, items: list[Item]) -> None:
        """Unconditional puts in batches of 25 (seeding, copies): no transaction, no condition."""
        with self._table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)

    def page(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        descending: bool = True,
        limit: int,
        start_key: Item | None = None,
        attributes: tuple[str, ...] = (),
        consistent: bool = False,
    ) -> Page:
        """At most `limit` items of one partition of the table or of an index, from after `start_key`
        (`consistent`: a strongly consistent read, of the table only)."""
        pk_name, sk_name = INDEX_KEYS[index] if index else ("pk", "sk")
        condition = Key(pk_name).eq(pk)
        if sk_between:
            condition &= Key(sk_name).between(*sk_between)
        elif sk_prefix:
            condition &= Key(sk_name).begins_with(sk_prefix)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ScanIndexForward": not descending,
            "Limit": limit,
        }
        if index:
            kwargs["IndexName"] = index
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        if consistent:
            kwargs["ConsistentRead"] = True
        if attributes:
            kwargs["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(attributes)))
            kwargs["ExpressionAttributeNames"] = {f"#a{i}": name for i, name in enumerate(attributes)}
        answer = self._table.query(**kwargs)
        items = answer.get("Items", [])
        # No filter expression: every item read is an item returned.
        return Page(items, answer.get("LastEvaluatedKey"), len(items))

    def write_all(self, writes: list[tuple[Item, int | None]]) -> list[Item]:
        """Write several items in one transaction: all land, or none (Conflict). Each pair is (item,
        expected version): 0 means the item must not exist yet, n means its stored version is still n
        (it is written with n+1); None writes the item as it is, unconditionally."""
        client = aws.client("dynamodb")
        serializer = TypeSerializer()
        written, actions = [], []
        for item, expected in writes:
            if expected is None:
                written.append(item)
                condition = {}
            else:
                item = {**item, "version": expected + 1}
                written.append(item)
                if expected == 0:
                    condition = {"ConditionExpression": "attribute_not_exists(pk)"}
                else:
                    condition = {
                        "ConditionExpression": "#v = :v",
                        "ExpressionAttributeNames": {"#v": "version"},
                        "ExpressionAttributeValues": {":v": serializer.serialize(expected)},
                    }
            put = {
                "TableName": self.table_name,
                "Item": {k: serializer.serialize(v) for k, v in item.items()},
            }
            actions.append({"Put": {**put, **condition}})
        if actions:
            with _conflicts("changed meanwhile; reload and try again"):
                client.transact_write_items(TransactItems=actions)
        return written

    def replace_if_unchanged(self, item: Item, *, seen: Item | None, attributes: tuple[str, ...]) -> None:
        """Put `item` only if the stored item's `attributes` are still those of `seen` (an attribute
        `seen` lacked must still be missing; `seen` None: no item yet), else Conflict."""
        if seen is None:
            condition = Attr("pk").not_exists()
        else:
            checks = [
                Attr(name).eq(seen[name]) if name in seen else Attr(name).not_exists() for name in attributes
            ]
            condition = Attr("pk").exists()
            for check in checks:
                condition &= check
        with _conflicts("changed meanwhile; try again"):
            self._table.put_item(Item=item, ConditionExpression=condition)

    def scan(self, *, sk: str, gsi1pk_prefix: str) -> Iterator[Item]:
        """Every item with this sort key whose gsi1 key starts so: a Scan of the whole table, for
        maintenance tools (a migration), never for a request."""
        kwargs: dict[str, Any] = {
            "FilterExpression": Attr("sk").eq(sk) & Attr("gsi1pk").begins_with(gsi1pk_prefix)
        }
        while True:
            page = self._table.scan(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete(self, pk: str, sk: str) -> None:
        self._table.delete_item(Key={"pk": pk, "sk": sk})

    def query(
        self,
        pk: str,
        *,
        sk_prefix: str | None = None,
        index: str | None = None,
        descending: bool = False,
        sk_before: str | None = None,
        attributes: tuple[str, ...] = (),
    ) -> Iterator[Item]:
        """Items of one partition in sort-key order (or reversed); `sk_before` starts strictly below a key;
        `attributes`: only these of each item."""
        pk_name, sk_name = INDEX_KEYS[index] if index else ("pk", "sk")
        condition = Key(pk_name).eq(pk)
        if sk_before and sk_prefix:
            condition &= Key(sk_name).between(sk_prefix, _just_below(sk_before))
        elif sk_prefix:
            condition &= Key(sk_name).begins_with(sk_prefix)
        kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ScanIndexForward": not descending}
        if index:
            kwargs["IndexName"] = index
        if attributes:
            kwargs["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(attributes)))
            kwargs["ExpressionAttributeNames"] = {f"#a{i}": name for i, name in enumerate(attributes)}
        while True:
            page = self._table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _just_below(key: str) -> str:
    """The greatest string sorting before `key` closely enough for a BETWEEN bound (ids are ASCII)."""
    return key[:-1] + chr(ord(key[-1]) - 1) + "\U0010ffff"


class _conflicts:
    """Turn a lost conditional write into Conflict(message)."""

    def __init__(self, message: str):
        self.message = message

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code")
            if code in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                raise Conflict(self.message) from exc
        return False
