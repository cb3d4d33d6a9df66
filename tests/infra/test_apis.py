"""Each Chalice app: mounted on the custom domain, behind the real user pool, on the right runtime."""

import json

import pytest

from comptoir_infra.names import construct_name
from comptoir_infra.spec import SPEC

from .lookup import functions, one, resources, rest_api

APPS = {app.name: app for app in SPEC.apps}
LAYERS = {layer.name: layer for layer in SPEC.layers}


def user_pool_id(template_json) -> str:
    return one(resources(template_json, "AWS::Cognito::UserPool"))[0]


def layer_id(template_json, layer_name: str) -> str:
    return one(resources(template_json, "AWS::Lambda::LayerVersion", f"{construct_name(layer_name)}Layer"))[0]


def test_there_is_one_base_path_mapping_per_app(template):
    template.resource_count_is("AWS::ApiGateway::BasePathMapping", len(SPEC.apps))


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_is_mounted_at_its_base_path_on_the_api_domain(template_json, app_name):
    api_id, _ = rest_api(template_json, APPS[app_name])
    domain_id, _ = one(resources(template_json, "AWS::ApiGateway::DomainName"))
    mappings = [
        m["Properties"] for m in resources(template_json, "AWS::ApiGateway::BasePathMapping").values()
    ]
    assert {
        "BasePath": APPS[app_name].base_path,
        "DomainName": {"Ref": domain_id},
        "RestApiId": {"Ref": api_id},
        # SAM's name for the stage it makes for the API: the mapping also waits for it.
        "Stage": {"Ref": f"{api_id}.Stage"},
    } in mappings


def test_the_api_domain_is_regional_and_speaks_tls_1_2_at_least(template):
    template.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        {
            "DomainName": {"Ref": "DomainName"},
            "RegionalCertificateArn": {"Ref": "CertificateArn"},
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
            "SecurityPolicy": "TLS_1_2",
        },
    )


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_api_is_regional_like_its_domain(template_json, app_name):
    _, api = rest_api(template_json, APPS[app_name])
    assert api["Properties"]["EndpointConfiguration"] == "REGIONAL"


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_authorizer_trusts_the_stack_user_pool(template_json, app_name):
    _, api = rest_api(template_json, APPS[app_name])
    authorizer = api["Properties"]["DefinitionBody"]["securityDefinitions"]["cognito"]
    provider_arns = authorizer["x-amazon-apigateway-authorizer"]["providerARNs"]
    assert provider_arns == [{"Fn::GetAtt": [user_pool_id(template_json), "Arn"]}]


@pytest.mark.parametrize("app_name", APPS)
def test_an_app_api_takes_every_media_type_as_binary_so_any_accept_gets_a_file(template_json, app_name):
    # API Gateway decodes a base64 answer only for a request whose first Accept type is binary; JSON
    # answers are not base64-encoded, so they still pass as text (tests/functions/test_binary_media_types.py).
    _, api = rest_api(template_json, APPS[app_name])
    assert api["Properties"]["DefinitionBody"]["x-amazon-apigateway-binary-media-types"] == ["*/*"]


def test_no_package_time_placeholder_is_left_in_the_template(template_json):
    text = json.dumps(template_json)
    assert "unset" not in text
    assert "000000000000" not in text


@pytest.mark.parametrize("app_name", APPS)
def test_every_function_of_an_app_runs_python_3_12(template_json, app_name):
    runtimes = {f["Properties"]["Runtime"] for f in functions(template_json, APPS[app_name]).values()}
    assert runtimes == {"python3.12"}


@pytest.mark.parametrize("app_name", APPS)
def test_every_function_of_an_app_carries_exactly_its_layers(template_json, app_name):
    expected = [{"Ref": layer_id(template_json, layer)} for layer in APPS[app_name].layers]
    for function in functions(template_json, APPS[app_name]).values():
        assert function["Properties"]["Layers"] == expected


@pytest.mark.parametrize("app_name", APPS)
def test_every_function_of_an_app_has_the_spec_memory(template_json, app_name):
    """The app's memory, or its queue consumer's own (the documents worker: tests/infra/test_operations.py)."""
    own = {q.consumer_handler: q.consumer_memory_mb for q in SPEC.queues if q.consumer_memory_mb}
    sizes = {
        f["Properties"]["Handler"]: f["Properties"]["MemorySize"]
        for f in functions(template_json, APPS[app_name]).values()
    }
    assert sizes == {
        handler: own.get(handler.removeprefix("app."), APPS[app_name].memory_mb) for handler in sizes
    }


@pytest.mark.parametrize("app_name", APPS)
def test_every_function_of_an_app_gets_every_setting_of_the_spec_for_it(template_json, app_name):
    settings = SPEC.env_of(APPS[app_name])
    private = set(SPEC.env.values()) - set(settings.values())
    for function in functions(template_json, APPS[app_name]).values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(settings.values()) <= set(variables)
        assert all(variables[name] not in ("", None) for name in settings.values())
        assert not private & set(variables)


def test_the_dropbox_app_secret_is_in_secrets_manager_and_only_the_dropbox_apps_know_where(template_json):
    (secret_id, secret), *others = resources(template_json, "AWS::SecretsManager::Secret").items()
    assert not others
    for app in SPEC.apps:
        for function in functions(template_json, app).values():
            variables = function["Properties"]["Environment"]["Variables"]
            assert SPEC.env["dropbox_app_secret"] not in variables  # never the secret itself
            arn = variables.get(SPEC.env["dropbox_app_secret_arn"])
            assert (arn is not None) == (app.name in ("dropbox_webhook", "dropbox_notifications"))
            if arn is not None:
                assert arn == {"Ref": secret_id}


def test_the_settings_point_at_the_stack_resources(template_json):
    app = SPEC.apps[0]
    variables = next(iter(functions(template_json, app).values()))["Properties"]["Environment"]["Variables"]
    assert variables[SPEC.env["table"]] == {"Ref": one(resources(template_json, "AWS::DynamoDB::Table"))[0]}
    assert variables[SPEC.env["user_pool_id"]] == {"Ref": user_pool_id(template_json)}
    assert variables[SPEC.env["user_pool_arn"]] == {"Fn::GetAtt": [user_pool_id(template_json), "Arn"]}
    assert variables[SPEC.env["inbound_domain"]] == {"Ref": "InboundMailDomain"}


@pytest.mark.parametrize("layer_name", LAYERS)
def test_a_spec_layer_is_a_layer_version_for_python_3_12_on_x86_64(template_json, layer_name):
    properties = template_json["Resources"][layer_id(template_json, layer_name)]["Properties"]
    assert (properties["CompatibleRuntimes"], properties["CompatibleArchitectures"]) == (
        ["python3.12"],
        ["x86_64"],
    )
