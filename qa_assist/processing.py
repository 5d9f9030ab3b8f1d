"""Processing one recording: keep the audio, transcribe, score, store. Shared by CLI, API and batch.

A call is keyed by the recording's content; it is transcribed once per model and scored once
per (rubric version, model), so processing the same file again does no work twice. The rubric
is the one named in the settings, else the shipped rubric of the call's scenario.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from .hashing import sha256_of
from .models import ModelRegistry
from .score import CallScore, Rubric, load_rubric, rubric_for_scenario, scorer_from_settings
from .settings import Settings
from .storage import CallStore, NewCall
from .transcribe import AudioError, Transcriber

log = logging.getLogger("qa_assist")


@dataclass(frozen=True)
class ProcessedCall:
    call_id: int
    file_name: str
    #: False when the same recording was already stored
    new: bool
    #: None when this rubric version had already scored the call
    score: CallScore | None


class CallProcessor:
    def __init__(
        self,
        settings: Settings,
        registry: ModelRegistry,
        store: CallStore,
        rubric: Rubric | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.transcriber = Transcriber(settings, registry)
        self.scorer = scorer_from_settings(settings, registry)
        self.rubric = rubric or (load_rubric(settings.rubric) if settings.rubric else None)

    def rubric_for(self, scenario: str) -> Rubric:
        return self.rubric or rubric_for_scenario(scenario)

    def _keep_audio(self, path: Path, content_hash: str) -> Path:
        """Copy the recording under the data folder, named by content, for playback later."""
        kept = self.settings.audio_dir / f"{content_hash}{path.suffix.lower()}"
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_name(kept.name + ".partial")
            shutil.copyfile(path, partial)
            partial.replace(kept)
        return kept

    def process(
        self,
        path: Path,
        scenario: str = "general",
        agent_id: str | None = None,
        agent_channel: str | None = None,
    ) -> ProcessedCall:
        try:
            content_hash = sha256_of(path)
        except FileNotFoundError:
            raise AudioError(path, "no such file") from None
        except OSError as error:
            raise AudioError(path, f"cannot be read ({error.strerror})") from error
        call = self.store.find_by_hash(content_hash)
        if call is not None and call.transcript is not None:
            call_id, new, transcript, scenario = call.id, False, call.transcript, call.scenario
        else:
            # Transcribe before storing anything: a bad recording leaves no half-made call.
            transcript = self.transcriber.transcribe(path, agent_channel)
            kept = self._keep_audio(path, content_hash)
            call_id, new = self.store.add_call(
                NewCall(content_hash, path.name, str(kept), scenario=scenario, agent_id=agent_id)
            )
            self.store.save_transcript(call_id, transcript)
        rubric = self.rubric_for(scenario)
        if self.store.has_score(call_id, rubric.id, rubric.version, transcript.model_version):
            return ProcessedCall(call_id, path.name, new, None)
        score = self.scorer.score(transcript, rubric, scenario)
        self.store.save_score(call_id, score, transcript.model_version)
        log.info("call %d (%s) scored %.1f", call_id, path.name, score.total)
        return ProcessedCall(call_id, path.name, new, score)
