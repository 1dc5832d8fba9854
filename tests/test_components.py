"""One quick test per trainable component, in the style of spaCy's test_overfitting_IO:
learn a few invented sentences, predict them, save, reload, predict the same."""
import random

import numpy
import pytest
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import get_current_ops

from vi_officials.components.relation_extractor import candidate_pairs
from vi_officials.components.span_tagger import span_score, tags_to_spans, viterbi_tags
from vi_officials.corpus.convert import blank_nlp
from vi_officials.relations import relation_keys

SMALL_TOK2VEC = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 32, "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [500, 100, 200, 100], "include_static_vectors": False},
    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 32, "depth": 1, "window_size": 1, "maxout_pieces": 2},
}

# invented sentences: (text, spans as (substring, label), relations as (head, child, label) indexes)
SENTENCES = [
    ("Chủ tịch UBND tỉnh yêu cầu Sở Xây dựng rà soát toàn bộ công trình trước ngày 15/8.",
     [("Chủ tịch UBND tỉnh", "TITLE"), ("Sở Xây dựng", "ORG"), ("rà soát toàn bộ công trình", "COMMITMENT"), ("ngày 15/8", "DATE")],
     [(0, 2, "COMMITS"), (2, 1, "ASSIGNED_TO"), (2, 3, "DEADLINE")]),
    ("Giám đốc Nguyễn Văn Hòa đề nghị Công an huyện tăng cường tuần tra ban đêm.",
     [("Giám đốc", "TITLE"), ("Nguyễn Văn Hòa", "OFFICIAL"), ("Công an huyện", "ORG"), ("tăng cường tuần tra ban đêm", "COMMITMENT")],
     [(1, 0, "HAS_TITLE"), (1, 3, "COMMITS"), (3, 2, "ASSIGNED_TO")]),
    ("Đoàn công tác đã kiểm tra ba trường học trong ngày.", [("Đoàn công tác", "ORG")], []),
]


def make_doc(nlp, text, spans, relations):
    from vi_officials.relations import set_relations, span_key

    doc = nlp.make_doc(text)
    made = []
    for sub, label in spans:
        start = text.index(sub)
        made.append(doc.char_span(start, start + len(sub), label=label))
    doc.ents = [s for s in made if s.label_ != "COMMITMENT"]
    doc.spans["commitments"] = [s for s in made if s.label_ == "COMMITMENT"]
    set_relations(doc, [(span_key(made[h]), span_key(made[c]), label, 1.0) for h, c, label in relations])
    return doc


@pytest.fixture
def examples():
    nlp = blank_nlp()
    return nlp, [Example(nlp.make_doc(t), make_doc(nlp, t, s, r)) for t, s, r in SENTENCES]


def train(nlp, examples, steps=70):
    from thinc.api import Adam

    random.seed(0)
    nlp.initialize(get_examples=lambda: examples)
    optimizer = Adam(0.01)
    for _ in range(steps):
        losses = {}
        nlp.update(examples, sgd=optimizer, losses=losses, drop=0.1)
    return losses


def test_span_tagger_overfits_saves_and_reloads(tmp_path, examples):
    nlp, egs = examples
    nlp.add_pipe("span_tagger", config={"model": {"@architectures": "vi_officials.SpanTagger.v1", "lstm_width": 16, "tok2vec": SMALL_TOK2VEC}})
    losses = train(nlp, egs)
    assert losses["span_tagger"] < 1.0
    docs = [nlp(text) for text, _, _ in SENTENCES]
    got = [[s.text for s in doc.spans["commitments"]] for doc in docs]
    assert got == [["rà soát toàn bộ công trình"], ["tăng cường tuần tra ban đêm"], []]
    scores = [list(doc.spans["commitments"].attrs["scores"]) for doc in docs]
    assert all(0.5 < x <= 1.0 for row in scores for x in row)
    nlp.to_disk(tmp_path / "model")
    import spacy

    reloaded = spacy.load(tmp_path / "model")
    again = [reloaded(text) for text, _, _ in SENTENCES]
    assert [[s.text for s in doc.spans["commitments"]] for doc in again] == got
    assert [x for doc in again for x in doc.spans["commitments"].attrs["scores"]] == pytest.approx([x for row in scores for x in row])


@pytest.mark.parametrize("architecture", ["vi_officials.RelationScorer.v1", "vi_officials.RelationScorer.v2"])
def test_relation_extractor_overfits_saves_and_reloads(tmp_path, examples, architecture):
    """Given the gold spans (a predicted-span stage is not part of this pipeline), the
    relation stage learns every relation and none more, and says the same after reload."""
    nlp, egs = examples
    nlp.add_pipe("relation_extractor", config={"model": {"@architectures": architecture, "hidden_width": 16, "tok2vec": SMALL_TOK2VEC}, "span_noise": 0.3})
    losses = train(nlp, egs)
    assert losses["relation_extractor"] < 0.5

    def predict(pipeline):
        out = []
        for text, spans, _ in SENTENCES:
            doc = make_doc(pipeline, text, spans, [])
            out.append(sorted(relation_keys(pipeline.get_pipe("relation_extractor")(doc))))
        return out

    want = [sorted(relation_keys(eg.reference)) for eg in egs]
    got = predict(nlp)
    assert got == want
    nlp.to_disk(tmp_path / "model")
    import spacy

    assert predict(spacy.load(tmp_path / "model")) == got


def test_span_noise_moves_commitments_but_keeps_their_gold_relations(examples):
    nlp, egs = examples
    rel = nlp.add_pipe("relation_extractor", config={"model": {"@architectures": "vi_officials.RelationScorer.v1", "hidden_width": 8, "tok2vec": SMALL_TOK2VEC}, "span_noise": 1.0, "max_shift": 2})
    docs, moved = rel._training_docs(egs[:2], noise=1.0)
    # with noise 1.0 every commitment is redrawn; over a few updates some must really move
    assert any(rel._training_docs(egs[:2], noise=1.0)[1][k] for _ in range(5) for k in (0, 1))
    assert not any(rel._training_docs(egs[:2], noise=0.0)[1])
    for doc, renamed, eg in zip(docs, moved, egs):
        gold = eg.reference.spans["commitments"][0]
        new = doc.spans["commitments"][0]
        assert abs(new.start - gold.start) <= 2 and abs(new.end - gold.end) <= 2 and len(new) >= 1
        if (new.start, new.end) != (gold.start, gold.end):
            assert renamed[(new.start_char, new.end_char, "COMMITMENT")] == (gold.start_char, gold.end_char, "COMMITMENT")
    nlp.initialize(get_examples=lambda: egs)
    truths = rel._truths(docs, egs[:2], moved)
    pairs = [p for doc in docs for p in candidate_pairs(doc)]
    assert truths.shape == (len(pairs), 4) and truths.sum() == sum(len(relation_keys(eg.reference)) for eg in egs[:2])


def _three_addressees_doc(nlp):
    """A directive to three bodies with a deadline, and its candidate spans by text."""
    text = "UBND tỉnh giao Sở Y tế và Sở Tài chính khẩn trương rà soát hồ sơ trước ngày 5/9."
    doc = make_doc(nlp, text, [("UBND tỉnh", "ORG"), ("Sở Y tế", "ORG"), ("Sở Tài chính", "ORG"), ("khẩn trương rà soát hồ sơ", "COMMITMENT"), ("ngày 5/9", "DATE")], [])
    return doc, {s.text: s for s in list(doc.ents) + list(doc.spans["commitments"])}


def test_relation_context_features_see_edges_and_nearer_candidates(examples):
    """v2's extra ranges are each end's first and last token and the token before it, and
    the between-count is the number of other candidates of the entity end's label wholly
    between the two ends."""
    from vi_officials.components.relation_extractor import _between_count, _span_parts, candidate_spans

    nlp, _ = examples
    doc, by_text = _three_addressees_doc(nlp)
    spans = candidate_spans(doc)
    task, date = by_text["khẩn trương rà soát hồ sơ"], by_text["ngày 5/9"]
    parts = _span_parts(task, by_text["Sở Y tế"], context=True)
    assert len(parts) == 9 and parts[:3] == _span_parts(task, by_text["Sở Y tế"], context=False)
    first, last, before = parts[3:6]
    assert (doc[first[0]].text, doc[last[0]].text, doc[before[0]].text) == ("khẩn", "sơ", "chính")
    assert _span_parts(by_text["UBND tỉnh"], task, context=True)[5] == (0, 0)  # nothing before the doc's first token
    # for the commitment: one ORG lies between it and "Sở Y tế", two between it and "UBND tỉnh", none for the nearest
    assert [_between_count(task, by_text[o], spans) for o in ("Sở Tài chính", "Sở Y tế", "UBND tỉnh")] == [0, 1, 2]
    assert _between_count(task, date, spans) == 0


def test_relation_pair_features_column_layout(examples):
    """Each feature row is [9 range means | head label | child label | distance | order |
    between-count] with exactly one hot column per one-hot block, at the expected index."""
    from vi_officials.components.relation_extractor import N_BETWEEN_BUCKETS, N_DISTANCE_BUCKETS, _distance_bucket, _pair_features
    from vi_officials.scheme import ALL_SPAN_LABELS

    nlp, _ = examples
    doc, by_text = _three_addressees_doc(nlp)
    task = by_text["khẩn trương rà soát hồ sơ"]
    pairs = [(task, by_text["UBND tỉnh"]), (task, by_text["ngày 5/9"])]
    width = 5
    tokvecs = numpy.arange(len(doc) * width, dtype="f").reshape(len(doc), width)
    feats, ranges = _pair_features(get_current_ops(), tokvecs, doc, pairs, context=True)
    n = len(ALL_SPAN_LABELS)
    assert feats.shape == (2, 9 * width + 2 * n + N_DISTANCE_BUCKETS + 1 + N_BETWEEN_BUCKETS)
    for row, (head, child) in enumerate(pairs):
        for k, (s, e) in enumerate(ranges[row]):
            expected = tokvecs[s:e].mean(axis=0) if e > s else numpy.zeros(width, dtype="f")
            assert numpy.allclose(feats[row, k * width : (k + 1) * width], expected)
        tail = feats[row, 9 * width :]
        blocks = [tail[:n], tail[n : 2 * n], tail[2 * n : 2 * n + N_DISTANCE_BUCKETS], tail[2 * n + N_DISTANCE_BUCKETS + 1 :]]
        assert [int(b.argmax()) for b in blocks] == [ALL_SPAN_LABELS.index(head.label_), ALL_SPAN_LABELS.index(child.label_), _distance_bucket(head, child), [2, 0][row]]
        assert [float(b.sum()) for b in blocks] == [1.0, 1.0, 1.0, 1.0]
        assert tail[2 * n + N_DISTANCE_BUCKETS] == float(head.start < child.start)


def test_predicted_spans_replace_matched_gold_commitments_and_add_spurious_ones_as_negatives(examples):
    """With `predicted_spans`, a commitment the tagger predicted during training stands in
    for the gold one it overlaps (keeping its gold relations) and one that overlaps none is
    a candidate with no relation."""
    nlp, egs = examples
    rel = nlp.add_pipe("relation_extractor", config={"model": {"@architectures": "vi_officials.RelationScorer.v2", "hidden_width": 8, "tok2vec": SMALL_TOK2VEC}, "predicted_spans": 1.0})
    eg = egs[0]
    text = eg.predicted.text
    near = text.index("rà soát")
    matched = eg.predicted.char_span(near, text.index(" trước ngày"), label="COMMITMENT")  # gold plus a word
    spurious = eg.predicted.char_span(0, text.index(" yêu cầu"), label="COMMITMENT")
    eg.predicted.spans["commitments"] = [spurious, matched]
    docs, moved = rel._training_docs([eg], noise=0.0, predicted=1.0)
    assert [s.text for s in docs[0].spans["commitments"]] == [spurious.text, matched.text]
    gold = eg.reference.spans["commitments"][0]
    assert moved[0] == {(matched.start_char, matched.end_char, "COMMITMENT"): (gold.start_char, gold.end_char, "COMMITMENT")}
    nlp.initialize(get_examples=lambda: egs)
    truths = rel._truths(docs, [eg], moved)
    pairs = candidate_pairs(docs[0])
    linked = {(h.text, c.text) for (h, c), row in zip(pairs, truths) if row.sum()}
    assert linked == {("Chủ tịch UBND tỉnh", matched.text), (matched.text, "Sở Xây dựng"), (matched.text, "ngày 15/8")}
    assert any(spurious.text in (h.text, c.text) for h, c in pairs)
    # without the option the tagger's spans are ignored: the gold commitment is the only one
    docs, moved = rel._training_docs([eg], noise=0.0, predicted=0.0)
    assert [s.text for s in docs[0].spans["commitments"]] == [gold.text] and moved == [{}]


def test_moved_and_predicted_commitments_never_overlap_their_neighbours(examples):
    """Span noise moves gold commitments around the predictions that replaced their
    neighbours without running into them, and a share below 1 replaces about that share."""
    nlp, _ = examples
    text = "UBND tỉnh yêu cầu các sở rà soát hồ sơ, kiểm tra công trình, báo cáo kết quả trước ngày 5/9."
    spans = [("UBND tỉnh", "ORG"), ("rà soát hồ sơ", "COMMITMENT"), ("kiểm tra công trình", "COMMITMENT"), ("báo cáo kết quả", "COMMITMENT"), ("ngày 5/9", "DATE")]
    reference = make_doc(nlp, text, spans, [(3, 4, "DEADLINE")])
    predicted = nlp.make_doc(text)
    start = text.index("kiểm tra")
    guess = predicted.char_span(start, text.index(" báo cáo"), label="COMMITMENT")  # the middle one and its comma
    predicted.spans["commitments"] = [guess]
    eg = Example(predicted, reference)
    rel = nlp.add_pipe("relation_extractor", config={"model": {"@architectures": "vi_officials.RelationScorer.v2", "hidden_width": 8, "tok2vec": SMALL_TOK2VEC}, "max_shift": 3})
    for _ in range(200):
        docs, moved = rel._training_docs([eg], noise=1.0, predicted=1.0)
        got = sorted((s.start, s.end) for s in docs[0].spans["commitments"])
        assert len(got) == 3 and (guess.start, guess.end) in got
        assert all(a[1] <= b[0] for a, b in zip(got, got[1:])), got
        gold_keys = {v for v in moved[0].values()}
        assert gold_keys <= {(s.start_char, s.end_char, "COMMITMENT") for s in reference.spans["commitments"]}
    replaced = 0
    for _ in range(200):
        doc = rel._training_docs([eg], predicted=0.9)[0][0]
        replaced += guess.text in [s.text for s in doc.spans["commitments"]]
    assert 150 <= replaced < 200


def test_predicted_spans_without_an_annotating_tagger_warns_once(examples):
    nlp, egs = examples
    nlp.add_pipe("relation_extractor", config={"model": {"@architectures": "vi_officials.RelationScorer.v2", "hidden_width": 8, "tok2vec": SMALL_TOK2VEC}, "predicted_spans": 0.5})
    nlp.initialize(get_examples=lambda: egs)
    with pytest.warns(UserWarning, match="annotate_training"):
        nlp.update(egs)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nlp.update(egs)


def test_span_tagger_annotates_the_examples_it_trains_on_only_when_asked(examples):
    nlp, egs = examples
    tagger = nlp.add_pipe("span_tagger", config={"model": {"@architectures": "vi_officials.SpanTagger.v1", "lstm_width": 16, "tok2vec": SMALL_TOK2VEC}, "min_length": 1})
    train(nlp, egs, steps=40)
    # (nlp.update works on copies of the examples, which its later components share)
    fresh = [Example(nlp.make_doc(eg.predicted.text), eg.reference) for eg in egs]
    tagger.update(fresh, drop=0.0)
    assert not any("commitments" in eg.predicted.spans for eg in fresh)
    tagger.cfg["annotate_training"] = True
    tagger.update(fresh, drop=0.0)
    assert [[s.text for s in eg.predicted.spans["commitments"]] for eg in fresh] == [["rà soát toàn bộ công trình"], ["tăng cường tuần tra ban đêm"], []]


@pytest.mark.parametrize(
    "probs,sent_starts,want",
    [
        # O O I I O: argmax would start a span at a stray I; constrained, it must be B
        ([[0.9, 0.05, 0.05], [0.6, 0.1, 0.3], [0.2, 0.35, 0.45], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]], [], [0, 0, 1, 2, 0]),
        # an I at a sentence start is not allowed: the span is cut and a new one begins
        ([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.2, 0.7], [0.1, 0.1, 0.8]], [2], [1, 2, 1, 2]),
        # all O stays O
        ([[0.9, 0.05, 0.05]] * 3, [], [0, 0, 0]),
    ],
)
def test_viterbi_decoding_never_starts_a_span_with_I(probs, sent_starts, want):
    nlp = blank_nlp()
    words = ["a", "b", "c", "d", "e"][: len(probs)]
    doc = Doc(nlp.vocab, words=words, sent_starts=[True] + [i in sent_starts for i in range(1, len(words))])
    tags = viterbi_tags(doc, numpy.asarray(probs))
    assert tags == want
    assert all(not (t == 2 and (i == 0 or tags[i - 1] == 0)) for i, t in enumerate(tags))


def test_span_score_is_the_weakest_edge():
    nlp = blank_nlp()
    doc = Doc(nlp.vocab, words=["a", "b", "c", "d"])
    probs = numpy.asarray([[0.1, 0.9, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.4, 0.0, 0.6]])
    span = tags_to_spans(doc, [1, 2, 2, 0], "COMMITMENT")[0]
    assert span_score(probs, span) == pytest.approx(0.4)  # the next token is still I with 0.6


def test_start_words_trim_and_reject():
    from vi_officials.components.span_tagger import apply_start_words

    nlp = blank_nlp()
    doc = nlp.make_doc("Sở Y tế cần phải rà soát hồ sơ. Huyện đã hoàn thành 12 dự án.")
    spans = [doc.char_span(doc.text.index("cần"), doc.text.index("hồ sơ") + 5), doc.char_span(doc.text.index("đã"), len(doc.text) - 1)]
    out = apply_start_words(spans, ["cần", "phải"], ["đã", "cảm ơn"], min_length=2)
    assert [s.text for s in out] == ["rà soát hồ sơ"]


def test_no_gold_commitment_starts_with_a_start_word_of_the_config(root):
    """The start-word lists of configs/cnn.cfg only encode the guidelines: no gold
    commitment of the corpus starts with one of them."""
    import json

    from spacy.util import load_config

    cfg = load_config(root / "configs" / "cnn.cfg")["components"]["span_tagger"]
    words = [w.split() for w in cfg["trim_starts"] + cfg["reject_starts"]]
    assert len(words) >= 5
    bad = []
    for path in (root / "corpus" / "gold.jsonl", root / "corpus" / "written" / "articles.jsonl"):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            for s in record["spans"]:
                if s["label"] == "COMMITMENT":
                    start = record["text"][s["start"] : s["end"]].lower().split()
                    bad += [record["text"][s["start"] : s["end"]] for w in words if start[: len(w)] == w]
    assert bad == []
