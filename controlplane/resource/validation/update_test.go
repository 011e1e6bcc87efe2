package validation

import (
	"testing"
)

// mustCreate returns doc as the server would have stored it.
func mustCreate(t *testing.T, doc string) map[string]any {
	t.Helper()
	res, err := validator(t).Create(mustYAML(t, doc))
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("create: %v\n%s", err, formatErrs(res.Errors))
	}
	return res.Object
}

// withVersion sets metadata.resourceVersion, which an update must carry.
func withVersion(obj map[string]any) map[string]any {
	obj["metadata"].(map[string]any)["resourceVersion"] = "7"
	return obj
}

// A CEL transition rule (self == oldSelf) holds on update.
func TestUpdateEnforcesTransitionRules(t *testing.T) {
	v := validator(t)
	old := mustCreate(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg, resourceVersion: "7"}
spec: {controllerName: example.com/a}
`)
	changed := mustYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg, resourceVersion: "7"}
spec: {controllerName: example.com/b, description: now with a description}
`)
	res, err := v.Update(changed, withVersion(old))
	if err != nil {
		t.Fatal(err)
	}
	if !findError(res.Errors, rejection{"spec.controllerName", "Value is immutable"}) {
		t.Errorf("controllerName change accepted; errors:\n%s", formatErrs(res.Errors))
	}
	// Create has no old object, so the same object is fine there.
	if errs := v.Validate(changed); len(errs) > 0 {
		t.Errorf("create rejected:\n%s", formatErrs(errs))
	}
	// And an update leaving controllerName alone is fine.
	same := mustYAML(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg, resourceVersion: "7"}
spec: {controllerName: example.com/a, description: now with a description}
`)
	if res, _ := v.Update(same, withVersion(old)); len(res.Errors) > 0 {
		t.Errorf("unchanged controllerName rejected:\n%s", formatErrs(res.Errors))
	}
}

// The server requires the resourceVersion it hands out back on every
// update; a caller doing an unconditional update copies the stored one in.
func TestUpdateRequiresResourceVersion(t *testing.T) {
	v := validator(t)
	old := withVersion(mustCreate(t, backend(`[{address: "a.example.com:80"}]`)))
	res, _ := v.Update(mustYAML(t, backend(`[{address: "b.example.com:80"}]`)), old)
	if !findError(res.Errors, rejection{"metadata.resourceVersion", "must be specified for an update"}) {
		t.Errorf("update without resourceVersion accepted:\n%s", formatErrs(res.Errors))
	}
}

func TestUpdateRejectsRename(t *testing.T) {
	v := validator(t)
	old := withVersion(mustCreate(t, backend(`[{address: "a.example.com:80"}]`)))
	renamed := withVersion(mustYAML(t, backend(`[{address: "a.example.com:80"}]`)))
	renamed["metadata"].(map[string]any)["name"] = "other"
	res, _ := v.Update(renamed, old)
	if !findError(res.Errors, rejection{"metadata.name", "field is immutable"}) {
		t.Errorf("rename accepted:\n%s", formatErrs(res.Errors))
	}
}

// Ratcheting: an object stored before a rule existed (here: written
// directly, bypassing validation) may still be updated as long as the
// update leaves the offending value alone; touching it applies the rules.
func TestUpdateRatchetsUnchangedInvalidValues(t *testing.T) {
	v := validator(t)
	// What the store holds: defaulted, but never validated.
	stored := func() map[string]any {
		obj := withVersion(mustYAML(t, routeHead+`
  rules:
  - matches: [{path: {type: PathPrefix, value: legacy}}]
    backendRefs: [{name: svc, port: 80}]
`))
		if err := v.Default(obj); err != nil {
			t.Fatal(err)
		}
		return obj
	}
	if errs := v.Validate(stored()); !findError(errs, rejection{"spec.rules[0].matches[0].path", "value must be an absolute path"}) {
		t.Fatalf("precondition: stored route should be invalid today; got:\n%s", formatErrs(errs))
	}

	otherChange := stored()
	otherChange["spec"].(map[string]any)["hostnames"] = []any{"example.com"}
	if errs := v.ValidateUpdate(otherChange, stored()); len(errs) > 0 {
		t.Errorf("update that leaves the legacy path alone rejected:\n%s", formatErrs(errs))
	}

	touched := stored()
	touched["spec"].(map[string]any)["rules"].([]any)[0].(map[string]any)["matches"].([]any)[0].(map[string]any)["path"].(map[string]any)["value"] = "still-legacy"
	if errs := v.ValidateUpdate(touched, stored()); !findError(errs, rejection{"spec.rules[0].matches[0].path", "value must be an absolute path"}) {
		t.Errorf("changed invalid path accepted:\n%s", formatErrs(errs))
	}
}

// Status is the status subresource's: create drops it, update keeps the
// stored one, and a status update is checked against the status schema.
func TestStatusSubresource(t *testing.T) {
	v := validator(t)
	const gc = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg, resourceVersion: "7"}
spec: {controllerName: example.com/a}
`
	withStatus := func(status string) map[string]any {
		return mustYAML(t, gc+"status: "+status+"\n")
	}
	acceptedTrue := `{conditions: [{type: Accepted, status: "True", reason: Accepted, message: ok, lastTransitionTime: "2026-01-01T00:00:00Z"}]}`

	created, err := v.Create(withStatus(acceptedTrue))
	if err != nil || len(created.Errors) > 0 {
		t.Fatalf("create: %v %v", err, created.Errors)
	}
	if _, ok := created.Object["status"]; ok {
		t.Errorf("create kept status %v", created.Object["status"])
	}

	stored := withStatus(acceptedTrue)
	updated, err := v.Update(withStatus(`{conditions: []}`), stored)
	if err != nil || len(updated.Errors) > 0 {
		t.Fatalf("update: %v %v", err, updated.Errors)
	}
	conds := updated.Object["status"].(map[string]any)["conditions"].([]any)
	if len(conds) != 1 {
		t.Errorf("update replaced stored status: %v", updated.Object["status"])
	}

	bad := withStatus(`{conditions: [{type: Accepted, status: Maybe, reason: Accepted, message: ok, lastTransitionTime: "2026-01-01T00:00:00Z"}]}`)
	errs := v.ValidateStatusUpdate(bad, stored)
	if !findError(errs, rejection{"status.conditions[0].status", `Unsupported value: "Maybe"`}) {
		t.Errorf("bad condition status accepted:\n%s", formatErrs(errs))
	}
	if errs := v.ValidateStatusUpdate(withStatus(acceptedTrue), stored); len(errs) > 0 {
		t.Errorf("good status rejected:\n%s", formatErrs(errs))
	}
}
