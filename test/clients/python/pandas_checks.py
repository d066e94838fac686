"""pandas checks against lakegate (see lgcheck.py): read_sql through a
SQLAlchemy engine and through a plain psycopg2 connection, and
read_sql_table, which reflects the table with SQLAlchemy first."""

import datetime
import warnings

import pandas as pd
import psycopg2
import sqlalchemy as sa

from lgcheck import DATABASE, HOST, PORT, USER, expect, expect_equal, run

ENGINE = sa.create_engine(f"postgresql+psycopg2://{USER}@{HOST}:{PORT}/{DATABASE}",
                          connect_args={"sslmode": "disable", "connect_timeout": 10},
                          poolclass=sa.pool.NullPool)

SALES_SQL = ("select sale_id, sale_date, sold_at, settled_at, store_id, quantity, unit_price, discount, total, channel, is_return"
             " from demo.sales where sale_date = %(day)s and store_id = %(store)s order by sale_id")
PARAMS = {"day": datetime.date(2024, 3, 1), "store": 5}


def check_frame(df):
    expect(len(df) > 0, "no rows")
    dtypes = {c: str(t) for c, t in df.dtypes.items()}
    want = {"sale_id": "int64", "sale_date": "object", "sold_at": "datetime64[ns]", "store_id": "int64",
            "quantity": "int64", "unit_price": "float64", "discount": "float64", "total": "float64",
            "channel": "object", "is_return": "bool"}
    for col, t in want.items():
        expect_equal(dtypes[col], t, f"dtype of {col}")
    # settled_at has NULLs on some days: aware datetimes, or NaT.
    expect(dtypes["settled_at"].startswith("datetime64[ns, "), f"settled_at dtype {dtypes['settled_at']}")
    # coerce_float (the default) turns Decimal into float64.
    expect(isinstance(df["sale_date"].iloc[0], datetime.date), f"sale_date {df['sale_date'].iloc[0]!r}")
    return f"{len(df)} rows; " + ", ".join(f"{c} {t}" for c, t in dtypes.items())


def check_read_sql_engine():
    return check_frame(pd.read_sql(SALES_SQL, ENGINE, params=PARAMS))


def check_read_sql_dbapi():
    conn = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname=DATABASE, sslmode="disable", connect_timeout=10)
    try:
        with warnings.catch_warnings():
            # pandas warns that it only tests SQLAlchemy and sqlite3.
            warnings.simplefilter("ignore", UserWarning)
            df = pd.read_sql(SALES_SQL, conn, params=PARAMS)
    finally:
        conn.close()
    return check_frame(df)


def check_read_sql_chunks():
    chunks = list(pd.read_sql("select sale_id from demo.sales where sale_date = %(day)s order by sale_id",
                              ENGINE, params=PARAMS, chunksize=1000))
    total = sum(len(c) for c in chunks)
    with ENGINE.connect() as conn:
        want = conn.execute(sa.text("select count(*) from demo.sales where sale_date = date '2024-03-01'")).scalar()
    expect_equal(total, want, "rows")
    expect(len(chunks) >= 2, f"{len(chunks)} chunks")
    return f"{total} rows in {len(chunks)} chunks"


def check_read_sql_table():
    df = pd.read_sql_table("stores", ENGINE, schema="demo")
    expect_equal(list(df.columns), ["store_id", "name", "city", "region", "opened_on"], "columns")
    expect_equal(len(df), 50, "rows")
    expect_equal(str(df["store_id"].dtype), "int64", "store_id dtype")
    expect_equal(str(df["opened_on"].dtype), "datetime64[ns]", "opened_on dtype (read_sql_table parses dates)")
    return f"{len(df)} rows; " + ", ".join(f"{c} {t}" for c, t in df.dtypes.items())


run([
    ("read_sql.sqlalchemy", check_read_sql_engine),
    ("read_sql.psycopg2", check_read_sql_dbapi),
    ("read_sql.chunksize", check_read_sql_chunks),
    ("read_sql_table", check_read_sql_table),
])
