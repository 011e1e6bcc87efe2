package file

import (
	"crypto/sha256"
	"encoding/json"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// generation is what the watcher remembers of one published object, so
// that metadata.generation moves the way an API server moves it: it starts
// at 1 and grows by one whenever anything outside metadata and status
// changes. Status carries observedGeneration, so a reader can tell whether
// the status is about the file's current content.
type generation struct {
	obj    resource.Object // the decoded object it was computed for
	digest [32]byte
	gen    int64
}

// setGenerations stamps the generation of every object of res. Only objects
// decoded since the last publish are hashed or modified: the others are the
// very objects published before, which subscribers share.
func (w *Watcher) setGenerations(res *resource.Resources) {
	seen := make(map[resource.Key]bool, res.Len())
	res.Walk(func(k resource.Key, o resource.Object) bool {
		seen[k] = true
		prev, ok := w.gens[k]
		if ok && prev.obj == o {
			return true
		}
		d := specDigest(o)
		g := int64(1)
		if ok {
			g = prev.gen
			if d != prev.digest {
				g++
			}
		}
		o.SetGeneration(g)
		w.gens[k] = generation{obj: o, digest: d, gen: g}
		return true
	})
	// An object that left the files starts again at 1 if it comes back,
	// as a deleted and recreated object does.
	for k := range w.gens {
		if !seen[k] {
			delete(w.gens, k)
		}
	}
}

// specDigest hashes everything but metadata and status.
func specDigest(o resource.Object) [32]byte {
	b, err := json.Marshal(o)
	if err != nil {
		return [32]byte{}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return sha256.Sum256(b)
	}
	delete(m, "metadata")
	delete(m, "status")
	b, _ = json.Marshal(m) // map keys are sorted: stable
	return sha256.Sum256(b)
}
