package engine

import (
	"errors"
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/sqlstate"
)

// ArrayParam is an array parameter value (a PostgreSQL array), which Bind
// binds as a DuckDB LIST of the element type, so that `x = any($1)`,
// `$1::int[]` and list functions see a list and not the array's text. Elem
// is the PostgreSQL type of the elements; each of Values is nil (NULL), a
// string (the element's PostgreSQL text form, which DuckDB casts to the
// element type), []byte, bool, int16, int32, int64, float32, float64, or an
// ArrayParam: the next dimension of a multidimensional array, which becomes
// a LIST of LISTs.
type ArrayParam struct {
	Elem   uint32
	Values []any
}

// value builds the DuckDB LIST value. The caller destroys it.
func (l ArrayParam) value() (bindings.Value, error) {
	child := l.childType()
	defer bindings.DestroyLogicalType(&child)
	values := make([]bindings.Value, 0, len(l.Values))
	defer func() {
		for i := range values {
			bindings.DestroyValue(&values[i])
		}
	}()
	for _, a := range l.Values {
		v, err := arrayParamElement(a)
		if err != nil {
			return bindings.Value{}, err
		}
		values = append(values, v)
	}
	// DuckDB casts each element to the child type (text elements are
	// parsed there) and returns no value when one does not cast.
	list := bindings.CreateListValue(child, values)
	if list.Ptr == nil {
		return bindings.Value{}, sqlstate.Errorf(sqlstate.InvalidTextRepresentation,
			"an element of the array parameter is not a valid %s", elementTypeName(l.Elem))
	}
	return list, nil
}

func arrayParamElement(a any) (bindings.Value, error) {
	switch v := a.(type) {
	case nil:
		return bindings.CreateNullValue(), nil
	case string:
		return bindings.CreateVarchar(v), nil
	case []byte:
		return bindings.CreateBlob(v), nil
	case bool:
		return bindings.CreateBool(v), nil
	case int16:
		return bindings.CreateInt16(v), nil
	case int32:
		return bindings.CreateInt32(v), nil
	case int64:
		return bindings.CreateInt64(v), nil
	case float32:
		return bindings.CreateFloat(v), nil
	case float64:
		return bindings.CreateDouble(v), nil
	case ArrayParam:
		return v.value()
	}
	return bindings.Value{}, errors.New("unsupported array element")
}

// childType is the DuckDB type of the list's elements: the element type,
// or a list of it for each further dimension.
func (l ArrayParam) childType() bindings.LogicalType {
	for _, a := range l.Values {
		if inner, ok := a.(ArrayParam); ok {
			t := inner.childType()
			defer bindings.DestroyLogicalType(&t)
			return bindings.CreateListType(t)
		}
	}
	return arrayParamElemType(l.Elem, l.Values)
}

// arrayParamElemType maps a PostgreSQL element type to DuckDB's. numeric
// takes the smallest DECIMAL that holds every element exactly, and DOUBLE
// when none does (or for NaN and infinities). Types without a DuckDB
// counterpart stay VARCHAR.
func arrayParamElemType(oid uint32, values []any) bindings.LogicalType {
	t := bindings.TypeVarchar
	switch oid {
	case pgtype.BoolOID:
		t = bindings.TypeBoolean
	case pgtype.Int2OID:
		t = bindings.TypeSmallInt
	case pgtype.Int4OID:
		t = bindings.TypeInteger
	case pgtype.Int8OID:
		t = bindings.TypeBigInt
	case pgtype.OIDOID:
		t = bindings.TypeUInteger
	case pgtype.Float4OID:
		t = bindings.TypeFloat
	case pgtype.Float8OID:
		t = bindings.TypeDouble
	case pgtype.NumericOID:
		if width, scale, ok := arrayParamDecimal(values); ok {
			return bindings.CreateDecimalType(width, scale)
		}
		t = bindings.TypeDouble
	case pgtype.DateOID:
		t = bindings.TypeDate
	case pgtype.TimeOID:
		t = bindings.TypeTime
	case pgtype.TimestampOID:
		t = bindings.TypeTimestamp
	case pgtype.TimestamptzOID:
		t = bindings.TypeTimestampTZ
	case pgtype.IntervalOID:
		t = bindings.TypeInterval
	case pgtype.UUIDOID:
		t = bindings.TypeUUID
	case pgtype.ByteaOID:
		t = bindings.TypeBlob
	}
	return bindings.CreateLogicalType(t)
}

// arrayParamDecimal finds the DECIMAL(width, scale) that holds every
// numeric element (given in text form) exactly.
func arrayParamDecimal(values []any) (width, scale uint8, ok bool) {
	intDigits, fracDigits := 1, 0
	for _, a := range values {
		if a == nil {
			continue
		}
		s, isText := a.(string)
		if !isText {
			return 0, 0, false
		}
		s = strings.TrimLeft(s, "+-")
		whole, frac, _ := strings.Cut(s, ".")
		if (whole == "" && frac == "") || strings.Trim(whole+frac, "0123456789") != "" {
			return 0, 0, false // NaN, Infinity, exponents
		}
		intDigits = max(intDigits, len(strings.TrimLeft(whole, "0")))
		fracDigits = max(fracDigits, len(frac))
	}
	if intDigits+fracDigits > 38 {
		return 0, 0, false
	}
	return uint8(intDigits + fracDigits), uint8(fracDigits), true
}

// elementTypeName names an element type for messages.
func elementTypeName(oid uint32) string {
	if t, ok := pgtype.NewMap().TypeForOID(oid); ok {
		return t.Name
	}
	return "value"
}
