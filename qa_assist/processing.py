"""Processing one recording: keep the audio, transcribe, triage, score, store. Shared by CLI, API
and batch.

A call is keyed by the recording's content; it is transcribed once per model and scored once
per (rubric version, model versions), so processing the same file again does no work twice.
The rubric is the one named in the settings, else the rubric of the call's scenario (the site's
own, else the shipped one):
the scenario given with the call, else the one triage reads from the customer's words.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .hashing import sha256_of
from .models import ModelError, ModelRegistry
from .score import (
    CallScore,
    Rubric,
    RubricLibrary,
    scenario_for_ticket_type,
    scorer_from_settings,
)
from .settings import Settings
from .storage import CallMetadata, CallStore, ChannelLayout, NewCall
from .transcribe import AudioError, Transcriber, Transcript

if TYPE_CHECKING:
    from .triage import TriageResult

log = logging.getLogger("qa_assist")

_AGENT_CHANNEL: dict[ChannelLayout, str | None] = {
    "agent_left": "left",
    "agent_right": "right",
    "mono": None,
}


@dataclass(frozen=True)
class ProcessedCall:
    call_id: int
    file_name: str
    #: False when the same recording was already stored
    new: bool
    #: None when the call had already been scored (see ``CallProcessor.process``)
    score: CallScore | None
    #: seconds of audio
    duration: float


def content_hash(path: Path) -> str:
    """The recording's identity; an unreadable file is an ``AudioError`` naming it."""
    try:
        return sha256_of(path)
    except FileNotFoundError:
        raise AudioError(path, "no such file") from None
    except IsADirectoryError:
        raise AudioError(path, "is a folder, not a recording") from None
    except OSError as error:
        raise AudioError(path, f"cannot be read ({error.strerror})") from error


class CallProcessor:
    def __init__(
        self,
        settings: Settings,
        registry: ModelRegistry,
        store: CallStore,
        rubric: Rubric | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.store = store
        self.transcriber = Transcriber(settings, registry)
        self.scorer = scorer_from_settings(settings, registry)
        self.rubrics = RubricLibrary(settings.resolved_rubrics_dir)
        self.rubric = rubric or (self.rubrics.load(settings.rubric) if settings.rubric else None)
        self._triage_missing = False

    def rubric_for(self, scenario: str) -> Rubric:
        return self.rubric or self.rubrics.for_scenario(scenario)

    def _keep_audio(self, path: Path, content_hash: str) -> Path:
        """Copy the recording under the data folder, named by content, for playback later."""
        kept = self.settings.audio_dir / f"{content_hash}{path.suffix.lower()}"
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_name(kept.name + ".partial")
            shutil.copyfile(path, partial)
            partial.replace(kept)
        return kept

    def _triage(self, transcript: Transcript) -> TriageResult | None:
        """What the customer called about; a mono call with one voice gives all its words."""
        customer = "".join(turn.text for turn in transcript.turns if turn.speaker == "customer")
        text = customer or "".join(turn.text for turn in transcript.turns)
        if not text.strip() or self._triage_missing:
            return None
        try:
            return self.registry.triage_classifier().classify(text)
        except ModelError as error:
            # Scoring does not need triage: calls go on as general ones, said once per process.
            self._triage_missing = True
            log.warning("no triage of calls (scenario general, no category): %s", error)
            return None

    def _metadata(
        self, transcript: Transcript, scenario: str | None, given: CallMetadata
    ) -> tuple[str, CallMetadata]:
        """The call's scenario and what the transcript adds to the metadata given with it."""
        triage = self._triage(transcript)
        layout = given.channel_layout or (
            f"agent_{self.settings.agent_channel}"
            if transcript.speaker_method == "channel"
            else "mono"
        )
        metadata = replace(given, channel_layout=layout)
        if triage is not None:
            metadata = replace(
                metadata,
                ticket_type=triage.type,
                ticket_subsystem=triage.subsystem,
                ticket_priority=triage.priority,
            )
        if scenario is not None:
            return scenario, replace(metadata, scenario_source="given")
        if triage is not None:
            return scenario_for_ticket_type(triage.type), replace(
                metadata, scenario_source="triage"
            )
        return "general", replace(metadata, scenario_source="default")

    def _scored(self, call_id: int, scenario: str, asr_version: str, rescore_changed: bool) -> bool:
        rubric = self.rubric_for(scenario)
        if not rescore_changed:
            return self.store.has_score(call_id, rubric.id)
        versions = self.scorer.versions_for(rubric, asr_version)
        return self.store.has_score(call_id, rubric.id, rubric.version, versions)

    def finished_call(self, content_hash: str, rescore_changed: bool = True) -> int | None:
        """The id of the stored call of this recording if ``process`` would do nothing more
        with it (see there); found without loading a model."""
        call = self.store.find_by_hash(content_hash)
        if call is None or call.transcript is None:
            return None
        scored = self._scored(
            call.id, call.scenario, call.transcript.model_version, rescore_changed
        )
        return call.id if scored else None

    def process(
        self,
        path: Path,
        scenario: str | None = None,
        metadata: CallMetadata | None = None,
        rescore_changed: bool = True,
    ) -> ProcessedCall:
        """Transcribe, triage, score and store ``path`` unless that was done before.

        ``scenario`` None lets triage choose it. A call scored before is scored again only
        when ``rescore_changed`` and its rubric version or a model version changed since;
        without it, any score by the call's rubric counts as done.
        """
        metadata = metadata or CallMetadata()
        digest = content_hash(path)
        call = self.store.find_by_hash(digest)
        if call is not None and call.transcript is not None:
            call_id, new, transcript, scenario = call.id, False, call.transcript, call.scenario
            self.store.complete_metadata(call_id, metadata)
        else:
            # Transcribe before storing anything: a bad recording leaves no half-made call.
            channel = _AGENT_CHANNEL[metadata.channel_layout] if metadata.channel_layout else None
            transcript = self.transcriber.transcribe(path, channel)
            scenario, metadata = self._metadata(transcript, scenario, metadata)
            kept = self._keep_audio(path, digest)
            call_id, new = self.store.add_call(
                NewCall(digest, path.name, str(kept), scenario=scenario, metadata=metadata)
            )
            if not new:
                self.store.complete_metadata(call_id, metadata)
            self.store.save_transcript(call_id, transcript)
        done = ProcessedCall(call_id, path.name, new, None, transcript.duration)
        if self._scored(call_id, scenario, transcript.model_version, rescore_changed):
            return done
        score = self.scorer.score(transcript, self.rubric_for(scenario), scenario)
        if not self.store.save_score(call_id, score, transcript.model_version):
            return done
        log.info("call %d (%s) scored %.1f", call_id, path.name, score.total)
        return replace(done, score=score)
