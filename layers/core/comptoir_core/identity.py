"""The Cognito adapter: sign-in, refresh and user creation. The only code that calls cognito-idp."""

from botocore.exceptions import ClientError
from pydantic import BaseModel

from comptoir_core import aws
from comptoir_core.errors import Conflict, Invalid, Unauthorized

_BAD_CREDENTIALS = "wrong e-mail or password"


class Tokens(BaseModel):
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int


class CognitoIdentity:
    def __init__(self, *, user_pool_id: str, client_id: str):
        self.user_pool_id = user_pool_id
        self.client_id = client_id

    def sign_in(self, email: str, password: str) -> Tokens:
        result = self._auth("USER_PASSWORD_AUTH", {"USERNAME": email.lower(), "PASSWORD": password})
        return _tokens(result)

    def refresh(self, refresh_token: str) -> Tokens:
        result = self._auth("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})
        tokens = _tokens(result)
        # Cognito does not rotate the refresh token: hand the same one back.
        return tokens.model_copy(update={"refresh_token": tokens.refresh_token or refresh_token})

    def create_user(self, *, email: str, password: str, name: str) -> str:
        """Create a confirmed user with a permanent password; returns its `sub`."""
        cognito = aws.client("cognito-idp")
        try:
            created = cognito.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=email.lower(),
                UserAttributes=[
                    {"Name": "email", "Value": email.lower()},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                ],
                MessageAction="SUPPRESS",
            )
            self.set_password(email=email, password=password)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "UsernameExistsException":
                raise Conflict(f"a user with e-mail {email} already exists") from error
            if code in ("InvalidPasswordException", "InvalidParameterException"):
                raise Invalid(error.response["Error"].get("Message", "invalid user")) from error
            raise
        attributes = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}
        return attributes["sub"]

    def set_password(self, *, email: str, password: str) -> None:
        aws.client("cognito-idp").admin_set_user_password(
            UserPoolId=self.user_pool_id, Username=email.lower(), Password=password, Permanent=True
        )

    def _auth(self, flow: str, parameters: dict[str, str]) -> dict:
        try:
            return aws.client("cognito-idp").initiate_auth(
                ClientId=self.client_id, AuthFlow=flow, AuthParameters=parameters
            )["AuthenticationResult"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            # One answer for unknown user and wrong password: no account enumeration.
            if code in ("NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"):
                raise Unauthorized(
                    _BAD_CREDENTIALS if flow == "USER_PASSWORD_AUTH" else "session expired"
                ) from error
            raise


def _tokens(result: dict) -> Tokens:
    return Tokens(
        id_token=result["IdToken"],
        access_token=result["AccessToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=result["ExpiresIn"],
    )
