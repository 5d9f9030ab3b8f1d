"""Item-level accuracy of the rubric engine on the labelled evaluation set.

    python benchmarks/rubric_accuracy.py [--seed 1] [--modes clean noisy audio] [--out DIR]

clean: the scripts as a perfect recognizer would write them; noisy: the scripts with simulated
ASR errors (homophone / near-pinyin substitutions, deletions; CER printed); audio: the calls
synthesised with espeak-ng into dual-channel WAVs and transcribed by our pipeline (cached in
--out, so a rerun only re-scores). Each mode prints agreement, Cohen's κ, total-score MAE,
per-item agreement and suggested threshold changes; with more than one mode, the threshold
suggestions pooled over all of them follow (one rubric serves every kind of transcript).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from qa_assist.demo import generate_call
from qa_assist.demo.script import Dialogue
from qa_assist.models import ModelRegistry
from qa_assist.score import rubric_for_scenario, scorer_from_settings
from qa_assist.score.calibration import (
    HumanScore,
    calibrate,
    format_report,
    format_suggestions,
)
from qa_assist.score.eval import (
    NOISY_RATE,
    AsrNoise,
    EvalCall,
    build_eval_set,
    evaluate,
    scripted_transcript,
)
from qa_assist.settings import Settings
from qa_assist.transcribe import Transcriber, Transcript
from qa_assist.transcribe.cer import character_errors


def noisy_transcripts(calls: list[EvalCall], seed: int) -> tuple[dict[str, Transcript], float]:
    noise = AsrNoise(NOISY_RATE, seed)
    errors = characters = 0

    def heard(text: str) -> str:
        nonlocal errors, characters
        wrong = noise(text)
        count, length = character_errors(text, wrong)
        errors, characters = errors + count, characters + length
        return wrong

    transcripts = {
        call.id: scripted_transcript(call.id, call.turns, heard, "script+asr-noise")
        for call in calls
    }
    return transcripts, errors / characters


def audio_transcripts(
    calls: list[EvalCall], folder: Path, settings: Settings, registry: ModelRegistry
) -> tuple[dict[str, Transcript], float]:
    transcriber = Transcriber(settings, registry)
    transcripts = {}
    errors = characters = 0
    for call in calls:
        cached = folder / f"{call.id}.transcript.json"
        if cached.exists():
            transcript = Transcript.from_dict(json.loads(cached.read_text(encoding="utf-8")))
        else:
            dialogue = Dialogue(
                call.id, call.scenario, call.id, not call.violations, call.violations, call.turns
            )  # type: ignore[arg-type]
            generated = generate_call(dialogue, folder)
            transcript = transcriber.transcribe(generated.path)
            cached.write_text(
                json.dumps(transcript.to_dict(), ensure_ascii=False), encoding="utf-8"
            )
        transcripts[call.id] = transcript
        count, length = character_errors("".join(t.text for t in call.turns), transcript.text)
        errors, characters = errors + count, characters + length
    return transcripts, errors / characters


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="1: the evaluation set; 0: the development split"
    )
    parser.add_argument("--calls-per-scenario", type=int, default=22)
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["clean", "noisy", "audio"],
        choices=["clean", "noisy", "audio"],
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/rubric_eval"))
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()

    settings = Settings()
    registry = ModelRegistry(settings)
    scorer = scorer_from_settings(settings, registry)
    calls = build_eval_set(args.calls_per_scenario, args.seed)
    print(
        f"{len(calls)} calls (seed {args.seed}), {sum(len(c.expected) for c in calls)} labelled item verdicts"
    )
    rows = []
    pooled = []
    for mode in args.modes:
        started = time.perf_counter()
        cer = 0.0
        if mode == "clean":
            transcripts = {call.id: scripted_transcript(call.id, call.turns) for call in calls}
        elif mode == "noisy":
            transcripts, cer = noisy_transcripts(calls, args.seed)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            transcripts, cer = audio_transcripts(calls, args.out, settings, registry)
        report, scores = evaluate(calls, transcripts, scorer)
        queued = sum(score.needs_review for score in scores)
        print(
            f"\n== {mode}: CER {cer:.3f}, {time.perf_counter() - started:.0f} s, {queued} calls to the review queue"
        )
        print(format_report(report))
        if args.verbose:
            for item in report.items:
                for line in item.disagreements:
                    print(f"  {item.item_id}: {line}")
        rows.append((mode, cer, report.agreement, report.kappa, report.total_mae, queued))
        pooled += [
            (score, HumanScore(f"{mode}:{c.id}", c.expected)) for score, c in zip(scores, calls)
        ]
    if len(args.modes) > 1:
        rubrics = [rubric_for_scenario(scenario) for scenario in {c.scenario for c in calls}]
        print(f"\n== pooled over {', '.join(args.modes)}")
        print(format_suggestions(calibrate(pooled, rubrics).suggestions))
    print("\n| transcripts | CER | item accuracy | Cohen's κ | total MAE | calls to review |")
    print("| --- | --- | --- | --- | --- | --- |")
    for mode, cer, agreement, kappa, mae, queued in rows:
        print(
            f"| {mode} | {cer:.2f} | {agreement:.3f} | {kappa if kappa is not None else 'n/a'} | {mae:.1f} | {queued}/{len(calls)} |"
        )


if __name__ == "__main__":
    main()
