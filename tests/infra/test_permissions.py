"""Each app's role reaches only what the spec says the app uses."""

import pytest

from comptoir_infra.spec import SPEC

from .lookup import as_list, dlq_id, one, policies_of, queue_id, resources, role_of, statements

APPS = {app.name: app for app in SPEC.apps}


def allowed(template_json, app_name: str) -> list[dict]:
    """The Allow statements of every inline policy of the app's role."""
    role_id = role_of(template_json, APPS[app_name])
    return [s for p in policies_of(template_json, role_id) for s in statements(p) if s["Effect"] == "Allow"]


def actions(statement: dict) -> list[str]:
    return as_list(statement["Action"])


def reaches(statement: dict, logical_id: str) -> bool:
    return logical_id in repr(statement["Resource"])


def test_each_app_runs_under_a_role_of_its_own(template_json):
    roles = [role_of(template_json, app) for app in SPEC.apps]
    assert len(set(roles)) == len(roles)


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_role_grants_no_wildcard_dynamodb_or_s3_action(template_json, app_name):
    granted = {action for statement in allowed(template_json, app_name) for action in actions(statement)}
    assert not granted & {"*", "dynamodb:*", "s3:*"}


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_role_grants_nothing_on_every_dynamodb_or_s3_resource(template_json, app_name):
    for statement in allowed(template_json, app_name):
        if "*" in as_list(statement["Resource"]):
            assert not [a for a in actions(statement) if a.startswith(("dynamodb:", "s3:", "cognito-idp:"))]


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_role_only_grants_textract_on_every_resource_and_only_when_enabled(template_json, app_name):
    role_id = role_of(template_json, APPS[app_name])
    for policy in policies_of(template_json, role_id):
        for statement in statements(policy):
            if "*" in as_list(statement["Resource"]):
                assert all(action.startswith("textract:") for action in actions(statement))
                assert policy.get("Condition") == "TextractIsEnabled"


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_reaches_the_table_and_its_indexes_exactly_when_the_spec_says_so(template_json, app_name):
    table_id, _ = one(resources(template_json, "AWS::DynamoDB::Table"))
    writes = [s for s in allowed(template_json, app_name) if "dynamodb:PutItem" in actions(s)]
    if not APPS[app_name].uses_table:
        assert not writes
        return
    (statement,) = writes
    assert {"Fn::GetAtt": [table_id, "Arn"]} in statement["Resource"]
    assert {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/*"]]} in statement["Resource"]


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_reaches_the_documents_bucket_exactly_when_the_spec_says_so(template_json, app_name):
    bucket_id, _ = one(resources(template_json, "AWS::S3::Bucket", "DocumentsBucket"))
    reaching = [s for s in allowed(template_json, app_name) if reaches(s, bucket_id)]
    assert bool(reaching) is APPS[app_name].uses_documents_bucket


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_cannot_delete_a_stored_document(template_json, app_name):
    granted = {action for statement in allowed(template_json, app_name) for action in actions(statement)}
    assert not [action for action in granted if action.startswith("s3:Delete")]


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_calls_the_user_pool_exactly_when_the_spec_says_so_and_never_as_a_wildcard_admin(
    template_json, app_name
):
    pool_id, _ = one(resources(template_json, "AWS::Cognito::UserPool"))
    cognito = [
        s for s in allowed(template_json, app_name) if any(a.startswith("cognito-idp:") for a in actions(s))
    ]
    if not APPS[app_name].uses_user_pool:
        assert not cognito
        return
    granted = {action for statement in cognito for action in actions(statement)}
    assert "cognito-idp:Admin*" not in granted
    assert bool({a for a in granted if a.startswith("cognito-idp:Admin")}) is APPS[app_name].creates_users
    assert all(s["Resource"] == {"Fn::GetAtt": [pool_id, "Arn"]} for s in cognito)


def _object_arns(template_json, app_name: str, action: str) -> set[str]:
    """The object ARNs of the documents bucket an app may `action`, as `<prefix>*` strings."""
    bucket_id, _ = one(resources(template_json, "AWS::S3::Bucket", "DocumentsBucket"))
    arns = set()
    for statement in allowed(template_json, app_name):
        if action not in actions(statement):
            continue
        for resource in as_list(statement["Resource"]):
            joined = resource.get("Fn::Join", [None, []])[1] if isinstance(resource, dict) else []
            if joined and joined[0] == {"Fn::GetAtt": [bucket_id, "Arn"]}:
                arns.add("".join(joined[1:]).removeprefix("/"))
    return arns


@pytest.mark.parametrize("app_name", [a.name for a in SPEC.apps if a.bucket_reads or a.bucket_writes])
def test_an_app_reads_and_writes_only_the_bucket_prefixes_it_names(template_json, app_name):
    app = APPS[app_name]
    assert _object_arns(template_json, app_name, "s3:GetObject*") == {f"{p}*" for p in app.bucket_reads}
    assert _object_arns(template_json, app_name, "s3:PutObject") == {f"{p}*" for p in app.bucket_writes}


def test_the_mail_function_cannot_read_documents_and_the_documents_function_cannot_read_raw_mail(
    template_json,
):
    assert "documents/*" not in _object_arns(template_json, "ingest_email", "s3:GetObject*")
    assert "inbound/*" not in _object_arns(template_json, "documents", "s3:GetObject*")
    assert _object_arns(template_json, "dropbox_webhook", "s3:GetObject*") == set()


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_receives_from_the_queues_it_consumes_and_no_other(template_json, app_name):
    queues = {
        logical_id
        for logical_id in resources(template_json, "AWS::SQS::Queue")
        for s in allowed(template_json, app_name)
        if "sqs:ReceiveMessage" in actions(s) and reaches(s, logical_id)
    }
    consumed = {q for q in SPEC.queues if q.consumer_app == app_name}
    dead_letters = {dlq_id(template_json, q) for q in consumed if q.dead_letter_handler}
    assert queues == {queue_id(template_json, q) for q in consumed} | dead_letters


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_sends_email_exactly_when_the_spec_says_so_and_from_identities_only(template_json, app_name):
    sending = [s for s in allowed(template_json, app_name) if "ses:SendEmail" in actions(s)]
    if not APPS[app_name].sends_email:
        assert not sending
        return
    (statement,) = sending
    assert "*" not in as_list(statement["Resource"])
    assert ":identity/*" in str(statement["Resource"])
