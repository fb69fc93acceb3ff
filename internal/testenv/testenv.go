// Package testenv is the one skip policy of this module's tests.
//
// A test that cannot run for want of something on the machine (Dovecot, a
// sanitizer, an IPv6 loopback, a compiler) fails, naming the one command
// that provides it, unless the user opted out of that need by name with its
// environment variable (NXPOP3_SKIP_DOVECOT=1, ...). Only then does it
// skip, and the skip is recorded: when NXPOP3_SKIP_SUMMARY names a file
// (make test sets it), one line per skipped test is appended to it, and
// make test ends with a line counting them and saying why. A skip never
// passes for a test run.
//
// Tests that are not part of make test by design (the long stress runs)
// use OptIn: they run only when their variable is set, and are recorded
// the same way when they do not.
package testenv

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Need is something a test needs from the machine.
type Need struct {
	// Name says what is missing, for people ("Dovecot").
	Name string
	// OptOut is the environment variable that, set to 1, skips the tests
	// that need it instead of failing them.
	OptOut string
	// Fix is the one command that provides it.
	Fix string
}

// The needs of this module's tests.
var (
	Dovecot = Need{"Dovecot", "NXPOP3_SKIP_DOVECOT",
		"make dovecot-ready (as root; it runs build/dovecot/install.sh)"}
	Sanitizers = Need{"a memory or thread checker (AddressSanitizer, valgrind, ThreadSanitizer)", "NXPOP3_SKIP_SANITIZERS",
		"apt-get install gcc valgrind (as root)"}
	IPv6 = Need{"an IPv6 loopback address (::1)", "NXPOP3_SKIP_IPV6",
		"sysctl -w net.ipv6.conf.lo.disable_ipv6=0 (as root)"}
	CTools = Need{"a C toolchain (gcc, g++)", "NXPOP3_SKIP_CTOOLS",
		"apt-get install gcc g++ (as root)"}
	Cross = Need{"the ARM cross compilers and qemu-user", "NXPOP3_SKIP_CROSS",
		"apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user (as root)"}
	PTY = Need{"a pseudo-terminal (/dev/ptmx and devpts)", "NXPOP3_SKIP_PTY",
		"mount -t devpts devpts /dev/pts (as root)"}
	OffHostAddress = Need{"an IPv4 address other than loopback on this host", "NXPOP3_SKIP_OFFHOST",
		"ip addr add 192.0.2.2/24 dev lo (as root; any address outside 127.0.0.0/8 will do)"}
)

// SummaryEnv names the file skips are recorded in.
const SummaryEnv = "NXPOP3_SKIP_SUMMARY"

// Unavailable ends t for want of n: it fails with the reason and n.Fix,
// or, when n.OptOut is set to 1, skips and records the skip.
func (n Need) Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv(n.OptOut) != "1" {
		t.Fatalf("%s\n%s is missing; to provide it run: %s\n(or set %s=1 to skip the tests that need it)",
			reason, n.Name, n.Fix, n.OptOut)
	}
	record(t, n.OptOut, n.Name+" missing")
	t.Skipf("%s (%s=1)", reason, n.OptOut)
}

// OptIn skips t unless the environment variable env is set to 1: for
// tests that make test leaves to another target (run names it).
func OptIn(t testing.TB, env, run string) {
	t.Helper()
	if os.Getenv(env) == "1" {
		return
	}
	record(t, env, "not set: "+run+" runs them")
	t.Skipf("set %s=1 (%s) to run this test", env, run)
}

// Stress runs t only under make stress (NXPOP3_STRESS=1): the long runs
// that make test leaves out.
func Stress(t testing.TB) {
	t.Helper()
	OptIn(t, "NXPOP3_STRESS", "make stress")
}

// record appends one line for a skipped test to the summary file, if any:
// "VARIABLE<TAB>why<TAB>package.Test". Each line is one write on a file
// opened for appending, so test binaries running in parallel do not mix
// their lines.
func record(t testing.TB, env, why string) {
	path := os.Getenv(SummaryEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Errorf("testenv: recording the skip: %v", err)
		return
	}
	defer f.Close()
	line := strings.Join([]string{env, why, t.Name()}, "\t") + "\n"
	if _, err := f.WriteString(line); err != nil {
		t.Errorf("testenv: recording the skip: %v", err)
	}
}
