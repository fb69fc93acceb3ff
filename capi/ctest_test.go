package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// The C programs of these tests link the archive the way an application
// does, built once per variant by ctest and shared by every test.

// TestMain removes the C builds and stops the Dovecot the tests shared.
func TestMain(m *testing.M) {
	code := m.Run()
	ctest.RemoveBuilds()
	dovecot.StopAll()
	os.Exit(code)
}

// cRun runs a C program against srv and returns its output and error. The
// account is demo/secret unless env says otherwise.
func cRun(t *testing.T, v ctest.Variant, bin string, srv *pop3test.Server, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "POP3_USER=demo", "POP3_PASSWORD=secret")
	if srv != nil {
		cmd.Env = append(cmd.Env, "POP3_SERVER="+srv.Addr())
	}
	if v.Name == ctest.ASan.Name {
		// The Go runtime's allocations are not C leaks, but the
		// LeakSanitizer cannot tell them apart once goroutines run
		// network code; overflows and use-after-free are what we want.
		cmd.Env = append(cmd.Env, "ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=23")
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out: %w", bin, ctx.Err())
	}
	return string(out), err
}

// runScenario runs one scenario of testdata/pop3_client_test.c and
// requires every check to pass.
func runScenario(t *testing.T, v ctest.Variant, srv *pop3test.Server, scenario string, env ...string) string {
	t.Helper()
	bin := ctest.Program(t, v, "testdata/pop3_client_test.c")
	out, err := cRun(t, v, bin, srv, env, scenario)
	ctest.RequirePassed(t, out, err)
	return out
}
