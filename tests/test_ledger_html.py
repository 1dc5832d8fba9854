"""The ledger's HTML page: highlights, nesting, filters, charts, escaping, empty ledger."""
import re

from vi_officials.applications.ledger.html_page import highlight_sentence, render_ledger_html

PREFIX = "Tin tức hôm nay. "


def make_row(sentence, article_id="a1", date="2023-05-14", committer="", body="",
             commitment="", assignees=(), deadline_text="", deadline="", label="OFFICIAL",
             prefix=PREFIX, scores=(0.91, 0.82, 0.73, 0.64)):
    """A row whose offsets are built with str.index on an article = prefix + sentence."""
    base = len(prefix)

    def span(part):
        if not part:
            return -1, -1
        s = base + sentence.index(part)
        return s, s + len(part)

    cs, ce = span(commitment)
    ms, me = span(committer)
    ds, de = span(deadline_text)
    offs = []
    for a in assignees:
        s, e = span(a)
        offs.append(f"{s}-{e}")
    return {
        "article_id": article_id, "article_date": date,
        "sentence": sentence, "sentence_start": base,
        "commitment": commitment, "commitment_start": cs, "commitment_end": ce,
        "commitment_score": scores[0],
        "committer": committer, "committer_label": label if committer else "",
        "committer_body": body, "committer_start": ms, "committer_end": me,
        "commits_score": scores[1] if committer else None,
        "assignees": "; ".join(assignees), "assignee_offsets": ";".join(offs),
        "assigned_score": scores[2] if assignees else None,
        "deadline_text": deadline_text, "deadline": deadline,
        "deadline_start": ds, "deadline_end": de,
        "deadline_score": scores[3] if deadline_text else None,
    }


S1 = ("Chủ tịch UBND tỉnh Nguyễn Văn An cam kết chỉ đạo Sở Y tế hoàn thành "
      "việc cấp thuốc trước ngày 30/6/2023.")
S2 = "Bộ trưởng Trần Thị Bình hứa sẽ xây xong cầu Hòa Bình trong quý III/2023."
S3 = "Bí thư Lê Văn Cường khẳng định sẽ giải ngân hết vốn đầu tư công trong tháng 7/2023."


def row1():
    return make_row(
        S1, committer="Nguyễn Văn An", body="UBND tỉnh Sơn La",
        commitment="chỉ đạo Sở Y tế hoàn thành việc cấp thuốc trước ngày 30/6/2023",
        assignees=("Sở Y tế",), deadline_text="ngày 30/6/2023", deadline="2023-06-30")


def row2():
    return make_row(
        S2, article_id="a2", date="2023-07", committer="Trần Thị Bình", body="Bộ Giao thông vận tải",
        commitment="xây xong cầu Hòa Bình", deadline_text="quý III/2023", deadline="2023-Q3")


def row3():
    return make_row(
        S3, article_id="a3", committer="Lê Văn Cường", body="UBND tỉnh Sơn La",
        commitment="giải ngân hết vốn đầu tư công", deadline_text="tháng 7/2023", deadline="2023-07")


def marks(html_text, cls):
    """Text inside each <mark class=cls>, with nested marks stripped, found by walking tags."""
    out = []
    for m in re.finditer(f'<mark class="{cls}">', html_text):
        depth, i, start = 1, m.end(), m.end()
        while depth:
            nxt = re.search(r"<mark [^>]*>|</mark>", html_text[i:])
            depth += -1 if nxt.group(0) == "</mark>" else 1
            i += nxt.end()
        inner = html_text[start:i - len("</mark>")]
        out.append(re.sub(r"<[^>]+>", "", inner))
    return out


def test_highlights_are_placed_at_the_right_text():
    h = highlight_sentence(row3())
    assert marks(h, "committer") == ["Lê Văn Cường"]
    assert marks(h, "commitment") == ["giải ngân hết vốn đầu tư công"]
    assert marks(h, "deadline") == ["tháng 7/2023"]
    assert marks(h, "assignee") == []
    assert re.sub(r"<[^>]+>", "", h) == S3  # marks add no text and lose none
    page = render_ledger_html([row3()])
    assert '<mark class="committer">Lê Văn Cường</mark>' in page
    assert '<mark class="deadline">tháng 7/2023</mark>' in page


def test_assignee_and_deadline_nest_inside_the_commitment():
    h = highlight_sentence(row1())
    assert marks(h, "commitment") == [
        "chỉ đạo Sở Y tế hoàn thành việc cấp thuốc trước ngày 30/6/2023"]
    assert marks(h, "assignee") == ["Sở Y tế"]
    assert marks(h, "deadline") == ["ngày 30/6/2023"]
    assert ('<mark class="commitment">chỉ đạo <mark class="assignee">Sở Y tế</mark> hoàn thành '
            'việc cấp thuốc trước <mark class="deadline">ngày 30/6/2023</mark></mark>.') in h
    assert h.count("<mark") == h.count("</mark>") == 4


def test_crossing_and_out_of_sentence_parts_are_skipped():
    r = row3()
    # a deadline that starts inside the commitment and ends after it cannot nest
    r["deadline_start"] = r["commitment_end"] - 3
    r["deadline_end"] = r["commitment_end"] + 5
    # a committer in the previous sentence (outside this one)
    r["committer_start"], r["committer_end"] = 0, 7
    h = highlight_sentence(r)
    assert marks(h, "commitment") == ["giải ngân hết vốn đầu tư công"]
    assert marks(h, "deadline") == [] and marks(h, "committer") == []
    assert re.sub(r"<[^>]+>", "", h) == S3


def test_row_without_assignees_renders():
    r = row2()
    assert r["assignees"] == "" and r["assignee_offsets"] == ""
    r["assignee_offsets"] = "-1--1"  # even a malformed/absent marker is tolerated
    page = render_ledger_html([r])
    assert '<mark class="assignee">' not in page.split("<table")[1]
    assert '<mark class="commitment">xây xong cầu Hòa Bình</mark>' in page
    assert "1 of 1 rows shown" in page
    assert '<span class="norm">2023-Q3</span>' in page


def test_committer_and_deadline_selects():
    page = render_ledger_html([row1(), row2(), row3(), row1()])
    sel = re.search(r'<select id="f-committer">(.*?)</select>', page).group(1)
    values = re.findall(r'<option value="([^"]*)">', sel)
    assert values == ["*", "Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"]
    deadlines = re.search(r'<select id="f-deadline">(.*?)</select>', page).group(1)
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', deadlines)
    assert options == [("any", "any"), ("kind:day", "day (2)"), ("kind:month", "month (1)"), ("kind:quarter", "quarter (1)"),
                       ("month:2023-06", "2023-06"), ("month:2023-07", "2023-07")]
    assert 'data-month="2023-06"' in page and 'data-kind="quarter"' in page
    assert "4 of 4 rows shown" in page


def test_header_counts():
    unresolved = make_row("Ông Phạm Văn Dũng hứa sớm sửa đường.", article_id="a2",
                          committer="Phạm Văn Dũng", commitment="sớm sửa đường",
                          deadline_text="sớm", deadline="")
    page = render_ledger_html([row1(), row2(), row3(), unresolved])
    stats = re.search(r'<ul class="stats">(.*?)</ul>', page).group(1)
    assert "4 rows" in stats and "3 articles" in stats and "4 committers" in stats
    assert "3 rows with a resolved deadline" in stats
    assert "unresolved" in page


def test_markup_in_rows_is_shown_as_text():
    bad = "<script>alert(1)</script>"
    img = "<img src=x onerror=alert(1)>"
    sentence = f"Ông {img} cam kết {bad} xong trong tháng 6/2023."
    r = make_row(sentence, article_id=f'x"{bad}', date=img, committer=f"Ông {img}",
                 body=bad, commitment=bad, assignees=(img,), deadline_text="tháng 6/2023",
                 deadline="2023-06")
    r["committer_label"] = bad
    page = render_ledger_html([r], title=f"Ledger {bad}")
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # the only script element is the page's own
    assert page.count("<script>") == 1
    assert '<mark class="commitment">&lt;script&gt;alert(1)&lt;/script&gt;</mark>' in page
    assert '<mark class="assignee">&lt;img src=x onerror=alert(1)&gt;</mark>' in page


def chart(page, cls):
    svg = re.search(f'<svg class="chart {cls}".*?</svg>', page, re.S).group(0)
    return re.findall(r'<g class="bar" data-label="([^"]*)" data-count="(\d+)">', svg)


def test_svg_charts_contain_the_counts():
    no_body = make_row("Sở Tài chính cam kết rà soát ngân sách.", committer="Sở Tài chính",
                       label="ORG", commitment="rà soát ngân sách")
    nobody = make_row("Cần xây thêm trường học trong năm 2024.", commitment="xây thêm trường học",
                      deadline_text="năm 2024", deadline="2024")
    unresolved = make_row("Ông Phạm Văn Dũng hứa sớm sửa đường.", committer="Phạm Văn Dũng",
                          commitment="sớm sửa đường", deadline_text="sớm", deadline="")
    page = render_ledger_html([row1(), row2(), row3(), row1(), no_body, nobody, unresolved])
    # a row without a body is never counted under its committer: the caption counts it
    assert dict(chart(page, "bodies")) == {"UBND tỉnh Sơn La": "3", "Bộ Giao thông vận tải": "1"}
    assert "not shown: 2 whose committer names no body, 1 without a committer" in page
    bodies = re.search(r'<svg class="chart bodies".*?</svg>', page, re.S).group(0)
    assert re.search(r'data-label="UBND tỉnh Sơn La".*?<text class="count"[^>]*>3</text>', bodies)
    # no deadline, an unresolved deadline and each granularity are separate bars
    assert chart(page, "kinds") == [("no deadline", "1"), ("unresolved", "1"), ("day", "2"), ("month", "1"),
                                    ("quarter", "1"), ("year", "1")]
    # the month chart holds the day and month deadlines only
    assert chart(page, "months") == [("2023-06", "2"), ("2023-07", "1")]


def test_top_15_bodies():
    rows = [make_row("Ông A hứa làm.", committer="Ông A", body=f"Cơ quan {i:02d}",
                     commitment="làm") for i in range(20)]
    page = render_ledger_html(rows)
    bodies = re.search(r'<svg class="chart bodies".*?</svg>', page, re.S).group(0)
    assert bodies.count('<g class="bar"') == 15


def test_empty_ledger():
    page = render_ledger_html([])
    assert page.startswith("<!DOCTYPE html>")
    assert "0 rows" in page
    assert "0 of 0 rows shown" in page
    assert "<svg" in page and "</html>" in page


def test_page_is_self_contained():
    page = render_ledger_html([row1(), row2()])
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert not re.search(r"<(link|script)[^>]+src=", page)
    assert "position: sticky" in page
    for cls in ("committer", "commitment", "assignee", "deadline"):
        assert '<div class="legend">' in page and f'<mark class="{cls}">{cls}</mark>' in page
    assert page.count('data-type="num"') == 1


def test_month_chart_keeps_the_latest_months_and_sums_the_earlier_ones_per_year():
    from vi_officials.applications.ledger.html_page import deadline_kind_counts, month_counts

    rows = [{"deadline": f"20{20 + m // 12}-{m % 12 + 1:02d}-15"} for m in range(30)] + [{"deadline": ""}, {"deadline": "2025-Q3"}]
    counts = month_counts(rows, latest=18)
    assert counts[0] == ("2020", 12) and len(counts) == 19
    assert [m for m, _ in counts[1:]] == sorted(m for m, _ in counts[1:]) and counts[-1][0] == "2022-06"
    # the latest months start in April: January to March of that year are one bar
    assert month_counts(rows, latest=15)[:3] == [("2020", 12), ("2021-01…03", 3), ("2021-04", 1)]
    assert month_counts(rows[:5]) == [(f"2020-0{m}", 1) for m in range(1, 6)]
    assert deadline_kind_counts(rows) == [("no deadline", 1), ("day", 30), ("quarter", 1)]


def test_commitment_score_threshold_control():
    low, high, gold = row1(), row2(), row3()
    low["commitment_score"], high["commitment_score"], gold["commitment_score"] = 0.4123, 0.97, None
    page = render_ledger_html([low, high, gold])
    control = re.search(r'<input id="f-score" type="range"[^>]*>', page).group(0)
    assert 'min="0"' in control and 'max="100"' in control
    assert "1 - Math.pow(10, -position / 25)" in page  # a quarter of the slider per nine
    assert re.findall(r'<tr id="row-\d+"[^>]*data-score="([^"]*)"', page) == ["0.4123", "0.97", ""]
    assert '<span class="score big" title="COMMITMENT score">0.41</span>' in page
    # the script hides rows under the threshold and keeps rows without a score
    assert "score >= minScore" in page and "isNaN(score)" in page
    # saturated scores keep the digits that tell them apart
    saturated = row1()
    saturated["commitment_score"] = 0.99712
    assert '<span class="score big" title="COMMITMENT score">0.9971</span>' in render_ledger_html([saturated])


def test_rows_link_to_their_sentence_in_the_article_text():
    first = row1()
    second = make_row(S3, committer="Lê Văn Cường", commitment="giải ngân hết vốn đầu tư công",
                      prefix=PREFIX + S1 + " Một câu khác. ")
    same_sentence = row1()
    same_sentence["commitment"] = "hoàn thành việc cấp thuốc"
    other_article = row2()
    page = render_ledger_html([first, second, same_sentence, other_article])
    links = re.findall(r'<a class="to-text" href="#([^"]+)"', page)
    assert links == ["t0-s0", "t0-s1", "t0-s0", "t1-s0"]
    texts = page.split('<section class="texts">')[1]
    article = re.search(r'<section class="article" id="t0">(.*?)</section>', texts).group(1)
    # the article's sentences in text order; "…" where text lies between them
    assert re.sub(r"<[^>]+>", "", article).replace("↑1↑3", "").replace("↑2", "") == f"a1… {S1} … {S3}"
    assert f'<span class="sent" id="t0-s0">{S1}</span><a class="back" href="#row-0"' in article
    assert '<a class="back" href="#row-2" title="row 3">↑3</a>' in article
    assert ".sent:target" in page  # the targeted sentence is highlighted


def test_article_text_section_escapes_markup_and_ids_come_from_counters():
    bad = '"><script>alert(1)</script>'
    r = make_row(f"Ông A hứa {bad} làm.", article_id=bad, committer="Ông A", commitment="làm")
    page = render_ledger_html([r])
    assert page.count("<script>") == 1
    assert 'id="t0"' in page and 'id="t0-s0"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.split('<section class="texts">')[1]
