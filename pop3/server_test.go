package pop3_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// These tests run the client against pop3test over loopback TCP.

func msgs(n int) [][]byte {
	var out [][]byte
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Appendf(nil, "Subject: %d\r\n\r\nbody %d\r\n.dot line\r\n..\r\n", i, i))
	}
	return out
}

func TestEveryAuthMethod(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	mb := srv.AddUser("alice", "secret", msgs(1)...)
	mb.SetToken("ya29.token")
	for _, m := range []pop3.AuthMethod{pop3.AuthUser, pop3.AuthAPOP, pop3.AuthPlain, pop3.AuthLogin, pop3.AuthCramMD5, pop3.AuthAuto} {
		t.Run(m.String(), func(t *testing.T) {
			c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
			require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: m}))
			n, _, err := c.Stat(t.Context())
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.NoError(t, c.Quit(t.Context()))
		})
	}
	t.Run("xoauth2", func(t *testing.T) {
		c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
		require.NoError(t, c.Login(t.Context(), "alice", "ya29.token", &pop3.LoginOptions{Method: pop3.AuthXOAuth2}))
		require.NoError(t, c.Quit(t.Context()))
	})
	t.Run("xoauth2 bad token", func(t *testing.T) {
		c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
		err := c.Login(t.Context(), "alice", "expired", &pop3.LoginOptions{Method: pop3.AuthXOAuth2})
		var re *pop3.ResponseError
		require.ErrorAs(t, err, &re)
		require.NoError(t, c.Login(t.Context(), "alice", "ya29.token", &pop3.LoginOptions{Method: pop3.AuthXOAuth2}),
			"the session survives a failed SASL exchange")
	})
	t.Run("wrong password", func(t *testing.T) {
		c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
		err := c.Login(t.Context(), "alice", "wrong-pw", &pop3.LoginOptions{Method: pop3.AuthUser})
		var re *pop3.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "AUTH", re.Code)
		assert.NotContains(t, err.Error(), "wrong-pw")
	})
}

func TestImplicitTLS(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{ImplicitTLS: true})
	srv.AddUser("alice", "secret", msgs(2)...)
	c := pop3.DialForTest(t, pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: srv.ClientTLSConfig()}, srv.Addr())
	assert.True(t, c.IsTLS())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthPlain, Strict: true}))
	m, err := c.Retr(t.Context(), 2)
	require.NoError(t, err)
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, string(msgs(2)[1]), string(data))
}

func TestTLSVerification(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{ImplicitTLS: true})
	t.Run("unknown CA", func(t *testing.T) {
		_, err := (&pop3.Dialer{TLS: pop3.TLSImplicit}).Dial(t.Context(), srv.Addr())
		require.ErrorIs(t, err, pop3.ErrTLS)
		var ua x509.UnknownAuthorityError
		require.ErrorAs(t, err, &ua)
	})
	t.Run("certificate for another name", func(t *testing.T) {
		cfg := srv.ClientTLSConfig()
		cfg.ServerName = "mail.example.org"
		_, err := (&pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: cfg}).Dial(t.Context(), srv.Addr())
		require.ErrorIs(t, err, pop3.ErrTLS)
		var he x509.HostnameError
		require.ErrorAs(t, err, &he)
	})
}

// TestErrTLSOnlyForTLSFailures checks that ErrTLS marks TLS failing, not a
// connection that dies during the handshake: a caller retries the one and
// reports the other.
func TestErrTLSOnlyForTLSFailures(t *testing.T) {
	t.Run("server speaks clear text", func(t *testing.T) {
		srv := pop3test.Start(t, pop3test.Options{})
		_, err := (&pop3.Dialer{TLS: pop3.TLSImplicit}).Dial(t.Context(), srv.Addr())
		require.ErrorIs(t, err, pop3.ErrTLS)
		var rhe tls.RecordHeaderError
		require.ErrorAs(t, err, &rhe)
	})
	listen := func(t *testing.T, serve func(net.Conn)) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				serve(conn)
			}
		}()
		return ln.Addr().String()
	}
	t.Run("server silent", func(t *testing.T) {
		done := make(chan struct{})
		t.Cleanup(func() { close(done) })
		addr := listen(t, func(c net.Conn) { go func() { <-done; c.Close() }() })
		_, err := (&pop3.Dialer{TLS: pop3.TLSImplicit, Timeout: 200 * time.Millisecond}).Dial(t.Context(), addr)
		require.Error(t, err)
		assert.NotErrorIs(t, err, pop3.ErrTLS)
		assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded), "%v", err)
	})
	t.Run("server closes", func(t *testing.T) {
		addr := listen(t, func(c net.Conn) { c.Close() })
		_, err := (&pop3.Dialer{TLS: pop3.TLSImplicit}).Dial(t.Context(), addr)
		require.Error(t, err)
		assert.NotErrorIs(t, err, pop3.ErrTLS)
	})
}

func TestSTLS(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{STLS: true, RequireTLSForAuth: true})
	srv.AddUser("alice", "secret", msgs(1)...)
	var trace strings.Builder
	c := pop3.DialForTest(t, pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: srv.ClientTLSConfig(), Options: pop3.Options{DebugWriter: &trace}}, srv.Addr())
	assert.True(t, c.IsTLS())
	capa, err := c.Capa(t.Context())
	require.NoError(t, err)
	assert.False(t, capa.Has("STLS"), "CAPA after the upgrade no longer offers STLS")
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser, Strict: true}))
	assert.Equal(t, 2, strings.Count(trace.String(), "C: CAPA\n"), "CAPA asked again after STLS:\n%s", trace.String())
}

func TestIPv6(t *testing.T) {
	srv, err := pop3test.NewServerOn("tcp6", "[::1]:0", pop3test.Options{})
	if err != nil {
		testenv.IPv6.Unavailable(t, "no IPv6 loopback on this machine: %v", err)
	}
	defer srv.Close()
	srv.AddUser("alice", "secret", msgs(1)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthAPOP}))
	assert.True(t, strings.HasPrefix(c.Conn().RemoteAddr().String(), "[::1]"))
}

func TestDeletionOnlyOnQuit(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	mb := srv.AddUser("alice", "secret", msgs(3)...)
	login := func() *pop3.Client {
		c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
		require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
		return c
	}
	c := login()
	require.NoError(t, c.Dele(t.Context(), 1))
	require.NoError(t, c.Close()) // dropped: nothing deleted
	require.Eventually(t, func() bool { return !mb.Locked() }, 5*time.Second, 10*time.Millisecond)
	assert.Len(t, mb.Messages(), 3)

	c = login()
	require.NoError(t, c.Dele(t.Context(), 1))
	require.NoError(t, c.Rset(t.Context()))
	require.NoError(t, c.Quit(t.Context()))
	assert.Len(t, mb.Messages(), 3)

	c = login()
	require.NoError(t, c.Dele(t.Context(), 1))
	require.NoError(t, c.Quit(t.Context()))
	assert.Len(t, mb.Messages(), 2)
}

func TestQuitDroppedIsNotSuccess(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{DropBeforeQuitReply: true}})
	mb := srv.AddUser("alice", "secret", msgs(2)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	require.NoError(t, c.Dele(t.Context(), 1))
	require.Error(t, c.Quit(t.Context()))
	assert.Len(t, mb.Messages(), 2)
}

func TestInUse(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("alice", "secret")
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	c2 := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	err := c2.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser})
	var re *pop3.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "IN-USE", re.Code)
	assert.True(t, re.Temporary())
}

func TestByteByByteServer(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{WriteChunk: 1}})
	want := msgs(3)
	srv.AddUser("alice", "secret", want...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthAPOP}))
	for i := range want {
		m, err := c.Retr(t.Context(), i+1)
		require.NoError(t, err)
		data, err := io.ReadAll(m)
		require.NoError(t, err)
		assert.Equal(t, string(want[i]), string(data))
	}
	require.NoError(t, c.Quit(t.Context()))
}

func TestFetch(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			srv := pop3test.Start(t, pop3test.Options{Pipelining: pipelining})
			want := msgs(300)
			mb := srv.AddUser("alice", "secret", want...)
			c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
			require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
			var ids []int
			for i := range want {
				ids = append(ids, i+1)
			}
			got := 0
			err := c.Fetch(t.Context(), ids, &pop3.FetchOptions{Delete: true, Window: 16}, func(m *pop3.Message) error {
				data, err := io.ReadAll(m)
				if err != nil {
					return err
				}
				if string(data) != string(want[m.ID-1]) {
					return fmt.Errorf("message %d differs", m.ID)
				}
				got++
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, 300, got)
			require.NoError(t, c.Quit(t.Context()))
			assert.Empty(t, mb.Messages())
		})
	}
}

// A message the caller failed to keep is never deleted, nor any after it.
func TestFetchStopsOnCallerError(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mb := srv.AddUser("alice", "secret", msgs(50)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	ids := make([]int, 50)
	for i := range ids {
		ids[i] = i + 1
	}
	boom := errors.New("disk full")
	var seen atomic.Int32
	err := c.Fetch(t.Context(), ids, &pop3.FetchOptions{Delete: true}, func(m *pop3.Message) error {
		if m.ID == 10 {
			return boom
		}
		seen.Add(1)
		_, err := io.Copy(io.Discard, m)
		return err
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, int32(9), seen.Load())
	require.NoError(t, c.Noop(t.Context()), "session in step after the stop")
	require.NoError(t, c.Quit(t.Context()))
	left := mb.Messages()
	require.Len(t, left, 41)
	assert.Equal(t, string(msgs(50)[9]), string(left[0]), "message 10 and later kept")
}

func TestFetchMessageGone(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	srv.AddUser("alice", "secret", msgs(3)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	err := c.Fetch(t.Context(), []int{1, 7, 2}, nil, func(m *pop3.Message) error { return nil })
	var re *pop3.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "RETR", re.Cmd)
	require.NoError(t, c.Noop(t.Context()))
}

func TestCancelledFetchEndsSession(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true, ReplyDelay: 50 * time.Millisecond})
	srv.AddUser("alice", "secret", msgs(20)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	ctx, cancel := context.WithCancel(t.Context())
	err := c.Fetch(ctx, []int{1, 2, 3, 4, 5}, &pop3.FetchOptions{NoPipelining: true}, func(m *pop3.Message) error {
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
}

func TestDialHostName(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	_, port, _ := net.SplitHostPort(srv.Addr())
	c := pop3.DialForTest(t, pop3.Dialer{}, net.JoinHostPort("localhost", port))
	assert.NotEmpty(t, c.Greeting())
}
