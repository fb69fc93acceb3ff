package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Memory and thread checks of C programs: AddressSanitizer (valgrind where
// ASan is unusable) and ThreadSanitizer. A check that cannot run skips its
// test, except under CI, where a skip would hide a broken setup.

// asanCFlags compile a C program for AddressSanitizer.
var asanCFlags = []string{"-fsanitize=address", "-fno-omit-frame-pointer", "-g"}

// asanTestOptions are the ASAN_OPTIONS of a C test program's run.
const asanTestOptions = "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"

// valgrindArgs runs bin under valgrind's memcheck for invalid accesses. The
// Go runtime's stack copying reads words valgrind believes uninitialised, so
// that check is off; addressing errors still fail the run.
func valgrindArgs(bin string) []string {
	return []string{"--error-exitcode=1", "--leak-check=no", "--undef-value-errors=no", "-q", bin}
}

// skipUnlessCI skips the test for want of a tool it needs, or fails it
// under CI, which must run it.
func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...) // CI must run it
	}
	t.Skipf(format, args...)
}

// asanOrValgrind checks a C program for memory errors with the archive's
// own C code instrumented too: it builds the archive in dir with go build
// -asan and calls asan with it, which links the program (with asanCFlags)
// and, if that worked, runs and checks it, and returns the link's output
// and error. Where the archive or the link fails, valgrind stands in: the
// archive is built again without -asan and passed to valgrind along with
// the path of the valgrind binary. With neither, the test is skipped.
func asanOrValgrind(t *testing.T, dir string, asan func(lib string) (string, error), valgrind func(lib, valgrindPath string)) {
	t.Helper()
	lib, out, err := buildArchive(dir, "-asan")
	if err == nil {
		if out, err = asan(lib); err == nil {
			return
		}
	}
	t.Logf("AddressSanitizer unavailable, trying valgrind: %v\n%s", err, out)
	valgrindPath, lerr := exec.LookPath("valgrind")
	if lerr != nil {
		skipUnlessCI(t, "neither AddressSanitizer nor valgrind usable: %v", lerr)
	}
	lib, out, err = buildArchive(dir)
	require.NoError(t, err, "%s", out)
	valgrind(lib, valgrindPath)
}

// requireCTestMemory runs a C test program (one that prints "N passed, M
// failed") as asanOrValgrind does and requires every check to pass. link
// links it in dir against lib with cflags; vgArgs gives valgrind's
// arguments for the binary.
func requireCTestMemory(t *testing.T, link func(gcc, dir, lib string, cflags ...string) (string, string, error), vgArgs func(bin string) []string) {
	t.Helper()
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	asanOrValgrind(t, dir, func(lib string) (string, error) {
		bin, out, err := link(gcc, dir, lib, asanCFlags...)
		if err == nil {
			cmd := exec.Command(bin)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), asanTestOptions)
			b, runErr := cmd.CombinedOutput()
			requirePassed(t, string(b), runErr)
		}
		return out, err
	}, func(lib, valgrindPath string) {
		bin, out, err := link(gcc, dir, lib, "-g")
		require.NoError(t, err, "%s", out)
		out, err = run(dir, valgrindPath, vgArgs(bin)...)
		requirePassed(t, out, err)
	})
}

// requireCTestThreads builds the C test program name under ThreadSanitizer
// from sources (paths relative to this package), runs it and requires
// every check to pass. The Go runtime cannot run under TSan from C, so the
// shim's C sources are compiled straight into the program instead of
// coming from the archive.
func requireCTestThreads(t *testing.T, name string, sources ...string) {
	t.Helper()
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-O1", "-fsanitize=thread", "-I../include"}, sources...)
	args = append(args, "-lpthread", "-o", bin)
	out, err := run(".", gcc, args...)
	if err != nil {
		skipUnlessCI(t, "ThreadSanitizer unavailable: %v\n%s", err, out)
	}
	out, err = run(dir, bin)
	requirePassed(t, out, err)
}
