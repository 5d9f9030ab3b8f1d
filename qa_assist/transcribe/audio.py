"""Decoding any recording into per-channel 16 kHz float samples, with errors that name the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


class AudioError(ValueError):
    """A recording that cannot be used; the message names the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Audio:
    path: Path
    #: shape (channels, samples), float32 in [-1, 1], at SAMPLE_RATE
    channels: np.ndarray

    @property
    def duration(self) -> float:
        return self.channels.shape[1] / SAMPLE_RATE

    @property
    def is_stereo(self) -> bool:
        return self.channels.shape[0] == 2


def load_audio(path: Path, max_seconds: float) -> Audio:
    """Decode ``path`` with FFmpeg's libraries (PyAV), keeping mono or stereo as recorded.

    More than two channels are mixed down to mono: no call recorder we know of puts the two
    parties on channels beyond the first two.
    """
    import av

    if not path.is_file():
        raise AudioError(path, "no such file")
    if path.stat().st_size == 0:
        raise AudioError(path, "the file is empty")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(path, "the file has no audio stream")
            stream = container.streams.audio[0]
            layout = "stereo" if stream.channels == 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            pieces: list[np.ndarray] = []
            limit = int(max_seconds * SAMPLE_RATE)
            decoded = 0
            for frame in container.decode(stream):
                for resampled in resampler.resample(frame):
                    pieces.append(resampled.to_ndarray())
                    decoded += pieces[-1].shape[1]
                if decoded > limit:
                    raise AudioError(path, f"longer than the limit of {max_seconds:.0f} s")
            for resampled in resampler.resample(None):
                pieces.append(resampled.to_ndarray())
    except av.error.FFmpegError as error:
        raise AudioError(path, f"not a readable audio file ({error.strerror})") from error
    if not pieces:
        raise AudioError(path, "the file holds no audio samples")
    samples = np.concatenate(pieces, axis=1).astype(np.float32, copy=False)
    if samples.shape[1] < SAMPLE_RATE // 10:
        raise AudioError(path, "shorter than 0.1 s")
    return Audio(path=path, channels=samples)
