// JdbcChecks runs pgjdbc against a lakegate server and prints one JSON line
// per check: {"check": name, "ok": bool, "detail": text}. It is run by
// test/clients_test.go (TestClients/pgjdbc), which compares each outcome with
// the table there; a check throws to fail and returns a detail to pass.
//
// Usage: java -cp postgresql.jar:<classes> JdbcChecks host port user
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import org.postgresql.PGStatement;
import org.postgresql.jdbc.PgResultSet;

public class JdbcChecks {
    interface Body {
        String run(Connection conn) throws Exception;
    }

    static String url;
    static String user;

    public static void main(String[] args) throws Exception {
        url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/lakegate?sslmode=disable&connectTimeout=10&socketTimeout=60";
        user = args[2];

        check("connect", new Properties(), JdbcChecks::connect);
        check("getObject.types", new Properties(), JdbcChecks::getObjectTypes);
        check("getObject.lake", new Properties(), JdbcChecks::getObjectLake);
        check("getObject.more_types", new Properties(), JdbcChecks::getObjectMoreTypes);
        check("getObject.interval_uuid", new Properties(), JdbcChecks::getObjectLookedUp);
        check("getObject.array", new Properties(), JdbcChecks::getObjectArray);
        Properties threshold = new Properties();
        threshold.setProperty("prepareThreshold", "3");
        check("prepared.threshold", threshold, JdbcChecks::preparedThreshold);
        check("parameters.setArray", new Properties(), JdbcChecks::setArray);
        check("fetchSize.portal", new Properties(), JdbcChecks::fetchSize);
        check("metadata.getCatalogs", new Properties(), JdbcChecks::getCatalogs);
        check("metadata.getSchemas", new Properties(), JdbcChecks::getSchemas);
        check("metadata.getTables", new Properties(), JdbcChecks::getTables);
        check("metadata.getColumns", new Properties(), JdbcChecks::getColumns);
        check("metadata.getPrimaryKeys", new Properties(), JdbcChecks::getPrimaryKeys);
        check("metadata.getImportedKeys", new Properties(), JdbcChecks::getImportedKeys);
        check("metadata.getIndexInfo", new Properties(), JdbcChecks::getIndexInfo);
        check("metadata.getTypeInfo", new Properties(), JdbcChecks::getTypeInfo);
        check("metadata.getFunctions", new Properties(), JdbcChecks::getFunctions);
        check("error.sqlstate", new Properties(), JdbcChecks::errorState);
    }

    static void check(String name, Properties props, Body body) {
        boolean ok;
        String detail;
        props.setProperty("user", user);
        try (Connection conn = DriverManager.getConnection(url, props)) {
            detail = body.run(conn);
            ok = true;
        } catch (Throwable e) {
            ok = false;
            detail = describe(e);
        }
        System.out.println("{\"check\":" + json(name) + ",\"ok\":" + ok + ",\"detail\":" + json(detail) + "}");
        System.out.flush();
    }

    static String describe(Throwable e) {
        String msg = e.getMessage();
        if (msg == null) {
            msg = "";
        }
        // pgjdbc puts the server's multi-line error (with Position/Where)
        // in the message; the first line is what a person reads.
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        if (msg.length() > 300) {
            msg = msg.substring(0, 300) + "...";
        }
        return e.getClass().getSimpleName() + ": " + msg;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    static void expect(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    static void expectEqual(Object got, Object want, String what) {
        if (got == null ? want != null : !got.equals(want)) {
            throw new AssertionError(what + ": got " + got + ", want " + want);
        }
    }

    static String connect(Connection conn) throws Exception {
        DatabaseMetaData md = conn.getMetaData();
        expectEqual(md.getDatabaseProductName(), "PostgreSQL", "product name");
        expect(md.getDatabaseMajorVersion() >= 12, "server major version " + md.getDatabaseMajorVersion() + " (pgjdbc enables features by it)");
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
            expect(rs.next() && rs.getInt(1) == 1, "select 1");
        }
        return "server " + md.getDatabaseProductVersion();
    }

    // Every type a lake column has, as literals whose values are known.
    static String getObjectTypes(Connection conn) throws Exception {
        String sql = "select 9223372036854775807::int8 as i8, 2147483647::int4 as i4, (-32768)::int2 as i2,"
                + " 12345678.90::numeric(10,2) as num, 1.5::float8 as f8, 'héllo'::varchar as vc, 'text'::text as tx,"
                + " true as b, date '2024-02-29' as d, timestamp '2024-03-01 12:34:56.789012' as ts,"
                + " timestamptz '2024-03-01 12:34:56.789012+00' as tstz, null::int4 as nul";
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            expect(rs.next(), "one row");
            expectClass(rs, "i8", Long.class, 9223372036854775807L);
            expectClass(rs, "i4", Integer.class, 2147483647);
            expectClass(rs, "i2", Integer.class, -32768);
            expectClass(rs, "num", BigDecimal.class, new BigDecimal("12345678.90"));
            expectClass(rs, "f8", Double.class, 1.5);
            expectClass(rs, "vc", String.class, "héllo");
            expectClass(rs, "tx", String.class, "text");
            expectClass(rs, "b", Boolean.class, true);
            expectClass(rs, "d", java.sql.Date.class, java.sql.Date.valueOf("2024-02-29"));
            expectClass(rs, "ts", java.sql.Timestamp.class, java.sql.Timestamp.valueOf("2024-03-01 12:34:56.789012"));
            Object tstz = rs.getObject("tstz");
            expect(tstz instanceof java.sql.Timestamp, "tstz is " + className(tstz));
            expectEqual(((java.sql.Timestamp) tstz).toInstant(), java.time.Instant.parse("2024-03-01T12:34:56.789012Z"), "tstz");
            expectEqual(rs.getObject("tstz", java.time.OffsetDateTime.class).toInstant(), java.time.Instant.parse("2024-03-01T12:34:56.789012Z"), "tstz as OffsetDateTime");
            expectEqual(rs.getObject("d", LocalDate.class), LocalDate.of(2024, 2, 29), "date as LocalDate");
            expect(rs.getObject("nul") == null && rs.wasNull(), "null");
            ResultSetMetaData md = rs.getMetaData();
            // DuckDB has one string type: varchar and text results may
            // both be either.
            String[] names = {"int8", "int4", "int2", "numeric", "float8", "varchar|text", "varchar|text", "bool", "date", "timestamp", "timestamptz", "int4"};
            for (int i = 0; i < names.length; i++) {
                String got = md.getColumnTypeName(i + 1);
                expect(Arrays.asList(names[i].split("\\|")).contains(got), "type name of column " + md.getColumnName(i + 1) + ": got " + got + ", want " + names[i]);
            }
        }
        return "Long Integer Integer BigDecimal Double String String Boolean Date Timestamp Timestamp null";
    }

    static void expectClass(ResultSet rs, String col, Class<?> cls, Object want) throws Exception {
        Object v = rs.getObject(col);
        expect(cls.isInstance(v), col + " is " + className(v) + ", want " + cls.getSimpleName());
        expectEqual(v, want, col);
    }

    static String className(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }

    // Every column of every demo table, by class.
    static String getObjectLake(Connection conn) throws Exception {
        Map<String, String> want = new LinkedHashMap<>();
        want.put("demo.sales", "sale_id=Long sale_date=Date sold_at=Timestamp settled_at=Timestamp store_id=Integer product_id=Integer customer_id=Long quantity=Integer unit_price=BigDecimal discount=Double total=BigDecimal channel=String is_return=Boolean note=String");
        want.put("demo.stores", "store_id=Integer name=String city=String region=String opened_on=Date");
        want.put("demo.products", "product_id=Integer name=String category=String list_price=BigDecimal");
        want.put("demo.returns", "return_id=Long sale_id=Long returned_at=Timestamp store_id=Integer product_id=Integer quantity=Integer refund=BigDecimal reason=String restocked=Boolean");
        StringBuilder detail = new StringBuilder();
        for (Map.Entry<String, String> e : want.entrySet()) {
            String table = e.getKey();
            // Rows where every nullable column has a value.
            String where = table.equals("demo.sales") ? " where discount is not null and note is not null and customer_id is not null and settled_at is not null" : "";
            List<String> got = new ArrayList<>();
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select * from " + table + where + " limit 1")) {
                expect(rs.next(), table + " has a row");
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    expect(v != null, table + "." + md.getColumnName(i) + " is null");
                    got.add(md.getColumnName(i) + "=" + v.getClass().getSimpleName());
                }
            }
            List<String> sortedGot = new ArrayList<>(new TreeSet<>(got));
            List<String> sortedWant = new ArrayList<>(new TreeSet<>(Arrays.asList(e.getValue().split(" "))));
            expectEqual(sortedGot, sortedWant, table);
            detail.append(table).append(": ").append(String.join(" ", got)).append("; ");
        }
        return detail.toString().trim();
    }

    static String getObjectMoreTypes(Connection conn) throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select 1.5::float4 as f4, 'abc'::bytea as by, time '12:34:56' as tm")) {
            expect(rs.next(), "one row");
            expectClass(rs, "f4", Float.class, 1.5f);
            Object by = rs.getObject("by");
            expect(by instanceof byte[], "bytea is " + className(by));
            expect(Arrays.equals((byte[]) by, new byte[] {'a', 'b', 'c'}), "bytea value " + Arrays.toString((byte[]) by));
            expectClass(rs, "tm", java.sql.Time.class, java.sql.Time.valueOf("12:34:56"));
        }
        return "Float byte[] Time";
    }

    // interval and uuid are not in pgjdbc's built-in type table: getObject
    // looks them up in pg_type first.
    static String getObjectLookedUp(Connection conn) throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select interval '1 day 02:03:04' as iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as id")) {
            expect(rs.next(), "one row");
            Object iv = rs.getObject("iv");
            expect(iv instanceof org.postgresql.util.PGInterval, "interval is " + className(iv));
            org.postgresql.util.PGInterval pgi = (org.postgresql.util.PGInterval) iv;
            expect(pgi.getDays() == 1 && pgi.getHours() == 2 && pgi.getMinutes() == 3 && (int) pgi.getSeconds() == 4, "interval value " + iv);
            expectClass(rs, "id", java.util.UUID.class, java.util.UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        }
        return "PGInterval UUID";
    }

    static String getObjectArray(Connection conn) throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select ARRAY[1,2,3]::int4[] as ints, ARRAY['a','b']::text[] as texts")) {
            expect(rs.next(), "one row");
            Object v = rs.getObject("ints");
            expect(v instanceof Array, "int4[] is " + className(v));
            Object ints = ((Array) v).getArray();
            expect(ints instanceof Integer[], "int4[] elements are " + className(ints));
            expectEqual(Arrays.asList((Integer[]) ints), Arrays.asList(1, 2, 3), "int4[]");
            Object texts = rs.getArray("texts").getArray();
            expect(texts instanceof String[], "text[] elements are " + className(texts));
            expectEqual(Arrays.asList((String[]) texts), Arrays.asList("a", "b"), "text[]");
            expectEqual(rs.getMetaData().getColumnTypeName(1), "_int4", "type name");
        }
        return "Array of Integer[], String[]";
    }

    // A PreparedStatement executed past prepareThreshold=3: from the third
    // execution pgjdbc uses a named server statement, and once it has one
    // it asks for binary results. Every execution must give the same rows.
    // setArray sends an int4[] and a text[] parameter (in text form:
    // pgjdbc writes arrays as {...}), used with = any(?): the same count
    // as the literals.
    static String setArray(Connection conn) throws Exception {
        long want;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from demo.sales where sale_date = date '2024-03-01'"
                     + " and store_id in (1, 2, 3) and channel in ('web', 'store')")) {
            rs.next();
            want = rs.getLong(1);
        }
        expect(want > 0, "no rows");
        try (PreparedStatement ps = conn.prepareStatement("select count(*) from demo.sales where sale_date = ?"
                + " and store_id = any(?) and channel = any(?)")) {
            ps.setObject(1, LocalDate.of(2024, 3, 1));
            ps.setArray(2, conn.createArrayOf("int4", new Integer[] {1, 2, 3}));
            ps.setArray(3, conn.createArrayOf("text", new String[] {"web", "store"}));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                expectEqual(rs.getLong(1), want, "count");
            }
        }
        return want + " rows, as with literals";
    }

    static String preparedThreshold(Connection conn) throws Exception {
        String sql = "select sale_id, sale_date, sold_at, settled_at, store_id, quantity, unit_price, discount, total, is_return, note"
                + " from demo.sales where sale_date = ? and store_id = ? order by sale_id limit 20";
        List<String> first = null;
        int formats = 0;
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            PGStatement pg = ps.unwrap(PGStatement.class);
            expectEqual(pg.getPrepareThreshold(), 3, "prepareThreshold");
            for (int run = 1; run <= 6; run++) {
                ps.setObject(1, LocalDate.of(2024, 3, 1));
                ps.setInt(2, 5);
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder b = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            Object v = rs.getObject(i);
                            b.append(v instanceof java.sql.Timestamp ? ((java.sql.Timestamp) v).toInstant() : v).append('|');
                        }
                        rows.add(b.toString());
                    }
                    if (run == 6) {
                        formats = binaryColumns(rs);
                    }
                }
                expect(!rows.isEmpty(), "run " + run + " returned no rows");
                if (first == null) {
                    first = rows;
                } else {
                    expectEqual(rows, first, "rows of run " + run);
                }
            }
            expect(pg.isUseServerPrepare(), "a named server statement after the threshold");
        }
        // int8, date, timestamp, timestamptz, int4, int2, numeric, float8 and
        // total's numeric are binary in pgjdbc's default set.
        expect(formats >= 8, "binary result columns on the last run: " + formats + ", want at least 8");
        return first.size() + " rows, identical on 6 runs; named statement; " + formats + " of 11 columns binary";
    }

    static int binaryColumns(ResultSet rs) throws Exception {
        Field f = PgResultSet.class.getDeclaredField("fields");
        f.setAccessible(true);
        org.postgresql.core.Field[] fields = (org.postgresql.core.Field[]) f.get(rs.unwrap(PgResultSet.class));
        int n = 0;
        for (org.postgresql.core.Field field : fields) {
            if (field.getFormat() == org.postgresql.core.Field.BINARY_FORMAT) {
                n++;
            }
        }
        return n;
    }

    // setFetchSize with autocommit off: pgjdbc runs the query in a named
    // portal and fetches 100 rows per Execute. The batch pgjdbc holds
    // (PgResultSet.rows) shows whether the server honoured the row limit.
    static String fetchSize(Connection conn) throws Exception {
        long wantCount;
        long wantSum;
        String where = " from demo.sales where sale_date = date '2024-03-01'";
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select count(*), sum(sale_id)" + where)) {
            rs.next();
            wantCount = rs.getLong(1);
            wantSum = rs.getLong(2);
        }
        conn.setAutoCommit(false);
        long count = 0;
        long sum = 0;
        long last = -1;
        int largestBatch = 0;
        try (PreparedStatement ps = conn.prepareStatement("select sale_id" + where + " order by sale_id")) {
            ps.setFetchSize(100);
            try (ResultSet rs = ps.executeQuery()) {
                Field rowsField = PgResultSet.class.getDeclaredField("rows");
                rowsField.setAccessible(true);
                PgResultSet pgrs = rs.unwrap(PgResultSet.class);
                while (rs.next()) {
                    List<?> batch = (List<?>) rowsField.get(pgrs);
                    largestBatch = Math.max(largestBatch, batch.size());
                    long id = rs.getLong(1);
                    expect(id > last, "sale_id " + id + " after " + last);
                    last = id;
                    count++;
                    sum += id;
                }
            }
        } finally {
            conn.rollback();
        }
        expectEqual(count, wantCount, "rows");
        expectEqual(sum, wantSum, "sum of sale_id");
        expect(largestBatch <= 100, "a batch of " + largestBatch + " rows with fetch size 100: the portal's row limit was not honoured");
        return count + " rows in batches of at most " + largestBatch;
    }

    static List<String> column(ResultSet rs, String name) throws Exception {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(name));
            }
        }
        return out;
    }

    static String getCatalogs(Connection conn) throws Exception {
        List<String> cats = column(conn.getMetaData().getCatalogs(), "TABLE_CAT");
        expect(cats.contains("lakegate"), "catalogs " + cats + " lack lakegate");
        return "catalogs " + cats;
    }

    static String getSchemas(Connection conn) throws Exception {
        List<String> schemas = column(conn.getMetaData().getSchemas(), "TABLE_SCHEM");
        for (String s : new String[] {"demo", "pg_catalog", "information_schema", "public"}) {
            expect(schemas.contains(s), "schemas " + schemas + " lack " + s);
        }
        return "schemas " + schemas;
    }

    static String getTables(Connection conn) throws Exception {
        Map<String, String> got = new LinkedHashMap<>();
        try (ResultSet rs = conn.getMetaData().getTables(null, "demo", "%", null)) {
            while (rs.next()) {
                got.put(rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"));
            }
        }
        for (String t : new String[] {"sales", "stores", "products", "returns"}) {
            expect(got.containsKey(t), "demo tables " + got + " lack " + t);
            String type = got.get(t);
            expect("TABLE".equals(type) || "VIEW".equals(type), t + " has TABLE_TYPE " + type);
        }
        return "demo: " + got;
    }

    static String getColumns(Connection conn) throws Exception {
        // name -> java.sql.Types, TYPE_NAME, COLUMN_SIZE, DECIMAL_DIGITS
        Object[][] want = {
            {"sale_id", Types.BIGINT, "int8", 19, 0},
            {"sale_date", Types.DATE, "date", 13, 0},
            {"sold_at", Types.TIMESTAMP, "timestamp", 29, 6},
            {"settled_at", Types.TIMESTAMP, "timestamptz", 35, 6},
            {"store_id", Types.INTEGER, "int4", 10, 0},
            {"product_id", Types.INTEGER, "int4", 10, 0},
            {"customer_id", Types.BIGINT, "int8", 19, 0},
            {"quantity", Types.SMALLINT, "int2", 5, 0},
            {"unit_price", Types.NUMERIC, "numeric", 10, 2},
            {"discount", Types.DOUBLE, "float8", 17, 17},
            {"total", Types.NUMERIC, "numeric", 12, 2},
            // DuckDB has one string type, shown as varchar or text.
            {"channel", Types.VARCHAR, "varchar|text", null, 0},
            {"is_return", Types.BIT, "bool", 1, 0},
            {"note", Types.VARCHAR, "varchar|text", null, 0},
        };
        Map<String, Object[]> got = new LinkedHashMap<>();
        try (ResultSet rs = conn.getMetaData().getColumns(null, "demo", "sales", "%")) {
            while (rs.next()) {
                got.put(rs.getString("COLUMN_NAME"), new Object[] {rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME"), rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS")});
            }
        }
        expectEqual(new TreeSet<>(got.keySet()), new TreeSet<>(Arrays.stream(want).map(w -> (String) w[0]).toList()), "columns of demo.sales");
        List<String> wrong = new ArrayList<>();
        for (Object[] w : want) {
            Object[] g = got.get(w[0]);
            // An unbounded varchar's size is whatever the driver picks.
            boolean same = g[1].equals(w[1]) && Arrays.asList(((String) w[2]).split("\\|")).contains(g[2]) && (w[3] == null || g[3].equals(w[3])) && g[4].equals(w[4]);
            if (!same) {
                wrong.add(Arrays.toString(g) + " want " + Arrays.toString(w));
            }
        }
        expect(wrong.isEmpty(), String.join("; ", wrong));
        return got.size() + " columns with their java.sql.Types, type names, sizes and digits";
    }

    static String getPrimaryKeys(Connection conn) throws Exception {
        List<String> keys = column(conn.getMetaData().getPrimaryKeys(null, "demo", "sales"), "COLUMN_NAME");
        expect(keys.isEmpty(), "primary key " + keys + " on a lake table");
        return "none (lake tables have no keys)";
    }

    // DBeaver reads keys and indexes when a table is opened.
    static String getImportedKeys(Connection conn) throws Exception {
        List<String> keys = column(conn.getMetaData().getImportedKeys(null, "demo", "sales"), "FKCOLUMN_NAME");
        expect(keys.isEmpty(), "foreign keys " + keys + " on a lake table");
        return "none (lake tables have no keys)";
    }

    static String getIndexInfo(Connection conn) throws Exception {
        List<String> idx = column(conn.getMetaData().getIndexInfo(null, "demo", "sales", false, true), "INDEX_NAME");
        expect(idx.isEmpty(), "indexes " + idx + " on a lake table");
        return "none (lake tables have no indexes)";
    }

    static String getTypeInfo(Connection conn) throws Exception {
        Map<String, Integer> got = new LinkedHashMap<>();
        try (ResultSet rs = conn.getMetaData().getTypeInfo()) {
            while (rs.next()) {
                got.put(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"));
            }
        }
        Object[][] want = {
            {"int2", Types.SMALLINT}, {"int4", Types.INTEGER}, {"int8", Types.BIGINT}, {"numeric", Types.NUMERIC},
            {"float4", Types.REAL}, {"float8", Types.DOUBLE}, {"bool", Types.BIT}, {"varchar", Types.VARCHAR},
            {"text", Types.VARCHAR}, {"date", Types.DATE}, {"timestamp", Types.TIMESTAMP}, {"timestamptz", Types.TIMESTAMP},
            {"bytea", Types.BINARY}, {"_int4", Types.ARRAY},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] w : want) {
            if (!w[1].equals(got.get((String) w[0]))) {
                wrong.add(w[0] + "=" + got.get((String) w[0]) + " want " + w[1]);
            }
        }
        expect(wrong.isEmpty(), got.size() + " types; " + String.join(", ", wrong));
        return got.size() + " types, the lake's with the right java.sql.Types";
    }

    static String getFunctions(Connection conn) throws Exception {
        int n = 0;
        try (ResultSet rs = conn.getMetaData().getFunctions(null, "pg_catalog", "%")) {
            while (rs.next()) {
                expect(rs.getString("FUNCTION_NAME") != null, "a function without a name");
                n++;
            }
        }
        return n + " functions in pg_catalog";
    }

    static String errorState(Connection conn) throws Exception {
        try (Statement st = conn.createStatement()) {
            try {
                st.executeQuery("select * from demo.no_such_table");
                throw new AssertionError("no error");
            } catch (java.sql.SQLException e) {
                expectEqual(e.getSQLState(), "42P01", "SQLSTATE");
            }
            try (ResultSet rs = st.executeQuery("select count(*) from demo.stores")) {
                expect(rs.next() && rs.getLong(1) == 50, "demo.stores has 50 rows after the error");
            }
        }
        return "42P01, and the connection goes on";
    }
}
