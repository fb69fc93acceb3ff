// Package ctest builds and runs the C test programs of this module: C code
// compiled against include/ as an application compiles it, linked with the
// c-archive that capi builds into, and checked for memory and thread errors.
//
// A _test.go file cannot use cgo, so every C test lives in a package's
// testdata and is compiled by these helpers. A test that lacks a tool it
// needs (gcc, a sanitizer) skips, except under CI (CI=true), where a skip
// would hide a broken setup and fails instead.
package ctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// ArchivePackage is the package built into the C archive the tests link.
const ArchivePackage = "github.com/nxpop3/nxpop3/capi"

// StrictFlags compile C the way the project's C code must compile.
var StrictFlags = []string{"-std=c99", "-Wall", "-Wextra", "-Werror"}

// ASanCFlags compile a C program for AddressSanitizer.
var ASanCFlags = []string{"-fsanitize=address", "-fno-omit-frame-pointer", "-g"}

// ASanOptions is the ASAN_OPTIONS setting of a C test program's run.
const ASanOptions = "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"

// passLine is the last line a C test prints when every check passed
// (check.h's summary).
var passLine = regexp.MustCompile(`(?m)^[1-9][0-9]* passed, 0 failed$`)

// Root is the module's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// IncludeFlags are the -I flags of a C test program: the public headers,
// and the helpers C tests share (check.h, testenv.h).
func IncludeFlags() []string {
	root := Root()
	return []string{"-I" + filepath.Join(root, "include"), "-I" + filepath.Join(root, "internal", "ctest", "cinclude")}
}

// NeedTool returns the path of a tool the test cannot do without; missing,
// it skips the test (fails it under CI).
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		SkipUnlessCI(t, "%s not found: %v", name, err)
	}
	return path
}

// SkipUnlessCI skips the test for want of something it needs, or fails it
// under CI, which must run it.
func SkipUnlessCI(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// CFlags returns, in a new slice, StrictFlags followed by IncludeFlags: the
// start of every compile of a C test program.
func CFlags() []string {
	return append(append([]string{}, StrictFlags...), IncludeFlags()...)
}

// Run runs a command in dir and returns its combined output and error.
func Run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// BuildArchive builds ArchivePackage as a C archive in dir, with extra go
// build flags (such as -asan).
func BuildArchive(dir string, flags ...string) (lib, out string, err error) {
	lib = filepath.Join(dir, "libnxpop3.a")
	args := append([]string{"build", "-buildmode=c-archive"}, flags...)
	args = append(args, "-o", lib, ArchivePackage)
	out, err = Run(Root(), "go", args...)
	return lib, out, err
}

// RequirePassed requires a C test program's run to have succeeded with
// check.h's all-passed summary, and logs its output.
func RequirePassed(t testing.TB, out string, err error) {
	t.Helper()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, passLine, out)
	t.Logf("%s", out)
}

// Linker links a C test program in dir against the archive lib, with extra
// compiler flags, and returns the binary, the compiler's output and error.
type Linker func(gcc, dir, lib string, cflags ...string) (bin, out string, err error)

// WholeArchive returns a Linker for the C program src (relative to the
// calling package's directory) named name. The whole archive is linked so
// the Go runtime starts alongside the C code, as it does in an application
// that calls the POP3 services.
func WholeArchive(name, src string) Linker {
	return func(gcc, dir, lib string, cflags ...string) (string, string, error) {
		bin := filepath.Join(dir, name)
		args := append(CFlags(), cflags...)
		args = append(args, src, "-Wl,--whole-archive", lib, "-Wl,--no-whole-archive", "-lpthread", "-o", bin)
		out, err := Run(".", gcc, args...)
		return bin, out, err
	}
}

// RequireProgram builds the archive, links a C test program with link,
// runs it and requires every check to pass. It returns the binary and the
// directory it ran in.
func RequireProgram(t testing.TB, link Linker) (bin, dir string) {
	t.Helper()
	gcc := NeedTool(t, "gcc")
	dir = t.TempDir()
	lib, out, err := BuildArchive(dir)
	require.NoError(t, err, "%s", out)
	bin, out, err = link(gcc, dir, lib)
	require.NoError(t, err, "%s", out)
	out, err = Run(dir, bin)
	RequirePassed(t, out, err)
	return bin, dir
}

// ValgrindArgs runs bin under valgrind's memcheck for invalid accesses. The
// Go runtime's stack copying reads words valgrind believes uninitialised, so
// that check is off; addressing errors still fail the run.
func ValgrindArgs(bin string) []string {
	return []string{"--error-exitcode=1", "--leak-check=no", "--undef-value-errors=no", "-q", bin}
}

// ASanOrValgrind checks a C program for memory errors with the archive's
// own C code instrumented too: it builds the archive in dir with go build
// -asan and calls asan with it, which links the program (with ASanCFlags)
// and, if that worked, runs and checks it, and returns the link's output
// and error. Where the archive or the link fails, valgrind stands in: the
// archive is built again without -asan and passed to valgrind along with
// the path of the valgrind binary. With neither, the test skips (fails
// under CI).
func ASanOrValgrind(t testing.TB, dir string, asan func(lib string) (string, error), valgrind func(lib, valgrindPath string)) {
	t.Helper()
	lib, out, err := BuildArchive(dir, "-asan")
	if err == nil {
		if out, err = asan(lib); err == nil {
			return
		}
	}
	t.Logf("AddressSanitizer unavailable, trying valgrind: %v\n%s", err, out)
	valgrindPath, lerr := exec.LookPath("valgrind")
	if lerr != nil {
		SkipUnlessCI(t, "neither AddressSanitizer nor valgrind usable: %v", lerr)
	}
	lib, out, err = BuildArchive(dir)
	require.NoError(t, err, "%s", out)
	valgrind(lib, valgrindPath)
}

// RequireMemory runs a C test program as ASanOrValgrind does and requires
// every check to pass; vgArgs gives valgrind's arguments for the binary.
func RequireMemory(t testing.TB, link Linker, vgArgs func(bin string) []string) {
	t.Helper()
	gcc := NeedTool(t, "gcc")
	dir := t.TempDir()
	ASanOrValgrind(t, dir, func(lib string) (string, error) {
		bin, out, err := link(gcc, dir, lib, ASanCFlags...)
		if err == nil {
			cmd := exec.Command(bin)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), ASanOptions)
			b, runErr := cmd.CombinedOutput()
			RequirePassed(t, string(b), runErr)
		}
		return out, err
	}, func(lib, valgrindPath string) {
		bin, out, err := link(gcc, dir, lib, "-g")
		require.NoError(t, err, "%s", out)
		out, err = Run(dir, valgrindPath, vgArgs(bin)...)
		RequirePassed(t, out, err)
	})
}

// RequireThreads builds the C test program name under ThreadSanitizer from
// sources (paths relative to the calling package), runs it and requires
// every check to pass. The Go runtime cannot run under TSan from C, so the
// shims' C sources are compiled straight into the program instead of
// coming from the archive.
func RequireThreads(t testing.TB, name string, sources ...string) {
	t.Helper()
	gcc := NeedTool(t, "gcc")
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	args := append(CFlags(), "-g", "-O1", "-fsanitize=thread")
	args = append(append(args, sources...), "-lpthread", "-o", bin)
	out, err := Run(".", gcc, args...)
	if err != nil {
		SkipUnlessCI(t, "ThreadSanitizer unavailable: %v\n%s", err, out)
	}
	out, err = Run(dir, bin)
	RequirePassed(t, out, err)
}
