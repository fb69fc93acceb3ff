package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/nxpop3/nxpop3/pop3"
)

// errStopped carries the status a fetch callback stopped with.
type errStopped struct{ status C.UINT }

func (e *errStopped) Error() string { return "stopped by the callback" }

// nx_pop3_client_mail_items_fetch retrieves item_count messages, the items
// listed in items, or items 1 to item_count when items is NULL, and hands
// each message's packets, allocated from the client's pool, to callback,
// which owns and releases them. Commands are pipelined (RFC 2449) when the
// server advertises PIPELINING, sent one at a time otherwise; CAPA is asked
// once to find out, and LIST once, unless mail_items_size_list already ran
// in this session, for the sizes that set how many RETRs are in flight: as many as fit nx_pop3_options_fetch_bytes of announced
// replies (4 MiB by default, enough for a fast path with a long round
// trip; one at least), at most 1024. With delete_items, a message is marked
// for deletion (DELE) only after the callback accepted its final packet; as always,
// deletions take effect only at a successful nx_pop3_client_quit.
//
// A callback returning anything but NX_SUCCESS stops the fetch: no further
// message is retrieved or deleted, and the fetch returns that status. The
// callback must not call services of this client (NX_CALLER_ERROR).
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX (an item
// 0); NX_POP3_INVALID_MAIL_ITEM (an item above the last STAT count);
// NX_NO_PACKET (the pool stayed empty for the packet timeout: release
// packets in the callback); NX_POP3_SERVER_ERROR_STATUS (-ERR for an item:
// the fetch stops there); NX_NOT_CONNECTED; NX_NO_RESPONSE; or the
// callback's status.
//
//export nx_pop3_client_mail_items_fetch
func nx_pop3_client_mail_items_fetch(client_ptr *C.NX_POP3_CLIENT, items *C.UINT, item_count C.UINT, delete_items C.UINT, callback C.NX_POP3_FETCH_CALLBACK, context unsafe.Pointer) C.UINT {
	if callback == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		// Checked before anything is allocated for them: a huge count must
		// be refused, not make room for 2^32 items (a fatal out of memory).
		ids := make([]int, 0, min(int(item_count), max(c.count, 0)))
		var list []C.UINT
		if items != nil && item_count > 0 {
			list = unsafe.Slice(items, item_count)
		}
		for i := 0; i < int(item_count); i++ {
			item := C.UINT(i + 1)
			if list != nil {
				item = list[i]
			}
			if err := c.checkItem(item); err != nil {
				return err
			}
			ids = append(ids, int(item))
		}
		c.endMessage()
		var stopped *errStopped
		var err error
		c.inCallbacks(func() {
			err = c.pc.Fetch(c.ctx, ids, &pop3.FetchOptions{Delete: delete_items != 0, MaxInFlight: int64(c.fetchBytes)}, func(m *pop3.Message) error {
				c.startMessage(m, C.UINT(m.ID))
				defer c.endMessage()
				for {
					pkt, _, final, err := c.nextPacket()
					if err != nil {
						return err
					}
					fin := C.UINT(C.NX_FALSE)
					if final {
						fin = C.NX_TRUE
					}
					if st := C.nxpop3_call_fetch(callback, c.cptr, C.UINT(m.ID), pkt, fin, context); st != C.NX_SUCCESS {
						stopped = &errStopped{st}
						return stopped
					}
					if final {
						return nil
					}
				}
			})
		})
		if errors.As(err, &stopped) {
			return statusErrorf(stopped.status, "fetch stopped by the callback with status 0x%02X", uint(stopped.status))
		}
		return err
	})
}
