package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// encodeCase is one value: a DuckDB expression, the PostgreSQL expression
// of the same value, and PostgreSQL's text output and binary send output
// (hex) for it. The table is in encode_cases_test.go.
type encodeCase struct {
	name, duck, pg string
	text, binary   string
}

// encodeWriter runs the encoders over every row it receives, the way the
// row writer does, and keeps copies of the encoded values (nil for NULL).
type encodeWriter struct {
	encoders []columnEncoder
	buf      []byte
	rows     [][][]byte
	// inChunk, if set, is called with every chunk while it is valid.
	inChunk func(c *engine.Chunk, from, to int)
}

func (w *encodeWriter) WriteRows(c *engine.Chunk, from, to int) error {
	if w.inChunk != nil {
		w.inChunk(c, from, to)
	}
	for r := from; r < to; r++ {
		row := make([][]byte, len(w.encoders))
		for i, enc := range w.encoders {
			v := &c.Columns[i]
			if v.IsNull(r) {
				continue
			}
			w.buf = enc(w.buf[:0], v, r)
			row[i] = append([]byte{}, w.buf...)
		}
		w.rows = append(w.rows, row)
	}
	return nil
}

func (w *encodeWriter) WriteNotice(*sqlstate.Error) error { return nil }

func newEncodeSession(t testing.TB) *engine.Session {
	t.Helper()
	e, err := engine.Open(context.Background(), engine.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession("u", "db")
	t.Cleanup(func() {
		s.Close()
		e.Close()
	})
	return s
}

// encodeQuery runs sql and encodes its rows in the given format.
func encodeQuery(t testing.TB, s *engine.Session, sql string, args []any, format int16, inChunk func(*engine.Chunk, int, int)) ([]engine.Column, [][][]byte) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Prepare(ctx, sql, nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	w := &encodeWriter{inChunk: inChunk}
	for _, col := range st.Columns() {
		w.encoders = append(w.encoders, newColumnEncoder(col, format))
	}
	p, err := s.Bind(st, args)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer p.Close()
	if _, err := p.Execute(ctx, w, 0); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return st.Columns(), w.rows
}

// encodeValue encodes the single value SELECT expr returns.
func encodeValue(t testing.TB, s *engine.Session, expr string, format int16) (engine.Column, []byte) {
	t.Helper()
	cols, rows := encodeQuery(t, s, "SELECT "+expr, nil, format, nil)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("SELECT %s: %d rows", expr, len(rows))
	}
	return cols[0], rows[0][0]
}

func TestEncodeText(t *testing.T) {
	s := newEncodeSession(t)
	for _, c := range encodeCases {
		_, got := encodeValue(t, s, c.duck, textFormat)
		if string(got) != c.text {
			t.Errorf("%s: SELECT %s\n got %q\nwant %q", c.name, c.duck, got, c.text)
		}
	}
}

func TestEncodeBinary(t *testing.T) {
	s := newEncodeSession(t)
	for _, c := range encodeCases {
		_, got := encodeValue(t, s, c.duck, binaryFormat)
		if hex.EncodeToString(got) != c.binary {
			t.Errorf("%s: SELECT %s\n got %x\nwant %s", c.name, c.duck, got, c.binary)
		}
	}
}

// TestEncodeMatchesPostgres checks the expectations of encodeCases, and the
// type each column is announced as, against a running PostgreSQL. It runs
// only when LAKEGATE_TEST_POSTGRES holds a psql connection string, e.g.
// "host=/tmp/pg port=5432 user=postgres".
func TestEncodeMatchesPostgres(t *testing.T) {
	conninfo := os.Getenv("LAKEGATE_TEST_POSTGRES")
	if conninfo == "" {
		t.Skip("LAKEGATE_TEST_POSTGRES not set")
	}
	psql := func(sql string) string {
		out, err := exec.Command("psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql).Output()
		if err != nil {
			t.Fatalf("psql %s: %v", sql, err)
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	for _, set := range []string{"DateStyle", "TimeZone", "IntervalStyle", "extra_float_digits", "bytea_output"} {
		t.Logf("PostgreSQL %s = %s", set, psql("SHOW "+set))
	}
	s := newEncodeSession(t)
	for _, c := range encodeCases {
		if got := psql("SELECT " + c.pg); got != c.text {
			t.Errorf("%s: PostgreSQL prints %q, table has %q", c.name, got, c.text)
		}
		send := psql("SELECT typsend FROM pg_type WHERE oid = pg_typeof(" + c.pg + ")")
		if got := psql("SELECT encode(" + send + "(" + c.pg + "), 'hex')"); got != c.binary {
			t.Errorf("%s: PostgreSQL sends %s, table has %s", c.name, got, c.binary)
		}
		col, _ := encodeValue(t, s, c.duck, textFormat)
		if oid := psql("SELECT pg_typeof(" + c.pg + ")::oid"); oid != strconv.Itoa(int(col.Type.OID)) {
			t.Errorf("%s: PostgreSQL type %s, lakegate announces %d", c.name, oid, col.Type.OID)
		}
	}
}

// An untyped parameter is announced as text, while DuckDB executes it with
// the type of the value bound: the value is then sent as text in both
// formats.
func TestEncodeUntypedParameterAsText(t *testing.T) {
	s := newEncodeSession(t)
	for _, c := range []struct {
		arg  any
		want string
	}{
		{"x y", "x y"},
		{int64(-42), "-42"},
		{int32(7), "7"},
		{1.5, "1.5"},
		{float32(0.1), "0.1"},
		{true, "t"},
	} {
		for _, format := range []int16{textFormat, binaryFormat} {
			cols, rows := encodeQuery(t, s, "SELECT $1", []any{c.arg}, format, nil)
			if cols[0].Type.OID != pgtype.TextOID {
				t.Fatalf("SELECT $1 announced as %d", cols[0].Type.OID)
			}
			if got := string(rows[0][0]); got != c.want {
				t.Errorf("SELECT $1 with %T %v, format %d: got %q, want %q", c.arg, c.arg, format, got, c.want)
			}
		}
	}
}

// Rows of several values and NULLs go through one encoder per column: the
// encoder must neither keep state between values nor depend on the row
// being the first.
func TestEncodeManyRows(t *testing.T) {
	s := newEncodeSession(t)
	_, rows := encodeQuery(t, s, `SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::INTEGER AS a,
		CASE WHEN i % 2 = 0 THEN ['a b', NULL] ELSE ['c'] END AS l,
		{'i': i, 's': CASE WHEN i % 2 = 0 THEN 'x"' END} AS st,
		(i * 1000000)::DECIMAL(20, 3) AS d
		FROM range(5000) t(i) ORDER BY i`, nil, textFormat, nil)
	if len(rows) != 5000 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, row := range rows {
		want := []string{strconv.Itoa(i), `{"a b",NULL}`, `{"i":` + strconv.Itoa(i) + `,"s":"x\""}`, strconv.Itoa(i*1000000) + ".000"}
		if i%3 == 0 {
			want[0] = ""
		}
		if i%2 != 0 {
			want[1] = "{c}"
			want[2] = `{"i":` + strconv.Itoa(i) + `,"s":null}`
		}
		for j := range want {
			if string(row[j]) != want[j] || (want[j] == "" && row[j] != nil) {
				t.Fatalf("row %d column %d: got %q, want %q", i, j, row[j], want[j])
			}
		}
	}
}

// The hot path must not allocate per value; nor do arrays and json.
func TestEncodeScalarsDoNotAllocate(t *testing.T) {
	s := newEncodeSession(t)
	sql := `SELECT i::INTEGER, i::BIGINT, i::SMALLINT, i * 0.37::DOUBLE, (i * 0.37)::REAL,
		'value number ' || i, DATE '2024-01-01' + i::INTEGER, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND,
		TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) MILLISECOND, i % 2 = 0, TIME '01:02:03' + INTERVAL (i) MICROSECOND,
		INTERVAL (i) HOUR, gen_random_uuid(), ('\x01' || i)::BLOB, (i / 7)::DECIMAL(10, 2),
		(i + 1) * 1.37e20::DOUBLE, (i * 7919)::REAL * 65536, 1e-300 / (i + 1), ['a b', 'c' || i, NULL],
		{'k': i, 'v': 'x' || i}, (i % 700 * 1.37)::DECIMAL(4, 1), (i * 12345.6789)::DECIMAL(38, 10),
		i::HUGEINT * 100000000000000000000, i::UBIGINT * 1000000007
		FROM range(2048) t(i)`
	for _, format := range []int16{textFormat, binaryFormat} {
		encodeQuery(t, s, sql, nil, format, func(c *engine.Chunk, from, to int) {
			for i := range c.Columns {
				v := &c.Columns[i]
				enc := newColumnEncoder(engine.Column{Type: announcedType(v.Shape.Kind)}, format)
				buf := make([]byte, 0, 64)
				allocs := testing.AllocsPerRun(5, func() {
					for r := from; r < to; r++ {
						buf = enc(buf[:0], v, r)
					}
				})
				if allocs != 0 {
					t.Errorf("format %d column %d (kind %d): %v allocations per chunk", format, i, v.Shape.Kind, allocs)
				}
			}
		})
	}
}

// announcedType is the PostgreSQL type the engine announces for scalar
// kinds, for tests that build encoders without a statement.
func announcedType(k engine.Kind) engine.Type {
	oid := map[engine.Kind]uint32{
		engine.KindBool: pgtype.BoolOID, engine.KindInt16: pgtype.Int2OID, engine.KindInt32: pgtype.Int4OID,
		engine.KindInt64: pgtype.Int8OID, engine.KindFloat32: pgtype.Float4OID, engine.KindFloat64: pgtype.Float8OID,
		engine.KindVarchar: pgtype.TextOID, engine.KindBlob: pgtype.ByteaOID, engine.KindDate: pgtype.DateOID,
		engine.KindTime: pgtype.TimeOID, engine.KindTimestamp: pgtype.TimestampOID,
		engine.KindTimestampTZ: pgtype.TimestamptzOID, engine.KindInterval: pgtype.IntervalOID,
		engine.KindUUID: pgtype.UUIDOID, engine.KindDecimal: pgtype.NumericOID,
		engine.KindHugeint: pgtype.NumericOID, engine.KindUint64: pgtype.NumericOID,
		engine.KindList: pgtype.TextArrayOID, engine.KindStruct: pgtype.JSONOID,
	}[k]
	t := engine.Type{OID: oid, Size: -1, Modifier: -1}
	if k == engine.KindList {
		t.Elem = pgtype.TextOID
	}
	return t
}

// Floats beyond the table: every output must read back as the same value
// and use fixed notation exactly when PostgreSQL does.
func TestEncodeFloatShortestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		f := math.Float64frombits(rng.Uint64())
		checkFloatText(t, f, 64)
		checkFloatText(t, float64(math.Float32frombits(rng.Uint32())), 32)
		checkFloatText(t, math.Round(f*1e6)/1e6, 64) // short decimals
	}
}

func checkFloatText(t *testing.T, f float64, bitSize int) {
	t.Helper()
	if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
		return
	}
	out := appendFloat(nil, f, bitSize)
	back, err := strconv.ParseFloat(string(out), bitSize)
	if err != nil || back != f {
		t.Fatalf("%v (bits %d) printed as %s, reads back as %v", f, bitSize, out, back)
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Log10 can be off by one at powers of ten; the digits decide.
	e := strconv.FormatFloat(f, 'e', -1, bitSize)
	exp, _ = strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	maxFixed := map[int]int{32: 6, 64: 15}[bitSize]
	fixed := !bytes.ContainsRune(out, 'e')
	if fixed != (exp >= -4 && exp < maxFixed) {
		t.Fatalf("%v (bits %d) printed as %s with decimal exponent %d", f, bitSize, out, exp)
	}
}
