package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time travel: schema."table@<snapshot-id>" and
// schema."table@<timestamp>" name an Iceberg table as of a past snapshot.
// Quoted, such a name is an ordinary identifier, so it works from psql,
// BI tools' custom SQL and every driver without new syntax. Each pinned
// table is made once and kept: a snapshot never changes.

// pinnedTimeout bounds the metadata reads of pinning a table, which run
// outside any query's context.
const pinnedTimeout = time.Minute

// pinnedTable returns t as of at (a snapshot id, or a timestamp/date read
// as UTC). A snapshot that does not exist gives a table whose Err says
// so, for the query to report.
func (c *Catalog) pinnedTable(t *Table, at string) *Table {
	key := strings.ToLower(t.Schema + "." + t.Name + "@" + at)
	c.pinnedMu.Lock()
	defer c.pinnedMu.Unlock()
	if p, ok := c.pinned[key]; ok {
		return p
	}
	p := &Table{Schema: t.Schema, Name: t.Name + "@" + at, Format: t.Format, Location: t.Location, Description: t.Description, store: t.store}
	src, err := pin(t, at)
	if err == nil {
		p.src = src
		ctx, cancel := context.WithTimeout(context.Background(), pinnedTimeout)
		err = p.load(ctx)
		cancel()
	}
	if err != nil {
		p.err = fmt.Errorf("%s.%s: %w", t.Schema, p.Name, err)
		p.src = nil
		return p // not kept: the snapshot may appear after a refresh
	}
	if c.pinned == nil {
		c.pinned = map[string]*Table{}
	}
	c.pinned[key] = p
	return p
}

func pin(t *Table, at string) (source, error) {
	ice, ok := t.src.(*icebergSource)
	if !ok {
		return nil, fmt.Errorf("only Iceberg tables have snapshots to travel to (%s.%s is %s)", t.Schema, t.Name, t.Format)
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pinnedTimeout)
	defer cancel()
	if id, err := strconv.ParseInt(at, 10, 64); err == nil {
		return ice.atSnapshot(ctx, id)
	}
	v, ok := String(at).CoerceTo(KindTimestamp)
	if !ok {
		return nil, fmt.Errorf("%q is neither a snapshot id nor a timestamp (use table@<snapshot-id> or table@2024-01-02 03:04:05)", at)
	}
	return ice.asOf(ctx, time.UnixMicro(v.Int))
}
