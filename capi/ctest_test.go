package main

import (
	"context"
	"fmt"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// The C programs of these tests link the archive the way an application
// does. Building it takes a while, so it is built once per variant and
// shared by every test; TestMain removes what was built.

// cVariant is one way of building the archive and the programs linked
// with it.
type cVariant struct {
	name    string
	goflags []string // for go build -buildmode=c-archive
	cflags  []string // for compiling and linking the C programs
}

var (
	cPlain = cVariant{name: "plain", cflags: []string{"-O2"}}
	// cASan instruments both the archive's C code (go build -asan) and the
	// test program, so that an overflow on either side of the boundary is
	// caught.
	cASan = cVariant{name: "asan", goflags: []string{"-asan"},
		cflags: []string{"-O1", "-g", "-fsanitize=address", "-fno-omit-frame-pointer"}}
)

var cBuilds = struct {
	sync.Mutex
	root string
	done map[string]*cBuildResult
}{done: map[string]*cBuildResult{}}

type cBuildResult struct {
	once sync.Once
	path string
	out  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	cBuilds.Lock()
	if cBuilds.root != "" {
		os.RemoveAll(cBuilds.root)
	}
	cBuilds.Unlock()
	os.Exit(code)
}

// cBuildOnce runs build once per key, in a directory shared by the tests.
func cBuildOnce(t testing.TB, key string, build func(dir string) (string, string, error)) string {
	t.Helper()
	cBuilds.Lock()
	if cBuilds.root == "" {
		root, err := os.MkdirTemp("", "capi-ctest-")
		if err != nil {
			cBuilds.Unlock()
			t.Fatal(err)
		}
		cBuilds.root = root
	}
	r := cBuilds.done[key]
	if r == nil {
		r = &cBuildResult{}
		cBuilds.done[key] = r
	}
	root := cBuilds.root
	cBuilds.Unlock()
	r.once.Do(func() {
		dir := filepath.Join(root, strings.NewReplacer("/", "_", ".", "_").Replace(key))
		if r.err = os.MkdirAll(dir, 0o755); r.err == nil {
			r.path, r.out, r.err = build(dir)
		}
	})
	require.NoError(t, r.err, "building %s:\n%s", key, r.out)
	return r.path
}

// cArchive returns the archive built for v.
func cArchive(t testing.TB, v cVariant) string {
	t.Helper()
	cNeedGCC(t)
	return cBuildOnce(t, "lib-"+v.name, func(dir string) (string, string, error) {
		return ctest.BuildArchive(dir, v.goflags...)
	})
}

// cProgram compiles src (relative to this package) as the Makefile
// compiles the examples, links it with the archive of v and returns the
// binary.
func cProgram(t testing.TB, src string, v cVariant) string {
	t.Helper()
	gcc := cNeedGCC(t)
	lib := cArchive(t, v)
	return cBuildOnce(t, v.name+"-"+src, func(dir string) (string, string, error) {
		bin := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
		args := append(ctest.CFlags(), v.cflags...)
		args = append(args, src, lib, "-lpthread", "-o", bin)
		out, err := ctest.Run(".", gcc, args...)
		return bin, out, err
	})
}

// cNeedGCC is needTool for tests and benchmarks alike.
func cNeedGCC(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("gcc")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gcc is required under CI: %v", err)
		}
		t.Skipf("gcc not found: %v", err)
	}
	return path
}

// cServer starts a pop3test server for one test.
func cServer(t *testing.T, opts pop3test.Options) *pop3test.Server {
	t.Helper()
	srv, err := pop3test.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv
}

// cRun runs a C program against srv and returns its output and error. The
// account is demo/secret unless env says otherwise.
func cRun(t *testing.T, v cVariant, bin string, srv *pop3test.Server, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "POP3_USER=demo", "POP3_PASSWORD=secret")
	if srv != nil {
		cmd.Env = append(cmd.Env, "POP3_SERVER="+srv.Addr())
	}
	if v.name == cASan.name {
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
func runScenario(t *testing.T, v cVariant, srv *pop3test.Server, scenario string, env ...string) string {
	t.Helper()
	bin := cProgram(t, "testdata/pop3_client_test.c", v)
	out, err := cRun(t, v, bin, srv, env, scenario)
	ctest.RequirePassed(t, out, err)
	return out
}
