"""The HS256 signer keys its HMAC once and base64s by hand: its tokens must be the very bytes
the standard library and PyJWT write, for every length of secret HMAC treats apart."""

import base64
import hashlib
import hmac

import jwt
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.livekit.hs256 import HS256Signer, _b64url

SECRETS = ["secret", "s" * 32, "k" * 63, "k" * 64, "k" * 65, "ü" * 40, "x" * 200]
CLAIMS = {"sub": "caller_1", "iss": "APIkey", "nbf": 1, "exp": 2, "text": "ü?>~\u2028"}


def _reference(secret: str, claims: dict[str, object]) -> str:
    def b64(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    encode = msgspec.json.encode
    signing_input = b64(encode({"alg": "HS256", "typ": "JWT"})) + b"." + b64(encode(claims))
    signature = hmac.digest(secret.encode(), signing_input, hashlib.sha256)
    return (signing_input + b"." + b64(signature)).decode()


@pytest.mark.parametrize("secret", SECRETS)
def test_a_token_is_the_standard_librarys_hmac_over_the_same_bytes(secret: str) -> None:
    assert HS256Signer(secret).sign(CLAIMS) == _reference(secret, CLAIMS)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("secret", SECRETS)
def test_pyjwt_verifies_it(secret: str) -> None:
    token = HS256Signer(secret).sign(CLAIMS)

    assert jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False}) == (
        CLAIMS
    )
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_one_signer_signs_many_tokens_alike() -> None:
    signer = HS256Signer("s" * 32)
    first = [signer.sign({**CLAIMS, "nbf": n}) for n in range(5)]

    assert first == [_reference("s" * 32, {**CLAIMS, "nbf": n}) for n in range(5)]


def test_signing_encoded_claims_is_signing_the_claims() -> None:
    signer = HS256Signer("s" * 32)

    assert signer.sign_encoded(msgspec.json.encode(CLAIMS)) == signer.sign(CLAIMS)


@given(st.binary(max_size=300))
def test_urlsafe_base64_without_padding_as_the_standard_library_writes_it(raw: bytes) -> None:
    assert _b64url(raw) == base64.urlsafe_b64encode(raw).rstrip(b"=")
