"""Shared by the client check scripts run by test/clients_test.go.

Each script calls run() with its checks; every check prints one JSON line
{"check": name, "ok": bool, "detail": text} on stdout. A check raises to
fail and returns a detail to pass. The scripts take host, port and user as
arguments and are run with /usr/bin/python3 (Debian's python3-* packages).
"""

import datetime
import decimal
import json
import sys

HOST, PORT, USER = sys.argv[1], int(sys.argv[2]), sys.argv[3]
DATABASE = "lakegate"

UTC = datetime.timezone.utc

# Literals of every type a lake column has, with the Python values the
# drivers must return. The same SQL is valid in PostgreSQL.
LITERALS_SQL = (
    "select 9223372036854775807::int8 as i8, 2147483647::int4 as i4, (-32768)::int2 as i2,"
    " 12345678.90::numeric(10,2) as num, 1.5::float8 as f8, 'héllo'::varchar as vc,"
    " true as b, date '2024-02-29' as d, timestamp '2024-03-01 12:34:56.789012' as ts,"
    " timestamptz '2024-03-01 12:34:56.789012+00' as tstz, null::int4 as nul"
)
LITERALS = (
    9223372036854775807,
    2147483647,
    -32768,
    decimal.Decimal("12345678.90"),
    1.5,
    "héllo",
    True,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 3, 1, 12, 34, 56, 789012),
    datetime.datetime(2024, 3, 1, 12, 34, 56, 789012, tzinfo=UTC),
    None,
)

# A sales row whose nullable columns all have values, and the Python type
# of each column.
SALES_ROW_SQL = (
    "select sale_id, sale_date, sold_at, settled_at, store_id, product_id, customer_id, quantity,"
    " unit_price, discount, total, channel, is_return, note from demo.sales"
    " where discount is not null and note is not null and customer_id is not null"
    " and settled_at is not null order by sale_id limit 1"
)
SALES_TYPES = (int, datetime.date, datetime.datetime, datetime.datetime, int, int, int, int,
               decimal.Decimal, float, decimal.Decimal, str, bool, str)

# One day of sales, for reading many rows.
DAY_SQL = "select sale_id from demo.sales where sale_date = date '2024-03-01' order by sale_id"
DAY_COUNT_SQL = "select count(*), sum(sale_id) from demo.sales where sale_date = date '2024-03-01'"


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_equal(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def check_literals(row):
    """Compares a row of LITERALS_SQL with LITERALS, values and types."""
    expect_equal(len(row), len(LITERALS), "columns")
    for got, want in zip(row, LITERALS):
        expect(got == want and type(got) is type(want), f"got {got!r}, want {want!r}")
    expect(row[9].utcoffset() is not None, "timestamptz is not timezone-aware")


def check_sales_row(row):
    expect(row is not None, "no row")
    for got, want in zip(row, SALES_TYPES):
        expect(isinstance(got, want), f"{got!r} is not a {want.__name__}")
    expect(row[2].tzinfo is None, "timestamp is timezone-aware")
    expect(row[3].tzinfo is not None, "timestamptz is not timezone-aware")
    return ", ".join(type(v).__name__ for v in row)


def describe(exc):
    text = str(exc).strip().split("\n")[0]
    if len(text) > 300:
        text = text[:300] + "..."
    return f"{type(exc).__name__}: {text}"


def run(checks):
    for name, fn in checks:
        try:
            detail = fn()
            ok = True
        except Exception as exc:  # noqa: BLE001 - every failure is a result
            ok = False
            detail = describe(exc)
        print(json.dumps({"check": name, "ok": ok, "detail": str(detail or "")}), flush=True)
