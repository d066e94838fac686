"""Logs in with one Python driver and prints "OK <current_user>" or
"ERR <SQLSTATE> <message>": used by test/auth_test.go and test/tls_test.go.

Usage: /usr/bin/python3 connect_check.py DRIVER CONNINFO
DRIVER is psycopg2, psycopg or asyncpg; CONNINFO is a libpq key=value
string (asyncpg gets the same parameters as keywords).
"""

import sys

driver, conninfo = sys.argv[1], sys.argv[2]


def parse(conninfo):
    out = {}
    for part in conninfo.split():
        key, _, value = part.partition("=")
        out[key] = value
    return out


def main():
    try:
        if driver == "psycopg2":
            import psycopg2
            with psycopg2.connect(conninfo) as conn:
                cur = conn.cursor()
                cur.execute("select current_user")
                print("OK", cur.fetchone()[0])
        elif driver == "psycopg":
            import psycopg
            with psycopg.connect(conninfo) as conn:
                print("OK", conn.execute("select current_user").fetchone()[0])
        elif driver == "asyncpg":
            import asyncio
            import ssl
            import asyncpg
            p = parse(conninfo)

            async def run():
                ctx = False
                mode = p.get("sslmode", "disable")
                if mode != "disable":
                    ctx = ssl.create_default_context(cafile=p.get("sslrootcert"))
                    if mode == "require":
                        ctx.check_hostname = False
                        ctx.verify_mode = ssl.CERT_NONE
                    if "sslcert" in p:
                        ctx.load_cert_chain(p["sslcert"], p["sslkey"])
                conn = await asyncpg.connect(host=p["host"], port=int(p["port"]), user=p["user"],
                                             password=p.get("password"), database=p.get("dbname", "lakegate"), ssl=ctx)
                try:
                    print("OK", await conn.fetchval("select current_user"))
                finally:
                    await conn.close()
            asyncio.run(run())
        else:
            raise SystemExit("unknown driver " + driver)
    except Exception as e:  # every driver's error class carries the SQLSTATE differently
        code = getattr(e, "pgcode", None) or getattr(e, "sqlstate", None) or "-----"
        diag = getattr(e, "diag", None)
        if diag is not None and getattr(diag, "sqlstate", None):
            code = diag.sqlstate
        print("ERR", code, str(e).replace("\n", " "))


main()
