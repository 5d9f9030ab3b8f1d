"""Speed, memory and CER of our transcription pipeline against the tools people start with.

    python benchmarks/transcribe_speed.py [--demo-calls N] [--out DIR] [--call-timeout S]

On the same dual-channel calls (AISHELL-dev utterances laid on two channels with pauses
between turns: all 150 utterances in five calls; plus N demo hotline calls), in one run:
  (a) the openai-whisper CLI with its defaults on the mixed-down mono file,
  (b) plain faster-whisper with its defaults on the mono file (int8 like ours),
  (c) our pipeline on the stereo file.
Each runs in its own process, so peak memory is its own. Prints one JSON line per system
(seconds per audio second, CPU seconds per audio second, CER over all calls, over the 150
AISHELL utterances and over the demo calls, CER per call, peak RSS) and the ratios c/a and
c/b over the calls both finished, with a 95 % bootstrap interval (over sentences) of our CER
minus theirs. With ``--call-timeout`` every call runs in a process of its own
(model loading counted each time) that is given up after that many seconds, so that one call on
which the CLI loops does not stop the run. Whisper base weights for all three come from
``qa-assist models prepare``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from call_set import BenchmarkCall, aishell_calls, demo_calls

from qa_assist.models.catalog import OPENAI_CHECKPOINT_NAME, WHISPER_CT2, WHISPER_OPENAI
from qa_assist.settings import get_settings
from qa_assist.transcribe.cer import sentence_errors

BOOTSTRAP_SAMPLES = 2000

#: Runs inside the child process: transcribes the files, then reports texts and resources.
_REPORT = """
import json, resource, sys, time
def report(texts, started, cpu_started):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"texts": texts, "seconds": time.perf_counter() - started,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_started,
                      "peak_rss_mb": usage.ru_maxrss / 1024}, ensure_ascii=False))
started, cpu_started = time.perf_counter(), sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
files = json.loads(sys.argv[1])
"""

OPENAI_CLI = (
    _REPORT
    + """
import importlib, os, tempfile
out = tempfile.mkdtemp()
sys.argv = ["whisper", *files, "--model", sys.argv[2], "--language", "zh", "--device", "cpu",
            "--output_format", "txt", "--output_dir", out, "--verbose", "False"]
importlib.import_module("whisper.transcribe").cli()  # the package shadows the module name
texts = [open(os.path.join(out, os.path.basename(f).rsplit(".", 1)[0] + ".txt")).read() for f in files]
report(texts, started, cpu_started)
"""
)

PLAIN_FASTER_WHISPER = (
    _REPORT
    + """
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[2], device="cpu", compute_type="int8", cpu_threads=2)
texts = ["".join(s.text for s in model.transcribe(f, language="zh")[0]) for f in files]
report(texts, started, cpu_started)
"""
)

OUR_PIPELINE = (
    _REPORT
    + """
from pathlib import Path
from qa_assist.models import get_registry
from qa_assist.settings import get_settings
from qa_assist.transcribe import Transcriber
transcriber = Transcriber(get_settings(), get_registry(), "faster-whisper")
texts = ["".join(t.text for t in transcriber.transcribe(Path(f)).turns) for f in files]
report(texts, started, cpu_started)
"""
)


def _child(
    name: str, script: str, files: list[Path], model: Path, timeout: float | None
) -> dict | None:
    """One child process of system ``name`` over ``files``; None when it ran out of time."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", script, json.dumps([str(f) for f in files]), str(model)],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if result.returncode:
        raise SystemExit(f"{name} failed on {files[0].name}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Measured:
    """What one child process measured over some calls."""

    calls: list[BenchmarkCall]
    texts: list[str]
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def run(
    name: str,
    script: str,
    files: list[Path],
    model: Path,
    calls: list[BenchmarkCall],
    call_timeout: float | None,
) -> tuple[list[Measured], list[BenchmarkCall]]:
    """All calls in one process, or with ``call_timeout`` one process per call, each given up
    after that many seconds (the CLI's temperature fallback can loop for most of an hour on a
    call). Returns the measurements and the calls given up."""
    if call_timeout is None:
        batches = [(calls, files)]
    else:
        batches = [([call], [file]) for call, file in zip(calls, files, strict=True)]
    measured, given_up = [], []
    for batch_calls, batch_files in batches:
        report = _child(name, script, batch_files, model, call_timeout)
        if report is None:
            given_up += batch_calls
            continue
        measured.append(
            Measured(
                batch_calls,
                report["texts"],
                report["seconds"],
                report["cpu_seconds"],
                report["peak_rss_mb"],
            )
        )
    return measured, given_up


#: (edit distance, reference characters) by (stereo file, place of the sentence in its call)
SentenceErrors = dict[tuple[Path, int], tuple[int, int]]


def sentence_errors_of(measured: list[Measured]) -> SentenceErrors:
    """(edit distance, reference characters) of every reference sentence of the measured
    calls, keyed by the call's stereo file and the sentence's place in it."""
    return {
        (call.stereo, index): counts
        for m in measured
        for call, text in zip(m.calls, m.texts, strict=True)
        for index, counts in enumerate(sentence_errors(list(call.sentences), text))
    }


def summary(
    name: str, measured: list[Measured], errors_of: SentenceErrors, only: set[Path] | None = None
) -> dict:
    """Speed, CER and memory over the measured calls (those in ``only``, by stereo path, when
    given: per-call processes only); ``errors_of`` are their sentences' errors."""
    kept = [m for m in measured if only is None or all(c.stereo in only for c in m.calls)]
    calls = {call.stereo: call for m in kept for call in m.calls}
    if not calls:
        return {"system": name, "calls": 0}
    audio = sum(call.duration for call in calls.values())
    # (edit distance, reference characters) by source of calls and by call
    by_source: dict[str, list[int]] = {}
    by_call: dict[Path, list[int]] = {}
    for (stereo, _), (wrong, total) in errors_of.items():
        if stereo not in calls:
            continue
        for counts in (
            by_source.setdefault(calls[stereo].source, [0, 0]),
            by_call.setdefault(stereo, [0, 0]),
        ):
            counts[0] += wrong
            counts[1] += total
    errors, length = (sum(column) for column in zip(*by_source.values(), strict=True))
    return {
        "system": name,
        "calls": len(calls),
        "audio_seconds": round(audio, 1),
        "seconds_per_audio_second": round(sum(m.seconds for m in kept) / audio, 4),
        "cpu_seconds_per_audio_second": round(sum(m.cpu_seconds for m in kept) / audio, 4),
        "cer": round(errors / length, 4),
        **{f"cer_{source}": round(e / n, 4) for source, (e, n) in sorted(by_source.items())},
        "peak_rss_mb": round(max(m.peak_rss_mb for m in kept)),
        "cer_per_call": {
            stereo.name.removesuffix(".stereo.wav"): round(e / n, 4)
            for stereo, (e, n) in by_call.items()
        },
    }


def cer_difference_interval(
    mine: SentenceErrors, other: SentenceErrors, sentences: set[tuple[Path, int]]
) -> tuple[float, float]:
    """95 % interval of our CER minus theirs over ``sentences``, by a paired bootstrap over
    sentences: one call's CER moves by a few points when little changes, so a difference
    inside this interval is noise. Below zero at the top: ours is better."""
    keys = sorted(sentences)
    errors = np.array([[mine[key][0], other[key][0], mine[key][1]] for key in keys])
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(keys), size=(BOOTSTRAP_SAMPLES, len(keys)))
    resampled = errors[picks].sum(axis=1)
    difference = (resampled[:, 0] - resampled[:, 1]) / resampled[:, 2]
    low, high = np.percentile(difference, [2.5, 97.5])
    return round(float(low), 4), round(float(high), 4)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo-calls", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "qa_assist_bench_calls"
    )
    parser.add_argument("--systems", nargs="+", choices="abc", default=list("abc"))
    parser.add_argument(
        "--call-timeout",
        type=float,
        help="run each call in its own process and give it up after this many seconds",
    )
    args = parser.parse_args()
    calls = aishell_calls(args.out) + demo_calls(args.out)[: args.demo_calls]
    models = get_settings().models_dir
    systems = {
        "a": (
            "a: openai-whisper CLI, mono",
            OPENAI_CLI,
            [c.mono for c in calls],
            models / WHISPER_OPENAI / OPENAI_CHECKPOINT_NAME,
        ),
        "b": (
            "b: faster-whisper, mono",
            PLAIN_FASTER_WHISPER,
            [c.mono for c in calls],
            models / WHISPER_CT2,
        ),
        "c": (
            "c: qa_assist pipeline, stereo",
            OUR_PIPELINE,
            [c.stereo for c in calls],
            models / WHISPER_CT2,
        ),
    }
    measured: dict[str, list[Measured]] = {}
    errors_of: dict[str, SentenceErrors] = {}
    for key in args.systems:
        name, script, files, model = systems[key]
        measured[key], given_up = run(name, script, files, model, calls, args.call_timeout)
        errors_of[key] = sentence_errors_of(measured[key])
        print(
            json.dumps(summary(name, measured[key], errors_of[key]), ensure_ascii=False), flush=True
        )
        if given_up:
            print(
                f"  {name}: gave up after {args.call_timeout:.0f} s on",
                *(c.stereo.name for c in given_up),
            )
    # Ratios over the calls every system finished, so that like is compared with like.
    common = set.intersection(
        *({c.stereo for m in ms for c in m.calls} for ms in measured.values())
    )
    if "c" not in measured or not common:
        return
    ours = summary(systems["c"][0], measured["c"], errors_of["c"], common)
    sentences = {key for key in errors_of["c"] if key[0] in common}
    aishell = {call.stereo for call in calls if call.source == "aishell"}
    for key, label in (("a", "openai_cli"), ("b", "plain_faster_whisper")):
        if key not in measured:
            continue
        theirs = summary(systems[key][0], measured[key], errors_of[key], common)
        print(
            json.dumps(
                {
                    "on_calls": len(common),
                    f"cer_{label}": theirs["cer"],
                    "cer_ours": ours["cer"],
                    **{
                        f"{field}_{who}": summary_of[field]
                        for field in ("cer_aishell", "cer_demo")
                        for who, summary_of in ((label, theirs), ("ours", ours))
                        if field in summary_of
                    },
                    **{
                        f"cer_ours_minus_{label}_95{suffix}": cer_difference_interval(
                            errors_of["c"], errors_of[key], chosen
                        )
                        for suffix, chosen in (
                            ("", sentences),
                            ("_aishell", {s for s in sentences if s[0] in aishell}),
                        )
                        if chosen
                    },
                    f"speedup_vs_{label}": round(
                        theirs["seconds_per_audio_second"] / ours["seconds_per_audio_second"], 2
                    ),
                    f"cpu_speedup_vs_{label}": round(
                        theirs["cpu_seconds_per_audio_second"]
                        / ours["cpu_seconds_per_audio_second"],
                        2,
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
