"""Writing test audio in the formats call recorders produce, with FFmpeg's encoders (PyAV)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

#: (file name, codec, sample rate, container) of each format a contact centre sends us
FORMATS = [
    ("ulaw-8k.wav", "pcm_mulaw", 8000, None),
    ("alaw-8k.wav", "pcm_alaw", 8000, None),
    ("pcm-8k.wav", "pcm_s16le", 8000, None),
    ("pcm-44k.wav", "pcm_s16le", 44100, None),
    ("call.mp3", "libmp3lame", 16000, None),
    ("call.m4a", "aac", 16000, "ipod"),
    ("call.amr", "libopencore_amrnb", 8000, "amr"),
    ("call.ogg", "libopus", 48000, None),
    ("call.flac", "flac", 16000, None),
]


def encode(
    samples: np.ndarray,
    rate: int,
    path: Path,
    codec: str,
    out_rate: int,
    container: str | None = None,
) -> Path:
    """Write ``samples`` (shape (channels, n), float32 at ``rate``) to ``path`` with ``codec``."""
    layout = "stereo" if samples.shape[0] == 2 else "mono"
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=out_rate, layout=layout)
        if codec == "libopencore_amrnb":
            stream.bit_rate = 12200  # AMR-NB's top mode, what GSM calls use
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=out_rate)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.float32), format="fltp", layout=layout
        )
        frame.sample_rate = rate
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return path


def hold_music(seconds: float, rate: int = 16000) -> np.ndarray:
    """A hold-line melody: plucked notes with harmonics over a soft chord, as float32."""
    time = np.arange(int(seconds * rate)) / rate
    melody = [262, 330, 392, 523, 392, 330, 294, 349, 440, 349]  # C-E-G-C-G-E-D-F-A-F
    note_seconds = 0.4
    index = (time // note_seconds).astype(int) % len(melody)
    frequency = np.asarray(melody)[index]
    since_onset = time % note_seconds
    pluck = np.exp(-4 * since_onset) * sum(
        np.sin(2 * np.pi * k * frequency * time) / k for k in (1, 2, 3)
    )
    chord = sum(np.sin(2 * np.pi * f * time) for f in (131, 165, 196)) / 3
    return (0.25 * pluck + 0.08 * chord).astype(np.float32)
