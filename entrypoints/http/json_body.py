"""What every JSON body must be before its route reads it: JSON by media type, no key named
twice in any object, and the route's body type matched strictly (Litestar converts
leniently, so `0` would pass as `false` and `"1"` as `1`)."""

import json
import re
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_415_UNSUPPORTED_MEDIA_TYPE

T = TypeVar("T")
_ANY = msgspec.json.Decoder()
_ENCODE = msgspec.json.Encoder().encode
_AT = re.compile(r"^(?P<message>.*) - at `\$\.?(?P<path>[^`]*)`$")


class UnsupportedMediaType(ClientException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE


class DuplicateKey(ClientException):
    """A JSON object names one key twice: which value is meant is ambiguous, so neither is
    taken (a parser would silently keep the last)."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    unique = dict(pairs)
    if len(unique) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return unique


def _strictly(body: bytes, body_type: type[msgspec.Struct]) -> None:
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as error:
        found = _AT.match(str(error))
        message, path = (found["message"], found["path"]) if found else (str(error), "")
        path = path.replace("[...]", "")  # a map's value: msgspec does not say under which key
        raise ValidationException(extra=[{"message": message, "key": path or "data"}]) from None
    except msgspec.DecodeError:
        return  # not JSON at all: the route's own decoding names the problem


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """A before_request hook: runs after authentication and before the route decodes."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    body = await request.body()
    if data is None and not body:
        return  # an action without a body (rotate-secret, retry) has no media type to check
    media_type, _ = request.content_type
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(headers={"accept-post": "application/json"})
    body_type = None if data is None else data.annotation
    if isinstance(body_type, type) and issubclass(body_type, msgspec.Struct):
        _strictly(body, body_type)
    try:
        json.loads(body, object_pairs_hook=refuse_duplicates)
    except ValueError:
        return  # not JSON, or not UTF-8: the route's own decoding names the problem


def plainly(body: bytes, decoder: msgspec.json.Decoder[T]) -> T | None:
    """`body` as its type when it certainly passes every rule here (and the route's own,
    lenient, decoding), else None: then `check_json_body` and the route decide, and name the
    problem. Duplicates are ruled out without a second parse: each key owns one structural
    colon, so a body whose colons are all accounted for by its decoded keys and strings named
    no key twice (an escape such as \\u003a could hide a colon: such bodies are not plain)."""
    try:
        value = decoder.decode(body)
        colons = body.count(b":")
        if colons and (b"\\u" in body or colons != _colons(_ANY.decode(body))):
            return None
    # A depth msgspec or `_colons` refuses; a string that is not UTF-8 (msgspec raises
    # UnicodeDecodeError for it, not a DecodeError).
    except (msgspec.MsgspecError, RecursionError, UnicodeDecodeError):
        return None
    return value


def _colons(value: Any) -> int:
    """Each object key's structural colon, plus every colon inside a key or string: the colons
    of the value written back as JSON (one per key, and msgspec escapes no colon), counted in
    C rather than by walking the value."""
    return _ENCODE(value).count(b":")
