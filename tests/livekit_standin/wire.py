"""LiveKit's protobuf messages, built as livekit-server fills them."""

import secrets
import time
import uuid
from collections.abc import Mapping

from livekit.protocol import models, rtc

PROTOCOL = 16
VERSION = "1.9.0-standin"
TRANSCRIPTION = "lk.transcription"


def sid(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def now_ms() -> int:
    return int(time.time() * 1000)


def server_info() -> models.ServerInfo:
    return models.ServerInfo(
        edition=models.ServerInfo.Edition.Standard,
        version=VERSION,
        protocol=PROTOCOL,
        node_id="ND_standin",
    )


def audio_track(track_sid: str, name: str, source: int, muted: bool = False) -> models.TrackInfo:
    return models.TrackInfo(
        sid=track_sid,
        type=models.TrackType.AUDIO,
        name=name,
        source=source,  # type: ignore[arg-type]
        muted=muted,
        mime_type="audio/opus",
    )


def leave(reason: int, can_reconnect: bool = False) -> rtc.SignalResponse:
    action = rtc.LeaveRequest.Action.RECONNECT if can_reconnect else rtc.LeaveRequest.DISCONNECT
    return rtc.SignalResponse(
        leave=rtc.LeaveRequest(reason=reason, action=action, can_reconnect=can_reconnect)  # type: ignore[arg-type]
    )


def text_stream(
    sender: str,
    text_chunks: list[str],
    topic: str,
    attributes: Mapping[str, str],
    trailer_attributes: Mapping[str, str] | None = None,
) -> list[models.DataPacket]:
    """One text stream as livekit-rtc sends it: a header, a chunk per piece, a trailer."""
    stream_id = str(uuid.uuid4())
    header = models.DataStream.Header(
        stream_id=stream_id,
        timestamp=now_ms(),
        topic=topic,
        mime_type="text/plain",
        attributes=dict(attributes),
        text_header=models.DataStream.TextHeader(
            operation_type=models.DataStream.OperationType.CREATE
        ),
    )
    packets = [_packet(sender, stream_header=header)]
    for index, piece in enumerate(text_chunks):
        chunk = models.DataStream.Chunk(
            stream_id=stream_id, chunk_index=index, content=piece.encode()
        )
        packets.append(_packet(sender, stream_chunk=chunk))
    trailer = models.DataStream.Trailer(
        stream_id=stream_id, attributes=dict(trailer_attributes or {})
    )
    packets.append(_packet(sender, stream_trailer=trailer))
    return packets


def rpc_request(
    sender: str, destination: str, request_id: str, method: str, payload: str, timeout_ms: int
) -> models.DataPacket:
    request = models.RpcRequest(
        id=request_id, method=method, payload=payload, response_timeout_ms=timeout_ms, version=1
    )
    return _packet(sender, destination=destination, rpc_request=request)


def rpc_ack(sender: str, destination: str, request_id: str) -> models.DataPacket:
    return _packet(sender, destination=destination, rpc_ack=models.RpcAck(request_id=request_id))


def rpc_response(
    sender: str, destination: str, request_id: str, payload: str | None, error: str | None
) -> models.DataPacket:
    if error is not None:
        response = models.RpcResponse(
            request_id=request_id, error=models.RpcError(code=1500, message=error)
        )
    else:
        response = models.RpcResponse(request_id=request_id, payload=payload or "")
    return _packet(sender, destination=destination, rpc_response=response)


def _packet(sender: str, destination: str | None = None, **value: object) -> models.DataPacket:
    return models.DataPacket(
        kind=models.DataPacket.Kind.RELIABLE,
        participant_identity=sender,
        destination_identities=[destination] if destination else [],
        **value,  # type: ignore[arg-type]
    )
