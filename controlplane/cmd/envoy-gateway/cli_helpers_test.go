package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// runCLI executes the CLI in-process as a user would: args as on the command
// line, stdin as given. err is what makes main exit 1.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(io.NopCloser(strings.NewReader(stdin)))
	root.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}
