from typing import Any

from hypothesis import given

from domain.call import tagged_metadata
from domain.errors import InvalidMetadata
from domain.metadata import check_metadata
from tests.support.json_strategies import any_metadata, safe_metadata


@given(safe_metadata)
def test_safe_json_objects_are_accepted(metadata: dict[str, Any]) -> None:
    check_metadata(metadata)


def _rejection(metadata: dict[str, Any]) -> InvalidMetadata | None:
    try:
        check_metadata(metadata)
    except InvalidMetadata as error:
        return error
    return None


@given(any_metadata)
def test_validation_either_accepts_or_names_a_field(metadata: dict[str, Any]) -> None:
    rejection = _rejection(metadata)
    if rejection is not None:
        assert rejection.field.startswith("metadata")
        assert rejection.reason


@given(any_metadata)
def test_the_webrtc_tag_always_wins_and_the_rest_is_kept(metadata: dict[str, Any]) -> None:
    tagged = tagged_metadata(metadata)
    assert tagged["type"] == "webrtc"
    assert {k: v for k, v in tagged.items() if k != "type"} == {
        k: v for k, v in metadata.items() if k != "type"
    }
