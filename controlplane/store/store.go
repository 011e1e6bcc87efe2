// Package store is the durable persistence behind the Config Server.
//
// It is deliberately Kubernetes-shaped and deliberately dumb: objects are
// opaque JSON bytes under a Key, and every successful write takes the next
// value of one store-wide, monotonically increasing revision. The Config
// Server uses that revision as metadata.resourceVersion, for optimistic
// concurrency (expected revisions on Put and Delete) and for resumable
// watches (Watch from the revision a List returned).
//
// The store knows nothing about generation, status or defaulting. A
// status-only write is an ordinary Put: the API layer Gets the object, merges
// the new status into the stored bytes, and Puts the result with the
// revision it read as expectRev, so a concurrent spec write shows up as
// ErrConflict rather than being lost. Values should not carry
// metadata.resourceVersion themselves; the API layer fills it in from
// Object.Revision on the way out, as the Kubernetes API server does with etcd.
//
// Implementations: store/bolt (embedded, single process) and, later, etcd.
// Both must pass the shared behaviour suite in store/storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Errors callers test for with errors.Is. Implementations wrap them with the
// key and revisions involved, so the message alone explains the failure.
var (
	// ErrNotFound: Get or Delete of a key that holds no object.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the expected revision did not match (HTTP 409). For a
	// create (MustNotExist), the object already exists.
	ErrConflict = errors.New("conflict")
	// ErrCompacted: Watch asked for events that the store no longer keeps.
	// The watcher must List again and watch from the List's revision.
	ErrCompacted = errors.New("required revision has been compacted")
	// ErrInvalidKey: a key or prefix segment is empty or contains '/'.
	ErrInvalidKey = errors.New("invalid key")
	// ErrTooLarge: the value exceeds the store's size limit (HTTP 413).
	ErrTooLarge = errors.New("value too large")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
)

// Expected revisions for Put and Delete, besides a positive revision that
// must equal the object's current Revision.
const (
	// AnyRevision writes unconditionally (create or overwrite).
	AnyRevision int64 = 0
	// MustNotExist makes Put a create: it fails with ErrConflict if the key
	// holds an object.
	MustNotExist int64 = -1
)

// Key names one object. Namespace is empty for cluster-scoped kinds, Group is
// empty for the Kubernetes core group.
type Key struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// String is the key's storage form, "group/kind/namespace/name". Prefixes
// are built from the same form, so that listing a kind is a range scan.
func (k Key) String() string {
	return k.Group + "/" + k.Kind + "/" + k.Namespace + "/" + k.Name
}

// Validate reports which field of the key is unusable. Segments must not
// contain '/' because it separates them; Kind and Name must be set.
func (k Key) Validate() error {
	for _, f := range [...]struct{ name, value string }{
		{"group", k.Group}, {"kind", k.Kind}, {"namespace", k.Namespace}, {"name", k.Name},
	} {
		if strings.ContainsAny(f.value, "/\x00") {
			return fmt.Errorf("%w: %s %q must not contain '/' or NUL", ErrInvalidKey, f.name, f.value)
		}
	}
	if k.Kind == "" {
		return fmt.Errorf("%w: kind is empty (key %q)", ErrInvalidKey, k.String())
	}
	if k.Name == "" {
		return fmt.Errorf("%w: name is empty (key %q)", ErrInvalidKey, k.String())
	}
	return nil
}

// ParseKey is the inverse of Key.String.
func ParseKey(s string) (Key, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return Key{}, fmt.Errorf("%w: %q is not group/kind/namespace/name", ErrInvalidKey, s)
	}
	k := Key{Group: parts[0], Kind: parts[1], Namespace: parts[2], Name: parts[3]}
	return k, k.Validate()
}

// Prefix selects the keys that List and Watch cover. The zero Prefix covers
// the whole store; build narrower ones with KindPrefix and NamespacePrefix.
type Prefix struct {
	s   string
	err error // a segment was unusable; reported by Validate
}

// KindPrefix covers every object of one kind, in all namespaces.
func KindPrefix(group, kind string) Prefix {
	return newPrefix(Key{Group: group, Kind: kind, Name: "x"}, group+"/"+kind+"/")
}

// NamespacePrefix covers the objects of one kind in one namespace; an empty
// namespace covers the kind's cluster-scoped objects.
func NamespacePrefix(group, kind, namespace string) Prefix {
	return newPrefix(Key{Group: group, Kind: kind, Namespace: namespace, Name: "x"},
		group+"/"+kind+"/"+namespace+"/")
}

func newPrefix(k Key, s string) Prefix {
	if err := k.Validate(); err != nil {
		return Prefix{s: s, err: fmt.Errorf("prefix %q: %w", s, err)}
	}
	return Prefix{s: s}
}

// String is the prefix in Key.String form; "" for the whole store.
func (p Prefix) String() string { return p.s }

// Matches reports whether the key lies under the prefix.
func (p Prefix) Matches(k Key) bool { return strings.HasPrefix(k.String(), p.s) }

// Validate reports a prefix built from an unusable segment (ErrInvalidKey);
// without this a kind containing '/' would silently match other kinds.
func (p Prefix) Validate() error { return p.err }

// Object is one stored value and its revisions.
type Object struct {
	Key   Key
	Value []byte
	// Revision is the store revision of the last write to this object
	// (metadata.resourceVersion). In a Deleted event it is the revision of
	// the delete.
	Revision int64
	// CreateRevision is the revision at which the object was created; it
	// changes only when the key is deleted and created again.
	CreateRevision int64
}

// EventType says what happened to the object of an Event.
type EventType int

// Event types, named as in a Kubernetes watch.
const (
	Added EventType = iota + 1
	Modified
	Deleted
	// Error ends a watch: Event.Err says why (ErrCompacted when the watcher
	// fell behind the retained history). The channel is closed after it.
	Error
)

func (t EventType) String() string {
	switch t {
	case Added:
		return "ADDED"
	case Modified:
		return "MODIFIED"
	case Deleted:
		return "DELETED"
	case Error:
		return "ERROR"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// Event is one change, delivered by Watch in revision order.
type Event struct {
	Type EventType
	// Object is the object after the change; for Deleted, the last value it
	// held before the delete, with Revision set to the delete's revision.
	Object Object
	// Prev is, for Modified, the value the change replaced, so that a
	// watcher filtering on content can tell an object that stopped matching
	// (Kubernetes sends DELETED then). It is nil when the store does not
	// know it (an event logged before the store kept it).
	Prev []byte
	// Err is set only for Type Error.
	Err error
}

// Store is the persistence interface of the Config Server.
//
// Every method is safe for concurrent use. A write returns only after it is
// durable. A context that ends after a write was submitted leaves its outcome
// unknown to the caller (as with etcd); a later Get tells.
type Store interface {
	// Get returns the object under key, or ErrNotFound.
	Get(ctx context.Context, key Key) (Object, error)

	// List returns the objects under prefix in key order, and the store
	// revision they were read at: Watch from that revision to see every
	// later change exactly once.
	List(ctx context.Context, prefix Prefix) (objs []Object, rev int64, err error)

	// Put stores value under key and returns the new revision. expectRev is
	// AnyRevision, MustNotExist, or the Revision the caller last read; a
	// mismatch returns ErrConflict and writes nothing. A positive expectRev
	// for a key that holds no object returns ErrNotFound (it was deleted).
	Put(ctx context.Context, key Key, value []byte, expectRev int64) (rev int64, err error)

	// Delete removes key and returns the revision of the delete. expectRev is
	// AnyRevision or the Revision the caller last read (ErrConflict on a
	// mismatch). A missing key returns ErrNotFound.
	Delete(ctx context.Context, key Key, expectRev int64) (rev int64, err error)

	// Watch streams the changes under prefix with revision > fromRev, in
	// revision order: first those already stored, then live ones. fromRev 0
	// means "from now". If changes after fromRev are no longer retained it
	// returns ErrCompacted. The channel is closed when ctx ends, the store
	// closes, or after an Error event.
	Watch(ctx context.Context, prefix Prefix, fromRev int64) (<-chan Event, error)

	// Close stops the store. Writes already submitted finish first; open
	// watches are closed.
	Close() error
}
