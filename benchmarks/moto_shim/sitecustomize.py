"""A benchmark-only shim for the local stack's embedded moto (on PYTHONPATH of `comptoir up` when
benchmarks/lists.py runs with --moto-shim). Stock moto sorts the whole table on every Query (its
`Table.all_items`) and compares string keys through a slow generic path, so one Query costs
O(table log table) whatever it reads: 5 s at 20,000 documents. The shim removes that sort (Query sorts
its own matches anyway) and compares two strings as strings. What a request reads does not change.
"""

from moto.dynamodb.models import dynamo_type, table

_DynamoType = dynamo_type.DynamoType
_eq, _lt, _gt = _DynamoType.__eq__, _DynamoType.__lt__, _DynamoType.__gt__


def _all_items(self):
    items = []
    for hash_set in self.items.values():
        if self.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)
    return items


def _fast_eq(self, other):
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value == other.value
    return _eq(self, other)


def _fast_lt(self, other):
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value < other.value
    return _lt(self, other)


def _fast_gt(self, other):
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value > other.value
    return _gt(self, other)


table.Table.all_items = _all_items
_DynamoType.__eq__ = _fast_eq
_DynamoType.__lt__ = _fast_lt
_DynamoType.__gt__ = _fast_gt
_DynamoType.__hash__ = lambda self: hash((self.type, self.cast_value))
