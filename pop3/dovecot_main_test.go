package pop3_test

import (
	"os"
	"testing"

	"github.com/nxpop3/nxpop3/build/dovecot"
)

// TestMain stops the private Dovecot that the TestDovecot... tests share
// (dovecot_test.go) once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	dovecot.StopAll()
	os.Exit(code)
}
