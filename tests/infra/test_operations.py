"""Operations in the template: alarms on every queue, API throttling, the sign-in firewall, worker sizes."""

import pytest

from comptoir_infra.spec import SPEC
from comptoir_infra.web_hosting import VIEWER_IP_HEADER

from .lookup import dlq_id, handler_function, queue_id, resources, rest_api

QUEUES = {queue.id: queue for queue in SPEC.queues}


def _alarms_on(template_json, queue_logical_id: str, metric: str) -> list[dict]:
    return [
        alarm["Properties"]
        for alarm in resources(template_json, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["MetricName"] == metric
        and {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_logical_id, "QueueName"]}}
        in alarm["Properties"]["Dimensions"]
    ]


@pytest.mark.parametrize("queue", QUEUES)
def test_a_message_in_any_dead_letter_queue_raises_an_alarm_on_the_alarms_topic(template_json, queue):
    (alarm,) = _alarms_on(
        template_json, dlq_id(template_json, QUEUES[queue]), "ApproximateNumberOfMessagesVisible"
    )
    (topic,) = resources(template_json, "AWS::SNS::Topic", "AlarmsTopic")

    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["AlarmActions"] == [{"Ref": topic}]


@pytest.mark.parametrize("queue", QUEUES)
def test_a_message_waiting_longer_than_a_visibility_timeout_raises_an_alarm(template_json, queue):
    spec = QUEUES[queue]
    (alarm,) = _alarms_on(template_json, queue_id(template_json, spec), "ApproximateAgeOfOldestMessage")

    assert alarm["Threshold"] == spec.visibility_timeout_s
    assert alarm["AlarmActions"]


@pytest.mark.parametrize("app", [a.name for a in SPEC.apps])
def test_every_api_stage_is_throttled(template_json, app):
    _, api = rest_api(template_json, SPEC.app(app))

    (settings,) = api["Properties"]["MethodSettings"]

    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0


def test_a_waf_rate_rule_blocks_an_address_that_signs_in_too_often_on_the_accounts_api(template_json):
    (acl_id, acl), *others = resources(template_json, "AWS::WAFv2::WebACL").items()
    (association,) = resources(template_json, "AWS::WAFv2::WebACLAssociation").values()
    accounts_api, _ = rest_api(template_json, SPEC.app("accounts"))

    through_cloudfront, direct = acl["Properties"]["Rules"]
    assert not others
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert through_cloudfront["Action"] == direct["Action"] == {"Block": {}}
    # Through CloudFront: counted by the viewer's address CloudFront's function writes, never the edge's.
    rate = through_cloudfront["Statement"]["RateBasedStatement"]
    assert (rate["AggregateKeyType"], rate["Limit"]) == ("FORWARDED_IP", 100)
    assert rate["ForwardedIPConfig"] == {"HeaderName": VIEWER_IP_HEADER, "FallbackBehavior": "NO_MATCH"}
    login = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (login["SearchString"], login["PositionalConstraint"], login["FieldToMatch"]) == (
        "/login",
        "ENDS_WITH",
        {"UriPath": {}},
    )
    # A caller without that header (the regional endpoint called directly): counted by its own address.
    rate = direct["Statement"]["RateBasedStatement"]
    assert (rate["AggregateKeyType"], rate["Limit"]) == ("IP", 100)
    login_statement, without_header = rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert login_statement["ByteMatchStatement"] == login
    size = without_header["NotStatement"]["Statement"]["SizeConstraintStatement"]
    assert (size["FieldToMatch"], size["ComparisonOperator"], size["Size"]) == (
        {"SingleHeader": {"Name": VIEWER_IP_HEADER}},
        "GT",
        0,
    )
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert {"Ref": accounts_api} in association["Properties"]["ResourceArn"]["Fn::Join"][1]


def test_the_documents_worker_has_its_own_memory_timeout_and_batch_size(template_json):
    queue = QUEUES["documents-incoming"]
    worker = handler_function(template_json, SPEC.app("documents"), "on_incoming_object")["Properties"]
    api_handler = handler_function(template_json, SPEC.app("documents"), "app")["Properties"]
    event = next(iter(worker["Events"].values()))["Properties"]

    assert (worker["MemorySize"], worker["Timeout"]) == (queue.consumer_memory_mb, queue.consumer_timeout_s)
    assert (api_handler["MemorySize"], api_handler["Timeout"]) == (1536, 60)
    assert event["BatchSize"] == 1
    assert queue.visibility_timeout_s >= 6 * queue.consumer_timeout_s


def test_the_dead_letter_queue_of_the_documents_worker_has_its_consumer(template_json):
    queue = QUEUES["documents-incoming"]
    handler = handler_function(template_json, SPEC.app("documents"), queue.dead_letter_handler)["Properties"]
    event = next(iter(handler["Events"].values()))["Properties"]

    assert event["Queue"] == {"Fn::GetAtt": [dlq_id(template_json, queue), "Arn"]}
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
