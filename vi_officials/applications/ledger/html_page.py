"""The commitment ledger as one self-contained HTML page.

`render_ledger_html(rows)` takes the ledger rows (one dict per predicted commitment,
see the ledger schema) and returns a page with no external resources: inline CSS, bar
charts drawn as inline SVG here in Python (commitments per body, deadlines by kind --
"no deadline", "unresolved" and each resolved granularity kept apart -- and resolved
day or month deadlines per month), client-side filters (committer, assignee, deadline,
a minimum commitment score on a slider that gives each "nine" -- 0.9, 0.99, 0.999 -- a
quarter of its length, so saturated scores can still be told apart) and a sortable table
whose sentence column highlights the committer, commitment, assignees and deadline.
Each row links to its sentence in the article-text section below the table, where the
targeted sentence is highlighted; that section holds the sentences of the article that
carry commitments, in text order, with "…" where text lies between them (the rows carry
sentences, not whole articles).

Every piece of text that comes from a row is passed through `html.escape`; the page's
script reads only `data-*` attributes (escaped like any other attribute), so no row data
is ever placed inside a <script> element. Element ids are built from counters, never
from row text.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .deadlines import UNRESOLVED, deadline_kind

__all__ = ["render_ledger_html", "highlight_sentence", "deadline_month", "deadline_kind_counts"]

OTHER_MONTH = "not a day or month"
NONE_LABEL = "(none)"
NO_BODY = "(no body)"
NO_DEADLINE = "no deadline"
# the deadline chart's bars, in this order
KIND_ORDER = (NO_DEADLINE, UNRESOLVED, "day", "month", "quarter", "half-year", "year")
TOP_BODIES = 15
MONTH_RE = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2]))(?:$|-)")
# Highlight classes in the order a part is considered: a later part that crosses an
# earlier one (overlaps without nesting) is dropped.
PART_ORDER = ("committer", "commitment", "assignee", "deadline")


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _int(value, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _score(value) -> Optional[float]:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN -> None


def _fmt_score(value) -> str:
    """Two decimals, or up to four above 0.99 where saturated scores differ: "0.9971"."""
    s = _score(value)
    if s is None:
        return ""
    return f"{s:.4f}".rstrip("0").rstrip(".") if 0.99 <= s < 1 else f"{s:.2f}"


def deadline_month(deadline: str) -> str:
    """'2023-06-30' and '2023-06' -> '2023-06'; quarters, halves, years and '' -> other."""
    m = MONTH_RE.match(deadline or "")
    return m.group(1) if m else OTHER_MONTH


def row_deadline_kind(row: dict) -> str:
    """The row's deadline kind (its `deadline_kind`, or worked out from the deadline for
    rows without one): a granularity, "unresolved" or "no deadline"."""
    kind = row.get("deadline_kind") or deadline_kind(row.get("deadline_text") or "", row.get("deadline") or "")
    return kind or NO_DEADLINE


def _body(row: dict) -> str:
    """The committer's body; never the committer itself."""
    return (row.get("committer_body") or "").strip() or NO_BODY


def _committed(row: dict) -> bool:
    return bool((row.get("committer") or "").strip())


def parse_offsets(text) -> List[Tuple[int, int]]:
    """'12-20;30-41' (or the typed row's [{"start": 12, "end": 20}, ...]) -> [(12, 20),
    (30, 41)]; malformed pieces are skipped."""
    if not isinstance(text, str):
        pairs = [(p.get("start"), p.get("end")) if isinstance(p, dict) else tuple(p)[:2] for p in (text or [])]
        return [(_int(a), _int(b)) for a, b in pairs]
    out = []
    for piece in (text or "").split(";"):
        m = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", piece)
        if m:
            out.append((int(m.group(1)), int(m.group(2))))
    return out


# --------------------------------------------------------------------------- highlights

def _parts(row: dict) -> List[Tuple[str, int, int]]:
    """(class, start, end) for every part of a row, in article offsets, in PART_ORDER."""
    parts = [
        ("committer", _int(row.get("committer_start")), _int(row.get("committer_end"))),
        ("commitment", _int(row.get("commitment_start")), _int(row.get("commitment_end"))),
    ]
    parts += [("assignee", s, e) for s, e in parse_offsets(row.get("assignee_offsets") or "")]
    parts.append(("deadline", _int(row.get("deadline_start")), _int(row.get("deadline_end"))))
    return parts


def _accepted_spans(row: dict) -> List[Tuple[int, int, int, str]]:
    """Sentence-relative spans that fall inside the sentence and nest with every span
    accepted before them: (start, end, order, class)."""
    sentence = row.get("sentence") or ""
    base = _int(row.get("sentence_start"), 0)
    accepted: List[Tuple[int, int, int, str]] = []
    for order, (cls, s, e) in enumerate(_parts(row)):
        if s < 0 or e < 0:
            continue
        s, e = s - base, e - base
        if not (0 <= s < e <= len(sentence)):
            continue
        if any((s, e) == (a, b) and c == cls for a, b, _, c in accepted):
            continue  # the same part twice
        crosses = any(s < b and a < e and not (a <= s and e <= b) and not (s <= a and b <= e)
                      for a, b, _, _ in accepted)
        if not crosses:
            accepted.append((s, e, order, cls))
    return accepted


def highlight_sentence(row: dict) -> str:
    """The row's sentence, html-escaped, with each part wrapped in <mark class=...>.

    Marks are built from a sorted list of boundary events: at each boundary the marks
    ending there are closed (innermost first), then the marks starting there are opened
    (outermost first), so a commitment can contain assignee and deadline marks."""
    sentence = row.get("sentence") or ""
    spans = _accepted_spans(row)
    events: List[Tuple[int, int, int, int, str]] = []
    # sort key: position, closes (0) before opens (1); closes: inner (later start) first;
    # opens: outer (later end) first, then the earlier-considered part outside.
    for s, e, order, cls in spans:
        events.append((s, 1, -e, order, cls))
        events.append((e, 0, -s, -order, cls))
    events.sort()
    out: List[str] = []
    pos = 0
    for at, kind, _, _, cls in events:
        if at > pos:
            out.append(html.escape(sentence[pos:at]))
            pos = at
        if kind == 1:
            out.append(f'<mark class="{cls}">')
        else:
            out.append("</mark>")
    out.append(html.escape(sentence[pos:]))
    return "".join(out)


# --------------------------------------------------------------------------- charts

def _bar_chart(title: str, counts: Sequence[Tuple[str, int]], css_class: str, empty: str) -> str:
    label_w, bar_w, count_w, row_h, top = 230, 300, 44, 24, 8
    width = label_w + bar_w + count_w
    if not counts:
        body = (f'<svg class="chart {css_class}" role="img" aria-label="{_esc(title)}" '
                f'viewBox="0 0 {width} 40" width="{width}" height="40">'
                f'<text x="8" y="24" class="empty">{_esc(empty)}</text></svg>')
        return f'<figure class="chart-box"><figcaption>{_esc(title)}</figcaption>{body}</figure>'
    peak = max(c for _, c in counts) or 1
    height = top * 2 + row_h * len(counts)
    parts = [f'<svg class="chart {css_class}" role="img" aria-label="{_esc(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, count) in enumerate(counts):
        y = top + i * row_h
        w = max(2.0, bar_w * count / peak)
        shown = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<g class="bar" data-label="{_esc(label)}" data-count="{count}">'
            f'<title>{_esc(label)}: {count}</title>'
            f'<text class="label" x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end">{_esc(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" rx="3"/>'
            f'<text class="count" x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}">'
            f'{count}</text></g>')
    parts.append("</svg>")
    return (f'<figure class="chart-box"><figcaption>{_esc(title)}</figcaption>'
            f'{"".join(parts)}</figure>')


def body_counts(rows: Iterable[dict], top: int = TOP_BODIES) -> List[Tuple[str, int]]:
    """Rows per committer body, most first; rows without a body are left out (the chart's
    caption counts them), so they never crowd out the bodies."""
    counts = Counter(_body(r) for r in rows)
    counts.pop(NO_BODY, None)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _body_caption(rows: Sequence[dict]) -> str:
    no_committer = sum(1 for r in rows if not _committed(r))
    no_body = sum(1 for r in rows if _committed(r) and _body(r) == NO_BODY)
    return (f"Commitments per committer body (top {TOP_BODIES}; not shown: {no_body} whose committer "
            f"names no body, {no_committer} without a committer)")


MAX_MONTHS = 18


def month_counts(rows: Iterable[dict], latest: int = MAX_MONTHS) -> List[Tuple[str, int]]:
    """Counts per deadline month of the day and month deadlines, in time order; past
    `latest` distinct months the earlier ones are summed per year ("2023", or "2024-01…05"
    for the part of a year before the latest months), so an archive of years stays one
    readable chart. Other deadlines are in `deadline_kind_counts`."""
    counts = Counter(deadline_month(r.get("deadline") or "") for r in rows)
    counts.pop(OTHER_MONTH, None)
    out = sorted(counts.items())
    if len(out) <= latest:
        return out
    first_shown = out[-latest][0]
    years: Dict[str, int] = {}
    for month, n in out[:-latest]:
        year = month[:4]
        label = year if year < first_shown[:4] else f"{year}-01…{int(first_shown[5:]) - 1:02d}"
        years[label] = years.get(label, 0) + n
    return sorted(years.items()) + out[-latest:]


def deadline_kind_counts(rows: Iterable[dict]) -> List[Tuple[str, int]]:
    """Rows per deadline kind: "no deadline", "unresolved" (a deadline text that could
    not be normalised), then each granularity; kinds with no row are left out."""
    counts = Counter(row_deadline_kind(r) for r in rows)
    return [(k, counts[k]) for k in KIND_ORDER if counts[k]]


# --------------------------------------------------------------------------- table

COLUMNS = (  # (header, sort type)
    ("Article", "text"), ("Date", "text"), ("Committer", "text"), ("Commitment", "text"),
    ("Score", "num"), ("Assignees", "text"), ("Deadline", "text"), ("Sentence", "text"),
)


def _score_badge(value, what: str) -> str:
    s = _fmt_score(value)
    return f' <span class="score" title="{_esc(what)} score">{s}</span>' if s else ""


def _assignees(row: dict) -> List[str]:
    value = row.get("assignees") or ""
    items = value.split("; ") if isinstance(value, str) else [str(v) for v in value]
    return [a for a in items if a.strip()]


def _row_html(row: dict, number: int, sentence_id: str) -> str:
    committer = row.get("committer") or ""
    body = row.get("committer_body") or ""
    label = row.get("committer_label") or ""
    assignees = _assignees(row)
    deadline_text = row.get("deadline_text") or ""
    deadline = row.get("deadline") or ""
    month = deadline_month(deadline)
    kind = row_deadline_kind(row)
    score = _score(row.get("commitment_score"))

    committer_cell = (f'<div>{_esc(committer) or "<span class=none>—</span>"}'
                      f'{_score_badge(row.get("commits_score"), "COMMITS")}</div>')
    meta = " · ".join(_esc(x) for x in (label, body if body != committer else "") if x)
    if meta:
        committer_cell += f'<div class="sub">{meta}</div>'
    assignee_cell = ("".join(f'<span class="chip">{_esc(a)}</span>' for a in assignees)
                     or '<span class="none">—</span>')
    assignee_cell += _score_badge(row.get("assigned_score"), "ASSIGNED_TO")
    if deadline_text or deadline:
        norm = (f'<span class="norm">{_esc(deadline)}</span> <span class="kind">{_esc(kind)}</span>' if deadline
                else '<span class="norm unresolved">unresolved</span>')
        deadline_cell = (f'<div>{_esc(deadline_text) or "<span class=none>—</span>"}</div>'
                         f'<div class="sub">→ {norm}{_score_badge(row.get("deadline_score"), "deadline")}</div>')
    else:
        deadline_cell = '<span class="none">—</span>'
    score_cell = (f'<span class="score big" title="COMMITMENT score">{_fmt_score(score)}</span>' if score is not None
                  else '<span class="none">—</span>')
    link = f'<a class="to-text" href="#{sentence_id}" title="the sentence in the article text">in the text ↓</a>'

    cells = [
        (row.get("article_id") or "", f'<code>{_esc(row.get("article_id") or "")}</code>'),
        (row.get("article_date") or "", _esc(row.get("article_date") or "")),
        (committer, committer_cell),
        (row.get("commitment") or "", _esc(row.get("commitment") or "")),
        ("" if score is None else repr(score), score_cell),
        ("; ".join(assignees), assignee_cell),
        (deadline or deadline_text, deadline_cell),
        (row.get("sentence") or "", f'<div class="sentence">{highlight_sentence(row)}</div>{link}'),
    ]
    tds = "".join(f'<td data-sort="{_esc(key)}">{content}</td>' for key, content in cells)
    return (f'<tr id="row-{number}" data-committer="{_esc(committer)}" data-assignees="{_esc("; ".join(assignees))}" '
            f'data-month="{_esc(month)}" data-kind="{_esc(kind)}" '
            f'data-score="{"" if score is None else repr(score)}">{tds}</tr>')


# --------------------------------------------------------------------------- article texts

def _sentence_ids(rows: Sequence[dict]) -> Tuple[List[str], Dict[str, Dict[int, Tuple[str, str, List[int]]]]]:
    """An element id per row for its sentence, and per article (in order of first row)
    its sentences: start -> (id, sentence, numbers of the rows in it). Ids come from
    counters, so row text never reaches an id."""
    articles: Dict[str, Dict[int, Tuple[str, str, List[int]]]] = {}
    ids = []
    for number, row in enumerate(rows):
        article = str(row.get("article_id") or "")
        sentences = articles.setdefault(article, {})
        start = _int(row.get("sentence_start"), 0)
        if start not in sentences:
            sentences[start] = (f"t{len(articles) - 1}-s{len(sentences)}", row.get("sentence") or "", [])
        sentences[start][2].append(number)
        ids.append(sentences[start][0])
    return ids, articles


def _article_texts(articles: Dict[str, Dict[int, Tuple[str, str, List[int]]]]) -> str:
    """One section per article: its sentences that carry commitments, in text order,
    "…" between two that are not adjacent; each links back to its rows."""
    out = []
    for n, (article, sentences) in enumerate(articles.items()):
        parts, end = [], None
        for start in sorted(sentences):
            sid, sentence, numbers = sentences[start]
            if start - (0 if end is None else end) > 2:  # more than the space between two sentences
                parts.append('<span class="gap">…</span> ')
            back = "".join(f'<a class="back" href="#row-{i}" title="row {i + 1}">↑{i + 1}</a>' for i in numbers)
            parts.append(f'<span class="sent" id="{sid}">{_esc(sentence)}</span>{back} ')
            end = start + len(sentence)
        out.append(f'<section class="article" id="t{n}"><h3><code>{_esc(article)}</code></h3>'
                   f'<p>{"".join(parts).rstrip()}</p></section>')
    return "".join(out)


# --------------------------------------------------------------------------- page

CSS = """
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --zebra:#f6f8fa; --accent:#0969da;
  --c-committer:#cfe3ff; --c-commitment:#fff1a8; --c-assignee:#c9f2d0; --c-deadline:#ffd6d1; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 48px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 10px; }
.stats { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 18px; padding: 0; list-style: none; }
.stats li { background: var(--zebra); border: 1px solid var(--line); border-radius: 999px;
  padding: 3px 12px; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 20px; margin-bottom: 18px; }
.chart-box { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; max-width: 100%; }
.chart-box figcaption { font-weight: 600; margin-bottom: 6px; }
.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
.chart rect { fill: #4c8bd6; }
.chart.months rect { fill: #d9822b; }
.chart .label { fill: var(--fg); }
.chart .count { fill: var(--muted); font-weight: 600; }
.chart .empty { fill: var(--muted); font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 0 0 12px; color: var(--muted); }
.legend mark { color: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: 14px; align-items: end; margin: 0 0 10px;
  padding: 10px 12px; background: var(--zebra); border: 1px solid var(--line); border-radius: 8px; }
.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.filters select, .filters input { font: inherit; padding: 4px 6px; border: 1px solid var(--line);
  border-radius: 6px; min-width: 200px; max-width: 340px; background: #fff; }
#shown { margin-left: auto; font-weight: 600; color: var(--fg); }
table { border-collapse: separate; border-spacing: 0; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 7px 9px; border-bottom: 1px solid var(--line); }
thead th { position: sticky; top: 0; z-index: 1; background: #eaeef2; cursor: pointer;
  user-select: none; white-space: nowrap; border-bottom: 2px solid #afb8c1; }
thead th:hover { background: #dde3e9; }
thead th .arrow { color: var(--muted); font-size: 11px; margin-left: 3px; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody.js tr { background: #fff; }
tbody.js tr.alt { background: var(--zebra); }
#ledger tbody tr:hover { background: #eef5ff; }
td:nth-child(1), td:nth-child(2), td:nth-child(5) { white-space: nowrap; }
td:nth-child(3) { min-width: 150px; max-width: 220px; }
td:nth-child(4) { min-width: 160px; max-width: 260px; }
td:nth-child(6) { min-width: 120px; max-width: 200px; }
td:nth-child(7) { min-width: 110px; }
td:nth-child(8) { min-width: 320px; }
.sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
.none { color: #afb8c1; }
.score { display: inline-block; font-size: 11px; color: var(--muted); background: #eef1f4;
  border-radius: 4px; padding: 0 4px; font-variant-numeric: tabular-nums; }
.score.big { font-size: 13px; color: var(--fg); }
.chip { display: inline-block; background: var(--c-assignee); border-radius: 4px; padding: 0 5px; margin: 0 3px 3px 0; }
.norm { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.norm.unresolved { color: #b35900; font-style: italic; font-family: inherit; }
code { font-size: 12px; }
mark { border-radius: 3px; padding: 1px 2px; color: inherit; }
mark.committer { background: var(--c-committer); }
mark.commitment { background: var(--c-commitment); }
mark.assignee { background: var(--c-assignee); box-shadow: inset 0 -2px #3fa45b; }
mark.deadline { background: var(--c-deadline); box-shadow: inset 0 -2px #d1453b; }
.empty-row td { text-align: center; color: var(--muted); font-style: italic; padding: 24px; }
.chart.kinds rect { fill: #8a63d2; }
.chart.kinds g[data-label="no deadline"] rect, .chart.kinds g[data-label="unresolved"] rect { fill: #afb8c1; }
.filters input[type=range] { min-width: 160px; padding: 0; }
.kind { color: var(--muted); font-size: 11px; }
a.to-text { font-size: 12px; color: var(--accent); text-decoration: none; }
.texts h2 { font-size: 18px; margin: 28px 0 8px; }
.article { border-top: 1px solid var(--line); padding: 6px 0; }
.article h3 { font-size: 13px; margin: 6px 0; }
.article p { margin: 0; max-width: 980px; }
.sent { border-radius: 3px; }
.sent:target { background: var(--c-commitment); outline: 2px solid #d4a72c; }
.gap { color: var(--muted); }
a.back { font-size: 11px; color: var(--accent); text-decoration: none; margin-left: 2px; vertical-align: super; }
"""

JS = """
(function () {
  var table = document.getElementById('ledger');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.querySelectorAll('tr[data-month]'));
  var selCommitter = document.getElementById('f-committer');
  var inpAssignee = document.getElementById('f-assignee');
  var selDeadline = document.getElementById('f-deadline');
  var inpScore = document.getElementById('f-score');
  var outScore = document.getElementById('f-score-value');
  var shown = document.getElementById('shown');
  function apply() {
    var c = selCommitter.value, a = inpAssignee.value.trim().toLocaleLowerCase(), d = selDeadline.value, n = 0;
    // the slider is on a scale of nines: 25 -> 0.9, 50 -> 0.99, 75 -> 0.999, 100 -> 0.9999
    var position = parseFloat(inpScore.value) || 0;
    var minScore = position <= 0 ? 0 : 1 - Math.pow(10, -position / 25);
    outScore.textContent = minScore.toFixed(position > 50 ? 4 : 2);
    rows.forEach(function (tr) {
      var score = tr.dataset.score === '' ? NaN : parseFloat(tr.dataset.score);
      var ok = (c === '*' || tr.dataset.committer === c) &&
               (a === '' || tr.dataset.assignees.toLocaleLowerCase().indexOf(a) !== -1) &&
               (d === 'any' || (d.indexOf('kind:') === 0 ? tr.dataset.kind === d.slice(5) : tr.dataset.month === d.slice(6))) &&
               (isNaN(score) || score >= minScore);
      tr.hidden = !ok;
      if (ok) { n++; tr.classList.toggle('alt', n % 2 === 0); }
    });
    shown.textContent = n + ' of ' + rows.length + ' rows shown';
  }
  selCommitter.addEventListener('change', apply);
  selDeadline.addEventListener('change', apply);
  inpAssignee.addEventListener('input', apply);
  inpScore.addEventListener('input', apply);
  var ths = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(ths, function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      var num = th.dataset.type === 'num';
      Array.prototype.forEach.call(ths, function (h) {
        h.removeAttribute('aria-sort'); h.querySelector('.arrow').textContent = '';
      });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      th.querySelector('.arrow').textContent = asc ? '\\u25B2' : '\\u25BC';
      var keyed = rows.map(function (tr, i) {
        var v = tr.cells[col].dataset.sort;
        if (num) { v = v === '' ? NaN : parseFloat(v); }
        return {tr: tr, v: v, i: i};
      });
      keyed.sort(function (x, y) {
        var d;
        if (num) {
          var xn = isNaN(x.v), yn = isNaN(y.v);
          if (xn || yn) { return xn === yn ? x.i - y.i : (xn ? 1 : -1); }
          d = x.v - y.v;
        } else {
          d = x.v.localeCompare(y.v, 'vi', {numeric: true, sensitivity: 'base'});
        }
        return (asc ? d : -d) || x.i - y.i;
      });
      rows = keyed.map(function (k) { return k.tr; });
      rows.forEach(function (tr) { tbody.appendChild(tr); });
      apply();
    });
  });
  tbody.classList.add('js');
  apply();
})();
"""


def _options(values: Sequence[Tuple[str, str]]) -> str:
    return "".join(f'<option value="{_esc(v)}">{_esc(label)}</option>' for v, label in values)


def render_ledger_html(rows: List[dict], title: str = "Commitment ledger") -> str:
    """One self-contained HTML page (inline CSS, inline SVG, vanilla JS) for the ledger."""
    rows = list(rows or [])
    n_rows = len(rows)
    n_articles = len({r.get("article_id") or "" for r in rows if r.get("article_id")})
    committers = sorted({r.get("committer") or "" for r in rows})
    n_committers = len([c for c in committers if c])
    n_resolved = sum(1 for r in rows if (r.get("deadline") or "").strip())
    n_bodies = sum(1 for r in rows if (r.get("committer_body") or "").strip())
    months = sorted({deadline_month(r.get("deadline") or "") for r in rows} - {OTHER_MONTH})
    kinds = deadline_kind_counts(rows)
    sentence_ids, articles = _sentence_ids(rows)

    stats = "".join(f"<li>{s}</li>" for s in (
        f"{n_rows} rows", f"{n_articles} articles", f"{n_committers} committers",
        f"{n_bodies} rows with a body", f"{n_resolved} rows with a resolved deadline"))
    charts = (
        _bar_chart(_body_caption(rows), body_counts(rows), "bodies", "no committer with a body")
        + _bar_chart("Commitments per deadline kind", kinds, "kinds", "no commitments")
        + _bar_chart(f"Day or month deadlines per month (latest {MAX_MONTHS}; earlier ones per year)", month_counts(rows), "months",
                     "no day or month deadlines"))
    legend = ('<div class="legend"><span>Highlights in the sentence:</span>'
              '<mark class="committer">committer</mark>'
              '<mark class="commitment">commitment</mark>'
              '<mark class="assignee">assignee</mark>'
              '<mark class="deadline">deadline</mark></div>')
    committer_opts = [("*", "all")] + [(c, c or NONE_LABEL) for c in committers]
    deadline_opts = ([("any", "any")] + [(f"kind:{k}", f"{k} ({n})") for k, n in kinds]
                     + [(f"month:{m}", m) for m in months])
    filters = (
        '<div class="filters">'
        f'<label>Committer<select id="f-committer">{_options(committer_opts)}</select></label>'
        '<label>Assignee contains<input id="f-assignee" type="search" '
        'placeholder="e.g. Sở Y tế" autocomplete="off"></label>'
        f'<label>Deadline<select id="f-deadline">{_options(deadline_opts)}</select></label>'
        '<label>Commitment score at least <output id="f-score-value" for="f-score">0.00</output>'
        '<input id="f-score" type="range" min="0" max="100" step="1" value="0" '
        'title="rows below this score are hidden; rows without a score (gold) are always shown. '
        'The scale has room for saturated scores: a quarter of it per nine (0.9, 0.99, 0.999, 0.9999)"></label>'
        f'<span id="shown" aria-live="polite">{n_rows} of {n_rows} rows shown</span>'
        '</div>')
    head = "".join(f'<th scope="col" data-type="{t}">{_esc(h)}<span class="arrow"></span></th>'
                   for h, t in COLUMNS)
    body = "".join(_row_html(r, i, sid) for i, (r, sid) in enumerate(zip(rows, sentence_ids))) or (
        f'<tr class="empty-row"><td colspan="{len(COLUMNS)}">No commitments in the ledger.</td></tr>')
    texts = (f'<section class="texts"><h2>Article text: the sentences with commitments</h2>'
             f'{_article_texts(articles)}</section>' if articles else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_esc(title)}</h1>"
        f'<ul class="stats">{stats}</ul>'
        f'<section class="charts">{charts}</section>'
        f"{legend}{filters}"
        f'<table id="ledger"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"{texts}"
        f"<script>{JS}</script></body></html>\n")
