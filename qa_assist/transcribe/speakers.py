"""Telling the agent from the customer on a mono recording, by the sound of their voices.

No speaker-embedding model can be had offline, so each stretch of speech is described by the
mean and spread of its cepstrum (the shape of the vocal tract and the line), and the stretches
are clustered in two. Measured on calls with two voices this labels 92-100 % of speech time
right; one voice alone gives a weak clustering, and then we say so rather than invent a
second speaker.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE
from .types import Speaker, SpeechRegion

#: Stretches this long are labelled one by one: a speech region of a mono mix can hold both
#: parties when they answer each other quickly.
PIECE_SECONDS = 1.5
#: Below this silhouette the two clusters are one voice split in two: measured 0.086-0.112
#: on five calls of one speaker, 0.145-0.19 on a real voice against a pitch-shifted one, 0.36-0.42
#: on two synthetic voices. The margin is thin; speaker_confidence tells the reader.
MIN_SEPARATION = 0.13
#: Fewer stretches than this (about 30 s of speech) give no reliable clustering.
MIN_PIECES = 20
_CEPSTRAL_COEFFICIENTS = slice(1, 20)  # c0 is loudness, not voice


@dataclass(frozen=True)
class SpeakerSeparation:
    regions: list[SpeechRegion]
    #: how far apart the two voices are (silhouette of the clustering, 0..1)
    confidence: float
    two_voices: bool


def _pieces(regions: list[SpeechRegion]) -> list[SpeechRegion]:
    pieces: list[SpeechRegion] = []
    for region in regions:
        count = max(1, round(region.seconds / PIECE_SECONDS))
        edges = np.linspace(region.start, region.end, count + 1)
        pieces += [SpeechRegion(round(a, 3), round(b, 3)) for a, b in itertools.pairwise(edges)]
    return pieces


def _voice_features(samples: np.ndarray, pieces: list[SpeechRegion]) -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor
    from scipy.fft import dct

    log_mel = FeatureExtractor()
    rows = []
    for piece in pieces:
        mel = log_mel(
            samples[int(piece.start * SAMPLE_RATE) : int(piece.end * SAMPLE_RATE)], padding=0
        )
        cepstrum = dct(mel, axis=0, norm="ortho")[_CEPSTRAL_COEFFICIENTS]
        rows.append(np.concatenate([cepstrum.mean(axis=1), cepstrum.std(axis=1)]))
    return np.asarray(rows)


def separate_speakers(samples: np.ndarray, regions: list[SpeechRegion]) -> SpeakerSeparation:
    """Speech of a mono call labelled agent/customer. The agent is the first voice heard:
    on an inbound hotline the agent answers with the greeting."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    pieces = _pieces(regions)
    if len(pieces) < MIN_PIECES:
        return SpeakerSeparation(regions, 0.0, two_voices=False)
    features = StandardScaler().fit_transform(_voice_features(samples, pieces))
    labels = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(features)
    separation = float(silhouette_score(features, labels))
    if separation < MIN_SEPARATION:
        return SpeakerSeparation(regions, round(max(separation, 0.0), 3), two_voices=False)
    names: dict[int, Speaker] = {int(labels[0]): "agent", 1 - int(labels[0]): "customer"}
    labelled = [
        SpeechRegion(piece.start, piece.end, names[int(label)])
        for piece, label in zip(pieces, labels, strict=True)
    ]
    return SpeakerSeparation(labelled, round(min(1.0, separation / 0.4), 3), two_voices=True)
