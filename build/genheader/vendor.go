package main

import (
	"strings"

	"modernc.org/cc/v4"
)

// The vendor's facts that the public header must reproduce, as in
// addons/pop3/nxd_pop3_client.h of NetX Duo 6.x (see
// shared/reference/netx-pop3-api.md). Application code compiled against
// the vendor's header must compile unchanged against ours.

// vendorServices are the vendor's POP3 client services, in the vendor's
// order and spelling. capi must export each of them exactly so.
var vendorServices = []string{
	"UINT nx_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, ULONG server_ip_address, ULONG server_port, CHAR *client_name, CHAR *client_password)",
	"UINT nxd_pop3_client_create(NX_POP3_CLIENT *client_ptr, UINT APOP_authentication, NX_IP *ip_ptr, NX_PACKET_POOL *packet_pool_ptr, NXD_ADDRESS *server_duo_address, ULONG server_port, CHAR *client_name, CHAR *client_password)",
	"UINT nx_pop3_client_mail_items_get(NX_POP3_CLIENT *client_ptr, UINT *number_mail_items, ULONG *maildrop_total_size)",
	"UINT nx_pop3_client_mail_item_size_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *size)",
	"UINT nx_pop3_client_mail_item_get(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG *item_size)",
	"UINT nx_pop3_client_mail_item_message_get(NX_POP3_CLIENT *client_ptr, NX_PACKET **recv_packet_ptr, ULONG *bytes_retrieved, UINT *final_packet)",
	"UINT nx_pop3_client_mail_item_delete(NX_POP3_CLIENT *client_ptr, UINT mail_index)",
	"UINT nx_pop3_client_quit(NX_POP3_CLIENT *client_ptr)",
	"UINT nx_pop3_client_delete(NX_POP3_CLIENT *client_ptr)",
}

// internalNames are the vendor's names behind a public name: its header
// maps nx_pop3_client_X to _nxe_pop3_client_X (error checking, the default)
// or _nx_pop3_client_X (NX_DISABLE_ERROR_CHECKING), and nxd_ to _nxde_ or
// _nxd_. Objects compiled against the vendor's header call these.
func internalNames(name string) []string {
	for _, m := range []struct{ public, checked, unchecked string }{
		{"nxd_", "_nxde_", "_nxd_"},
		{"nx_", "_nxe_", "_nx_"},
	} {
		if rest, ok := strings.CutPrefix(name, m.public); ok {
			return []string{m.checked + rest, m.unchecked + rest}
		}
	}
	return nil
}

// hasInternalPrefix reports whether name is one of the vendor's internal
// names of a POP3 client call.
func hasInternalPrefix(name string) bool {
	for _, p := range []string{"_nxe_", "_nx_", "_nxde_", "_nxd_"} {
		if strings.HasPrefix(name, p+"pop3_client_") {
			return true
		}
	}
	return false
}

// vendorMacros are the vendor's constants with their values after macro
// expansion (timeouts in ticks of NX_IP_PERIODIC_RATE 100).
var vendorMacros = []struct {
	Name string
	Want cc.Value
}{
	{"NX_POP3_CLIENT_ERROR_CONSTANT", cc.Int64Value(0xB0)},
	{"NX_POP3_PARAM_ERROR", cc.Int64Value(0xB1)},
	{"NX_POP3_INVALID_MAIL_ITEM", cc.Int64Value(0xB2)},
	{"NX_POP3_APOP_FAILED_MD5_DIGEST", cc.Int64Value(0xB3)},
	{"NX_POP3_SERVER_ERROR_STATUS", cc.Int64Value(0xB4)},
	{"NX_POP3_MAIL_BUFFER_OVERFLOW", cc.Int64Value(0xB5)},
	{"NX_POP3_INSUFFICIENT_PACKET_PAYLOAD", cc.Int64Value(0xB6)},
	{"NX_POP3_CLIENT_INVALID_STATE", cc.Int64Value(0xB7)},
	{"NX_POP3_CLIENT_INVALID_INDEX", cc.Int64Value(0xB8)},

	{"NX_POP3_MAX_USERNAME", cc.Int64Value(40)},
	{"NX_POP3_MAX_PASSWORD", cc.Int64Value(20)},
	{"NX_POP3_SERVER_PROCESS_ID_SIZE", cc.Int64Value(75)},
	{"NX_POP3_MAX_SERVER_REPLY", cc.Int64Value(512)},
	{"NX_POP3_MAX_CLIENT_COMMAND", cc.Int64Value(150)},
	{"NX_POP3_MAX_BINARY_MD5", cc.Int64Value(16)},
	{"NX_POP3_MAX_ASCII_MD5", cc.Int64Value(32)},
	{"NX_POP3_CLIENT_MAIL_BUFFER_SIZE", cc.Int64Value(2000)},
	{"NX_POP3_CLIENT_TCP_WINDOW_SIZE", cc.Int64Value(1460)},

	{"NX_POP3_CLIENT_PACKET_TIMEOUT", cc.Int64Value(1 * 100)},
	{"NX_POP3_TCP_SOCKET_SEND_WAIT", cc.Int64Value(10 * 100)},
	{"NX_POP3_CLIENT_CONNECTION_TIMEOUT", cc.Int64Value(30 * 100)},
	{"NX_POP3_CLIENT_DISCONNECT_TIMEOUT", cc.Int64Value(10 * 100)},
	{"NX_POP3_SERVER_REPLY_TIMEOUT", cc.Int64Value(10 * 100)},

	{"NX_POP3_POSITIVE_STATUS", str("+OK")},
	{"NX_POP3_NEGATIVE_STATUS", str("-ERR")},
	{"NX_POP3_END_OF_MESSAGE", str("\r\n.\r\n")},
	{"NX_POP3_COMMAND_USER", str("USER")},
	{"NX_POP3_COMMAND_APOP", str("APOP")},
	{"NX_POP3_COMMAND_PASS", str("PASS")},
	{"NX_POP3_COMMAND_STAT", str("STAT")},
	{"NX_POP3_COMMAND_LIST", str("LIST")},
	{"NX_POP3_COMMAND_RETR", str("RETR")},
	{"NX_POP3_COMMAND_DELE", str("DELE")},
	{"NX_POP3_COMMAND_QUIT", str("QUIT")},
	{"NX_POP3_COMMAND_RSET", str("RSET")},
	{"NX_POP3_COMMAND_NOOP", str("NOOP")},
}

// str is the value cc/v4 gives a string literal macro: the characters of
// the array C sees, terminating NUL included.
func str(s string) cc.Value { return cc.StringValue(s + "\x00") }

// vendorFields are the NX_POP3_CLIENT fields the vendor documents for
// applications to read, with the vendor's types. Their order and offsets
// are nxpop3's own: applications name fields, they do not count bytes.
var vendorFields = []struct{ Name, Type string }{
	{"nx_pop3_client_name", "CHAR[41]"},
	{"nx_pop3_client_password", "CHAR[21]"},
	{"nx_pop3_client_packet_pool_ptr", "NX_PACKET_POOL *"},
	{"nx_pop3_client_enable_APOP_authentication", "UINT"},
	{"nx_pop3_client_mail_status", "UINT"},
	{"nx_pop3_client_maildrop_items", "UINT"},
	{"nx_pop3_client_maildrop_index", "UINT"},
	{"nx_pop3_client_total_message_size", "ULONG"},
	{"nx_pop3_client_ready_to_download", "UINT"},
	{"nx_pop3_server_process_id", "CHAR[76]"},
	{"nx_pop3_client_message_ptr", "NX_PACKET *"},
}
