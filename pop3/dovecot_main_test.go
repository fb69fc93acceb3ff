package pop3_test

import (
	"testing"

	"github.com/nxpop3/nxpop3/build/dovecot"
)

// TestMain stops the private Dovecot that the TestDovecot... tests share
// (dovecot_test.go) once every test has run.
func TestMain(m *testing.M) { dovecot.Main(m) }
