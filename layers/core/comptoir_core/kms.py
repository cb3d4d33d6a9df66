"""The KMS adapter: small secrets (OAuth tokens of linked services) encrypted under one key.

Each secret is bound to its owner by the encryption context (for example the company id): a
ciphertext copied onto another company's item does not decrypt there. Ciphertexts travel as base64.
"""

import base64
import binascii

from botocore.exceptions import ClientError

from comptoir_core import aws


class UnreadableSecret(Exception):
    """The ciphertext cannot be decrypted: another key, another context, or damaged."""


class TokenCipher:
    def __init__(self, key_id: str):
        self.key_id = key_id

    def encrypt(self, plaintext: str, *, context: dict[str, str]) -> str:
        blob = aws.client("kms").encrypt(
            KeyId=self.key_id, Plaintext=plaintext.encode(), EncryptionContext=context
        )["CiphertextBlob"]
        return base64.b64encode(blob).decode("ascii")

    def decrypt(self, ciphertext: str, *, context: dict[str, str]) -> str:
        try:
            blob = base64.b64decode(ciphertext.encode("ascii"), validate=True)
            plaintext = aws.client("kms").decrypt(
                KeyId=self.key_id, CiphertextBlob=blob, EncryptionContext=context
            )["Plaintext"]
        except (binascii.Error, ValueError) as error:
            raise UnreadableSecret("the stored secret is not valid base64") from error
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("InvalidCiphertextException", "NotFoundException", "IncorrectKeyException"):
                raise UnreadableSecret(f"KMS cannot decrypt the stored secret ({code})") from error
            raise
        return plaintext.decode()
