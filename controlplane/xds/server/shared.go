package server

import (
	"context"
	"slices"
	"sync"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// sharingCache hands SotW streams responses whose resources are the
// encodings made when the snapshot was set, instead of go-control-plane's
// RawResponse, which encodes every resource again for each stream.
//
// The snapshot cache writes a response into the channel the stream gave
// its watch, and only a Response value can go through it. So each channel
// gets one forwarder goroutine, reading a channel given to the cache in
// its place; one per channel rather than per watch so that an ordered ADS
// stream still gets CDS, EDS, LDS and RDS in the order the cache wrote
// them. Cancelling a watch waits for the forwarder to pass on whatever the
// watch already answered, as if the cache had written it directly: the
// ADS server drains its channel right after a cancel and must find it
// there. Delta and Fetch are left to the cache.
type sharingCache struct {
	cache.SnapshotCache
	enc *encoder

	mu   sync.Mutex
	fwds map[chan cache.Response]*forwarder
}

func newSharingCache(c cache.SnapshotCache, enc *encoder) *sharingCache {
	return &sharingCache{SnapshotCache: c, enc: enc, fwds: map[chan cache.Response]*forwarder{}}
}

// forwarder moves responses from in to out, sharing their encodings.
type forwarder struct {
	// in is unbuffered, so that the cache's write completes only once the
	// forwarder holds the response.
	in      chan cache.Response
	out     chan cache.Response
	watches int
	// sentRoutes are the route configurations forwarded on out, by name;
	// only the forwarding goroutine uses it.
	sentRoutes map[string]*anypb.Any
}

// barrier asks the forwarder to report that it passed on everything
// received before it. It only ever travels on in.
type barrier struct {
	cache.Response
	done chan struct{}
}

func (c *sharingCache) CreateWatch(req *cache.Request, sub cache.Subscription, out chan cache.Response) (func(), error) {
	f := c.acquire(out)
	cancel, err := c.SnapshotCache.CreateWatch(req, sub, f.in)
	if err != nil {
		c.release(f)
		return nil, err
	}
	// The server may cancel a watch twice (again when its stream ends);
	// the cache's own cancel allows that, so this one must too.
	var once sync.Once
	return func() {
		once.Do(func() {
			if cancel != nil {
				cancel()
			}
			c.release(f)
		})
	}, nil
}

func (c *sharingCache) acquire(out chan cache.Response) *forwarder {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.fwds[out]
	if f == nil {
		f = &forwarder{in: make(chan cache.Response), out: out}
		c.fwds[out] = f
		go c.forward(f)
	}
	f.watches++
	return f
}

// release drops one watch of f, after the cache can no longer answer it,
// and waits until whatever it answered is in out.
func (c *sharingCache) release(f *forwarder) {
	b := barrier{done: make(chan struct{})}
	f.in <- b
	<-b.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.watches--; f.watches == 0 {
		delete(c.fwds, f.out)
		// No watch writes to in any more, and a new watch on out gets a
		// new forwarder.
		close(f.in)
	}
}

func (c *sharingCache) forward(f *forwarder) {
	for r := range f.in {
		if b, ok := r.(barrier); ok {
			close(b.done)
			continue
		}
		f.out <- c.share(f, r)
	}
}

// share returns r with its resources' encodings taken from the snapshot
// it was built from, or r itself when they are gone or r is special.
func (c *sharingCache) share(f *forwarder, r cache.Response) cache.Response {
	raw, ok := r.(*cache.RawResponse)
	if !ok || raw.Heartbeat {
		return r
	}
	te := c.enc.lookup(raw.GetRequest().GetTypeUrl(), raw.Version)
	if te == nil {
		return r
	}
	res := raw.GetRawResources()
	for _, item := range res {
		if item.TTL != nil {
			// TTLs wrap each resource per response; not used here.
			return r
		}
	}
	typeURL := raw.GetRequest().GetTypeUrl()
	if len(res) == len(te.all) && typeURL != resource.RouteType {
		// A response holds only resources of its snapshot, so as many
		// is all of them; this is the common, wildcard case.
		return &sharedResponse{raw: raw, anys: te.all}
	}
	anys := make([]*anypb.Any, 0, len(res))
	names := make([]string, 0, len(res))
	for _, item := range res {
		name := cache.GetResourceName(item.Resource)
		a := te.byName[name]
		if a == nil {
			return r
		}
		anys = append(anys, a)
		names = append(names, name)
	}
	if typeURL == resource.RouteType {
		anys = f.unsent(names, anys, raw.GetRequest().GetResourceNames())
		if len(anys) == len(te.all) {
			anys = te.all
		}
	}
	return &sharedResponse{raw: raw, anys: anys}
}

// unsent leaves out of a route configuration response the configurations
// this stream was already sent as they are (see unsentRoutes).
func (f *forwarder) unsent(names []string, anys []*anypb.Any, requested []string) []*anypb.Any {
	if f.sentRoutes == nil {
		f.sentRoutes = map[string]*anypb.Any{}
	}
	out, _ := unsentRoutes(f.sentRoutes, names, anys, func(n string) bool { return slices.Contains(requested, n) })
	return out
}

// unsentRoutes leaves out of a route configuration response (anys, named
// names) the configurations sent records as already sent: a State of the
// World response of RDS (or EDS), unlike LDS and CDS, need not repeat
// unchanged resources, and clients must not read their absence as
// removal. With one large configuration per port, sending only the changed
// one divides the bytes a one-route change sends every proxy. What the
// stream no longer asks for is forgotten, so that it is sent again if
// asked again. kept are the positions in anys of out; nil when out is all
// of anys.
func unsentRoutes(sent map[string]*anypb.Any, names []string, anys []*anypb.Any, requested func(string) bool) (out []*anypb.Any, kept []int) {
	for n := range sent {
		if !requested(n) {
			delete(sent, n)
		}
	}
	for i, a := range anys {
		if sent[names[i]] != a {
			out = append(out, a)
			kept = append(kept, i)
		}
		sent[names[i]] = a
	}
	if len(out) == 0 || len(out) == len(anys) {
		// Nothing new: the whole set, rather than an empty response that
		// a client might not expect.
		return anys, nil
	}
	return out, kept
}

// sharedResponse is a RawResponse whose resources are already encoded.
// Every stream gets its own DiscoveryResponse, since the server writes
// the stream's nonce into it, but they share the resources' bytes, which
// nobody writes.
type sharedResponse struct {
	raw  *cache.RawResponse
	anys []*anypb.Any

	once sync.Once
	out  *discovery.DiscoveryResponse
}

var _ cache.Response = (*sharedResponse)(nil)

func (r *sharedResponse) GetDiscoveryResponse() (*discovery.DiscoveryResponse, error) {
	r.once.Do(func() {
		r.out = &discovery.DiscoveryResponse{
			VersionInfo: r.raw.Version,
			Resources:   r.anys,
			TypeUrl:     r.raw.GetRequest().GetTypeUrl(),
		}
	})
	return r.out, nil
}

func (r *sharedResponse) GetRequest() *discovery.DiscoveryRequest { return r.raw.GetRequest() }

//nolint:staticcheck // the interface still requires it.
func (r *sharedResponse) GetVersion() (string, error) { return r.raw.Version, nil }
func (r *sharedResponse) GetResponseVersion() string  { return r.raw.Version }
func (r *sharedResponse) GetReturnedResources() map[string]string {
	return r.raw.GetReturnedResources()
}
func (r *sharedResponse) GetContext() context.Context { return r.raw.GetContext() }
