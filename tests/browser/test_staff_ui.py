"""The staff UI in headless Chromium: log in, find a member, collect at the cash desk, run billing."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import password_of


def logged_in(browser: Browser, server: str, role: str) -> Page:
    page = browser.new_page(base_url=server)
    page.goto("/socios")
    expect(page).to_have_url(f"{server}/login?next=/socios")
    page.get_by_label("Usuario").fill(role)
    page.get_by_label("Contraseña").fill(password_of(role))
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(f"{server}/socios")
    return page


def test_find_a_member_collect_at_the_cash_desk_and_see_the_new_balance(
    browser: Browser, server: str
) -> None:
    page = logged_in(browser, server, "cashier")
    page.get_by_placeholder("Número, nombre, CUIT/DNI o suministro").fill("Pérez")
    page.get_by_role("button", name="Buscar").click()
    expect(page).to_have_url(f"{server}/socios/000001")
    expect(page.locator("#deuda")).to_have_text("$ 77.152,88")

    page.get_by_role("link", name="Caja").click()
    page.get_by_label("Fondo de apertura $").fill("1000")
    page.get_by_role("button", name="Abrir caja").click()
    expect(page.get_by_text("Caja CAJA1 abierta")).to_be_visible()
    page.get_by_label("Asociado o código de barras").fill("1")
    page.get_by_label("Importe $").fill("27.152,88")
    page.get_by_role("button", name="Cobrar").click()
    expect(page.locator("#total")).to_have_text("$ 27.152,88")
    expect(page.locator("#saldo")).to_have_text("$ 50.000,00")

    page.goto("/socios/1")
    expect(page.locator("#deuda")).to_have_text("$ 50.000,00")


def test_run_a_small_billing_run_from_the_ui(browser: Browser, server: str) -> None:
    page = logged_in(browser, server, "billing_clerk")
    page.get_by_role("link", name="Facturación").click()
    page.get_by_label("Período").fill("2026-02")
    page.get_by_label("Fecha de emisión").fill("2026-03-02")
    page.get_by_role("button", name="Facturar el período").click()
    expect(page.locator("#estado")).to_contain_text("Terminada: 1 de 1 asociados", timeout=60_000)
    expect(page.get_by_role("row", name="Facturas 2", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="Total facturado $ 33.862,83")).to_be_visible()

    page.goto("/socios/1")
    expect(page.locator('a[href="/socios/000001/facturas/2026-02/pdf?sequence=1"]')).to_have_text("PDF")


def test_a_cashier_does_not_see_what_its_role_cannot_do(browser: Browser, server: str) -> None:
    page = logged_in(browser, server, "cashier")
    expect(page.get_by_role("link", name="Informes")).to_have_count(0)
    page.goto("/informes")
    expect(page.get_by_role("alert")).to_have_text("El usuario cashier no tiene permiso para accounting.read")
