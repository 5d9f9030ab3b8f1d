"""The agent assist page answers a real ticket over the real server: the trained triage model
and the priority rules classify it, the entities are found, and the seeded knowledge base
(e5 index) suggests answers with the matched words marked and a copy button."""

from __future__ import annotations

import html
import re

import pytest

from qa_assist.kb import KnowledgeBase, seed_knowledge_base
from qa_assist.models import ModelRegistry
from qa_assist.triage.build import BuildOutcome

from .conftest import client_as

pytestmark = pytest.mark.slow

TICKET = "车在高速上没电了，仪表报P0A80，需要拖车"


@pytest.fixture(scope="module")
def kb(registry: ModelRegistry) -> KnowledgeBase:
    return seed_knowledge_base(registry)


def _part(page: str, testid: str) -> str:
    """The element marked ``data-testid`` up to the end of its table row or block."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</t", start)]


def test_a_ticket_gets_its_type_priority_entities_and_marked_suggestions(
    kb: KnowledgeBase, triage_build: BuildOutcome, server: str, accounts: dict[str, str]
) -> None:
    with client_as(server, accounts["agent"]) as agent:
        answer = agent.post("/assist", data={"text": TICKET})
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert 'data-testid="missing"' not in page

    assert "道路救援" in _part(page, "ticket-type")
    assert '<strong class="fatal">P0</strong>' in _part(page, "priority")
    # P0 by the stranded-on-a-motorway rule, on the phrase that fired it.
    (reason,) = re.findall(
        r'<div class="priority-reason" data-source="rule"([^>]*)>(.*?)</div>', page
    )
    assert 'data-rule="motorway_or_tunnel_stranding"' in reason[0]
    assert "高速或隧道内抛锚" in reason[1] and "<mark>没电了</mark>" in reason[1]

    entities = page[
        page.index('data-testid="entities"') : page.index(
            "</table>", page.index('data-testid="entities"')
        )
    ]
    fault_codes = re.search(r"<th>故障码</th><td>(.*?)</td>", entities)
    assert fault_codes and '<span class="chip">P0A80</span>' in fault_codes.group(1)

    hits = re.findall(
        r'data-testid="suggestion".*?(?=data-testid="suggestion"|</section>)', page, re.DOTALL
    )
    assert hits, "no suggestion"
    marked = [
        html.unescape(word) for hit in hits for word in re.findall(r"<mark>(.*?)</mark>", hit)
    ]
    # The marked words are the ticket's own (matched text, not decoration).
    assert marked and all(word.upper() in TICKET.upper() for word in marked), marked
    copies = [
        html.unescape(text)
        for text in re.findall(r'class="copy" data-text="([^"]+)">复制话术</button>', page)
    ]
    assert copies and all(len(text) > 10 for text in copies)
