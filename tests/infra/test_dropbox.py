"""The Dropbox intake's resources: the tokens' KMS key, the accounts queue, the app's settings."""

import pytest

from comptoir_infra.names import construct_name
from comptoir_infra.spec import DROPBOX_QUEUE, SPEC, TOKENS_KEY

from .lookup import as_list, functions, one, policies_of, queue_id, resources, role_of, statements

APPS = {app.name: app for app in SPEC.apps}
DROPBOX = SPEC.app("dropbox_webhook")


def key_id(template_json, key: str) -> str:
    return one(resources(template_json, "AWS::KMS::Key", f"{construct_name(key)}Key"))[0]


def allowed_actions_on(template_json, app_name: str, logical_id: str) -> set[str]:
    role_id = role_of(template_json, APPS[app_name])
    return {
        action
        for policy in policies_of(template_json, role_id)
        for statement in statements(policy)
        if statement["Effect"] == "Allow" and logical_id in repr(statement["Resource"])
        for action in as_list(statement["Action"])
    }


def test_the_tokens_key_rotates_and_outlives_the_stack(template_json):
    key = template_json["Resources"][key_id(template_json, TOKENS_KEY)]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_encrypts_and_decrypts_with_the_tokens_key_exactly_when_the_spec_says_so(
    template_json, app_name
):
    granted = allowed_actions_on(template_json, app_name, key_id(template_json, TOKENS_KEY))
    if TOKENS_KEY in APPS[app_name].uses_keys:
        assert {"kms:Encrypt", "kms:Decrypt"} <= granted
    else:
        assert not granted


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_sends_to_the_queues_the_spec_names_and_no_other(template_json, app_name):
    for queue in SPEC.queues:
        granted = allowed_actions_on(template_json, app_name, queue_id(template_json, queue))
        assert ("sqs:SendMessage" in granted) == (queue.id in APPS[app_name].sends_to)


def test_the_dropbox_app_knows_its_queue_key_and_redirect_url(template_json):
    queue = next(q for q in SPEC.queues if q.id == DROPBOX_QUEUE)
    for function in functions(template_json, DROPBOX).values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[SPEC.env["dropbox_queue_url"]] == {"Ref": queue_id(template_json, queue)}
        assert variables[SPEC.env["tokens_key_id"]] == {
            "Fn::GetAtt": [key_id(template_json, TOKENS_KEY), "Arn"]
        }
        assert variables[SPEC.env["dropbox_app_key"]] == {"Ref": "DropboxAppKey"}
        redirect = variables[SPEC.env["dropbox_redirect_url"]]
        assert redirect == {
            "Fn::Join": ["", ["https://", {"Ref": "DomainName"}, "/dropbox-webhook/oauth/callback"]]
        }


def test_the_dropbox_app_secret_is_no_parameter_but_a_secret_the_stack_keeps(template_json):
    secret_id, secret = one(resources(template_json, "AWS::SecretsManager::Secret"))
    assert "DropboxAppSecret" not in template_json["Parameters"]
    assert secret["DeletionPolicy"] == "Retain"
    assert "SecretString" not in secret["Properties"]  # the operator puts the value, never the template


def test_the_accounts_queue_feeds_the_dropbox_worker(template_json):
    function = next(
        f
        for f in functions(template_json, DROPBOX).values()
        if f["Properties"]["Handler"] == "app.on_dropbox_account"
    )
    (event,) = [e["Properties"] for e in function["Properties"]["Events"].values() if e["Type"] == "SQS"]
    queue = next(q for q in SPEC.queues if q.id == DROPBOX_QUEUE)
    assert event["Queue"] == {"Fn::GetAtt": [queue_id(template_json, queue), "Arn"]}
    # The worker may take up to its timeout; a message stays hidden six times as long (AWS's advice).
    assert queue.visibility_timeout_s >= 6 * DROPBOX.timeout_s


def test_the_public_webhook_function_reaches_nothing_but_the_dropbox_queue(template_json):
    """Dropbox's webhook is public: its role holds no table, no bucket, no key, no other queue; only the
    app secret that checks the signatures, read from Secrets Manager."""
    app = APPS["dropbox_notifications"]
    role_id = role_of(template_json, app)
    granted = [
        (action, repr(statement["Resource"]))
        for policy in policies_of(template_json, role_id)
        for statement in statements(policy)
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    ]
    dropbox_queue = queue_id(template_json, next(q for q in SPEC.queues if q.id == DROPBOX_QUEUE))
    table_id, _ = one(resources(template_json, "AWS::DynamoDB::Table"))
    bucket_id, _ = one(resources(template_json, "AWS::S3::Bucket", "DocumentsBucket"))

    secret_id, _ = one(resources(template_json, "AWS::SecretsManager::Secret"))
    assert granted, "the role sends to its queue"
    assert {action for action, where in granted if secret_id in where} == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    granted = [(action, where) for action, where in granted if secret_id not in where]
    assert all(action.startswith("sqs:") and dropbox_queue in where for action, where in granted)
    assert "sqs:SendMessage" in {action for action, _ in granted}
    assert not [a for a, where in granted if table_id in where or bucket_id in where]
    assert not [a for a, _ in granted if a.startswith(("dynamodb:", "s3:", "kms:"))]


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_reads_the_dropbox_app_secret_exactly_when_the_spec_says_so(template_json, app_name):
    secret_id, _ = one(resources(template_json, "AWS::SecretsManager::Secret"))
    granted = allowed_actions_on(template_json, app_name, secret_id)
    assert ("secretsmanager:GetSecretValue" in granted) == bool(APPS[app_name].reads_secrets)
