from dataclasses import dataclass
from urllib.parse import urlsplit

_SCHEMES = ("ws", "wss", "http", "https")
MIN_SECRET_BYTES = 32  # HS256 wants a key as long as its output (RFC 7518 3.2)


@dataclass(frozen=True, slots=True)
class LiveKitSettings:
    url: str = ""
    api_key: str = ""
    api_secret: str = ""
    weak_secret_allowed: bool = False  # serve --dev: livekit-server --dev's `secret`

    def __repr__(self) -> str:
        return f"LiveKitSettings(url={self.url!r}, api_key={self.api_key!r}, api_secret=***)"

    def problem(self) -> str | None:
        """Which variable is missing or malformed; never echoes the secret."""
        missing = [
            name
            for name, value in (
                ("LIVEKIT_URL", self.url),
                ("LIVEKIT_API_KEY", self.api_key),
                ("LIVEKIT_API_SECRET", self.api_secret),
            )
            if not value.strip()
        ]
        if missing:
            return f"{', '.join(missing)} not set"
        parts = urlsplit(self.url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            return "LIVEKIT_URL is not a ws://, wss://, http:// or https:// URL with a host"
        if len(self.api_secret.encode()) < MIN_SECRET_BYTES and not self.weak_secret_allowed:
            return f"LIVEKIT_API_SECRET is shorter than {MIN_SECRET_BYTES} bytes"
        return None
