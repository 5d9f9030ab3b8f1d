"""What the customer said, without the wrapping a channel adds around it.

Tickets arrive as web forms (``车牌号：…`` fields), e-mails (subject lines, sign-offs), chats
and call transcripts (the agent's scripted turns). The wrapping says nothing about the kind of
ticket but outweighs the story in a mean-pooled embedding, and identifiers (VIN, plate, phone
number) are random strings that only cost tokens. The classifier therefore sees the content
that this module keeps: the customer's words, with identifiers cut out.
"""

from __future__ import annotations

import re
import unicodedata

from qa_assist.triage.entities import extract_entities

# Turns spoken by the agent are scripted greetings and requests for the plate number.
_AGENT_TURN = re.compile(r"^\s*(?:客服|坐席|座席|工作人员|agent|operator)\s*[:：]", re.IGNORECASE)
_CUSTOMER_LABEL = re.compile(
    r"^\s*(?:客户|来电人|车主|用户|customer|caller)\s*[:：]\s*", re.IGNORECASE
)
# Form and e-mail header fields that carry identifiers or metadata, never the story.
_METADATA_FIELD = re.compile(
    r"^(?:车型|车牌号?码?|vin|车架号|联系电话|电话|手机号?|联系人|姓名|主题|subject)\s*[:：].*$",
    re.IGNORECASE,
)
# Whole lines that are courtesy, not content: greetings, sign-offs, signatures, lone
# punctuation, and the labels left behind once identifiers are cut ("车牌是 电话").
_COURTESY_LINE = re.compile(
    r"^(?:(?:尊敬的)?客服(?:你好|您好|在吗)?|你好|您好|在吗|有人吗|人呢|hi|hello|dear team|dear sir or madam"
    r"|to whom it may concern|谢谢(?:你们|您)?|多谢|thx|thanks|thank you|盼复|此致|敬礼|麻烦了|麻烦尽快回复"
    r"|好的|regards|best regards|best|cheers|sincerely|[\u4e00-\u9fff]{1,2}(?:先生|女士|小姐|师傅)"
    r"|(?:嗯\s*)?(?:是\s*)?(?:(?:车牌号?|牌照|电话|手机|vin)(?:是)?\s*)+)?[\s\W]*$",
    re.IGNORECASE,
)
_ENGLISH_SIGNATURE = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")
_DESCRIPTION_LABEL = re.compile(r"^(?:问题描述|故障描述|描述|内容)\s*[:：]\s*")
_CHANNEL_TAG = re.compile(r"^【[^】]*】\s*")
# Forms join their fields with new lines, " | " or "；" (split after NFKC: "|" and ";").
_FIELD_SEPARATOR = re.compile(r"\n|\s\|\s|;")


def customer_content(text: str) -> str:
    """The customer's words of ``text``: NFKC-normalised, without agent turns, speaker labels,
    channel tags, metadata fields, courtesy lines and VIN/plate/phone strings; one line per
    kept piece."""
    text = unicodedata.normalize("NFKC", text)
    entities = extract_entities(text)
    # Cut identifiers from the end backwards so earlier offsets stay valid.
    for item in sorted(
        (*entities.vins, *entities.plates, *entities.phones), key=lambda e: -e.start
    ):
        text = text[: item.start] + text[item.end :]
    kept: list[str] = []
    for piece in _FIELD_SEPARATOR.split(text):
        piece = _CHANNEL_TAG.sub("", piece.strip())
        if _AGENT_TURN.match(piece):
            continue
        piece = _CUSTOMER_LABEL.sub("", piece)
        if _METADATA_FIELD.match(piece):
            continue
        piece = _DESCRIPTION_LABEL.sub("", piece).strip()
        if piece and not _COURTESY_LINE.match(piece) and not _ENGLISH_SIGNATURE.match(piece):
            kept.append(piece)
    # A text that was all wrapping (e.g. only a form header) still gets classified on something.
    return "\n".join(kept) or text.strip()
