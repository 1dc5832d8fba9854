"""Ledger rows tell the truth: bodies are bodies, one committer key per person, deadline
kinds, nulls and lists in the typed row. Invented articles."""
import pytest

from vi_officials.applications.ledger.rows import COLUMNS, body_of_title, ledger_rows, typed_row
from vi_officials.text.places import provinces_named, qualify_body


def record(text, marks, relations, date="2024-03-05"):
    """marks: (substring, label, occurrence) -> spans in text order; relations refer to
    marks by their position in `marks`."""
    spans = []
    for sub, label, nth in marks:
        start = -1
        for _ in range(nth + 1):
            start = text.index(sub, start + 1)
        spans.append({"start": start, "end": start + len(sub), "label": label})
    order = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], spans[i]["end"]))
    where = {old: new for new, old in enumerate(order)}
    return {"id": "t", "text": text, "meta": {"date": date}, "spans": [spans[i] for i in order],
            "relations": [{"head": where[h], "child": where[c], "label": l} for h, c, l in relations]}


def test_body_from_a_title_is_qualified_by_the_one_province_the_article_names():
    text = ("Tỉnh Lai Châu đẩy nhanh giải ngân. Chủ tịch UBND tỉnh yêu cầu các sở hoàn thành "
            "giải ngân vốn trong quý III.")
    rec = record(text, [("Chủ tịch UBND tỉnh", "TITLE", 0), ("hoàn thành giải ngân vốn", "COMMITMENT", 0), ("quý III", "DATE", 0)],
                 [(0, 1, "COMMITS"), (1, 2, "DEADLINE")])
    (row,) = ledger_rows(rec)
    assert row["committer"] == "Chủ tịch UBND tỉnh" and row["committer_body"] == "UBND tỉnh Lai Châu"
    # a second province in the article: the bare body stays bare, not a guess
    two = record(text.replace("đẩy nhanh", "và tỉnh Hà Giang đẩy nhanh"), [("Chủ tịch UBND tỉnh", "TITLE", 0), ("hoàn thành giải ngân vốn", "COMMITMENT", 0)], [(0, 1, "COMMITS")])
    assert ledger_rows(two)[0]["committer_body"] == "UBND tỉnh"


def test_places_of_another_kind_and_person_names_are_not_provinces():
    assert provinces_named("Đoàn công tác về huyện Hòa Bình và qua cầu Thái Bình của tỉnh Lào Cai.") == {"Lào Cai"}
    text = "Ông Nguyễn Thái Bình, Giám đốc Sở Y tế Yên Bái, cam kết hoàn thành."
    start = text.index("Nguyễn Thái Bình")
    assert provinces_named(text, [(start, start + len("Nguyễn Thái Bình"))]) == {"Yên Bái"}
    assert provinces_named("học tập tư tưởng Hồ Chí Minh tại TP Cần Thơ") == {"Cần Thơ"}
    assert provinces_named("UBND TP.HCM giao Sở Xây dựng") == {"Hồ Chí Minh"}
    assert provinces_named("tỉnh Khánh Hoà") == {"Khánh Hòa"}  # either tone placement


@pytest.mark.parametrize("body, provinces, expected", [
    ("UBND tỉnh", {"Sơn La"}, "UBND tỉnh Sơn La"),
    ("Tỉnh ủy", {"Sơn La"}, "Tỉnh ủy Sơn La"),
    ("UBND thành phố", {"Đà Nẵng"}, "UBND thành phố Đà Nẵng"),
    ("UBND thành phố", {"Sơn La"}, "UBND thành phố"),  # a provincial city: which one is not said
    ("UBND tỉnh", {"Đà Nẵng"}, "UBND tỉnh"),  # a city is no tỉnh
    ("UBND tỉnh Sơn La", {"Sơn La"}, "UBND tỉnh Sơn La"),
    ("UBND các huyện, thành phố", {"Đà Nẵng"}, "UBND các huyện, thành phố"),
    ("UBND huyện", {"Sơn La"}, "UBND huyện"),
])
def test_qualify_body(body, provinces, expected):
    assert qualify_body(body, provinces) == expected


@pytest.mark.parametrize("title, body", [
    ("Phó Chủ tịch UBND tỉnh X", "UBND tỉnh X"),
    ("Cục trưởng Cục Thuế", "Cục Thuế"),
    ("Phó Thủ tướng", "Chính phủ"),
    ("Chủ tịch tỉnh", "UBND tỉnh"),
    ("Phó Trưởng ban Quản lý Khu kinh tế", "Ban Quản lý Khu kinh tế"),
    ("Phó Tổng Giám đốc XYZ", "XYZ"),
    ("Bộ trưởng", ""),
    ("Giám đốc Sở", ""),  # a head alone names no body
    ("Đại tá", ""),
])
def test_body_of_title(title, body):
    assert body_of_title(title) == body


def test_no_body_is_empty_never_the_committer():
    text = "Ông Vũ Minh Khoa hứa sửa xong đường trong năm 2025. Bộ trưởng cam kết cấp đủ vốn."
    rec = record(text, [("Vũ Minh Khoa", "OFFICIAL", 0), ("sửa xong đường", "COMMITMENT", 0), ("Bộ trưởng", "TITLE", 0), ("cấp đủ vốn", "COMMITMENT", 0)],
                 [(0, 1, "COMMITS"), (2, 3, "COMMITS")])
    person, title = ledger_rows(rec)
    assert (person["committer"], person["committer_body"]) == ("Vũ Minh Khoa", "")
    assert (title["committer"], title["committer_body"]) == ("Bộ trưởng", "")
    assert typed_row(person)["committer_body"] is None


def test_an_org_committer_is_its_own_body_qualified():
    text = "Tại tỉnh Cao Bằng, Sở Giao thông vận tải tỉnh cam kết thông xe trước ngày 30/6."
    rec = record(text, [("Sở Giao thông vận tải tỉnh", "ORG", 0), ("thông xe", "COMMITMENT", 0)], [(0, 1, "COMMITS")])
    assert ledger_rows(rec)[0]["committer_body"] == "Sở Giao thông vận tải tỉnh Cao Bằng"


def test_a_short_re_mention_joins_its_full_name_and_titles_merge():
    text = ("Phó Chủ tịch UBND tỉnh Vũ Minh Khoa chủ trì cuộc họp. Ông Khoa yêu cầu hoàn thành kè "
            "trước mùa mưa. Bí thư Huyện ủy Khoa cũng hứa dọn xong rác. Khoa cam kết mở lại chợ.")
    rec = record(text, [
        ("Phó Chủ tịch UBND tỉnh", "TITLE", 0), ("Vũ Minh Khoa", "OFFICIAL", 0),
        ("Khoa", "OFFICIAL", 1), ("hoàn thành kè", "COMMITMENT", 0),
        ("Bí thư Huyện ủy", "TITLE", 0), ("Khoa", "OFFICIAL", 2), ("dọn xong rác", "COMMITMENT", 0),
        ("Khoa", "OFFICIAL", 3), ("mở lại chợ", "COMMITMENT", 0),
    ], [(1, 0, "HAS_TITLE"), (2, 3, "COMMITS"), (5, 4, "HAS_TITLE"), (5, 6, "COMMITS"), (7, 8, "COMMITS")])
    rows = ledger_rows(rec)
    assert {r["committer"] for r in rows} == {"Vũ Minh Khoa (Phó Chủ tịch UBND tỉnh, Bí thư Huyện ủy)"}
    # the body is the office that acts last in the merged titles; the highlight stays on the mention
    assert {r["committer_body"] for r in rows} == {"Huyện ủy"}
    assert [text[r["committer_start"]:r["committer_end"]] for r in rows] == ["Khoa", "Khoa", "Khoa"]


def test_an_ambiguous_short_name_stays_alone():
    text = "Ông Vũ Minh Khoa và ông Lê Đăng Khoa dự họp. Ông Khoa hứa xây xong cầu."
    rec = record(text, [("Vũ Minh Khoa", "OFFICIAL", 0), ("Lê Đăng Khoa", "OFFICIAL", 0), ("Khoa", "OFFICIAL", 2), ("xây xong cầu", "COMMITMENT", 0)],
                 [(2, 3, "COMMITS")])
    assert ledger_rows(rec)[0]["committer"] == "Khoa"


def test_a_title_held_by_one_named_person_is_that_person():
    text = ("Giám đốc Sở Y tế Trần Hữu Lộc dự họp. Giám đốc Sở Y tế cam kết cấp đủ thuốc. "
            "Chủ tịch UBND xã Lò Văn Pấu và Chủ tịch UBND xã Vì Văn Sáng dự họp. Chủ tịch UBND xã hứa dọn rác.")
    rec = record(text, [("Giám đốc Sở Y tế", "TITLE", 0), ("Trần Hữu Lộc", "OFFICIAL", 0), ("Giám đốc Sở Y tế", "TITLE", 1), ("cấp đủ thuốc", "COMMITMENT", 0),
                        ("Chủ tịch UBND xã", "TITLE", 0), ("Lò Văn Pấu", "OFFICIAL", 0), ("Chủ tịch UBND xã", "TITLE", 1), ("Vì Văn Sáng", "OFFICIAL", 0),
                        ("Chủ tịch UBND xã", "TITLE", 2), ("dọn rác", "COMMITMENT", 0)],
                 [(1, 0, "HAS_TITLE"), (2, 3, "COMMITS"), (5, 4, "HAS_TITLE"), (7, 6, "HAS_TITLE"), (8, 9, "COMMITS")])
    health, commune = ledger_rows(rec)
    # a later sentence's title (no HAS_TITLE across sentences) is the one person who holds it
    assert (health["committer"], health["committer_label"], health["committer_body"]) == ("Trần Hữu Lộc (Giám đốc Sở Y tế)", "TITLE", "Sở Y tế")
    # held by two people: which one is not said, so the title stays its own committer
    assert (commune["committer"], commune["committer_body"]) == ("Chủ tịch UBND xã", "UBND xã")


def test_deadline_kinds_and_typed_rows():
    text = "UBND huyện cam kết sửa trường sớm, làm đường trong quý II, xây chợ."
    rec = record(text, [("UBND huyện", "ORG", 0), ("sửa trường", "COMMITMENT", 0), ("sớm", "DATE", 0),
                        ("làm đường", "COMMITMENT", 0), ("quý II", "DATE", 0), ("xây chợ", "COMMITMENT", 0)],
                 [(0, 1, "COMMITS"), (1, 2, "DEADLINE"), (0, 3, "COMMITS"), (3, 4, "DEADLINE"), (5, 0, "ASSIGNED_TO")])
    unresolved, quarter, none = ledger_rows(rec)
    assert (unresolved["deadline_text"], unresolved["deadline"], unresolved["deadline_kind"]) == ("sớm", "", "unresolved")
    assert (quarter["deadline"], quarter["deadline_kind"]) == ("2024-Q2", "quarter")
    assert (none["deadline_text"], none["deadline_kind"]) == ("", "")
    typed = typed_row(none)
    assert list(typed) == list(COLUMNS)
    assert typed["deadline_text"] is None and typed["deadline_start"] is None and typed["deadline_kind"] is None
    assert typed["committer"] is None and typed["committer_start"] is None
    assert typed["assignees"] == ["UBND huyện"] and typed["assignee_offsets"] == [{"start": 0, "end": len("UBND huyện")}]
    assert typed_row(quarter)["assignees"] == [] and typed_row(quarter)["commitment_start"] == text.index("làm đường")


@pytest.mark.parametrize("text,want", [
    ("Thứ Hai, 12/05/2024 08:30\nSở Y tế được yêu cầu rà soát hồ sơ.", "2024-05-12"),
    ("Sở Xây dựng rà soát các công trình trước ngày 30/6/2025.", "2025-05"),
    ("UBND tỉnh giao Sở Tài chính hoàn thành chậm nhất 15-8-2024; đăng ngày 02/03/2024", "2024-03-02"),
])
def test_a_deadline_in_the_first_lines_is_not_the_article_date(text, want):
    from vi_officials.applications.ledger.rows import article_date

    assert article_date({"text": text, "meta": {}}, default="2025-05") == want
