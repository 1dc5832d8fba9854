"""`span_tagger`: finds long clause spans (commitments) by tagging tokens B/I/O.

spaCy's `span_finder` and n-gram suggesters enumerate start x end pairs up to a maximum
length, which is quadratic and misses the 30+ syllable clauses commitments often are.
Tagging each token is linear in the document and has no length limit. Spans are written
to `doc.spans[spans_key]` and may overlap `doc.ents`; their scores are in
`doc.spans[spans_key].attrs["scores"]` (one per span, same order).

Decoding is constrained (`decode = "viterbi"`): the best tag sequence in which an I
follows a B or an I and no span runs across a sentence start, so a span starts where
the model is most sure a clause starts rather than at the first stray I. A span's score
is the least of three probabilities: its first tag is B, its inner tags are I (their
mean), and the token after it is not I; spans below `threshold` are dropped.

Two word lists apply the guidelines' edges to what the model predicts: a span that starts
with a word of `trim_starts` ("cần", "phải": left out of a commitment's start) loses it,
and a span that starts with a word of `reject_starts` (past or ongoing aspect "đã",
"đang"; purpose "nhằm", "để"; thanks) is not a commitment. No gold commitment of the
corpus starts with either (checked by a test).
"""
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy

from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import LSTM, Model, Optimizer, SequenceCategoricalCrossentropy, Softmax, chain, set_dropout_rate, with_array, with_padded
from thinc.types import Floats2d

TAGS = ("O", "B", "I")


@registry.architectures("vi_officials.SpanTagger.v1")
def build_span_tagger_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    lstm_width: int = 64,
    lstm_depth: int = 1,
    nO: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """tok2vec >> BiLSTM >> a softmax over O/B/I for every token.

    Whether a clause is a commitment depends on a directive verb ("đề nghị", "yêu cầu")
    that can stand many tokens before it: the BiLSTM carries that context across the
    sentence, which a narrow CNN window cannot. `lstm_width = 0` leaves it out."""
    layers = [tok2vec]
    if lstm_width:
        layers.append(with_padded(LSTM(nO=lstm_width, bi=True, depth=lstm_depth)))
    layers.append(with_array(Softmax(nO=nO)))
    return chain(*layers)


def spans_to_tags(doc: Doc, spans: Iterable[Span]) -> List[int]:
    tags = [0] * len(doc)
    for span in spans:
        tags[span.start] = 1
        for i in range(span.start + 1, span.end):
            tags[i] = 2
    return tags


def tags_to_spans(doc: Doc, tags: Iterable[int], label: str, min_length: int = 1) -> List[Span]:
    """B starts a span, I continues it (an I after O starts one too); spans never
    start or end on whitespace or cross a sentence start, and spans shorter than
    `min_length` tokens are dropped (isolated tags are noise, not clauses)."""
    spans: List[Span] = []
    start = None
    for i, tag in enumerate(list(tags) + [0]):
        token = doc[i] if i < len(doc) else None
        boundary = token is not None and token.is_sent_start and i > 0
        if start is not None and (tag != 2 or boundary):
            spans.append((start, i))
            start = None
        if tag == 1 or (tag == 2 and start is None):
            start = i
    out = []
    for s, e in spans:
        while s < e and doc[s].is_space:
            s += 1
        while e > s and (doc[e - 1].is_space or doc[e - 1].is_punct and doc[e - 1].text in ",;:"):
            e -= 1
        if e - s >= max(1, min_length):
            out.append(Span(doc, s, e, label=label))
    return out


def viterbi_tags(doc: Doc, probs) -> List[int]:
    """The most probable O/B/I sequence in which I only follows B or I and a sentence
    start is never I (so no span crosses a sentence start)."""
    n = len(doc)
    if not n:
        return []
    logp = numpy.log(numpy.clip(numpy.asarray(probs, dtype="float64"), 1e-12, 1.0))
    neg = -1e18
    # allowed[prev, cur]: I (2) may only follow B (1) or I (2)
    allowed = numpy.array([[0.0, 0.0, neg], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    best = logp[0].copy()
    best[2] = neg
    back = numpy.zeros((n, 3), dtype="int64")
    for i in range(1, n):
        cand = best[:, None] + allowed  # prev x cur
        back[i] = cand.argmax(axis=0)
        best = cand.max(axis=0) + logp[i]
        if doc[i].is_sent_start:
            best[2] = neg
    tags = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        tags.append(int(back[i, tags[-1]]))
    return tags[::-1]


def _starts_with(span: Span, words: Sequence[str]) -> int:
    """The number of tokens of the longest entry of `words` that `span` starts with (0: none)."""
    texts = [t.lower_ for t in span[:4]]
    best = 0
    for entry in words:
        parts = entry.lower().split()
        if texts[: len(parts)] == parts:
            best = max(best, len(parts))
    return best


def apply_start_words(spans: List[Span], trim: Sequence[str], reject: Sequence[str], min_length: int = 1) -> List[Span]:
    """Trim leading words the guidelines leave out of a commitment, then drop spans that
    start with a word that marks something else (done or ongoing work, a purpose)."""
    out = []
    for span in spans:
        cut = _starts_with(span, trim) if trim else 0
        while cut and span.end - span.start - cut >= 1:
            span = Span(span.doc, span.start + cut, span.end, label=span.label_)
            cut = _starts_with(span, trim)
        if reject and _starts_with(span, reject):
            continue
        if len(span) >= max(1, min_length):
            out.append(span)
    return out


def span_score(probs, span: Span) -> float:
    """min(P(B) at the start, mean P(I) inside, P(not I) after the end)."""
    start, end = span.start, span.end
    parts = [float(probs[start, 1])]
    if end - start > 1:
        parts.append(float(probs[start + 1 : end, 2].mean()))
    if end < len(probs):
        parts.append(1.0 - float(probs[end, 2]))
    return min(parts)


@registry.scorers("vi_officials.span_tagger_scorer.v1")
def make_span_tagger_scorer():
    return score_span_tagger


def score_span_tagger(examples: Iterable[Example], spans_key: str = "commitments", **kwargs) -> Dict[str, float]:
    """Exact-match P/R/F of the spans under `spans_key`."""
    return Scorer.score_spans(examples, f"spans_{spans_key}", getter=lambda doc, attr: doc.spans.get(spans_key, []), has_annotation=lambda doc: spans_key in doc.spans, **kwargs)


@Language.factory(
    "span_tagger",
    assigns=["doc.spans"],
    default_config={
        "model": {
            "@architectures": "vi_officials.SpanTagger.v1",
            "lstm_width": 64,
            "lstm_depth": 1,
            "tok2vec": {"@architectures": "spacy.Tok2Vec.v2", "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96, "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500], "include_static_vectors": False}, "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4, "window_size": 1, "maxout_pieces": 3}},
        },
        "spans_key": "commitments",
        "label": "COMMITMENT",
        "min_length": 3,
        "decode": "viterbi",
        "threshold": 0.0,
        "trim_starts": [],
        "reject_starts": [],
        "dropout": None,
        "annotate_training": False,
        "scorer": {"@scorers": "vi_officials.span_tagger_scorer.v1"},
    },
    default_score_weights={"spans_commitments_f": 1.0, "spans_commitments_p": 0.0, "spans_commitments_r": 0.0},
)
def make_span_tagger(nlp: Language, name: str, model: Model, spans_key: str, label: str, min_length: int, decode: str, threshold: float, trim_starts: List[str], reject_starts: List[str], dropout: Optional[float], annotate_training: bool, scorer: Optional[Callable]) -> "SpanTagger":
    if decode not in DECODERS:
        raise ValueError(f"span_tagger: decode {decode!r} is not one of {sorted(DECODERS)}")
    return SpanTagger(nlp.vocab, model, name, spans_key=spans_key, label=label, min_length=min_length, decode=decode, threshold=threshold, trim_starts=trim_starts, reject_starts=reject_starts, dropout=dropout, annotate_training=annotate_training, scorer=scorer)


DECODERS = {"viterbi": viterbi_tags, "argmax": lambda doc, probs: probs.argmax(axis=1)}


class SpanTagger(TrainablePipe):
    def __init__(self, vocab: Vocab, model: Model, name: str = "span_tagger", *, spans_key: str = "commitments", label: str = "COMMITMENT", min_length: int = 3, decode: str = "viterbi", threshold: float = 0.0, trim_starts: Iterable[str] = (), reject_starts: Iterable[str] = (), dropout: Optional[float] = None, annotate_training: bool = False, scorer: Optional[Callable] = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"spans_key": spans_key, "label": label, "min_length": min_length, "decode": decode, "threshold": threshold, "trim_starts": list(trim_starts), "reject_starts": list(reject_starts), "dropout": dropout, "annotate_training": annotate_training}
        self.scorer = scorer

    @property
    def spans_key(self) -> str:
        return self.cfg["spans_key"]

    def predict(self, docs: Iterable[Doc]):
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [self.model.ops.alloc2f(len(doc), len(TAGS)) for doc in docs]
        return self.model.predict(docs)

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        decode = DECODERS[self.cfg.get("decode", "argmax")]
        threshold = self.cfg.get("threshold", 0.0)
        for doc, doc_scores in zip(docs, scores):
            probs = self.model.ops.to_numpy(doc_scores)
            tags = decode(doc, probs) if len(doc) else []
            spans = tags_to_spans(doc, tags, self.cfg["label"], self.cfg.get("min_length", 1))
            spans = apply_start_words(spans, self.cfg.get("trim_starts", ()), self.cfg.get("reject_starts", ()), self.cfg.get("min_length", 1))
            span_scores = [span_score(probs, span) for span in spans]
            kept = [(span, sc) for span, sc in zip(spans, span_scores) if sc >= threshold]
            doc.spans[self.spans_key] = [span for span, _ in kept]
            doc.spans[self.spans_key].attrs["scores"] = [sc for _, sc in kept]
            # also by offsets, which survives copies and conversion to records
            by_offsets = doc.user_data.setdefault("vi_officials.span_scores", {})
            for span, sc in kept:
                by_offsets[f"{span.start_char}:{span.end_char}:{span.label_}"] = sc

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optional[Optimizer] = None, losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = [eg for eg in examples if len(eg.predicted)]
        validate_examples(examples, "SpanTagger.update")
        if not examples:
            return losses
        # the BiLSTM's own dropout: the training dropout unless the component sets one
        set_dropout_rate(self.model, drop if self.cfg.get("dropout") is None else self.cfg["dropout"])
        scores, backprop = self.model.begin_update([eg.predicted for eg in examples])
        loss, d_scores = self.get_loss(examples, scores)
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        if self.cfg.get("annotate_training"):
            # the spans this update's forward pass predicts, for later components that
            # train on predicted spans (relation_extractor's `predicted_spans`); it needs
            # no second pass, which an annotating component with a listener would
            self.set_annotations([eg.predicted for eg in examples], scores)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores) -> Tuple[float, List[Floats2d]]:
        truths = []
        for eg in examples:
            gold = eg.reference.spans.get(self.spans_key, [])
            aligned = [eg.predicted.char_span(s.start_char, s.end_char) for s in gold]
            tags = spans_to_tags(eg.predicted, [s for s in aligned if s is not None])
            truths.append(self.model.ops.asarray1i(tags))
        loss_func = SequenceCategoricalCrossentropy(normalize=False)
        d_scores, loss = loss_func(scores, truths)
        return float(loss), d_scores

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None) -> None:
        docs = [eg.predicted for eg in get_examples()][:10]
        self.model.initialize(X=docs, Y=[self.model.ops.alloc2f(len(d), len(TAGS)) for d in docs])

    def add_label(self, label: str) -> int:
        return 0

    @property
    def labels(self) -> Tuple[str, ...]:
        return (self.cfg["label"],)
