from grappe.engine.text import query_terms, search_document, strip_accents


def test_accents_and_case_do_not_matter():
    assert query_terms("École de MUSIQUE") == query_terms("ecole de musique")


def test_plurals_match_singulars():
    assert query_terms("studios enregistrements") == query_terms("studio enregistrement")
    assert query_terms("bureaux") == query_terms("bureau")
    assert query_terms("labels indépendants") == query_terms("label independant")


def test_stopwords_and_elisions_are_dropped():
    assert query_terms("l'atelier des luthiers") == query_terms("atelier luthier")


def test_document_is_space_delimited_and_sorted():
    doc = search_document("Studio", "Salle de concert")
    assert doc.startswith(" ") and doc.endswith(" ")
    assert doc.split() == sorted(doc.split())
    assert search_document("") == ""


def test_strip_accents():
    assert strip_accents("Île-de-France, chaâbi, Noël") == "Ile-de-France, chaabi, Noel"
