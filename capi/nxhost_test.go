package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// These tests drive the C side as an application would: build the archive,
// compile C against include/, link, run. A _test.go file cannot use cgo, so
// the C program lives in testdata and is compiled here.

const hostTestSource = "testdata/nx_host_test.c"

// passLine is the last line the C test prints when every check passed.
var passLine = regexp.MustCompile(`(?m)^[1-9][0-9]* passed, 0 failed$`)

// needTool returns the path of a tool the test cannot do without. Missing, it
// skips the test, except under CI, where a skip would hide a broken setup.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return path
}

// run runs a command and returns its combined output and error.
func run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// buildArchive builds this package as a C archive in dir.
func buildArchive(dir string, flags ...string) (string, string, error) {
	lib := filepath.Join(dir, "libnxpop3.a")
	args := append([]string{"build", "-buildmode=c-archive"}, flags...)
	args = append(args, "-o", lib, ".")
	out, err := run(".", "go", args...)
	return lib, out, err
}

// linkHostTest compiles the C test against the public headers and links it
// with lib. The whole archive is linked so the Go runtime starts alongside
// the C code, as it will in an application that calls the POP3 services.
func linkHostTest(gcc, dir, lib string, cflags ...string) (string, string, error) {
	bin := filepath.Join(dir, "nx_host_test")
	args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-I../include"}, cflags...)
	args = append(args, hostTestSource,
		"-Wl,--whole-archive", lib, "-Wl,--no-whole-archive",
		"-lpthread", "-o", bin)
	out, err := run(".", gcc, args...)
	return bin, out, err
}

func requirePassed(t *testing.T, out string, err error) {
	t.Helper()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, passLine, out)
	t.Logf("%s", out)
}

// requireCTest builds the archive, links a C test program with it (link
// as linkHostTest), runs it and requires every check to pass. It returns
// the binary and the directory it ran in.
func requireCTest(t *testing.T, link func(gcc, dir, lib string, cflags ...string) (string, string, error)) (string, string) {
	t.Helper()
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	lib, out, err := buildArchive(dir)
	require.NoError(t, err, "%s", out)
	bin, out, err := link(gcc, dir, lib)
	require.NoError(t, err, "%s", out)
	out, err = run(dir, bin)
	requirePassed(t, out, err)
	return bin, dir
}

func TestNXHostHeaderCompiles(t *testing.T) {
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "hdr.c")
	// Both headers in both orders: the shared base types must not collide.
	require.NoError(t, os.WriteFile(src, []byte(`#include "nx_host_types.h"
#include "nx_api.h"
#include "nx_api.h"
#include "nx_host_types.h"
#include "../capi/nx_host_internal.h"
static NX_PACKET_POOL pool;
static NXD_ADDRESS server = {NX_IP_VERSION_V4, {IP_ADDRESS(127, 0, 0, 1)}};
int main(void) { return nx_packet_pool_delete(&pool) == NX_PTR_ERROR && nxhost_pool_valid(&pool) == NX_FALSE && server.nxd_ip_address.v4 != 0 ? 0 : 1; }
`), 0o644))
	inc := "-I" + mustAbs(t, "../include")

	for _, std := range []string{"c99", "c11"} {
		out, err := run(dir, gcc, "-std="+std, "-Wall", "-Wextra", "-Werror", "-pedantic", inc, "-fsyntax-only", src)
		require.NoError(t, err, "-std=%s: %s", std, out)
	}

	gxx := needTool(t, "g++")
	out, err := run(dir, gxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", inc, "-x", "c++", "-fsyntax-only", src)
	require.NoError(t, err, "C++: %s", out)
}

func TestNXHostC(t *testing.T) {
	requireCTest(t, linkHostTest)
}

// TestNXHostCMemory runs the C test under AddressSanitizer, with the archive's
// own C code instrumented too (go build -asan). Where ASan cannot be used,
// valgrind stands in; with neither, the test is skipped.
func TestNXHostCMemory(t *testing.T) {
	requireCTestMemory(t, linkHostTest, valgrindArgs)
}

// TestNXHostCThreads checks the pool locking with ThreadSanitizer. The Go
// runtime cannot run under TSan from C, so the shim's C source is compiled
// straight into the test program instead of coming from the archive.
func TestNXHostCThreads(t *testing.T) {
	requireCTestThreads(t, "nx_host_test_tsan", hostTestSource, "nx_host.c")
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	return abs
}
