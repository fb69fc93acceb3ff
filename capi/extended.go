package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"unsafe"

	"github.com/nxpop3/nxpop3/pop3"
)

// maxOptionsSize rejects a size field no real options struct could have,
// which is what an uninitialised struct usually holds.
const maxOptionsSize = 64 * 1024

func defaultOptions(o *C.NX_POP3_CLIENT_OPTIONS) {
	C.memset(unsafe.Pointer(o), 0, C.sizeof_NX_POP3_CLIENT_OPTIONS)
	o.nx_pop3_options_size = C.sizeof_NX_POP3_CLIENT_OPTIONS
	o.nx_pop3_options_tls = C.NX_POP3_TLS_NONE
	o.nx_pop3_options_verify = C.NX_TRUE
	o.nx_pop3_options_auth = C.NX_POP3_AUTH_APOP
	o.nx_pop3_options_connect_timeout = C.NX_POP3_CLIENT_CONNECTION_TIMEOUT
	o.nx_pop3_options_reply_timeout = C.NX_POP3_SERVER_REPLY_TIMEOUT
	o.nx_pop3_options_packet_timeout = C.NX_POP3_CLIENT_PACKET_TIMEOUT
}

// nx_pop3_client_options_init fills options with the defaults: clear text,
// APOP with fallback to USER/PASS (as nx_pop3_client_create with APOP
// requested), certificate verification on, the vendor's timeouts.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL).
//
//export nx_pop3_client_options_init
func nx_pop3_client_options_init(options_ptr *C.NX_POP3_CLIENT_OPTIONS) C.UINT {
	if options_ptr == nil {
		return nxPtrError
	}
	defaultOptions(options_ptr)
	return nxSuccess
}

// readOptions copies the caller's options over the defaults, as far as the
// caller's struct goes: fields a later header adds keep their defaults for
// callers built before them.
func readOptions(p *C.NX_POP3_CLIENT_OPTIONS) (C.NX_POP3_CLIENT_OPTIONS, error) {
	var o C.NX_POP3_CLIENT_OPTIONS
	defaultOptions(&o)
	if p == nil {
		return o, nil
	}
	size := p.nx_pop3_options_size
	if size < C.ULONG(unsafe.Sizeof(p.nx_pop3_options_size)) || size > maxOptionsSize {
		return o, fail(nxParamError, "options size %d: call nx_pop3_client_options_init first", size)
	}
	C.memcpy(unsafe.Pointer(&o), unsafe.Pointer(p), C.size_t(min(size, C.sizeof_NX_POP3_CLIENT_OPTIONS)))
	return o, nil
}

var authMethods = map[C.UINT]pop3.AuthMethod{
	C.NX_POP3_AUTH_AUTO:     pop3.AuthAuto,
	C.NX_POP3_AUTH_USER:     pop3.AuthUser,
	C.NX_POP3_AUTH_APOP:     pop3.AuthAPOP,
	C.NX_POP3_AUTH_PLAIN:    pop3.AuthPlain,
	C.NX_POP3_AUTH_LOGIN:    pop3.AuthLogin,
	C.NX_POP3_AUTH_CRAM_MD5: pop3.AuthCramMD5,
	C.NX_POP3_AUTH_XOAUTH2:  pop3.AuthXOAuth2,
}

// optionString reads an optional C string of an options struct.
func optionString(s *C.CHAR, what string) (string, error) {
	if s == nil {
		return "", nil
	}
	return cString(s, what)
}

// targetFromOptions turns options into how a client connects and logs in.
func targetFromOptions(o *C.NX_POP3_CLIENT_OPTIONS, host string, port C.ULONG) (*target, error) {
	optHost, err := optionString(o.nx_pop3_options_host, "host")
	if err != nil {
		return nil, err
	}
	if optHost != "" {
		host = optHost
	}
	if host == "" {
		return nil, fail(nxPtrError, "neither a server address nor options host")
	}
	method, ok := authMethods[o.nx_pop3_options_auth]
	if !ok {
		return nil, fail(nxParamError, "unknown authentication method %d", o.nx_pop3_options_auth)
	}
	t := defaultTarget(host, port, C.NX_FALSE)
	t.apop = method == pop3.AuthAPOP
	t.login = pop3.LoginOptions{Method: method, Strict: o.nx_pop3_options_strict != 0}
	t.dialer.Timeout = ticks(o.nx_pop3_options_connect_timeout)
	t.dialer.Options.ReplyTimeout = ticks(o.nx_pop3_options_reply_timeout)
	t.packetWait = o.nx_pop3_options_packet_timeout
	t.fetchBytes = o.nx_pop3_options_fetch_bytes
	switch o.nx_pop3_options_tls {
	case C.NX_POP3_TLS_NONE:
		return t, nil
	case C.NX_POP3_TLS_STARTTLS:
		t.dialer.TLS = pop3.TLSStartTLS
	case C.NX_POP3_TLS_IMPLICIT:
		t.dialer.TLS = pop3.TLSImplicit
	default:
		return nil, fail(nxParamError, "unknown TLS mode %d", o.nx_pop3_options_tls)
	}
	cfg := &tls.Config{InsecureSkipVerify: o.nx_pop3_options_verify == 0}
	if cfg.ServerName, err = optionString(o.nx_pop3_options_server_name, "server name"); err != nil {
		return nil, err
	}
	caFile, err := optionString(o.nx_pop3_options_ca_file, "CA file")
	if err != nil {
		return nil, err
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fail(nxParamError, "CA file: %v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fail(nxParamError, "CA file %s holds no PEM certificate", caFile)
		}
	}
	t.dialer.TLSConfig = cfg
	return t, nil
}

// nxd_pop3_client_create_ex creates a client as nxd_pop3_client_create does,
// with what the vendor's client lacks: TLS (STLS or implicit, certificates
// verified against the system's or a given CA file), SASL PLAIN, LOGIN,
// CRAM-MD5 and XOAUTH2, a strict mode that never sends a password in clear
// text, a server host name instead of an address, and timeouts. options_ptr
// may be NULL for the defaults; server_duo_address may be NULL when the
// options name a host. The client works with every other service.
//
// Status: as nxd_pop3_client_create; NX_POP3_PARAM_ERROR also for options
// not initialised by nx_pop3_client_options_init, an unknown TLS mode or
// authentication method, or an unreadable CA file; NX_POP3_TLS_ERROR (TLS
// handshake failed, certificate refused, STLS not offered, or strict mode
// refused to send a password in clear text); NX_NOT_FOUND (host name unknown).
//
//export nxd_pop3_client_create_ex
func nxd_pop3_client_create_ex(client_ptr *C.NX_POP3_CLIENT, ip_ptr *C.NX_IP, packet_pool_ptr *C.NX_PACKET_POOL, server_duo_address *C.NXD_ADDRESS, server_port C.ULONG, client_name *C.CHAR, client_password *C.CHAR, options_ptr *C.NX_POP3_CLIENT_OPTIONS) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || ip_ptr == nil || packet_pool_ptr == nil || client_name == nil || client_password == nil {
			return nxPtrError
		}
		o, err := readOptions(options_ptr)
		if err != nil {
			return failCreate(client_ptr, err)
		}
		host := ""
		if server_duo_address != nil {
			if host, err = duoHost(server_duo_address); err != nil {
				return failCreate(client_ptr, err)
			}
		}
		t, err := targetFromOptions(&o, host, server_port)
		if err != nil {
			return failCreate(client_ptr, err)
		}
		return create(client_ptr, ip_ptr, packet_pool_ptr, client_name, client_password, t, server_port)
	})
}

// respCode maps an RFC 2449 response code to its NX_POP3_RESP_ value.
func respCode(code string) C.UINT {
	switch code {
	case "":
		return C.NX_POP3_RESP_NONE
	case "IN-USE":
		return C.NX_POP3_RESP_IN_USE
	case "LOGIN-DELAY":
		return C.NX_POP3_RESP_LOGIN_DELAY
	case "SYS/TEMP":
		return C.NX_POP3_RESP_SYS_TEMP
	case "SYS/PERM":
		return C.NX_POP3_RESP_SYS_PERM
	case "AUTH":
		return C.NX_POP3_RESP_AUTH
	}
	return C.NX_POP3_RESP_OTHER
}

// nx_pop3_client_response_code_get tells which RFC 2449 response code the
// server gave with its last -ERR, so a caller can tell a locked mailbox
// (NX_POP3_RESP_IN_USE) or a login delay from wrong credentials
// (NX_POP3_RESP_AUTH). NX_POP3_RESP_NONE after a failure without one. It
// works after a failed create too.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL, or a struct that is neither a
// client nor a failed create).
//
//export nx_pop3_client_response_code_get
func nx_pop3_client_response_code_get(client_ptr *C.NX_POP3_CLIENT, response_code *C.UINT) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || response_code == nil {
			return nxPtrError
		}
		if client_ptr.nx_pop3_client_id == idFailed {
			*response_code = client_ptr.nx_pop3_client_response_code
			return nxSuccess
		}
		return call(client_ptr, func(c *client) error {
			*response_code = client_ptr.nx_pop3_client_response_code
			return nil
		})
	})
}
