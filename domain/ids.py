import uuid


def new_id() -> str:
    return str(uuid.uuid4())


def canonical_uuid(value: str | uuid.UUID) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))
