"""Throughput of the nightly batch on this machine against the openai-whisper CLI.

    python benchmarks/batch_throughput.py [--calls 50] [--cli-sample 3] [--engines local ray]
                                          [--workers N] [--out DIR]

A synthetic day: ``--calls`` dual-channel calls of 2-6 minutes (``--min-minutes`` ..
``--max-minutes``), each a conversation of turns drawn at random from real Mandarin speech
(the AISHELL-dev utterances in ../shared/data/aishell-dev) and from the demo generator's
scripted hotline turns (espeak-ng), the agent on the left channel and the customer on the
right, with the pauses of a phone line between turns and line hiss under both.

Each engine runs ``qa-assist batch`` over the whole day into a fresh data folder, as the cron
job would (process start, model loading, transcription, triage, scoring, database, report:
everything counts). The openai-whisper CLI (base model, its defaults, Chinese) then transcribes
the same files one after the other in one process; at about 3 s per audio second on 2 cores a
whole day would take hours, so by default it runs on a sample of ``--cli-sample`` calls spread
over the range of lengths and its throughput is extrapolated from that SAMPLE (said so in the
output). ``--cli-sample 0`` runs it on every call. The CLI only transcribes: the comparison is
generous to it. It can also fall into decoding loops on a call (temperature fallback over
and over): after ``--cli-timeout-factor`` seconds per audio second it is stopped and its
figures are marked ``"finished": false`` (bounds, not measurements).

Prints one JSON line per system (calls/hour and audio hours per wall hour, and CPU seconds per
audio second, the steadier number on a shared machine) and the ratios, and writes them to
``<out>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from call_set import AISHELL_DIR
from transcribe_speed import OPENAI_CLI

from qa_assist.models.catalog import OPENAI_CHECKPOINT_NAME, WHISPER_OPENAI
from qa_assist.settings import get_settings
from qa_assist.transcribe.audio import SAMPLE_RATE, load_audio

#: Pauses between turns on a phone line: quick replies, thinking, typing.
PAUSE_RANGE_SECONDS = (0.4, 2.5)
HISS = 5e-4


@dataclass(frozen=True)
class DayCall:
    path: Path
    seconds: float


def _speech_pool(folder: Path) -> list[np.ndarray]:
    """Real utterances (AISHELL) and scripted hotline turns cut from the demo calls."""
    from qa_assist.demo import generate_demo_calls

    pool = [load_audio(wav, 60).channels[0] for wav in sorted(AISHELL_DIR.glob("*.wav"))]
    for call in generate_demo_calls(folder / "demo"):
        channels = load_audio(call.path, 3600).channels
        for turn in call.turns:
            first, last = int(turn.start * SAMPLE_RATE), int(turn.end * SAMPLE_RATE)
            pool.append(channels[turn.channel, first:last])
    if not pool:
        raise SystemExit(f"no speech: {AISHELL_DIR} is empty and no demo call was made")
    return pool


def make_day(folder: Path, calls: int, minutes: tuple[float, float], seed: int) -> list[DayCall]:
    """``calls`` stereo recordings in a folder of their own under ``folder`` (kept for the next
    run of the same shape: the batch is given the whole folder)."""
    day = folder / f"day-{seed}-{calls}x{minutes[0]:g}-{minutes[1]:g}min"
    rng = random.Random(seed)
    lengths = [rng.uniform(*minutes) * 60 for _ in range(calls)]
    names = [
        f"call-{seed}-{number:03d}-{int(length)}s.wav" for number, length in enumerate(lengths)
    ]
    if not all((day / name).exists() for name in names):
        day.mkdir(parents=True, exist_ok=True)
        pool = _speech_pool(folder)
        for number, (name, length) in enumerate(zip(names, lengths, strict=True)):
            pieces, filled, speaker = [], 0.0, 0
            while filled < length:
                speech = rng.choice(pool)
                pause = np.zeros(int(rng.uniform(*PAUSE_RANGE_SECONDS) * SAMPLE_RATE), np.float32)
                turn = np.zeros((2, len(speech) + len(pause)), np.float32)
                turn[speaker, : len(speech)] = speech
                pieces.append(turn)
                filled += turn.shape[1] / SAMPLE_RATE
                speaker = 1 - speaker
            stereo = np.concatenate(pieces, axis=1)
            stereo += np.random.default_rng(number).normal(0, HISS, stereo.shape).astype(np.float32)
            soundfile.write(day / name, stereo.T, SAMPLE_RATE, subtype="PCM_16")
    return [DayCall(day / name, soundfile.info(day / name).duration) for name in names]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(
    command: list[str], timeout: float | None = None
) -> tuple[subprocess.CompletedProcess[str] | None, float, float]:
    """The finished command (None when it ran out of time and was killed), its wall seconds
    and the CPU seconds of it and the processes it waited for (for Ray: the driver only, its
    workers are the cluster's)."""
    started, cpu = time.perf_counter(), _children_cpu()
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        result = None
    return result, time.perf_counter() - started, _children_cpu() - cpu


def _rate(system: str, calls: int, audio_seconds: float, wall_seconds: float, **extra) -> dict:
    hours = wall_seconds / 3600
    return {
        "system": system,
        "calls": calls,
        "audio_hours": round(audio_seconds / 3600, 3),
        "wall_seconds": round(wall_seconds, 1),
        "calls_per_hour": round(calls / hours, 1),
        "audio_hours_per_wall_hour": round(audio_seconds / 3600 / hours, 2),
        **extra,
    }


def run_batch(engine: str, day: list[DayCall], folder: Path, workers: int | None) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"batch-{engine}-", dir=folder))
    command = [sys.executable, "-m", "qa_assist", "batch", str(day[0].path.parent)]
    command += ["--engine", engine, "--json", "--data-dir", str(data_dir)]
    command += ["--workers", str(workers)] if workers else []
    result, wall, cpu = _timed(command)
    if not result.stdout.strip():
        raise SystemExit(f"batch on {engine} failed:\n{result.stderr[-3000:]}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    if summary["failed"]:
        raise SystemExit(f"batch on {engine}: {summary['failures']}")
    return _rate(
        f"qa-assist batch --engine {engine}",
        summary["scored"],
        summary["audio_hours"] * 3600,
        wall,
        workers=summary["workers"],
        threads_per_worker=summary["threads"],
        # Ray's workers are the cluster's processes, not ours: their CPU is not counted here.
        cpu_seconds_per_audio_second=(
            round(cpu / (summary["audio_hours"] * 3600), 3) if engine == "local" else None
        ),
    )


def cli_sample(day: list[DayCall], size: int) -> list[DayCall]:
    """``size`` calls spread evenly over the range of lengths (all of them when 0)."""
    ordered = sorted(day, key=lambda call: call.seconds)
    if size <= 0 or size >= len(ordered):
        return ordered
    return [ordered[round(i * (len(ordered) - 1) / max(1, size - 1))] for i in range(size)]


def run_cli(day: list[DayCall], sample: list[DayCall], timeout_factor: float) -> dict:
    checkpoint = get_settings().models_dir / WHISPER_OPENAI / OPENAI_CHECKPOINT_NAME
    files = json.dumps([str(call.path) for call in sample])
    audio = sum(call.seconds for call in sample)
    command = [sys.executable, "-c", OPENAI_CLI, files, str(checkpoint)]
    result, wall, cpu = _timed(command, timeout_factor * audio if timeout_factor else None)
    if result is not None and result.returncode:
        raise SystemExit(f"the openai-whisper CLI failed:\n{result.stderr[-3000:]}")
    measured = _rate(
        "openai-whisper CLI (base, sequential)",
        len(sample),
        audio,
        wall,
        cpu_seconds_per_audio_second=round(cpu / audio, 3),
        # Stopped before the end (it can fall into decoding loops): the rates are upper
        # bounds of its throughput, the ratios below lower bounds of ours against it.
        finished=result is not None,
    )
    if len(sample) == len(day):
        return measured
    # Extrapolated to the whole day at the sample's seconds of wall time per audio second.
    day_audio = sum(call.seconds for call in day)
    return _rate(
        f"openai-whisper CLI (base, sequential) EXTRAPOLATED from a SAMPLE of {len(sample)} "
        f"calls ({audio / 60:.1f} of {day_audio / 60:.1f} audio minutes)",
        len(day),
        day_audio,
        wall * day_audio / audio,
        sample=measured,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--min-minutes", type=float, default=2.0)
    parser.add_argument("--max-minutes", type=float, default=6.0)
    parser.add_argument("--cli-sample", type=int, default=3, help="0: the CLI on every call")
    parser.add_argument(
        "--cli-timeout-factor",
        type=float,
        default=10.0,
        help="stop the CLI after this many seconds per audio second of its sample (0: never); "
        "it then reports bounds",
    )
    parser.add_argument("--engines", nargs="+", choices=("local", "ray"), default=["local", "ray"])
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "qa_assist_batch_bench"
    )
    args = parser.parse_args()
    day = make_day(args.out, args.calls, (args.min_minutes, args.max_minutes), args.seed)
    print(
        json.dumps(
            {
                "day": str(day[0].path.parent),
                "calls": len(day),
                "audio_hours": round(sum(call.seconds for call in day) / 3600, 3),
                "cores": len(os.sched_getaffinity(0)),
            }
        ),
        flush=True,
    )
    results = [run_batch(engine, day, args.out, args.workers) for engine in args.engines]
    for result in results:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    cli = run_cli(day, cli_sample(day, args.cli_sample), args.cli_timeout_factor)
    print(json.dumps(cli, ensure_ascii=False), flush=True)
    # A CLI stopped before the end gives upper bounds of its throughput: ours are then at least.
    bound = "" if (cli.get("sample") or cli)["finished"] else " (at least)"
    ratios = {
        f"{result['system']} / CLI{bound}": round(
            result["audio_hours_per_wall_hour"] / cli["audio_hours_per_wall_hour"], 2
        )
        for result in results
    }
    cli_cpu = (cli.get("sample") or cli)["cpu_seconds_per_audio_second"]
    cpu_ratios = {
        f"{result['system']} / CLI{bound}": round(
            cli_cpu / result["cpu_seconds_per_audio_second"], 2
        )
        for result in results
        if result["system"].endswith("local")
    }
    print(
        json.dumps({"throughput_vs_cli": ratios, "cpu_vs_cli": cpu_ratios}, ensure_ascii=False),
        flush=True,
    )
    (args.out / "results.json").write_text(
        json.dumps(
            {"batch": results, "cli": cli, "ratios": ratios, "cpu_ratios": cpu_ratios},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
