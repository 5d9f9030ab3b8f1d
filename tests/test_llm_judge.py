"""The LLM judge against a local HTTP server that speaks the chat-completions protocol."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa_assist.score import Scorer, load_rubric
from qa_assist.score.chat import ChatClient, ChatEndpoint
from qa_assist.score.judges import make_judges
from qa_assist.score.prompts import PromptError, render_prompt
from qa_assist.transcribe import Segment, Transcript

CALL = Transcript(
    "call.wav",
    "zh",
    60.0,
    "test",
    "whisper-test",
    "channel",
    (
        Segment(0.5, 4.0, "agent", "您好，客服中心，工号一零二四。"),
        Segment(5.0, 9.0, "customer", "我的车在高速上坏了，特别着急。"),
        Segment(10.0, 14.0, "agent", "理解您的心情，我马上帮您安排救援。"),
    ),
)


class FakeLLM:
    """Replies queued by the test, one per request; records what it was sent."""

    def __init__(self) -> None:
        self.replies: list[str | int | float] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []

    def reply(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers["Content-Length"])
        self.requests.append(json.loads(handler.rfile.read(length)))
        self.headers.append(dict(handler.headers))
        answer = self.replies.pop(0) if self.replies else "{}"
        if isinstance(answer, float):  # silence longer than the client waits; then hang up
            time.sleep(answer)
            return
        if isinstance(answer, int):  # an HTTP error status
            handler.send_response(answer)
            handler.end_headers()
            return
        body = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": self.requests[-1]["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": answer},
                    }
                ],
            }
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture()
def llm() -> Iterator[tuple[FakeLLM, str]]:
    fake = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            assert self.path == "/v1/chat/completions"
            fake.reply(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _empathy(url: str, retries: int = 2, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    client = ChatClient(ChatEndpoint(url, "test-model", api_key="secret", timeout=timeout))
    scorer = Scorer(
        make_judges(chat=client, llm_retries=retries), {"llm_judge": lambda: client.version}
    )
    return scorer.score(CALL, load_rubric("general"), "general")


def _answer(verdict: str, quote: str, reason: str = "表达了理解") -> str:
    return json.dumps({"verdict": verdict, "evidence": quote, "reason": reason}, ensure_ascii=False)


def test_a_verdict_with_a_real_quote_scores_with_evidence(llm) -> None:
    fake, url = llm
    fake.replies = [_answer("pass", "理解您的心情")]
    score = _empathy(url)
    empathy = score.item("empathy")
    assert empathy.verdict == "pass" and empathy.reason == "表达了理解"
    assert empathy.evidence[0].turn_id == 2 and empathy.evidence[0].check == "llm_judge"
    assert score.model_versions["llm_judge"] == f"test-model@{url}"
    request = fake.requests[0]
    assert request["model"] == "test-model" and request["temperature"] == 0
    prompt = request["messages"][0]["content"]
    assert "坐席是否表达了理解或安抚" in prompt and "[1] 客户（5秒）：我的车在高速上坏了" in prompt
    assert fake.headers[0]["Authorization"] == "Bearer secret"


def test_a_malformed_answer_is_retried(llm) -> None:
    fake, url = llm
    fake.replies = [
        "当然！这位坐席很有同理心。",
        "```json\n" + _answer("fail", "", "没有安抚") + "\n```",
    ]
    empathy = _empathy(url).item("empathy")
    assert empathy.verdict == "fail" and len(fake.requests) == 2


@pytest.mark.parametrize(
    "replies",
    [
        ["not json"] * 3,
        [_answer("pass", "我们一定给您免单")] * 3,  # a quote the call does not hold
        [json.dumps({"verdict": "maybe", "evidence": "", "reason": ""})] * 3,
        [500, 503, 502],
    ],
    ids=["malformed", "invented-quote", "bad-verdict", "http-errors"],
)
def test_no_usable_answer_is_not_judged_never_pass_or_fail(llm, replies) -> None:
    fake, url = llm
    fake.replies = list(replies)
    score = _empathy(url)
    empathy = score.item("empathy")
    assert empathy.verdict == "needs_review" and empathy.reason.startswith("not judged")
    assert len(fake.requests) == 3 and score.needs_review
    assert score.item("greeting").verdict == "pass"  # everything else still scores


def test_a_timeout_is_not_judged(llm) -> None:
    fake, url = llm
    fake.replies = [1.5]
    empathy = _empathy(url, retries=0, timeout=0.5).item("empathy")
    assert empathy.verdict == "needs_review" and "timed out" in empathy.reason


def test_an_unreachable_endpoint_is_not_judged() -> None:
    empathy = _empathy("http://127.0.0.1:9/v1", retries=1, timeout=1.0).item("empathy")
    assert empathy.verdict == "needs_review" and "cannot reach" in empathy.reason


def test_prompts_fail_loudly_on_a_missing_variable_or_template(tmp_path) -> None:
    (tmp_path / "broken.j2").write_text("{{ criterion }} {{ missing }}", encoding="utf-8")
    with pytest.raises(PromptError, match="missing"):
        render_prompt("broken.j2", tmp_path, criterion="x")
    with pytest.raises(PromptError, match="no prompt template"):
        render_prompt("nope.j2", tmp_path)
