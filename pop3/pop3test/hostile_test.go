package pop3test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostileCatalogue(t *testing.T) {
	cases := HostileCases()
	assert.GreaterOrEqual(t, len(cases), 45)
	names := map[string]bool{}
	stages := map[Stage]bool{}
	outcomes := map[Outcome]bool{}
	for _, c := range cases {
		assert.False(t, names[c.Name], "duplicate name %q", c.Name)
		names[c.Name] = true
		stages[c.Stage] = true
		outcomes[c.Outcome] = true
		assert.NotNil(t, c.Start, c.Name)
		if c.Flow == FlowSTLS || c.Flow == FlowImplicitTLS {
			assert.NotNil(t, c.ClientTLS, c.Name)
			assert.Empty(t, c.GoOnly, "%s: the C API reaches TLS too", c.Name)
		}
	}
	for _, s := range []Stage{StageGreeting, StageLogin, StageSTAT, StageLIST, StageLISTn, StageUIDL, StageRETR, StageTOP, StageDELE, StageQUIT, StageSTLS, StageAUTH} {
		assert.True(t, stages[s], "no case at stage %s", s)
	}
	for o := OutcomeOK; o <= OutcomeTooLong; o++ {
		assert.True(t, outcomes[o], "no case with outcome %v", o)
	}
}

// Every case starts a server that accepts a connection and stops cleanly,
// without a client having done anything wrong.
func TestHostileCasesStartAndStop(t *testing.T) {
	for _, c := range HostileCases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			addr, stop, err := c.Start()
			require.NoError(t, err)
			conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
			require.NoError(t, err)
			conn.Close()
			time.Sleep(10 * time.Millisecond)
			stop()
		})
	}
}

// The scripts are what proves that a client sent nothing it must not: a
// client that carries on with USER after TLS was found missing is caught.
func TestHostileScriptCatchesCredentials(t *testing.T) {
	var hc HostileCase
	for _, c := range HostileCases() {
		if c.Name == "STLS missing from CAPA, TLS required" {
			hc = c
		}
	}
	require.NotNil(t, hc.Start)
	addr, stop, err := hc.Start()
	require.NoError(t, err)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	c := &scriptClient{t, conn, bufio.NewReader(conn)}
	c.line()
	c.send("CAPA")
	for c.line() != ".\r\n" {
	}
	c.send("USER mrose") // a careless client
	c.r.ReadByte()
	conn.Close()
	var d *Deviation
	require.ErrorAs(t, stop(), &d)
	assert.Equal(t, `"USER mrose"`, d.Got)
}
