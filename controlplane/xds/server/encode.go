package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Marshal once.
//
// go-control-plane serialises every resource again for every response, so
// a thousand proxies of a fleet cost a thousand encodings of the same
// RouteConfiguration, and versioning a snapshot by content cost one more.
// Here each resource is encoded once, when it first enters a snapshot; its
// bytes give the type's version and the delta per-resource version, and
// the same *anypb.Any goes into the response of every SotW stream (see
// sharingCache). The translator's output is never modified after SetFleet,
// so a pointer seen before still has the bytes it had.

// encoded is one resource, serialised.
type encoded struct {
	any *anypb.Any
	// sum digests the bytes: sha256 of them, cache.HashResource's value,
	// except for a RouteConfiguration encoded from its virtual hosts,
	// whose digest is made from theirs (rcencode.go). It makes the type's
	// version and the Delta per-resource version, which only ever need
	// to differ when the bytes do.
	sum [sha256.Size]byte
}

// typeEncoding is every resource of one type in one snapshot.
type typeEncoding struct {
	all    []*anypb.Any
	byName map[string]*anypb.Any
	// w is all's encoding as a response's resources (wirecodec.go).
	w wireEncoding
}

type encodingKey struct{ typeURL, version string }

// encoder holds the encodings of the resources published lately. encode
// and remember run under Server.setMu; lookup runs on streams' goroutines.
type encoder struct {
	// mu guards types, refs and recent.
	mu sync.RWMutex
	// byPtr is every resource of the last few snapshots, by identity.
	byPtr map[types.Resource]*encoded
	// types are the published snapshots' encodings by type and version;
	// refs counts the recent snapshots holding each.
	types map[encodingKey]*typeEncoding
	refs  map[encodingKey]int
	// byAll finds the types' encodings by their all slice, anyOwner by
	// one of their resources (wirecodec.go).
	byAll    map[allKey]*typeEncoding
	anyOwner map[*anypb.Any]anyRef
	// recent are the keys of the last snapshots published, oldest first.
	recent [][]encodingKey
	// vhosts are the encodings of route configurations' virtual hosts;
	// only encode and remember, under Server.setMu, use them.
	vhosts vhostEncodings
}

// building is what encode collects for the snapshot being built.
type building struct {
	// key is the snapshot's key (fleet and kind).
	key    string
	seen   map[types.Resource]*encoded
	vhosts map[string]*rcEncoding
	// reused are the types taken whole from the previous snapshot; their
	// resources are not in seen.
	reused []*typeSnap
}

func newBuilding(key string) *building {
	return &building{key: key, seen: map[types.Resource]*encoded{}, vhosts: map[string]*rcEncoding{}}
}

// keepSnapshots is how many published snapshots keep their encodings: a
// response built from a snapshot just replaced may still be on its way
// to a stream. A miss only costs an encoding, never correctness.
const keepSnapshots = 8

func newEncoder() *encoder {
	return &encoder{
		byPtr: map[types.Resource]*encoded{},
		types: map[encodingKey]*typeEncoding{},
		refs:  map[encodingKey]int{},
		byAll: map[allKey]*typeEncoding{},

		anyOwner: map[*anypb.Any]anyRef{},
	}
}

// encode returns items' encodings, reusing those of resources seen
// before; b collects every resource of the snapshot being built.
func (e *encoder) encode(typeURL string, items []types.Resource, b *building) ([]*encoded, error) {
	seen := b.seen
	out := make([]*encoded, len(items))
	for i, m := range items {
		enc := e.byPtr[m]
		if enc == nil {
			enc = seen[m]
		}
		if enc == nil {
			raw, sum, err := e.marshal(m, b)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", typeURL, cache.GetResourceName(m), err)
			}
			enc = &encoded{any: &anypb.Any{TypeUrl: typeURL, Value: raw}, sum: sum}
		}
		seen[m] = enc
		out[i] = enc
	}
	return out, nil
}

// marshal encodes m and digests the bytes (see sum).
func (e *encoder) marshal(m types.Resource, b *building) ([]byte, [sha256.Size]byte, error) {
	if rc, ok := m.(*routev3.RouteConfiguration); ok {
		return e.vhosts.marshalRouteConfig(b.key, rc, b.vhosts)
	}
	return marshalSummed(m)
}

// version hashes the resources' digests in order (the translator sorts by
// name; the bridge step appends in a deterministic order too).
func version(encs []*encoded) string {
	h := sha256.New()
	var n [8]byte
	for _, enc := range encs {
		// Length-prefix each resource so that boundaries count.
		binary.BigEndian.PutUint64(n[:], uint64(len(enc.any.GetValue())))
		h.Write(n[:])
		h.Write(enc.sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// remember makes a built snapshot's encodings the ones looked up from now
// on, and forgets those no recent snapshot holds.
func (e *encoder) remember(built map[encodingKey]*typeEncoding, b *building) {
	seen := b.seen
	e.vhosts.remember(b.vhosts)
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := make([]encodingKey, 0, len(built))
	for k, te := range built {
		if _, ok := e.types[k]; !ok {
			e.types[k] = te
			e.byAll[keyOfAll(te.all)] = te
			for i, a := range te.all {
				e.anyOwner[a] = anyRef{te, i}
			}
		}
		e.refs[k]++
		keys = append(keys, k)
	}
	e.recent = append(e.recent, keys)
	if len(e.recent) > keepSnapshots {
		for _, k := range e.recent[0] {
			if e.refs[k]--; e.refs[k] <= 0 {
				delete(e.refs, k)
				if te := e.types[k]; te != nil {
					delete(e.byAll, keyOfAll(te.all))
					for _, a := range te.all {
						if e.anyOwner[a].te == te {
							delete(e.anyOwner, a)
						}
					}
				}
				delete(e.types, k)
			}
		}
		e.recent = e.recent[1:]
	}
	// Resources of older snapshots come back only if the translator
	// returns the same pointer again, which it does for what it did not
	// rebuild, i.e. what the last snapshots hold.
	live := len(seen)
	for _, ts := range b.reused {
		live += len(ts.items)
	}
	for m, enc := range seen {
		e.byPtr[m] = enc
	}
	if len(e.byPtr) > 4*live+1024 {
		e.byPtr = seen
		for _, ts := range b.reused {
			for i, m := range ts.items {
				e.byPtr[m] = ts.encs[i]
			}
		}
	}
}

// lookup returns the shared encoding of a type at a version, or nil.
func (e *encoder) lookup(typeURL, version string) *typeEncoding {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.types[encodingKey{typeURL, version}]
}
