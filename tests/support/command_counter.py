from pymongo import monitoring

_HANDSHAKE = {"hello", "ismaster", "isMaster", "ping", "buildInfo", "endSessions"}


class CommandCounter(monitoring.CommandListener):
    """Counts the application's MongoDB commands (not the driver's own handshakes)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in _HANDSHAKE:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None
