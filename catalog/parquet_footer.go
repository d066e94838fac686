package catalog

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// footerGuess is how much of a file's end is read first; most footers fit,
// so one request usually suffices.
const footerGuess = 64 << 10

// footerStats is what a Parquet footer tells the index about one file.
type footerStats struct {
	rows    int64
	columns map[string]ColumnStats // by top-level column name
}

// readFooter reads a Parquet file's footer and folds its row-group
// statistics into one ColumnStats per top-level primitive column.
func readFooter(ctx context.Context, store objectStore, obj ObjectInfo) (footerStats, error) {
	md, err := readFooterMetadata(ctx, store, obj)
	if err != nil {
		return footerStats{}, err
	}
	return foldStats(md), nil
}

// readFooterMetadata reads and decodes a Parquet file's footer, in one
// request when it fits in footerGuess bytes, else two. It reads from the
// end (a negative offset), so the object's size need not be known.
func readFooterMetadata(ctx context.Context, store objectStore, obj ObjectInfo) (*metadata.FileMetaData, error) {
	tail, err := store.readRange(ctx, obj.Location, -footerGuess, footerGuess)
	if err != nil {
		return nil, err
	}
	if len(tail) < 12 || string(tail[len(tail)-4:]) != "PAR1" {
		return nil, fmt.Errorf("%s: not a Parquet file (no PAR1 trailer)", obj.Location)
	}
	size := int64(binary.LittleEndian.Uint32(tail[len(tail)-8:]))
	if obj.Size > 0 && size+8 > obj.Size {
		return nil, fmt.Errorf("%s: corrupt Parquet footer length %d", obj.Location, size)
	}
	footer := tail
	if size+8 <= int64(len(tail)) {
		footer = tail[int64(len(tail))-8-size : len(tail)-8]
	} else if footer, err = store.readRange(ctx, obj.Location, -(size + 8), size); err != nil {
		return nil, err
	}
	md, err := metadata.NewFileMetaData(footer, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the Parquet footer: %w", obj.Location, err)
	}
	return md, nil
}

// foldStats combines row-group statistics: a column's bounds are known
// only if every row group has them.
func foldStats(md *metadata.FileMetaData) footerStats {
	fs := footerStats{rows: md.NumRows, columns: map[string]ColumnStats{}}
	sc := md.Schema
	for c := 0; c < sc.NumColumns(); c++ {
		col := sc.Column(c)
		if len(col.ColumnPath()) != 1 {
			continue // nested: not a pruning column
		}
		st := ColumnStats{Nulls: 0, HasBounds: true}
		for g := 0; g < md.NumRowGroups(); g++ {
			rg := md.RowGroup(g)
			if rg.NumRows() == 0 {
				continue
			}
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				st = UnknownStats
				break
			}
			ok, _ := cc.StatsSet()
			var s metadata.TypedStatistics
			if ok {
				s, _ = cc.Statistics()
			}
			if s == nil {
				st = UnknownStats
				break
			}
			st = mergeStats(st, s, col)
		}
		fs.columns[col.Name()] = st
	}
	return fs
}

func mergeStats(acc ColumnStats, s metadata.TypedStatistics, col *schema.Column) ColumnStats {
	if acc.Nulls >= 0 {
		if s.HasNullCount() {
			acc.Nulls += s.NullCount()
		} else {
			acc.Nulls = -1
		}
	}
	if !acc.HasBounds {
		return acc
	}
	if !s.HasMinMax() {
		acc.HasBounds = false
		return acc
	}
	lo, ok1 := statValue(s, col, true)
	hi, ok2 := statValue(s, col, false)
	if !ok1 || !ok2 {
		acc.HasBounds = false
		return acc
	}
	if acc.Min.Kind == KindUnknown {
		acc.Min, acc.Max = lo, hi
		return acc
	}
	if c, ok := Compare(lo, acc.Min); ok && c < 0 {
		acc.Min = lo
	} else if !ok {
		acc.HasBounds = false
	}
	if c, ok := Compare(hi, acc.Max); ok && c > 0 {
		acc.Max = hi
	} else if !ok {
		acc.HasBounds = false
	}
	return acc
}

// statValue converts a row group's min or max to a Value, following the
// column's logical type. Types pruning does not compare give ok=false.
func statValue(s metadata.TypedStatistics, col *schema.Column, wantMin bool) (Value, bool) {
	lt := col.LogicalType()
	pick := func(lo, hi any) any {
		if wantMin {
			return lo
		}
		return hi
	}
	var raw any
	switch t := s.(type) {
	case *metadata.BooleanStatistics:
		raw = pick(t.Min(), t.Max())
	case *metadata.Int32Statistics:
		raw = int64(pick(t.Min(), t.Max()).(int32))
	case *metadata.Int64Statistics:
		raw = pick(t.Min(), t.Max())
	case *metadata.Float32Statistics:
		raw = float64(pick(t.Min(), t.Max()).(float32))
	case *metadata.Float64Statistics:
		raw = pick(t.Min(), t.Max())
	case *metadata.ByteArrayStatistics:
		raw = []byte(pick(t.Min(), t.Max()).(parquet.ByteArray))
	case *metadata.FixedLenByteArrayStatistics:
		raw = []byte(pick(t.Min(), t.Max()).(parquet.FixedLenByteArray))
	default:
		return Value{}, false
	}
	switch lt := lt.(type) {
	case schema.DateLogicalType:
		if i, ok := raw.(int64); ok {
			return DateFromDays(i), true
		}
	case schema.TimestampLogicalType:
		if i, ok := raw.(int64); ok {
			return timestampValue(i, lt.TimeUnit())
		}
	case schema.DecimalLogicalType:
		return decimalValue(raw, lt.Scale())
	case schema.StringLogicalType, schema.EnumLogicalType, schema.JSONLogicalType:
		if b, ok := raw.([]byte); ok {
			return String(string(b)), true
		}
	case schema.IntLogicalType:
		if i, ok := raw.(int64); ok {
			if !lt.IsSigned() && lt.BitWidth() == 64 && i < 0 {
				return Value{}, false // uint64 above MaxInt64
			}
			if !lt.IsSigned() && lt.BitWidth() == 32 {
				return Int(int64(uint32(i))), true
			}
			return Int(i), true
		}
	case schema.NoLogicalType, schema.NullLogicalType, nil:
		switch v := raw.(type) {
		case bool:
			return Bool(v), true
		case int64:
			return Int(v), true
		case float64:
			if math.IsNaN(v) {
				return Value{}, false
			}
			return Float(v), true
		}
	}
	return Value{}, false
}

func timestampValue(v int64, unit schema.TimeUnitType) (Value, bool) {
	switch unit {
	case schema.TimeUnitMillis:
		return Value{Kind: KindTimestamp, Int: v * 1000}, true
	case schema.TimeUnitMicros:
		return Value{Kind: KindTimestamp, Int: v}, true
	case schema.TimeUnitNanos:
		return Value{Kind: KindTimestamp, Int: time.Unix(0, v).UnixMicro()}, true
	}
	return Value{}, false
}

// decimalValue converts a scaled decimal to float64. The conversion is
// monotone, which keeps pruning sound (see Compare).
func decimalValue(raw any, scale int32) (Value, bool) {
	var unscaled *big.Int
	switch v := raw.(type) {
	case int64:
		unscaled = big.NewInt(v)
	case []byte:
		if len(v) == 0 {
			return Value{}, false
		}
		unscaled = new(big.Int).SetBytes(v)
		if v[0]&0x80 != 0 { // two's complement
			unscaled.Sub(unscaled, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
		}
	default:
		return Value{}, false
	}
	r := new(big.Rat).SetFrac(unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	f, _ := r.Float64()
	return Float(f), true
}
