package main

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// readJSON must read every input as json.Unmarshal into an any does: the
// same value, or an error when it errs.
func checkReadJSON(t *testing.T, in string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(in), &want)
	got, err := readJSON([]byte(in))
	if (err != nil) != (wantErr != nil) {
		t.Errorf("readJSON(%q): error %v, json.Unmarshal %v", in, err, wantErr)
		return
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("readJSON(%q) = %#v, json.Unmarshal %#v", in, got, want)
	}
}

func TestReadJSONAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, ` { "a" : [ 1 , 2.5 , -0 , -3e2 , 1E400 , 0.1e-2 ] } `, `{"a":1,"a":2}`,
		`"plain"`, `"esc\"aped\\ \u00e9 \ud83d\ude00 \ud800"`, `"tab	in"`, "\"\xff\xfe invalid utf-8\"", `"é"`,
		`{"a":{"b":{"c":[true,false,null,{}]}}}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `[1 2]`, `01`, `1.`, `-`, `+1`,
		`1e`, `.5`, `tru`, `nul`, `"unterminated`, `"bad \x escape"`, `{"a":1}x`, ``, ` `, `[`, `{`, `{"a"`,
		`123456789012345678901234567890`, `9007199254740993`, `-9.999e-400`, `"\\"`, `"a\\\"b"`, `"\"`,
	} {
		checkReadJSON(t, in)
	}
}

func TestReadJSONRandomInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{`{`, `}`, `[`, `]`, `"a"`, `"b\n"`, `"\u00e9"`, `:`, `,`, `1`, `-2.5e3`, `0`, `true`, `null`, ` `, `"`, `\`, `é`, "\x01"}
	for range 20000 {
		var s string
		for range rng.IntN(12) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		checkReadJSON(t, s)
	}
}
