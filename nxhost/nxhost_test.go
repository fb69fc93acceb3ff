package nxhost_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// These tests drive the shims as an application would: C programs in
// testdata compiled against include/ and linked with the archive (or, under
// ThreadSanitizer, with the shims' sources), each printing check.h's
// summary.

func TestMain(m *testing.M) { ctest.Main(m) }

// shimSources are the shims' C files, compiled straight into a
// ThreadSanitizer test program.
func shimSources(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.c")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func TestNXHostHeaderCompiles(t *testing.T) {
	src := filepath.Join(t.TempDir(), "hdr.c")
	// Both headers in both orders: the shared base types must not collide.
	require.NoError(t, os.WriteFile(src, []byte(`#include "nx_host_types.h"
#include "nx_api.h"
#include "nx_api.h"
#include "nx_host_types.h"
#include "`+filepath.Join(ctest.Root(), "nxhost", "nx_host_internal.h")+`"
static NX_PACKET_POOL pool;
static NXD_ADDRESS server = {NX_IP_VERSION_V4, {IP_ADDRESS(127, 0, 0, 1)}};
int main(void) { return nx_packet_pool_delete(&pool) == NX_PTR_ERROR && nxhost_pool_valid(&pool) == NX_FALSE && server.nxd_ip_address.v4 != 0 ? 0 : 1; }
`), 0o644))
	ctest.RequireSyntax(t, src, filepath.Join(ctest.Root(), "include"))
}

// TestNXApiStandardHeaders compiles a NetX-style program that calls
// printf, memset and malloc having included only nx_api.h: the vendor's
// nx_port.h includes <stdio.h>, <string.h> and <stdlib.h>, and code written
// for NetX (the vendor's own samples) relies on it. With -Werror an
// implicit declaration fails the build.
func TestNXApiStandardHeaders(t *testing.T) {
	src := filepath.Join(t.TempDir(), "stdlib_via_nx_api.c")
	require.NoError(t, os.WriteFile(src, []byte(`#include "nx_api.h"
int main(void)
{
    UCHAR *buffer = (UCHAR *)malloc(64);
    if (buffer == NX_NULL)
        return 1;
    memset(buffer, 0, 64);
    printf("%s%lu\n", (char *)buffer, (unsigned long)strlen((char *)buffer));
    free(buffer);
    exit(0);
}
`), 0o644))
	ctest.RequireSyntax(t, src, filepath.Join(ctest.Root(), "include"))
}

func TestNXHostC(t *testing.T) {
	ctest.RequireProgram(t, "testdata/nx_host_test.c")
}

// TestNXHostCMemory runs the C test under AddressSanitizer, with the archive's
// own C code instrumented too (go build -asan). Where ASan cannot be used,
// valgrind stands in; with neither, the test is skipped.
func TestNXHostCMemory(t *testing.T) {
	ctest.RequireMemory(t, "testdata/nx_host_test.c", ctest.ValgrindArgs)
}

// TestNXHostCThreads checks the pool locking with ThreadSanitizer. The Go
// runtime cannot run under TSan from C, so the shim's C source is compiled
// straight into the test program instead of coming from the archive.
func TestNXHostCThreads(t *testing.T) {
	ctest.RequireThreads(t, "nx_host_test_tsan", append([]string{"testdata/nx_host_test.c"}, shimSources(t)...)...)
}

func TestTXHeaderCompiles(t *testing.T) {
	dir := t.TempDir()
	body := `
static TX_THREAD thread;
static TX_MUTEX mutex;
static TX_BYTE_POOL byte_pool;
static TX_QUEUE queue;
static TX_SEMAPHORE semaphore;
static TX_EVENT_FLAGS_GROUP events;
static TX_BLOCK_POOL block_pool;
static TX_TIMER timer;
static ULONG queue_area[16];
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
    tx_queue_create(&queue, (CHAR *)"q", TX_4_ULONG, queue_area, sizeof queue_area);
    tx_semaphore_create(&semaphore, (CHAR *)"s", 1);
    tx_event_flags_create(&events, (CHAR *)"e");
    tx_block_pool_create(&block_pool, (CHAR *)"bp", 32, p + 4096, 1024);
    tx_timer_create(&timer, (CHAR *)"t", entry, 0, 10, 10, TX_AUTO_ACTIVATE);
    (void)tx_interrupt_control(TX_INT_DISABLE);
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
		// The DNS client's headers, both names, before and after.
		"dns_first.c": "#include \"nx_dns.h\"\n#include \"nxd_dns.h\"\n#include \"nx_pop3_client.h\"\nstatic NX_DNS dns;\n",
		"dns_last.c":  "#include \"tx_api.h\"\n#include \"nx_api.h\"\n#include \"nx_pop3_client.h\"\n#include \"nxd_dns.h\"\n#include \"nx_dns.h\"\nstatic NX_DNS_IPV6_ADDRESS rec;\n",
	}
	for name, head := range orders {
		src := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(src, []byte(head+body), 0o644))
		t.Run(name, func(t *testing.T) { ctest.RequireSyntax(t, src, filepath.Join(ctest.Root(), "include")) })
	}
}

func TestTXHostC(t *testing.T) {
	bin, dir := ctest.RequireProgram(t, "testdata/tx_host_test.c")

	// NXPOP3_TX_MEMORY resizes first_unused_memory; the test writes all of it.
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NXPOP3_TX_MEMORY=2M")
	b, err := cmd.CombinedOutput()
	ctest.RequirePassed(t, string(b), err)
}

// TestTXHostCMemory runs the shim's test under AddressSanitizer (valgrind
// where ASan is unusable), as TestNXHostCMemory does.
func TestTXHostCMemory(t *testing.T) {
	ctest.RequireMemory(t, "testdata/tx_host_test.c", ctest.ValgrindArgs)
}

// TestTXHostCThreads checks the shim's locking with ThreadSanitizer, the C
// sources compiled straight into the test (the Go runtime cannot run under
// TSan from C).
func TestTXHostCThreads(t *testing.T) {
	ctest.RequireThreads(t, "tx_host_test_tsan", append([]string{"testdata/tx_host_test.c"}, shimSources(t)...)...)
}

// TestTXServicesC runs the ThreadX service groups beyond threads, byte pools
// and mutexes (queues, semaphores, event flags, block pools, timers, the
// other thread services, interrupt control) against the statuses and
// behaviour ThreadX's service reference documents.
func TestTXServicesC(t *testing.T) {
	ctest.RequireProgram(t, "testdata/tx_services_test.c")
}

// TestTXServicesCMemory runs it under AddressSanitizer (or valgrind).
func TestTXServicesCMemory(t *testing.T) {
	ctest.RequireMemory(t, "testdata/tx_services_test.c", ctest.ValgrindArgs)
}

// TestTXServicesCThreads runs it under ThreadSanitizer.
func TestTXServicesCThreads(t *testing.T) {
	ctest.RequireThreads(t, "tx_services_test_tsan", append([]string{"testdata/tx_services_test.c"}, shimSources(t)...)...)
}

// TestTXAppC runs a ThreadX application of eight threads and a timer using
// every service group at once for three seconds: every thread must make
// progress, data must pass intact and every block come back.
func TestTXAppC(t *testing.T) {
	ctest.RequireProgram(t, "testdata/tx_app_test.c")
}

// TestTXAppCThreads runs the application under ThreadSanitizer.
func TestTXAppCThreads(t *testing.T) {
	ctest.RequireThreads(t, "tx_app_test_tsan", append([]string{"testdata/tx_app_test.c"}, shimSources(t)...)...)
}

// TestNXExtrasC runs the NetX services around a POP3 client (IP status,
// address, fragmentation, UDP, packet append and copy across chains)
// against the statuses and behaviour NetX Duo's service reference documents.
func TestNXExtrasC(t *testing.T) {
	ctest.RequireProgram(t, "testdata/nx_extras_test.c")
}

// TestNXExtrasCMemory runs it under AddressSanitizer (or valgrind).
func TestNXExtrasCMemory(t *testing.T) {
	ctest.RequireMemory(t, "testdata/nx_extras_test.c", ctest.ValgrindArgs)
}

// TestNXDNSC runs the DNS client (nxd_dns.h) from a ThreadX thread: the
// server list's statuses as the DNS Client reference documents them, and
// IPv4 and IPv6 lookups answered as the host's resolver answers.
func TestNXDNSC(t *testing.T) {
	ctest.RequireProgram(t, "testdata/nx_dns_test.c")
}

// TestNXDNSCMemory runs it under AddressSanitizer (or valgrind).
func TestNXDNSCMemory(t *testing.T) {
	ctest.RequireMemory(t, "testdata/nx_dns_test.c", ctest.ValgrindArgs)
}
