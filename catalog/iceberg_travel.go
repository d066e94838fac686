package catalog

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Time travel: sources that read a table as of a past snapshot. The engine
// exposes them as schema."table@<snapshot-id>" and
// schema."table@<timestamp>". A pinned source reads the snapshot with the
// schema it was written with, and keeps reading the same snapshot across
// reloads until the snapshot expires.

// atSnapshot returns a source pinned to the snapshot with id snapshotID.
// Call its close when done with it, to unpin its delete files.
func (s *icebergSource) atSnapshot(ctx context.Context, snapshotID int64) (*icebergSource, error) {
	st, err := s.current()
	if err != nil {
		return nil, err
	}
	if st.meta.SnapshotByID(snapshotID) == nil {
		return nil, fmt.Errorf("iceberg table %s has no snapshot %d", s.name, snapshotID)
	}
	return s.pinned(ctx, st, snapshotID)
}

// asOf returns a source pinned to the snapshot that was the table's
// current one at t: the last committed at or before t, by the table's
// snapshot log (so a rollback is honoured).
func (s *icebergSource) asOf(ctx context.Context, t time.Time) (*icebergSource, error) {
	st, err := s.current()
	if err != nil {
		return nil, err
	}
	snap := st.tbl.SnapshotAsOf(t.UnixMilli(), true)
	if snap == nil {
		return nil, fmt.Errorf("iceberg table %s had no snapshot at %s", s.name, t.UTC().Format(time.RFC3339Nano))
	}
	return s.pinned(ctx, st, snap.SnapshotID)
}

func (s *icebergSource) pinned(ctx context.Context, st *icebergState, snapshotID int64) (*icebergSource, error) {
	p := &icebergSource{
		name:       s.name + "@" + strconv.FormatInt(snapshotID, 10),
		loc:        s.loc,
		stores:     s.stores,
		cache:      s.cache, // manifests are shared across snapshots
		logger:     s.logger.With("snapshot", snapshotID),
		snapshotID: snapshotID,
		footers:    newFooterMemo(),
		scratchDir: s.scratchDir,
	}
	pst, err := p.buildState(ctx, st.metaObj, st.meta, st.defaults, snapshotID, nil)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.state = pst
	p.mu.Unlock()
	return p, nil
}

// close unpins the delete files of the source's view. The source must not
// be used afterwards.
func (s *icebergSource) close() {
	s.mu.Lock()
	st := s.state
	s.state = nil
	s.mu.Unlock()
	if st != nil && st.view != nil {
		st.view.release()
	}
}
