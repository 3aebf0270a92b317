"""The demo cooperative as data: members, supplies, meters and what each meter reads.

Pure generation, no store: :func:`build_plan` turns (members, periods, seed) into a
:class:`DemoPlan` that ``api.demo`` then records through the real commands. Every
member draws from its own ``random.Random`` seeded with the seed and its index, so
the same seed always builds the same cooperative and a member does not change when
another one is added. The few planted cases (anomalies, cuts, rollovers, the Ley
24.240 jump) are chosen by one more seeded generator over the whole plan.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from domain.afip import validate_cuit

TOWN = "Santa Amalia"
TOWN_SUFFIX = f", (X5917) {TOWN}, Córdoba"
AREA_CODE = "353"


def _listed(text: str) -> tuple[str, ...]:
    """Names written as text: comma separated, or by spaces when there is no comma."""
    return tuple(part.strip() for part in (text.split(",") if "," in text else text.split()))


FEMALE_NAMES = _listed(
    "María Ana Laura Silvia Graciela Marta Claudia Patricia Susana Mónica Andrea Verónica Carolina "
    "Gabriela Natalia Romina Lucía Florencia Valeria Mariana Paula Sofía Camila Julieta Norma Beatriz "
    "Rosa Liliana Cecilia Alejandra Daniela Agustina Micaela Soledad Noelia Lorena"
)
MALE_NAMES = _listed(
    "Juan Carlos José Jorge Luis Miguel Roberto Daniel Ricardo Héctor Sergio Oscar Eduardo Raúl "
    "Alberto Mario Pablo Diego Marcelo Gustavo Fernando Martín Alejandro Javier Hernán Sebastián "
    "Gonzalo Matías Nicolás Facundo Lucas Santiago Ramón Omar Rubén Walter Néstor Hugo"
)
SURNAMES = _listed(
    "González Rodríguez Gómez Fernández López Díaz Martínez Pérez García Sánchez Romero Sosa Álvarez "
    "Torres Ruiz Ramírez Flores Acosta Benítez Medina Suárez Herrera Aguirre Pereyra Gutiérrez "
    "Giménez Molina Silva Castro Rojas Ortiz Luna Juárez Cabrera Ríos Ferreyra Godoy Morales "
    "Domínguez Moreno Peralta Vega Carrizo Quiroga Castillo Ledesma Muñoz Ojeda Ponce Vera Villalba "
    "Cardozo Navarro Coronel Figueroa Correa Cáceres Paz Maldonado Roldán Méndez Agüero Lucero Bustos "
    "Ávila Leiva Moyano Bianchi Rossi Ferrari Romano Gallo Costa Lombardi Bruno Marino Rinaldi "
    "Bertoldi Giordano Mansilla Olmedo Barrionuevo Tissera Oviedo"
)
SHOPS = _listed(
    "Panadería La Espiga, Almacén Don Pedro, Farmacia Central, Ferretería El Tornillo, "
    "Carnicería San Cayetano, Verdulería La Huerta, Supermercado La Amistad, Librería Sarmiento, "
    "Heladería Polo Norte, Peluquería Estilo, Bar El Centro, Taller Mecánico El Pistón, Tienda La Moda, "
    "Corralón Los Aromos, Estación de Servicio La Ruta, Veterinaria Patitas"
)
INDUSTRIES = _listed(
    "Metalúrgica Santa Amalia, Lácteos del Centro, Aceitera San Jerónimo, Molino Harinero La Pampa, "
    "Maderera El Algarrobo, Frigorífico Regional, Plásticos Córdoba, Hormigonera del Sur, "
    "Fábrica de Pastas Doña Rosa, Acopio de Granos Las Varillas"
)
INSTITUTIONS = _listed(
    "Club Atlético y Biblioteca Santa Amalia, Parroquia Nuestra Señora del Rosario, "
    "Centro de Jubilados Amanecer, Asociación de Bomberos Voluntarios, Hogar de Ancianos San Vicente, "
    "Instituto Secundario José Hernández, Cooperadora Escuela Domingo F. Sarmiento"
)
FARMS = _listed("La Aurora, Don Antonio, Los Talas, El Ombú, Santa Teresa, La Esperanza, El Mirador")

# Zones of the town: their streets and how many reading routes each has (20 in all).
ZONES: dict[str, tuple[int, tuple[str, ...]]] = {
    "CENTRO": (
        5,
        _listed(
            "San Martín, Belgrano, Rivadavia, Sarmiento, Mitre, 25 de Mayo, 9 de Julio, "
            "Alberdi, Moreno, Italia"
        ),
    ),
    "NORTE": (4, _listed("Urquiza, Güemes, Lavalle, Colón, Pellegrini, Dorrego, Las Heras, Chacabuco")),
    "SUR": (4, _listed("Roca, Saavedra, Castelli, Avellaneda, Hipólito Yrigoyen, Illia, Alem, Maipú")),
    "OESTE": (4, _listed("Brown, Pueyrredón, España, Independencia, Entre Ríos, Santa Fe, Tucumán, Mendoza")),
    "RURAL": (3, ()),
}


def _routes() -> dict[str, list[str]]:
    """R01..R20, numbered zone by zone."""
    routes: dict[str, list[str]] = {}
    first = 1
    for zone, (count, _) in ZONES.items():
        routes[zone] = [f"R{n:02d}" for n in range(first, first + count)]
        first += count
    return routes


ROUTES = _routes()
ALL_ROUTES = [route for routes in ROUTES.values() for route in routes]

# Monthly consumption relative to the yearly mean: air conditioning in summer
# (Dec–Feb) and heating in winter (Jun–Aug) for energy; gardens and pools for water;
# longer nights for public lighting. Kept within ±35% so that no ordinary month
# crosses the reading review's 2× / 0.3× thresholds against its last six months.
SEASON = {
    "electricity": (1.30, 1.25, 1.05, 0.85, 0.95, 1.15, 1.25, 1.15, 0.95, 0.85, 0.90, 1.20),
    "water": (1.35, 1.30, 1.10, 0.95, 0.85, 0.80, 0.80, 0.85, 0.95, 1.05, 1.15, 1.30),
    "public_lighting": (0.85, 0.90, 0.97, 1.05, 1.12, 1.18, 1.18, 1.10, 1.02, 0.95, 0.88, 0.85),
}
# Mean monthly units per (service, category), in kWh or m3.
BASE_UNITS = {
    ("electricity", "residential"): 260,
    ("electricity", "social_tariff"): 170,
    ("electricity", "commercial"): 1300,
    ("electricity", "industrial"): 18000,
    ("electricity", "rural"): 650,
    ("electricity", "public_lighting"): 24000,
    ("water", "residential"): 18,
    ("water", "commercial"): 38,
    ("water", "industrial"): 160,
}
CUIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
SERVICE_PREFIX = {"electricity": "E", "water": "A", "internet": "I", "sepelio": "S"}
CT_MULTIPLIER = Decimal(40)  # industrial meters behind current transformers


@dataclass(frozen=True)
class MeterPlan:
    serial: str
    digits: int
    multiplier: Decimal
    initial: int


@dataclass
class SupplyPlan:
    number: str
    member_number: str
    service: str
    category: str
    address: str
    zone: str
    route: str
    connected_on: date
    beneficiaries: int = 1
    meter: MeterPlan | None = None
    advances: list[int] = field(default_factory=list)  # register advance per window month
    unread: set[int] = field(default_factory=set)  # months the collector leaves blank
    review_notes: dict[int, str] = field(default_factory=dict)  # planted anomaly -> reviewer's note
    cut_on: date | None = None
    reconnected_on: date | None = None

    def value(self, month: int) -> int | None:
        """The register at the month's reading; None before the supply is connected."""
        if self.meter is None or month >= len(self.advances) or self.advances[month] < 0:
            return None
        total = self.meter.initial + sum(a for a in self.advances[: month + 1] if a > 0)
        return total % 10**self.meter.digits


@dataclass
class MemberPlan:
    number: str
    name: str
    document_type: str
    document_number: str
    vat_condition: str
    address: str
    phones: list[str]
    email: str | None
    admission_date: date
    joins_month: int | None  # admitted during the demo's months (None: before)
    supplies: list[SupplyPlan] = field(default_factory=list)


@dataclass
class DemoPlan:
    periods: list[str]
    members: list[MemberPlan]

    def supplies(self) -> Iterator[SupplyPlan]:
        for member in self.members:
            yield from member.supplies


def month_start(period: str) -> date:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, 1)


def reading_day(route: str) -> int:
    """Collectors walk one route a day, from the 21st: after any cut or new connection of the month."""
    return 21 + ALL_ROUTES.index(route) % 7


# -- identities -----------------------------------------------------------------------------


def cuit_for(prefix: str, body: int) -> str:
    """A valid CUIT; when the check digit would be 10, AFIP moves the prefix (20/27 -> 23, 30 -> 33)."""
    for candidate in (prefix, "23" if prefix in ("20", "27") else "33"):
        digits = f"{candidate}{body:08d}"
        check = (11 - sum(w * int(d) for w, d in zip(CUIT_WEIGHTS, digits, strict=True)) % 11) % 11
        if check < 10:
            return validate_cuit(f"{digits}{check}")
    return cuit_for(prefix, body + 1)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _person(rng: random.Random, admission: date) -> tuple[str, int, bool, str]:
    """(name, DNI, female, first name): DNIs grow with the birth year, as in Argentina."""
    female = rng.random() < 0.5
    names = FEMALE_NAMES if female else MALE_NAMES
    first = rng.choice(names)
    full_first = f"{first} {rng.choice(names)}" if rng.random() < 0.35 else first
    birth = min(2004, admission.year - rng.randint(20, 55))
    dni = 1_000_000 + max(0, birth - 1930) * 550_000 + rng.randrange(550_000)
    return f"{rng.choice(SURNAMES)}, {full_first}", dni, female, first


def _company_cuit(rng: random.Random) -> str:
    return cuit_for("30", rng.randint(50_000_000, 71_999_999))


def _identity(rng: random.Random, kind: str, admission: date) -> tuple[str, str, str, str, str | None]:
    """(name, document type, document number, VAT condition, first name for an e-mail)."""
    if kind == "municipality":
        return f"Municipalidad de {TOWN}", "CUIT", cuit_for("30", 66_918_237), "EX", None
    if kind == "institution":
        return rng.choice(INSTITUTIONS), "CUIT", _company_cuit(rng), "EX", None
    if kind == "industry" or (kind == "shop" and rng.random() < 0.35):
        name = rng.choice(INDUSTRIES if kind == "industry" else SHOPS) + rng.choice((" S.A.", " S.R.L."))
        return name, "CUIT", _company_cuit(rng), "RI", None
    name, dni, female, first = _person(rng, admission)
    cuit = cuit_for("27" if female else "20", dni)
    if kind == "shop":
        return name, "CUIT", cuit, "MT", first
    if kind == "farm":
        return name, "CUIT", cuit, rng.choice(("RI", "MT", "MT")), first
    draw = rng.random()  # households: consumidores finales, a few with CUIT
    if draw < 0.86:
        return name, "DNI", str(dni), "CF", first
    if draw < 0.92:
        return name, "CUIL", cuit, "CF", first
    if draw < 0.97:
        return name, "CUIT", cuit, "MT", first
    return name, "CUIT", cuit, "RI" if draw < 0.985 else "NC", first


def _location(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(street address, zone, reading route): a route covers some streets of its zone."""
    if kind == "farm" or (kind == "household" and rng.random() < 0.02):
        lot = rng.randint(1, 240)
        place = f"Establecimiento {rng.choice(FARMS)}" if kind == "farm" else "Zona rural"
        return f"{place}, lote {lot}", "RURAL", ROUTES["RURAL"][lot % len(ROUTES["RURAL"])]
    zone = "CENTRO" if kind == "municipality" else rng.choice(("CENTRO", "CENTRO", "NORTE", "SUR", "OESTE"))
    routes, streets = ZONES[zone]
    street = rng.randrange(len(streets))
    number = rng.randint(1, 28) * 100 + rng.randint(0, 99)
    return f"{streets[street]} {number}", zone, ROUTES[zone][street % routes]


def _admission(rng: random.Random, first_month: date, joins: bool) -> date:
    """Spread over six decades, most of them recent; joiners are admitted in their month's first days."""
    if joins:
        return first_month + timedelta(days=rng.randint(1, 9))
    years_back = min(60, int(rng.expovariate(1 / 14)))
    day = date(first_month.year - 1 - years_back, 1, 1) + timedelta(days=rng.randrange(365))
    return min(day, first_month - timedelta(days=40))


def _kind(rng: random.Random, index: int) -> str:
    if index == 1:
        return "municipality"  # member 1: public lighting and municipal buildings
    draw = rng.random()
    for kind, limit in (("household", 0.855), ("shop", 0.94), ("farm", 0.97), ("industry", 0.985)):
        if draw < limit:
            return kind
    return "institution"


# -- supplies ---------------------------------------------------------------------------------


def _services(rng: random.Random, kind: str, zone: str, vat: str) -> list[tuple[str, str]]:
    """(service, category) of each supply the member has."""
    business_plan = "empresa_300mb" if vat == "RI" else "plan_100mb"
    chosen: list[tuple[str, str]] = []
    if kind == "household":
        if rng.random() < 0.98:
            chosen.append(("electricity", "social_tariff" if rng.random() < 0.03 else "residential"))
        if zone != "RURAL" and (rng.random() < 0.62 or not chosen):
            chosen.append(("water", "residential"))
        if rng.random() < 0.37:
            chosen.append(
                ("internet", rng.choices(("plan_50mb", "plan_100mb", "plan_300mb"), (35, 45, 20))[0])
            )
        if rng.random() < 0.22:
            chosen.append(("sepelio", rng.choices(("basico", "integral"), (70, 30))[0]))
        return chosen or [("electricity", "residential")]
    category = {"shop": "commercial", "farm": "rural", "industry": "industrial"}.get(kind, "commercial")
    chosen.append(("electricity", category))
    if kind == "municipality":
        chosen.append(("electricity", "public_lighting"))
    if kind != "farm" and rng.random() < {"shop": 0.6, "industry": 0.5}.get(kind, 0.7):
        chosen.append(("water", "industrial" if kind == "industry" else "commercial"))
    if rng.random() < {"farm": 0.3, "shop": 0.45}.get(kind, 0.8):
        chosen.append(("internet", "plan_50mb" if kind == "farm" else business_plan))
    return chosen


def _advances(
    rng: random.Random,
    service: str,
    category: str,
    multiplier: Decimal,
    periods: Sequence[str],
    first_read: int,
    first_fraction: float,
) -> list[int]:
    """Register advance per month: the supply's own level × season × a little noise; -1 before connection."""
    base = BASE_UNITS[(service, category)] * min(3.0, max(0.35, rng.lognormvariate(0, 0.35)))
    season = SEASON["public_lighting" if category == "public_lighting" else service]
    advances = []
    for month, period in enumerate(periods):
        if month < first_read:
            advances.append(-1)
            continue
        fraction = first_fraction if month == first_read else 1.0
        units = base * season[int(period[5:]) - 1] * min(1.12, max(0.88, rng.gauss(1, 0.05))) * fraction
        advances.append(max(1, round(Decimal(str(units)) / multiplier)))
    return advances


def _supply(
    rng: random.Random,
    member: MemberPlan,
    service: str,
    category: str,
    seq: int,
    location: tuple[str, str, str],
    periods: Sequence[str],
) -> SupplyPlan:
    address, zone, route = location
    first_month = month_start(periods[0])
    if member.joins_month is None:
        connected = min(
            member.admission_date + timedelta(days=rng.randint(2, 30)), first_month - timedelta(days=5)
        )
    else:
        connected = member.admission_date + timedelta(days=rng.randint(1, 5))
    number = f"{SERVICE_PREFIX[service]}{member.number}" + (f"-{seq}" if seq > 1 else "")
    plan = SupplyPlan(number, member.number, service, category, address, zone, route, connected)
    if service == "sepelio":
        plan.beneficiaries = rng.choices((1, 2, 3, 4, 5), (20, 30, 25, 15, 10))[0]
    if service not in ("electricity", "water"):
        return plan
    multiplier = CT_MULTIPLIER if category == "industrial" and service == "electricity" else Decimal(1)
    first_read = member.joins_month or 0
    # A new supply's first reading covers only the days since its connection.
    fraction = (reading_day(route) - connected.day) / 30 if member.joins_month is not None else 1.0
    plan.advances = _advances(rng, service, category, multiplier, periods, first_read, fraction)
    plan.unread = {m for m in range(first_read + 2, len(periods)) if rng.random() < 0.02}
    prefix = "E" if service == "electricity" else "W"
    plan.meter = MeterPlan(f"{prefix}{rng.randint(10_000_000, 99_999_999)}", 5, multiplier, 0)
    return plan


def _member(index: int, seed: int, periods: Sequence[str]) -> MemberPlan:
    rng = random.Random(f"asiento-demo:{seed}:{index}")
    kind = _kind(rng, index)
    joins_month = rng.randrange(len(periods)) if index > 1 and rng.random() < 0.03 else None
    first_month = month_start(periods[0 if joins_month is None else joins_month])
    admission = date(1962, 3, 15) if index == 1 else _admission(rng, first_month, joins_month is not None)
    name, doc_type, doc_number, vat, first = _identity(rng, kind, admission)
    location = _location(rng, kind)
    phone = f"+54 9 {AREA_CODE} {rng.randint(400, 699)}-{rng.randint(0, 9999):04d}"
    email = None
    if first and rng.random() < 0.45:
        domain = rng.choice(("gmail.com", "hotmail.com", "yahoo.com.ar"))
        email = f"{_ascii(first)}.{_ascii(name.split(',')[0])}{rng.randint(1, 99)}@{domain}"
    member = MemberPlan(
        f"{index:06d}",
        name,
        doc_type,
        doc_number,
        vat,
        f"{location[0]}{TOWN_SUFFIX}",
        [phone],
        email,
        admission,
        joins_month,
    )
    seen: dict[str, int] = {}
    for service, category in _services(rng, kind, location[1], vat):
        seen[service] = seen.get(service, 0) + 1
        member.supplies.append(_supply(rng, member, service, category, seen[service], location, periods))
    _finish_meters(rng, member)
    return member


def _finish_meters(rng: random.Random, member: MemberPlan) -> None:
    """Digits and the initial register: a month never advances a tenth of the register (no false rollover)."""
    for supply in member.supplies:
        if supply.meter is None:
            continue
        digits = rng.choices((4, 5, 6), (12, 80, 8))[0]
        while max(supply.advances) * 10 >= 10**digits:
            digits += 1
        span = 10**digits
        initial = rng.randint(0, 15) if member.joins_month is not None else rng.randrange(span * 7 // 10)
        supply.meter = MeterPlan(supply.meter.serial, digits, supply.meter.multiplier, initial)


# -- the planted cases -------------------------------------------------------------------------

CUT_REASON = "Falta de pago: corte por deuda vencida"
RECONNECT_FACTOR, CUT_FACTOR = 0.75, 0.65  # share of a month consumed around a cut
ART31_RAMP = ((6, 1.5), (3, 2.2))  # from this many months before the end, × this: the Ley 24.240 jump


def build_plan(members: int, periods: Sequence[str], seed: int) -> DemoPlan:
    plan = DemoPlan(list(periods), [_member(index, seed, periods) for index in range(1, members + 1)])
    _plant(plan, random.Random(f"asiento-demo:{seed}:planted"))
    return plan


def _plant(plan: DemoPlan, rng: random.Random) -> None:
    """A few supplies that show the review, cut, rollover and consumer-protection paths."""
    months, first_month = len(plan.periods), month_start(plan.periods[0])
    pool = [  # supplies read since before the demo's months
        s
        for s in plan.supplies()
        if s.meter is not None
        and s.connected_on < first_month
        and (s.service, s.category) in (("electricity", "residential"), ("water", "residential"))
    ]
    rng.shuffle(pool)

    def take(service: str) -> SupplyPlan | None:
        found = next((s for s in pool if s.service == service), None)
        if found is not None:
            pool.remove(found)
        return found

    if months >= 2:
        _anomaly(
            take("electricity"), 1, 0.0, "Vivienda deshabitada en el período: verificado por el inspector"
        )
    if months >= 4:
        _anomaly(
            take("electricity"),
            rng.randrange(3, months),
            3.0,
            "Consumo verificado: obra en construcción en el domicilio",
        )
        _anomaly(
            take("water"),
            rng.randrange(3, months),
            4.0,
            "Pérdida en la instalación interna, verificada y reparada por el usuario",
        )
    if months >= 7:
        _ramp(take("electricity"), months)
    for _ in range(max(1, len(plan.members) // 250) if months >= 2 else 0):
        _cut(take("electricity"), rng, plan.periods)
    for _ in range(max(1, len(plan.members) // 300) if months >= 2 else 0):
        _rollover(take("electricity"), rng, months)


def _anomaly(supply: SupplyPlan | None, month: int, factor: float, note: str) -> None:
    """A consumption the reading review holds (zero after usage, or far above the recent average)."""
    if supply is None:
        return
    supply.advances[month] = round(supply.advances[month] * factor)
    supply.review_notes[month] = note
    supply.unread -= {month - 1, month, month + 1}


def _ramp(supply: SupplyPlan | None, months: int) -> None:
    """Consumption that climbs to more than 1.75× the same months of earlier years (Ley 24.240 art. 31),
    in steps small enough for the monthly reading review to let through."""
    if supply is None:
        return
    for back, factor in ART31_RAMP:
        for month in range(months - back, months):
            supply.advances[month] = round(supply.advances[month] * factor)
    supply.unread.clear()


def _cut(supply: SupplyPlan | None, rng: random.Random, periods: Sequence[str]) -> None:
    """Cut for debt mid-month, reconnected early the next month after paying."""
    if supply is None:
        return
    month = rng.randrange(1, len(periods))
    supply.cut_on = month_start(periods[month]) + timedelta(days=rng.randint(11, 17))
    supply.advances[month] = max(1, round(supply.advances[month] * CUT_FACTOR))
    if month + 1 < len(periods):
        supply.reconnected_on = month_start(periods[month + 1]) + timedelta(days=rng.randint(2, 5))
        supply.advances[month + 1] = max(1, round(supply.advances[month + 1] * RECONNECT_FACTOR))
    supply.unread -= {month, month + 1}


def _rollover(supply: SupplyPlan | None, rng: random.Random, months: int) -> None:
    """An old 4-digit meter that passes 9999 during the demo's months."""
    if supply is None or supply.meter is None or max(supply.advances) * 10 >= 10**4:
        return
    month = rng.randrange(1, months)
    before = sum(a for a in supply.advances[:month] if a > 0)
    initial = 10**4 - before - max(1, supply.advances[month] // 2)
    supply.meter = MeterPlan(supply.meter.serial, 4, supply.meter.multiplier, initial)
