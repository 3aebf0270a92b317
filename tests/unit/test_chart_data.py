"""The default chart of accounts (data/chart.toml) and the checks of its loader."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from domain.chart import AccountType, ChartOfAccounts, Side
from ledger_rules import AccountSpec, RuleError, load_chart, load_rule_book, postable_codes

CHART = load_chart()
BY_CODE = {a.code: a for a in CHART}


def names_under(prefix: str) -> list[str]:
    return [a.name for a in CHART if a.code.startswith(prefix + ".") and not a.header]


def test_the_default_chart_is_a_tree_in_file_order() -> None:
    assert 80 <= len(CHART) <= 160
    assert not [code for code, n in Counter(a.code for a in CHART).items() if n > 1]
    seen: set[str] = set()
    for account in CHART:
        if account.parent_code is None:
            assert account.header and "." not in account.code
        else:
            parent = BY_CODE[account.parent_code]
            assert parent.code in seen and parent.header
            assert parent.account_type == account.account_type
        seen.add(account.code)
    assert [(a.code, a.account_type) for a in CHART if a.parent_code is None] == [
        ("1", "asset"),
        ("2", "liability"),
        ("3", "equity"),
        ("4", "revenue"),
        ("5", "expense"),
    ]


def test_the_default_chart_opens_in_the_chart_aggregate() -> None:
    chart = ChartOfAccounts()
    for spec in CHART:
        chart.open_account(
            spec.code,
            spec.name,
            spec.account_type,
            parent_code=spec.parent_code,
            normal_balance=spec.normal_balance,
            header=spec.header,
        )
    assert len(chart.accounts) == len(CHART)
    assert chart.get("1.1.03.90").normal_balance is Side.CREDIT  # previsión: regularizadora
    assert chart.get("3.1.02").normal_balance is Side.DEBIT  # cuotas sociales a integrar
    assert chart.get("1.1.01.01").account_type is AccountType.ASSET


def test_the_default_chart_has_what_a_utility_cooperative_needs() -> None:
    assert len(names_under("1.1.01")) >= 4  # cajas y bancos
    receivables = " ".join(names_under("1.1.03"))
    for service in ("Energía", "Agua", "Gas", "Internet", "Telefonía", "Televisión", "Sepelio"):
        assert service in receivables
    retentions = " ".join(names_under("1.1.04"))
    for tax in ("Retenciones de IVA", "Retenciones de Ingresos Brutos", "Retenciones de Ganancias"):
        assert tax in retentions
    expected = {
        "2.1.02.01": "IVA débito fiscal 21%",
        "2.1.02.02": "IVA débito fiscal 27%",
        "2.1.02.03": "Percepciones de IVA RG 2408 a depositar",
        "2.1.05.01": "Cobranzas a imputar",
        "2.1.05.02": "Anticipos y saldos a favor de asociados",
        "2.1.07.01": "Fondo de acción asistencial y laboral",
        "2.1.07.02": "Fondo de educación y capacitación cooperativa",
        "3.1.01": "Capital suscripto",
        "3.2.01": "Reserva legal (art. 42 Ley 20.337)",
        "3.2.02": "Reserva especial art. 42 (servicios a no asociados)",
        "3.3.02": "Resultado del ejercicio",
        "4.2.01": "Intereses por mora",
        "5.1.01": "Compra de energía",
        "5.4.01": "Amortizaciones de bienes de uso",
        "5.5.01": "Gastos bancarios",
    }
    assert {code: BY_CODE[code].name for code in expected} == expected


def test_every_account_the_default_rules_use_takes_postings() -> None:
    book = load_rule_book()  # checks every code against the default chart's postable codes
    used = {row.account for row in book.describe() if not row.account.startswith("tabla")}
    assert used <= postable_codes(CHART)
    assert not any(BY_CODE[code].header for code in used)


# -- loader errors ---------------------------------------------------------------
GOOD = """
account = [
  { code = "1",      name = "ACTIVO",        type = "asset", header = true },
  { code = "1.1",    name = "Caja y bancos", type = "asset", parent = "1", header = true },
  { code = "1.1.01", name = "Caja",          type = "asset", parent = "1.1" },
  { code = "1.1.9", name = "Previsión", type = "asset", parent = "1.1", normal_balance = "credit" },
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_chart_loads_with_its_defaults(tmp_path: Path) -> None:
    assert load_chart(write(tmp_path, GOOD)) == [
        AccountSpec("1", "ACTIVO", "asset", None, None, True),
        AccountSpec("1.1", "Caja y bancos", "asset", "1", None, True),
        AccountSpec("1.1.01", "Caja", "asset", "1.1", None, False),
        AccountSpec("1.1.9", "Previsión", "asset", "1.1", "credit", False),
    ]


CHART_ERRORS = [
    pytest.param('code = "1.1.01"', 'code = "1.1"', "1.1", "código de cuenta duplicado 1.1", id="dup"),
    pytest.param(
        'parent = "1.1" }',
        'parent = "1.2" }',
        "1.1.01",
        "la cuenta madre 1.2 no existe",
        id="parent",
    ),
    pytest.param(
        'parent = "1", header = true',
        'parent = "1.1.01", header = true',
        "1.1",
        "no existe o figura después de 1.1",
        id="parent later",
    ),
    pytest.param(
        'parent = "1.1", normal_balance',
        'parent = "1.1.01", normal_balance',
        "1.1.9",
        "la cuenta madre 1.1.01 no es de agrupación",
        id="parent not header",
    ),
    pytest.param(
        'name = "Caja",          type = "asset"',
        'name = "Caja",          type = "expense"',
        "1.1.01",
        "el tipo expense no coincide con el de la cuenta madre 1.1 (asset)",
        id="type mismatch",
    ),
    pytest.param('code = "1.1.01"', 'code = "1.1.A"', None, "código inválido '1.1.A'", id="code"),
    pytest.param(
        'code = "1.1.01"',
        'code = "1.2.01"',
        "1.2.01",
        "debe empezar con el de la cuenta madre (1.1.)",
        id="prefix",
    ),
    pytest.param(
        'type = "asset", header',
        'type = "activo", header',
        "1",
        "'type' inválido 'activo'",
        id="type",
    ),
    pytest.param(
        'normal_balance = "credit"',
        'normal_balance = "haber"',
        "1.1.9",
        "'normal_balance' inválido",
        id="balance",
    ),
    pytest.param('name = "Caja", ', 'nombre = "Caja", ', "1.1.01", "clave desconocida 'nombre'", id="key"),
    pytest.param('name = "Caja", ', 'name = "", ', "1.1.01", "'name' debe ser un texto no vacío", id="name"),
    pytest.param(
        'header = true },\n  { code = "1.1"',
        'header = "sí" },\n  { code = "1.1"',
        "1",
        "'header' debe ser true o false",
        id="header",
    ),
    pytest.param("account = [", "account = [[", None, "sintaxis TOML inválida", id="toml"),
]


@pytest.mark.parametrize(("old", "new", "code", "cause"), CHART_ERRORS)
def test_chart_errors_name_file_account_and_cause(
    tmp_path: Path, old: str, new: str, code: str | None, cause: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RuleError) as caught:
        load_chart(path)
    assert (caught.value.file, caught.value.rule) == (str(path), code)
    assert cause in caught.value.cause


def test_a_chart_without_accounts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no tiene cuentas"):
        load_chart(write(tmp_path, "# vacío\n"))
