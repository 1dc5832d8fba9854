"""One predicted commitment -> one ledger row.

Rows are built from canonical records (spans and relations with scores), so the same
code turns gold annotations into a ledger: that is how the ledger is tested against the
annotators' relations.

What a row claims, and where it comes from:

- **committer**: one key per person per article. Every OFFICIAL mention of a person (a
  short re-mention "ông Khải" or "Khải" joins the one full name of the article it ends
  with) shares the key "Full Name (title, title)", the titles being those linked by
  HAS_TITLE to any of the mentions. A TITLE head held by a named person is that person; a
  title nobody holds, or an ORG, is its own text.
- **committer_body**: a body, never a person or a bare title: the body named in the
  person's or the title's titles ("Phó Chủ tịch UBND tỉnh X" -> "UBND tỉnh X"), or the
  ORG itself; a body that stops at its level word ("UBND tỉnh", "Tỉnh ủy") is completed
  with the province or city when the article names exactly one (`text.places`). No body
  found: empty (null in Parquet).
- **deadline_kind**: "day", "month", "quarter", "half-year" or "year" for a normalised
  deadline, "unresolved" for a deadline text that could not be normalised, empty when
  the commitment has no deadline.
- **scores**: each row carries the scores of its parts as the model gave them
  (`commitment_score`, `commits_score`, `assigned_score`, `deadline_score`; none for gold
  rows). A whole-row score was tried and left out: on the 28 written articles held out
  from a small CNN trained on the other 60 for 25 epochs (`scripts/ledger_scores.py`),
  the product of the commitment score and the COMMITS and ASSIGNED_TO scores spreads the
  scores (median 0.991 -> 0.961) but tells right rows (gold commitment and committer)
  from wrong ones less well than the commitment score alone (ROC AUC 0.82 -> 0.69; their
  minimum 0.69; after 8 epochs 0.82 -> 0.71).
  The ledger page thresholds the commitment score on a scale that gives saturated scores
  room instead (see `html_page`).

Rows are flat (CSV and JSONL write them as they are): a missing part is "" or -1 and the
assignees are joined with "; "; `typed_row` gives the same row with nulls and lists
(Parquet).
"""
import re
import unicodedata
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ...text.normalize import canonical
from ...text.places import provinces_named, qualify_body
from ...text.syllables import sentence_spans
from .deadlines import deadline_kind, normalise_deadline

COLUMNS = (
    "article_id", "article_date", "sentence", "sentence_start",
    "commitment", "commitment_start", "commitment_end", "commitment_score",
    "committer", "committer_label", "committer_body", "committer_start", "committer_end", "commits_score",
    "assignees", "assignee_offsets", "assigned_score",
    "deadline_text", "deadline", "deadline_kind", "deadline_start", "deadline_end", "deadline_score",
)
LIST_COLUMNS = ("assignees", "assignee_offsets")
SCORE_COLUMNS = tuple(c for c in COLUMNS if c.endswith("score"))
OFFSET_COLUMNS = tuple(c for c in COLUMNS if c.endswith(("_start", "_end")))
ASSIGNEE_SEP = "; "

# Heads that start the name of a body inside a title ("Chủ tịch UBND tỉnh Sơn La" -> "UBND
# tỉnh Sơn La"): the closed class of the genre, not names.
BODY_HEADS = (
    "UBND", "HĐND", "Ủy ban", "Uỷ ban", "Hội đồng", "Tỉnh ủy", "Tỉnh uỷ", "Thành ủy", "Thành uỷ", "Huyện ủy", "Huyện uỷ",
    "Đảng ủy", "Đảng uỷ", "Đảng bộ", "Ban", "Bộ", "Sở", "Cục", "Tổng cục", "Chi cục", "Văn phòng", "Thanh tra", "Công an",
    "Bộ Chỉ huy", "Bộ Tư lệnh", "Quân khu", "Kiểm toán", "Ngân hàng", "Kho bạc", "Trung tâm", "Viện", "Học viện",
    "Chính phủ", "Quốc hội", "Mặt trận", "MTTQ", "Liên đoàn", "Hạt", "Đoàn", "Tòa án", "Viện kiểm sát", "VKSND", "TAND",
    "Bảo hiểm xã hội", "Tổng Thanh tra", "Vụ", "Phòng", "Đồn", "Bệnh viện", "Trường", "Liên minh", "Hiệp hội",
    "Tập đoàn", "Tổng công ty", "Công ty",
)
# A head alone names no body in particular ("Giám đốc Sở"): such a title gives no body.
GENERIC_HEADS = ("Ban", "Bộ", "Sở", "Cục", "Tổng cục", "Chi cục", "Vụ", "Phòng", "Đồn", "Văn phòng", "Trung tâm", "Viện",
                 "Học viện", "Hạt", "Đoàn", "Trường", "Bệnh viện", "Công ty", "Tổng công ty", "Tập đoàn", "Hiệp hội",
                 "Ủy ban", "Uỷ ban", "Hội đồng")
_BODY_RE = re.compile(r"(?<!\w)(" + "|".join(sorted((re.escape(h) for h in BODY_HEADS), key=len, reverse=True)) + r")(?!\w)")
# Titles that name no body but have exactly one: the head of government and the deputies.
_GOVERNMENT_TITLE_RE = re.compile(r"(?:Phó\s+)?Thủ tướng(?:\s+Thường trực)?")
# The press's short forms: "Chủ tịch tỉnh" is the chair of the UBND tỉnh; "Trưởng ban Quản
# lý X" heads the "Ban Quản lý X".
_CHAIR_OF_PLACE_RE = re.compile(r"(?:Phó\s+)?Chủ tịch(?:\s+Thường trực)?\s+((?:tỉnh|thành phố|TP|huyện|quận|thị xã|xã|phường)\b.*)")
_HEAD_OF_UNIT_RE = re.compile(r"(?:Phó\s+)?Trưởng\s+(ban|phòng)(?:\s+Thường trực)?\s+(\S.*)")
# A body written as an acronym starts at it: "Phó Tổng Giám đốc EVN" -> "EVN", "Giám đốc
# CDC Vĩnh Long" -> "CDC Vĩnh Long".
_ACRONYM_RE = re.compile(r"\s([A-ZĐ][A-ZĐ0-9&]+(?:\s.*)?)$")
_FULL_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?!\d)")
_BY_WHEN_RE = re.compile(r"(?:trước|chậm nhất(?: là)?|đến(?: hết)?|hạn|trong|từ|sau)\s+(?:ngày\s+)?$", re.IGNORECASE)
# Words before a name that are not part of it (predicted spans may include them).
_HONORIFIC_RE = re.compile(r"^(?:(?:ông|bà|đồng chí)\s+)+", re.IGNORECASE)


def body_of_title(title: str) -> str:
    """The body named inside a title, from its first body head after the position on:
    "Phó Chủ tịch UBND tỉnh X" -> "UBND tỉnh X"; "Cục trưởng Cục Thuế" -> "Cục Thuế";
    "Phó Thủ tướng" -> "Chính phủ"; "Chủ tịch tỉnh" -> "UBND tỉnh"; a title that names
    no body ("Bộ trưởng", "Giám đốc Sở", "Đại tá") -> ""."""
    title = " ".join(title.split())
    body = ""
    for match in _BODY_RE.finditer(title):
        rest = title[match.end():]
        if match.start() > 0 and not rest.startswith((" trưởng", "trưởng")):
            body = title[match.start():]
            break
    else:
        if _GOVERNMENT_TITLE_RE.fullmatch(title):
            body = "Chính phủ"
        elif _CHAIR_OF_PLACE_RE.fullmatch(title):
            body = "UBND " + _CHAIR_OF_PLACE_RE.fullmatch(title).group(1)
        elif _HEAD_OF_UNIT_RE.fullmatch(title):
            unit, rest = _HEAD_OF_UNIT_RE.fullmatch(title).groups()
            body = rest if _ACRONYM_RE.match(" " + rest) else f"{unit.capitalize()} {rest}"
        elif _ACRONYM_RE.search(title):
            body = _ACRONYM_RE.search(title).group(1)
    return "" if body in GENERIC_HEADS else body


def body_of_titles(titles: Sequence[str]) -> str:
    """The body of a person's titles: the last one that names a body (chains put the party
    role first and the office that acts last: "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch
    UBND tỉnh")."""
    return next((b for b in map(body_of_title, reversed(titles)) if b), "")


def person_name(mention: str) -> str:
    """A mention's name without the honorific before it: "ông Khải" -> "Khải"."""
    return unicodedata.normalize("NFC", _HONORIFIC_RE.sub("", mention.strip()) or mention.strip())


def _name_key(name: str) -> str:
    return canonical(name).casefold()


def _distinct(texts: Sequence[str]) -> List[str]:
    """Texts in order without repeats (by canonical spelling) and without a text that is
    the word-prefix of another ("Chủ tịch UBND tỉnh" beside "Chủ tịch UBND tỉnh X")."""
    keys, out = set(), []
    for text in texts:
        if _name_key(text) not in keys:
            keys.add(_name_key(text))
            out.append(text)
    return [t for t in out if not any(o != t and _name_key(o).startswith(_name_key(t) + " ") for o in out)]


def article_date(record: Dict, default: str = "") -> str:
    """meta.date when valid, else a full date in the first lines of the text (a dateline),
    else `default` (the --date option)."""
    date = str(record.get("meta", {}).get("date", ""))
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", date):
        return date
    head = "\n".join(record["text"].splitlines()[:3])[:300]
    for match in _FULL_DATE_RE.finditer(head):
        # a date after a by-when word ("trước ngày 30/6/2025") is a deadline, not a dateline
        if _BY_WHEN_RE.search(head[max(0, match.start() - 20) : match.start()]):
            continue
        day, month, year = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return default


def _score(item: Dict) -> Optional[float]:
    return round(float(item["score"]), 4) if "score" in item else None


class _People:
    """The persons of one article: OFFICIAL mentions grouped by name (a short re-mention
    joins the one full name it ends with), each with the titles of all its mentions."""

    def __init__(self, text: str, spans: Sequence[Dict], has_title: Dict[int, List[int]]):
        def span_text(i: int) -> str:
            return text[spans[i]["start"] : spans[i]["end"]]

        officials = [i for i, s in enumerate(spans) if s["label"] == "OFFICIAL"]
        names = {i: person_name(span_text(i)) for i in officials}
        keys = {_name_key(n) for n in names.values() if n}
        # a name joins the longest names that end with it, when there is exactly one
        full: Dict[str, str] = {}
        for key in keys:
            longer = {k for k in keys if k.endswith(" " + key)}
            maximal = {k for k in longer if not any(o.endswith(" " + k) for o in keys)}
            full[key] = maximal.pop() if len(maximal) == 1 else key
        shown: Dict[str, str] = {}  # person key -> the name as first written in full
        members: Dict[str, List[int]] = {}
        for i in officials:
            person = full.get(_name_key(names[i]), _name_key(names[i]))
            members.setdefault(person, []).append(i)
            if _name_key(names[i]) == person:
                shown.setdefault(person, names[i])
        self.person_of = {i: person for person, mentions in members.items() for i in mentions}
        self.name = {p: shown.get(p) or names[members[p][0]] for p in members}
        self.titles = {p: _distinct([unicodedata.normalize("NFC", span_text(t)) for t in sorted({t for i in m for t in has_title.get(i, [])}, key=lambda t: spans[t]["start"])])
                       for p, m in members.items()}
        holders: Dict[int, Set[str]] = {}
        for i, ts in has_title.items():
            for t in ts:
                holders.setdefault(t, set()).add(self.person_of[i])
        # a title held by exactly one person is that person ("Ủy viên Trung ương Đảng"
        # shared by a list of officials is no one in particular)
        self.holder = {t: next(iter(ps)) for t, ps in holders.items() if len(ps) == 1}
        # a title re-mentioned in a later sentence (HAS_TITLE stays within a sentence) is
        # the one person whose titles have its text
        by_text: Dict[str, Set[str]] = {}
        for i, ts in has_title.items():
            for t in ts:
                by_text.setdefault(_name_key(span_text(t)), set()).add(self.person_of[i])
        for t, s in enumerate(spans):
            if s["label"] == "TITLE" and t not in holders and len(by_text.get(_name_key(span_text(t)), ())) == 1:
                self.holder[t] = next(iter(by_text[_name_key(span_text(t))]))

    def key(self, person: str) -> str:
        titles = self.titles[person]
        return f"{self.name[person]} ({', '.join(titles)})" if titles else self.name[person]


def _body(body: str, provinces: Set[str]) -> str:
    return qualify_body(canonical(body.strip()), provinces) if body.strip() else ""


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
    has_title = {h: [c for c, _ in pairs] for (h, label), pairs in outgoing.items() if label == "HAS_TITLE" and spans[h]["label"] == "OFFICIAL"}
    people = _People(text, spans, has_title)
    provinces: Optional[Set[str]] = None  # computed on the first body that needs them

    def span_text(i: int) -> str:
        return text[spans[i]["start"] : spans[i]["end"]]

    def body(raw: str) -> str:
        nonlocal provinces
        if not raw.strip():
            return ""
        if provinces is None:
            provinces = provinces_named(text, [(s["start"], s["end"]) for s in spans if s["label"] == "OFFICIAL"])
        return _body(raw, provinces)

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
            "deadline_text": "", "deadline": "", "deadline_kind": "", "deadline_start": -1, "deadline_end": -1, "deadline_score": None,
        }
        head = best(incoming.get((i, "COMMITS"), []))
        if head:
            h, rel = head
            label = spans[h]["label"]
            row.update(committer_label=label, committer_start=spans[h]["start"], committer_end=spans[h]["end"], commits_score=_score(rel))
            person = people.person_of.get(h) if label == "OFFICIAL" else people.holder.get(h) if label == "TITLE" else None
            if person is not None:
                row["committer"] = people.key(person)
                row["committer_body"] = body(body_of_titles(people.titles[person]))
            else:
                name = unicodedata.normalize("NFC", span_text(h).strip())
                row["committer"] = name
                row["committer_body"] = body(body_of_title(name) if label == "TITLE" else name if label == "ORG" else "")
        assignees = sorted(outgoing.get((i, "ASSIGNED_TO"), []), key=lambda p: spans[p[0]]["start"])
        if assignees:
            row["assignees"] = ASSIGNEE_SEP.join(span_text(c) for c, _ in assignees)
            row["assignee_offsets"] = ";".join(f"{spans[c]['start']}-{spans[c]['end']}" for c, _ in assignees)
            scores = [s for s in (_score(r) for _, r in assignees) if s is not None]
            row["assigned_score"] = max(scores) if scores else None
        deadline = best(outgoing.get((i, "DEADLINE"), []))
        if deadline:
            d, rel = deadline
            raw = span_text(d)
            value = normalise_deadline(raw, date)
            row.update(deadline_text=raw, deadline=value, deadline_kind=deadline_kind(raw, value), deadline_start=spans[d]["start"], deadline_end=spans[d]["end"], deadline_score=_score(rel))
        rows.append(row)
    return rows


def _offsets(text) -> List[Dict[str, int]]:
    out = []
    for piece in (text or "").split(";"):
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", piece)
        if match:
            out.append({"start": int(match.group(1)), "end": int(match.group(2))})
    return out


def typed_row(row: Dict) -> Dict:
    """A flat row -> the same row with real nulls and lists: "" and -1 (a missing part)
    become None, `assignees` a list of names, `assignee_offsets` a list of
    {"start", "end"}. Missing columns are None (or empty lists)."""
    out: Dict = {}
    for column in COLUMNS:
        value = row.get(column)
        if column == "assignees":
            value = [a for a in (value or "").split(ASSIGNEE_SEP) if a.strip()] if isinstance(value, str) else list(value or [])
        elif column == "assignee_offsets":
            value = _offsets(value) if isinstance(value, str) else list(value or [])
        elif column in OFFSET_COLUMNS:
            value = None if value in (None, "", -1) else int(value)
        elif column in SCORE_COLUMNS:
            value = None if value in (None, "") else float(value)
        elif value == "":
            value = None
        out[column] = value
    return out
