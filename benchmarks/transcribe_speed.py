"""Speed, memory and CER of our transcription pipeline against the tools people start with.

    python benchmarks/transcribe_speed.py [--demo-calls N] [--out DIR]

On the same dual-channel calls (AISHELL-dev utterances laid on two channels with pauses
between turns: all 150 utterances in five calls; plus N demo hotline calls), in one run:
  (a) the openai-whisper CLI with its defaults on the mixed-down mono file,
  (b) plain faster-whisper with its defaults on the mono file (int8 like ours),
  (c) our pipeline on the stereo file.
Each runs in its own process, so peak memory is its own. Prints one JSON line per system
(seconds per audio second, CPU seconds per audio second, CER, peak RSS) and the ratios c/a and
c/b. Whisper base weights for all three come from ``qa-assist models prepare``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from call_set import BenchmarkCall, aishell_calls, demo_calls

from qa_assist.models.catalog import OPENAI_CHECKPOINT_NAME, WHISPER_CT2, WHISPER_OPENAI
from qa_assist.settings import get_settings
from qa_assist.transcribe.cer import character_errors

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


def run(name: str, script: str, files: list[Path], model: Path, calls: list[BenchmarkCall]) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps([str(f) for f in files]), str(model)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"{name} failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    audio = sum(call.duration for call in calls)
    errors = length = 0
    for call, text in zip(calls, measured["texts"], strict=True):
        wrong, total = character_errors(call.reference, text)
        errors, length = errors + wrong, length + total
    return {
        "system": name,
        "calls": len(calls),
        "audio_seconds": round(audio, 1),
        "seconds_per_audio_second": round(measured["seconds"] / audio, 4),
        "cpu_seconds_per_audio_second": round(measured["cpu_seconds"] / audio, 4),
        "cer": round(errors / length, 4),
        "peak_rss_mb": round(measured["peak_rss_mb"]),
        "wall_seconds_incl_process": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo-calls", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "qa_assist_bench_calls"
    )
    parser.add_argument("--systems", nargs="+", choices="abc", default=list("abc"))
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
    results = {}
    for key in args.systems:
        results[key] = run(*systems[key], calls)
        print(json.dumps(results[key], ensure_ascii=False), flush=True)
    if "c" not in results:
        return
    ours = results["c"]
    for key, name in (("a", "openai_cli"), ("b", "plain_faster_whisper")):
        if key in results:
            print(
                json.dumps(
                    {
                        f"speedup_vs_{name}": round(
                            results[key]["seconds_per_audio_second"]
                            / ours["seconds_per_audio_second"],
                            2,
                        ),
                        f"cpu_speedup_vs_{name}": round(
                            results[key]["cpu_seconds_per_audio_second"]
                            / ours["cpu_seconds_per_audio_second"],
                            2,
                        ),
                    }
                )
            )


if __name__ == "__main__":
    main()
