"""Financial statements (estado de situación patrimonial, estado de resultados).

Pure: given the chart and signed balances (debit minus credit) for one or more
columns (this year, the previous one), build the statement grouped by the
chart's hierarchy, every group with its subtotal. Each section shows amounts
with its natural sign (assets and expenses as debit, the rest as credit), so a
contra account such as the bad-debt allowance shows as a negative asset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.money import ZERO

Column = Mapping[str, Decimal]


@dataclass(frozen=True)
class ChartNode:
    code: str
    name: str
    account_type: str
    parent_code: str | None
    header: bool


@dataclass(frozen=True)
class StatementLine:
    code: str
    name: str
    level: int
    header: bool
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True)
class StatementSection:
    title: str
    lines: tuple[StatementLine, ...]
    totals: tuple[Decimal, ...]


@dataclass(frozen=True)
class Statement:
    title: str
    subtitle: str
    column_labels: tuple[str, ...]
    sections: tuple[StatementSection, ...]
    # Closing figures: (label, amounts), e.g. "Total pasivo y patrimonio neto".
    summary: tuple[tuple[str, tuple[Decimal, ...]], ...]


# Section sign: +1 shows debit balances positive, -1 credit balances.
SECTION_SIGN = {"asset": 1, "expense": 1, "liability": -1, "equity": -1, "revenue": -1}
SECTION_TITLE = {
    "asset": "Activo",
    "liability": "Pasivo",
    "equity": "Patrimonio neto",
    "revenue": "Ingresos",
    "expense": "Egresos",
}
UNCLOSED_RESULT_LABEL = "Resultado del ejercicio (no cerrado)"


def code_key(code: str) -> tuple[int, ...]:
    """Chart order: 1.1.10 after 1.1.9."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def section(nodes: Sequence[ChartNode], account_type: str, columns: Sequence[Column]) -> StatementSection:
    """One section of a statement: every account of ``account_type`` with a figure in any column."""
    sign = Decimal(SECTION_SIGN[account_type])
    own = [n for n in nodes if n.account_type == account_type]
    children: dict[str | None, list[ChartNode]] = {}
    codes = {n.code for n in own}
    for node in own:
        parent = node.parent_code if node.parent_code in codes else None
        children.setdefault(parent, []).append(node)
    lines: list[StatementLine] = []

    def walk(node: ChartNode, level: int) -> tuple[Decimal, ...]:
        kids = sorted(children.get(node.code, []), key=lambda n: code_key(n.code))
        at = len(lines)
        # + ZERO turns the -0.00 of a negated zero into 0.00.
        own_amounts = tuple(sign * column.get(node.code, ZERO) + ZERO for column in columns)
        totals = own_amounts
        for kid in kids:
            totals = tuple(a + b for a, b in zip(totals, walk(kid, level + 1), strict=True))
        if any(totals):
            lines.insert(at, StatementLine(node.code, node.name, level, bool(kids) or node.header, totals))
        return totals

    section_totals = tuple(ZERO for _ in columns)
    for root in sorted(children.get(None, []), key=lambda n: code_key(n.code)):
        section_totals = tuple(a + b for a, b in zip(section_totals, walk(root, 0), strict=True))
    return StatementSection(SECTION_TITLE[account_type], tuple(lines), section_totals)


def unclosed_result(nodes: Sequence[ChartNode], column: Column) -> Decimal:
    """Revenue minus expenses still in the result accounts (not yet closed)."""
    result_codes = {n.code for n in nodes if n.account_type in ("revenue", "expense")}
    return -sum((amount for code, amount in column.items() if code in result_codes), ZERO)


def balance_sheet(
    nodes: Sequence[ChartNode], columns: Sequence[Column], labels: Sequence[str], subtitle: str
) -> Statement:
    """Estado de situación patrimonial; results not yet closed show inside equity."""
    assets = section(nodes, "asset", columns)
    liabilities = section(nodes, "liability", columns)
    equity = section(nodes, "equity", columns)
    unclosed = tuple(unclosed_result(nodes, column) for column in columns)
    if any(unclosed):
        line = StatementLine("", UNCLOSED_RESULT_LABEL, 0, False, unclosed)
        totals = tuple(a + b for a, b in zip(equity.totals, unclosed, strict=True))
        equity = StatementSection(equity.title, (*equity.lines, line), totals)
    liabilities_and_equity = tuple(a + b for a, b in zip(liabilities.totals, equity.totals, strict=True))
    return Statement(
        "Estado de situación patrimonial",
        subtitle,
        tuple(labels),
        (assets, liabilities, equity),
        (
            ("Total del activo", assets.totals),
            ("Total del pasivo y patrimonio neto", liabilities_and_equity),
        ),
    )


def income_statement(
    nodes: Sequence[ChartNode], columns: Sequence[Column], labels: Sequence[str], subtitle: str
) -> Statement:
    """Estado de resultados: revenue less expenses; the difference is the surplus (excedente)."""
    revenue = section(nodes, "revenue", columns)
    expenses = section(nodes, "expense", columns)
    result = tuple(r - e for r, e in zip(revenue.totals, expenses.totals, strict=True))
    return Statement(
        "Estado de resultados",
        subtitle,
        tuple(labels),
        (revenue, expenses),
        (("Resultado del período (excedente o pérdida)", result),),
    )
