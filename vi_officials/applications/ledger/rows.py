"""One predicted commitment -> one ledger row.

Rows are built from canonical records (spans and relations with scores), so the same
code turns gold annotations into a ledger: that is how the ledger is tested against the
annotators' relations.
"""
import re
from typing import Dict, List, Optional, Sequence, Tuple

from ...text.syllables import sentence_spans
from .deadlines import normalise_deadline

COLUMNS = (
    "article_id", "article_date", "sentence", "sentence_start",
    "commitment", "commitment_start", "commitment_end", "commitment_score",
    "committer", "committer_label", "committer_body", "committer_start", "committer_end", "commits_score",
    "assignees", "assignee_offsets", "assigned_score",
    "deadline_text", "deadline", "deadline_start", "deadline_end", "deadline_score",
)

# Heads that start the name of a body inside a title ("Chủ tịch UBND tỉnh Sơn La" -> "UBND
# tỉnh Sơn La"): the closed class of the genre, not names.
BODY_HEADS = (
    "UBND", "HĐND", "Ủy ban", "Uỷ ban", "Hội đồng", "Tỉnh ủy", "Tỉnh uỷ", "Thành ủy", "Thành uỷ", "Huyện ủy", "Huyện uỷ",
    "Đảng ủy", "Đảng uỷ", "Đảng bộ", "Ban", "Bộ", "Sở", "Cục", "Tổng cục", "Chi cục", "Văn phòng", "Thanh tra", "Công an",
    "Bộ Chỉ huy", "Bộ Tư lệnh", "Quân khu", "Kiểm toán", "Ngân hàng", "Kho bạc", "Trung tâm", "Viện", "Học viện",
    "Chính phủ", "Quốc hội", "Mặt trận", "MTTQ", "Liên đoàn", "Hạt", "Đoàn", "Tòa án", "Viện kiểm sát", "VKSND", "TAND",
    "Bảo hiểm xã hội", "Tổng Thanh tra",
)
_BODY_RE = re.compile(r"(?<!\w)(" + "|".join(sorted((re.escape(h) for h in BODY_HEADS), key=len, reverse=True)) + r")(?!\w)")
_FULL_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?!\d)")


def body_of_title(title: str) -> str:
    """The body named inside a title, from its first body head after the position on:
    "Phó Chủ tịch UBND tỉnh X" -> "UBND tỉnh X"; "Cục trưởng Cục Thuế" -> "Cục Thuế"."""
    for match in _BODY_RE.finditer(title):
        rest = title[match.end():]
        if match.start() > 0 and not rest.startswith((" trưởng", "trưởng")):
            return title[match.start():].strip()
    return ""


def body_of_titles(titles: Sequence[str]) -> str:
    """The body of a person's titles: the last one that names a body (chains put the party
    role first and the office that acts last: "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch
    UBND tỉnh")."""
    return next((b for b in map(body_of_title, reversed(titles)) if b), "")


def article_date(record: Dict, default: str = "") -> str:
    """meta.date when valid, else a full date in the first lines of the text (a dateline),
    else `default` (the --date option)."""
    date = str(record.get("meta", {}).get("date", ""))
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", date):
        return date
    head = "\n".join(record["text"].splitlines()[:3])[:300]
    match = _FULL_DATE_RE.search(head)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return default


def _score(item: Dict) -> Optional[float]:
    return round(float(item["score"]), 4) if "score" in item else None


def ledger_rows(record: Dict, default_date: str = "") -> List[Dict]:
    """Ledger rows of one record, one per COMMITMENT span, in text order."""
    text, spans = record["text"], record["spans"]
    date = article_date(record, default_date)
    sents = sentence_spans(text)
    incoming: Dict[Tuple[int, str], List[Tuple[int, Dict]]] = {}
    outgoing: Dict[Tuple[int, str], List[Tuple[int, Dict]]] = {}
    for rel in record["relations"]:
        outgoing.setdefault((rel["head"], rel["label"]), []).append((rel["child"], rel))
        incoming.setdefault((rel["child"], rel["label"]), []).append((rel["head"], rel))

    def span_text(i: int) -> str:
        return text[spans[i]["start"] : spans[i]["end"]]

    def titles_of(i: int) -> List[int]:
        """TITLEs linked to OFFICIAL i, or, for a short re-mention ("ông Khải"), to the one
        earlier full name it ends with."""
        own = sorted(c for c, _ in outgoing.get((i, "HAS_TITLE"), []))
        if own:
            return own
        name = span_text(i)
        earlier = {span_text(j) for j, s in enumerate(spans[:i]) if s["label"] == "OFFICIAL" and span_text(j) != name and span_text(j).endswith(" " + name)}
        if len(earlier) == 1:
            full = earlier.pop()
            for j, s in enumerate(spans[:i]):
                if s["label"] == "OFFICIAL" and span_text(j) == full and outgoing.get((j, "HAS_TITLE")):
                    return sorted(c for c, _ in outgoing[(j, "HAS_TITLE")])
        return []

    def best(pairs: Sequence[Tuple[int, Dict]]) -> Optional[Tuple[int, Dict]]:
        return max(pairs, key=lambda p: (p[1].get("score", 1.0), -spans[p[0]]["start"])) if pairs else None

    rows = []
    for i, span in enumerate(spans):
        if span["label"] != "COMMITMENT":
            continue
        start, end = span["start"], span["end"]
        s_start, s_end = next(((a, b) for a, b in sents if a <= start < b), (start, end))
        row = {
            "article_id": record["id"], "article_date": date,
            "sentence": text[s_start:s_end], "sentence_start": s_start,
            "commitment": text[start:end], "commitment_start": start, "commitment_end": end, "commitment_score": _score(span),
            "committer": "", "committer_label": "", "committer_body": "", "committer_start": -1, "committer_end": -1, "commits_score": None,
            "assignees": "", "assignee_offsets": "", "assigned_score": None,
            "deadline_text": "", "deadline": "", "deadline_start": -1, "deadline_end": -1, "deadline_score": None,
        }
        head = best(incoming.get((i, "COMMITS"), []))
        if head:
            h, rel = head
            label = spans[h]["label"]
            name = span_text(h)
            row.update(committer_label=label, committer_start=spans[h]["start"], committer_end=spans[h]["end"], commits_score=_score(rel))
            if label == "OFFICIAL":
                titles = [span_text(t) for t in titles_of(h)]
                row["committer"] = f"{name} ({', '.join(titles)})" if titles else name
                row["committer_body"] = body_of_titles(titles)
            elif label == "TITLE":
                row["committer"] = name
                row["committer_body"] = body_of_title(name)
            else:
                row["committer"] = row["committer_body"] = name
        assignees = sorted(outgoing.get((i, "ASSIGNED_TO"), []), key=lambda p: spans[p[0]]["start"])
        if assignees:
            row["assignees"] = "; ".join(span_text(c) for c, _ in assignees)
            row["assignee_offsets"] = ";".join(f"{spans[c]['start']}-{spans[c]['end']}" for c, _ in assignees)
            scores = [s for s in (_score(r) for _, r in assignees) if s is not None]
            row["assigned_score"] = max(scores) if scores else None
        deadline = best(outgoing.get((i, "DEADLINE"), []))
        if deadline:
            d, rel = deadline
            raw = span_text(d)
            row.update(deadline_text=raw, deadline=normalise_deadline(raw, date), deadline_start=spans[d]["start"], deadline_end=spans[d]["end"], deadline_score=_score(rel))
        rows.append(row)
    return rows

