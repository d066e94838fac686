package server

import (
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

// Result values are encoded straight from DuckDB's vectors into the
// DataRow buffer. The files encode_*.go split the work by format:
//
//	encode_text.go    PostgreSQL's output functions (ISO dates, intervals, numerics)
//	encode_float.go   float4out and float8out: shortest digits, PostgreSQL's way
//	encode_binary.go  PostgreSQL's send functions
//	encode_array.go   one-dimensional arrays, text and binary
//	encode_json.go    structs, maps, unions and nested lists as json
//
// An encoder is built once per column and per result and then called for
// every non-NULL value; it appends to buf and allocates nothing. Some
// encoders keep scratch space, so one is used by a single goroutine, as a
// portal's result is.

// Format codes of the protocol.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// columnEncoder appends the wire representation of row `row` of v (which is
// not NULL) to buf.
type columnEncoder func(buf []byte, v *engine.Vector, row int) []byte

// newColumnEncoder picks the encoder for a result column once per result;
// format is 0 (text) or 1 (binary).
//
// The announced type says what the client expects and the vector's Shape
// says how DuckDB stores the value; the Shape is only known once the first
// chunk arrives, so the choice is made then and kept for as long as chunks
// share that Shape (the engine computes it once per result).
func newColumnEncoder(col engine.Column, format int16) columnEncoder {
	var shape *engine.Shape
	var enc columnEncoder
	return func(buf []byte, v *engine.Vector, row int) []byte {
		if v.Shape != shape {
			shape = v.Shape
			enc = encoderFor(col.Type, shape, format)
		}
		return enc(buf, v, row)
	}
}

// encoderFor builds the encoder of values of shape s announced as type t.
func encoderFor(t engine.Type, s *engine.Shape, format int16) columnEncoder {
	if format == binaryFormat {
		if enc := binaryEncoder(t, s); enc != nil {
			return enc
		}
		// text, json and anything announced as a type the vector cannot be
		// sent as: PostgreSQL's binary form of text and json is the text.
	}
	return textEncoder(t, s)
}

// elementType is the announced type of an array's elements.
func elementType(t engine.Type) engine.Type {
	return engine.Type{OID: t.Elem, Size: -1, Modifier: t.Modifier}
}

// isArrayType reports whether t is one of the array types lakegate
// announces for DuckDB LIST and ARRAY columns of scalars.
func isArrayType(t engine.Type) bool {
	return t.Elem != 0 && t.OID != pgtype.JSONOID && t.OID != pgtype.TextOID
}
