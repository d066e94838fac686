"""asyncpg checks against lakegate (see lgcheck.py). asyncpg always uses
the extended protocol with named prepared statements and binary results,
and introspects pg_type for any type it does not know built in."""

import asyncio
import datetime
import decimal
import uuid

import asyncpg

from lgcheck import (DAY_COUNT_SQL, DAY_SQL, DATABASE, HOST, LITERALS_SQL, PORT, SALES_ROW_SQL, USER,
                     check_literals, check_sales_row, expect, expect_equal, run)


async def connect():
    return await asyncpg.connect(host=HOST, port=PORT, user=USER, database=DATABASE, ssl=False, timeout=10)


def sync(coro_fn):
    def check():
        async def body():
            conn = await connect()
            try:
                return await coro_fn(conn)
            finally:
                await conn.close()
        return asyncio.run(body())
    return check


async def check_connect(conn):
    version = conn.get_server_version()
    expect(version.major >= 12, f"server version {version}")
    expect_equal(await conn.fetchval("select 1"), 1, "select 1")
    return f"server version {version}"


async def check_types_literals(conn):
    check_literals(tuple(await conn.fetchrow(LITERALS_SQL)))
    return "binary results: int, Decimal, float, str, bool, date, datetime (naive and aware), None"


async def check_types_more(conn):
    row = await conn.fetchrow(
        "select ARRAY['a','b']::text[] as texts, 'abc'::bytea as by,"
        " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as id, interval '1 day 02:03:04' as iv,"
        " time '12:34:56' as tm, 1.5::float4 as f4")
    expect_equal(row["texts"], ["a", "b"], "text[]")
    expect_equal(row["by"], b"abc", "bytea")
    expect_equal(row["id"], uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid")
    expect_equal(row["iv"], datetime.timedelta(days=1, hours=2, minutes=3, seconds=4), "interval")
    expect_equal(row["tm"], datetime.time(12, 34, 56), "time")
    expect_equal(row["f4"], 1.5, "float4")
    return "list of str, bytes, UUID, timedelta, time, float"


async def check_types_int_array(conn):
    # asyncpg has built-in codecs for text[] and oid[] only: any other
    # array type is introspected in pg_type (and pg_range) first.
    row = await conn.fetchrow("select ARRAY[1,2,3]::int4[] as ints, ARRAY[1.5,2.5]::numeric[] as nums")
    expect_equal(row["ints"], [1, 2, 3], "int4[]")
    expect_equal(row["nums"], [decimal.Decimal("1.5"), decimal.Decimal("2.5")], "numeric[]")
    return "lists of int and Decimal"


async def check_types_lake(conn):
    return check_sales_row(tuple(await conn.fetchrow(SALES_ROW_SQL)))


async def check_parameters(conn):
    got = await conn.fetchval("select count(*) from demo.sales where sale_date = $1 and store_id = $2 and channel = $3",
                              datetime.date(2024, 3, 1), 3, "web")
    want = await conn.fetchval("select count(*) from demo.sales where sale_date = date '2024-03-01' and store_id = 3 and channel = 'web'")
    expect(want > 0, "no rows")
    expect_equal(got, want, "count")
    return f"{got} rows, as with literals"


async def check_parameters_list(conn):
    # Python lists are sent as int4[] and text[] parameters, in binary.
    got = await conn.fetchval("select count(*) from demo.sales where sale_date = $1 and store_id = any($2) and channel = any($3)",
                              datetime.date(2024, 3, 1), [1, 2, 3], ["web", "store"])
    want = await conn.fetchval("select count(*) from demo.sales where sale_date = date '2024-03-01'"
                               " and store_id in (1, 2, 3) and channel in ('web', 'store')")
    expect(want > 0, "no rows")
    expect_equal(got, want, "count")
    return f"{got} rows, as with literals"


async def check_prepared(conn):
    stmt = await conn.prepare("select sale_id, sold_at, settled_at, unit_price, total from demo.sales"
                              " where sale_date = $1 and store_id = $2 order by sale_id limit 20")
    params = [(p.name, p.kind) for p in stmt.get_parameters()]
    expect_equal(params, [("date", "scalar"), ("int4", "scalar")], "parameter types")
    attrs = [(a.name, a.type.name) for a in stmt.get_attributes()]
    expect_equal(attrs, [("sale_id", "int8"), ("sold_at", "timestamp"), ("settled_at", "timestamptz"),
                         ("unit_price", "numeric"), ("total", "numeric")], "result types")
    first = await stmt.fetch(datetime.date(2024, 3, 1), 5)
    expect(first, "no rows")
    for _ in range(3):
        expect_equal(await stmt.fetch(datetime.date(2024, 3, 1), 5), first, "rows")
    return f"parameter and result types described; {len(first)} rows, the same on 4 runs"


async def check_cursor(conn):
    want = tuple(await conn.fetchrow(DAY_COUNT_SQL))
    ids = []
    async with conn.transaction():
        # A portal read 100 rows per Execute.
        async for r in conn.cursor(DAY_SQL, prefetch=100):
            ids.append(r[0])
    expect_equal((len(ids), sum(ids)), want, "count and sum of sale_id")
    return f"{len(ids)} rows, 100 per Execute"


async def check_type_by_name(conn):
    # set_type_codec looks the type up by name in pg_type/pg_namespace.
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=str, format="text")
    got = await conn.fetchval("select 12345678.90::numeric(10,2)")
    expect_equal(got, "12345678.90", "numeric through a text codec")
    return "set_type_codec('numeric') found the type; values decoded by the custom codec"


async def check_introspect(conn):
    # The query asyncpg runs for result or parameter types it has no
    # built-in codec for (domains, enums, composites, extension types):
    # recursive over pg_type, pg_range and their elements.
    types = await conn._introspect_types([23, 1007, 1184, 1700], 10)
    rows = types[0] if isinstance(types, tuple) else types
    # PostgreSQL 15 answers int4 twice: asked for (depth 0) and as the
    # element type of _int4 (depth 1).
    found = sorted((r["name"], r["depth"]) for r in rows)
    expect_equal(found, [("_int4", 0), ("int4", 0), ("int4", 1), ("numeric", 0), ("timestamptz", 0)], "introspected types")
    kinds = {r["name"]: r["kind"] for r in rows}
    expect_equal(kinds["int4"], b"b", "int4's kind (a \"char\", as bytes)")
    elems = {r["name"]: r["elemtype"] for r in rows}
    expect_equal(elems["_int4"], 23, "_int4's element type")
    return f"introspected {sorted(set(n for n, _ in found))}, as PostgreSQL"


async def check_error(conn):
    try:
        await conn.fetch("select * from demo.no_such_table")
        raise AssertionError("no error")
    except asyncpg.exceptions.UndefinedTableError as exc:
        expect_equal(exc.sqlstate, "42P01", "SQLSTATE")
    expect_equal(await conn.fetchval("select count(*) from demo.stores"), 50, "demo.stores after the error")
    return "UndefinedTableError (42P01), and the connection goes on"


run([
    ("connect", sync(check_connect)),
    ("types.literals", sync(check_types_literals)),
    ("types.more", sync(check_types_more)),
    ("types.int_array", sync(check_types_int_array)),
    ("types.lake", sync(check_types_lake)),
    ("parameters", sync(check_parameters)),
    ("parameters.list", sync(check_parameters_list)),
    ("prepared", sync(check_prepared)),
    ("cursor.portal", sync(check_cursor)),
    ("introspection.type_by_name", sync(check_type_by_name)),
    ("introspection.types", sync(check_introspect)),
    ("error.sqlstate", sync(check_error)),
])
