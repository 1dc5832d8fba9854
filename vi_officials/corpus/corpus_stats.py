"""Coverage of the training text: provinces, central bodies, sectors, date forms, label
and relation counts, and how much text recurs between documents.

    python -m vi_officials.corpus.corpus_stats corpus/written/articles.jsonl [--output reports/corpus_stats.md]

The written articles exist to teach the genre, not five articles, so what they cover is
measured rather than asserted. The recurrence figure is the share of a document's 8-word
sequences that also occur in another document of the set: templates score high, real
articles almost zero.
"""
import argparse
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence

from .corpus_io import CorpusError, CorpusValidationError
from ..scheme import ALL_SPAN_LABELS, RELATION_LABELS
from .validate import load_validated
from ..text.places import PROVINCE_VARIANTS, PROVINCES, contains_name as _contains

# Ministries and central bodies (full names; the abbreviations the press uses are variants).
CENTRAL_BODIES = {
    "Văn phòng Chính phủ": (), "Thanh tra Chính phủ": (), "Ngân hàng Nhà nước": ("NHNN",), "Kiểm toán Nhà nước": (),
    "Bộ Công an": (), "Bộ Quốc phòng": (), "Bộ Tài chính": (), "Bộ Y tế": (), "Bộ Giáo dục và Đào tạo": ("Bộ GD&ĐT",),
    "Bộ Giao thông vận tải": ("Bộ GTVT",), "Bộ Tài nguyên và Môi trường": ("Bộ TN&MT",),
    "Bộ Nông nghiệp và Phát triển nông thôn": ("Bộ NN&PTNT",), "Bộ Nông nghiệp và Môi trường": (), "Bộ Xây dựng": (), "Bộ Công Thương": (),
    "Bộ Văn hóa, Thể thao và Du lịch": ("Bộ VH,TT&DL", "Bộ VHTTDL"), "Bộ Lao động - Thương binh và Xã hội": ("Bộ LĐ-TB&XH",),
    "Bộ Thông tin và Truyền thông": ("Bộ TT&TT",), "Bộ Kế hoạch và Đầu tư": ("Bộ KH&ĐT",), "Bộ Nội vụ": (), "Bộ Tư pháp": (),
    "Bộ Khoa học và Công nghệ": ("Bộ KH&CN",), "Bộ Ngoại giao": (), "Ủy ban Dân tộc": (), "Bảo hiểm xã hội Việt Nam": (),
    "Tổng cục Thuế": (), "Tổng cục Hải quan": (), "Kho bạc Nhà nước": (), "Bộ Chính trị": (), "Ban Bí thư": (),
    "Ủy ban Kiểm tra Trung ương": (), "Ban Tổ chức Trung ương": (), "Quốc hội": (), "Ủy ban Thường vụ Quốc hội": (),
    "Ban Chỉ đạo quốc gia về phòng, chống thiên tai": (), "Ủy ban Quốc gia về chuyển đổi số": (),
}

# A sector counts as covered by a document when one of its cue words occurs in it (whole
# words: "cầu" would also match "yêu cầu", so bridges are not a cue).
SECTORS = {
    "health": ("y tế", "bệnh viện", "dịch bệnh", "tiêm chủng", "sốt xuất huyết", "khám chữa bệnh"),
    "education": ("giáo dục", "năm học", "trường học", "học sinh", "giáo viên", "tuyển sinh"),
    "transport": ("giao thông", "cao tốc", "quốc lộ", "vận tải", "sân bay", "đường bộ"),
    "land and environment": ("đất đai", "môi trường", "tài nguyên", "khoáng sản", "rác thải", "sạt lở"),
    "agriculture": ("nông nghiệp", "chăn nuôi", "cây trồng", "thủy sản", "lúa", "dịch tả"),
    "budget and finance": ("ngân sách", "thu nội địa", "giải ngân", "đầu tư công", "thuế", "tín dụng"),
    "construction": ("xây dựng", "nhà ở xã hội", "công trình", "quy hoạch", "trật tự xây dựng"),
    "industry and trade": ("công thương", "khu công nghiệp", "xuất khẩu", "lưới điện", "buôn lậu", "thị trường"),
    "culture and tourism": ("du lịch", "văn hóa", "di sản", "lễ hội", "di tích"),
    "labour": ("lao động", "việc làm", "bảo hiểm xã hội", "công nhân", "tiền lương", "đào tạo nghề"),
    "disaster response": ("thiên tai", "bão", "lũ", "hạn mặn", "cứu hộ", "ứng phó"),
    "digital transformation": ("chuyển đổi số", "dịch vụ công trực tuyến", "Đề án 06", "dữ liệu", "số hóa"),
    "site clearance": ("giải phóng mặt bằng", "GPMB", "tái định cư", "bồi thường", "thu hồi đất"),
    "police and security": ("công an", "an ninh", "trật tự", "tội phạm", "phòng cháy"),
    "military and border": ("quân sự", "biên phòng", "quân đội", "quốc phòng", "quân khu"),
    "party building": ("xây dựng Đảng", "Tỉnh ủy", "Thành ủy", "kiểm tra, giám sát", "Ban Thường vụ"),
}

# Date forms of the press, tried in order on each DATE span.
DATE_FORMS = (
    ("ngày D tháng M năm Y", r"ngày \d{1,2} tháng \d{1,2} năm \d{4}"),
    ("ngày D tháng M", r"ngày \d{1,2} tháng \d{1,2}"),
    ("dd/mm/yyyy", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("dd-mm-yyyy", r"\d{1,2}-\d{1,2}-\d{4}"),
    ("dd.mm.yyyy", r"\d{1,2}\.\d{1,2}\.\d{4}"),
    ("term yyyy-yyyy", r"\d{4}\s*[-–]\s*\d{4}"),
    ("tháng M/yyyy", r"tháng \d{1,2}\s*[/-]\s*\d{4}"),
    ("tháng M năm Y", r"tháng \d{1,2} năm \d{4}"),
    ("dd/mm", r"\d{1,2}/\d{1,2}"),
    ("dd-mm", r"\d{1,2}-\d{1,2}"),
    ("d.m", r"\d{1,2}\.\d{1,2}"),
    ("quý", r"quý [IVX\d]+"),
    ("tháng M", r"tháng \d{1,2}"),
    ("năm yyyy", r"năm \d{4}"),
    ("yyyy", r"\d{4}"),
)


def date_form(text: str) -> str:
    low = text.lower()
    for name, pattern in DATE_FORMS:
        if re.search(r"(?<!\d)" + pattern + r"(?!\d)", low, re.IGNORECASE):
            return name
    return "other"


def ngram_recurrence(texts: Sequence[str], n: int = 8) -> List[float]:
    """For each text, the share of its n-word sequences that occur in another text."""
    grams = [[tuple(w[i : i + n]) for i in range(len(w) - n + 1)] for w in (t.lower().split() for t in texts)]
    owners: Dict[tuple, set] = {}
    for k, gs in enumerate(grams):
        for g in set(gs):
            owners.setdefault(g, set()).add(k)
    return [sum(1 for g in gs if len(owners[g]) > 1) / len(gs) if gs else 0.0 for gs in grams]


def corpus_stats(records: Sequence[Dict]) -> Dict:
    texts = [unicodedata.normalize("NFC", r["text"]) for r in records]
    provinces = Counter()
    for name in PROVINCES:
        for t in texts:
            if any(_contains(t, v) for v in (name,) + PROVINCE_VARIANTS.get(name, ())):
                provinces[name] += 1
    bodies = Counter()
    for name, variants in CENTRAL_BODIES.items():
        for t in texts:
            if any(_contains(t, v) for v in (name,) + variants):
                bodies[name] += 1
    sectors = Counter()
    for name, cues in SECTORS.items():
        for t in texts:
            if any(_contains(t.lower(), c.lower()) for c in cues):
                sectors[name] += 1
    spans, relations, forms, deadline_forms = Counter(), Counter(), Counter(), Counter()
    for r in records:
        for s in r["spans"]:
            spans[s["label"]] += 1
            if s["label"] == "DATE":
                forms[date_form(r["text"][s["start"] : s["end"]])] += 1
        for rel in r["relations"]:
            relations[rel["label"]] += 1
            if rel["label"] == "DEADLINE":
                child = r["spans"][rel["child"]]
                deadline_forms[date_form(r["text"][child["start"] : child["end"]])] += 1
    recurrence = ngram_recurrence(texts)
    return {
        "documents": len(records),
        "syllables": sum(len(t.split()) for t in texts),
        "provinces": provinces,
        "central_bodies": bodies,
        "sectors": sectors,
        "spans": spans,
        "relations": relations,
        "date_forms": forms,
        "deadline_forms": deadline_forms,
        "recurrence": recurrence,
        "ids": [r["id"] for r in records],
    }


def stats_markdown(stats: Dict, title: str) -> str:
    rec = stats["recurrence"]
    over = [(i, x) for i, x in zip(stats["ids"], rec) if x >= 0.05]
    lines = [
        f"# Corpus coverage: {title}",
        "",
        f"- documents: {stats['documents']}; syllables (whitespace-separated): {stats['syllables']:,}",
        f"- provinces and centrally run cities named: {len(stats['provinces'])} of {len(PROVINCES)}",
        f"- ministries and central bodies named: {len(stats['central_bodies'])}",
        f"- sectors (cue words present): {len(stats['sectors'])} of {len(SECTORS)}",
        f"- 8-word sequences that recur in another document: mean {100 * sum(rec) / max(1, len(rec)):.2f}% per document, max {100 * max(rec, default=0):.2f}%; documents at 5% or more: {len(over)}",
        "",
        "| span | count | relation | count |",
        "|---|---:|---|---:|",
    ]
    for a, b in zip(ALL_SPAN_LABELS, RELATION_LABELS + ("",)):
        lines.append(f"| {a} | {stats['spans'][a]} | {b} | {stats['relations'][b] if b else ''} |")
    lines += ["", "| date form | DATE spans | as DEADLINE |", "|---|---:|---:|"]
    for name, _ in DATE_FORMS + (("other", ""),):
        if stats["date_forms"][name]:
            lines.append(f"| {name} | {stats['date_forms'][name]} | {stats['deadline_forms'][name]} |")
    lines += ["", "| sector | documents |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in stats["sectors"].most_common()]
    lines += ["", "Provinces (documents naming them): " + ", ".join(f"{k} {v}" for k, v in sorted(stats["provinces"].items()))]
    missing = [p for p in PROVINCES if p not in stats["provinces"]]
    lines += ["", "Provinces not named: " + (", ".join(missing) if missing else "none")]
    lines += ["", "Central bodies (documents naming them): " + ", ".join(f"{k} {v}" for k, v in sorted(stats["central_bodies"].items()))]
    if over:
        lines += ["", "Documents with 5% or more recurring 8-word sequences: " + ", ".join(f"{i} ({100 * x:.1f}%)" for i, x in over)]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="canonical JSONL files (counted together)")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    try:
        records = [r for path in args.inputs for r in load_validated(path)]
    except (CorpusError, CorpusValidationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    report = stats_markdown(corpus_stats(records), ", ".join(str(p) for p in args.inputs))
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
