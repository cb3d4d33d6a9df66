"""Powertools idempotency for event handlers, with its records in the one table.

Records live under their own partition (`IDEMPOTENCY#<handler>`) and expire through the table's TTL
attribute. Built on first use, so the DynamoDB client is made after moto or the settings are ready.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from comptoir_core import aws, keys
from comptoir_core.settings import get_settings

# An event redelivered within a day is recognised; after that the domain's own conditional writes hold.
RECORD_TTL_S = 24 * 3600


@cache
def _persistence(handler_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"{keys.IDEMPOTENCY_PREFIX}{handler_name}",
        expiry_attr="expiration",
        boto3_client=aws.client("dynamodb"),
    )


def once_per(handler_name: str, function: Callable[..., Any], lambda_context=None) -> Callable[..., Any]:
    """`function(item=…)` made idempotent on the value of `item` (a dict or pydantic model)."""
    config = IdempotencyConfig(expires_after_seconds=RECORD_TTL_S)
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    return idempotent_function(
        function, data_keyword_argument="item", persistence_store=_persistence(handler_name), config=config
    )


def reset() -> None:
    _persistence.cache_clear()
