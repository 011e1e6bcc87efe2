package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	cfgserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// WriteResult is durable HTTP PUTs of HTTPRoutes to the Config Server: each
// is validated (CRD schema and CEL), written to bbolt and fsynced before
// the answer, while the translator and the status write-back run on what
// was written, as in `envoy-gateway server`.
type WriteResult struct {
	Clients    int     `json:"clients"`
	Writes     int     `json:"writes"`
	PerSecond  float64 `json:"perSecond"`
	Latency    Latency `json:"latency"`
	ValidateMs float64 `json:"validateMsPerRoute,omitempty"`
	// CPUMsPerWrite is the CPU time of this process (server, translator,
	// status write-back, GC and the clients) per PUT: what a write costs
	// whatever else the machine runs. Cores / CPUMsPerWrite bounds PUTs/s.
	CPUMsPerWrite float64 `json:"cpuMsPerWrite"`
	// MaxRSSMB is the peak resident memory of this process so far (the
	// server, its validator, the clients): the price of the GC setting.
	MaxRSSMB float64 `json:"maxRssMB"`
}

// ConfigServer is a real Config Server over a real bbolt file, on
// 127.0.0.1:0, for write measurements.
type ConfigServer struct {
	URL    string
	token  string
	client *http.Client
	stop   func()
}

// StartConfigServer runs a Config Server in dir with v (built once by the
// caller: building it compiles every CEL rule), with the Gateway API
// translator on what it publishes and its status written back, wired as
// `envoy-gateway server` wires them.
func StartConfigServer(dir string, v *validation.Validator) (*ConfigServer, error) {
	st, err := bolt.Open(filepath.Join(dir, "store.db"), bolt.Options{})
	if err != nil {
		return nil, err
	}
	out := message.NewMap[string, *resource.Resources]("resources")
	xdsIR := message.NewMap[string, *ir.Xds]("xds-ir")
	status := message.NewTopic[*gatewayapi.Result]("status")
	closeAll := func() { out.Close(); xdsIR.Close(); status.Close(); st.Close() }
	opts := cfgserver.Options{Address: "127.0.0.1:0", TokenFile: filepath.Join(dir, "api-token")}
	srv, err := cfgserver.New(opts, st, v, out, status, gatewayapi.Options{}, nil)
	if err == nil {
		err = srv.Listen()
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Run(ctx) })
	runner := &gatewayapi.Runner{Resources: out, XdsIR: xdsIR, Status: status}
	wg.Go(func() { _ = runner.Run(ctx) })
	stop := func() { cancel(); wg.Wait(); closeAll() }
	select {
	case <-srv.Ready():
	case <-time.After(time.Minute):
		stop()
		return nil, fmt.Errorf("config server never published its store")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy, tr.MaxIdleConnsPerHost = nil, 64
	return &ConfigServer{
		URL: "http://" + srv.Addr().String(), token: srv.Token(), client: &http.Client{Transport: tr, Timeout: time.Minute},
		stop: stop,
	}, nil
}

// Close stops the server and closes its store.
func (c *ConfigServer) Close() { c.stop() }

// Put writes one object (a typed Gateway API or core object with TypeMeta
// set) and fails on any non-2xx answer.
func (c *ConfigServer) Put(path string, body []byte) error {
	return c.send(http.MethodPut, path, "application/json", bytes.NewReader(body))
}

// Apply sends objs (typed, with TypeMeta set) to the apply endpoint in
// one request, as `envoy-gateway apply -f` does.
func (c *ConfigServer) Apply(objs []resource.Object) error {
	var body bytes.Buffer
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		body.WriteString("---\n")
		body.Write(b)
		body.WriteString("\n")
	}
	return c.send(http.MethodPost, "/apply", "application/yaml", &body)
}

// send makes one authenticated request and fails on any non-2xx answer.
func (c *ConfigServer) send(method, path, contentType string, body io.Reader) error {
	req, err := http.NewRequest(method, c.URL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	res, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, b)
	}
	return nil
}

// nonRoutes are the workload's objects that are not HTTPRoutes: classes,
// Gateways, Services and the like, for the routes to attach to.
func nonRoutes(w *workload.Workload) []resource.Object {
	var out []resource.Object
	w.Resources.Walk(func(k resource.Key, o resource.Object) bool {
		if k.Kind != resource.KindHTTPRoute {
			out = append(out, o)
		}
		return true
	})
	return out
}

// routePuts are the paths and bodies of the workload's routes.
func routePuts(w *workload.Workload) ([]string, [][]byte, error) {
	var paths []string
	var bodies [][]byte
	for _, r := range w.Resources.HTTPRoutes {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, nil, err
		}
		paths = append(paths, fmt.Sprintf("/apis/gateway.networking.k8s.io/v1/namespaces/%s/httproutes/%s", r.Namespace, r.Name))
		bodies = append(bodies, b)
	}
	return paths, bodies, nil
}

// MeasureWrites PUTs writes routes of w (cycling) from clients concurrent
// clients into a fresh server that already holds w's other objects, so the
// routes are accepted by its Gateways and their status written back.
func MeasureWrites(dir string, v *validation.Validator, w *workload.Workload, writes, clients int) (*WriteResult, error) {
	srv, err := StartConfigServer(dir, v)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	if err := srv.Apply(nonRoutes(w)); err != nil {
		return nil, err
	}
	paths, bodies, err := routePuts(w)
	if err != nil {
		return nil, err
	}
	lat := make([]time.Duration, writes)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	cpu0 := processCPU()
	t0 := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= writes {
					return
				}
				s := time.Now()
				if err := srv.Put(paths[i%len(paths)], bodies[i%len(bodies)]); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(s)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu := processCPU() - cpu0
	if firstErr != nil {
		return nil, firstErr
	}
	return &WriteResult{Clients: clients, Writes: writes, PerSecond: float64(int(float64(writes)/elapsed.Seconds()*10)) / 10,
		Latency: summarize(lat), CPUMsPerWrite: float64(int(cpu.Seconds()*1000/float64(writes)*100)) / 100,
		MaxRSSMB: maxRSSMB()}, nil
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSMB is this process's peak resident set size in MiB.
func maxRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss / 1024) // kilobytes on Linux
}
