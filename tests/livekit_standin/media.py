"""The agent's voice (a generated tone) and an ear for the caller's microphone."""

import asyncio
import fractions
import math
import time
from dataclasses import dataclass

import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

RATE = 48_000
FRAME = 960  # 20 ms
SILENCE = 1e-3  # RMS of full scale below which a frame counts as silent


class ToneTrack(MediaStreamTrack):
    """A paced sine tone, 20 ms a frame, never raising inside `recv` (an exception there
    stops aiortc's sender without a word)."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0, level: float = 0.3) -> None:
        super().__init__()
        self._frequency = frequency
        self._level = level
        self._sent = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._sent / RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(FRAME) + self._sent) / RATE
        wave = self._level * np.sin(2 * math.pi * self._frequency * t)
        samples = (wave * 32767).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += FRAME
        return frame


@dataclass
class Hearing:
    """What arrived from one participant's microphone."""

    frames: int = 0
    loud_frames: int = 0
    peak_rms: float = 0.0

    @property
    def heard(self) -> bool:
        return self.loud_frames > 0


async def listen(track: MediaStreamTrack, hearing: Hearing, heard: asyncio.Event) -> None:
    """Reads frames until the track ends; `heard` is set on the first non-silent one."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        assert isinstance(frame, AudioFrame)
        samples = frame.to_ndarray().astype(np.float64) / 32768.0
        rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
        hearing.frames += 1
        hearing.peak_rms = max(hearing.peak_rms, rms)
        if rms > SILENCE:
            hearing.loud_frames += 1
            heard.set()
