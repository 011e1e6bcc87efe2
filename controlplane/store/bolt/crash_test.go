package bolt

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// The crash test re-executes this test binary as a writer process (the
// usual Go pattern for testing process death). The writer acknowledges each
// durable write on stdout; the parent SIGKILLs it mid-stream and checks that
// every acknowledged write survived.
const (
	crashEnvPath  = "BOLT_CRASH_WRITER_PATH"
	crashEnvRound = "BOLT_CRASH_WRITER_ROUND"
	crashWriters  = 16
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnvPath); path != "" {
		os.Exit(crashWriter(path, os.Getenv(crashEnvRound)))
	}
	os.Exit(m.Run())
}

func crashKey(round string, writer, i int) store.Key {
	return store.Key{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute",
		Namespace: "round-" + round, Name: fmt.Sprintf("w%02d-%06d", writer, i)}
}

// crashValue is derived from the key so the parent can check content, not
// just presence; sizes vary so that commits span several pages.
func crashValue(k store.Key) []byte {
	h := fnv.New32a()
	h.Write([]byte(k.String()))
	return []byte(k.String() + ":" + strings.Repeat("x", int(h.Sum32()%4000)))
}

// crashWriter runs in the child. Each writer creates keys and deletes every
// third one it created. Lines: "P key rev" after a put is durable, "D? key"
// before a delete is submitted, "D key rev" after it is durable.
func crashWriter(path, round string) int {
	s, err := Open(path, Options{EventLogSize: 500})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format+"\n", args...)
		mu.Lock()
		defer mu.Unlock()
		os.Stdout.WriteString(line) // one write per line: the parent never sees half an ack
	}
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			ctx := context.Background()
			for i := 0; ; i++ {
				k := crashKey(round, w, i)
				rev, err := s.Put(ctx, k, crashValue(k), store.MustNotExist)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				say("P %s %d", k, rev)
				if i%3 == 2 {
					old := crashKey(round, w, i-1)
					say("D? %s", old)
					rev, err := s.Delete(ctx, old, store.AnyRevision)
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(3)
					}
					say("D %s %d", old, rev)
				}
			}
		})
	}
	wg.Wait()
	return 0
}

// crashState is what the parent learned from acknowledgements, over all
// rounds.
type crashState struct {
	put        map[string]int64 // acknowledged puts not yet acknowledged deleted
	deleted    map[string]bool  // acknowledged deletes
	deleting   map[string]bool  // deletes submitted, outcome unknown
	maxRev     int64
	acksThisRn int
}

func (c *crashState) read(t *testing.T, line string) {
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "P":
		c.put[f[1]] = c.rev(t, f[2])
		c.acksThisRn++
	case len(f) == 2 && f[0] == "D?":
		c.deleting[f[1]] = true
	case len(f) == 3 && f[0] == "D":
		c.rev(t, f[2])
		delete(c.put, f[1])
		delete(c.deleting, f[1])
		c.deleted[f[1]] = true
		c.acksThisRn++
	default:
		t.Fatalf("writer printed %q", line)
	}
}

func (c *crashState) rev(t *testing.T, s string) int64 {
	r, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("bad revision %q", s)
	}
	c.maxRev = max(c.maxRev, r)
	return r
}

func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	path := t.TempDir() + "/store.db"
	st := &crashState{put: map[string]int64{}, deleted: map[string]bool{}, deleting: map[string]bool{}}
	for round := range 5 {
		st.acksThisRn = 0
		killAfter := 300 + rand.IntN(700)
		runAndKill(t, path, strconv.Itoa(round), killAfter, st)
		if st.acksThisRn < killAfter {
			t.Fatalf("round %d: only %d acknowledgements before the writer ended", round, st.acksThisRn)
		}
		verifyAfterCrash(t, path, st)
		t.Logf("round %d: killed after %d acks; %d live keys, %d deleted, revision %d",
			round, st.acksThisRn, len(st.put), len(st.deleted), st.maxRev)
	}
}

func runAndKill(t *testing.T, path, round string, killAfter int, st *crashState) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnvPath+"="+path, crashEnvRound+"="+round)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		st.read(t, sc.Text())
		if !killed && st.acksThisRn >= killAfter {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true // keep reading: lines already in the pipe were acknowledged too
		}
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("writer did not die by SIGKILL: %v", err)
	}
}

// verifyAfterCrash reopens the file and checks every acknowledgement.
func verifyAfterCrash(t *testing.T, path string, st *crashState) {
	t.Helper()
	s, err := Open(path, Options{EventLogSize: 500})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	checkFile(t, s)

	objs, rev, err := s.List(testCtx(t), store.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	if rev < st.maxRev {
		t.Fatalf("store revision %d is below acknowledged revision %d", rev, st.maxRev)
	}
	present := map[string]store.Object{}
	for _, o := range objs {
		present[o.Key.String()] = o
	}
	for k, ackRev := range st.put {
		o, ok := present[k]
		if !ok {
			if st.deleting[k] {
				continue // the delete was in flight and may have landed
			}
			t.Fatalf("acknowledged put of %s (revision %d) is missing", k, ackRev)
		}
		if o.Revision != ackRev || string(o.Value) != string(crashValue(o.Key)) {
			t.Fatalf("%s: revision %d, value of %d bytes; acknowledged revision %d", k, o.Revision, len(o.Value), ackRev)
		}
	}
	for k := range st.deleted {
		if _, ok := present[k]; ok {
			t.Fatalf("acknowledged delete of %s is undone", k)
		}
	}
	// In-flight deletes were resolved one way or the other; the next round
	// only needs to know the state that is now on disk.
	for k := range st.deleting {
		if _, ok := present[k]; !ok {
			delete(st.put, k)
			st.deleted[k] = true
		}
		delete(st.deleting, k)
	}
}

// checkFile runs bbolt's own page-level consistency check and checks that
// the event log is dense up to the stored revision.
func checkFile(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bbolt check: %w", err)
		}
		rev, err := getMeta(tx, metaRev)
		if err != nil {
			return err
		}
		compacted, err := getMeta(tx, metaCompacted)
		if err != nil {
			return err
		}
		if n := int64(tx.Bucket(bucketEvents).Stats().KeyN); n != rev-compacted {
			return fmt.Errorf("event log holds %d events, want %d (revisions %d..%d)", n, rev-compacted, compacted+1, rev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
