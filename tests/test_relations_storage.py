import pickle

from spacy.tokens import DocBin

from vi_officials.convert import blank_nlp, record_to_doc


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
