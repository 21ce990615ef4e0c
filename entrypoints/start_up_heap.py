"""The objects a server process builds at start-up, kept out of the cyclic collector's walks."""

import gc


def freeze_start_up_objects() -> None:
    """A full (generation 2) collection walks every object the cyclic collector tracks, with
    the event loop stopped meanwhile. After start-up that is some 135,000 objects (the app, its
    routes and OpenAPI models, the drivers): 50 to 130 ms on a small VM, the slowest requests of
    a loaded server. They live as long as the process, so they are collected once and frozen
    (`gc.freeze`): later collections walk only what was made since, and still free it."""
    gc.collect()
    gc.freeze()
