package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"sync"
)

// cancelRegistry maps the process IDs handed out in BackendKeyData to the
// sessions a CancelRequest may interrupt.
type cancelRegistry struct {
	mu      sync.Mutex
	nextPID uint32
	entries map[uint32]cancelEntry
}

type cancelEntry struct {
	secret [4]byte
	cancel func()
}

// register returns a new process ID and a random secret key for a session.
func (r *cancelRegistry) register(cancel func()) (pid uint32, secret [4]byte) {
	if _, err := rand.Read(secret[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries == nil {
		r.entries = map[uint32]cancelEntry{}
		var seed [4]byte
		rand.Read(seed[:])
		r.nextPID = binary.BigEndian.Uint32(seed[:])%1_000_000 + 1000
	}
	for {
		r.nextPID++
		if _, taken := r.entries[r.nextPID]; !taken && r.nextPID != 0 {
			break
		}
	}
	r.entries[r.nextPID] = cancelEntry{secret: secret, cancel: cancel}
	return r.nextPID, secret
}

func (r *cancelRegistry) unregister(pid uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.entries, pid)
}

// cancel runs the cancel function of pid if key matches its secret. A
// wrong key does nothing and, as in PostgreSQL, the requester learns
// nothing either way.
func (r *cancelRegistry) cancel(pid uint32, key []byte) {
	r.mu.Lock()
	e, ok := r.entries[pid]
	r.mu.Unlock()
	if ok && subtle.ConstantTimeCompare(e.secret[:], key) == 1 {
		e.cancel()
	}
}
