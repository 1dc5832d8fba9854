import pickle

from spacy.tokens import DocBin

from vi_officials.corpus.convert import blank_nlp, record_to_doc


def test_relations_survive_docbin_and_pickle(gold_records):
    nlp = blank_nlp()
    doc = record_to_doc(nlp, gold_records[0])
    expected = [(r.head.text, r.head.label_, r.child.text, r.child.label_, r.label) for r in doc._.relations]
    assert len(expected) == len(gold_records[0]["relations"]) > 0
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))[0]
    unpickled = pickle.loads(pickle.dumps(doc))
    for other in (restored, unpickled):
        assert [(r.head.text, r.head.label_, r.child.text, r.child.label_, r.label) for r in other._.relations] == expected
        assert all(r.score == 1.0 for r in other._.relations)


def test_component_scorer_counts_every_unpredicted_gold_relation(gold_records):
    from spacy.training import Example

    from vi_officials.components.relation_extractor import score_relations
    from vi_officials.relations import set_relations

    nlp = blank_nlp()
    reference = record_to_doc(nlp, gold_records[0])
    predicted = record_to_doc(nlp, gold_records[0])
    keep = predicted.user_data["vi_officials.relations"][:2]
    set_relations(predicted, [(tuple(r["head"]), tuple(r["child"]), r["label"], 1.0) for r in keep])
    scores = score_relations([Example(predicted, reference)])
    n_gold = len(gold_records[0]["relations"])
    assert scores["rel_micro_p"] == 1.0
    assert abs(scores["rel_micro_r"] - 2 / n_gold) < 1e-9
