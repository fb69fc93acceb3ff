package ctest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/testenv"
)

// Target is an embedded Linux target the C API is cross-built for: the
// archive with Go's cross compiler and cgo through Debian's cross gcc, the
// C programs with that gcc, run under qemu-user with the target's C library
// from its sysroot. The Makefile's cross targets (make cross, make
// test-cross) use the same settings.
type Target struct {
	Name    string // as make cross names it: arm64, arm
	GOARCH  string
	GOARM   string // for arm: 7, hard float
	CC      string // the cross gcc
	QEMU    string // the qemu-user binary
	Sysroot string // the target's libraries, for qemu -L
}

// Targets are the embedded Linux targets: 64-bit ARM, and ARMv7 with hard
// float (Raspberry Pi 2 and later, i.MX6/7, STM32MP1, most Cortex-A boards).
var Targets = []Target{
	{Name: "arm64", GOARCH: "arm64", CC: "aarch64-linux-gnu-gcc", QEMU: "qemu-aarch64", Sysroot: "/usr/aarch64-linux-gnu"},
	{Name: "arm", GOARCH: "arm", GOARM: "7", CC: "arm-linux-gnueabihf-gcc", QEMU: "qemu-arm", Sysroot: "/usr/arm-linux-gnueabihf"},
}

// ForEachTarget runs fn for every target as a parallel subtest, after
// checking its tools are there (testenv.Cross's policy when they are not).
func ForEachTarget(t *testing.T, fn func(t *testing.T, tg Target)) {
	t.Helper()
	for _, tg := range Targets {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			tg.need(t)
			fn(t, tg)
		})
	}
}

func (tg Target) need(t testing.TB) {
	t.Helper()
	for _, tool := range []string{tg.CC, tg.QEMU} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Cross.Unavailable(t, "%s not found: %v", tool, err)
		}
	}
	// The compilers only recommend their C library: a sysroot without it
	// has no headers to build against.
	if _, err := os.Stat(filepath.Join(tg.Sysroot, "include", "stdlib.h")); err != nil {
		testenv.Cross.Unavailable(t, "no C library for %s: %v", tg.Name, err)
	}
}

// GoEnv is the environment of a go build for the target.
func (tg Target) GoEnv() []string {
	env := []string{"CGO_ENABLED=1", "GOOS=linux", "GOARCH=" + tg.GOARCH, "CC=" + tg.CC}
	if tg.GOARM != "" {
		env = append(env, "GOARM="+tg.GOARM)
	}
	return env
}

// Archive returns the C archive built for the target, once per test binary.
func (tg Target) Archive(t testing.TB) string {
	t.Helper()
	return Once(t, "cross-lib-"+tg.Name, func(dir string) (string, string, error) {
		lib := filepath.Join(dir, "libnxpop3.a")
		cmd := exec.Command("go", "build", "-buildmode=c-archive", "-o", lib, ArchivePackage)
		cmd.Dir = Root()
		cmd.Env = append(os.Environ(), tg.GoEnv()...)
		out, err := cmd.CombinedOutput()
		return lib, string(out), err
	})
}

// Program compiles the C program src (relative to the calling package's
// directory, or several sources separated by spaces) for the target with
// the strict flags, linked with the whole archive, once per test binary.
func (tg Target) Program(t testing.TB, src string, extra ...string) string {
	t.Helper()
	lib := tg.Archive(t)
	wd, err := os.Getwd()
	require.NoError(t, err)
	key := "cross-" + tg.Name + " " + filepath.Base(wd) + " " + src + " " + strings.Join(extra, " ")
	return Once(t, key, func(dir string) (string, string, error) {
		srcs := strings.Fields(src)
		bin := filepath.Join(dir, strings.TrimSuffix(filepath.Base(srcs[0]), ".c"))
		args := append(append(CFlags(), "-O2"), extra...)
		args = append(args, srcs...)
		args = append(args, "-Wl,--whole-archive", lib, "-Wl,--no-whole-archive", "-lpthread", "-o", bin)
		cmd := exec.Command(tg.CC, args...)
		cmd.Dir = wd
		out, err := cmd.CombinedOutput()
		return bin, string(out), err
	})
}

// Command runs bin under qemu-user for the target, in a context that ends
// it after timeout.
func (tg Target) Command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, tg.QEMU, append([]string{"-L", tg.Sysroot, bin}, args...)...)
}

// RequireProgram builds the check.h test program src for the target, runs
// it under qemu-user in a directory of its own with env added, and requires
// every check to pass.
func (tg Target) RequireProgram(t testing.TB, src string, env ...string) {
	t.Helper()
	bin := tg.Program(t, src)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := tg.Command(ctx, bin)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	RequirePassed(t, string(out), err)
}
