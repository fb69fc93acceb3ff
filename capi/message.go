// Reading a message into packets of the caller's pool.

package main

/*
#include "capi_internal.h"

// Called for every packet: neither keeps a Go pointer nor calls into Go.
#cgo noescape nx_packet_allocate
#cgo nocallback nx_packet_allocate
#cgo noescape nx_packet_release
#cgo nocallback nx_packet_release
*/
import "C"

import (
	"io"
	"unsafe"

	"github.com/nxpop3/nxpop3/pop3"
)

// nx_pop3_client_mail_item_message_get hands out the next packet of the
// message that nx_pop3_client_mail_item_get started, allocated from the
// client's packet pool and filled with up to its payload size of message
// data: exactly the stored message, dot-stuffing removed, the terminating
// line not included. final_packet is NX_TRUE on the packet holding the last
// data (0 bytes only for an empty message). Release each packet with
// nx_packet_release.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_STATE (no
// message being downloaded); NX_NO_PACKET (the pool stayed empty for
// NX_POP3_CLIENT_PACKET_TIMEOUT; nothing is lost, call again);
// NX_POP3_INSUFFICIENT_PACKET_PAYLOAD; NX_NOT_CONNECTED (the connection
// ended inside the message); NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_message_get
func nx_pop3_client_mail_item_message_get(client_ptr *C.NX_POP3_CLIENT, recv_packet_ptr **C.NX_PACKET, bytes_retrieved *C.ULONG, final_packet *C.UINT) C.UINT {
	if recv_packet_ptr == nil || bytes_retrieved == nil || final_packet == nil {
		return nxPtrError
	}
	return call(client_ptr, func(c *client) error {
		pkt, n, final, err := c.nextPacket()
		if err != nil {
			return err
		}
		*recv_packet_ptr = pkt
		*bytes_retrieved = C.ULONG(n)
		*final_packet = C.NX_FALSE
		if final {
			*final_packet = C.NX_TRUE
			c.endMessage()
		}
		return nil
	})
}

// nx_pop3_client_mail_item_top_get sends TOP n lines: the message's header
// and the first lines of its body, read with the same
// nx_pop3_client_mail_item_message_get loop as a message after
// nx_pop3_client_mail_item_get.
//
// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_CLIENT_INVALID_INDEX;
// NX_POP3_INVALID_MAIL_ITEM; NX_POP3_SERVER_ERROR_STATUS (-ERR, e.g. a server
// without TOP); NX_NOT_CONNECTED; NX_NO_RESPONSE.
//
//export nx_pop3_client_mail_item_top_get
func nx_pop3_client_mail_item_top_get(client_ptr *C.NX_POP3_CLIENT, mail_item C.UINT, lines C.UINT) C.UINT {
	return call(client_ptr, func(c *client) error {
		if err := c.checkItem(mail_item); err != nil {
			return err
		}
		if lines > 1<<31-1 {
			return statusErrorf(nxParamError, "%d lines", lines)
		}
		c.endMessage()
		m, err := c.pc.Top(c.ctx, int(mail_item), int(lines))
		if err != nil {
			return err
		}
		c.startMessage(m, mail_item)
		return nil
	})
}

func (c *client) startMessage(m *pop3.Message, item C.UINT) {
	c.msg = m
	c.cptr.nx_pop3_client_ready_to_download = C.NX_TRUE
	c.cptr.nx_pop3_client_maildrop_index = item
}

// endMessage forgets the message being downloaded; the pop3 client reads
// what is left of it before its next command.
func (c *client) endMessage() {
	c.msg = nil
	c.cptr.nx_pop3_client_ready_to_download = C.NX_FALSE
}

// nextPacket fills a packet of the client's pool with the next part of the
// message: as much as the packet holds, unless the message ends first. It
// looks past a full packet for the terminator so that the packet holding
// the last data is the one marked final, rather than an empty one after it.
func (c *client) nextPacket() (pkt *C.NX_PACKET, n int, final bool, err error) {
	if c.msg == nil {
		return nil, 0, false, statusErrorf(nxInvalidState, "no message is being downloaded: call nx_pop3_client_mail_item_get first")
	}
	// NetX refuses a packet whose headers do not fit the pool's payload
	// with its own status; the caller is owed the POP3 one.
	if c.pool.nx_packet_pool_payload_size <= C.NX_IPv4_TCP_PACKET {
		return nil, 0, false, statusErrorf(nxPayload, "packets of this pool (payload %d) have no room for data after the %d bytes of headers",
			c.pool.nx_packet_pool_payload_size, C.NX_IPv4_TCP_PACKET)
	}
	// The packet pointer lands in the struct's vendor field, C memory, so
	// no Go pointer crosses into C on this hot path.
	slot := &c.cptr.nx_pop3_client_message_ptr
	st := C.nx_packet_allocate(c.pool, slot, C.NX_IPv4_TCP_PACKET, c.packetWait)
	pkt, *slot = *slot, nil
	if st != C.NX_SUCCESS {
		if st == C.NX_NO_PACKET {
			return nil, 0, false, statusErrorf(nxNoPacket, "no free packet in the pool; nothing was lost, call again")
		}
		return nil, 0, false, statusErrorf(st, "packet allocation failed with status 0x%02X", uint(st))
	}
	room := int(uintptr(unsafe.Pointer(pkt.nx_packet_data_end)) - uintptr(unsafe.Pointer(pkt.nx_packet_prepend_ptr)))
	if room <= 0 {
		C.nx_packet_release(pkt)
		return nil, 0, false, statusErrorf(nxPayload, "packets of this pool have no room for data")
	}
	// Read straight into the caller's pool memory: one copy, not two.
	buf := unsafe.Slice((*byte)(unsafe.Pointer(pkt.nx_packet_prepend_ptr)), room)
	for n < room && err == nil {
		var k int
		k, err = c.msg.Read(buf[n:])
		n += k
	}
	if err == nil {
		final, err = c.msg.AtEOF()
	}
	if err == io.EOF {
		final, err = true, nil
	}
	if err != nil {
		C.nx_packet_release(pkt)
		c.endMessage()
		return nil, 0, false, err
	}
	// The data is in place: setting the lengths here saves a trip through
	// C per packet. The NUL after the data stays inside the pool even when the data fills
	// the payload (nx_api.h: the byte after nx_packet_data_end is the
	// packet's always-zero terminator member).
	pkt.nx_packet_append_ptr = (*C.UCHAR)(unsafe.Add(unsafe.Pointer(pkt.nx_packet_prepend_ptr), n))
	pkt.nx_packet_length = C.ULONG(n)
	*pkt.nx_packet_append_ptr = 0
	return pkt, n, final, nil
}
