package validation

import (
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	sharedOnce      sync.Once
	sharedValidator *Validator
	sharedErr       error
)

// validator returns one Validator for the whole test binary, as a server
// would hold one, with every kind built (tests read built kinds' fields).
func validator(t testing.TB) *Validator {
	t.Helper()
	sharedOnce.Do(func() {
		if sharedValidator, sharedErr = New(); sharedErr == nil {
			sharedErr = sharedValidator.BuildAll()
		}
	})
	if sharedErr != nil {
		t.Fatalf("New: %v", sharedErr)
	}
	return sharedValidator
}

func mustYAML(t testing.TB, doc string) map[string]any {
	t.Helper()
	obj, err := FromYAML([]byte(doc))
	if err != nil {
		t.Fatalf("bad test YAML: %v\n%s", err, doc)
	}
	return obj
}

// rejection is one expected error: its field path and a piece of its text.
type rejection struct {
	field  string
	detail string
}

// findError reports whether errs holds an error at want.field whose text
// contains want.detail.
func findError(errs field.ErrorList, want rejection) bool {
	for _, e := range errs {
		if e.Field == want.field && strings.Contains(e.Error(), want.detail) {
			return true
		}
	}
	return false
}

// invalidCase is an object that kube-apiserver, with the CRDs installed,
// rejects on create.
type invalidCase struct {
	name string
	doc  string
	want rejection
}

func runInvalid(t *testing.T, cases []invalidCase) {
	t.Helper()
	v := validator(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Create(mustYAML(t, tc.doc))
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if len(res.Errors) == 0 {
				t.Fatalf("accepted; want %s: %q", tc.want.field, tc.want.detail)
			}
			if res.Object != nil {
				t.Errorf("rejected object still returned")
			}
			if !findError(res.Errors, tc.want) {
				t.Errorf("want error at %s containing %q; got:\n%s", tc.want.field, tc.want.detail, formatErrs(res.Errors))
			}
		})
	}
}

func formatErrs(errs field.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("  ")
		b.WriteString(e.Error())
		b.WriteString("\n")
	}
	return b.String()
}
