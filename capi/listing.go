// Listings: capabilities, unique-ids and sizes.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"maps"
	"slices"
	"strings"
	"unsafe"
)

// nx_pop3_client_capability_get asks the server's capabilities (CAPA, RFC
// 2449; sent once, then remembered until login or STLS changes them) and
// sets supported to NX_TRUE when capability is among them, e.g. "UIDL",
// "TOP", "PIPELINING", "STLS", or a SASL mechanism as "SASL CRAM-MD5".
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS (the server
// has no CAPA, or a malformed reply); NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_capability_get
func nx_pop3_client_capability_get(client_ptr *C.NX_POP3_CLIENT, capability *C.CHAR, supported *C.UINT) C.UINT {
	if capability == nil || supported == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		name, err := cString(capability, "capability")
		if err != nil {
			return err
		}
		c.endMessage()
		capa, err := c.pc.Capa(c.ctx)
		if err != nil {
			return err
		}
		*supported = C.NX_FALSE
		f := strings.Fields(name)
		switch {
		case len(f) == 2 && strings.EqualFold(f[0], "SASL"):
			if capa.HasSASL(f[1]) {
				*supported = C.NX_TRUE
			}
		case len(f) == 1 && capa.Has(f[0]):
			*supported = C.NX_TRUE
		}
		return nil
	})
}

// nx_pop3_client_capabilities_get copies the server's capabilities (CAPA)
// into buffer, one per line with its arguments ("SASL PLAIN LOGIN\n"), in
// alphabetical order, always NUL-terminated.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_SIZE_ERROR (buffer_size 0, or the
// list was cut to fit); NX_POP3_SERVER_ERROR_STATUS; NX_NOT_CONNECTED;
// NX_NO_RESPONSE.
//
//export nx_pop3_client_capabilities_get
func nx_pop3_client_capabilities_get(client_ptr *C.NX_POP3_CLIENT, buffer *C.CHAR, buffer_size C.UINT) C.UINT {
	if buffer == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		if buffer_size == 0 {
			return fail(nxSizeError, "buffer size 0")
		}
		c.endMessage()
		capa, err := c.pc.Capa(c.ctx)
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, name := range slices.Sorted(maps.Keys(capa)) {
			b.WriteString(strings.Join(append([]string{name}, capa[name]...), " "))
			b.WriteByte('\n')
		}
		return copyOut(buffer, buffer_size, b.String(), "capability list")
	})
}

// nx_pop3_client_mail_item_uid_get sends UIDL n: the message's unique-id,
// which stays the same across sessions (RFC 1939), so a caller can fetch
// only mail it has not seen. A buffer of NX_POP3_MAX_UID + 1 bytes holds any
// id a conforming server sends.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX;
// NX_POP3_INVALID_MAIL_ITEM; NX_SIZE_ERROR (the id was cut to fit);
// NX_POP3_SERVER_ERROR_STATUS; NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_uid_get
func nx_pop3_client_mail_item_uid_get(client_ptr *C.NX_POP3_CLIENT, mail_item C.UINT, uid_buffer *C.CHAR, buffer_size C.UINT) C.UINT {
	if uid_buffer == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		if buffer_size == 0 {
			return fail(nxSizeError, "buffer size 0")
		}
		if err := c.checkItem(mail_item); err != nil {
			return err
		}
		c.endMessage()
		u, err := c.pc.UIDLOne(c.ctx, int(mail_item))
		if err != nil {
			return err
		}
		return copyOut(uid_buffer, buffer_size, u.UID, "unique-id")
	})
}

// nx_pop3_client_mail_items_uid_list sends UIDL and calls callback with the
// number and unique-id of every message. The id string is valid during the
// call only. The callback must not call services of this client
// (NX_CALLER_ERROR).
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;
// NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_items_uid_list
func nx_pop3_client_mail_items_uid_list(client_ptr *C.NX_POP3_CLIENT, callback C.NX_POP3_UID_CALLBACK, context unsafe.Pointer) C.UINT {
	if callback == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		c.endMessage()
		uids, err := c.pc.UIDL(c.ctx)
		if err != nil {
			return err
		}
		c.inCallbacks(func() {
			for _, u := range uids {
				cs := C.CString(u.UID)
				C.nxpop3_call_uid(callback, c.cptr, C.UINT(u.ID), cs, context)
				C.free(unsafe.Pointer(cs))
			}
		})
		return nil
	})
}

// nx_pop3_client_mail_items_size_list sends LIST and calls callback with the
// number and size of every message. The callback must not call services of
// this client (NX_CALLER_ERROR).
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;
// NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_items_size_list
func nx_pop3_client_mail_items_size_list(client_ptr *C.NX_POP3_CLIENT, callback C.NX_POP3_SIZE_CALLBACK, context unsafe.Pointer) C.UINT {
	if callback == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		c.endMessage()
		list, err := c.pc.List(c.ctx)
		if err != nil {
			return err
		}
		c.inCallbacks(func() {
			for _, m := range list {
				C.nxpop3_call_size(callback, c.cptr, C.UINT(m.ID), C.ULONG(m.Size), context)
			}
		})
		return nil
	})
}
