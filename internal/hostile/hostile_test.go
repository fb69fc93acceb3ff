package hostile

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

func TestHostileCatalogue(t *testing.T) {
	cases := Cases()
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
func TestCasesStartAndStop(t *testing.T) {
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			r, err := c.Start()
			require.NoError(t, err)
			conn, err := net.DialTimeout("tcp", r.Addr, 2*time.Second)
			require.NoError(t, err)
			conn.Close()
			time.Sleep(10 * time.Millisecond)
			r.Stop()
		})
	}
}

// The scripts are what proves that a client sent nothing it must not: a
// client that carries on with USER after TLS was found missing is caught.
func TestHostileScriptCatchesCredentials(t *testing.T) {
	var hc Case
	for _, c := range Cases() {
		if c.Name == "STLS missing from CAPA, TLS required" {
			hc = c
		}
	}
	require.NotNil(t, hc.Start)
	r, err := hc.Start()
	require.NoError(t, err)
	conn, err := net.Dial("tcp", r.Addr)
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	line := func() string {
		l, err := br.ReadString('\n')
		require.NoError(t, err)
		return l
	}
	line()
	fmt.Fprintf(conn, "CAPA\r\n")
	for line() != ".\r\n" {
	}
	fmt.Fprintf(conn, "USER mrose\r\n") // a careless client
	br.ReadByte()
	conn.Close()
	var d *pop3test.Deviation
	require.ErrorAs(t, r.Stop(), &d)
	assert.Equal(t, `"USER mrose"`, d.Got)
}

// TLS runs trust their own server: two runs of a case at once each get
// the configuration of the server they started.
func TestRunsOwnTLS(t *testing.T) {
	for _, c := range Cases() {
		if c.Flow != FlowSTLS && c.Flow != FlowImplicitTLS {
			continue
		}
		a, err := c.Start()
		require.NoError(t, err)
		b, err := c.Start()
		require.NoError(t, err)
		require.NotNil(t, a.ClientTLS, c.Name)
		if a.ClientCA != nil {
			assert.NotEqual(t, string(a.ClientCA), string(b.ClientCA), "%s: each run has its own CA", c.Name)
		}
		a.Stop()
		b.Stop()
	}
}

var update = flag.Bool("update", false, "rewrite the README's hostile table from the catalogue")

const (
	tableBegin = "<!-- hostile table: generated from internal/hostile by TestREADMETable (go test ./internal/hostile -run TestREADMETable -update) -->\n"
	tableEnd   = "<!-- end of the hostile table -->\n"
)

// The README's hostile table is the catalogue's: generated from it with
// -update, checked against it otherwise.
func TestREADMETable(t *testing.T) {
	const path = "../../README.md"
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(b)
	i := strings.Index(readme, tableBegin)
	j := strings.Index(readme, tableEnd)
	require.True(t, i >= 0 && j > i, "README.md lacks the markers of the hostile table")
	cases := Cases()
	want := fmt.Sprintf("%d cases:\n\n", len(cases)) + MarkdownTable(cases)
	got := readme[i+len(tableBegin) : j]
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(readme[:i+len(tableBegin)]+want+readme[j:]), 0o644))
		return
	}
	assert.Equal(t, want, got, "README.md's hostile table is stale: go test ./internal/hostile -run TestREADMETable -update")
}
