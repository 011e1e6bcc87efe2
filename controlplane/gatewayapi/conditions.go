package gatewayapi

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cond is a condition before it is stamped with generation and time.
type cond struct {
	Type    string
	Status  metav1.ConditionStatus
	Reason  string
	Message string
}

func condTrue(typ, reason, msg string) cond {
	return cond{Type: typ, Status: metav1.ConditionTrue, Reason: reason, Message: msg}
}

func condFalse(typ, reason, msg string) cond {
	return cond{Type: typ, Status: metav1.ConditionFalse, Reason: reason, Message: msg}
}

// stamp turns want into API conditions. lastTransitionTime moves only when
// a condition's status changes, as the API conventions require, so it is
// carried over from old when the status is the same.
func (t *translator) stamp(gen int64, old []metav1.Condition, want []cond) []metav1.Condition {
	return t.stampInto(make([]metav1.Condition, 0, len(want)), gen, old, want)
}

// stampInto is stamp appending to out.
func (t *translator) stampInto(out []metav1.Condition, gen int64, old []metav1.Condition, want []cond) []metav1.Condition {
	for _, w := range want {
		c := metav1.Condition{
			Type:               w.Type,
			Status:             w.Status,
			Reason:             w.Reason,
			Message:            truncate(w.Message),
			ObservedGeneration: gen,
			LastTransitionTime: t.now,
		}
		if prev := findCondition(old, w.Type); prev != nil && prev.Status == w.Status {
			c.LastTransitionTime = prev.LastTransitionTime
		} else {
			t.stampedNow = true
		}
		out = append(out, c)
	}
	return out
}

// stampKeeping is stamp for top-level object conditions: types we do not
// manage (another controller's, or future ones) are kept, as the Gateway
// API asks of every controller.
func (t *translator) stampKeeping(gen int64, old []metav1.Condition, want []cond, managed ...string) []metav1.Condition {
	out := t.stamp(gen, old, want)
	for _, c := range old {
		if !slices.Contains(managed, c.Type) && findCondition(out, c.Type) == nil {
			out = append(out, c)
		}
	}
	return out
}

func findCondition(cs []metav1.Condition, typ string) *metav1.Condition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}

// maxMessage is the CRD's limit on condition messages.
const maxMessage = 32768

func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	return s[:maxMessage-3] + "..."
}
