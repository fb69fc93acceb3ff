// The vendor's services on a live client, besides create and the message
// download.

package main

/*
#include "capi_internal.h"
*/
import "C"

import "unsafe"

// checkItem applies the vendor's index checks: 0 is never a message, and a
// number above the count of the last STAT is refused before anything is
// sent.
func (c *client) checkItem(item C.UINT) error {
	if item == 0 {
		return statusErrorf(nxInvalidIndex, "mail item 0 (items start at 1)")
	}
	if c.count < 0 || int64(item) > int64(c.count) {
		return statusErrorf(nxInvalidItem, "mail item %d is above the count of the last STAT (%d)", item, max(c.count, 0))
	}
	return nil
}

// nx_pop3_client_mail_items_get sends STAT: the number of messages and their
// total size. The count bounds the item numbers the other calls accept.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL pointer, or not a live client);
// NX_POP3_SERVER_ERROR_STATUS (-ERR or a malformed reply); NX_NOT_CONNECTED;
// NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_items_get
func nx_pop3_client_mail_items_get(client_ptr *C.NX_POP3_CLIENT, number_mail_items *C.UINT, maildrop_total_size *C.ULONG) C.UINT {
	if number_mail_items == nil || maildrop_total_size == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		n, size, err := c.pc.Stat(c.ctx)
		if err != nil {
			return err
		}
		c.count = n
		*number_mail_items = C.UINT(n)
		*maildrop_total_size = C.ULONG(size)
		c.cptr.nx_pop3_client_maildrop_items = C.UINT(n)
		c.cptr.nx_pop3_client_total_message_size = C.ULONG(size)
		return nil
	})
}

// nx_pop3_client_mail_item_size_get sends LIST n: the size of one message.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX (item 0);
// NX_POP3_INVALID_MAIL_ITEM (above the last STAT count);
// NX_POP3_SERVER_ERROR_STATUS (-ERR, or the reply names another item);
// NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_size_get
func nx_pop3_client_mail_item_size_get(client_ptr *C.NX_POP3_CLIENT, mail_item C.UINT, size *C.ULONG) C.UINT {
	if size == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		if err := c.checkItem(mail_item); err != nil {
			return err
		}
		info, err := c.pc.ListOne(c.ctx, int(mail_item))
		if err != nil {
			return err
		}
		*size = C.ULONG(info.Size)
		return nil
	})
}

// nx_pop3_client_mail_item_get sends RETR n and readies the client for
// nx_pop3_client_mail_item_message_get. item_size is the size the server
// announced on its +OK line, 0 if it announced none. A message still being
// read is discarded first.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX;
// NX_POP3_INVALID_MAIL_ITEM; NX_POP3_SERVER_ERROR_STATUS; NX_NOT_CONNECTED;
// NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_get
func nx_pop3_client_mail_item_get(client_ptr *C.NX_POP3_CLIENT, mail_item C.UINT, item_size *C.ULONG) C.UINT {
	if item_size == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		if err := c.checkItem(mail_item); err != nil {
			return err
		}
		c.endMessage()
		m, err := c.pc.Retr(c.ctx, int(mail_item))
		if err != nil {
			return err
		}
		c.startMessage(m, mail_item)
		*item_size = C.ULONG(max(m.Size, 0))
		return nil
	})
}

// nx_pop3_client_mail_item_delete sends DELE n. The server deletes the
// message only when nx_pop3_client_quit succeeds.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX;
// NX_POP3_INVALID_MAIL_ITEM; NX_POP3_SERVER_ERROR_STATUS; NX_NOT_CONNECTED;
// NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_delete
func nx_pop3_client_mail_item_delete(client_ptr *C.NX_POP3_CLIENT, mail_index C.UINT) C.UINT {
	return call(client_ptr, func(c *client) error {
		if err := c.checkItem(mail_index); err != nil {
			return err
		}
		c.endMessage()
		return c.pc.Dele(c.ctx, int(mail_index))
	})
}

// nx_pop3_client_noop sends NOOP, which keeps the session alive.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;
// NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_noop
func nx_pop3_client_noop(client_ptr *C.NX_POP3_CLIENT) C.UINT {
	return call(client_ptr, func(c *client) error {
		c.endMessage()
		return c.pc.Noop(c.ctx)
	})
}

// nx_pop3_client_reset sends RSET: every message marked for deletion in
// this session is unmarked.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;
// NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_reset
func nx_pop3_client_reset(client_ptr *C.NX_POP3_CLIENT) C.UINT {
	return call(client_ptr, func(c *client) error {
		c.endMessage()
		return c.pc.Rset(c.ctx)
	})
}

// nx_pop3_client_quit sends QUIT and closes the connection. Only
// NX_SUCCESS means the server acknowledged it and so committed deletions.
// The client must still be deleted with nx_pop3_client_delete.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;
// NX_NOT_CONNECTED (also for a second quit); NX_NO_RESPONSE.
//
//export nx_pop3_client_quit
func nx_pop3_client_quit(client_ptr *C.NX_POP3_CLIENT) C.UINT {
	return call(client_ptr, func(c *client) error {
		c.endMessage()
		return c.pc.Quit(c.ctx)
	})
}

// nx_pop3_client_delete closes the connection without QUIT, so the server
// deletes nothing, wipes the password and clears the struct. A call in
// progress on another thread is aborted and returns NX_WAIT_ABORTED.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL, or not a live client: never
// created, or deleted already); NX_CALLER_ERROR (called from one of this
// client's own callbacks).
//
//export nx_pop3_client_delete
func nx_pop3_client_delete(client_ptr *C.NX_POP3_CLIENT) C.UINT {
	return guard(func() C.UINT {
		c := lookup(client_ptr)
		if c == nil {
			if client_ptr != nil && client_ptr.nx_pop3_client_id == idFailed {
				client_ptr.nx_pop3_client_id = 0
				setLongError(client_ptr, "")
			}
			return nxPtrError
		}
		if c.isCallbackThread() {
			return nxCallerError // this thread holds the client: deleting would deadlock
		}
		c.cancel() // aborts a call another thread has in progress
		c.pc.Close()
		c.mu.Lock()
		defer c.mu.Unlock()
		if lookup(client_ptr) != c {
			return nxPtrError // another thread deleted it first
		}
		unregister(c)
		setLongError(client_ptr, "")
		clear(c.password)
		c.msg = nil
		C.memset(unsafe.Pointer(client_ptr), 0, C.sizeof_NX_POP3_CLIENT)
		return nxSuccess
	})
}
