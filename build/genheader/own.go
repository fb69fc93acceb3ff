package main

import "modernc.org/cc/v4"

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
	{own, "UINT nx_pop3_client_response_code_get(NX_POP3_CLIENT *client_ptr, UINT *response_code)"},
	{own, "UINT nx_pop3_client_version_get(UINT *major, UINT *minor, UINT *patch)"},
	{own, "UINT nx_pop3_client_options_init(NX_POP3_CLIENT_OPTIONS *options_ptr)"},
	{own, "UINT nxd_pop3_client_create_ex(NX_POP3_CLIENT *client_ptr, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, NXD_ADDRESS *server_duo_address, ULONG server_port, CHAR *client_name, CHAR *client_password, NX_POP3_CLIENT_OPTIONS *options_ptr)"},
	{own, "UINT nx_pop3_client_capability_get(NX_POP3_CLIENT *client_ptr, CHAR *capability, UINT *supported)"},
	{own, "UINT nx_pop3_client_capabilities_get(NX_POP3_CLIENT *client_ptr, CHAR *buffer, UINT buffer_size)"},
	{own, "UINT nx_pop3_client_mail_item_uid_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, CHAR *uid_buffer, UINT buffer_size)"},
	{own, "UINT nx_pop3_client_mail_items_uid_list(NX_POP3_CLIENT *client_ptr, NX_POP3_UID_CALLBACK callback, VOID *context)"},
	{own, "UINT nx_pop3_client_mail_items_size_list(NX_POP3_CLIENT *client_ptr, NX_POP3_SIZE_CALLBACK callback, VOID *context)"},
	{own, "UINT nx_pop3_client_mail_item_top_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, UINT lines)"},
	{own, "UINT nx_pop3_client_mail_items_fetch(NX_POP3_CLIENT *client_ptr, UINT *items, UINT item_count, UINT delete_items, NX_POP3_FETCH_CALLBACK callback, VOID *context)"},
}

// ownMacros are nxpop3's constants that callers compare against, with
// their values, which must never change once released.
var ownMacros = []struct {
	Name string
	Want cc.Value
}{
	{"NX_POP3_TLS_ERROR", cc.Int64Value(0xB9)},
	{"NX_POP3_CLIENT_ID", cc.UInt64Value(0x504F5033)},
	{"NX_POP3_TLS_NONE", cc.Int64Value(0)},
	{"NX_POP3_TLS_STARTTLS", cc.Int64Value(1)},
	{"NX_POP3_TLS_IMPLICIT", cc.Int64Value(2)},
	{"NX_POP3_AUTH_AUTO", cc.Int64Value(0)},
	{"NX_POP3_AUTH_USER", cc.Int64Value(1)},
	{"NX_POP3_AUTH_APOP", cc.Int64Value(2)},
	{"NX_POP3_AUTH_PLAIN", cc.Int64Value(3)},
	{"NX_POP3_AUTH_LOGIN", cc.Int64Value(4)},
	{"NX_POP3_AUTH_CRAM_MD5", cc.Int64Value(5)},
	{"NX_POP3_AUTH_XOAUTH2", cc.Int64Value(6)},
	{"NX_POP3_AUTH_SCRAM_SHA_256", cc.Int64Value(7)},
	{"NX_POP3_AUTH_SCRAM_SHA_1", cc.Int64Value(8)},
	{"NX_POP3_AUTH_OAUTHBEARER", cc.Int64Value(9)},
	{"NX_POP3_TLS_VERSION_1_0", cc.Int64Value(0x0301)},
	{"NX_POP3_TLS_VERSION_1_1", cc.Int64Value(0x0302)},
	{"NX_POP3_TLS_VERSION_1_2", cc.Int64Value(0x0303)},
	{"NX_POP3_TLS_VERSION_1_3", cc.Int64Value(0x0304)},
	{"NX_POP3_RESP_NONE", cc.Int64Value(0)},
	{"NX_POP3_RESP_IN_USE", cc.Int64Value(1)},
	{"NX_POP3_RESP_LOGIN_DELAY", cc.Int64Value(2)},
	{"NX_POP3_RESP_SYS_TEMP", cc.Int64Value(3)},
	{"NX_POP3_RESP_SYS_PERM", cc.Int64Value(4)},
	{"NX_POP3_RESP_AUTH", cc.Int64Value(5)},
	{"NX_POP3_RESP_OTHER", cc.Int64Value(6)},
	{"NX_POP3_MAX_UID", cc.Int64Value(70)},
	{"NX_POP3_AUTH_REPLY_TIMEOUT", cc.Int64Value(60 * 100)},
}

// optionsFields are the fields of NX_POP3_CLIENT_OPTIONS in order. Append
// only: callers built with an older header pass a shorter struct.
var optionsFields = []struct{ Name, Type string }{
	{"nx_pop3_options_size", "ULONG"},
	{"nx_pop3_options_tls", "UINT"},
	{"nx_pop3_options_verify", "UINT"},
	{"nx_pop3_options_ca_file", "CHAR *"},
	{"nx_pop3_options_server_name", "CHAR *"},
	{"nx_pop3_options_host", "CHAR *"},
	{"nx_pop3_options_auth", "UINT"},
	{"nx_pop3_options_strict", "UINT"},
	{"nx_pop3_options_connect_timeout", "ULONG"},
	{"nx_pop3_options_reply_timeout", "ULONG"},
	{"nx_pop3_options_packet_timeout", "ULONG"},
	{"nx_pop3_options_fetch_bytes", "ULONG"},
	{"nx_pop3_options_insecure_auth", "UINT"},
	{"nx_pop3_options_tls_cert_file", "CHAR *"},
	{"nx_pop3_options_tls_key_file", "CHAR *"},
	{"nx_pop3_options_tls_fingerprint", "CHAR *"},
	{"nx_pop3_options_tls_min_version", "UINT"},
	{"nx_pop3_options_auth_reply_timeout", "ULONG"},
	{"nx_pop3_options_debug", "NX_POP3_DEBUG_CALLBACK"},
	{"nx_pop3_options_debug_context", "VOID *"},
}
