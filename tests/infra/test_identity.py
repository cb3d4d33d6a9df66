"""The Cognito user pool and the app client the apps sign users in with."""

from comptoir_infra.spec import SPEC

from .lookup import one, resources

POOL = SPEC.user_pool


def pool(template_json) -> dict:
    return one(resources(template_json, "AWS::Cognito::UserPool"))[1]["Properties"]


def client(template_json) -> dict:
    return one(resources(template_json, "AWS::Cognito::UserPoolClient"))[1]["Properties"]


def test_users_sign_in_with_their_email_address(template_json):
    assert pool(template_json)["UsernameAttributes"] == ["email"]


def test_nobody_signs_up_without_an_invitation(template_json):
    assert pool(template_json)["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}


def test_passwords_have_the_spec_minimum_length(template_json):
    assert pool(template_json)["Policies"]["PasswordPolicy"]["MinimumLength"] == POOL.password_min_length


def test_the_pool_holds_the_email_and_the_name_of_a_user(template_json):
    attributes = {attribute["Name"] for attribute in pool(template_json)["Schema"]}
    assert {"email", "name"} <= attributes


def test_the_pool_cannot_be_deleted_by_accident(template_json):
    assert pool(template_json)["DeletionProtection"] == "ACTIVE"


def test_the_client_signs_in_with_a_password_and_refreshes_with_a_token(template_json):
    assert sorted(client(template_json)["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    ]


def test_the_client_has_no_secret(template_json):
    assert client(template_json)["GenerateSecret"] is False


def test_the_client_offers_no_oauth_flow(template_json):
    assert not client(template_json).get("AllowedOAuthFlows")


def test_the_client_tokens_last_as_long_as_the_spec_says(template_json):
    properties = client(template_json)
    units = properties["TokenValidityUnits"]
    minutes = {"minutes": 1, "hours": 60, "days": 24 * 60}
    assert properties["AccessTokenValidity"] * minutes[units["AccessToken"]] == POOL.access_token_minutes
    assert properties["IdTokenValidity"] * minutes[units["IdToken"]] == POOL.access_token_minutes
    refresh_minutes = properties["RefreshTokenValidity"] * minutes[units["RefreshToken"]]
    assert refresh_minutes == POOL.refresh_token_days * 24 * 60
