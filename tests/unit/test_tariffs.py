"""The tariff engine against hand-worked bills, to the cent (arithmetic in the comments).

Tables are built here in Python, so these tests need no files; the shipped TOML
files are tested in test_tariff_files.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.invoicing import invoice_line
from domain.money import CENT, ZERO, D, round_half_even
from domain.tariff_calc import (
    BillCalculation,
    InvalidBeneficiaries,
    InvalidBillingPeriod,
    InvalidConsumption,
    UnknownVatCondition,
    compute_bill,
)
from domain.tariff_versions import NoTariffInForce, versions_in_force
from domain.tariffs import (
    VAT_CONDITIONS,
    BillConcept,
    Block,
    Category,
    InvalidTariff,
    TariffTable,
    UnknownTariffCategory,
    VatRules,
)

MARCH_START, MARCH_END = date(2026, 3, 1), date(2026, 3, 31)

VAT = VatRules(
    residential_rate=D("21"),
    rate_by_condition={"RI": D("27"), "MT": D("27"), "NC": D("27"), "CF": D("21")},
    exempt_conditions=frozenset({"EX"}),
    perception_rate=D("13.5"),
    perception_conditions=frozenset({"NC"}),
)

RESIDENTIAL = Category(
    code="residential", description="Residencial", fixed_charge=D("5000"), unit="kWh", residential=True,
    blocks=(
        Block(D("200"), D("90")), Block(D("400"), D("110")), Block(D("800"), D("130")), Block(None, D("150")),
    ),
)
COMMERCIAL = Category(
    code="commercial", description="Comercial", fixed_charge=D("9000"), unit="kWh",
    blocks=(Block(D("1000"), D("120")), Block(None, D("140"))),
)
INDUSTRIAL = Category(
    code="industrial", description="Industrial", fixed_charge=D("30000"), unit="kWh", block_mode="reached",
    blocks=(Block(D("5000"), D("118")), Block(D("15000"), D("112")), Block(None, D("107"))),
)
CUOTA_CAPITAL = BillConcept(
    "cuota_capital", "Cuota capital", "energy", D("15"), in_vat_base=False, credited_to_capital=True,
)
FONDO_OBRAS = BillConcept("fondo_obras", "Fondo de obras", "fixed_amount", D("1200"), True)
TASA_MUNICIPAL = BillConcept(
    "tasa_municipal", "Tasa municipal", "net", D("6"), in_vat_base=False, levy=True, afip_tax_id=3,
)


def electricity(*concepts: BillConcept, valid_from: date = date(2026, 1, 1), **changes: Any) -> TariffTable:
    table = TariffTable(
        service="electricity", valid_from=valid_from, description="Cuadro de prueba",
        categories={c.code: c for c in (RESIDENTIAL, COMMERCIAL, INDUSTRIAL)}, vat=VAT, concepts=concepts,
    )
    return replace(table, **changes)


def bill(
    table: TariffTable | list[TariffTable], category: str, consumption: str, vat_condition: str = "CF",
    beneficiaries: int = 1,
) -> BillCalculation:
    versions = table if isinstance(table, list) else [table]
    return compute_bill(
        versions, category, D(consumption), MARCH_START, MARCH_END, vat_condition, beneficiaries,
    )


def amounts(calc: BillCalculation) -> dict[str, Decimal]:
    return {line["concept"]: line["amount"] for line in calc.lines}


def line(calc: BillCalculation, concept: str) -> dict[str, Any]:
    (found,) = [ln for ln in calc.lines if ln["concept"] == concept]
    return found


# -- blocks ---------------------------------------------------------------------------------------


def test_progressive_blocks_across_three_blocks() -> None:
    calc = bill(electricity(), "residential", "650")
    # fixed 5,000.00; 0–200: 200 × 90 = 18,000.00; 200–400: 200 × 110 = 22,000.00;
    # 400–800: 250 × 130 = 32,500.00. Net 77,500.00; VAT 21% = 16,275.00; total 93,775.00.
    assert amounts(calc) == {
        "cargo_fijo": D("5000.00"), "consumo_1": D("18000.00"), "consumo_2": D("22000.00"),
        "consumo_3": D("32500.00"), "iva_21": D("16275.00"),
    }
    assert calc.totals.net_taxed == D("77500.00")
    assert calc.totals.total == D("93775.00")
    assert line(calc, "consumo_3")["description"] == "Consumo 400 a 800 kWh: 250 kWh × $ 130,00"


def test_a_block_bound_belongs_to_the_lower_block() -> None:
    # 200 kWh stay whole in 0–200: 200 × 90 = 18,000.00, no second block.
    assert amounts(bill(electricity(), "residential", "200"))["consumo_1"] == D("18000.00")
    assert "consumo_2" not in amounts(bill(electricity(), "residential", "200"))


def test_block_reached_prices_all_consumption_at_the_block_reached() -> None:
    calc = bill(electricity(), "industrial", "8000", "RI")
    # 8,000 kWh reach 5,000–15,000: 8,000 × 112 = 896,000.00; fixed 30,000.00;
    # net 926,000.00; VAT 27% (RI, not residential) = 250,020.00; total 1,176,020.00.
    assert amounts(calc) == {
        "cargo_fijo": D("30000.00"), "consumo_2": D("896000.00"), "iva_27": D("250020.00"),
    }
    assert calc.totals.total == D("1176020.00")
    assert line(calc, "consumo_2")["description"] == (
        "Consumo (escalón 5.000 a 15.000 kWh): 8.000 kWh × $ 112,00"
    )
    # Exactly on the bound, still the first block: 5,000 × 118 = 590,000.00.
    assert amounts(bill(electricity(), "industrial", "5000", "RI"))["consumo_1"] == D("590000.00")


def test_minimum_consumption_bills_the_minimum() -> None:
    water = Category(
        code="residential", description="Residencial", fixed_charge=D("4200"), unit="m3", residential=True,
        minimum_units=D("10"), blocks=(Block(D("15"), D("310")), Block(None, D("420"))),
    )
    table = replace(electricity(), service="water", categories={"residential": water})
    calc = bill(table, "residential", "6")
    # 6 m3 measured, 10 m3 billed: 10 × 310 = 3,100.00; fixed 4,200.00;
    # net 7,300.00; VAT 21% = 1,533.00; total 8,833.00.
    assert amounts(calc) == {"cargo_fijo": D("4200.00"), "consumo_1": D("3100.00"), "iva_21": D("1533.00")}
    assert calc.billed_units == D("10")
    assert calc.totals.total == D("8833.00")
    assert "consumo mínimo; medido 6 m3" in line(calc, "consumo_1")["description"]
    # Above the minimum the measure rules: 12 × 310 = 3,720.00.
    assert amounts(bill(table, "residential", "12"))["consumo_1"] == D("3720.00")


# -- concepts -------------------------------------------------------------------------------------


def test_cuota_capital_is_15_percent_of_energy_and_outside_the_vat_base() -> None:
    calc = bill(electricity(CUOTA_CAPITAL), "residential", "300")
    # energy 200 × 90 + 100 × 110 = 29,000.00; cuota capital 15% = 4,350.00;
    # VAT 21% on fixed + energy only: 34,000.00 × 21% = 7,140.00;
    # total 34,000.00 + 4,350.00 + 7,140.00 = 45,490.00.
    capital = line(calc, "cuota_capital")
    assert capital == {
        "concept": "cuota_capital", "description": "Cuota capital 15% s/ $ 29.000,00", "kind": "capital",
        "amount": D("4350.00"), "vat_rate": None, "in_vat_base": False,
    }
    assert calc.totals.net_taxed == D("34000.00")
    assert calc.totals.vat == D("7140.00")
    assert (calc.totals.capital, calc.totals.non_taxed) == (D("4350.00"), D("4350.00"))
    assert calc.totals.total == D("45490.00")


def test_municipal_levy_on_the_net_including_taxed_concepts() -> None:
    calc = bill(electricity(CUOTA_CAPITAL, FONDO_OBRAS, TASA_MUNICIPAL), "residential", "300")
    # net = fixed 5,000 + energy 29,000 + fondo de obras 1,200 (in the VAT base) = 35,200.00;
    # tasa municipal 6% × 35,200.00 = 2,112.00 (a levy: no VAT on it);
    # VAT 21% × 35,200.00 = 7,392.00; cuota capital 4,350.00;
    # total 35,200.00 + 4,350.00 + 2,112.00 + 7,392.00 = 49,054.00.
    assert amounts(calc) == {
        "cargo_fijo": D("5000.00"), "consumo_1": D("18000.00"), "consumo_2": D("11000.00"),
        "cuota_capital": D("4350.00"), "fondo_obras": D("1200.00"), "tasa_municipal": D("2112.00"),
        "iva_21": D("7392.00"),
    }
    kinds = [ln["kind"] for ln in calc.lines]
    assert kinds == ["charge", "charge", "charge", "capital", "charge", "levy", "vat"]
    assert (calc.totals.levies, calc.totals.other_taxes) == (D("2112.00"), D("2112.00"))
    assert calc.totals.total == D("49054.00")


def test_concepts_apply_only_to_their_categories() -> None:
    residential_only = replace(CUOTA_CAPITAL, categories=frozenset({"residential"}))
    assert "cuota_capital" not in amounts(bill(electricity(residential_only), "commercial", "500"))


def test_consumption_based_levy() -> None:
    fondo = BillConcept("fondo_provincial", "Fondo provincial", "consumption", D("0.85"), False, levy=True)
    calc = bill(electricity(fondo), "residential", "350")
    # 350 kWh × 0.85 = 297.50
    assert line(calc, "fondo_provincial")["amount"] == D("297.50")
    assert line(calc, "fondo_provincial")["description"] == "Fondo provincial: 350 kWh × $ 0,85"


# -- VAT and perception ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "vat_condition", "vat_concept", "vat_amount"),
    [
        # commercial 1,500 kWh: 9,000 + 1,000 × 120 + 500 × 140 = 199,000.00
        ("commercial", "RI", "iva_27", "53730.00"),  # 199,000.00 × 27%
        ("commercial", "MT", "iva_27", "53730.00"),
        ("commercial", "CF", "iva_21", "41790.00"),  # 199,000.00 × 21%
        # residential 1,500 kWh: 5,000 + 18,000 + 22,000 + 52,000 + 700 × 150 = 202,000.00
        ("residential", "RI", "iva_21", "42420.00"),  # residential: 21% whatever the condition
        ("residential", "MT", "iva_21", "42420.00"),
    ],
)
def test_vat_21_or_27_by_condition_and_category(
    category: str, vat_condition: str, vat_concept: str, vat_amount: str,
) -> None:
    calc = bill(electricity(), category, "1500", vat_condition)
    assert {k: v for k, v in amounts(calc).items() if k.startswith("iva")} == {vat_concept: D(vat_amount)}
    assert line(calc, vat_concept)["vat_rate"] == D(vat_concept.removeprefix("iva_"))


def test_exempt_member_pays_no_vat() -> None:
    calc = bill(electricity(CUOTA_CAPITAL), "commercial", "1500", "EX")
    # 199,000.00 of charges, exempt (ImpOpEx); cuota capital 15% × 190,000.00 = 28,500.00;
    # total 227,500.00, no VAT line.
    assert [ln["kind"] for ln in calc.lines] == ["charge", "charge", "charge", "capital"]
    assert all(ln["vat_rate"] is None for ln in calc.lines)
    totals = calc.totals
    assert (totals.exempt, totals.net_taxed, totals.vat) == (D("199000.00"), ZERO, ZERO)
    assert totals.total == D("227500.00")


def test_perception_on_non_categorised() -> None:
    calc = bill(electricity(), "commercial", "1500", "NC")
    # VAT 27% × 199,000.00 = 53,730.00; perception 13.5% × 199,000.00 = 26,865.00;
    # total 199,000.00 + 53,730.00 + 26,865.00 = 279,595.00.
    assert line(calc, "percepcion_iva") == {
        "concept": "percepcion_iva", "description": "Percepción de IVA RG 2408 13,5% s/ $ 199.000,00",
        "kind": "perception", "amount": D("26865.00"), "vat_rate": None, "in_vat_base": False,
    }
    assert calc.totals.other_taxes == D("26865.00")
    assert calc.totals.total == D("279595.00")
    assert "percepcion_iva" not in amounts(bill(electricity(), "commercial", "1500", "RI"))


def test_vat_and_perception_round_half_even_on_the_cent_rounded_base() -> None:
    plan = Category(code="plan", description="Plan", fixed_charge=D("100.50"))
    half_cents = replace(electricity(), categories={"plan": plan}, rounding="half_up")
    calc = bill(half_cents, "plan", "0", "NC")
    # VAT 27% × 100.50 = 27.135 → 27.14 (half-even: 3 is odd, goes up);
    # perception 13.5% × 100.50 = 13.5675 → 13.57.
    assert amounts(calc) == {"cargo_fijo": D("100.50"), "iva_27": D("27.14"), "percepcion_iva": D("13.57")}
    calc = bill(half_cents, "plan", "0", "CF")
    # VAT 21% × 100.50 = 21.105 → 21.10 (half-even; half-up would give 21.11).
    assert amounts(calc)["iva_21"] == D("21.10")


def test_table_rounding_applies_to_charges() -> None:
    # 1 kWh × 90.005 = 90.005: half-even keeps 90.00, a table that says half_up gives 90.01.
    odd = replace(RESIDENTIAL, blocks=(Block(None, D("90.005")),))
    half_even = replace(electricity(), categories={"residential": odd})
    assert amounts(bill(half_even, "residential", "1"))["consumo_1"] == D("90.00")
    half_up = replace(half_even, rounding="half_up")
    assert amounts(bill(half_up, "residential", "1"))["consumo_1"] == D("90.01")


# -- flat and per-beneficiary services ------------------------------------------------------------


def internet() -> TariffTable:
    plans = {
        "plan_100mb": Category("plan_100mb", "Plan hogar 100 Mb", D("19900"), residential=True),
        "empresa_300mb": Category("empresa_300mb", "Plan empresa 300 Mb", D("45000")),
    }
    return replace(electricity(), service="internet", categories=plans, fixed_charge_label="Abono mensual")


def test_flat_internet_plan() -> None:
    calc = bill(internet(), "plan_100mb", "0")
    # 19,900.00 + VAT 21% 4,179.00 = 24,079.00
    assert calc.lines[0]["description"] == "Abono mensual"
    assert amounts(calc) == {"cargo_fijo": D("19900.00"), "iva_21": D("4179.00")}
    assert calc.totals.total == D("24079.00")
    # A business plan to an RI: 45,000.00 + VAT 27% 12,150.00 = 57,150.00
    assert bill(internet(), "empresa_300mb", "0", "RI").totals.total == D("57150.00")
    with pytest.raises(InvalidConsumption, match="no se mide"):
        bill(internet(), "plan_100mb", "5")


def test_per_beneficiary_service() -> None:
    basico = Category("basico", "Sepelio básico", D("3200"), residential=True)
    fondo = BillConcept("fondo_solidario", "Fondo solidario", "fixed_amount", D("500"), True)
    sepelio = TariffTable(
        service="sepelio", valid_from=date(2026, 1, 1), description="Sepelio", categories={"basico": basico},
        vat=VAT, concepts=(fondo,), per_beneficiary=True, fixed_charge_label="Cuota sepelio",
    )
    calc = bill(sepelio, "basico", "0", beneficiaries=3)
    # 3 × 3,200.00 = 9,600.00; fondo solidario 500.00 (per bill); net 10,100.00;
    # VAT 21% = 2,121.00; total 12,221.00.
    assert calc.lines[0]["description"] == "Cuota sepelio: 3 × $ 3.200,00"
    assert amounts(calc) == {
        "cargo_fijo": D("9600.00"), "fondo_solidario": D("500.00"), "iva_21": D("2121.00"),
    }
    assert calc.totals.total == D("12221.00")
    with pytest.raises(InvalidBeneficiaries, match="entre 1 y 99"):
        bill(sepelio, "basico", "0", beneficiaries=0)
    with pytest.raises(InvalidBeneficiaries, match="no se cobra por beneficiario"):
        bill(electricity(), "residential", "100", beneficiaries=2)


# -- proration ------------------------------------------------------------------------------------


def test_tariff_change_mid_period_prorates_by_days() -> None:
    old = electricity(CUOTA_CAPITAL)
    new_residential = replace(
        RESIDENTIAL, fixed_charge=D("5600"),
        blocks=(Block(D("200"), D("100")), Block(D("400"), D("120")), Block(None, D("140"))),
    )
    new = electricity(
        CUOTA_CAPITAL, valid_from=date(2026, 3, 16), categories={"residential": new_residential},
    )
    calc = bill([new, old], "residential", "310")
    # 310 kWh in March (31 days); old table 01–15 (15/31), new table 16–31 (16/31).
    # Blocks are allocated on the whole month: 200 kWh in 0–200, 110 kWh in 200–400.
    # Old 15/31: fixed 5,000 × 15/31 = 2,419.354… → 2,419.35
    #            0–200   200 × 90 = 18,000 × 15/31 = 8,709.677… → 8,709.68
    #            200–400 110 × 110 = 12,100 × 15/31 = 5,854.838… → 5,854.84
    #            cuota capital 15% × (8,709.68 + 5,854.84 = 14,564.52) = 2,184.678 → 2,184.68
    # New 16/31: fixed 5,600 × 16/31 = 2,890.322… → 2,890.32
    #            0–200   200 × 100 = 20,000 × 16/31 = 10,322.580… → 10,322.58
    #            200–400 110 × 120 = 13,200 × 16/31 = 6,812.903… → 6,812.90
    #            cuota capital 15% × (10,322.58 + 6,812.90 = 17,135.48) = 2,570.322 → 2,570.32
    # VAT base 2,419.35 + 8,709.68 + 5,854.84 + 2,890.32 + 10,322.58 + 6,812.90 = 37,009.67
    # VAT 21% × 37,009.67 = 7,772.0307 → 7,772.03
    # total 37,009.67 + 2,184.68 + 2,570.32 + 7,772.03 = 49,536.70
    assert [(ln["concept"], ln["amount"]) for ln in calc.lines] == [
        ("cargo_fijo", D("2419.35")), ("consumo_1", D("8709.68")), ("consumo_2", D("5854.84")),
        ("cuota_capital", D("2184.68")),
        ("cargo_fijo", D("2890.32")), ("consumo_1", D("10322.58")), ("consumo_2", D("6812.90")),
        ("cuota_capital", D("2570.32")),
        ("iva_21", D("7772.03")),
    ]
    assert calc.totals.net_taxed == D("37009.67")
    assert calc.totals.total == D("49536.70")
    assert [(s.start.day, s.end.day, s.days) for s in calc.spans] == [(1, 15, 15), (16, 31, 16)]
    assert calc.lines[1]["description"] == (
        "Consumo 0 a 200 kWh: 96,77 kWh × $ 90,00 (cuadro desde 01/01/2026: 15 de 31 días)"
    )
    assert calc.lines[5]["description"].endswith("(cuadro desde 16/03/2026: 16 de 31 días)")


def test_versions_in_force_ignore_versions_outside_the_period() -> None:
    old, new = electricity(), electricity(valid_from=date(2026, 4, 1))
    spans = versions_in_force([new, old], MARCH_START, MARCH_END)
    assert [(s.table.valid_from, s.days) for s in spans] == [(date(2026, 1, 1), 31)]
    assert "cuadro desde" not in bill([old, new], "residential", "100").lines[0]["description"]


# -- refusals -------------------------------------------------------------------------------------


def test_unknown_category() -> None:
    with pytest.raises(UnknownTariffCategory, match="'hotel' no existe en el cuadro de electricity"):
        bill(electricity(), "hotel", "100")


def test_no_version_in_force() -> None:
    with pytest.raises(NoTariffInForce, match="vigente el 01/03/2026"):
        bill(electricity(valid_from=date(2026, 3, 2)), "residential", "100")
    with pytest.raises(NoTariffInForce):
        compute_bill([], "residential", D("1"), MARCH_START, MARCH_END, "CF")


@pytest.mark.parametrize("consumption", ["-1", "NaN", "Infinity"])
def test_refuses_negative_or_non_finite_consumption(consumption: str) -> None:
    with pytest.raises(InvalidConsumption, match="mayor o igual a cero"):
        bill(electricity(), "residential", consumption)


def test_refuses_bad_period_and_condition() -> None:
    with pytest.raises(InvalidBillingPeriod, match="anterior al inicio"):
        compute_bill([electricity()], "residential", D("1"), MARCH_END, MARCH_START, "CF")
    with pytest.raises(InvalidBillingPeriod, match="más de 366 días"):
        compute_bill([electricity()], "residential", D("1"), date(2026, 1, 1), date(2027, 1, 2), "CF")
    with pytest.raises(UnknownVatCondition, match="'Responsable'"):
        bill(electricity(), "residential", "1", "Responsable")


def test_refuses_mixed_or_duplicate_versions() -> None:
    with pytest.raises(InvalidInput, match="servicios distintos"):
        bill([electricity(), internet()], "residential", "1")
    with pytest.raises(InvalidInput, match="misma vigencia"):
        bill([electricity(), electricity()], "residential", "1")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: replace(RESIDENTIAL, blocks=(Block(D("200"), D("1")), Block(D("100"), D("1")),
                                              Block(None, D("1")))), "blocks[2].up_to"),
        (lambda: replace(RESIDENTIAL, blocks=(Block(D("200"), D("1")),)), "blocks[1].up_to"),
        (lambda: replace(RESIDENTIAL, blocks=(Block(None, D("1")), Block(None, D("1")))), "blocks[1].up_to"),
        (lambda: replace(RESIDENTIAL, block_mode="escalonado"), "block_mode"),
        (lambda: replace(RESIDENTIAL, fixed_charge=D("-1")), "fixed_charge"),
        (lambda: replace(RESIDENTIAL, unit=None), "unit"),
        (lambda: replace(CUOTA_CAPITAL, levy=True), "levy"),
        (lambda: replace(CUOTA_CAPITAL, in_vat_base=True), "in_vat_base"),
        (lambda: replace(CUOTA_CAPITAL, base="energia"), "base"),
        (lambda: replace(CUOTA_CAPITAL, afip_tax_id=3), "afip_tax_id"),
        (lambda: replace(VAT, rate_by_condition={"RI": D("27")}), "rate_by_condition"),
        (lambda: replace(VAT, residential_rate=D("121")), "residential_rate"),
        (lambda: electricity(CUOTA_CAPITAL, CUOTA_CAPITAL), "concept"),
        (lambda: electricity(categories={"otra": RESIDENTIAL}), "category"),
        (lambda: electricity(categories={}), "category"),
        (lambda: electricity(replace(CUOTA_CAPITAL, categories=frozenset({"hotel"}))), "categories"),
    ],
)
def test_model_invariants(build: Any, field: str) -> None:
    with pytest.raises(InvalidTariff) as caught:
        build()
    assert caught.value.field == field


# -- property: totals close per AFIP --------------------------------------------------------------

FULL = electricity(CUOTA_CAPITAL, FONDO_OBRAS, TASA_MUNICIPAL)


def _raised(category: Category) -> Category:
    """Odd prices, so that prorated lines leave fractions of a cent to round."""
    blocks = tuple(replace(b, rate_per_unit=b.rate_per_unit * D("1.0731")) for b in category.blocks)
    return replace(category, fixed_charge=category.fixed_charge * D("1.1237"), blocks=blocks)


CHANGED = electricity(
    CUOTA_CAPITAL, FONDO_OBRAS, TASA_MUNICIPAL, valid_from=date(2026, 3, 1),
    categories={code: _raised(c) for code, c in FULL.categories.items()},
)


@settings(max_examples=300, deadline=None)
@given(
    consumption=st.decimals(min_value=0, max_value=50_000, places=3),
    category=st.sampled_from(sorted(FULL.categories)),
    vat_condition=st.sampled_from(VAT_CONDITIONS),
    change_day=st.one_of(st.none(), st.integers(min_value=2, max_value=31)),
)
def test_totals_close_for_any_bill(
    consumption: Decimal, category: str, vat_condition: str, change_day: int | None,
) -> None:
    versions = [FULL]
    if change_day is not None:
        versions.append(replace(CHANGED, valid_from=date(2026, 3, change_day)))
    calc = compute_bill(versions, category, consumption, MARCH_START, MARCH_END, vat_condition)
    assert all(ln["amount"] == ln["amount"].quantize(CENT) for ln in calc.lines)
    assert [invoice_line(ln, i) for i, ln in enumerate(calc.lines)] == calc.lines  # the invoice's own shape
    totals = calc.totals
    assert totals.total == sum((ln["amount"] for ln in calc.lines), ZERO)
    parts = totals.net_taxed + totals.exempt + totals.non_taxed + totals.vat + totals.other_taxes
    assert totals.total == parts  # ImpTotal = ImpNeto + ImpOpEx + ImpTotConc + ImpIVA + ImpTrib
    for rate, base in totals.vat_base_by_rate.items():
        base_from_lines = sum(
            (ln["amount"] for ln in calc.lines if ln["kind"] == "charge" and ln["vat_rate"] == rate), ZERO,
        )
        assert base == base_from_lines
        assert totals.vat_by_rate[rate] == round_half_even(base * rate / 100)
    assert totals.vat == sum(totals.vat_by_rate.values(), ZERO)
    if vat_condition == "EX":
        assert totals.vat == ZERO and totals.net_taxed == ZERO
