package server

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/sqlstate"
)

// decodeParams turns Bind parameter values into the Go values the engine
// binds. Text values stay strings, which DuckDB casts to each parameter's
// type exactly as it casts a string literal. Binary values are decoded by
// their type: the fixed-width ones to Go numbers, the rest through pgtype
// to the text form DuckDB then casts.
func decodeParams(oids []uint32, formatCodes []int16, values [][]byte) ([]any, error) {
	formats, err := expandFormats(formatCodes, len(values), "parameter")
	if err != nil {
		return nil, err
	}
	args := make([]any, len(values))
	var m *pgtype.Map
	for i, v := range values {
		if v == nil {
			continue
		}
		oid := uint32(0)
		if i < len(oids) {
			oid = oids[i]
		}
		if _, isArray := arrayParamElems[oid]; isArray {
			if m == nil {
				m = pgtype.NewMap()
			}
			list, err := decodeArrayParam(m, oid, formats[i], v)
			if err != nil {
				return nil, decodeArrayParamError(i, formats[i], v, err)
			}
			args[i] = list
			continue
		}
		if formats[i] == pgtype.TextFormatCode {
			if err := checkUTF8(v); err != nil {
				return nil, err
			}
			args[i] = string(v)
			continue
		}
		arg, err := decodeBinary(oid, v)
		if err == errNeedCodec {
			if m == nil {
				m = pgtype.NewMap()
			}
			arg, err = decodeWithCodec(m, oid, v)
		}
		if err != nil {
			return nil, sqlstate.Errorf(sqlstate.InvalidBinaryRepresentation,
				"incorrect binary data format in bind parameter %d", i+1).WithDetail(err.Error())
		}
		args[i] = arg
	}
	return args, nil
}

// expandFormats expands the format codes of a Bind message (for its
// parameters or its result columns) to one per value: none means all text,
// one applies to all, otherwise one each.
func expandFormats(codes []int16, n int, what string) ([]int16, error) {
	formats := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range formats {
			formats[i] = codes[0]
		}
	case n:
		copy(formats, codes)
	default:
		return nil, sqlstate.Errorf(sqlstate.ProtocolViolation, "bind message has %d %s formats but %d %ss", len(codes), what, n, what)
	}
	for _, f := range formats {
		if f != pgtype.TextFormatCode && f != pgtype.BinaryFormatCode {
			return nil, sqlstate.Errorf(sqlstate.ProtocolViolation, "unsupported format code: %d", f)
		}
	}
	return formats, nil
}

var errNeedCodec = fmt.Errorf("needs a pgtype codec")

// decodeBinary decodes the fixed-width and byte-string types directly.
func decodeBinary(oid uint32, v []byte) (any, error) {
	need := func(n int) error {
		if len(v) != n {
			return fmt.Errorf("expected %d bytes, got %d", n, len(v))
		}
		return nil
	}
	switch oid {
	case pgtype.BoolOID:
		if err := need(1); err != nil {
			return nil, err
		}
		return v[0] != 0, nil
	case pgtype.Int2OID:
		if err := need(2); err != nil {
			return nil, err
		}
		return int16(binary.BigEndian.Uint16(v)), nil
	case pgtype.Int4OID:
		if err := need(4); err != nil {
			return nil, err
		}
		return int32(binary.BigEndian.Uint32(v)), nil
	case pgtype.Int8OID:
		if err := need(8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(v)), nil
	case pgtype.OIDOID:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint32(v)), nil
	case pgtype.Float4OID:
		if err := need(4); err != nil {
			return nil, err
		}
		return math.Float32frombits(binary.BigEndian.Uint32(v)), nil
	case pgtype.Float8OID:
		if err := need(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(v)), nil
	case pgtype.ByteaOID:
		return append([]byte(nil), v...), nil
	case 0, pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID, pgtype.UnknownOID, pgtype.JSONOID:
		return string(v), nil
	}
	return nil, errNeedCodec
}

// decodeWithCodec decodes any other binary value with pgtype and returns
// its PostgreSQL text form.
func decodeWithCodec(m *pgtype.Map, oid uint32, v []byte) (any, error) {
	t, ok := m.TypeForOID(oid)
	if !ok {
		return nil, fmt.Errorf("binary format of type OID %d is not supported; send it as text", oid)
	}
	value, err := t.Codec.DecodeValue(m, oid, pgtype.BinaryFormatCode, v)
	if err != nil {
		return nil, err
	}
	switch x := value.(type) {
	case pgtype.Interval:
		// DuckDB reads this form; pgtype's text form ("1 mon") it does not.
		return fmt.Sprintf("%d months %d days %d microseconds", x.Months, x.Days, x.Microseconds), nil
	}
	text, err := m.Encode(oid, pgtype.TextFormatCode, value, nil)
	if err != nil {
		return nil, err
	}
	return string(text), nil
}
