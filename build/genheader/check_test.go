package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// mutation is an edit of a C text that the generator must refuse, and what
// its error must say.
type mutation struct {
	name     string
	old, new string // replaced once
	fn       string // the function (or macro, field) the error must name
	want     string // and the difference it must describe
}

// mutate applies m, failing the test if m.old is not in src: a mutation
// that changes nothing would let the check pass for the wrong reason.
func mutate(t *testing.T, src []byte, m mutation) []byte {
	t.Helper()
	s := string(src)
	require.Equal(t, 1, strings.Count(s, m.old), "mutation %q: %q must occur once", m.name, m.old)
	return []byte(strings.Replace(s, m.old, m.new, 1))
}

// requireRefused runs a subtest for each mutation: check must refuse src
// so mutated, naming m.fn and saying m.want.
func requireRefused(t *testing.T, src []byte, check func(src []byte) error, muts ...mutation) {
	t.Helper()
	for _, m := range muts {
		t.Run(m.name, func(t *testing.T) {
			err := check(mutate(t, src, m))
			require.Error(t, err)
			require.ErrorContains(t, err, m.fn+": ")
			require.ErrorContains(t, err, m.want)
		})
	}
}

// renderedHeader renders the public header from this checkout's sections
// and returns it with verifyHeader for it (a check that needs gcc).
func renderedHeader(t *testing.T) ([]byte, func(header []byte) error) {
	t.Helper()
	ctest.NeedTool(t, "gcc")
	secs, err := sections()
	require.NoError(t, err)
	root := ctest.Root()
	path, _ := committedHeader(t)
	return renderHeader(t, secs), func(header []byte) error { return verifyHeader(root, path, header, secs) }
}

// TestExportCheckFails proves the export check is not vacuous: each change
// of cgo's export header is refused, naming the function and what differs.
func TestExportCheckFails(t *testing.T) {
	exportPath, src := buildExportHeader(t)
	root := ctest.Root()
	out, _ := committedHeader(t)
	_, err := generate(root, exportPath, src, out)
	require.NoError(t, err, "the unmutated export header must pass")

	// Only cgo's export part counts: a prototype in capi's preamble is
	// not an export, and the public header's own are replaced by the
	// skeleton.
	preamble := mutation{
		name: "preamble prototype",
		old:  "/* End of preamble from import \"C\" comments.  */",
		new:  "#line 9 \"client.go\"\nUINT nx_pop3_client_helper(VOID);\n/* End of preamble from import \"C\" comments.  */",
	}
	_, err = generate(root, exportPath, mutate(t, src, preamble), out)
	require.NoError(t, err, "a preamble prototype is not an export")

	requireRefused(t, src, func(src []byte) error {
		_, err := generate(root, exportPath, src, out)
		return err
	}, []mutation{
		{
			name: "parameter renamed",
			old:  "nx_pop3_client_mail_item_delete(NX_POP3_CLIENT* client_ptr, UINT mail_index)",
			new:  "nx_pop3_client_mail_item_delete(NX_POP3_CLIENT* client_ptr, UINT item)",
			fn:   "nx_pop3_client_mail_item_delete", want: "parameter 2 is named item, want mail_index",
		},
		{
			name: "ULONG to UINT",
			old:  "UINT* number_mail_items, ULONG* maildrop_total_size)",
			new:  "UINT* number_mail_items, UINT* maildrop_total_size)",
			fn:   "nx_pop3_client_mail_items_get", want: "parameter 3 (maildrop_total_size) has type UINT *, want ULONG *",
		},
		{
			name: "pointer level dropped",
			old:  "NX_PACKET** recv_packet_ptr",
			new:  "NX_PACKET* recv_packet_ptr",
			fn:   "nx_pop3_client_mail_item_message_get", want: "parameter 2 (recv_packet_ptr) has type NX_PACKET *, want NX_PACKET **",
		},
		{
			name: "result type changed",
			old:  "extern UINT nx_pop3_client_quit(",
			new:  "extern ULONG nx_pop3_client_quit(",
			fn:   "nx_pop3_client_quit", want: "result type ULONG, want UINT",
		},
		{
			name: "result void",
			old:  "extern UINT nx_pop3_client_delete(",
			new:  "extern void nx_pop3_client_delete(",
			fn:   "nx_pop3_client_delete", want: "result type VOID, want UINT",
		},
		{
			name: "parameter added",
			old:  "nx_pop3_client_reset(NX_POP3_CLIENT* client_ptr)",
			new:  "nx_pop3_client_reset(NX_POP3_CLIENT* client_ptr, UINT hard)",
			fn:   "nx_pop3_client_reset", want: "2 parameters, want 1",
		},
		{
			name: "function removed",
			old:  "extern UINT nx_pop3_client_quit(NX_POP3_CLIENT* client_ptr);\n",
			new:  "",
			fn:   "nx_pop3_client_quit", want: "not exported by capi",
		},
		{
			name: "unknown export",
			old:  "extern UINT nx_pop3_client_quit(",
			new:  "extern UINT nx_pop3_client_foo(NX_POP3_CLIENT* client_ptr);\nextern UINT nx_pop3_client_quit(",
			fn:   "nx_pop3_client_foo", want: "in neither table",
		},
		{
			name: "unknown nxd export",
			old:  "extern UINT nx_pop3_client_quit(",
			new:  "extern UINT nxd_pop3_client_bar(NX_POP3_CLIENT* client_ptr);\nextern UINT nx_pop3_client_quit(",
			fn:   "nxd_pop3_client_bar", want: "in neither table",
		},
	}...)
}

func TestExportCheckRefusesOtherHeaders(t *testing.T) {
	ctest.NeedTool(t, "gcc")
	path, committed := committedHeader(t)
	_, err := parseExports(ctest.Root(), path, committed, skeleton())
	require.ErrorContains(t, err, "not the export header of capi")
}

// TestVerifyHeaderFails proves the check of the written header is not
// vacuous: a broken template text or prototype is refused by name.
func TestVerifyHeaderFails(t *testing.T) {
	header, verify := renderedHeader(t)
	require.NoError(t, verify(header))

	requireRefused(t, header, verify, []mutation{
		{
			name: "limit changed",
			old:  "#define NX_POP3_MAX_USERNAME                40",
			new:  "#define NX_POP3_MAX_USERNAME                64",
			fn:   "macro NX_POP3_MAX_USERNAME", want: "value 64, want 40",
		},
		{
			name: "status code changed",
			old:  "(NX_POP3_CLIENT_ERROR_CONSTANT | 0x8)",
			new:  "(NX_POP3_CLIENT_ERROR_CONSTANT | 0x9)",
			fn:   "macro NX_POP3_CLIENT_INVALID_INDEX", want: "value 185, want 184",
		},
		{
			name: "string changed",
			old:  `"+OK"`,
			new:  `"OK"`,
			fn:   "macro NX_POP3_POSITIVE_STATUS", want: "want",
		},
		{
			name: "timeout changed",
			old:  "(30 * NX_IP_PERIODIC_RATE)",
			new:  "(20 * NX_IP_PERIODIC_RATE)",
			fn:   "macro NX_POP3_CLIENT_CONNECTION_TIMEOUT", want: "value 2000, want 3000",
		},
		{
			name: "field type changed",
			old:  "    ULONG           nx_pop3_client_total_message_size;",
			new:  "    UINT            nx_pop3_client_total_message_size;",
			fn:   "NX_POP3_CLIENT.nx_pop3_client_total_message_size", want: "type UINT, want ULONG",
		},
		{
			name: "array length changed",
			old:  "nx_pop3_server_process_id[NX_POP3_SERVER_PROCESS_ID_SIZE + 1]",
			new:  "nx_pop3_server_process_id[NX_POP3_SERVER_PROCESS_ID_SIZE]",
			fn:   "NX_POP3_CLIENT.nx_pop3_server_process_id", want: "type CHAR[75], want CHAR[76]",
		},
		{
			name: "field removed",
			old:  "    NX_PACKET      *nx_pop3_client_message_ptr;\n",
			new:  "",
			fn:   "NX_POP3_CLIENT.nx_pop3_client_message_ptr", want: "missing",
		},
		{
			name: "internal name's parameter changed",
			old:  "UINT _nx_pop3_client_mail_item_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *item_size);",
			new:  "UINT _nx_pop3_client_mail_item_get(NX_POP3_CLIENT *client_ptr, ULONG mail_item, ULONG *item_size);",
			fn:   "_nx_pop3_client_mail_item_get", want: "parameter 2 (mail_item) has type ULONG, want UINT",
		},
		{
			name: "internal name removed",
			old:  "UINT _nxde_pop3_client_create(",
			new:  "UINT _nxdx_pop3_client_create(",
			fn:   "_nxde_pop3_client_create", want: "not declared",
		},
	}...)
}

// The options struct may only grow at its end, and nxpop3's own constants
// never change: reordering, retyping or removing a field, or a new value,
// must fail the check.
func TestOptionsContract(t *testing.T) {
	header, verify := renderedHeader(t)
	requireRefused(t, header, verify, []mutation{
		{
			name: "field renamed",
			old:  "    UINT            nx_pop3_options_tls; ",
			new:  "    UINT            nx_pop3_options_mode;",
			fn:   "NX_POP3_CLIENT_OPTIONS field 1", want: "want nx_pop3_options_tls",
		},
		{
			name: "size retyped",
			old:  "    ULONG           nx_pop3_options_size; ",
			new:  "    UINT            nx_pop3_options_size; ",
			fn:   "NX_POP3_CLIENT_OPTIONS.nx_pop3_options_size", want: "type UINT, want ULONG",
		},
		{
			name: "field removed",
			old:  "    UINT            nx_pop3_options_strict; ",
			new:  "    ",
			fn:   "NX_POP3_CLIENT_OPTIONS", want: fmt.Sprintf("%d fields, want %d", len(optionsFields)-1, len(optionsFields)),
		},
		{
			name: "own constant changed",
			old:  "#define NX_POP3_AUTH_XOAUTH2                6",
			new:  "#define NX_POP3_AUTH_XOAUTH2                7",
			fn:   "macro NX_POP3_AUTH_XOAUTH2", want: "value 7, want 6",
		},
	}...)
}
