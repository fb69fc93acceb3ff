package nxhost_test

import (
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// TestCrossShims runs the ThreadX and NetX shims' C tests cross-built for
// each embedded Linux target (ctest.Targets) under qemu-user: the same
// checks as on the host, on a 64-bit and a 32-bit ARM C library (ULONG is
// 32 bits on arm).
func TestCrossShims(t *testing.T) {
	ctest.ForEachTarget(t, func(t *testing.T, tg ctest.Target) {
		for _, src := range []string{
			"testdata/tx_host_test.c",
			"testdata/tx_services_test.c",
			"testdata/tx_app_test.c",
			"testdata/nx_host_test.c",
			"testdata/nx_extras_test.c",
			"testdata/nx_dns_test.c",
		} {
			t.Run(src, func(t *testing.T) {
				tg.RequireProgram(t, src, "TX_APP_SECONDS=2")
			})
		}
	})
}
