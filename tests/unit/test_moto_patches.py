"""The local stack's faster moto Query answers exactly what stock moto answers.

Both are asked the same queries on the same tables (moto's own server code: boto3 against in-process
moto): table and index, forward and backward, every key-range operator, Limit, a walk through every page
by ExclusiveStartKey, a filter and a projection. A moto upgrade that changes what stock moto answers, or
the internals the patch relies on, makes these fail.
"""

import random
from contextlib import contextmanager, suppress

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

from comptoir_infra.local import moto_patches

REGION = "eu-west-1"


@contextmanager
def moto_query(which: str):
    """Queries answered by stock moto or by the patch; the patch's writes keep its sorted lists."""
    patched = which == "patched"
    Table.query = moto_patches.query if patched else moto_patches.stock_query
    DynamoResult.__init__ = (
        moto_patches.dynamo_result_init if patched else moto_patches.stock_dynamo_result_init
    )
    DynamoResult.execute_result = (
        moto_patches.execute_result if patched else moto_patches.stock_execute_result
    )
    try:
        yield
    finally:
        Table.query = moto_patches.query
        DynamoResult.__init__ = moto_patches.dynamo_result_init
        DynamoResult.execute_result = moto_patches.execute_result


@pytest.fixture(scope="module")
def patched():
    moto_patches.apply()
    yield
    moto_patches.remove()


def create_string_table(client, name: str) -> None:
    """A table keyed by strings (pk, sk) with a sparse index `gsi` (gpk, gsk)."""
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk", "gpk", "gsk")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture(scope="module")
def tables(patched):
    """A table keyed by strings with a sparse index, and a table whose sort key is a number."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            client = boto3.client("dynamodb", region_name=REGION)
            create_string_table(client, "strings")
            client.create_table(
                TableName="numbers",
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "n", "AttributeType": "N"},
                ],
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
            )
            rng = random.Random(11)
            for i in range(160):
                item = {
                    "pk": {"S": f"P{i % 4}"},
                    "sk": {"S": f"{rng.choice('ABCD')}#{i:04d}"},
                    "amount": {"N": str(rng.randint(0, 99))},
                }
                # A sparse index: every fifth item has its partition key but no sort key, so it is not in it.
                item["gpk"] = {"S": f"G{i % 3}"}
                if i % 5:
                    # Few distinct index sort keys: ties are ordered by the table's keys.
                    item["gsk"] = {"S": f"2026-0{rng.randint(1, 4)}-0{rng.randint(1, 3)}"}
                client.put_item(TableName="strings", Item=item)
            for i in range(60):
                n = rng.choice([-5, 0, 2, 10, 100, 1000]) * 1000 + i  # numbers that sort apart from strings
                client.put_item(TableName="numbers", Item={"pk": {"S": f"N{i % 2}"}, "n": {"N": str(n)}})
            yield client


def every_page(client, which: str, request: dict) -> list[dict]:
    """Every answer of a paginated Query: items, counts and the key each page ended on."""
    pages = []
    with moto_query(which):
        while True:
            answer = client.query(**request)
            answer.pop("ResponseMetadata")
            pages.append(answer)
            if "LastEvaluatedKey" not in answer or len(pages) > 500:
                return pages
            request = {**request, "ExclusiveStartKey": answer["LastEvaluatedKey"]}


STRING_CONDITIONS = [
    ("", {}),
    (" AND #r = :a", {":a": "B#0101"}),
    (" AND #r < :a", {":a": "B"}),
    (" AND #r <= :a", {":a": "C#0200"}),
    (" AND #r > :a", {":a": "B#0150"}),
    (" AND #r >= :a", {":a": "D"}),
    (" AND #r BETWEEN :a AND :b", {":a": "B", ":b": "C#0300"}),
    (" AND begins_with(#r, :a)", {":a": "C"}),
]
INDEX_CONDITIONS = [
    ("", {}),
    (" AND #r = :a", {":a": "2026-02-02"}),
    (" AND #r < :a", {":a": "2026-02"}),
    (" AND #r >= :a", {":a": "2026-03-02"}),
    (" AND #r BETWEEN :a AND :b", {":a": "2026-02-01", ":b": "2026-03-01"}),
    (" AND begins_with(#r, :a)", {":a": "2026-04"}),
]


def string_queries():
    for index in (None, "gsi"):
        conditions = INDEX_CONDITIONS if index else STRING_CONDITIONS
        for condition, values in conditions:
            for forward in (True, False):
                for limit in (None, 2, 7):
                    yield index, condition, values, forward, limit


def query_name(case) -> str:
    index, condition, values, forward, limit = case
    where = condition.replace(" AND ", "") or "whole partition"
    return f"{index or 'table'}-{where}-{'fwd' if forward else 'back'}-limit{limit}"


@pytest.mark.parametrize("case", list(string_queries()), ids=query_name)
def test_given_string_keys_when_paging_through_a_query_then_both_answer_the_same_pages(tables, case):
    index, condition, values, forward, limit = case
    hash_name, range_name, hash_value = ("gpk", "gsk", "G1") if index else ("pk", "sk", "P2")
    request = {
        "TableName": "strings",
        "KeyConditionExpression": f"#h = :h{condition}",
        "ExpressionAttributeNames": {"#h": hash_name, **({"#r": range_name} if condition else {})},
        "ExpressionAttributeValues": {
            ":h": {"S": hash_value},
            **{name: {"S": value} for name, value in values.items()},
        },
        "ScanIndexForward": forward,
    }
    if index:
        request["IndexName"] = index
    if limit:
        request["Limit"] = limit

    stock = every_page(tables, "stock", request)
    patched = every_page(tables, "patched", request)

    assert patched == stock
    assert sum(page["Count"] for page in stock) > 0 or "= :a" in condition


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 3, 10])
def test_given_a_filter_and_a_projection_when_querying_an_index_then_both_answer_the_same(
    tables, forward, limit
):
    request = {
        "TableName": "strings",
        "IndexName": "gsi",
        "KeyConditionExpression": "gpk = :h AND gsk > :a",
        "FilterExpression": "amount < :m",
        "ProjectionExpression": "pk, sk, amount",
        "ExpressionAttributeValues": {":h": {"S": "G2"}, ":a": {"S": "2026-01-03"}, ":m": {"N": "40"}},
        "ScanIndexForward": forward,
        **({"Limit": limit} if limit else {}),
    }

    assert every_page(tables, "patched", request) == every_page(tables, "stock", request)


@pytest.mark.parametrize(
    "condition, values",
    [
        ("", {}),
        (" AND n < :a", {":a": "0"}),
        (" AND n BETWEEN :a AND :b", {":a": "-4000", ":b": "100050"}),
        (" AND n >= :a", {":a": "10000"}),
    ],
)
@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 4])
def test_given_a_number_sort_key_when_querying_then_both_order_by_value_not_by_text(
    tables, condition, values, forward, limit
):
    request = {
        "TableName": "numbers",
        "KeyConditionExpression": f"pk = :h{condition}",
        "ExpressionAttributeValues": {
            ":h": {"S": "N1"},
            **{name: {"N": value} for name, value in values.items()},
        },
        "ScanIndexForward": forward,
        **({"Limit": limit} if limit else {}),
    }

    stock = every_page(tables, "stock", request)

    assert every_page(tables, "patched", request) == stock
    numbers = [int(item["n"]["N"]) for page in stock for item in page["Items"]]
    assert numbers == sorted(numbers, reverse=not forward)


def test_given_an_unknown_index_when_querying_then_the_error_is_stock_motos(tables):
    request = {
        "TableName": "strings",
        "IndexName": "nope-index",
        "KeyConditionExpression": "gpk = :h",
        "ExpressionAttributeValues": {":h": {"S": "G1"}},
    }
    errors = []
    for which in ("stock", "patched"):
        with moto_query(which), pytest.raises(tables.exceptions.ClientError) as raised:
            tables.query(**request)
        errors.append(raised.value.response["Error"])

    assert errors[0] == errors[1]


def test_given_string_attributes_when_projected_then_both_answer_the_same(tables):
    request = {
        "TableName": "strings",
        "KeyConditionExpression": "pk = :h AND begins_with(sk, :p)",
        "ProjectionExpression": "sk, gsk, absent_here",
        "ExpressionAttributeValues": {":h": {"S": "P1"}, ":p": {"S": "A"}},
        "Limit": 5,
    }

    stock = every_page(tables, "stock", request)

    assert every_page(tables, "patched", request) == stock
    assert {name for page in stock for item in page["Items"] for name in item} == {"sk", "gsk"}


EVERY_TYPE = {
    "pk": {"S": "T"},
    "sk": {"S": "every-type"},
    "gpk": {"S": "GT"},
    "gsk": {"S": "x"},
    "s": {"S": "é ü"},
    "n": {"N": "-12.50"},
    "b": {"B": b"\x00\xffbinary"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "m": {"M": {"inner": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x03"}, {"NULL": True}]}}},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
}


def test_given_an_item_of_every_type_when_read_then_both_answers_are_the_same(tables):
    tables.put_item(TableName="strings", Item=EVERY_TYPE)
    reads = [
        ("get_item", {"TableName": "strings", "Key": {"pk": {"S": "T"}, "sk": {"S": "every-type"}}}),
        ("get_item", {"TableName": "strings", "Key": {"pk": {"S": "T"}, "sk": {"S": "absent"}}}),
        ("query", {"TableName": "strings", "KeyConditionExpression": "pk = :h",
                   "ExpressionAttributeValues": {":h": {"S": "T"}}}),
        ("query", {"TableName": "strings", "IndexName": "gsi", "KeyConditionExpression": "gpk = :h",
                   "ExpressionAttributeValues": {":h": {"S": "GT"}}}),
        ("scan", {"TableName": "strings", "Limit": 30}),
        ("execute_statement", {"Statement": 'SELECT * FROM "strings" WHERE pk = ?', "Parameters": [{"S": "T"}]}),
    ]  # fmt: skip
    try:
        for operation, request in reads:
            answers = []
            for which in ("stock", "patched"):
                with moto_query(which):
                    answer = getattr(tables, operation)(**request)
                answer.pop("ResponseMetadata")
                answers.append(answer)

            assert answers[1] == answers[0], operation
    finally:
        tables.delete_item(TableName="strings", Key={"pk": {"S": "T"}, "sk": {"S": "every-type"}})


@pytest.fixture
def moving(patched, monkeypatch):
    """A table of its own, for writes of every kind."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_string_table(client, "moving")
        for i in range(30):
            client.put_item(
                TableName="moving",
                Item={
                    "pk": {"S": "P"},
                    "sk": {"S": f"{i:03d}"},
                    "gpk": {"S": f"G{i % 2}"},
                    "gsk": {"S": f"{i % 7}"},
                },
            )
        yield client


def same_everywhere(client) -> None:
    """Every list of the moving table, paged, is the same from stock moto and from the patch."""
    requests = []
    for forward in (True, False):
        requests.append(
            {"KeyConditionExpression": "pk = :h", "ExpressionAttributeValues": {":h": {"S": "P"}}}
        )
        for group in ("G0", "G1", "G2"):
            requests.append(
                {
                    "IndexName": "gsi",
                    "KeyConditionExpression": "gpk = :h AND gsk >= :a",
                    "ExpressionAttributeValues": {":h": {"S": group}, ":a": {"S": "2"}},
                }
            )
        for request in requests:
            request.update(TableName="moving", Limit=4, ScanIndexForward=forward)
            assert every_page(client, "patched", request) == every_page(client, "stock", request), request


def key(sk: str) -> dict:
    return {"pk": {"S": "P"}, "sk": {"S": sk}}


def test_given_writes_of_every_kind_between_queries_then_both_keep_answering_the_same(moving):
    same_everywhere(moving)  # the patch's sorted lists are built here
    steps = [
        # a new item; an item moved to another index partition; an item leaving the index
        lambda: moving.put_item(TableName="moving", Item={**key("100"), "gpk": {"S": "G2"}, "gsk": {"S": "5"}}),
        lambda: moving.put_item(TableName="moving", Item={**key("004"), "gpk": {"S": "G1"}, "gsk": {"S": "9"}}),
        lambda: moving.put_item(TableName="moving", Item={**key("006"), "gpk": {"S": "G0"}}),
        lambda: moving.delete_item(TableName="moving", Key=key("008")),
        lambda: moving.delete_item(TableName="moving", Key=key("nothing")),
        # updates change the item in place
        lambda: moving.update_item(
            TableName="moving", Key=key("010"), UpdateExpression="SET gsk = :v",
            ExpressionAttributeValues={":v": {"S": "3"}},
        ),
        lambda: moving.update_item(TableName="moving", Key=key("012"), UpdateExpression="REMOVE gsk"),
        lambda: moving.update_item(
            TableName="moving", Key=key("006"), UpdateExpression="SET gsk = :v",
            ExpressionAttributeValues={":v": {"S": "4"}},
        ),
        lambda: moving.update_item(
            TableName="moving", Key=key("200"), UpdateExpression="SET gpk = :g, gsk = :v",
            ExpressionAttributeValues={":g": {"S": "G2"}, ":v": {"S": "6"}},
        ),
        # a transaction that commits, one that fails and is rolled back, batch writes, PartiQL
        lambda: moving.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "moving", "Item": {**key("300"), "gpk": {"S": "G0"}, "gsk": {"S": "2"}}}},
                {"Update": {"TableName": "moving", "Key": key("014"), "UpdateExpression": "SET gpk = :g",
                            "ExpressionAttributeValues": {":g": {"S": "G2"}}}},
                {"Delete": {"TableName": "moving", "Key": key("016")}},
            ]
        ),
        lambda: moving.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": "moving", "Key": key("018"), "UpdateExpression": "SET gsk = :v",
                            "ExpressionAttributeValues": {":v": {"S": "6"}}}},
                {"Put": {"TableName": "moving", "Item": {**key("020"), "gpk": {"S": "G2"}, "gsk": {"S": "2"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        ),
        lambda: moving.batch_write_item(
            RequestItems={
                "moving": [
                    {"PutRequest": {"Item": {**key("400"), "gpk": {"S": "G1"}, "gsk": {"S": "8"}}}},
                    {"DeleteRequest": {"Key": key("022")}},
                ]
            }
        ),
        lambda: moving.execute_statement(Statement="UPDATE moving SET gsk='7' WHERE pk='P' AND sk='024'"),
    ]  # fmt: skip
    for step in steps:
        # The failed transaction is refused: nothing of it may remain.
        with suppress(moving.exceptions.TransactionCanceledException):
            step()

        same_everywhere(moving)
