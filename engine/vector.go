package engine

import (
	"math"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Chunk is one batch of result rows (up to DuckDB's vector size, 2048) in
// DuckDB's columnar layout. Its vectors point into memory DuckDB owns; they
// are valid until the portal fetches the next chunk or closes.
type Chunk struct {
	Len     int
	Columns []Vector
}

// Vector gives typed, allocation-free access to one column of a Chunk.
// Result chunks from DuckDB's C API are flat, so row i is element i.
//
// Reading DuckDB's C structs directly (rather than one cgo call per value,
// which is what the bindings offer for strings) is what lets a result
// stream at wire speed; the layouts read here are those of duckdb.h:
// duckdb_string_t, duckdb_hugeint, duckdb_interval, duckdb_list_entry,
// duckdb_time_tz and the uint64 validity mask.
type Vector struct {
	Shape    *Shape
	data     unsafe.Pointer
	validity *uint64 // nil when every row is valid
	child    *Vector
	fields   []Vector
}

type duckString struct {
	length uint32
	inline [12]byte // inlined bytes, or a 4-byte prefix followed by a pointer
}

type duckHugeint struct {
	lo uint64
	hi int64
}

type duckInterval struct {
	months int32
	days   int32
	micros int64
}

type duckListEntry struct {
	offset uint64
	length uint64
}

func newVector(v bindings.Vector, shape *Shape) Vector {
	vec := Vector{
		Shape:    shape,
		data:     bindings.VectorGetData(v),
		validity: (*uint64)(bindings.VectorGetValidity(v)),
	}
	switch shape.Kind {
	case KindList, KindMap:
		child := newVector(bindings.ListVectorGetChild(v), shape.Child)
		vec.child = &child
	case KindArray:
		child := newVector(bindings.ArrayVectorGetChild(v), shape.Child)
		vec.child = &child
	case KindStruct, KindUnion:
		vec.fields = make([]Vector, len(shape.Fields))
		for i, f := range shape.Fields {
			vec.fields[i] = newVector(bindings.StructVectorGetChild(v, bindings.IdxT(i)), f)
		}
	}
	return vec
}

func at[T any](p unsafe.Pointer, i int) *T {
	var zero T
	return (*T)(unsafe.Add(p, uintptr(i)*unsafe.Sizeof(zero)))
}

// IsNull reports whether row i is NULL.
func (v *Vector) IsNull(i int) bool {
	if v.validity == nil {
		return false
	}
	word := *at[uint64](unsafe.Pointer(v.validity), i>>6)
	return word&(1<<(uint(i)&63)) == 0
}

// Bool reads a BOOLEAN.
func (v *Vector) Bool(i int) bool { return *at[byte](v.data, i) != 0 }

// Int reads any integer kind that fits an int64 (all but UBIGINT and the
// 128-bit ones), and the stored code of an ENUM.
func (v *Vector) Int(i int) int64 {
	return readInt(v.data, v.Shape.Kind, i)
}

func readInt(p unsafe.Pointer, k Kind, i int) int64 {
	switch k {
	case KindInt8:
		return int64(*at[int8](p, i))
	case KindInt16:
		return int64(*at[int16](p, i))
	case KindInt32:
		return int64(*at[int32](p, i))
	case KindInt64:
		return *at[int64](p, i)
	case KindUint8:
		return int64(*at[uint8](p, i))
	case KindUint16:
		return int64(*at[uint16](p, i))
	case KindUint32:
		return int64(*at[uint32](p, i))
	}
	return 0
}

// Uint64 reads a UBIGINT.
func (v *Vector) Uint64(i int) uint64 { return *at[uint64](v.data, i) }

// Int128 reads a HUGEINT, UHUGEINT (hi is then to be read as uint64) or
// DECIMAL's unscaled value, as two's-complement halves.
func (v *Vector) Int128(i int) (hi int64, lo uint64) {
	if v.Shape.Kind == KindDecimal && v.Shape.storage != KindHugeint {
		n := readInt(v.data, v.Shape.storage, i)
		return n >> 63, uint64(n)
	}
	h := at[duckHugeint](v.data, i)
	return h.hi, h.lo
}

// Float32 reads a FLOAT.
func (v *Vector) Float32(i int) float32 { return *at[float32](v.data, i) }

// Float64 reads a DOUBLE.
func (v *Vector) Float64(i int) float64 { return *at[float64](v.data, i) }

// Bytes reads a VARCHAR, BLOB or BIT, or an ENUM's label. The slice points
// into DuckDB's memory: copy it to keep it past the chunk.
func (v *Vector) Bytes(i int) []byte {
	if v.Shape.Kind == KindEnum {
		code := readInt(v.data, v.Shape.storage, i)
		return unsafe.Slice(unsafe.StringData(v.Shape.EnumValues[code]), len(v.Shape.EnumValues[code]))
	}
	s := at[duckString](v.data, i)
	if s.length <= 12 {
		return s.inline[:s.length:s.length]
	}
	ptr := *(*unsafe.Pointer)(unsafe.Pointer(&s.inline[4]))
	return unsafe.Slice((*byte)(ptr), s.length)
}

// Infinite days and microseconds, as DuckDB stores infinity and -infinity
// for DATE and TIMESTAMP.
const (
	InfinityDays      = math.MaxInt32
	NegInfinityDays   = -math.MaxInt32
	InfinityMicros    = math.MaxInt64
	NegInfinityMicros = -math.MaxInt64
)

// Days reads a DATE as days since 1970-01-01.
func (v *Vector) Days(i int) int32 { return *at[int32](v.data, i) }

// Micros reads a TIME as microseconds since midnight, or a TIMESTAMP (of any
// unit) or TIMESTAMPTZ as microseconds since 1970-01-01 UTC. Infinities are
// kept as InfinityMicros and NegInfinityMicros.
func (v *Vector) Micros(i int) int64 {
	n := *at[int64](v.data, i)
	if n == math.MaxInt64 || n == -math.MaxInt64 {
		return n
	}
	if v.Shape.tsDivisor > 1 {
		return floorDiv(n, v.Shape.tsDivisor)
	}
	return n * v.Shape.tsFactor
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// TimeTZ reads a TIMETZ: microseconds since midnight and the zone's offset
// from UTC in seconds (east positive).
func (v *Vector) TimeTZ(i int) (micros int64, offsetSeconds int32) {
	bits := *at[uint64](v.data, i)
	const maxOffset = 16*60*60 - 1
	return int64(bits >> 24), int32(maxOffset - int64(bits&0xFFFFFF))
}

// Interval reads an INTERVAL.
func (v *Vector) Interval(i int) (months, days int32, micros int64) {
	iv := at[duckInterval](v.data, i)
	return iv.months, iv.days, iv.micros
}

// UUID reads a UUID as its 16 bytes in the usual order.
func (v *Vector) UUID(i int) [16]byte {
	h := at[duckHugeint](v.data, i)
	// DuckDB flips the top bit so that UUIDs sort as unsigned.
	hi := uint64(h.hi) ^ (1 << 63)
	var out [16]byte
	for b := 0; b < 8; b++ {
		out[b] = byte(hi >> (56 - 8*b))
		out[8+b] = byte(h.lo >> (56 - 8*b))
	}
	return out
}

// List returns where the elements of row i of a LIST, ARRAY or MAP are in
// Child().
func (v *Vector) List(i int) (offset, length int) {
	if v.Shape.Kind == KindArray {
		return i * v.Shape.ArraySize, v.Shape.ArraySize
	}
	e := at[duckListEntry](v.data, i)
	return int(e.offset), int(e.length)
}

// Child is the element vector of a LIST, ARRAY or MAP.
func (v *Vector) Child() *Vector { return v.child }

// Field is the j-th field of a STRUCT, or of a UNION (field 0 holds the tag).
func (v *Vector) Field(j int) *Vector { return &v.fields[j] }
