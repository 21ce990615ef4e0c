from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

from domain.errors import InvalidCallerPermissions

TrackSource = Literal["microphone", "camera", "screen_share", "screen_share_audio"]
TRACK_SOURCES: tuple[str, ...] = get_args(TrackSource)
_SOURCES_FIELD = "caller_permissions.can_publish_sources"


@dataclass(frozen=True, slots=True)
class CallerPermissions:
    """What an agent's callers may publish into its room, in LiveKit's grant terms
    (`canPublishSources`, `canPublishData`): a microphone and nothing else, unless the agent
    takes video, screen share or data. LiveKit reads an empty source list as every source,
    so there is always at least one.
    """

    can_publish_sources: tuple[TrackSource, ...] = ("microphone",)
    can_publish_data: bool = False

    def __post_init__(self) -> None:
        sources = tuple(dict.fromkeys(self.can_publish_sources))
        if not sources:
            raise InvalidCallerPermissions(_SOURCES_FIELD, "needs at least one source")
        if unknown := [s for s in sources if s not in TRACK_SOURCES]:
            raise InvalidCallerPermissions(
                _SOURCES_FIELD, f"{unknown[0]!r} is not one of {', '.join(TRACK_SOURCES)}"
            )
        object.__setattr__(self, "can_publish_sources", sources)

    @classmethod
    def of(cls, sources: Iterable[str], can_publish_data: bool = False) -> "CallerPermissions":
        """From untyped input (a stored document, a command line), checked like any other."""
        return cls(cast(tuple[TrackSource, ...], tuple(sources)), can_publish_data)
