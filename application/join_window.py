from dataclasses import dataclass
from datetime import timedelta

MIN_TTL_SECONDS = 60
MAX_TTL_SECONDS = 86_400
DEFAULT_TTL_SECONDS = 600


@dataclass(frozen=True, slots=True)
class JoinWindow:
    """How long a caller has to join: the token's `exp` and the call's `expires_at`.

    LiveKit checks the token only when the caller connects and refreshes it while they stay,
    so this bounds the first join, not the call's length.
    """

    seconds: int = DEFAULT_TTL_SECONDS

    def __post_init__(self) -> None:
        if not MIN_TTL_SECONDS <= self.seconds <= MAX_TTL_SECONDS:
            raise ValueError(
                f"the token TTL is {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS} seconds, "
                f"not {self.seconds}"
            )

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.seconds)
