package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Bucket and meta key names. The layout is:
//
//	objects: key string            -> record (createRev, modRev, value)
//	events:  8-byte big-endian rev -> logged event (type, createRev, key, [prev,] value)
//	meta:    "rev"                 -> last assigned revision
//	         "compacted"           -> events at or below this revision are gone
//
// Revisions are dense (every successful write takes the next one and logs
// exactly one event), so the events bucket always holds compacted+1..rev.
var (
	bucketObjects = []byte("objects")
	bucketEvents  = []byte("events")
	bucketMeta    = []byte("meta")
	metaRev       = []byte("rev")
	metaCompacted = []byte("compacted")
	metaFormat    = []byte("format")
)

// formatVersion guards against opening a file written by an incompatible
// layout; bump it when the encodings below change. Version 2 added the
// replaced value to Modified events; Open upgrades a version 1 file in
// place, since its events decode as before (without it).
const formatVersion = 2

// eventHasPrev marks, in a logged event's type byte, an event that carries
// the value it replaced.
const eventHasPrev = 0x80

var errCorrupt = errors.New("bolt store: corrupt record")

func encodeRev(rev int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(rev))
	return b
}

func decodeRev(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: revision is %d bytes, want 8", errCorrupt, len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// record is an object as stored in the objects bucket.
type record struct {
	createRev, modRev int64
	value             []byte
}

func encodeRecord(r record) []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64+len(r.value))
	b = binary.AppendUvarint(b, uint64(r.createRev))
	b = binary.AppendUvarint(b, uint64(r.modRev))
	return append(b, r.value...)
}

// decodeRecord copies the value out, because bbolt's bytes are only valid
// inside their transaction.
func decodeRecord(b []byte) (record, error) {
	var r record
	var err error
	if r.createRev, b, err = readUvarint(b); err != nil {
		return r, err
	}
	if r.modRev, b, err = readUvarint(b); err != nil {
		return r, err
	}
	r.value = append([]byte{}, b...)
	return r, nil
}

// loggedEvent is one entry of the events bucket; its revision is the bucket key.
type loggedEvent struct {
	typ       store.EventType
	createRev int64
	key       string
	// prev is the value a Modified event replaced; nil otherwise.
	prev  []byte
	value []byte
}

func encodeEvent(e loggedEvent) []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+len(e.key)+len(e.prev)+len(e.value))
	typ := byte(e.typ)
	if e.prev != nil {
		typ |= eventHasPrev
	}
	b = append(b, typ)
	b = binary.AppendUvarint(b, uint64(e.createRev))
	b = binary.AppendUvarint(b, uint64(len(e.key)))
	b = append(b, e.key...)
	if e.prev != nil {
		b = binary.AppendUvarint(b, uint64(len(e.prev)))
		b = append(b, e.prev...)
	}
	return append(b, e.value...)
}

func decodeEvent(b []byte) (loggedEvent, error) {
	var e loggedEvent
	if len(b) < 1 {
		return e, fmt.Errorf("%w: empty event", errCorrupt)
	}
	hasPrev := b[0]&eventHasPrev != 0
	e.typ = store.EventType(b[0] &^ eventHasPrev)
	if e.typ < store.Added || e.typ > store.Deleted {
		return e, fmt.Errorf("%w: event type %d", errCorrupt, b[0])
	}
	var err error
	if e.createRev, b, err = readUvarint(b[1:]); err != nil {
		return e, err
	}
	var n int64
	if n, b, err = readUvarint(b); err != nil {
		return e, err
	}
	if n > int64(len(b)) {
		return e, fmt.Errorf("%w: event key length %d exceeds record", errCorrupt, n)
	}
	e.key = string(b[:n])
	b = b[n:]
	if hasPrev {
		if n, b, err = readUvarint(b); err != nil {
			return e, err
		}
		if n > int64(len(b)) {
			return e, fmt.Errorf("%w: event previous value length %d exceeds record", errCorrupt, n)
		}
		e.prev = append([]byte{}, b[:n]...)
		b = b[n:]
	}
	e.value = append([]byte{}, b...)
	return e, nil
}

func readUvarint(b []byte) (int64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, fmt.Errorf("%w: bad varint", errCorrupt)
	}
	return int64(v), b[n:], nil
}
