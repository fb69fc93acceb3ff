package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/nxpop3/nxpop3/pop3"
)

// idFailed marks a struct whose create failed: not a client, but its error
// text may still be read.
const idFailed = C.ULONG(0x504F5046)

// maxCredential bounds a name or password read from C, so an unterminated
// buffer cannot be read without end. OAuth tokens fit with room to spare.
const maxCredential = 64 * 1024

// Ticks are hundredths of a second (NX_IP_PERIODIC_RATE).
func ticks(t C.ULONG) time.Duration { return time.Duration(t) * 10 * time.Millisecond }

// target is where a new client connects and how it logs in.
type target struct {
	addr       string // host:port
	apop       bool
	dialer     pop3.Dialer
	login      pop3.LoginOptions
	packetWait C.ULONG
	fetchBytes C.ULONG // nx_pop3_options_fetch_bytes
}

func defaultTarget(host string, port C.ULONG, apop C.UINT) *target {
	t := &target{
		addr:       net.JoinHostPort(host, strconv.FormatUint(uint64(port), 10)),
		apop:       apop != 0,
		packetWait: C.NX_POP3_CLIENT_PACKET_TIMEOUT,
	}
	t.dialer.Timeout = ticks(C.NX_POP3_CLIENT_CONNECTION_TIMEOUT)
	t.dialer.Options.ReplyTimeout = ticks(C.NX_POP3_SERVER_REPLY_TIMEOUT)
	// Calls come from C threads: wait for replies on them, in the kernel.
	t.dialer.Options.WaitInThread = true
	t.login.Method = pop3.AuthUser
	if t.apop {
		t.login.Method = pop3.AuthAPOP
	}
	return t
}

// connectTo lets a host run firmware code whose server address is fixed for
// its target network: NXPOP3_CONNECT_TO=host:port redirects every client.
func (t *target) redirect() {
	if to := os.Getenv("NXPOP3_CONNECT_TO"); to != "" {
		t.addr = to
	}
}

// nx_pop3_client_create creates a client, connects to an IPv4 server and
// logs in: APOP when APOP_authentication is set and the greeting has a
// timestamp, USER/PASS otherwise or when APOP is refused.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (a NULL pointer, or a packet pool that
// was not created); NX_POP3_PARAM_ERROR (address or port 0, IP instance not
// created, empty name, CR/LF in a credential); NX_NOT_ENABLED (TCP not
// enabled on the IP instance); NX_POP3_CLIENT_INVALID_STATE (the struct is a
// live client already); NX_NOT_CONNECTED (connection refused or closed);
// NX_NO_RESPONSE (no reply in time); NX_POP3_SERVER_ERROR_STATUS (-ERR or a
// malformed reply, e.g. wrong credentials); NX_NOT_FOUND (host name unknown).
//
//export nx_pop3_client_create
func nx_pop3_client_create(client_ptr *C.NX_POP3_CLIENT, APOP_authentication C.UINT, ip_ptr *C.NX_IP, packet_pool_ptr *C.NX_PACKET_POOL, server_ip_address C.ULONG, server_port C.ULONG, client_name *C.CHAR, client_password *C.CHAR) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || ip_ptr == nil || packet_pool_ptr == nil || client_name == nil || client_password == nil {
			return nxPtrError
		}
		if server_ip_address == 0 || server_ip_address > 0xFFFFFFFF {
			return failCreate(client_ptr, fail(nxParamError, "server address 0 or not IPv4"))
		}
		a := uint32(server_ip_address)
		host := net.IPv4(byte(a>>24), byte(a>>16), byte(a>>8), byte(a)).String()
		return create(client_ptr, ip_ptr, packet_pool_ptr, client_name, client_password, defaultTarget(host, server_port, APOP_authentication), server_port)
	})
}

// nxd_pop3_client_create is nx_pop3_client_create for an IPv4 or IPv6
// server address (NXD_ADDRESS, host byte order).
//
// Status: as nx_pop3_client_create; NX_POP3_PARAM_ERROR also for an address
// version other than NX_IP_VERSION_V4 or NX_IP_VERSION_V6, or the all-zero
// address.
//
//export nxd_pop3_client_create
func nxd_pop3_client_create(client_ptr *C.NX_POP3_CLIENT, APOP_authentication C.UINT, ip_ptr *C.NX_IP, packet_pool_ptr *C.NX_PACKET_POOL, server_duo_address *C.NXD_ADDRESS, server_port C.ULONG, client_name *C.CHAR, client_password *C.CHAR) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || ip_ptr == nil || packet_pool_ptr == nil || server_duo_address == nil || client_name == nil || client_password == nil {
			return nxPtrError
		}
		host, err := duoHost(server_duo_address)
		if err != nil {
			return failCreate(client_ptr, err)
		}
		return create(client_ptr, ip_ptr, packet_pool_ptr, client_name, client_password, defaultTarget(host, server_port, APOP_authentication), server_port)
	})
}

// duoHost renders an NXD_ADDRESS as an IP literal.
func duoHost(a *C.NXD_ADDRESS) (string, error) {
	words := (*[4]C.ULONG)(unsafe.Pointer(&a.nxd_ip_address))
	switch a.nxd_ip_version {
	case C.NX_IP_VERSION_V4:
		v := uint32(words[0])
		if v == 0 {
			return "", fail(nxParamError, "server address 0")
		}
		return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String(), nil
	case C.NX_IP_VERSION_V6:
		ip := make(net.IP, 16)
		zero := true
		for i, w := range words {
			v := uint32(w)
			ip[4*i], ip[4*i+1], ip[4*i+2], ip[4*i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
			zero = zero && v == 0
		}
		if zero {
			return "", fail(nxParamError, "server address ::")
		}
		return ip.String(), nil
	}
	return "", fail(nxParamError, "address version %d is neither 4 nor 6", a.nxd_ip_version)
}

// failCreate records why a create failed, in a struct that is not a client.
func failCreate(p *C.NX_POP3_CLIENT, err error) C.UINT {
	if !isLive(p) {
		C.memset(unsafe.Pointer(p), 0, C.sizeof_NX_POP3_CLIENT)
		p.nx_pop3_client_id = idFailed
		setError(p, err)
	}
	return status(err)
}

// cString reads a C string of at most maxCredential bytes.
func cString(s *C.CHAR, what string) (string, error) {
	n := C.strnlen(s, maxCredential+1)
	if n > maxCredential {
		return "", fail(nxParamError, "%s longer than %d bytes", what, maxCredential)
	}
	return C.GoStringN(s, C.int(n)), nil
}

func create(p *C.NX_POP3_CLIENT, ip *C.NX_IP, pool *C.NX_PACKET_POOL, cname, cpass *C.CHAR, t *target, port C.ULONG) C.UINT {
	if isLive(p) {
		return nxInvalidState // never overwrite a live client: its session would leak
	}
	if C.nxhost_pool_valid(pool) == 0 {
		return failCreate(p, fail(nxPtrError, "packet pool not created"))
	}
	if C.nxhost_ip_valid(ip) == 0 {
		return failCreate(p, fail(nxParamError, "IP instance not created"))
	}
	if C.nxhost_ip_tcp_enabled(ip) == 0 {
		return failCreate(p, fail(nxNotEnabled, "TCP not enabled on the IP instance"))
	}
	if port == 0 || port > 65535 {
		return failCreate(p, fail(nxParamError, "server port %d", port))
	}
	name, err := cString(cname, "user name")
	if err != nil {
		return failCreate(p, err)
	}
	pass, err := cString(cpass, "password")
	if err != nil {
		return failCreate(p, err)
	}
	if name == "" || strings.ContainsAny(name, "\r\n") || strings.ContainsAny(pass, "\r\n") {
		return failCreate(p, fail(nxParamError, "empty user name, or CR or LF in a credential"))
	}
	t.redirect()

	ctx, cancel := context.WithCancel(context.Background())
	pc, err := t.dialer.Dial(ctx, t.addr)
	if err != nil {
		cancel()
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			err = fmt.Errorf("%w: %w", errConnect, err)
		}
		return failCreate(p, err)
	}
	if err := pc.Login(ctx, name, pass, &t.login); err != nil {
		pc.Close()
		cancel()
		return failCreate(p, err)
	}

	C.memset(unsafe.Pointer(p), 0, C.sizeof_NX_POP3_CLIENT)
	c := &client{cptr: p, pool: pool, ctx: ctx, cancel: cancel, pc: pc, password: []byte(pass), count: -1, packetWait: t.packetWait, fetchBytes: t.fetchBytes}
	setCString(&p.nx_pop3_client_name[0], len(p.nx_pop3_client_name), name)
	setCString(&p.nx_pop3_server_process_id[0], len(p.nx_pop3_server_process_id), pc.Timestamp())
	p.nx_pop3_client_ip_ptr = ip
	p.nx_pop3_client_packet_pool_ptr = pool
	if t.apop {
		p.nx_pop3_client_enable_APOP_authentication = C.NX_TRUE
	}
	register(c)
	return nxSuccess
}

// checkItem applies the vendor's index checks: 0 is never a message, and a
// number above the count of the last STAT is refused before anything is
// sent.
func (c *client) checkItem(item C.UINT) error {
	if item == 0 {
		return fail(nxInvalidIndex, "mail item 0 (items start at 1)")
	}
	if c.count < 0 || int64(item) > int64(c.count) {
		return fail(nxInvalidItem, "mail item %d is above the count of the last STAT (%d)", item, max(c.count, 0))
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
		clear(c.password)
		c.msg = nil
		C.memset(unsafe.Pointer(client_ptr), 0, C.sizeof_NX_POP3_CLIENT)
		return nxSuccess
	})
}

// nx_pop3_client_error_text copies the text of the client's last failure
// (the server's -ERR text, or the network or TLS error) into buffer, always
// NUL-terminated, cut to size. It never holds the password. It works after
// a failed create too, until the struct is reused or deleted.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL pointer, or a struct that is
// neither a client nor a failed create); NX_SIZE_ERROR (size 0, or the text
// was cut to fit).
//
//export nx_pop3_client_error_text
func nx_pop3_client_error_text(client_ptr *C.NX_POP3_CLIENT, buffer *C.CHAR, size C.UINT) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || buffer == nil {
			return nxPtrError
		}
		if size == 0 {
			return nxSizeError
		}
		copyText := func() C.UINT {
			field := &client_ptr.nx_pop3_client_error_text[0]
			text := C.GoStringN(field, C.int(C.strnlen(field, C.NX_POP3_ERROR_TEXT_SIZE)))
			setCString(buffer, int(size), text)
			if len(text) >= int(size) {
				return nxSizeError
			}
			return nxSuccess
		}
		if client_ptr.nx_pop3_client_id == idFailed {
			return copyText()
		}
		st := nxSuccess
		if s := call(client_ptr, func(*client) error { st = copyText(); return nil }); s != nxSuccess {
			return s
		}
		return st
	})
}
