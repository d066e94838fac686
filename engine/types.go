package engine

import (
	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/jackc/pgx/v5/pgtype"
)

// Type is the PostgreSQL view of a result column's DuckDB type.
type Type struct {
	OID      uint32
	Size     int16 // pg_type.typlen: -1 for variable length
	Modifier int32 // pg_attribute.atttypmod: -1 when none
	// Elem is the element type of an array type; zero otherwise.
	Elem uint32
}

// Column describes one result column.
type Column struct {
	Name string
	Type Type
}

var (
	typeText        = Type{OID: pgtype.TextOID, Size: -1, Modifier: -1}
	typeBool        = Type{OID: pgtype.BoolOID, Size: 1, Modifier: -1}
	typeInt2        = Type{OID: pgtype.Int2OID, Size: 2, Modifier: -1}
	typeInt4        = Type{OID: pgtype.Int4OID, Size: 4, Modifier: -1}
	typeInt8        = Type{OID: pgtype.Int8OID, Size: 8, Modifier: -1}
	typeFloat4      = Type{OID: pgtype.Float4OID, Size: 4, Modifier: -1}
	typeFloat8      = Type{OID: pgtype.Float8OID, Size: 8, Modifier: -1}
	typeNumeric     = Type{OID: pgtype.NumericOID, Size: -1, Modifier: -1}
	typeBytea       = Type{OID: pgtype.ByteaOID, Size: -1, Modifier: -1}
	typeDate        = Type{OID: pgtype.DateOID, Size: 4, Modifier: -1}
	typeTime        = Type{OID: pgtype.TimeOID, Size: 8, Modifier: -1}
	typeTimetz      = Type{OID: pgtype.TimetzOID, Size: 12, Modifier: -1}
	typeTimestamp   = Type{OID: pgtype.TimestampOID, Size: 8, Modifier: -1}
	typeTimestamptz = Type{OID: pgtype.TimestamptzOID, Size: 8, Modifier: -1}
	typeInterval    = Type{OID: pgtype.IntervalOID, Size: 16, Modifier: -1}
	typeUUID        = Type{OID: pgtype.UUIDOID, Size: 16, Modifier: -1}
	typeJSON        = Type{OID: pgtype.JSONOID, Size: -1, Modifier: -1}
	typeOID         = Type{OID: pgtype.OIDOID, Size: 4, Modifier: -1}
	typeChar        = Type{OID: pgtype.QCharOID, Size: 1, Modifier: -1}
)

// arrayOIDs maps an element OID to its PostgreSQL array type OID.
var arrayOIDs = map[uint32]uint32{
	pgtype.BoolOID:        pgtype.BoolArrayOID,
	pgtype.Int2OID:        pgtype.Int2ArrayOID,
	pgtype.Int4OID:        pgtype.Int4ArrayOID,
	pgtype.Int8OID:        pgtype.Int8ArrayOID,
	pgtype.Float4OID:      pgtype.Float4ArrayOID,
	pgtype.Float8OID:      pgtype.Float8ArrayOID,
	pgtype.NumericOID:     pgtype.NumericArrayOID,
	pgtype.TextOID:        pgtype.TextArrayOID,
	pgtype.ByteaOID:       pgtype.ByteaArrayOID,
	pgtype.DateOID:        pgtype.DateArrayOID,
	pgtype.TimeOID:        pgtype.TimeArrayOID,
	pgtype.TimestampOID:   pgtype.TimestampArrayOID,
	pgtype.TimestamptzOID: pgtype.TimestamptzArrayOID,
	pgtype.IntervalOID:    pgtype.IntervalArrayOID,
	pgtype.UUIDOID:        pgtype.UUIDArrayOID,
	pgtype.JSONOID:        pgtype.JSONArrayOID,
	pgtype.OIDOID:         pgtype.OIDArrayOID,
	pgtype.QCharOID:       pgtype.QCharArrayOID,
}

// numericModifier is PostgreSQL's atttypmod for numeric(precision, scale).
func numericModifier(precision, scale int) int32 {
	return int32(precision<<16|scale) + 4
}

// pgType maps a DuckDB type to the PostgreSQL type lakegate reports for it.
// Integer types widen to the nearest PostgreSQL type that holds every value
// (utinyint→int2, uinteger→int8, ubigint/hugeint→numeric). Types PostgreSQL
// has no equivalent for (structs, maps, unions, nested lists) are sent as
// json text. A type DuckDB could not resolve while preparing (such as that
// of an untyped parameter) is reported as text, as PostgreSQL reports
// unknown. The layer's lakegate_oid and lakegate_char are oid and "char".
func pgType(s *Shape) Type {
	switch s.Kind {
	case KindBool:
		return typeBool
	case KindInt8, KindUint8, KindInt16:
		return typeInt2
	case KindUint16, KindInt32:
		return typeInt4
	case KindUint32, KindInt64:
		if s.OID {
			return typeOID
		}
		return typeInt8
	case KindUint64, KindHugeint, KindUhugeint:
		return typeNumeric
	case KindFloat32:
		return typeFloat4
	case KindFloat64:
		return typeFloat8
	case KindDecimal:
		t := typeNumeric
		t.Modifier = numericModifier(int(s.Width), int(s.Scale))
		return t
	case KindBlob:
		return typeBytea
	case KindDate:
		return typeDate
	case KindTime, KindTimeNS:
		return typeTime
	case KindTimeTZ:
		return typeTimetz
	case KindTimestamp:
		return typeTimestamp
	case KindTimestampTZ:
		return typeTimestamptz
	case KindInterval:
		return typeInterval
	case KindUUID:
		return typeUUID
	case KindList, KindArray:
		return listType(s)
	case KindStruct, KindMap, KindUnion:
		return typeJSON
	case KindVarchar:
		if s.JSON {
			return typeJSON
		}
		if s.Char {
			return typeChar
		}
		return typeText
	default: // ENUM, BIT, unresolved
		return typeText
	}
}

// listType maps a DuckDB LIST or fixed-size ARRAY to a one-dimensional
// PostgreSQL array when its elements are scalars PostgreSQL has an array
// type for, and to json otherwise (PostgreSQL arrays are rectangular, DuckDB
// lists of lists are not).
func listType(s *Shape) Type {
	elem := pgType(s.Child)
	arrayOID, ok := arrayOIDs[elem.OID]
	if !ok || elem.OID == pgtype.JSONOID {
		return typeJSON
	}
	return Type{OID: arrayOID, Size: -1, Modifier: elem.Modifier, Elem: elem.OID}
}

// paramOID is the PostgreSQL type reported in ParameterDescription for a
// parameter DuckDB inferred with logical type lt.
func paramOID(lt bindings.LogicalType) uint32 {
	if bindings.GetTypeId(lt) == bindings.TypeInvalid {
		return pgtype.TextOID
	}
	return pgType(newShape(lt)).OID
}
