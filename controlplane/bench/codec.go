package bench

import (
	"sync"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The fan-out's proxies run in the bench's own process, a thousand of them
// on the machine's two cores next to the control plane. Decoding every
// response in full (megabytes of route configurations, thousands of
// clusters, a thousand times over) measured the proxies, not the control
// plane, and starved streams until keepalives cut them. A proxy only needs
// each response's version, nonce and type, and the names a cluster or
// listener response leads it to subscribe to; those names are the same
// for every proxy at one version, so one proxy decodes them and the others
// reuse them.

// namesCache holds the subscription names learnt from each version of a
// cluster or listener response.
type namesCache struct {
	mu    sync.Mutex
	names map[[2]string][]string
}

func newNamesCache() *namesCache { return &namesCache{names: map[[2]string][]string{}} }

func (c *namesCache) get(typ, version string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.names[[2]string{typ, version}]
	return n, ok
}

func (c *namesCache) put(typ, version string, names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names[[2]string{typ, version}] = names
}

// leanCodec is the proto codec, except that a DiscoveryResponse whose
// names are known is decoded only for its version, type and nonce.
type leanCodec struct{ names *namesCache }

func (leanCodec) Name() string { return "proto" }

func (leanCodec) Marshal(v any) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }

func (c leanCodec) Unmarshal(data []byte, v any) error {
	resp, ok := v.(*discovery.DiscoveryResponse)
	if !ok {
		return proto.Unmarshal(data, v.(proto.Message))
	}
	var version, typ, nonce string
	for b := data; len(b) > 0; {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			return proto.Unmarshal(data, resp)
		}
		b = b[n:]
		if wt == protowire.BytesType && (num == 1 || num == 4 || num == 5) {
			s, m := protowire.ConsumeString(b)
			if m < 0 {
				return proto.Unmarshal(data, resp)
			}
			switch num {
			case 1:
				version = s
			case 4:
				typ = s
			case 5:
				nonce = s
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, wt, b)
		if m < 0 {
			return proto.Unmarshal(data, resp)
		}
		b = b[m:]
	}
	if needsNames(typ) {
		if _, known := c.names.get(typ, version); !known {
			return proto.Unmarshal(data, resp)
		}
	}
	resp.Reset()
	resp.VersionInfo, resp.TypeUrl, resp.Nonce = version, typ, nonce
	return nil
}
