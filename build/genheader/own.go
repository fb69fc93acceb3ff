package main

// kind says where a call beyond the vendor's services stands, which decides
// its section of the header and whether it gets the vendor's internal names.
type kind int

const (
	// documented calls are in the vendor's documentation but not its header
	// (NOOP, RSET). Like the services, they get _nxe_/_nx_ names.
	documented kind = iota
	// own calls are nxpop3's alone; code written for the vendor never
	// calls them, so they have no internal names.
	own
)

// ownCalls are capi's exports beyond vendorServices, in header order. Every
// nx_pop3_client_/nxd_pop3_client_ export needs an entry here or in
// vendorServices, and every entry an export: an export added to capi is one
// line here, its prototype in the vendor's style (typedef names, "TYPE *name").
var ownCalls = []struct {
	kind  kind
	proto string
}{
	{documented, "UINT nx_pop3_client_noop(NX_POP3_CLIENT *client_ptr)"},
	{documented, "UINT nx_pop3_client_reset(NX_POP3_CLIENT *client_ptr)"},
	{own, "UINT nx_pop3_client_error_text(NX_POP3_CLIENT *client_ptr, CHAR *buffer, UINT size)"},
}
