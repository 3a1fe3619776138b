from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.identifiers import (
    is_valid_rna,
    is_valid_siren,
    is_valid_siret,
    luhn_complete,
    luhn_valid,
)


def test_known_valid_identifiers_pass():
    # INSEE's own SIREN and a La Poste establishment (the digit-sum exception).
    assert is_valid_siren("775 672 272")
    assert is_valid_siret("35600000000048")
    assert is_valid_siret("35600000049837")  # La Poste: digit sum multiple of 5, not Luhn
    assert not luhn_valid("35600000049837")


def test_a_changed_digit_is_refused():
    assert is_valid_siren("775672272")
    assert not is_valid_siren("775672273")
    assert not is_valid_siret("7756722720001")  # 13 digits
    assert not is_valid_siret("abcdefghijklmn")


def test_rna_is_w_and_nine_digits():
    assert is_valid_rna("W751234567")
    assert is_valid_rna("w751234567")
    assert not is_valid_rna("W75123456")
    assert not is_valid_rna("751234567")


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_luhn_complete_always_gives_a_valid_siren(prefix):
    siren = luhn_complete(prefix)
    assert len(siren) == 9 and is_valid_siren(siren)
    # Every other final digit is refused: the check digit is unique.
    others = [prefix + d for d in "0123456789" if prefix + d != siren]
    assert not any(is_valid_siren(o) for o in others)
