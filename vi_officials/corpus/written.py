"""Training sentences written for this project (meta.source == "written").

Five articles name a handful of officials, so a model trained on them alone learns those
names rather than the patterns around names. These sentences, composed here from
hand-written lists of invented names, titles, bodies, dates and directive phrases, vary
exactly those slots. They are annotated by construction, marked `"source": "written"`,
kept in `corpus/written/`, and only ever used for training (never dev or test).
"""
import argparse
import random
import sys
from pathlib import Path
from typing import Dict, List, Tuple

from .corpus_io import write_jsonl

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Phan", "Trịnh", "Đinh", "Lương", "Mai", "Tạ"]
MIDDLES = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Hồng", "Đức", "Xuân", "Ngọc", "Hữu", "Tiến", "Công", "Duy", "Thu", "Anh"]
GIVEN = ["Hải", "Tuấn", "Hùng", "Lan", "Phong", "Bình", "Hòa", "Nam", "Thắng", "Trung", "Dũng", "Hà", "Quang", "Long", "Sơn", "Thảo", "Khánh", "Vinh", "Tâm", "Cường", "Mạnh", "Huy", "Yến", "Thủy"]
PLACES = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Nghệ An", "Thanh Hóa", "Quảng Ninh", "Bắc Ninh", "Thừa Thiên Huế", "Khánh Hòa", "Lâm Đồng", "Đồng Nai"]
RANKS = ["Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá"]
MINISTRIES = ["Bộ Công an", "Bộ Quốc phòng", "Bộ Tài chính", "Bộ Y tế", "Bộ Giáo dục và Đào tạo", "Bộ Xây dựng", "Bộ Nội vụ", "Bộ Tư pháp"]
PROVINCE_KIND = ["tỉnh", "thành phố"]


def person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def title_and_body(rng: random.Random) -> Tuple[str, str]:
    """A title with its body, and the body alone (for ORG mentions)."""
    place = rng.choice(PLACES)
    kind = rng.choice(PROVINCE_KIND)
    options = [
        (f"Bộ trưởng {m}", m) for m in MINISTRIES
    ] + [
        (f"Thứ trưởng {m}", m) for m in MINISTRIES
    ] + [
        (f"Chủ tịch UBND {kind} {place}", f"UBND {kind} {place}"),
        (f"Phó Chủ tịch UBND {kind} {place}", f"UBND {kind} {place}"),
        (f"Bí thư {'Thành ủy' if kind == 'thành phố' else 'Tỉnh ủy'} {place}", f"{'Thành ủy' if kind == 'thành phố' else 'Tỉnh ủy'} {place}"),
        (f"Giám đốc Công an {kind} {place}", f"Công an {kind} {place}"),
        (f"Phó Giám đốc Công an {kind} {place}", f"Công an {kind} {place}"),
        (f"Chủ tịch HĐND {kind} {place}", f"HĐND {kind} {place}"),
        (f"Giám đốc Sở Y tế {place}", f"Sở Y tế {place}"),
    ]
    return rng.choice(options)


ACTORS = [
    "Công an {kind} {place}", "UBND {kind} {place}", "Sở Giao thông vận tải {place}", "Sở Tài chính {place}",
    "Ban Thường vụ Tỉnh ủy {place}", "Đảng ủy Công an {kind} {place}", "Công an các quận, huyện", "sở, ban, ngành",
    "cấp ủy, chính quyền các cấp", "Bộ Công an", "Bộ Tài chính", "Công an xã",
]
ACTIONS = [
    "rà soát toàn bộ các dự án chậm triển khai trên địa bàn",
    "tập trung giải quyết dứt điểm các vụ việc tồn đọng, kéo dài",
    "hoàn thành việc cấp căn cước công dân cho người dân",
    "đẩy mạnh cải cách thủ tục hành chính, giảm thời gian xử lý hồ sơ cho doanh nghiệp",
    "tăng cường tuần tra, kiểm soát, bảo đảm trật tự an toàn giao thông trong dịp cao điểm",
    "xây dựng kế hoạch cụ thể để triển khai đề án chuyển đổi số",
    "kiên quyết không để xảy ra các điểm nóng về an ninh trật tự",
    "tiếp tục kiện toàn tổ chức bộ máy theo hướng tinh gọn, hiệu quả",
    "bố trí đủ nguồn lực để xây dựng trụ sở làm việc cho lực lượng công an cấp xã",
    "chủ động phối hợp với các đơn vị liên quan xử lý nghiêm các hành vi vi phạm",
    "khẩn trương hoàn thiện hồ sơ trình cấp có thẩm quyền phê duyệt",
    "nâng cao chất lượng công tác phòng cháy, chữa cháy tại các khu dân cư",
    "số hóa toàn bộ dữ liệu hộ tịch và kết nối với cơ sở dữ liệu quốc gia về dân cư",
    "đấu tranh, trấn áp mạnh các loại tội phạm ma túy",
]
DIRECTIVES = ["đề nghị", "yêu cầu", "chỉ đạo", "giao"]
DATES = ["ngày 30/6/2024", "ngày 15/9", "năm 2025", "ngày 31/12/2023", "tháng 10-2024", "năm 2024", "ngày 1/7/2025"]
MEETING_DATES = ["Sáng 12/3", "Chiều 5/10", "Ngày 20/11", "Sáng 8/6", "Chiều 27/2"]


class _Builder:
    def __init__(self):
        self.text = ""
        self.spans: List[Dict] = []
        self.relations: List[Dict] = []

    def add(self, piece: str, label: str = None) -> int:
        start = len(self.text)
        self.text += piece
        if label is None:
            return -1
        self.spans.append({"start": start, "end": start + len(piece), "label": label})
        return len(self.spans) - 1

    def rel(self, head: int, child: int, label: str) -> None:
        self.relations.append({"head": head, "child": child, "label": label})

    def record(self, doc_id: str) -> Dict:
        order = sorted(range(len(self.spans)), key=lambda i: (self.spans[i]["start"], self.spans[i]["end"], self.spans[i]["label"]))
        new = {old: k for k, old in enumerate(order)}
        rels = sorted(({"head": new[r["head"]], "child": new[r["child"]], "label": r["label"]} for r in self.relations), key=lambda r: (r["head"], r["child"], r["label"]))
        return {"id": doc_id, "text": self.text, "meta": {"source": "written"}, "spans": [self.spans[i] for i in order], "relations": rels}


def _actor(rng: random.Random) -> str:
    return rng.choice(ACTORS).format(kind=rng.choice(PROVINCE_KIND), place=rng.choice(PLACES))


def directive_sentence(rng: random.Random, b: _Builder) -> None:
    """'<date>, <rank?> <name>, <title> <directive> <actor> <action> trước <date>.'"""
    title, _ = title_and_body(rng)
    name = person(rng)
    use_rank = rng.random() < 0.4
    form = rng.random()
    if form < 0.5:
        t = b.add(title, "TITLE")
        b.add(" ")
        p = b.add(name, "OFFICIAL")
        b.rel(p, t, "HAS_TITLE")
        speaker = p
    elif form < 0.8:
        if use_rank:
            r = b.add(rng.choice(RANKS), "TITLE")
            b.add(" ")
        p = b.add(name, "OFFICIAL")
        b.add(", ")
        t = b.add(title, "TITLE")
        b.rel(p, t, "HAS_TITLE")
        if use_rank:
            b.rel(p, r, "HAS_TITLE")
        speaker = p
    else:
        speaker = b.add(title, "TITLE")
    b.add(" " + rng.choice(DIRECTIVES) + " ")
    a = b.add(_actor(rng), "ORG")
    b.add(" ")
    c = b.add(rng.choice(ACTIONS), "COMMITMENT")
    b.rel(speaker, c, "COMMITS")
    b.rel(c, a, "ASSIGNED_TO")
    if rng.random() < 0.5:
        b.add(" trước ")
        d = b.add(rng.choice(DATES), "DATE")
        b.rel(c, d, "DEADLINE")
    if rng.random() < 0.4:
        b.add("; ")
        a2 = b.add(_actor(rng), "ORG")
        b.add(" cần ")
        c2 = b.add(rng.choice(ACTIONS), "COMMITMENT")
        b.rel(speaker, c2, "COMMITS")
        b.rel(c2, a2, "ASSIGNED_TO")
    b.add(".")


def pledge_sentence(rng: random.Random, b: _Builder) -> None:
    """'Tiếp thu ý kiến chỉ đạo, <title> <name> khẳng định <body> sẽ <action>.'"""
    title, body = title_and_body(rng)
    b.add(rng.choice(["Tiếp thu ý kiến chỉ đạo, ", "Phát biểu tại buổi làm việc, ", ""]))
    t = b.add(title, "TITLE")
    b.add(" ")
    p = b.add(person(rng), "OFFICIAL")
    b.rel(p, t, "HAS_TITLE")
    b.add(" " + rng.choice(["khẳng định", "cho biết", "cam kết"]) + " ")
    o = b.add(body, "ORG")
    b.add(" sẽ ")
    c = b.add(rng.choice(ACTIONS), "COMMITMENT")
    b.rel(p, c, "COMMITS")
    b.rel(c, o, "ASSIGNED_TO")
    b.add(".")


def report_sentence(rng: random.Random, b: _Builder) -> None:
    """A report of work done: entities, no commitment (the model must learn the difference)."""
    b.add(rng.choice(MEETING_DATES).split(" ", 1)[0] + " ")
    b.add(rng.choice(MEETING_DATES).split(" ", 1)[1], "DATE")
    b.add(", ")
    title, body = title_and_body(rng)
    r = None
    if rng.random() < 0.5:
        r = b.add(rng.choice(RANKS), "TITLE")
        b.add(" ")
    p = b.add(person(rng), "OFFICIAL")
    b.add(", ")
    t = b.add(title, "TITLE")
    b.rel(p, t, "HAS_TITLE")
    if r is not None:
        b.rel(p, r, "HAS_TITLE")
    b.add(" đã " + rng.choice(["làm việc với", "kiểm tra công tác tại", "thăm và làm việc với"]) + " ")
    b.add(_actor(rng), "ORG")
    b.add(". ")
    b.add(_actor(rng), "ORG")
    b.add(" đã " + rng.choice(ACTIONS) + ", đạt nhiều kết quả tích cực.")


def generate(n: int, seed: int) -> List[Dict]:
    rng = random.Random(seed)
    records = []
    for k in range(n):
        b = _Builder()
        for j, kind in enumerate(rng.sample([directive_sentence, pledge_sentence, report_sentence, directive_sentence], k=rng.randint(1, 3))):
            if j:
                b.add(" ")
            kind(rng, b)
        records.append(b.record(f"written-{seed}-{k:04d}"))
    return records


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    records = generate(args.n, args.seed)
    from .validate import validate_records

    validate_records(records, str(args.output))
    write_jsonl(args.output, records)
    print(f"wrote {len(records)} written training paragraphs to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
