// Creating a client: the vendor's create calls, nxd_pop3_client_create_ex
// and its options.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"context"
	"crypto/tls"
	"errors"
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
	t.dialer.Options.AuthReplyTimeout = ticks(C.NX_POP3_AUTH_REPLY_TIMEOUT)
	// Calls come from C threads: wait for replies on them, in the kernel.
	t.dialer.Options.WaitInThread = true
	// The vendor's calls send USER/PASS in clear text, and the firmware
	// written for them relies on it; nxd_pop3_client_create_ex does not
	// (nx_pop3_options_insecure_auth).
	t.dialer.Options.InsecureAuth = true
	t.login.Method = pop3.AuthUser
	if t.apop {
		t.login.Method = pop3.AuthAPOP
	}
	return t
}

// redirect lets a host run firmware code whose server address is fixed for
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
			return failCreate(client_ptr, statusErrorf(nxParamError, "server address 0 or not IPv4"))
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

// nxd_pop3_client_create_ex creates a client as nxd_pop3_client_create does,
// with what the vendor's client lacks: TLS (STLS or implicit, certificates
// verified against the system's or a given CA file, or pinned by
// fingerprint; a client certificate; a minimum version, TLS 1.2 by
// default), SASL PLAIN, LOGIN, CRAM-MD5, XOAUTH2, SCRAM-SHA-256,
// SCRAM-SHA-1 and OAUTHBEARER, a strict mode that never sends a password in
// clear text, a server host name instead of an address, timeouts, and a
// protocol trace with the credentials masked (nx_pop3_options_debug).
// options_ptr may be NULL for the defaults; server_duo_address may be NULL
// when the options name a host. The client works with every other service.
//
// Unlike the vendor's create calls, it sends a password readable on the
// wire (USER/PASS, PLAIN, LOGIN, XOAUTH2, and so APOP's fallback to
// USER/PASS) only over TLS, to a loopback address, or with
// nx_pop3_options_insecure_auth set; APOP and CRAM-MD5 always work.
//
// Status: as nxd_pop3_client_create; NX_POP3_PARAM_ERROR also for options
// not initialised by nx_pop3_client_options_init, an unknown TLS mode,
// TLS version or authentication method, an unreadable CA, certificate or
// key file, a fingerprint that is not a SHA-256 digest or given without
// TLS); NX_POP3_TLS_ERROR (TLS handshake failed, certificate refused or
// not matching the fingerprint, client certificate refused by the server,
// STLS not offered, or a password would have crossed the network in clear
// text: strict mode, or neither TLS, a loopback server nor
// nx_pop3_options_insecure_auth); NX_POP3_SERVER_ERROR_STATUS also when a
// SCRAM server fails to prove it knows the password; NX_NOT_FOUND (host
// name unknown).
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

// duoHost renders an NXD_ADDRESS as an IP literal.
func duoHost(a *C.NXD_ADDRESS) (string, error) {
	words := (*[4]C.ULONG)(unsafe.Pointer(&a.nxd_ip_address))
	switch a.nxd_ip_version {
	case C.NX_IP_VERSION_V4:
		v := uint32(words[0])
		if v == 0 {
			return "", statusErrorf(nxParamError, "server address 0")
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
			return "", statusErrorf(nxParamError, "server address ::")
		}
		return ip.String(), nil
	}
	return "", statusErrorf(nxParamError, "address version %d is neither 4 nor 6", a.nxd_ip_version)
}

// failCreate records why a create failed, in a struct that is not a client.
func failCreate(p *C.NX_POP3_CLIENT, err error) C.UINT {
	if !holdsClient(p) {
		C.memset(unsafe.Pointer(p), 0, C.sizeof_NX_POP3_CLIENT)
		p.nx_pop3_client_id = idFailed
		setError(p, err)
	}
	return status(err)
}

func create(p *C.NX_POP3_CLIENT, ip *C.NX_IP, pool *C.NX_PACKET_POOL, cname, cpass *C.CHAR, t *target, port C.ULONG) C.UINT {
	if holdsClient(p) {
		return nxInvalidState // never overwrite a live client: its session would leak
	}
	if C.nxhost_pool_valid(pool) == 0 {
		return failCreate(p, statusErrorf(nxPtrError, "packet pool not created"))
	}
	if C.nxhost_ip_valid(ip) == 0 {
		return failCreate(p, statusErrorf(nxParamError, "IP instance not created"))
	}
	if C.nxhost_ip_tcp_enabled(ip) == 0 {
		return failCreate(p, statusErrorf(nxNotEnabled, "TCP not enabled on the IP instance"))
	}
	if port == 0 || port > 65535 {
		return failCreate(p, statusErrorf(nxParamError, "server port %d", port))
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
		return failCreate(p, statusErrorf(nxParamError, "empty user name, or CR or LF in a credential"))
	}
	t.redirect()

	ctx, cancel := context.WithCancel(context.Background())
	pc, err := t.dialer.Dial(ctx, t.addr)
	if err != nil {
		cancel()
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			err = connectFailed{err}
		}
		return failCreate(p, err)
	}
	if err := pc.Login(ctx, name, pass, &t.login); err != nil {
		pc.Close()
		cancel()
		return failCreate(p, err)
	}

	C.memset(unsafe.Pointer(p), 0, C.sizeof_NX_POP3_CLIENT)
	setLongError(p, "")
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

// maxOptionsSize rejects a size field no real options struct could have,
// which is what an uninitialised struct usually holds.
const maxOptionsSize = 64 * 1024

// nx_pop3_client_options_init fills options with the defaults: clear text,
// APOP with fallback to USER/PASS (as nx_pop3_client_create with APOP
// requested) where a readable password may be sent (TLS or a loopback
// server; nx_pop3_options_insecure_auth NX_FALSE), certificate
// verification on, the vendor's timeouts.
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

func defaultOptions(o *C.NX_POP3_CLIENT_OPTIONS) {
	C.memset(unsafe.Pointer(o), 0, C.sizeof_NX_POP3_CLIENT_OPTIONS)
	o.nx_pop3_options_size = C.sizeof_NX_POP3_CLIENT_OPTIONS
	o.nx_pop3_options_tls = C.NX_POP3_TLS_NONE
	o.nx_pop3_options_verify = C.NX_TRUE
	o.nx_pop3_options_auth = C.NX_POP3_AUTH_APOP
	o.nx_pop3_options_connect_timeout = C.NX_POP3_CLIENT_CONNECTION_TIMEOUT
	o.nx_pop3_options_reply_timeout = C.NX_POP3_SERVER_REPLY_TIMEOUT
	o.nx_pop3_options_packet_timeout = C.NX_POP3_CLIENT_PACKET_TIMEOUT
	o.nx_pop3_options_auth_reply_timeout = C.NX_POP3_AUTH_REPLY_TIMEOUT
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
		return o, statusErrorf(nxParamError, "options size %d: call nx_pop3_client_options_init first", size)
	}
	C.memcpy(unsafe.Pointer(&o), unsafe.Pointer(p), C.size_t(min(size, C.sizeof_NX_POP3_CLIENT_OPTIONS)))
	return o, nil
}

var authMethods = map[C.UINT]pop3.AuthMethod{
	C.NX_POP3_AUTH_AUTO:          pop3.AuthAuto,
	C.NX_POP3_AUTH_USER:          pop3.AuthUser,
	C.NX_POP3_AUTH_APOP:          pop3.AuthAPOP,
	C.NX_POP3_AUTH_PLAIN:         pop3.AuthPlain,
	C.NX_POP3_AUTH_LOGIN:         pop3.AuthLogin,
	C.NX_POP3_AUTH_CRAM_MD5:      pop3.AuthCramMD5,
	C.NX_POP3_AUTH_XOAUTH2:       pop3.AuthXOAuth2,
	C.NX_POP3_AUTH_SCRAM_SHA_256: pop3.AuthScramSHA256,
	C.NX_POP3_AUTH_SCRAM_SHA_1:   pop3.AuthScramSHA1,
	C.NX_POP3_AUTH_OAUTHBEARER:   pop3.AuthOAuthBearer,
}

// tlsVersions are the values nx_pop3_options_tls_min_version takes; 0 is
// the default.
var tlsVersions = map[C.UINT]uint16{
	0:                         pop3.DefaultMinTLSVersion,
	C.NX_POP3_TLS_VERSION_1_0: tls.VersionTLS10,
	C.NX_POP3_TLS_VERSION_1_1: tls.VersionTLS11,
	C.NX_POP3_TLS_VERSION_1_2: tls.VersionTLS12,
	C.NX_POP3_TLS_VERSION_1_3: tls.VersionTLS13,
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
		return nil, statusErrorf(nxPtrError, "neither a server address nor options host")
	}
	method, ok := authMethods[o.nx_pop3_options_auth]
	if !ok {
		return nil, statusErrorf(nxParamError, "unknown authentication method %d", o.nx_pop3_options_auth)
	}
	t := defaultTarget(host, port, C.NX_FALSE)
	t.apop = method == pop3.AuthAPOP
	t.login = pop3.LoginOptions{Method: method, Strict: o.nx_pop3_options_strict != 0}
	t.dialer.Timeout = ticks(o.nx_pop3_options_connect_timeout)
	t.dialer.Options.ReplyTimeout = ticks(o.nx_pop3_options_reply_timeout)
	t.dialer.Options.AuthReplyTimeout = ticks(o.nx_pop3_options_auth_reply_timeout)
	t.packetWait = o.nx_pop3_options_packet_timeout
	t.fetchBytes = o.nx_pop3_options_fetch_bytes
	t.dialer.Options.InsecureAuth = o.nx_pop3_options_insecure_auth != 0
	if o.nx_pop3_options_debug != nil {
		t.dialer.Options.DebugWriter = &traceWriter{cb: o.nx_pop3_options_debug, context: o.nx_pop3_options_debug_context}
	}
	pins, err := optionString(o.nx_pop3_options_tls_fingerprint, "TLS fingerprint")
	if err != nil {
		return nil, err
	}
	switch o.nx_pop3_options_tls {
	case C.NX_POP3_TLS_NONE:
		if pins != "" {
			return nil, statusErrorf(nxParamError, "a TLS fingerprint needs a TLS mode")
		}
		return t, nil
	case C.NX_POP3_TLS_STARTTLS:
		t.dialer.TLS = pop3.TLSStartTLS
	case C.NX_POP3_TLS_IMPLICIT:
		t.dialer.TLS = pop3.TLSImplicit
	default:
		return nil, statusErrorf(nxParamError, "unknown TLS mode %d", o.nx_pop3_options_tls)
	}
	cfg := &tls.Config{InsecureSkipVerify: o.nx_pop3_options_verify == 0}
	if cfg.ServerName, err = optionString(o.nx_pop3_options_server_name, "server name"); err != nil {
		return nil, err
	}
	// Read by Dial before it connects; a bad file is ErrInvalidArgument,
	// NX_POP3_PARAM_ERROR.
	if t.dialer.CAFile, err = optionString(o.nx_pop3_options_ca_file, "CA file"); err != nil {
		return nil, err
	}
	if err := clientTLSOptions(o, cfg); err != nil {
		return nil, err
	}
	if pins != "" {
		t.dialer.Fingerprints = strings.Split(pins, ",")
		if _, err := pop3.PinTLSConfig(nil, t.dialer.Fingerprints...); err != nil {
			return nil, statusErrorf(nxParamError, "%v", err)
		}
	}
	t.dialer.TLSConfig = cfg
	return t, nil
}

// clientTLSOptions reads the client certificate and the minimum version.
func clientTLSOptions(o *C.NX_POP3_CLIENT_OPTIONS, cfg *tls.Config) error {
	v, ok := tlsVersions[o.nx_pop3_options_tls_min_version]
	if !ok {
		return statusErrorf(nxParamError, "unknown TLS version 0x%04X", uint(o.nx_pop3_options_tls_min_version))
	}
	cfg.MinVersion = v
	certFile, err := optionString(o.nx_pop3_options_tls_cert_file, "TLS certificate file")
	if err != nil {
		return err
	}
	keyFile, err := optionString(o.nx_pop3_options_tls_key_file, "TLS key file")
	if err != nil {
		return err
	}
	if certFile == "" {
		if keyFile != "" {
			return statusErrorf(nxParamError, "a TLS key file without a certificate file")
		}
		return nil
	}
	cert, err := pop3.LoadClientCertificate(certFile, keyFile)
	if err != nil {
		return statusErrorf(nxParamError, "%v", err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	return nil
}
