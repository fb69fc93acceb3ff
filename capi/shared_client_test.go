package main

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// TestCSharedClient: one client used from four threads at once gets every
// call right (they are serialised, so replies never cross), and a delete
// from another thread aborts a call that is waiting on the server.
func TestCSharedClient(t *testing.T) {
	t.Parallel()
	var noops atomic.Int32
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{
		// The 401st NOOP (4 threads x 100, then the blocked one) gets no
		// answer, so that call waits until the client is deleted.
		Reply: func(cmd string) (string, bool, bool) {
			if strings.HasPrefix(cmd, "NOOP") && noops.Add(1) > 400 {
				return "", false, true
			}
			return "", false, false
		},
	}})
	srv.AddUser("demo", "secret", plainMessages()[:2]...)
	for _, v := range []ctest.Variant{ctest.Plain, ctest.ASan} {
		if v.Name == ctest.ASan.Name && testing.Short() {
			continue
		}
		noops.Store(0)
		out, err := cRun(t, v, ctest.Program(t, v, "testdata/shared_client.c"), srv, nil)
		ctest.RequirePassed(t, out, err)
	}
}
