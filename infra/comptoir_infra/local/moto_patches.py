"""Faster DynamoDB reads for the local stack's embedded moto, written against moto 5.2.5.

Why: stock moto answers every Query by walking `Table.all_items()`, which sorts the WHOLE table on each
call, then sorts every item of the partition it matched with Python-level `DynamoType` comparisons, and
only then skips to `ExclusiveStartKey` and stops at `Limit`; its generic answer serializer then walks
each attribute of each item against the API's shapes. One Query of 51 items cost 5.4 s with 20,000
documents in the table, and the lists of a company with 100,000 documents took seconds, where DynamoDB
reads just the page. `comptoir up` installs these patches before its embedded moto serves (`apply()`);
the function tests' in-process moto stays stock.

What changes is the work, never the answer:

- Query keeps each partition (of the table, and of each index) as a sorted list of its items' sort
  keys, built on the partition's first Query and kept current by every write (`put_item`,
  `delete_item` and the backend's in-place `update_item`, which batch writes, transactions and PartiQL
  go through; anything unexpected drops the table's lists, rebuilt on the next Query). A Query then
  bisects to its key range and `ExclusiveStartKey` and reads `Limit + 1` items. Items, order,
  `ScannedCount` and `LastEvaluatedKey` are stock moto's, its quirks included (a `LastEvaluatedKey`
  whenever the partition holds one more item after a full page, even one the key condition rejects;
  the 1 MB answer cap). A projection of plain string attributes copies them instead of round-tripping
  the whole item through Python values.
- Query, Scan and GetItem answers write their items as the DynamoDB JSON they already are.

Anything else (legacy `QueryFilter`, multi-attribute keys, a missing index, `Limit` 0, a key condition
on another attribute) goes to stock moto unchanged, so its own errors stay its own.
`tests/unit/test_moto_patches.py` asks stock and patched moto the same queries, before and after writes
of every kind, and fails if a moto upgrade makes them differ.
"""

from __future__ import annotations

import base64
import bisect
import json
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

import moto
from moto import settings
from moto.core.responses import ActionResult
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, Table
from moto.dynamodb.models.utilities import dynamo_to_dict
from moto.dynamodb.responses import DynamoResult

log = logging.getLogger("comptoir.local")

WRITTEN_FOR = "5.2.5"
# DynamoDB's (and moto's `LimitedSizeDict`'s) item size limit: below this much of the 1 MB answer cap
# left, no single item can reach the cap, so the sizes of the items a page skips need not be looked at.
MAX_ITEM_SIZE = 400 * 1024
# The key conditions whose matches form one run of the sort order.
RANGE_OPERATORS = {"=", "EQ", "<", "LT", "<=", "LE", ">", "GT", ">=", "GE", "BETWEEN", "BEGINS_WITH"}
# The answer members that hold items, by operation.
ITEM_MEMBERS = {
    "Query": ("Items", "LastEvaluatedKey"),
    "Scan": ("Items", "LastEvaluatedKey"),
    "GetItem": ("Item",),
}

stock_query = Table.query
stock_put_item = Table.put_item
stock_delete_item = Table.delete_item
stock_update_item = DynamoDBBackend.update_item
# DynamoResult does not define its own: this is ActionResult's, which every other service keeps.
stock_execute_result = DynamoResult.execute_result
stock_dynamo_result_init = DynamoResult.__init__

# One lock for the sorted lists and the writes that change them (the embedded server is threaded).
_lock = threading.RLock()
# Per table: its sorted lists, by (index name or None, hash attribute, range attribute). Not an attribute
# of the table, so a transaction's deep copy of the table does not copy them.
_sorted: weakref.WeakKeyDictionary[Table, dict[tuple, _SortedIndex]] = weakref.WeakKeyDictionary()


def apply() -> None:
    """Install the patches on moto's DynamoDB (idempotent)."""
    if moto.__version__ != WRITTEN_FOR and Table.query is not query:
        log.info("moto %s: the DynamoDB patches were written for %s", moto.__version__, WRITTEN_FOR)
    Table.query = query
    Table.put_item = put_item
    Table.delete_item = delete_item
    DynamoDBBackend.update_item = update_item
    DynamoResult.__init__ = dynamo_result_init
    DynamoResult.execute_result = execute_result
    Item.__new__ = _untracked  # type: ignore[method-assign]


def remove() -> None:
    """Stock moto again (for tests)."""
    Table.query = stock_query
    Table.put_item = stock_put_item
    Table.delete_item = stock_delete_item
    DynamoDBBackend.update_item = stock_update_item
    DynamoResult.__init__ = stock_dynamo_result_init
    DynamoResult.execute_result = stock_execute_result
    if "__new__" in Item.__dict__:
        del Item.__new__
    with _lock:
        _sorted.clear()


def _untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    """moto's BaseModel.__new__ appends every instance to `instances_tracked`, for its dashboard, and
    never lets go: each item ever written, projected or deep-copied (a transaction copies the whole
    table) stayed in memory for the life of the local stack. DynamoDB items are not tracked."""
    return object.__new__(cls)


def _plain(value: DynamoType) -> Any:
    """The value DynamoType compares by (its `cast_value`), without the property's checks for strings."""
    return value.value if value.type == "S" else value.cast_value


# ---- the sorted partitions ---------------------------------------------------------------------------


class _SortedIndex:
    """A table's (or one of its indexes') partitions, each its items' sort keys in stock moto's order:
    the attributes `Table._generate_attr_to_sort_by` names, compared as plain values."""

    def __init__(self, table: Table, hash_attr: str, range_attr: str | None, sort_attrs: list[str]):
        self.hash_attr = hash_attr
        self.range_attr = range_attr
        self.sort_attrs = sort_attrs
        self.partitions: dict[tuple[str, Any], tuple[list[tuple], dict[tuple, Item]]] = {}
        for item in _items(table):
            self.add(item)

    def _place(self, item: Item) -> tuple[tuple[str, Any], tuple] | None:
        attrs = item.attrs
        hash_value = attrs.get(self.hash_attr)
        if hash_value is None or (self.range_attr is not None and self.range_attr not in attrs):
            return None  # an index holds only the items that have all its key attributes
        return (hash_value.type, _plain(hash_value)), tuple(_plain(attrs[name]) for name in self.sort_attrs)

    def add(self, item: Item) -> None:
        place = self._place(item)
        if place is None:
            return
        partition, key = place
        keys, items = self.partitions.setdefault(partition, ([], {}))
        if key not in items:
            bisect.insort(keys, key)
        items[key] = item

    def remove(self, item: Item) -> None:
        place = self._place(item)
        if place is None:
            return
        partition, key = place
        keys, items = self.partitions.get(partition, ([], {}))
        if items.get(key) is item:
            del items[key]
            del keys[bisect.bisect_left(keys, key)]


def _items(table: Table):
    for hash_set in list(table.items.values()):
        if table.range_key_attr:
            yield from list(hash_set.values())
        else:
            yield hash_set


def _sorted_index(
    table: Table, name: str | None, hash_attr: str, range_attr: str | None, sort_attrs: list[str]
):
    lists = _sorted.setdefault(table, {})
    found = lists.get((name, hash_attr, range_attr))
    if found is None:
        found = lists[(name, hash_attr, range_attr)] = _SortedIndex(table, hash_attr, range_attr, sort_attrs)
    return found


def _write(table: Table, old: Item | None, new: Item | None) -> None:
    for index in _sorted.get(table, {}).values():
        if old is not None:
            index.remove(old)
        if new is not None:
            index.add(new)


def put_item(self: Table, *args: Any, **kwargs: Any) -> Item:
    with _lock:
        if self not in _sorted:
            return stock_put_item(self, *args, **kwargs)
        attrs = args[0] if args else kwargs.get("item_attrs", {})
        try:
            old = self.get_item(*_key_of(self, attrs))
        except Exception:  # stock moto refuses this put itself, or something unforeseen: start again
            _sorted.pop(self, None)
            return stock_put_item(self, *args, **kwargs)
        new = stock_put_item(self, *args, **kwargs)
        _write(self, old, new)
        return new


def delete_item(self: Table, *args: Any, **kwargs: Any) -> Item | None:
    with _lock:
        gone = stock_delete_item(self, *args, **kwargs)
        if gone is not None:
            _write(self, gone, None)
        return gone


def update_item(
    self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
) -> Item:
    """moto changes the item's attributes in place: its keys in the lists are taken out before, put
    back after, whatever happened."""
    with _lock:
        table = self.tables.get(table_name)
        if table is None or table not in _sorted:
            return stock_update_item(self, table_name, key, *args, **kwargs)
        try:
            where = _key_of(table, key)
            old = table.get_item(*where)
        except Exception:
            _sorted.pop(table, None)
            return stock_update_item(self, table_name, key, *args, **kwargs)
        _write(table, old, None)
        if old is not None:
            old.__dict__.pop("_comptoir_size", None)
        try:
            return stock_update_item(self, table_name, key, *args, **kwargs)
        finally:
            _write(table, None, table.get_item(*where))


def _key_of(table: Table, attrs: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


# ---- Query -------------------------------------------------------------------------------------------


def query(
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int | None,
    exclusive_start_key: dict[str, Any] | None,
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Any], int, dict[str, Any] | None]:
    def stock():
        return stock_query(
            self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
            projection_expressions, index_name, consistent_read, filter_expression,
            hash_key_conditions=hash_key_conditions, range_key_conditions=range_key_conditions,
            **filter_kwargs,
        )  # fmt: skip

    plan = _plan(
        self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, index_name,
        consistent_read, hash_key_conditions, range_key_conditions, filter_kwargs,
    )  # fmt: skip
    if plan is None:
        return stock()
    hash_attr, wanted, range_attr, sort_attrs = plan
    forward = scan_index_forward is not False  # stock reverses only on an explicit False

    with _lock:
        index = _sorted_index(self, index_name, hash_attr, range_attr, sort_attrs)
        keys, by_key = index.partitions.get((wanted.type, _plain(wanted)), ([], {}))
        count = len(keys)
        try:
            low, high = _run(keys, range_comparison, range_objs) if range_comparison else (0, count)
        except TypeError:  # values of another type than the key's: stock moto's own answer
            return stock()
        if exclusive_start_key is not None:
            start = tuple(_plain(DynamoType(exclusive_start_key[name])) for name in sort_attrs)
            if forward:
                low = max(low, bisect.bisect_right(keys, start))
            else:
                high = min(high, bisect.bisect_left(keys, start))
        # Stock moto's loop over the partition from the start key, on the run of matches only.
        results: list[Item] = []
        size = 0
        last_evaluated_key = None
        for position in range(low, high) if forward else range(high - 1, low - 1, -1):
            item = by_key[keys[position]]
            item_size = _size(item)
            if len(results) == limit or size + item_size > RESULT_SIZE_LIMIT:
                last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)
                break
            results.append(item)
            size += item_size
        else:
            # Past the run, stock moto still walks the items the key condition rejects, and stops with
            # a LastEvaluatedKey at the first if the page is full or that item would overflow it.
            rest = range(high, count) if forward else range(0, low)
            if (
                results
                and rest
                and (
                    len(results) == limit
                    or (
                        size + MAX_ITEM_SIZE > RESULT_SIZE_LIMIT
                        and any(size + _size(by_key[keys[p]]) > RESULT_SIZE_LIMIT for p in rest)
                    )
                )
            ):
                last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)

    scanned_count = len(results)
    # Stock moto deep-copies the items first. Not needed: the answer is made of new dicts at once
    # (`DynamoResult` turns the items into DynamoDB JSON), and a projection makes new items anyway.
    answer = results
    if index_name is not None:
        secondary = self.get_index(index_name)
        answer = [secondary.project(item) for item in answer]
    if filter_expression is not None:
        answer = [item for item in answer if filter_expression.expr(item)]
    if projection_expressions:
        answer = [_project(item, projection_expressions) for item in answer]
    return answer, scanned_count, last_evaluated_key


def _size(item: Item) -> int:
    """Item.size(), kept on the item: an item's attributes change in place only through update_item,
    which forgets it."""
    size = item.__dict__.get("_comptoir_size")
    if size is None:
        size = item.__dict__["_comptoir_size"] = item.size()
    return size


def _run(keys: list[tuple], comparison: str, bounds_of: list[DynamoType]) -> tuple[int, int]:
    """The positions [low, high) of the keys whose range value (second in the key) meets the condition."""
    bounds = [value.cast_value for value in bounds_of]
    left = lambda value, key=_second: bisect.bisect_left(keys, value, key=key)  # noqa: E731
    right = lambda value, key=_second: bisect.bisect_right(keys, value, key=key)  # noqa: E731
    if comparison in ("=", "EQ"):
        return left(bounds[0]), right(bounds[0])
    if comparison in ("<", "LT"):
        return 0, left(bounds[0])
    if comparison in ("<=", "LE"):
        return 0, right(bounds[0])
    if comparison in (">", "GT"):
        return right(bounds[0]), len(keys)
    if comparison in (">=", "GE"):
        return left(bounds[0]), len(keys)
    if comparison == "BETWEEN":
        low = left(bounds[0])
        return low, max(low, right(bounds[1]))
    prefix = bounds[0]  # BEGINS_WITH: a prefix cut from each key keeps their order
    if not isinstance(prefix, str | bytes):
        raise TypeError("begins_with on a number")
    cut: Callable[[tuple], Any] = lambda key: key[1][: len(prefix)]  # noqa: E731
    return left(prefix, cut), right(prefix, cut)


def _second(key: tuple) -> Any:
    return key[1]


def _project(item: Item, expressions: list[list[str]]) -> Item:
    """Item.project, without turning the whole item into Python values and back for plain strings."""
    names = []
    for expression in expressions:
        if len(expression) != 1 or "[" in expression[0]:
            return item.project(expressions)
        value = item.attrs.get(expression[0])
        if value is not None:
            if value.type != "S":
                return item.project(expressions)
            if expression[0] not in names:
                names.append(expression[0])
    # As Item(...) would make it, without LimitedSizeDict's size check on every attribute (the item
    # it is cut from passed it), as moto's own Item.__deepcopy__ does.
    projected = Item.__new__(Item)
    projected.hash_key, projected.range_key = item.hash_key, item.range_key
    projected.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(projected.attrs)
    for name in names:
        value = DynamoType.__new__(DynamoType)
        value.type, value.value = "S", item.attrs[name].value
        dict.__setitem__(projected.attrs, name, value)
    return projected


def _plan(
    table: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int | None,
    exclusive_start_key: dict[str, Any] | None,
    index_name: str | None,
    consistent_read: bool,
    hash_key_conditions: list[tuple[str, DynamoType]] | None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None,
    filter_kwargs: dict[str, Any],
) -> tuple[str, DynamoType, str | None, list[str]] | None:
    """The hash attribute and value, the range attribute and the attributes stock moto sorts by, or
    None when this query is not one the patch answers (stock moto does, as it would have)."""
    if filter_kwargs or (limit is not None and limit < 1):
        return None
    if range_key_conditions and len(range_key_conditions) > 1:
        return None
    if range_comparison and (range_comparison not in RANGE_OPERATORS or not range_objs):
        return None
    if index_name is None:
        if hash_key is None:
            return None
        hash_attr, wanted = table.hash_key_attr, hash_key
        range_attr = table.range_key_attr
        hash_attrs: list[str] = [hash_attr]
        range_attrs: list[str | None] = [range_attr]
    else:
        index = {index.name: index for index in table.all_indexes()}.get(index_name)
        if index is None or (consistent_read and index in (table.global_indexes or [])):
            return None
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        if len(hashes) != 1 or len(ranges) != 1:  # stock moto's own rules for the other shapes
            return None
        if not hash_key_conditions or len(hash_key_conditions) != 1 or hash_key_conditions[0][0] != hashes[0]:
            return None
        hash_attr, wanted = hashes[0], hash_key_conditions[0][1]
        range_attr = ranges[0]
        hash_attrs = [hash_attr, table.hash_key_attr]
        range_attrs = [range_attr, table.range_key_attr]
    sort_attrs = table._generate_attr_to_sort_by(hash_attrs, range_attrs)
    if range_comparison:
        named = range_key_conditions[-1][0] if range_key_conditions else range_attr
        if range_attr is None or named != range_attr or len(sort_attrs) < 2 or sort_attrs[1] != range_attr:
            return None
    if exclusive_start_key is not None and any(name not in exclusive_start_key for name in sort_attrs):
        return None
    return hash_attr, wanted, range_attr, sort_attrs


# ---- answers that carry items ---------------------------------------------------------------------
# moto 5.2 writes every answer through a generic serializer that walks the API's shapes value by value;
# for the 300 memberships an accountant's firm view reads, that took most of a second. Items are already
# DynamoDB JSON ({type: value}), so they are written as they are (binary values base64-encoded, as the
# serializer does); the other members of the answer still go through moto's serializer.


DEFERRED = ("Items", "Item", "LastEvaluatedKey")


def dynamo_result_init(self: DynamoResult, result: object) -> None:
    """Stock DynamoResult turns the whole answer into plain dicts at once (`dynamo_to_dict`, generic
    and slow); the members that hold items are kept as they are until the answer is written."""
    if not isinstance(result, dict) or not any(name in result for name in DEFERRED):
        stock_dynamo_result_init(self, result)
        return
    self._comptoir_items = {name: result[name] for name in DEFERRED if name in result}
    ActionResult.__init__(self, dynamo_to_dict({k: v for k, v in result.items() if k not in DEFERRED}))


def execute_result(self: DynamoResult, context: Any) -> Any:
    deferred = self.__dict__.get("_comptoir_items")
    if deferred is None:
        return stock_execute_result(self, context)
    members = ITEM_MEMBERS.get(str(context.operation_model.name), ())
    if (
        set(deferred) - set(members)
        or settings.PRETTIFY_RESPONSES
        or context.operation_model.service_model.protocol != "json"
    ):
        whole = ActionResult({**self.result, **dynamo_to_dict(deferred)})  # type: ignore[dict-item]
        return stock_execute_result(whole, context)
    status, headers, body = stock_execute_result(self, context)
    answer = json.loads(body)
    for name, value in deferred.items():
        answer[name] = [_attributes(item) for item in value] if name == "Items" else _attributes(value)
    return status, headers, json.dumps(answer)


def _attributes(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if item is None else {name: _wire(value) for name, value in item.items()}


def _wire(value: Any) -> dict[str, Any]:
    """A DynamoType (or its {type: value} dict) as DynamoDB JSON, as dynamo_to_dict + moto's serializer
    write it (binary values base64-encoded)."""
    if not isinstance(value, DynamoType):
        return _value(dynamo_to_dict(value))
    kind, content = value.type, value.value
    if kind == "B":
        content = _base64(content)
    elif kind == "BS":
        content = [_base64(member) for member in content]
    elif kind == "M":
        content = {name: _wire(member) for name, member in content.items()}
    elif kind == "L":
        content = [_wire(member) for member in content]
    return {kind: content}


def _value(value: dict[str, Any]) -> dict[str, Any]:
    ((kind, content),) = value.items()
    if kind == "B":
        content = _base64(content)
    elif kind == "BS":
        content = [_base64(member) for member in content]
    elif kind == "M":
        content = {name: _value(member) for name, member in content.items()}
    elif kind == "L":
        content = [_value(member) for member in content]
    return {kind: content}


def _base64(content: bytes | str) -> str:
    return base64.b64encode(content).decode() if isinstance(content, bytes) else content
