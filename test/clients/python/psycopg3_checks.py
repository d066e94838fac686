"""psycopg 3 checks against lakegate (see lgcheck.py)."""

import datetime
import decimal

import psycopg
import psycopg.errors

from lgcheck import (DAY_COUNT_SQL, DAY_SQL, DATABASE, HOST, LITERALS_SQL, PORT, SALES_ROW_SQL, USER,
                     check_literals, check_sales_row, expect, expect_equal, run)


def connect(autocommit=True):
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname=DATABASE, sslmode="disable",
                           connect_timeout=10, autocommit=autocommit)


def check_connect():
    with connect() as conn:
        version = conn.info.server_version
        expect(version >= 120000, f"server_version {version}")
        expect_equal(conn.execute("select 1").fetchone(), (1,), "select 1")
    return f"server_version {version}, {psycopg.pq.__impl__} implementation"


def check_types_text():
    with connect() as conn:
        check_literals(conn.execute(LITERALS_SQL).fetchone())
    return "text results: int, Decimal, float, str, bool, date, datetime (naive and aware), None"


def check_types_binary():
    with connect() as conn, conn.cursor(binary=True) as cur:
        cur.execute(LITERALS_SQL)
        res = cur.pgresult
        expect(all(res.fformat(i) == psycopg.pq.Format.BINARY for i in range(res.nfields)), "results are not binary")
        check_literals(cur.fetchone())
        cur.execute("select ARRAY[1,2,3]::int4[], ARRAY['a','b']::text[]")
        expect_equal(cur.fetchone(), ([1, 2, 3], ["a", "b"]), "arrays")
    return "binary results: the same values, and arrays"


def check_types_lake():
    with connect() as conn:
        text = conn.execute(SALES_ROW_SQL).fetchone()
        detail = check_sales_row(text)
        with conn.cursor(binary=True) as cur:
            cur.execute(SALES_ROW_SQL)
            binary = cur.fetchone()
        check_sales_row(binary)
        expect_equal(binary, text, "binary row")
    return detail + " (text and binary alike)"


def check_types_arrays():
    with connect() as conn:
        row = conn.execute("select ARRAY[1,2,3]::int4[], ARRAY['a','b']::text[], ARRAY[1.5,2.5]::numeric[]").fetchone()
        expect_equal(row[0], [1, 2, 3], "int4[]")
        expect_equal(row[1], ["a", "b"], "text[]")
        expect_equal(row[2], [decimal.Decimal("1.5"), decimal.Decimal("2.5")], "numeric[]")
    return "lists of int, str, Decimal"


def check_parameters():
    with connect() as conn:
        # Server-side binding: $1, $2 in the extended protocol.
        got = conn.execute("select count(*) from demo.sales where sale_date = %s and store_id = %s and channel = %s",
                           (datetime.date(2024, 3, 1), 3, "web")).fetchone()[0]
        want = conn.execute("select count(*) from demo.sales where sale_date = date '2024-03-01' and store_id = 3 and channel = 'web'").fetchone()[0]
        expect(want > 0, "no rows")
        expect_equal(got, want, "count")
    return f"{got} rows, as with literals"


def check_parameters_any():
    with connect() as conn:
        # A Python list is sent as one array parameter: = any($1).
        got = conn.execute("select count(*) from demo.sales where sale_date = %s and store_id = any(%s)",
                           (datetime.date(2024, 3, 1), [1, 2, 3])).fetchone()[0]
        want = conn.execute("select count(*) from demo.sales where sale_date = date '2024-03-01' and store_id in (1, 2, 3)").fetchone()[0]
        expect(want > 0, "no rows")
        expect_equal(got, want, "count")
    return f"{got} rows, as with literals"


def check_prepared():
    with connect() as conn:
        conn.prepare_threshold = 2
        sql = "select sale_id, sold_at, unit_price, total from demo.sales where sale_date = %s and store_id = %s order by sale_id limit 20"
        first = None
        for _ in range(5):
            rows = conn.execute(sql, (datetime.date(2024, 3, 1), 5)).fetchall()
            expect(rows, "no rows")
            first = first or rows
            expect_equal(rows, first, "rows")
        with conn.cursor(binary=True) as cur:
            for _ in range(3):
                expect_equal(cur.execute(sql, (datetime.date(2024, 3, 1), 5), prepare=True).fetchall(), first, "binary rows")
    return f"{len(first)} rows, the same on 8 runs through named prepared statements (text and binary)"


def day_totals(conn):
    return conn.execute(DAY_COUNT_SQL).fetchone()


def check_server_cursor(binary):
    def check():
        with connect(autocommit=False) as conn:
            want = day_totals(conn)
            with conn.cursor(name="lakegate_day", binary=binary) as cur:
                cur.itersize = 500
                cur.execute(DAY_SQL)
                ids = [r[0] for r in cur]
            expect_equal((len(ids), sum(ids)), want, "count and sum of sale_id")
            conn.rollback()
        return f"{len(ids)} rows through DECLARE/FETCH FORWARD 500"
    return check


def check_copy(fmt):
    def check():
        with connect() as conn, conn.cursor() as cur:
            sql = "COPY (select store_id, name, opened_on from demo.stores order by store_id) TO STDOUT"
            if fmt == "binary":
                sql += " (FORMAT BINARY)"
            with cur.copy(sql) as copy:
                copy.set_types(["int4", "text", "date"])
                rows = list(copy.rows())
        expect_equal(len(rows), 50, "rows")
        expect_equal(rows[0][0], 1, "first store_id")
        expect(isinstance(rows[0][2], datetime.date), f"opened_on {rows[0][2]!r}")
        return f"{len(rows)} rows of int, str, date"
    return check


def check_error():
    with connect(autocommit=False) as conn:
        try:
            conn.execute("select * from demo.no_such_table")
            raise AssertionError("no error")
        except psycopg.errors.UndefinedTable as exc:
            expect_equal(exc.sqlstate, "42P01", "SQLSTATE")
        conn.rollback()
        expect_equal(conn.execute("select count(*) from demo.stores").fetchone(), (50,), "demo.stores after the error")
    return "UndefinedTable (42P01), and the connection goes on after rollback"


run([
    ("connect", check_connect),
    ("types.text", check_types_text),
    ("types.binary", check_types_binary),
    ("types.lake", check_types_lake),
    ("types.arrays", check_types_arrays),
    ("parameters", check_parameters),
    ("parameters.any_array", check_parameters_any),
    ("prepared", check_prepared),
    ("cursor.server", check_server_cursor(False)),
    ("cursor.server_binary", check_server_cursor(True)),
    ("copy.text", check_copy("text")),
    ("copy.binary", check_copy("binary")),
    ("error.sqlstate", check_error),
])
