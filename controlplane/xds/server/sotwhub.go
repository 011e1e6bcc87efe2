package server

import (
	"hash/maphash"
	"runtime"
	"slices"
	"sync"
	"weak"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// The SotW ADS streams (sotw.go) hold no per-resource state of their own.
// go-control-plane's snapshot cache built, for every stream and response,
// a slice and a name -> version map over every resource, and kept the
// request's decoded names and a subscription set of them: with a thousand
// proxies of a 10k-route fleet that was over a gigabyte of heap, all of it
// identical from stream to stream. Here what streams share is shared: the
// published snapshot (hub), the names a stream subscribes to (interned
// nameSets) and the resources picked for a name set (selections, made once
// per snapshot and name set).

// hub holds, for each snapshot key, what SotW ADS streams are served.
type hub struct {
	mu   sync.Mutex
	keys map[string]*hubKey
}

// hubKey is one snapshot key's published state and a channel closed when
// it changes.
type hubKey struct {
	snap    *sotwSnap
	changed chan struct{}
}

// sotwSnap is one published snapshot as the streams see it.
type sotwSnap struct {
	types [types.UnknownType]*sotwType

	// sels memoises selections by type and name set.
	mu   sync.Mutex
	sels map[selKey]*selection
}

type selKey struct {
	t  types.ResponseType
	ns *nameSet
}

// sotwType is one type of a published snapshot. A type the snapshot does
// not have has version "" and no resources.
type sotwType struct {
	version string
	te      *typeEncoding
	// names[i] is the name of te.all[i].
	names []string
}

func newHub() *hub { return &hub{keys: map[string]*hubKey{}} }

// watch returns key's current snapshot (nil before the first) and a
// channel closed when it is replaced.
func (h *hub) watch(key string) (*sotwSnap, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := h.key(key)
	return k.snap, k.changed
}

func (h *hub) key(key string) *hubKey {
	k := h.keys[key]
	if k == nil {
		k = &hubKey{changed: make(chan struct{})}
		h.keys[key] = k
	}
	return k
}

// set publishes key's snapshot: the types of ts, whose unchanged entries
// reuse the previous snapshot's names.
func (h *hub) set(key string, ts map[types.ResponseType]*typeSnap) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := h.key(key)
	next := &sotwSnap{sels: map[selKey]*selection{}}
	for t, s := range ts {
		if t < 0 || t >= types.UnknownType || s == nil {
			continue
		}
		if k.snap != nil && k.snap.types[t] != nil && k.snap.types[t].te == s.te {
			// Unchanged: so are its selections, which streams hold as
			// what they were sent.
			next.types[t] = k.snap.types[t]
			k.snap.mu.Lock()
			for sk, sel := range k.snap.sels {
				if sk.t == t {
					next.sels[sk] = sel
				}
			}
			k.snap.mu.Unlock()
			continue
		}
		names := make([]string, len(s.items))
		for i, m := range s.items {
			names[i] = cache.GetResourceName(m)
		}
		next.types[t] = &sotwType{version: s.key.version, te: s.te, names: names}
	}
	k.snap = next
	close(k.changed)
	k.changed = make(chan struct{})
}

func (s *sotwSnap) typ(t types.ResponseType) *sotwType {
	if s == nil || s.types[t] == nil {
		return &sotwType{}
	}
	return s.types[t]
}

// selection is what a name set picks from one type of one snapshot, in
// the snapshot's order.
type selection struct {
	anys  []*anypb.Any
	names []string
	// idx[i] is anys[i]'s index in the type's resources; nil when anys is
	// all of them.
	idx []int
	// covers says the name set names every resource of the type, which an
	// ADS-mode answer to Envoy requires (see respondable).
	covers bool

	setOnce sync.Once
	set     map[string]struct{}
}

func (sel *selection) has(name string) bool {
	sel.setOnce.Do(func() {
		sel.set = make(map[string]struct{}, len(sel.names))
		for _, n := range sel.names {
			sel.set[n] = struct{}{}
		}
	})
	_, ok := sel.set[name]
	return ok
}

// selection returns what ns picks from type t, made once per snapshot.
func (s *sotwSnap) selection(t types.ResponseType, ns *nameSet) *selection {
	st := s.typ(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := selKey{t, ns}
	if sel := s.sels[k]; sel != nil {
		return sel
	}
	if ns.wildcard {
		// Shared too: a stream keeps what it was sent (adsWatch.returned)
		// and may ask for its set of names.
		sel := &selection{anys: st.te.allOrNil(), names: st.names, covers: true}
		s.sels[k] = sel
		return sel
	}
	sel := &selection{}
	for i, n := range st.names {
		if ns.has(n) {
			sel.anys = append(sel.anys, st.te.all[i])
			sel.names = append(sel.names, n)
			sel.idx = append(sel.idx, i)
		}
	}
	if len(sel.idx) == len(st.names) {
		sel.anys, sel.idx, sel.covers = st.te.allOrNil(), nil, true
	}
	s.sels[k] = sel
	return sel
}

func (te *typeEncoding) allOrNil() []*anypb.Any {
	if te == nil {
		return nil
	}
	return te.all
}

// nameSet is the resource names of a request, shared by every stream that
// asks for the same names in the same order (as proxies of one fleet do).
type nameSet struct {
	names []string
	// wildcard: no names, or "*" among them; every resource.
	wildcard bool

	setOnce sync.Once
	set     map[string]struct{}
}

func (ns *nameSet) has(name string) bool {
	ns.setOnce.Do(func() {
		ns.set = make(map[string]struct{}, len(ns.names))
		for _, n := range ns.names {
			ns.set[n] = struct{}{}
		}
	})
	_, ok := ns.set[name]
	return ok
}

// nameSets interns name sets. An entry lives while some stream holds its
// set; the garbage collector then clears it.
type nameSets struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]weak.Pointer[nameSet]
}

var wildcardSet = &nameSet{wildcard: true}

func newNameSets() *nameSets {
	return &nameSets{seed: maphash.MakeSeed(), m: map[uint64]weak.Pointer[nameSet]{}}
}

// intern returns the shared set of names. names is not kept.
func (n *nameSets) intern(names []string) *nameSet {
	if len(names) == 0 || slices.Contains(names, "*") {
		return wildcardSet
	}
	var h maphash.Hash
	h.SetSeed(n.seed)
	for _, s := range names {
		h.WriteString(s)
		h.WriteByte(0)
	}
	sum := h.Sum64()
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.m[sum]; ok {
		if ns := p.Value(); ns != nil && slices.Equal(ns.names, names) {
			return ns
		}
		if p.Value() != nil {
			// A hash collision: correct, only not shared.
			return &nameSet{names: slices.Clone(names)}
		}
	}
	ns := &nameSet{names: slices.Clone(names)}
	wp := weak.Make(ns)
	n.m[sum] = wp
	runtime.AddCleanup(ns, n.drop, dropKey{sum, wp})
	return ns
}

type dropKey struct {
	sum uint64
	wp  weak.Pointer[nameSet]
}

func (n *nameSets) drop(k dropKey) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m[k.sum] == k.wp {
		delete(n.m, k.sum)
	}
}
