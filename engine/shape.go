package engine

import (
	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Kind says how the values of a column are laid out in a DuckDB vector and
// therefore which Vector accessor reads them.
type Kind uint8

// The kinds of DuckDB vectors lakegate reads.
const (
	KindInvalid     Kind = iota
	KindBool             // Bool
	KindInt8             // Int
	KindInt16            // Int
	KindInt32            // Int
	KindInt64            // Int
	KindUint8            // Int
	KindUint16           // Int
	KindUint32           // Int
	KindUint64           // Uint64
	KindHugeint          // Int128
	KindUhugeint         // Int128 (hi read as unsigned)
	KindFloat32          // Float32
	KindFloat64          // Float64
	KindDecimal          // Int128 with Shape.Scale
	KindVarchar          // Bytes
	KindBlob             // Bytes
	KindBit              // Bytes (DuckDB's bit-string encoding)
	KindEnum             // Bytes (the dictionary entry)
	KindDate             // Days
	KindTime             // Micros since midnight
	KindTimeNS           // Micros since midnight (rounded down from ns)
	KindTimeTZ           // TimeTZ
	KindTimestamp        // Micros since 1970 (from s, ms, us or ns)
	KindTimestampTZ      // Micros since 1970, UTC
	KindInterval         // Interval
	KindUUID             // UUID
	KindList             // List + Child
	KindArray            // List + Child
	KindStruct           // Field
	KindMap              // List + Child (a struct of key and value)
	KindUnion            // Field(0) is the tag, Field(1+tag) the value
)

// Shape is what lakegate knows of a result column's DuckDB type: computed
// once per result from its logical type, shared by every chunk.
type Shape struct {
	Kind Kind
	// Scale of a DECIMAL; Width is its precision.
	Scale, Width uint8
	// storage is the physical kind a DECIMAL or ENUM is stored as, and the
	// unit of a timestamp or time (1 for microseconds).
	storage   Kind
	tsDivisor int64 // for nanosecond storage
	tsFactor  int64 // for second/millisecond storage
	// JSON marks a VARCHAR that is DuckDB's JSON type.
	JSON bool
	// OID marks a UINTEGER of the layer's lakegate_oid type and Char a
	// VARCHAR of its lakegate_char type: PostgreSQL's oid and "char"
	// (compat_wiretypes.go).
	OID, Char bool
	// EnumValues is an ENUM's dictionary.
	EnumValues []string
	// Child is the element shape of a LIST, ARRAY or MAP (a STRUCT of key
	// and value).
	Child *Shape
	// ArraySize is the fixed length of an ARRAY.
	ArraySize int
	// Fields and FieldNames describe a STRUCT or the members of a UNION
	// (FieldNames[0] is "" for the union tag).
	Fields     []*Shape
	FieldNames []string
}

// newShape derives the Shape of a logical type. It does not take ownership
// of lt.
func newShape(lt bindings.LogicalType) *Shape {
	s := &Shape{tsFactor: 1, tsDivisor: 1}
	switch bindings.GetTypeId(lt) {
	case bindings.TypeBoolean:
		s.Kind = KindBool
	case bindings.TypeTinyInt:
		s.Kind = KindInt8
	case bindings.TypeSmallInt:
		s.Kind = KindInt16
	case bindings.TypeInteger:
		s.Kind = KindInt32
	case bindings.TypeBigInt:
		s.Kind = KindInt64
	case bindings.TypeUTinyInt:
		s.Kind = KindUint8
	case bindings.TypeUSmallInt:
		s.Kind = KindUint16
	case bindings.TypeUInteger:
		s.Kind = KindUint32
		s.OID = bindings.LogicalTypeGetAlias(lt) == oidTypeAlias
	case bindings.TypeUBigInt:
		s.Kind = KindUint64
	case bindings.TypeHugeInt:
		s.Kind = KindHugeint
	case bindings.TypeUHugeInt:
		s.Kind = KindUhugeint
	case bindings.TypeFloat:
		s.Kind = KindFloat32
	case bindings.TypeDouble:
		s.Kind = KindFloat64
	case bindings.TypeDecimal:
		s.Kind = KindDecimal
		s.Width = bindings.DecimalWidth(lt)
		s.Scale = bindings.DecimalScale(lt)
		s.storage = primitiveKind(bindings.DecimalInternalType(lt))
	case bindings.TypeVarchar:
		s.Kind = KindVarchar
		alias := bindings.LogicalTypeGetAlias(lt)
		s.JSON = alias == "JSON"
		s.Char = alias == charTypeAlias
	case bindings.TypeBlob:
		s.Kind = KindBlob
	case bindings.TypeBit:
		s.Kind = KindBit
	case bindings.TypeEnum:
		s.Kind = KindEnum
		s.storage = primitiveKind(bindings.EnumInternalType(lt))
		n := bindings.EnumDictionarySize(lt)
		s.EnumValues = make([]string, n)
		for i := range n {
			s.EnumValues[i] = bindings.EnumDictionaryValue(lt, bindings.IdxT(i))
		}
	case bindings.TypeDate:
		s.Kind = KindDate
	case bindings.TypeTime:
		s.Kind = KindTime
	case bindings.TypeTimeNS:
		s.Kind, s.tsDivisor = KindTimeNS, 1000
	case bindings.TypeTimeTZ:
		s.Kind = KindTimeTZ
	case bindings.TypeTimestamp:
		s.Kind = KindTimestamp
	case bindings.TypeTimestampS:
		s.Kind, s.tsFactor = KindTimestamp, 1_000_000
	case bindings.TypeTimestampMS:
		s.Kind, s.tsFactor = KindTimestamp, 1_000
	case bindings.TypeTimestampNS:
		s.Kind, s.tsDivisor = KindTimestamp, 1_000
	case bindings.TypeTimestampTZ:
		s.Kind = KindTimestampTZ
	case bindings.TypeInterval:
		s.Kind = KindInterval
	case bindings.TypeUUID:
		s.Kind = KindUUID
	case bindings.TypeList:
		s.Kind = KindList
		s.Child = childShape(bindings.ListTypeChildType(lt))
	case bindings.TypeArray:
		s.Kind = KindArray
		s.Child = childShape(bindings.ArrayTypeChildType(lt))
		s.ArraySize = int(bindings.ArrayTypeArraySize(lt))
	case bindings.TypeMap:
		// A MAP vector is a LIST vector of STRUCT(key, value).
		s.Kind = KindMap
		key := childShape(bindings.MapTypeKeyType(lt))
		value := childShape(bindings.MapTypeValueType(lt))
		s.Child = &Shape{Kind: KindStruct, Fields: []*Shape{key, value}, FieldNames: []string{"key", "value"}}
	case bindings.TypeStruct:
		s.Kind = KindStruct
		n := bindings.StructTypeChildCount(lt)
		for i := range n {
			s.FieldNames = append(s.FieldNames, bindings.StructTypeChildName(lt, i))
			s.Fields = append(s.Fields, childShape(bindings.StructTypeChildType(lt, i)))
		}
	case bindings.TypeUnion:
		s.Kind = KindUnion
		s.FieldNames = []string{""}
		s.Fields = []*Shape{{Kind: KindUint8}}
		n := bindings.UnionTypeMemberCount(lt)
		for i := range n {
			s.FieldNames = append(s.FieldNames, bindings.UnionTypeMemberName(lt, i))
			s.Fields = append(s.Fields, childShape(bindings.UnionTypeMemberType(lt, i)))
		}
	default:
		s.Kind = KindInvalid
	}
	return s
}

// childShape derives a shape from a logical type it then destroys.
func childShape(lt bindings.LogicalType) *Shape {
	defer bindings.DestroyLogicalType(&lt)
	return newShape(lt)
}

func primitiveKind(t bindings.Type) Kind {
	switch t {
	case bindings.TypeSmallInt:
		return KindInt16
	case bindings.TypeInteger:
		return KindInt32
	case bindings.TypeBigInt:
		return KindInt64
	case bindings.TypeHugeInt:
		return KindHugeint
	case bindings.TypeUTinyInt:
		return KindUint8
	case bindings.TypeUSmallInt:
		return KindUint16
	case bindings.TypeUInteger:
		return KindUint32
	}
	return KindInvalid
}
