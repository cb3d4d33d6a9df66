"""The Cognito adapter: sign-in, refresh and user creation. The only code that calls cognito-idp."""

from botocore.exceptions import ClientError
from pydantic import BaseModel

from comptoir_core import aws
from comptoir_core.errors import Conflict, Forbidden, Invalid, Unauthorized

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

    # ---- users and passwords (admin calls: the accounts app only) --------------------------------

    def password_rules(self) -> dict:
        """The pool's password policy, as Cognito holds it."""
        pool = aws.client("cognito-idp").describe_user_pool(UserPoolId=self.user_pool_id)["UserPool"]
        return pool.get("Policies", {}).get("PasswordPolicy", {})

    def check_password(self, password: str) -> None:
        """Invalid (400) with the pool's policy in words when `password` does not meet it."""
        rules = self.password_rules()
        minimum = int(rules.get("MinimumLength", 8))
        needs = [
            (rules.get("RequireUppercase"), any(c.isupper() for c in password), "an upper-case letter"),
            (rules.get("RequireLowercase"), any(c.islower() for c in password), "a lower-case letter"),
            (rules.get("RequireNumbers"), any(c.isdigit() for c in password), "a digit"),
            (rules.get("RequireSymbols"), any(not c.isalnum() for c in password), "a symbol"),
        ]
        words = [f"at least {minimum} characters"] + [what for required, _, what in needs if required]
        if len(password) < minimum or any(required and not met for required, met, _ in needs):
            raise Invalid("the password is too weak: it needs " + _listed(words))

    def user_sub(self, email: str) -> str | None:
        """The `sub` of the user with this e-mail, None when there is none."""
        try:
            found = aws.client("cognito-idp").admin_get_user(
                UserPoolId=self.user_pool_id, Username=email.lower()
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise
        return next(a["Value"] for a in found["UserAttributes"] if a["Name"] == "sub")

    def change_password(self, *, email: str, current: str, new: str) -> None:
        """The signed-in user changes their password: the current one must be right."""
        try:
            self.sign_in(email, current)
        except Unauthorized as error:
            raise Forbidden("the current password is wrong") from error
        self.check_password(new)
        self.set_password(email=email, password=new)

    def forgot_password(self, email: str) -> None:
        """Cognito e-mails a code to the user; an unknown address is not told apart."""
        try:
            aws.client("cognito-idp").forgot_password(ClientId=self.client_id, Username=email.lower())
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("UserNotFoundException", "NotAuthorizedException"):
                raise

    def reset_password(self, *, email: str, code: str, password: str) -> None:
        self.check_password(password)
        try:
            aws.client("cognito-idp").confirm_forgot_password(
                ClientId=self.client_id, Username=email.lower(), ConfirmationCode=code, Password=password
            )
        except ClientError as error:
            code_name = error.response["Error"]["Code"]
            if code_name in ("CodeMismatchException", "ExpiredCodeException", "UserNotFoundException"):
                raise Invalid("the code is wrong or expired; ask for a new one") from error
            if code_name == "InvalidPasswordException":
                raise Invalid(error.response["Error"].get("Message", "the password is too weak")) from error
            raise

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


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
