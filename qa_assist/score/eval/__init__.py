"""The rubric engine's evaluation set: scripted calls with known item outcomes, simulated ASR
errors, and the comparison of automatic scores with the known outcomes."""

from .dataset import EvalCall, build_eval_set
from .noise import AsrNoise
from .run import NOISY_RATE, evaluate, human_score
from .transcripts import scripted_transcript

__all__ = [
    "NOISY_RATE",
    "AsrNoise",
    "EvalCall",
    "build_eval_set",
    "evaluate",
    "human_score",
    "scripted_transcript",
]
