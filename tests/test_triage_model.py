"""The trained triage model on the real encoder and the real data set: the issue's targets on
the test split, safety rules over the model, entities, review threshold, artefact handling,
and the ticket quality check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from qa_assist.models import ModelError, ModelRegistry
from qa_assist.settings import Settings
from qa_assist.triage import load_tickets
from qa_assist.triage.build import BuildOutcome, ensure_trained
from qa_assist.triage.classifier import TriageClassifier
from qa_assist.triage.evaluation import TriageEvaluation, evaluate
from qa_assist.triage.manifest import FORMAT_VERSION, HEADS, TriageModelMissing
from qa_assist.triage.ngram import (
    CombinedModel,
    load_ngram_model,
    read_ngram_manifest,
    save_ngram_model,
)
from qa_assist.triage.quality import TicketChecker, TicketRecord, agent_error_rates
from qa_assist.triage.training import TrainingOptions, train_triage_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def classifier(triage_build: BuildOutcome, registry: ModelRegistry) -> TriageClassifier:
    return registry.triage_classifier()


@pytest.fixture(scope="session")
def test_split(classifier: TriageClassifier) -> TriageEvaluation:
    return evaluate(classifier, load_tickets(split="test"), "test")


# The issue asks for type macro-F1 >= 0.92 and subsystem macro-F1 >= 0.85 on the test split;
# the encoder and n-gram models combined reach 0.932 and 0.862 (README, Triage). The floors are
# the targets themselves.
TYPE_MACRO_F1_FLOOR = 0.92
SUBSYSTEM_MACRO_F1_FLOOR = 0.85


def test_type_macro_f1_on_the_test_split(test_split: TriageEvaluation) -> None:
    assert test_split.tickets == 461
    assert test_split.type.macro_f1 >= TYPE_MACRO_F1_FLOOR, test_split.type


def test_p0_recall_with_rules_on_the_test_split(test_split: TriageEvaluation) -> None:
    assert test_split.p0_recall >= 0.98


def test_subsystem_macro_f1_on_fault_tickets_of_the_test_split(
    test_split: TriageEvaluation,
) -> None:
    assert test_split.subsystem.tickets == 297
    assert test_split.subsystem.macro_f1 >= SUBSYSTEM_MACRO_F1_FLOOR, test_split.subsystem


def test_manifest_records_data_labels_metrics_and_version(triage_build: BuildOutcome) -> None:
    manifest = triage_build.manifest
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.labels == HEADS
    assert len(manifest.data_sha256) == 64
    assert "test" not in manifest.trained_on
    assert set(manifest.metrics["test"]) >= {"type_macro_f1", "subsystem_macro_f1", "p0_recall"}
    assert triage_build.version.startswith(f"{FORMAT_VERSION}@")
    weights = triage_build.folder / "weights.safetensors"
    assert weights.stat().st_size < 100e6  # the trained layers only, not the 470 MB encoder
    assert weights.stat().st_mode & 0o044  # readable by a service running as another user


def test_training_again_on_the_same_data_is_a_no_op(
    settings: Settings, triage_build: BuildOutcome
) -> None:
    again = ensure_trained(settings)
    assert not again.trained and again.version == triage_build.version
    assert again.metrics["test"]["type_macro_f1"] >= TYPE_MACRO_F1_FLOOR  # the combined models'


def test_the_classifier_averages_the_encoder_and_the_ngram_models(
    classifier: TriageClassifier, registry: ModelRegistry, tmp_path: Path
) -> None:
    combined = classifier.model
    assert isinstance(combined, CombinedModel) and combined.ngram_weight == 0.5
    text = "后排娱乐屏一直没声音，想约个时间修一下"
    (mixed,) = combined.predict([text])
    (dense,) = combined.encoder_model.predict([text])
    (sparse,) = combined.ngram.predict([text])
    for label, score in mixed.type.items():
        assert score == pytest.approx((dense.type[label] + sparse.type[label]) / 2, abs=1e-6)
    # Saved as arrays and read back, the n-gram model gives the same probabilities.
    save_ngram_model(
        combined.ngram, read_ngram_manifest(registry.triage_ngram_dir()), tmp_path / "ngram"
    )
    (again,) = load_ngram_model(tmp_path / "ngram").predict([text])
    assert again.subsystem == pytest.approx(sparse.subsystem, abs=1e-9)
    assert set(sparse.subsystem) == set(HEADS["subsystem"])


def test_a_safety_rule_forces_p0_and_says_why(classifier: TriageClassifier) -> None:
    result = classifier.classify("空调出风口没问题，就是开着开着发动机舱冒烟了，我停在小区门口了")
    assert result.priority == "P0"
    reason = result.priority_reasons[0]
    assert reason.source == "rule" and reason.rule_id == "smoke" and "冒烟" in (reason.phrase or "")


def test_without_a_safety_rule_the_model_decides(classifier: TriageClassifier) -> None:
    result = classifier.classify("请问电池质保几年？")
    assert result.type == "consultation" and result.priority == "P3"
    assert result.subsystem is None
    assert [reason.source for reason in result.priority_reasons] == ["model"]


def test_a_fault_gets_a_subsystem_and_all_scores(classifier: TriageClassifier) -> None:
    result = classifier.classify("开空调的时候出风口一直是热风，制冷完全不行，车是比亚迪汉")
    assert result.type == "fault" and result.subsystem == "hvac"
    assert set(result.type_scores) == set(HEADS["type"])
    assert sum(result.type_scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert set(result.subsystem_scores) == set(HEADS["subsystem"])


def test_entities_come_with_the_result(classifier: TriageClassifier) -> None:
    text = "G15沈海高速K1234+500爆胎了，车牌粤B·D12345，VIN LSVAU2180N2183294，电话138-1234-5678"
    result = classifier.classify(text)
    assert [plate.value for plate in result.entities.plates] == ["粤BD12345"]
    assert [phone.value for phone in result.entities.phones] == ["13812345678"]
    assert result.entities.vins and result.entities.locations
    assert result.priority == "P0"


def test_escalation_risk_of_a_complaint_names_the_phrase(classifier: TriageClassifier) -> None:
    result = classifier.classify(
        "修了三次还是漏水，4S店一直推脱，再不解决我就找媒体曝光，还要打12315"
    )
    assert result.type == "complaint"
    assert result.escalation_risk.level == "high"
    assert {"media", "regulator"} <= {trigger.signal for trigger in result.escalation_risk.triggers}


def test_needs_human_follows_the_threshold(classifier: TriageClassifier) -> None:
    text = "车子有点问题"
    sure = TriageClassifier(classifier.model, review_threshold=0.0).classify(text)
    unsure = TriageClassifier(classifier.model, review_threshold=1.0).classify(text)
    assert not sure.needs_human and unsure.needs_human
    assert 0 < sure.confidence <= max(sure.type_scores.values())


def test_a_batch_gives_what_single_calls_give(classifier: TriageClassifier) -> None:
    texts = [ticket.text for ticket in load_tickets(split="dev")[:12]]
    batch = classifier.classify_batch(texts, batch_size=5)
    for text, result in zip(texts, batch, strict=True):
        single = classifier.classify(text)
        assert (single.type, single.subsystem, single.priority) == (
            result.type,
            result.subsystem,
            result.priority,
        )
        assert single.confidence == pytest.approx(result.confidence, abs=1e-4)


def test_a_missing_model_says_how_to_train_one(settings: Settings, tmp_path: Path) -> None:
    registry = ModelRegistry(
        Settings(**{**settings.model_dump(), "triage_model_dir": tmp_path / "none"})
    )
    with pytest.raises(TriageModelMissing, match="qa-assist triage train"):
        registry.triage_classifier()


def test_a_model_for_another_encoder_is_refused(
    settings: Settings, triage_build: BuildOutcome, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(triage_build.folder, copy)
    manifest_path = copy / "triage_manifest.json"
    # Same length, so the folder's own checksum manifest still takes the copy for complete.
    trained_on = triage_build.manifest.encoder
    fake = trained_on.split("@")[0] + "@" + "0" * len(trained_on.split("@")[1])
    manifest_path.write_text(
        manifest_path.read_text(encoding="utf-8").replace(trained_on, fake), encoding="utf-8"
    )
    from qa_assist.triage.model import load_triage_model

    with pytest.raises(ModelError, match="trained on multilingual-e5-small@000000000000"):
        load_triage_model(copy, ModelRegistry(settings).encoder_dir())


def test_training_is_deterministic(registry: ModelRegistry) -> None:
    tickets = load_tickets(split="train")[:24]
    options = replace(TrainingOptions(), epochs=1, frozen_layers=11, max_length=48)
    first, second = (train_triage_model(tickets, registry.encoder_dir(), options) for _ in range(2))
    for name, weight in first.network.trained_state().items():
        assert torch.equal(weight, second.network.trained_state()[name]), name


CALL = (
    "客服：您好，请问有什么可以帮您？\n"
    "客户：我在G4京港澳高速K1020附近，车突然熄火了，打不着火，停在应急车道\n"
    "客服：请您先打双闪，人员撤到护栏外。请问车牌号和电话？\n"
    "客户：车牌粤B12345，电话13812345678"
)


def test_quality_check_finds_wrong_fields_and_a_low_priority(classifier: TriageClassifier) -> None:
    good = TicketRecord(
        id="1",
        type="rescue",
        agent_id="a1",
        priority="P0",
        plate="粤B12345",
        phone="13812345678",
        location="G4京港澳高速K1020",
        description="高速熄火",
    )
    bad = replace(
        good,
        id="2",
        agent_id="a2",
        type="consultation",
        priority="P2",
        plate="粤B12845",
        phone="1381234567",
        location=None,
    )
    reports = TicketChecker(classifier).check_batch([(good, CALL), (bad, CALL)])
    assert reports[0].issues == () and reports[0].call_type == "rescue"
    codes = {issue.code for issue in reports[1].issues}
    assert {"plate_mismatch", "invalid_phone", "priority_too_low", "type_mismatch"} <= codes
    rates = {rate.agent_id: rate for rate in agent_error_rates(reports)}
    assert rates["a1"].error_rate == 0 and rates["a2"].error_rate == 1
    assert rates["a2"].issues["priority_too_low"] == 1


def test_quality_check_reports_fields_the_template_requires(classifier: TriageClassifier) -> None:
    record = TicketRecord(id="3", type="rescue", priority="P0", description="高速熄火")
    (report,) = TicketChecker(classifier).check_batch([(record, CALL)])
    missing = {
        issue.field: issue.message for issue in report.issues if issue.code == "missing_field"
    }
    assert set(missing) == {"phone", "plate", "location"}
    assert "粤B12345" in missing["plate"]  # the message says what the call said


def test_a_ticket_record_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ticket field"):
        TicketRecord.from_dict({"id": "1", "type": "fault", "colour": "red"})
