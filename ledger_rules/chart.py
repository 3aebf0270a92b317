"""The chart of accounts as a data file (``data/chart.toml``), loaded and checked.

The file is an array ``account`` of tables; a small example::

    account = [
      { code = "1",         name = "ACTIVO",        type = "asset", header = true },
      { code = "1.1",       name = "Caja y bancos", type = "asset", parent = "1", header = true },
      { code = "1.1.01",    name = "Caja central",  type = "asset", parent = "1.1" },
      { code = "1.1.90",    name = "Previsión",     type = "asset", parent = "1.1",
        normal_balance = "credit" },
    ]

The checks mirror :meth:`domain.chart.ChartOfAccounts.open_account`, so a chart
that loads here opens in the aggregate in file order; they add one of their own:
a child's code extends its parent's (``1.1.01`` under ``1.1``), which keeps the
numbering an accountant reads equal to the hierarchy reports use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain.chart import CODE_PATTERN, AccountType, Side
from ledger_rules.model import AccountSpec
from ledger_rules.toml_source import Source, read_toml

DEFAULT_CHART_PATH = Path(__file__).parent / "data" / "chart.toml"

_ACCOUNT_KEYS = frozenset({"code", "name", "type", "parent", "normal_balance", "header"})
_TYPES = ", ".join(t.value for t in AccountType)


def load_chart(path: Path | None = None) -> list[AccountSpec]:
    """Every account of the chart file, in file order (parents before children)."""
    source = Source(path or DEFAULT_CHART_PATH)
    document = read_toml(source.path)
    source.check_keys(document, {"account"}, None, "el plan de cuentas")
    if "account" not in document:
        raise source.error(None, "el plan de cuentas no tiene cuentas ('account = [...]')")
    accounts: dict[str, AccountSpec] = {}
    for index, raw in enumerate(source.table_list(document["account"], None, "account")):
        spec = _account(source, raw, index)
        _check_place(source, spec, accounts)
        accounts[spec.code] = spec
    return list(accounts.values())


def postable_codes(accounts: list[AccountSpec]) -> frozenset[str]:
    """Codes that take postings: every account but the group (header) ones."""
    return frozenset(a.code for a in accounts if not a.header)


def _account(source: Source, raw: Mapping[str, Any], index: int) -> AccountSpec:
    where = f"cuenta {index + 1}"
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise source.error(
            None, f"{where}: código inválido {code!r}: use dígitos separados por puntos (1.1.01)"
        )
    source.check_keys(raw, _ACCOUNT_KEYS, code, f"cuenta {code}")
    name = source.text(raw, "name", code, f"cuenta {code}")
    account_type = _choice(source, raw, "type", code, {t.value for t in AccountType}, _TYPES)
    normal = raw.get("normal_balance")
    if normal is not None:
        normal = _choice(source, raw, "normal_balance", code, {s.value for s in Side}, "debit, credit")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise source.error(code, f"la cuenta madre debe ser un código entre comillas, no {parent!r}")
    header = raw.get("header", False)
    if not isinstance(header, bool):
        raise source.error(code, f"'header' debe ser true o false, no {header!r}")
    return AccountSpec(code, name, account_type, parent, normal, header)


def _choice(source: Source, raw: Mapping[str, Any], key: str, code: str, allowed: set[str], hint: str) -> str:
    value = raw.get(key)
    if value not in allowed:
        raise source.error(code, f"'{key}' inválido {value!r}: use {hint}")
    return str(value)


def _check_place(source: Source, spec: AccountSpec, earlier: Mapping[str, AccountSpec]) -> None:
    code = spec.code
    if code in earlier:
        raise source.error(code, f"código de cuenta duplicado {code}")
    if spec.parent_code is None:
        return
    parent = earlier.get(spec.parent_code)
    if parent is None:
        raise source.error(
            code,
            f"la cuenta madre {spec.parent_code} no existe o figura después de {code}: "
            "liste las madres antes que sus hijas",
        )
    if not parent.header:
        raise source.error(code, f"la cuenta madre {parent.code} no es de agrupación (header = true)")
    if parent.account_type != spec.account_type:
        raise source.error(
            code,
            f"el tipo {spec.account_type} no coincide con el de la cuenta madre "
            f"{parent.code} ({parent.account_type})",
        )
    if not code.startswith(parent.code + "."):
        raise source.error(code, f"el código debe empezar con el de la cuenta madre ({parent.code}.)")
