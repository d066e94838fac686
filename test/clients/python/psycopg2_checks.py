"""psycopg2 checks against lakegate (see lgcheck.py)."""

import datetime
import decimal
import io

import psycopg2
import psycopg2.errorcodes

from lgcheck import (DAY_COUNT_SQL, DAY_SQL, DATABASE, HOST, LITERALS_SQL, PORT, SALES_ROW_SQL, USER,
                     check_literals, check_sales_row, expect, expect_equal, run)


def connect(autocommit=True):
    conn = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname=DATABASE, sslmode="disable", connect_timeout=10)
    conn.autocommit = autocommit
    return conn


def day_totals(conn):
    with conn.cursor() as cur:
        cur.execute(DAY_COUNT_SQL)
        return cur.fetchone()


def check_connect():
    with connect() as conn:
        expect(conn.server_version >= 120000, f"server_version {conn.server_version}")
        with conn.cursor() as cur:
            cur.execute("select 1")
            expect_equal(cur.fetchone(), (1,), "select 1")
        return f"server_version {conn.server_version}"


def check_types_literals():
    with connect() as conn, conn.cursor() as cur:
        cur.execute(LITERALS_SQL)
        check_literals(cur.fetchone())
    return "int, Decimal, float, str, bool, date, datetime (naive and aware), None"


def check_types_lake():
    with connect() as conn, conn.cursor() as cur:
        cur.execute(SALES_ROW_SQL)
        return check_sales_row(cur.fetchone())


def check_types_arrays():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("select ARRAY[1,2,3]::int4[], ARRAY['a','b']::text[], ARRAY[1.5,2.5]::numeric[]")
        row = cur.fetchone()
        expect_equal(row[0], [1, 2, 3], "int4[]")
        expect_equal(row[1], ["a", "b"], "text[]")
        # DuckDB's unbounded numeric has scale 3: compare values.
        expect_equal(row[2], [decimal.Decimal("1.5"), decimal.Decimal("2.5")], "numeric[]")
    return "lists of int, str, Decimal"


def check_array_literal():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("select '{1,2,3}'::int4[], '{a,b}'::text[]")
        expect_equal(cur.fetchone(), ([1, 2, 3], ["a", "b"]), "'{...}' array literals")
    return "'{1,2,3}'::int4[]"


def check_parameters():
    with connect() as conn, conn.cursor() as cur:
        # psycopg2 interpolates on the client: a date, a list (ARRAY[...])
        # and a tuple (IN).
        cur.execute("select count(*) from demo.sales where sale_date = %s and store_id = any(%s) and channel in %s",
                    (datetime.date(2024, 3, 1), [1, 2, 3], ("store", "web")))
        got = cur.fetchone()[0]
        cur.execute("select count(*) from demo.sales where sale_date = date '2024-03-01'"
                    " and store_id in (1, 2, 3) and channel in ('store', 'web')")
        want = cur.fetchone()[0]
        expect(want > 0, "no rows")
        expect_equal(got, want, "count")
    return f"{got} rows, as with literals"


def check_named_cursor():
    with connect(autocommit=False) as conn:
        want = day_totals(conn)
        with conn.cursor(name="lakegate_day") as cur:
            cur.itersize = 500
            cur.execute(DAY_SQL)
            ids = [r[0] for r in cur]
        expect_equal((len(ids), sum(ids)), want, "count and sum of sale_id")
        expect_equal(ids, sorted(ids), "order")
        conn.rollback()
    return f"{len(ids)} rows through DECLARE/FETCH FORWARD 500"


def check_copy_expert():
    buf = io.StringIO()
    with connect() as conn, conn.cursor() as cur:
        cur.copy_expert("COPY (select store_id, name from demo.stores order by store_id) TO STDOUT WITH (FORMAT csv, HEADER)", buf)
    lines = buf.getvalue().splitlines()
    expect_equal(len(lines), 51, "lines")
    expect_equal(lines[0], "store_id,name", "header")
    expect(lines[1].startswith("1,"), f"first row {lines[1]!r}")
    return f"{len(lines)} CSV lines with a header"


def check_error():
    with connect(autocommit=False) as conn:
        with conn.cursor() as cur:
            try:
                cur.execute("select * from demo.no_such_table")
                raise AssertionError("no error")
            except psycopg2.Error as exc:
                expect_equal(exc.pgcode, psycopg2.errorcodes.UNDEFINED_TABLE, "SQLSTATE")
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("select count(*) from demo.stores")
            expect_equal(cur.fetchone(), (50,), "demo.stores after the error")
    return "42P01, and the connection goes on after rollback"


run([
    ("connect", check_connect),
    ("types.literals", check_types_literals),
    ("types.lake", check_types_lake),
    ("types.arrays", check_types_arrays),
    ("types.array_literal", check_array_literal),
    ("parameters", check_parameters),
    ("cursor.named", check_named_cursor),
    ("copy_expert", check_copy_expert),
    ("error.sqlstate", check_error),
])
