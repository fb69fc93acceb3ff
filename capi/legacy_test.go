package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// These tests cover what a classic NetX Duo application needs beyond the
// POP3 calls: the ThreadX shim (include/tx_api.h, tx_host.c) and
// cexamples/legacy_demo.c, an application in the vendor's shape whose
// server address is hard-coded and redirected with NXPOP3_CONNECT_TO.

const (
	txTestSource     = "testdata/tx_host_test.c"
	legacyDemoSource = "cexamples/legacy_demo.c"

	// The account legacy_demo.c has hard-coded.
	legacyUser     = "testuser"
	legacyPassword = "testpwd"
)

// legacyMessages returns messages for the demo to download: short ones and
// one spanning many packets whose lines fill packets to the brim, so that
// printf("%s", nx_packet_prepend_ptr) relies on the NUL kept after the data.
func legacyMessages(tag string) [][]byte {
	var big strings.Builder
	big.WriteString("Subject: big " + tag + "\r\n\r\n")
	for i := 0; big.Len() < 20000; i++ {
		fmt.Fprintf(&big, "line %05d of the big message %s, padded to make packets full .....\r\n", i, tag)
	}
	big.WriteString(".leading dot survives un-stuffing\r\n")
	return [][]byte{
		[]byte("Subject: first " + tag + "\r\n\r\nHello from the first message.\r\n"),
		[]byte(big.String()),
		[]byte("Subject: third " + tag + "\r\n\r\nThe last one.\r\n"),
	}
}

// buildLegacyDemo compiles cexamples/legacy_demo.c from the repository root
// exactly as an application would be: against include/ only, with the
// archive and pthreads. extra flags (sanitizers) go before the source.
func buildLegacyDemo(t *testing.T, gcc, dir, lib string, extra ...string) string {
	t.Helper()
	bin := filepath.Join(dir, "legacy_demo")
	args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-Iinclude"}, extra...)
	args = append(args, legacyDemoSource, lib, "-lpthread", "-o", bin)
	out, err := run("..", gcc, args...)
	require.NoError(t, err, "gcc %s\n%s", strings.Join(args, " "), out)
	return bin
}

// runLegacyDemo runs the demo with its hard-coded server redirected to addr.
func runLegacyDemo(t *testing.T, bin, addr string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), "NXPOP3_CONNECT_TO="+addr)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// requireDemoOutput checks a successful run: every message printed whole,
// in order, and the closing line.
func requireDemoOutput(t *testing.T, out string, err error, msgs [][]byte) {
	t.Helper()
	require.NoError(t, err, "legacy_demo failed:\n%s", out)
	require.Contains(t, out, fmt.Sprintf("%d mail items", len(msgs)))
	rest := out
	for i, m := range msgs {
		j := strings.Index(rest, string(m))
		require.GreaterOrEqual(t, j, 0, "message %d not printed whole (or out of order):\n%s", i+1, out)
		rest = rest[j+len(m):]
	}
	require.Contains(t, out, "--- done")
}

func TestTXHeaderCompiles(t *testing.T) {
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	inc := "-I" + mustAbs(t, "../include")
	body := `
static TX_THREAD thread;
static TX_MUTEX mutex;
static TX_BYTE_POOL byte_pool;
static NX_IP ip;
static NX_PACKET_POOL pool;
static NX_POP3_CLIENT client;
static NX_IP_DRIVER driver_request;
void _nx_ram_network_driver(NX_IP_DRIVER *driver_req_ptr);
static void entry(ULONG input) { NX_PARAMETER_NOT_USED(input); TX_PARAMETER_NOT_USED(input); tx_thread_sleep(NX_IP_PERIODIC_RATE); }
void tx_application_define(void *first_unused_memory)
{
    UCHAR *p = (UCHAR *)first_unused_memory;
    VOID *mem;
    tx_thread_create(&thread, (CHAR *)"t", entry, 0, p, TX_MINIMUM_STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START);
    tx_byte_pool_create(&byte_pool, (CHAR *)"b", p + 1024, 4096);
    tx_byte_allocate(&byte_pool, &mem, 100, TX_NO_WAIT);
    tx_mutex_create(&mutex, (CHAR *)"m", TX_NO_INHERIT);
    nx_packet_pool_create(&pool, (CHAR *)"p", 1514, p + 8192, 16384);
    nx_ip_create(&ip, (CHAR *)"ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, p + 32768, 2048, 1);
    nx_arp_enable(&ip, p + 40000, 1024);
    nx_tcp_enable(&ip);
    nx_icmp_enable(&ip);
    _nx_ram_network_driver(&driver_request);
    (void)client;
    (void)tx_thread_identify();
    (void)tx_time_get();
    (void)(TX_SUCCESS + TX_WAIT_FOREVER + TX_DONT_START + TX_TIMER_TICKS_PER_SECOND + TX_THREAD_STACK_MIN);
}
int main(void) { tx_kernel_enter(); return 0; }
`
	orders := map[string]string{
		"tx_first.c": "#include \"tx_api.h\"\n#include \"nx_api.h\"\n#include \"nx_pop3_client.h\"\n",
		"nx_first.c": "#include \"nx_api.h\"\n#include \"nx_pop3_client.h\"\n#include \"tx_api.h\"\n#include \"nx_api.h\"\n",
		// The vendor's nx_api.h includes tx_api.h: so does ours.
		"nx_only.c": "#include \"nx_api.h\"\n#include \"nx_pop3_client.h\"\n",
	}
	for name, head := range orders {
		src := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(src, []byte(head+body), 0o644))
		for _, std := range []string{"c99", "c11"} {
			out, err := run(dir, gcc, "-std="+std, "-Wall", "-Wextra", "-Werror", "-pedantic", inc, "-fsyntax-only", src)
			require.NoError(t, err, "%s -std=%s: %s", name, std, out)
		}
		gxx := needTool(t, "g++")
		out, err := run(dir, gxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", inc, "-x", "c++", "-fsyntax-only", src)
		require.NoError(t, err, "%s C++: %s", name, out)
	}
}

func linkTXTest(gcc, dir, lib string, cflags ...string) (string, string, error) {
	bin := filepath.Join(dir, "tx_host_test")
	args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-I../include"}, cflags...)
	args = append(args, txTestSource,
		"-Wl,--whole-archive", lib, "-Wl,--no-whole-archive",
		"-lpthread", "-o", bin)
	out, err := run(".", gcc, args...)
	return bin, out, err
}

func TestTXHostC(t *testing.T) {
	bin, dir := requireCTest(t, linkTXTest)

	// NXPOP3_TX_MEMORY resizes first_unused_memory; the test writes all of it.
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NXPOP3_TX_MEMORY=2M")
	b, err := cmd.CombinedOutput()
	requirePassed(t, string(b), err)
}

// TestTXHostCMemory runs the shim's test under AddressSanitizer (valgrind
// where ASan is unusable), as TestNXHostCMemory does.
func TestTXHostCMemory(t *testing.T) {
	requireCTestMemory(t, linkTXTest, valgrindArgs)
}

// TestTXHostCThreads checks the shim's locking with ThreadSanitizer, the C
// sources compiled straight into the test (the Go runtime cannot run under
// TSan from C).
func TestTXHostCThreads(t *testing.T) {
	requireCTestThreads(t, "tx_host_test_tsan", txTestSource, "tx_host.c", "nx_host.c")
}

// newLegacyServer starts a pop3test server (APOP available) holding msgs for
// the demo's hard-coded account.
func newLegacyServer(t *testing.T, msgs [][]byte) (*pop3test.Server, *pop3test.Mailbox) {
	t.Helper()
	srv, err := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv, srv.AddUser(legacyUser, legacyPassword, msgs...)
}

// requireAPOP checks that the demo logged in with APOP, as it asks to.
func requireAPOP(t *testing.T, srv *pop3test.Server) {
	t.Helper()
	var apop bool
	for _, c := range srv.Commands() {
		if strings.HasPrefix(c, "APOP "+legacyUser+" ") {
			apop = true
		}
		require.False(t, strings.HasPrefix(c, "PASS"), "the demo sent PASS: %q", c)
	}
	require.True(t, apop, "no APOP in %q", srv.Commands())
}

func TestLegacyDemoPOP3Test(t *testing.T) {
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	lib, out, err := buildArchive(dir)
	require.NoError(t, err, "%s", out)
	bin := buildLegacyDemo(t, gcc, dir, lib)
	// The Makefile builds the examples with -O2, which enables more warnings.
	buildLegacyDemo(t, gcc, t.TempDir(), lib, "-O2")

	msgs := legacyMessages("pop3test")
	srv, mb := newLegacyServer(t, msgs)
	out, err = runLegacyDemo(t, bin, srv.Addr())
	requireDemoOutput(t, out, err, msgs)
	requireAPOP(t, srv)
	require.Empty(t, mb.Messages(), "the demo deletes every item and quits")

	// An empty mailbox is a success too.
	out, err = runLegacyDemo(t, bin, srv.Addr())
	requireDemoOutput(t, out, err, nil)

	// Without the redirection the demo goes to its hard-coded address; with a
	// redirection to a closed port it reports the failure in its exit status.
	closed, cerr := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, cerr)
	addr := closed.Addr()
	closed.Close()
	out, err = runLegacyDemo(t, bin, addr)
	require.Error(t, err, "%s", out)
	require.Contains(t, out, "Error creating the POP3 client")
}

func TestLegacyDemoDovecot(t *testing.T) {
	gcc := needTool(t, "gcc")
	dc := dovecot.Start(t)
	dir := t.TempDir()
	lib, out, err := buildArchive(dir)
	require.NoError(t, err, "%s", out)
	bin := buildLegacyDemo(t, gcc, dir, lib)

	user, password := dc.NewUser(t)
	msgs := legacyMessages("dovecot")
	dc.Deliver(t, user, msgs...)
	// The demo's hard-coded account is replaced through the environment:
	// Dovecot's users have generated names and passwords.
	out, err = runLegacyDemo(t, bin, dc.Addr(), "POP3_USER="+user, "POP3_PASSWORD="+password)
	requireDemoOutput(t, out, err, msgs)
	require.Empty(t, dc.Messages(t, user), "the demo deletes every item and quits")
}

// TestLegacyDemoMemory runs the demo against pop3test under AddressSanitizer
// (the archive's C code instrumented too), or valgrind where ASan is
// unusable.
func TestLegacyDemoMemory(t *testing.T) {
	gcc := needTool(t, "gcc")
	dir := t.TempDir()
	msgs := legacyMessages("asan")
	srv, mb := newLegacyServer(t, msgs)

	asanOrValgrind(t, dir, func(lib string) (string, error) {
		bin := filepath.Join(dir, "legacy_demo_asan")
		args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-Iinclude"}, asanCFlags...)
		args = append(args, legacyDemoSource, "-Wl,--whole-archive", lib, "-Wl,--no-whole-archive", "-lpthread", "-o", bin)
		out, err := run("..", gcc, args...)
		if err == nil {
			out, runErr := runLegacyDemo(t, bin, srv.Addr(), asanTestOptions)
			requireDemoOutput(t, out, runErr, msgs)
			require.NotContains(t, out, "AddressSanitizer")
			require.Empty(t, mb.Messages())
		}
		return out, err
	}, func(lib, valgrind string) {
		bin := buildLegacyDemo(t, gcc, dir, lib, "-g")
		cmd := exec.Command(valgrind, valgrindArgs(bin)...)
		cmd.Env = append(os.Environ(), "NXPOP3_CONNECT_TO="+srv.Addr())
		b, err := cmd.CombinedOutput()
		requireDemoOutput(t, string(b), err, msgs)
		require.Empty(t, mb.Messages())
	})
}
