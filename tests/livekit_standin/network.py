"""Loopback only: the stand-in's ICE gathers 127.0.0.1 alone and never asks a STUN server,
and it ignores any remote candidate that is not 127.0.0.1 (a LAN, public or mDNS address)."""

import json
import re
from typing import Any

import aioice.ice
from aiortc import RTCConfiguration, RTCIceCandidate, RTCPeerConnection
from aiortc.sdp import candidate_from_sdp

LOOPBACK = "127.0.0.1"


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return [LOOPBACK] if use_ipv4 else []


_answer_request = aioice.ice.Connection.request_received


def _loopback_requests_only(
    self: aioice.ice.Connection, message: Any, addr: tuple[str, int], protocol: Any
) -> None:
    """A browser also sends checks from its LAN address to our 127.0.0.1: answering one
    would make that address a peer-reflexive candidate, and maybe the pair in use."""
    if addr[0] == LOOPBACK:
        _answer_request(self, message, addr, protocol)


def restrict_ice_to_loopback() -> None:
    """aioice leaves 127.0.0.1 out and takes every other interface; this process (a test
    run) gets 127.0.0.1 only, and answers checks from 127.0.0.1 only, for every peer
    connection it makes from now on."""
    aioice.ice.get_host_addresses = _loopback_addresses
    aioice.ice.Connection.request_received = _loopback_requests_only  # type: ignore[method-assign]


def peer_configuration() -> RTCConfiguration:
    """No ICE servers: aiortc's default is a public STUN server."""
    return RTCConfiguration(iceServers=[])


def loopback_candidate(candidate_init: str) -> RTCIceCandidate | None:
    """The browser's `RTCIceCandidateInit` (JSON, as livekit-client trickles it), or None
    for end-of-candidates and for anything not on 127.0.0.1."""
    init: dict[str, Any] = json.loads(candidate_init)
    line = str(init.get("candidate") or "")
    if not line:
        return None
    candidate = candidate_from_sdp(line.split(":", 1)[1] if line.startswith("candidate:") else line)
    if candidate.ip != LOOPBACK:
        return None
    candidate.sdpMid = init.get("sdpMid")
    candidate.sdpMLineIndex = init.get("sdpMLineIndex")
    return candidate


def follow_ice_restart(pc: RTCPeerConnection, sdp: str) -> None:
    """aiortc keeps the first remote ICE credentials for good; a browser resuming after a
    signalling drop restarts ICE with new ones: take them, or its checks are refused (401)
    and it gives up on the connection."""
    ufrag = re.search(r"^a=ice-ufrag:(\S+)", sdp, re.MULTILINE)
    pwd = re.search(r"^a=ice-pwd:(\S+)", sdp, re.MULTILINE)
    if ufrag is None or pwd is None:
        return
    for transport in pc._RTCPeerConnection__iceTransports:  # type: ignore[attr-defined]
        connection = transport._connection
        if connection.remote_username not in (None, ufrag.group(1)):
            connection.remote_username = ufrag.group(1)
            connection.remote_password = pwd.group(1)
