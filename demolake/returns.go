package demolake

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// demo.returns is the lake's Iceberg table: one row per returned sale line
// (the rows of demo.sales with is_return), with the reason it came back.
// Its history has three snapshots, so that time travel has something to
// show:
//
//  1. append: the returns of January to June;
//  2. append: the returns of July to December;
//  3. delete: the returns keyed in by mistake (reason 'entered in error'),
//     as merge-on-read positional delete files.
//
// It is partitioned by month(returned_at), so a filter on returned_at
// prunes files as hive partitions do for demo.sales.
//
// iceberg-go names files, snapshots and the table with random UUIDs and
// stamps commits with the clock, with no option to fix the snapshot ids,
// file names or times: the rows are a pure function of the sales rows,
// the table's file names and metadata differ between generations (each
// generation is a new table, with its own history).

const (
	returnsDir = "returns"
	// voidedReason marks the returns that the third snapshot deletes.
	voidedReason = "entered in error"
	// returnsSplit is where the first append ends and the second begins.
	returnsSplit = "2024-07-01"
)

func returnsSchema() *iceberg.Schema {
	return iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "return_id", Type: iceberg.PrimitiveTypes.Int64, Required: true},
		iceberg.NestedField{ID: 2, Name: "sale_id", Type: iceberg.PrimitiveTypes.Int64, Required: true},
		iceberg.NestedField{ID: 3, Name: "returned_at", Type: iceberg.PrimitiveTypes.Timestamp, Required: true},
		iceberg.NestedField{ID: 4, Name: "store_id", Type: iceberg.PrimitiveTypes.Int32, Required: true},
		iceberg.NestedField{ID: 5, Name: "product_id", Type: iceberg.PrimitiveTypes.Int32, Required: true},
		iceberg.NestedField{ID: 6, Name: "quantity", Type: iceberg.PrimitiveTypes.Int32, Required: true},
		iceberg.NestedField{ID: 7, Name: "refund", Type: iceberg.DecimalTypeOf(12, 2), Required: true},
		iceberg.NestedField{ID: 8, Name: "reason", Type: iceberg.PrimitiveTypes.String, Required: true},
		iceberg.NestedField{ID: 9, Name: "restocked", Type: iceberg.PrimitiveTypes.Bool, Required: true},
	)
}

// returnsQuery derives the returns from the sales table of the generation
// connection, in return_id order, with the columns of returnsSchema
// (timestamps as microseconds, refunds as cents). The return line of a
// sale is the refund at the till: its time, store, units and total are
// the return's.
const returnsQuery = `
	WITH r AS (
		SELECT *, draw(sale_id, 30) AS r_reason, draw(sale_id, 31) AS r_restock
		FROM sales
		WHERE is_return
	),
	reasoned AS (
		SELECT *,
			CASE WHEN r_reason < 0.26 THEN 'wrong size'
			     WHEN r_reason < 0.46 THEN 'defective'
			     WHEN r_reason < 0.63 THEN 'not as described'
			     WHEN r_reason < 0.79 THEN 'changed mind'
			     WHEN r_reason < 0.90 THEN 'damaged'
			     WHEN r_reason < 0.97 THEN 'better price elsewhere'
			     ELSE '` + voidedReason + `' END AS reason
		FROM r
	)
	SELECT
		row_number() OVER (ORDER BY sale_id)::BIGINT AS return_id,
		sale_id,
		epoch_us(sold_at) AS returned_at,
		store_id,
		product_id,
		(-quantity)::INTEGER AS quantity,
		(-total * 100)::BIGINT AS refund_cents,
		reason,
		reason NOT IN ('defective', 'damaged') AND r_restock < 0.9 AS restocked
	FROM reasoned
	ORDER BY sale_id`

// writeReturns writes demo.returns into tmp, the lake being generated,
// with the paths it will have once the lake is installed at final.
func writeReturns(ctx context.Context, conn *sql.Conn, tmp, final string) error {
	schema := returnsSchema()
	spec := iceberg.NewPartitionSpec(iceberg.PartitionField{
		SourceIDs: []int{3}, FieldID: 1000, Name: "returned_at_month", Transform: iceberg.MonthTransform{},
	})
	location := fileURI(filepath.Join(final, returnsDir))
	meta, err := table.NewMetadata(schema, &spec, table.UnsortedSortOrder, location, iceberg.Properties{
		table.PropertyFormatVersion: "2",
		table.WriteDeleteModeKey:    table.WriteModeMergeOnRead,
	})
	if err != nil {
		return fmt.Errorf("returns: %w", err)
	}
	tbl, err := createIcebergTable(relocatedFS{final: final, tmp: tmp}, returnsDir, meta)
	if err != nil {
		return fmt.Errorf("returns: %w", err)
	}

	halves, err := returnsBatches(ctx, conn, schema)
	if err != nil {
		return fmt.Errorf("returns: %w", err)
	}
	defer func() {
		for _, b := range halves {
			b.Release()
		}
	}()
	for _, batch := range halves {
		tx := tbl.NewTransaction()
		// One batch per append: iceberg-go then writes one file per month.
		rdr, err := array.NewRecordReader(batch.Schema(), []arrow.RecordBatch{batch})
		if err != nil {
			return fmt.Errorf("returns: %w", err)
		}
		err = tx.Append(ctx, rdr, nil)
		rdr.Release()
		if err != nil {
			return fmt.Errorf("returns: append: %w", err)
		}
		if tbl, err = tx.Commit(ctx); err != nil {
			return fmt.Errorf("returns: commit append: %w", err)
		}
	}
	tx := tbl.NewTransaction()
	if err := tx.Delete(ctx, iceberg.EqualTo(iceberg.Reference("reason"), voidedReason), nil); err != nil {
		return fmt.Errorf("returns: delete: %w", err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("returns: commit delete: %w", err)
	}
	return nil
}

// returnsBatches reads the returns into two Arrow batches: before
// returnsSplit and from it on.
func returnsBatches(ctx context.Context, conn *sql.Conn, schema *iceberg.Schema) (_ []arrow.RecordBatch, err error) {
	sc, err := table.SchemaToArrowSchema(schema, nil, true, false)
	if err != nil {
		return nil, err
	}
	split, err := time.Parse(time.DateOnly, returnsSplit)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, returnsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	var batches []arrow.RecordBatch
	defer func() {
		if err != nil {
			for _, batch := range batches {
				batch.Release()
			}
		}
	}()
	for rows.Next() {
		var (
			returnID, saleID, returnedAt, refundCents int64
			storeID, productID, quantity              int32
			reason                                    string
			restocked                                 bool
		)
		if err := rows.Scan(&returnID, &saleID, &returnedAt, &storeID, &productID, &quantity, &refundCents, &reason, &restocked); err != nil {
			return nil, err
		}
		if len(batches) == 0 && returnedAt >= split.UnixMicro() {
			batches = append(batches, b.NewRecordBatch())
		}
		b.Field(0).(*array.Int64Builder).Append(returnID)
		b.Field(1).(*array.Int64Builder).Append(saleID)
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(returnedAt))
		b.Field(3).(*array.Int32Builder).Append(storeID)
		b.Field(4).(*array.Int32Builder).Append(productID)
		b.Field(5).(*array.Int32Builder).Append(quantity)
		b.Field(6).(*array.Decimal128Builder).Append(decimal128.FromI64(refundCents))
		b.Field(7).(*array.StringBuilder).Append(reason)
		b.Field(8).(*array.BooleanBuilder).Append(restocked)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	batches = append(batches, b.NewRecordBatch())
	if len(batches) != 2 || batches[0].NumRows() == 0 || batches[1].NumRows() == 0 {
		return nil, fmt.Errorf("returns on both sides of %s expected", returnsSplit)
	}
	return batches, nil
}
