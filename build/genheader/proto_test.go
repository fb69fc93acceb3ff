package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProto(t *testing.T) {
	p, err := parseProto("UINT nx_pop3_client_mail_item_message_get(NX_POP3_CLIENT *client_ptr, NX_PACKET **recv_packet_ptr, ULONG *bytes_retrieved, UINT *final_packet)")
	require.NoError(t, err)
	assert.Equal(t, proto{
		Result: "UINT",
		Name:   "nx_pop3_client_mail_item_message_get",
		Params: []param{
			{"NX_POP3_CLIENT *", "client_ptr"},
			{"NX_PACKET **", "recv_packet_ptr"},
			{"ULONG *", "bytes_retrieved"},
			{"UINT *", "final_packet"},
		},
	}, p)

	// Spacing is the table writer's; the spelling is canonical.
	q, err := parseProto("UINT f(NX_PACKET* * p, UINT  n);")
	require.NoError(t, err)
	assert.Equal(t, "UINT f(NX_PACKET **p, UINT n)", q.String())
	assert.Equal(t, "UINT _nx_f(NX_PACKET **p, UINT n)", q.named("_nx_f"))

	v, err := parseProto("UINT f(VOID)")
	require.NoError(t, err)
	assert.Empty(t, v.Params)
	assert.Equal(t, "UINT f(VOID)", v.String())

	for _, bad := range []string{
		"nx_pop3_client_quit(NX_POP3_CLIENT *client_ptr)", // no result
		"UINT f(const CHAR *s)",                           // qualifiers: cgo never writes them
		"UINT f(NX_POP3_CLIENT *)",                        // no name
		"UINT f(UINT a[2])",
	} {
		_, err := parseProto(bad)
		assert.Error(t, err, bad)
	}
}

func TestProtoDiff(t *testing.T) {
	want, err := parseProto("UINT f(NX_POP3_CLIENT *client_ptr, UINT mail_index)")
	require.NoError(t, err)
	assert.Empty(t, want.diff(want))
	for got, msg := range map[string]string{
		"ULONG f(NX_POP3_CLIENT *client_ptr, UINT mail_index)":        "result type ULONG, want UINT",
		"UINT f(NX_POP3_CLIENT *client_ptr, UINT index)":              "parameter 2 is named index, want mail_index",
		"UINT f(NX_POP3_CLIENT **client_ptr, UINT mail_index)":        "parameter 1 (client_ptr) has type NX_POP3_CLIENT **, want NX_POP3_CLIENT *",
		"UINT f(NX_POP3_CLIENT *client_ptr)":                          "1 parameters, want 2",
		"UINT f(NX_POP3_CLIENT *client_ptr, UINT mail_index, UINT x)": "3 parameters, want 2",
	} {
		g, err := parseProto(got)
		require.NoError(t, err)
		assert.Equal(t, msg, want.diff(g), got)
	}
}

func TestTables(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	require.Len(t, secs[0].protos, 9, "the vendor has nine services")
	for _, s := range secs {
		for _, p := range s.protos {
			assert.True(t, hasExportPrefix(p.Name), "%s: not an nx_pop3_client_/nxd_pop3_client_ name", p.Name)
			for _, n := range internalNames(p.Name) {
				assert.True(t, hasInternalPrefix(n), n)
			}
		}
	}
	for _, p := range secs[0].protos {
		assert.Equal(t, "UINT", p.Result, p.Name)
	}
}

func TestInternalNames(t *testing.T) {
	assert.Equal(t, []string{"_nxe_pop3_client_quit", "_nx_pop3_client_quit"}, internalNames("nx_pop3_client_quit"))
	assert.Equal(t, []string{"_nxde_pop3_client_create", "_nxd_pop3_client_create"}, internalNames("nxd_pop3_client_create"))
}

func TestLineDiff(t *testing.T) {
	assert.Equal(t, "", lineDiff([]byte("a\nb\n"), []byte("a\nb\n")))
	assert.Equal(t, "@@ -2 +2 @@\n-b\n+B\n", lineDiff([]byte("a\nb\nc\n"), []byte("a\nB\nc\n")))
	assert.Equal(t, "@@ -1 +1 @@\n+a\n", lineDiff(nil, []byte("a\n")))
	assert.Equal(t, "@@ -1 +1 @@\n-x\n@@ -5 +4 @@\n+y\n",
		lineDiff([]byte("x\na\nb\nc\n"), []byte("a\nb\nc\ny\n")))
}
