package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// errVerdict is a verdict the control plane has reached: waiting longer
// would not change it.
var errVerdict = errors.New("rejected by the control plane")

// conditionSet is one list of conditions and what it is about.
type conditionSet struct {
	about      string
	conditions []any
	required   bool // the verdict needs it (not a listener's)
}

// waitForVerdict polls the object until the control plane has processed
// its generation, then judges it. It returns the last object it saw, so a
// failed apply still records what the server holds.
func (m *kindModel) waitForVerdict(ctx context.Context, c *apiclient.Client, obj *unstructured.Unstructured, waitFor string) (*unstructured.Unstructured, error) {
	if m.shape == noStatus {
		return obj, nil
	}
	last, pending := obj, "no status yet"
	delay := 10 * time.Millisecond
	for {
		cur, err := c.Get(ctx, m.gvk, obj.GetNamespace(), obj.GetName())
		switch {
		case err == nil:
			last = cur
			done, why, verr := m.verdict(cur, waitFor)
			if done || verr != nil {
				return cur, verr
			}
			pending = why
		case ctx.Err() == nil:
			return last, err
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("timed out waiting for the control plane's verdict on %s %s: %s%s", m.gvk.Kind, obj.GetName(), pending, m.noStatusHint(pending))
		case <-time.After(delay):
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

func (m *kindModel) noStatusHint(pending string) string {
	if !strings.HasPrefix(pending, "no status") {
		return ""
	}
	if m.shape == parentStatus {
		return " (do its parentRefs name Gateways of a GatewayClass this control plane manages?)"
	}
	if m.gvk.Kind == "GatewayClass" {
		return " (is its controllerName one this control plane manages?)"
	}
	return " (is it of a GatewayClass this control plane manages?)"
}

// verdict judges obj: done once every condition has caught up with its
// generation and the awaited condition holds; an error when the control
// plane has refused it.
func (m *kindModel) verdict(obj *unstructured.Unstructured, waitFor string) (done bool, pending string, err error) {
	sets := m.conditionSets(obj)
	gen := obj.GetGeneration()
	for _, s := range sets {
		if s.required && len(s.conditions) == 0 {
			return false, "no status yet", nil
		}
		for _, c := range s.conditions {
			cm, _ := c.(map[string]any)
			if og := asInt(cm["observedGeneration"]); og < gen {
				if og == 0 {
					return false, "no status yet", nil // the CRD's placeholder: no controller has seen it
				}
				return false, fmt.Sprintf("%s: status is of generation %d, the object is at %d", s.about, og, gen), nil
			}
		}
	}
	if len(sets) == 0 {
		return false, "no status yet", nil
	}
	var refusals []string
	for _, s := range sets {
		for _, t := range []string{"Accepted", "ResolvedRefs"} {
			if c := findCondition(s.conditions, t); c != nil && c["status"] == "False" {
				refusals = append(refusals, fmt.Sprintf("%s: %s=False, reason %v: %v", s.about, t, c["reason"], c["message"]))
			}
		}
	}
	if len(refusals) > 0 {
		return false, "", fmt.Errorf("%w: %s", errVerdict, strings.Join(refusals, "; "))
	}
	for _, s := range sets {
		if !s.required {
			continue
		}
		want := waitFor
		if findCondition(s.conditions, want) == nil && want == waitProgrammed && m.shape == parentStatus {
			want = waitAccepted // routes have no Programmed condition
		}
		if c := findCondition(s.conditions, want); c == nil || c["status"] != "True" {
			return false, fmt.Sprintf("%s: waiting for %s=True%s", s.about, want, describe(c)), nil
		}
	}
	return true, "", nil
}

func describe(c map[string]any) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(" (now %v, reason %v: %v)", c["status"], c["reason"], c["message"])
}

func (m *kindModel) conditionSets(obj *unstructured.Unstructured) []conditionSet {
	status, _ := obj.Object["status"].(map[string]any)
	if m.shape == parentStatus {
		var sets []conditionSet
		parents, _ := status["parents"].([]any)
		for _, p := range parents {
			pm, _ := p.(map[string]any)
			ref, _ := pm["parentRef"].(map[string]any)
			conds, _ := pm["conditions"].([]any)
			sets = append(sets, conditionSet{about: fmt.Sprintf("parent %v", ref["name"]), conditions: conds, required: true})
		}
		return sets
	}
	conds, _ := status["conditions"].([]any)
	sets := []conditionSet{{about: m.gvk.Kind, conditions: conds, required: true}}
	listeners, _ := status["listeners"].([]any)
	for _, l := range listeners {
		lm, _ := l.(map[string]any)
		lc, _ := lm["conditions"].([]any)
		sets = append(sets, conditionSet{about: fmt.Sprintf("listener %v", lm["name"]), conditions: lc})
	}
	return sets
}

func findCondition(conds []any, t string) map[string]any {
	for _, c := range conds {
		if cm, ok := c.(map[string]any); ok && cm["type"] == t {
			return cm
		}
	}
	return nil
}

func asInt(x any) int64 {
	switch v := x.(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}
