from collections.abc import Callable

from pymongo import monitoring

ObserveCommand = Callable[[str, float, bool], None]


class CommandTimer(monitoring.CommandListener):
    """Reports each MongoDB command's name, duration in seconds and success to `observe`."""

    def __init__(self, observe: ObserveCommand) -> None:
        self._observe = observe

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event.command_name, event.duration_micros / 1_000_000, True)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event.command_name, event.duration_micros / 1_000_000, False)
