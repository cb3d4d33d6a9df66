"""Check a Cognito token as API Gateway's Cognito authorizer does, before an app sees its claims.

Chalice's local mode decodes tokens without checking them; this closes that gap.
"""

import jwt


class InvalidToken(Exception):
    pass


class TokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, client_id: str):
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)
        self.issuer = issuer
        self.client_id = client_id

    def verify(self, authorization: str | None) -> dict:
        """The verified claims of an id token from an Authorization header, raw or `Bearer …`."""
        if not authorization:
            raise InvalidToken("an Authorization header with an id token is required")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken("the token is not valid") from error
        if claims.get("token_use") != "id":
            raise InvalidToken("an id token is required")
        return claims
