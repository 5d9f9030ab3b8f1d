"""One settings object for the whole service: environment variables ``QA_ASSIST_*`` and an
optional YAML file named by ``QA_ASSIST_CONFIG`` (environment wins over the file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

EngineName = Literal["faster-whisper", "openai-whisper"]


def _default_models_dir() -> Path:
    # A per-user cache shared by every data folder, so a fresh data folder never re-converts.
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "qa_assist" / "models"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``QA_ASSIST_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="QA_ASSIST_", extra="forbid")

    data_dir: Path = Field(
        default=Path("qa_assist_data"), description="Database, uploads, indexes."
    )
    models_dir: Path = Field(default_factory=_default_models_dir, description="Prepared models.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in data_dir."
    )

    engine: EngineName = Field(default="faster-whisper", description="Transcription backend.")
    whisper_ct2_dir: Path | None = Field(
        default=None,
        description="A CTranslate2 Whisper folder to use instead of the prepared base model "
        "(e.g. a larger checkpoint a site converted itself).",
    )
    whisper_openai_checkpoint: Path | None = Field(
        default=None, description="An openai-whisper .pt checkpoint to use instead of base."
    )
    encoder_dir: Path | None = Field(
        default=None, description="A sentence-transformers folder to use instead of e5-small."
    )
    triage_model_dir: Path | None = Field(
        default=None,
        description="The trained triage model folder; default: triage-e5-v1 in models_dir.",
    )
    triage_ngram_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the character n-gram model in the triage probabilities (0: the "
        "fine-tuned encoder alone).",
    )
    triage_review_threshold: float = Field(
        # The combined models' probabilities are softer than the encoder's alone: 0.45 sends
        # the same share of test tickets (12 %) to a person as 0.6 did before.
        default=0.45,
        ge=0,
        le=1,
        description="Tickets whose triage confidence is below this are marked needs_human.",
    )
    threads: int = Field(
        default=2,
        ge=1,
        description="CPU threads per model; faster-whisper decodes this many windows at once.",
    )
    language: str | None = Field(
        default="zh", description="Whisper language code; empty for auto-detection per call."
    )
    beam_size: int = Field(
        # On the five AISHELL benchmark calls: greedy 0.123 CER at 0.082 CPU s per audio
        # second, beam 5 0.126 at 0.118 (float32 greedy 0.124 at 0.138); on a robot-voiced
        # demo call beam 5 fell into a loop (CER 1.06 against greedy's 0.68).
        default=1,
        ge=1,
        le=10,
        description="Whisper beam width; 1 is greedy decoding (a quarter less CPU than 5).",
    )
    initial_prompt: str | None = Field(
        # Measured on 40 AISHELL utterances with faster-whisper base: no prompt 0.201 CER,
        # "以下是普通话的句子。" 0.220, a longer domain prompt 0.679 (it set off repetition
        # loops). Simplified output comes from OpenCC instead.
        default=None,
        description="Text Whisper sees as the preceding context of every chunk.",
    )
    hotwords: list[str] = Field(
        default_factory=list,
        description="Domain words Whisper is told to expect (brands, 双闪, 三角警示牌...); "
        "faster-whisper's hotwords, openai-whisper's prompt.",
    )
    max_audio_seconds: float = Field(
        default=4 * 3600, gt=0, description="Longer calls are refused."
    )
    agent_channel: Literal["left", "right"] = Field(
        default="left", description="Which stereo channel carries the agent."
    )
    hold_min_seconds: float = Field(
        default=15.0, gt=0, description="Dead air at least this long counts as a hold or mute."
    )
    overtalk_min_seconds: float = Field(
        default=0.3,
        ge=0,
        description="Shorter overlaps (a quick 嗯 over the other) are not overtalk.",
    )

    rubric: str | None = Field(
        default=None,
        description="Rubric name or YAML path for every call; default: the shipped rubric of "
        "the call's scenario (rescue, complaint, fault), else general.",
    )
    rubrics_dir: Path | None = Field(
        default=None,
        description="The site's own rubrics (installed by administrators), which replace "
        "shipped ones of the same id; default: rubrics in data_dir.",
    )
    review_confidence: float = Field(
        default=0.6, ge=0, le=1, description="Calls with a less sure item go to the review queue."
    )
    llm_url: str | None = Field(
        default=None,
        description="OpenAI-compatible chat-completions base URL (e.g. http://127.0.0.1:8080/v1) "
        "for LLM-judged rubric items; without it those items wait for a person.",
    )
    llm_model: str = Field(default="qwen2.5-7b-instruct", description="Model name sent to it.")
    llm_api_key: str | None = Field(default=None, description="Bearer token, if it wants one.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds per LLM request.")
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries after a timeout, error or malformed answer."
    )
    prompts_dir: Path | None = Field(
        default=None, description="Folder of LLM prompt templates; default: the shipped prompts/."
    )
    kb_index_dir: Path | None = Field(
        default=None, description="The knowledge-base index folder; default: kb in data_dir."
    )
    kb_flat_max: int = Field(
        default=50_000,
        ge=1,
        description="Up to this many entries the dense index is exact (FAISS IndexFlatIP); above "
        "it an IVF index is built (inverted lists: much faster, slightly approximate).",
    )
    kb_ivf_nprobe: int = Field(
        default=32, ge=1, description="Inverted lists an IVF index scans per query."
    )
    kb_rrf_k: int = Field(
        default=60,
        ge=1,
        description="Reciprocal rank fusion constant: larger flattens the weight of top ranks.",
    )
    kb_candidates: int = Field(
        default=50, ge=1, description="Hits each retriever (dense, BM25) hands to the fusion."
    )
    kb_agent_weight: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Weight of the agent's turns against the customer's (1) when a call "
        "transcript is the query.",
    )
    kb_live_turns: int = Field(
        default=6, ge=1, description="Latest turns of a live partial transcript used as the query."
    )
    kb_hint_boost: float = Field(
        # Measured on the 324 evaluation queries: any boost lowered recall@1 (0.852 with none,
        # 0.818 at 0.05, 0.735 at 0.2): triage types and answer scenarios cut differently.
        default=0.0,
        ge=0,
        description="Extra fused score, as a share of a first rank's, for standard answers of the "
        "ticket's triage type and cases of its subsystem (0: the hint is only returned).",
    )
    batch_workers: int | None = Field(
        default=None,
        ge=1,
        description="Worker processes (or Ray actors) of `qa-assist batch`, each with its own "
        "models; default: one per CPU core. Each gets max(1, cores // workers) threads.",
    )
    ray_address: str | None = Field(
        default=None,
        description="Ray cluster the batch's `--engine ray` joins (e.g. ray://head:10001 or "
        "auto); default: a local Ray instance with one CPU per core.",
    )
    report_url: str | None = Field(
        default=None,
        description="Address of the web UI the daily report links calls to; default: "
        "http://host:port of these settings.",
    )
    report_baseline_days: int = Field(
        default=7,
        ge=1,
        description="Days before the report's date that category alerts compare with.",
    )
    report_spike_ratio: float = Field(
        default=2.0,
        gt=1,
        description="A ticket category is alerted when its share of the day's calls is this many "
        "times its share over the baseline days...",
    )
    report_spike_min_calls: int = Field(
        default=3, ge=1, description="...and it has at least this many calls that day."
    )
    health_min_word_probability: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="A transcript whose mean word probability is lower counts as low-confidence "
        "audio in the report's transcription health.",
    )
    health_max_unsure_share: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="...as does one with a larger share of segments Whisper was unsure of "
        "(mean token log-probability below -1).",
    )
    # --- Access (qa_assist/auth): browser sessions
    session_hours: float = Field(
        default=12, gt=0, description="How long a browser stays signed in (a working shift)."
    )
    login_max_failures: int = Field(
        default=5,
        gt=0,
        description="Failed sign-ins of one account from one address before it must wait.",
    )
    login_lockout_seconds: float = Field(
        default=300,
        gt=0,
        description="The window failed sign-ins are counted over, and the longest wait.",
    )
    session_cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only; turn on behind a TLS proxy.",
    )
    # --- Service: uploads and the background job worker (qa_assist/jobs)
    upload_max_bytes: int = Field(
        # A 4-hour call (max_audio_seconds) as 8 kHz 16-bit stereo WAV is 461 MB.
        default=512 * 1024 * 1024,
        ge=1,
        description="Largest recording an upload may carry; larger ones are refused (413).",
    )
    upload_max_files: int = Field(default=50, ge=1, description="Recordings per upload request.")
    worker_enabled: bool = Field(
        default=True,
        description="Process uploaded recordings in the service process; off for a service "
        "that only takes uploads while another one works the queue.",
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for a queued job."
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often a worker says it is still on its job."
    )
    job_stale_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A running job whose worker has not said so for this long is taken for "
        "abandoned (the process died) and claimed again.",
    )
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Claims of a job before it is failed: a recording that kills its worker "
        "every time is not tried for ever.",
    )
    # Web pages (qa_assist/web)
    web_page_size: int = Field(default=25, ge=1, le=500, description="Rows per page of a list.")
    web_export_max_rows: int = Field(
        default=10_000, ge=1, description="Most rows an exported list (XLSX, CSV) holds."
    )
    web_dashboard_days: int = Field(
        default=30, ge=1, le=366, description="Days the dashboard shows when no period is given."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @model_validator(mode="after")
    def _stale_after_heartbeats(self) -> Settings:
        if self.job_stale_seconds <= 2 * self.worker_heartbeat_seconds:
            raise ValueError(
                "job_stale_seconds must be over twice worker_heartbeat_seconds, or a live "
                "worker's job is taken from it"
            )
        return self

    @field_validator("language", mode="before")
    @classmethod
    def _empty_language_means_auto(cls, value: object) -> object:
        return None if value in ("", "auto") else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("QA_ASSIST_CONFIG")
        if config_file:
            from pydantic_settings import YamlConfigSettingsSource

            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'qa_assist.db').resolve()}"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def upload_dir(self) -> Path:
        """Uploaded recordings waiting for the worker."""
        return self.data_dir / "uploads"

    @property
    def resolved_rubrics_dir(self) -> Path:
        return self.rubrics_dir or self.data_dir / "rubrics"

    @property
    def resolved_kb_index_dir(self) -> Path:
        return self.kb_index_dir or self.data_dir / "kb"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
