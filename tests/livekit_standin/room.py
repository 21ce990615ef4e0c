"""A room and its participants, as livekit-server keeps them: who is in, what they publish,
and what everyone else is told when that changes."""

import time
from dataclasses import dataclass, field
from typing import Protocol

from aiortc import MediaStreamTrack
from aiortc.contrib.media import MediaRelay
from livekit.protocol import models, rtc

from tests.livekit_standin.wire import sid


class Member(Protocol):
    """A participant: a browser's signalling session, or the scripted agent."""

    identity: str
    sid: str

    def info(self) -> models.ParticipantInfo: ...

    def signal(self, message: rtc.SignalResponse) -> None: ...

    def deliver(self, packet: models.DataPacket) -> None: ...

    def subscribe(
        self, publisher: "Member", track: models.TrackInfo, media: MediaStreamTrack
    ) -> None: ...

    async def disconnect(self, reason: int) -> None: ...


@dataclass
class Published:
    publisher: Member
    info: models.TrackInfo
    media: MediaStreamTrack


@dataclass
class Room:
    name: str
    sid: str = field(default_factory=lambda: sid("RM"))
    created_at: int = field(default_factory=lambda: int(time.time()))
    members: dict[str, Member] = field(default_factory=dict)
    published: list[Published] = field(default_factory=list)
    agents_dispatched: bool = False
    closed: bool = False
    relay: MediaRelay = field(default_factory=MediaRelay)

    def proto(self) -> models.Room:
        return models.Room(
            sid=self.sid,
            name=self.name,
            creation_time=self.created_at,
            num_participants=len(self.members),
            empty_timeout=300,
            departure_timeout=20,
        )

    def others(self, member: Member) -> list[Member]:
        return [m for m in self.members.values() if m is not member]

    def add(self, member: Member) -> None:
        self.members[member.identity] = member
        for item in self.published:
            member.subscribe(item.publisher, item.info, self.relay.subscribe(item.media))

    def remove(self, member: Member) -> bool:
        if self.members.get(member.identity) is not member:
            return False
        del self.members[member.identity]
        self.published = [p for p in self.published if p.publisher is not member]
        gone = member.info()
        gone.state = models.ParticipantInfo.State.DISCONNECTED
        self.broadcast_update(gone)
        return True

    def broadcast_update(self, info: models.ParticipantInfo, skip: Member | None = None) -> None:
        update = rtc.SignalResponse(update=rtc.ParticipantUpdate(participants=[info]))
        for other in self.members.values():
            if other is not skip:
                other.signal(update)

    def publish(self, publisher: Member, info: models.TrackInfo, media: MediaStreamTrack) -> None:
        self.published.append(Published(publisher, info, media))
        for other in self.others(publisher):
            other.subscribe(publisher, info, self.relay.subscribe(media))

    def send_data(
        self, sender: Member, packet: models.DataPacket, on_behalf_of: Member | None = None
    ) -> None:
        """To the packet's destinations, or everyone else; stamped with the sender, as the
        server does (a client cannot speak for another; an agent sends the caller's
        transcript on the caller's behalf)."""
        speaker = on_behalf_of or sender
        packet.participant_identity = speaker.identity
        packet.participant_sid = speaker.sid
        targets = set(packet.destination_identities)
        for other in self.others(sender):
            if not targets or other.identity in targets:
                other.deliver(packet)
