from __future__ import annotations

import doctest

import pytest

import domain.afip as afip
from domain.afip import (
    DocTipo,
    DocumentKind,
    IdKind,
    InvalidCuit,
    InvalidDni,
    Letter,
    LetterNotAllowed,
    PointOfSaleTypes,
    ReceiverDocument,
    VatCondition,
    cbte_tipo,
    cbte_tipo_name,
    format_cuit,
    invoice_letter,
    receiver_document,
    require_document_for_letter,
    validate_cuil,
    validate_cuit,
    validate_dni,
)


def test_module_examples_hold() -> None:
    assert doctest.testmod(afip).failed == 0


def test_vat_conditions_carry_afip_ids_and_spanish_names() -> None:
    ids = {c.value: c.afip_id for c in VatCondition}
    assert ids == {"RI": 1, "EX": 4, "CF": 5, "MT": 6, "NC": 7, "MS": 13}
    assert VatCondition.RI.name_es == "IVA Responsable Inscripto"
    assert VatCondition.CF.name_es == "Consumidor Final"
    assert all(c.name_es for c in VatCondition)


@pytest.mark.parametrize(
    ("receiver", "letter"),
    [("RI", "A"), ("MT", "A"), ("MS", "A"), ("EX", "B"), ("CF", "B"), ("NC", "B")],
)
def test_responsable_inscripto_letters(receiver: str, letter: str) -> None:
    assert invoice_letter(VatCondition.RI, VatCondition(receiver)) is Letter(letter)


def test_abroad_is_e_and_non_ri_issuers_issue_c() -> None:
    assert invoice_letter(VatCondition.RI, VatCondition.CF, abroad=True) is Letter.E
    for issuer in (VatCondition.MT, VatCondition.EX):
        assert invoice_letter(issuer, VatCondition.RI) is Letter.C


def test_a_final_consumer_issues_nothing() -> None:
    with pytest.raises(LetterNotAllowed, match="Consumidor Final"):
        invoice_letter(VatCondition.CF, VatCondition.RI)


@pytest.mark.parametrize(
    ("letter", "codes"), [("A", (1, 2, 3)), ("B", (6, 7, 8)), ("C", (11, 12, 13)), ("E", (19, 20, 21))]
)
def test_cbte_tipo_per_letter(letter: str, codes: tuple[int, int, int]) -> None:
    kinds = (DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE, DocumentKind.CREDIT_NOTE)
    assert tuple(cbte_tipo(Letter(letter), kind) for kind in kinds) == codes


def test_public_services_invoice_is_configured_per_point_of_sale() -> None:
    lsp = PointOfSaleTypes(point_of_sale=3, public_services_invoice=True)
    assert cbte_tipo(Letter.A, DocumentKind.INVOICE, lsp) == 17
    assert cbte_tipo(Letter.B, DocumentKind.INVOICE, lsp) == 18
    assert cbte_tipo(Letter.B, DocumentKind.CREDIT_NOTE, lsp) == 8  # notes keep their usual types
    assert cbte_tipo(Letter.B, DocumentKind.INVOICE, PointOfSaleTypes(1)) == 6
    with pytest.raises(LetterNotAllowed, match="punto de venta 3"):
        cbte_tipo(Letter.C, DocumentKind.INVOICE, lsp)
    assert cbte_tipo_name(18) == "Liquidación de Servicios Públicos B"
    assert cbte_tipo_name(6) == "Factura B"
    assert cbte_tipo_name(999) == "Comprobante tipo 999"


def test_cuit_validation_uses_stdnum_and_explains_in_spanish() -> None:
    assert validate_cuit("20-26756539-3") == "20267565393"
    assert validate_cuit("30500010912") == "30500010912"
    assert format_cuit("30500010912") == "30-50001091-2"
    cases = {
        "20267565392": "dígito verificador",
        "2026756539": "11 dígitos",
        "2026756539X": "solo puede contener dígitos",
        "11267565393": "prefijo",
    }
    for value, reason in cases.items():
        with pytest.raises(InvalidCuit, match=reason) as caught:
            validate_cuit(value)
        assert caught.value.value == value


def test_cuil_is_for_people_only() -> None:
    assert validate_cuil("20267565393") == "20267565393"
    with pytest.raises(InvalidCuit, match=r"CUIL inválido.*persona"):
        validate_cuil("30500010912")


def test_dni_has_seven_or_eight_digits() -> None:
    assert validate_dni("12.345.678") == "12345678"
    assert validate_dni("1234567") == "1234567"
    for bad in ("123456", "123456789", "12a45678", "", "١٢٣٤٥٦٧"):
        with pytest.raises(InvalidDni):
            validate_dni(bad)


def test_receiver_document_maps_to_doc_tipo() -> None:
    assert receiver_document(IdKind.CUIT, "20-26756539-3") == ReceiverDocument(DocTipo.CUIT, 20267565393)
    assert receiver_document(IdKind.CUIL, "20267565393").doc_tipo == 86
    assert receiver_document(IdKind.DNI, "26756539") == ReceiverDocument(DocTipo.DNI, 26756539)
    assert receiver_document(IdKind.NONE) == ReceiverDocument(DocTipo.ANONYMOUS, 0)
    assert DocTipo.ANONYMOUS == 99
    with pytest.raises(InvalidCuit):
        receiver_document(IdKind.CUIT, "20267565392")


def test_letter_a_needs_a_cuit() -> None:
    require_document_for_letter(Letter.A, ReceiverDocument(DocTipo.CUIT, 20267565393))
    require_document_for_letter(Letter.B, ReceiverDocument(DocTipo.ANONYMOUS, 0))
    with pytest.raises(LetterNotAllowed, match="CUIT"):
        require_document_for_letter(Letter.A, ReceiverDocument(DocTipo.DNI, 26756539))
