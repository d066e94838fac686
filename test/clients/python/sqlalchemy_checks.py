"""SQLAlchemy checks against lakegate (see lgcheck.py): the psycopg2 dialect,
its connection setup and the Inspector that ORMs, Alembic, Superset and
notebooks use to discover tables."""

import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from lgcheck import DATABASE, HOST, PORT, USER, expect, expect_equal, run

LAKE_TABLES = {"sales", "stores", "products", "returns"}


def engine():
    return sa.create_engine(f"postgresql+psycopg2://{USER}@{HOST}:{PORT}/{DATABASE}",
                            connect_args={"sslmode": "disable", "connect_timeout": 10},
                            poolclass=sa.pool.NullPool)


ENGINE = engine()


def inspector():
    return sa.inspect(ENGINE)


def check_connect():
    # The first connection runs the dialect's setup: version(),
    # current_schema(), standard_conforming_strings, ...
    with ENGINE.connect() as conn:
        expect_equal(conn.execute(sa.text("select 1")).scalar(), 1, "select 1")
        version = ENGINE.dialect.server_version_info
    expect(version and version[0] >= 12, f"server_version_info {version}")
    return f"server_version_info {version}, SQLAlchemy {sa.__version__}"


def check_text_query():
    with ENGINE.connect() as conn:
        rows = conn.execute(sa.text("select store_id, name, opened_on from demo.stores where store_id between :lo and :hi order by store_id"),
                            {"lo": 3, "hi": 5}).all()
    expect_equal([r.store_id for r in rows], [3, 4, 5], "store_id")
    expect(isinstance(rows[0].opened_on, datetime.date), f"opened_on {rows[0].opened_on!r}")
    return f"{len(rows)} rows with bound parameters"


def check_schema_names():
    names = inspector().get_schema_names()
    expect("demo" in names, f"schemas {names} lack demo")
    return f"schemas {names}"


def check_table_names():
    insp = inspector()
    tables = insp.get_table_names(schema="demo")
    views = insp.get_view_names(schema="demo")
    expect(LAKE_TABLES <= set(tables) | set(views), f"tables {tables} and views {views} lack some of {sorted(LAKE_TABLES)}")
    return f"tables {tables}, views {views}"


def check_view_names():
    views = inspector().get_view_names(schema="demo")
    expect(isinstance(views, list), f"views {views!r}")
    return f"views {views}"


SALES_COLUMNS = [
    ("sale_id", sa.BIGINT), ("sale_date", sa.DATE), ("sold_at", sa.TIMESTAMP), ("settled_at", sa.TIMESTAMP),
    ("store_id", sa.INTEGER), ("product_id", sa.INTEGER), ("customer_id", sa.BIGINT), ("quantity", sa.SMALLINT),
    ("unit_price", sa.NUMERIC), ("discount", postgresql.DOUBLE_PRECISION), ("total", sa.NUMERIC),
    ("channel", (sa.VARCHAR, sa.TEXT)), ("is_return", sa.BOOLEAN), ("note", (sa.VARCHAR, sa.TEXT)),
]


def check_columns():
    cols = {c["name"]: c for c in inspector().get_columns("sales", schema="demo")}
    expect_equal(sorted(cols), sorted(n for n, _ in SALES_COLUMNS), "columns")
    for name, typ in SALES_COLUMNS:
        got = cols[name]["type"]
        expect(isinstance(got, typ), f"{name} is {got!r}")
    expect(not cols["sold_at"]["type"].timezone and cols["settled_at"]["type"].timezone, "timestamp time zones")
    price = cols["unit_price"]["type"]
    expect_equal((price.precision, price.scale), (10, 2), "unit_price numeric(p, s)")
    return ", ".join(f"{n} {cols[n]['type']!r}" for n, _ in SALES_COLUMNS)


def check_pk():
    pk = inspector().get_pk_constraint("sales", schema="demo")
    expect_equal(pk["constrained_columns"], [], "primary key columns")
    return f"{pk}"


def check_foreign_keys():
    fks = inspector().get_foreign_keys("sales", schema="demo")
    expect_equal(fks, [], "foreign keys")
    return "none"


def check_indexes():
    idx = inspector().get_indexes("sales", schema="demo")
    expect_equal(idx, [], "indexes")
    return "none"


def check_reflect():
    stores = sa.Table("stores", sa.MetaData(), schema="demo", autoload_with=ENGINE)
    expect_equal([c.name for c in stores.columns], ["store_id", "name", "city", "region", "opened_on"], "columns")
    query = sa.select(stores.c.region, sa.func.count()).where(stores.c.opened_on < datetime.date(2020, 1, 1)).group_by(stores.c.region)
    with ENGINE.connect() as conn:
        rows = conn.execute(query).all()
    expect(rows and sum(n for _, n in rows) <= 50, f"rows {rows}")
    return f"Table reflected; a Core select grouped into {len(rows)} regions"


run([
    ("connect", check_connect),
    ("text_query", check_text_query),
    ("inspector.get_schema_names", check_schema_names),
    ("inspector.get_table_names", check_table_names),
    ("inspector.get_view_names", check_view_names),
    ("inspector.get_columns", check_columns),
    ("inspector.get_pk_constraint", check_pk),
    ("inspector.get_foreign_keys", check_foreign_keys),
    ("inspector.get_indexes", check_indexes),
    ("reflect.table", check_reflect),
])
