"""`relation_extractor`: scores HAS_TITLE, COMMITS, ASSIGNED_TO and DEADLINE between
pairs of spans of the same sentence.

Candidates are every ordered pair of `doc.ents` and `doc.spans["commitments"]` in one
sentence whose labels the scheme allows for some relation (`scheme.candidate_labels`).
Training uses the gold spans as candidates; prediction uses whatever the earlier
components predicted, so evaluation is end to end. Results go to `doc._.relations`.

Predicted commitments rarely have the gold edges, so training can move them
(`span_noise`: the share of gold commitments whose start and end are shifted by up to
`max_shift` tokens, within the sentence, each update). A moved commitment keeps its gold
relations, as the ledger's overlap view counts them; every other pair is a negative.
With `predicted_spans`, training also sees the commitments span_tagger predicted in the
same update (its `annotate_training`): that share of the gold commitments a prediction
overlaps by half is replaced by the prediction, and predictions that overlap none are
candidates with no relation.

`RelationScorer.v1` describes a pair by the mean vectors of its two ends and the tokens
between them, their labels, distance and order; `v2` adds each end's first, last and
preceding token and how many other candidates of the entity end's label lie between them.
"""
import random
import warnings
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import Linear, Logistic, Maxout, Model, Optimizer, chain, set_dropout_rate
from thinc.types import Floats2d

from .. import relations as rel_store
from ..evaluation.metrics import match_commitments, prf
from ..scheme import ALL_SPAN_LABELS, COMMITMENTS_KEY, RELATION_LABELS, candidate_labels

N_DISTANCE_BUCKETS = 8


def candidate_spans(doc: Doc) -> List[Span]:
    spans = list(doc.ents) + list(doc.spans.get(COMMITMENTS_KEY, []))
    for span in spans:
        if not span.label_:
            span.label_ = "COMMITMENT"
    return spans


def candidate_pairs(doc: Doc) -> List[Tuple[Span, Span]]:
    """Ordered (head, child) pairs in one sentence that some relation label allows."""
    spans = candidate_spans(doc)
    by_sentence: Dict[int, List[Span]] = {}
    for span in spans:
        by_sentence.setdefault(span.sent.start, []).append(span)
    pairs = []
    for group in by_sentence.values():
        for head in group:
            for child in group:
                if head is not child and candidate_labels(head.label_, child.label_):
                    pairs.append((head, child))
    return pairs


def _distance_bucket(head: Span, child: Span) -> int:
    gap = child.start - head.end if child.start >= head.end else head.start - child.end
    if gap < 0:
        return 0  # overlapping
    return min(N_DISTANCE_BUCKETS - 1, 1 + int(numpy.log2(gap + 1)))


N_BETWEEN_BUCKETS = 4


def _span_parts(head: Span, child: Span, context: bool) -> List[Tuple[int, int]]:
    """Token ranges whose mean vectors describe a pair: head, child and the tokens
    between them; with `context`, also each end's first and last token and the token
    before it (empty at the start of the doc)."""
    a, b = (head, child) if head.start <= child.start else (child, head)
    parts = [(head.start, head.end), (child.start, child.end), (min(a.end, b.start), max(a.end, b.start))]
    if context:
        for span in (head, child):
            parts += [(span.start, span.start + 1), (span.end - 1, span.end), (max(0, span.start - 1), span.start)]
    return parts


def _between_count(head: Span, child: Span, spans: List[Span]) -> int:
    """How many other candidates of the entity end's label lie wholly between the two ends
    (for a commitment and an entity: a nearer ORG, OFFICIAL or DATE), bucketed."""
    entity = child if head.label_ == "COMMITMENT" else head
    lo, hi = min(head.end, child.end), max(head.start, child.start)
    n = sum(1 for s in spans if s.label_ == entity.label_ and s.start >= lo and s.end <= hi)
    return min(n, N_BETWEEN_BUCKETS - 1)


def _pair_features(ops, tokvecs: Floats2d, doc: Doc, pairs: List[Tuple[Span, Span]], context: bool = False):
    """[mean vectors of each `_span_parts` range, head label, child label, distance,
    order(, other candidates between)] for each pair, with the ranges backprop needs."""
    n_labels = len(ALL_SPAN_LABELS)
    width = tokvecs.shape[1]
    n_parts = 9 if context else 3
    n_extra = 2 * n_labels + N_DISTANCE_BUCKETS + 1 + (N_BETWEEN_BUCKETS if context else 0)
    feats = ops.alloc2f(len(pairs), n_parts * width + n_extra)
    spans = candidate_spans(doc) if context else []
    ranges = []
    for i, (head, child) in enumerate(pairs):
        parts = _span_parts(head, child, context)
        ranges.append(parts)
        for k, (s, e) in enumerate(parts):
            if e > s:
                # sum / count is what ndarray.mean computes, without its Python overhead
                feats[i, k * width : (k + 1) * width] = tokvecs[s:e].sum(axis=0) / (e - s)
        offset = n_parts * width
        feats[i, offset + ALL_SPAN_LABELS.index(head.label_)] = 1.0
        feats[i, offset + n_labels + ALL_SPAN_LABELS.index(child.label_)] = 1.0
        feats[i, offset + 2 * n_labels + _distance_bucket(head, child)] = 1.0
        feats[i, offset + 2 * n_labels + N_DISTANCE_BUCKETS] = 1.0 if head.start < child.start else 0.0
        if context:
            feats[i, offset + 2 * n_labels + N_DISTANCE_BUCKETS + 1 + _between_count(head, child, spans)] = 1.0
    return feats, ranges


def pair_encoder(tok2vec: Model[List[Doc], List[Floats2d]], context: bool = False) -> Model[List[Doc], Floats2d]:
    """docs -> one feature row per candidate pair (all docs stacked)."""

    def forward(model: Model, docs: List[Doc], is_train: bool):
        tokvecs, backprop_tok2vec = model.layers[0](docs, is_train)
        rows, all_ranges = [], []
        for doc, vecs in zip(docs, tokvecs):
            pairs = candidate_pairs(doc)
            feats, ranges = _pair_features(model.ops, vecs, doc, pairs, context)
            rows.append(feats)
            all_ranges.append(ranges)
        width = tokvecs[0].shape[1] if tokvecs else 0
        output = model.ops.xp.concatenate(rows, axis=0) if rows else model.ops.alloc2f(0, 0)

        def backprop(d_output: Floats2d) -> List[Doc]:
            d_tokvecs = [model.ops.alloc2f(*vecs.shape) for vecs in tokvecs]
            row = 0
            for d_vecs, ranges in zip(d_tokvecs, all_ranges):
                for parts in ranges:
                    for k, (s, e) in enumerate(parts):
                        if e > s:
                            d_vecs[s:e] += d_output[row, k * width : (k + 1) * width] / (e - s)
                    row += 1
            return backprop_tok2vec(d_tokvecs)

        return output, backprop

    def init(model: Model, X=None, Y=None):
        model.layers[0].initialize(X=X)
        return model

    return Model("relation_pair_encoder", forward, init=init, layers=[tok2vec])


@registry.architectures("vi_officials.RelationScorer.v1")
def build_relation_model(tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int = 128, dropout: float = 0.1) -> Model[List[Doc], Floats2d]:
    """Pair features >> Maxout >> one independent probability per relation label."""
    return _relation_model(tok2vec, hidden_width, dropout, context=False)


def _relation_model(tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int, dropout: float, context: bool) -> Model[List[Doc], Floats2d]:
    return chain(pair_encoder(tok2vec, context=context), Maxout(nO=hidden_width, dropout=dropout, normalize=True), Linear(nO=len(RELATION_LABELS)), Logistic())


@registry.architectures("vi_officials.RelationScorer.v2")
def build_relation_model_v2(tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int = 128, dropout: float = 0.1) -> Model[List[Doc], Floats2d]:
    """v1 with context: each end's first and last token and the token before it (the
    directive verb before a commitment, the preposition before a date), and how many
    other candidates of the entity end's label lie between the two ends."""
    return _relation_model(tok2vec, hidden_width, dropout, context=True)


@registry.scorers("vi_officials.relation_scorer.v1")
def make_relation_scorer():
    return score_relations


def score_relations(examples: Iterable[Example], **kwargs) -> Dict[str, object]:
    """End-to-end relation P/R/F: a predicted relation is right only if its label and
    both endpoint spans (offsets and labels) match a gold one; every gold relation not
    predicted is a miss, whether or not its spans were found."""
    tp: Dict[str, int] = {l: 0 for l in RELATION_LABELS}
    fp = dict(tp)
    fn = dict(tp)
    for eg in examples:
        gold = set(rel_store.relation_keys(eg.reference))
        pred = set(rel_store.relation_keys(eg.predicted))
        for key in pred:
            (tp if key in gold else fp)[key[2]] += 1
        for key in gold - pred:
            fn[key[2]] += 1
    per_type = {}
    for label in RELATION_LABELS:
        x = prf(tp[label], fp[label], fn[label])
        per_type[label] = {"p": x["p"], "r": x["r"], "f": x["f"]}
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    p, r, f = micro["p"], micro["r"], micro["f"]
    return {"rel_micro_p": p, "rel_micro_r": r, "rel_micro_f": f, "rel_per_type": per_type}


@Language.factory(
    "relation_extractor",
    requires=["doc.ents", "doc.spans", "token.is_sent_start"],
    assigns=["doc._.relations"],
    default_config={
        "model": {"@architectures": "vi_officials.RelationScorer.v1", "hidden_width": 128, "dropout": 0.1, "tok2vec": {"@architectures": "spacy.Tok2Vec.v2", "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96, "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500], "include_static_vectors": False}, "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4, "window_size": 1, "maxout_pieces": 3}}},
        "threshold": 0.5,
        "span_noise": 0.0,
        "max_shift": 3,
        "predicted_spans": 0.0,
        "scorer": {"@scorers": "vi_officials.relation_scorer.v1"},
    },
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relation_extractor(nlp: Language, name: str, model: Model, threshold: float, span_noise: float, max_shift: int, predicted_spans: float, scorer: Optional[Callable]) -> "RelationExtractor":
    if not 0.0 <= span_noise <= 1.0 or not 0.0 <= predicted_spans <= 1.0 or max_shift < 0:
        raise ValueError(f"relation_extractor: span_noise and predicted_spans must be in [0, 1] and max_shift >= 0 (got {span_noise}, {predicted_spans}, {max_shift})")
    return RelationExtractor(nlp.vocab, model, name, threshold=threshold, span_noise=span_noise, max_shift=max_shift, predicted_spans=predicted_spans, scorer=scorer)


class RelationExtractor(TrainablePipe):
    def __init__(self, vocab: Vocab, model: Model, name: str = "relation_extractor", *, threshold: float = 0.5, span_noise: float = 0.0, max_shift: int = 3, predicted_spans: float = 0.0, scorer: Optional[Callable] = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"threshold": threshold, "labels": list(RELATION_LABELS), "span_noise": span_noise, "max_shift": max_shift, "predicted_spans": predicted_spans}
        self.scorer = scorer
        self._rng = random.Random(0)
        self._warned = False

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["labels"])

    def add_label(self, label: str) -> int:
        if label not in RELATION_LABELS:
            raise ValueError(f"unknown relation label {label!r}; the scheme has {RELATION_LABELS}")
        return 0

    def predict(self, docs: Iterable[Doc]) -> Floats2d:
        docs = list(docs)
        if not any(candidate_pairs(doc) for doc in docs):
            return self.model.ops.alloc2f(0, len(RELATION_LABELS))
        return self.model.predict(docs)

    def set_annotations(self, docs: Iterable[Doc], scores: Floats2d) -> None:
        scores = self.model.ops.to_numpy(scores)
        row = 0
        for doc in docs:
            found = []
            for head, child in candidate_pairs(doc):
                allowed = candidate_labels(head.label_, child.label_)
                for j, label in enumerate(RELATION_LABELS):
                    if label in allowed and scores[row, j] >= self.cfg["threshold"]:
                        found.append((rel_store.span_key(head), rel_store.span_key(child), label, float(scores[row, j])))
                row += 1
            rel_store.set_relations(doc, found)

    def _training_docs(self, examples: Iterable[Example], noise: float = 0.0, predicted: float = 0.0) -> Tuple[List[Doc], List[Dict]]:
        """Copies of the predicted docs carrying the gold spans as candidates, and per doc
        a map from each moved commitment's key to its gold key. A share `noise` of the gold
        commitments is moved; with `predicted`, that share of the gold commitments that a
        commitment predicted during training (see span_tagger's `annotate_training`)
        matches by overlap is replaced by it, and the predicted commitments that match
        none are added as candidates with no relation."""
        docs, moved = [], []
        for eg in examples:
            doc = eg.predicted.copy()
            guessed = list(doc.spans.get(COMMITMENTS_KEY, [])) if predicted else []
            ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in eg.reference.ents]
            doc.ents = [e for e in ents if e is not None]
            gold = eg.reference.spans.get(COMMITMENTS_KEY, [])
            spans = [s for s in (doc.char_span(g.start_char, g.end_char, label="COMMITMENT") for g in gold) if s is not None]
            swapped, extra = self._predicted_spans(spans, guessed, predicted)
            renamed: Dict = {rel_store.span_key(p): rel_store.span_key(g) for g, p in swapped.items()}
            fixed = list(swapped.values())
            spans = [s for s in spans if s not in swapped]
            if noise:
                # the predictions standing in for gold commitments are neighbours that stay put
                spans, shifted = self._shift_spans(doc, spans, noise, fixed=fixed)
                for key, gold_key in shifted.items():
                    renamed.setdefault(key, gold_key)
            out, seen = [], set()
            for span in fixed + spans + extra:
                key = rel_store.span_key(span)
                if key not in seen:
                    seen.add(key)
                    out.append(span)
            doc.spans[COMMITMENTS_KEY] = sorted(out, key=lambda s: (s.start, s.end))
            docs.append(doc)
            moved.append(renamed)
        return docs, moved

    def _predicted_spans(self, gold: List[Span], guessed: List[Span], share: float) -> Tuple[Dict[Span, Span], List[Span]]:
        """(gold span -> the predicted span replacing it, predicted spans matching no gold
        commitment). Matching is the ledger's: overlap of half the longer span."""
        if not share or not guessed:
            return {}, []
        by_key = {rel_store.span_key(s): s for s in gold}
        guesses = {(s.start_char, s.end_char, "COMMITMENT"): s for s in guessed}
        matched = match_commitments(set(by_key), set(guesses))
        swapped = {by_key[g]: guesses[p] for p, g in matched.items() if self._rng.random() < share}
        return swapped, [s for key, s in guesses.items() if key not in matched]

    def _shift_spans(self, doc: Doc, spans: List[Span], noise: float, fixed: Sequence[Span] = ()) -> Tuple[List[Span], Dict]:
        """Shift each span's edges by up to max_shift tokens with probability `noise`,
        inside its sentence, never onto whitespace or over a neighbour (the spans already
        placed, the next span, and the `fixed` spans, which do not move), at least one token."""
        rng, k = self._rng, self.cfg.get("max_shift", 3)
        movable = {id(span) for span in spans}
        ordered = sorted(list(spans) + list(fixed), key=lambda s: (s.start, s.end))
        out, renamed, prev_end = [], {}, 0
        for i, span in enumerate(ordered):
            if id(span) not in movable:
                prev_end = max(prev_end, span.end)
                continue
            if rng.random() >= noise or prev_end >= span.end:
                out.append(span)
                prev_end = max(prev_end, span.end)
                continue
            sent = span.sent
            lo = max(sent.start, prev_end)
            hi = min(sent.end, ordered[i + 1].start if i + 1 < len(ordered) else len(doc))
            start = min(max(lo, span.start + rng.randint(-k, k)), span.end - 1)
            end = max(min(hi, span.end + rng.randint(-k, k)), start + 1)
            while start < end - 1 and doc[start].is_space:
                start += 1
            while end > start + 1 and doc[end - 1].is_space:
                end -= 1
            new = Span(doc, start, end, label=span.label_)
            out.append(new)
            prev_end = max(prev_end, new.end)
            renamed[rel_store.span_key(new)] = rel_store.span_key(span)
        return out, renamed

    def _truths(self, docs: List[Doc], examples: List[Example], moved: Optional[List[Dict]] = None) -> Floats2d:
        rows = []
        for k, (doc, eg) in enumerate(zip(docs, examples)):
            gold = set(rel_store.relation_keys(eg.reference))
            renamed = moved[k] if moved else {}
            for head, child in candidate_pairs(doc):
                hk, ck = rel_store.span_key(head), rel_store.span_key(child)
                hk, ck = renamed.get(hk, hk), renamed.get(ck, ck)
                rows.append([1.0 if (hk, ck, label) in gold else 0.0 for label in RELATION_LABELS])
        return self.model.ops.asarray2f(numpy.asarray(rows, dtype="float32").reshape(-1, len(RELATION_LABELS)))

    def _mask(self, docs: List[Doc]) -> Floats2d:
        rows = []
        for doc in docs:
            for head, child in candidate_pairs(doc):
                allowed = candidate_labels(head.label_, child.label_)
                rows.append([1.0 if label in allowed else 0.0 for label in RELATION_LABELS])
        return self.model.ops.asarray2f(numpy.asarray(rows, dtype="float32").reshape(-1, len(RELATION_LABELS)))

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optional[Optimizer] = None, losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, "RelationExtractor.update")
        predicted = self.cfg.get("predicted_spans", 0.0)
        if predicted and not self._warned and any(COMMITMENTS_KEY not in eg.predicted.spans for eg in examples):
            self._warned = True
            warnings.warn(f"{self.name}: predicted_spans = {predicted}, but the examples carry no predicted commitments; set annotate_training = true on the span_tagger before this component (training goes on with gold commitments only)")
        docs, moved = self._training_docs(examples, self.cfg.get("span_noise", 0.0), predicted)
        if not any(candidate_pairs(doc) for doc in docs):
            return losses
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update(docs)
        loss, d_scores = self._loss(docs, examples, scores, moved)
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def _loss(self, docs: List[Doc], examples: List[Example], scores: Floats2d, moved: Optional[List[Dict]] = None) -> Tuple[float, Floats2d]:
        """Squared error of each allowed label's probability (disallowed labels masked)."""
        d_scores = (scores - self._truths(docs, examples, moved)) * self._mask(docs)
        return float((d_scores**2).sum()), d_scores

    def get_loss(self, examples, scores):
        examples = list(examples)
        docs, _ = self._training_docs(examples)
        return self._loss(docs, examples, scores)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None) -> None:
        examples = list(get_examples())[:10]
        docs, _ = self._training_docs(examples)
        truths = self._truths(docs, examples)
        self.model.initialize(X=docs, Y=truths)
