"""Peer baselines scored in the same report as the model.

- `underthesea_records`: underthesea's NER (PER -> OFFICIAL, ORG -> ORG), what a user
  would reach for otherwise.
- `rule_records`: a rule baseline written for this project: a lexicon of titles and
  ranks, capitalised-name patterns after titles or "ông/bà/đồng chí", and body names.
Both return canonical records, so the evaluator scores them exactly like the model.
"""
import re
from typing import Dict, List, Sequence

from ..text.syllables import syllable_offsets

# Positions and ranks, longest first so that "Phó Chủ tịch" wins over "Chủ tịch".
TITLE_HEADS = sorted(
    [
        "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá", "Trung tá", "Thiếu tá",
        "Tổng Bí thư", "Chủ tịch nước", "Thủ tướng", "Phó Thủ tướng", "Bộ trưởng", "Thứ trưởng",
        "Bí thư", "Phó Bí thư", "Phó Bí thư Thường trực", "Chủ tịch", "Phó Chủ tịch", "Phó Chủ tịch Thường trực",
        "Giám đốc", "Phó Giám đốc", "Trưởng đoàn", "Trưởng ban", "Phó Trưởng ban", "Ủy viên", "Uỷ viên",
        "Chánh văn phòng", "Tư lệnh", "Cục trưởng", "Vụ trưởng", "Trưởng Công an", "Phó Trưởng Công an",
    ],
    key=len,
    reverse=True,
)
BODY_HEADS = ["Bộ", "Thành ủy", "Thành uỷ", "UBND", "HĐND", "Đảng ủy", "Đảng uỷ", "Công an", "Ban", "Sở", "Tỉnh ủy", "Quốc hội", "Chính phủ", "Cục"]
HONORIFICS = ("ông", "bà", "đồng chí", "Ông", "Bà", "Đồng chí")
_CAP = r"[A-ZĐÀ-ỸÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĐĨŨƠƯẠ-Ỹ][\wÀ-ỹ]*"
NAME_RE = re.compile(rf"(?:{_CAP})(?: {_CAP}){{0,3}}")
PLACES = ["Hà Nội", "Hải Phòng", "Thủ đô", "Trung ương", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Việt Nam"]
_BODY_PARTS = sorted(BODY_HEADS + PLACES + ["TP", "T.Ư", "thành phố", "nhân dân", "Chính trị", "Thường vụ", "Thường trực", "Cán sự đảng", "Nội chính"], key=len, reverse=True)
BODY_RE = re.compile(r"(?:" + "|".join(map(re.escape, sorted(BODY_HEADS, key=len, reverse=True))) + r")(?: (?:" + "|".join(map(re.escape, _BODY_PARTS)) + r")(?!\w))*")


def _snap(text: str, start: int, end: int):
    """Shrink a character range to syllable-token boundaries (or None)."""
    toks = [(s, e) for s, e in syllable_offsets(text) if s >= start and e <= end]
    return (toks[0][0], toks[-1][1]) if toks else None


def rule_records(records: Sequence[Dict]) -> List[Dict]:
    out = []
    for record in records:
        text = record["text"]
        spans = []
        taken = [False] * len(text)

        def add(start, end, label):
            snapped = _snap(text, start, end)
            if snapped and not any(taken[snapped[0] : snapped[1]]):
                spans.append({"start": snapped[0], "end": snapped[1], "label": label})
                for i in range(*snapped):
                    taken[i] = True

        title_re = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, TITLE_HEADS)) + r")(?!\w)")
        for m in title_re.finditer(text):
            end = m.end()
            body = BODY_RE.match(text, end + 1) if text[end : end + 1] == " " else None
            if body:
                end = body.end()
            add(m.start(), end, "TITLE")
            name = NAME_RE.match(text, end + 1) if text[end : end + 1] == " " else None
            if name:
                add(name.start(), name.end(), "OFFICIAL")
        for honorific in HONORIFICS:
            for m in re.finditer(rf"(?<!\w){honorific} ({NAME_RE.pattern})", text):
                add(m.start(1), m.end(1), "OFFICIAL")
        for m in BODY_RE.finditer(text):
            if m.end() - m.start() > 3:
                add(m.start(), m.end(), "ORG")
        for m in re.finditer(r"(?:(?:ngày|Ngày) )?\d{1,2}/\d{1,2}(?:/\d{4})?|(?:năm )\d{4}|\d{4}-\d{4}", text):
            add(m.start(), m.end(), "DATE")
        spans.sort(key=lambda s: (s["start"], s["end"]))
        out.append({"id": record["id"], "text": text, "meta": record.get("meta", {}), "spans": spans, "relations": []})
    return out


UNDERTHESEA_LABELS = {"PER": "OFFICIAL", "ORG": "ORG"}


def underthesea_records(records: Sequence[Dict]) -> List[Dict]:
    """underthesea.ner on each sentence; its tokens are located back in the text."""
    from ..extras import require

    ner = require("underthesea").ner

    from ..text.syllables import sentence_spans

    out = []
    for record in records:
        text = record["text"]
        spans = []
        for s_start, s_end in sentence_spans(text):
            sentence = text[s_start:s_end]
            position = 0
            current = None
            for token, _pos, _chunk, tag in ner(sentence):
                found = sentence.find(token, position)
                if found < 0:
                    current = None
                    continue
                position = found + len(token)
                kind = tag[2:] if tag != "O" else None
                label = UNDERTHESEA_LABELS.get(kind)
                if tag.startswith("B-") or label is None or current is None or current[2] != label:
                    if current:
                        spans.append(current)
                    current = [s_start + found, s_start + position, label] if label else None
                else:
                    current[1] = s_start + position
            if current:
                spans.append(current)
        clean = []
        for start, end, label in spans:
            snapped = _snap(text, start, end)
            if snapped:
                clean.append({"start": snapped[0], "end": snapped[1], "label": label})
        out.append({"id": record["id"], "text": text, "meta": record.get("meta", {}), "spans": clean, "relations": []})
    return out
