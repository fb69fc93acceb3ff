package pop3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

func TestAPOPDigestRFC1939Vector(t *testing.T) {
	assert.Equal(t, "c4c9334bac560ecc979e58001b3e22fb", APOPDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"))
}

func TestParseTimestamp(t *testing.T) {
	assert.Equal(t, "<1896.697170952@dbc.mtview.ca.us>", parseTimestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"))
	assert.Equal(t, "", parseTimestamp("POP3 server ready"))
	assert.Equal(t, "", parseTimestamp("ready <unterminated"))
	assert.Equal(t, "", parseTimestamp("ready <with space>"))
	// A printable 7-bit msg-id only (CVE-2007-1558).
	assert.Equal(t, "<!#~.1@h>", parseTimestamp("ready <!#~.1@h>"))
	for _, ts := range []string{"<a\x80@h>", "<a\xff@h>", "<a\x01@h>", "<a\x7f@h>", "<a\r@h>", "<a\x00@h>",
		"<abc>", "<@h>", "<a@>", "<a<b@h>", "<>", "<x>"} {
		assert.Equal(t, "", parseTimestamp("+OK ready "+ts), "%q", ts)
	}
}

// The vendor's documented session, byte for byte.
func TestVendorSessionUserPass(t *testing.T) {
	s := pop3test.StartScripted(t, greet(),
		C("USER mrose"), S("+OK mrose is valid"),
		C("PASS mvan99"), S("+OK mrose is logged in"),
		C("STAT"), S("+OK 2 320"),
		C("RETR 1"), S("+OK 120 octets"), Raw("line one\r\n..dot\r\n.\r\n"),
		C("DELE 1"), S("+OK message 1 deleted"),
		C("QUIT"), S("+OK bye"), Hangup())
	c := dial(t, s, nil)
	ctx := t.Context()
	require.NoError(t, c.Login(ctx, "mrose", "mvan99", &LoginOptions{Method: AuthUser}))
	assert.Equal(t, StateTransaction, c.State())
	n, size, err := c.Stat(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, int64(320), size)
	m, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(120), m.Size)
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, "line one\r\n.dot\r\n", string(data))
	require.NoError(t, c.Dele(ctx, 1))
	require.NoError(t, c.Quit(ctx))
	assert.Equal(t, StateUpdate, c.State())
	assert.ErrorIs(t, c.Noop(ctx), ErrClosed)
}

func TestAPOPAndFallback(t *testing.T) {
	t.Run("accepted", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), S("+OK maildrop has 2 messages"), Hangup())
		c := dial(t, s, nil)
		require.NoError(t, c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP}))
	})
	t.Run("refused falls back to USER/PASS as NetX does", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), S("-ERR [AUTH] no"),
			C("USER mrose"), S("+OK"), C("PASS tanstaaf"), S("+OK"), Hangup())
		c := dial(t, s, nil)
		require.NoError(t, c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP}))
	})
	t.Run("no timestamp falls back", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK ready"), C("USER mrose"), S("+OK"), C("PASS tanstaaf"), S("+OK"), Hangup())
		c := dial(t, s, nil)
		require.NoError(t, c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP}))
	})
	t.Run("strict never falls back", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), S("-ERR [AUTH] no"), Hangup())
		c := dial(t, s, nil)
		err := c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP, Strict: true})
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "AUTH", re.Code)
	})
	t.Run("strict with an 8-bit timestamp sends nothing", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK ready <\x80\xfe@h>"), Hangup())
		c := dial(t, s, nil)
		assert.Empty(t, c.Timestamp())
		err := c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP, Strict: true})
		assert.ErrorIs(t, err, ErrNoTimestamp)
		assert.NoError(t, s.Err())
	})
	t.Run("strict without timestamp sends nothing", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK ready"), Hangup())
		c := dial(t, s, nil)
		err := c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP, Strict: true})
		assert.ErrorIs(t, err, ErrNoTimestamp)
	})
}

func TestCredentialsRefused(t *testing.T) {
	for _, bad := range []struct{ user, pass string }{
		{"bob\r\nDELE 1", "x"}, {"bob", "pw\nQUIT"}, {"bob", "pw\x00"}, {"", "pw"},
	} {
		s := pop3test.StartScripted(t, greet(), Hangup())
		c := dial(t, s, nil)
		for _, m := range []AuthMethod{AuthUser, AuthAPOP, AuthPlain, AuthLogin, AuthCramMD5, AuthXOAuth2, AuthAuto} {
			err := c.Login(t.Context(), bad.user, bad.pass, &LoginOptions{Method: m})
			assert.ErrorIs(t, err, ErrInvalidArgument, "%v %q", m, bad.user)
		}
	}
}

func TestPasswordNeverInErrorsOrTrace(t *testing.T) {
	var trace bytes.Buffer
	s := pop3test.StartScripted(t, greet(), C("USER bob"), S("+OK"), C("PASS s3cret-pw"), S("-ERR [AUTH] s3cret-pw? wrong"),
		C("AUTH PLAIN AGJvYgBzM2NyZXQtcHc="), S("-ERR nope"), Hangup())
	c := dial(t, s, &Options{DebugWriter: &trace})
	err := c.User(t.Context(), "bob", "s3cret-pw")
	require.Error(t, err)
	err2 := c.Login(t.Context(), "bob", "s3cret-pw", &LoginOptions{Method: AuthPlain})
	require.Error(t, err2)
	assert.NotContains(t, trace.String(), "C: PASS s3cret-pw")
	assert.Contains(t, trace.String(), "C: PASS ***")
	assert.Contains(t, trace.String(), "C: AUTH PLAIN ***")
	assert.NotContains(t, trace.String(), "AGJvYgBzM2NyZXQtcHc=")
	// The server's own text is quoted, but nothing the client sent.
	assert.NotContains(t, err2.Error(), "s3cret")
}

func TestRequireTLSRefusesBeforeSending(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), Hangup())
	c := dial(t, s, &Options{RequireTLS: true})
	for _, m := range []AuthMethod{AuthUser, AuthAPOP, AuthPlain, AuthCramMD5, AuthXOAuth2} {
		err := c.Login(t.Context(), "bob", "pw", &LoginOptions{Method: m})
		assert.ErrorIs(t, err, ErrTLSRequired, m.String())
	}
}

func TestStrictRefusesCleartext(t *testing.T) {
	s := pop3test.StartScripted(t, S("+OK ready"), Hangup())
	c := dial(t, s, nil)
	for _, m := range []AuthMethod{AuthUser, AuthPlain, AuthLogin, AuthXOAuth2} {
		err := c.Login(t.Context(), "bob", "pw", &LoginOptions{Method: m, Strict: true})
		assert.ErrorIs(t, err, ErrTLSRequired, m.String())
	}
}

func TestSASL(t *testing.T) {
	t.Run("PLAIN initial response", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH PLAIN AGJvYgBwdw=="), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "bob", "pw", &LoginOptions{Method: AuthPlain}))
	})
	t.Run("LOGIN", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH LOGIN Ym9i"), S("+ UGFzc3dvcmQ6"), C("cHc="), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "bob", "pw", &LoginOptions{Method: AuthLogin}))
	})
	t.Run("CRAM-MD5 RFC 2195 vector", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH CRAM-MD5"), S("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
			C("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "tim", "tanstaaftanstaaf", &LoginOptions{Method: AuthCramMD5}))
	})
	t.Run("XOAUTH2 short token inline", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH XOAUTH2 "+b64("user=bob@x.com\x01auth=Bearer tok\x01\x01")), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "bob@x.com", "tok", &LoginOptions{Method: AuthXOAuth2}))
	})
	t.Run("XOAUTH2 long token as continuation, error JSON answered empty", func(t *testing.T) {
		tok := strings.Repeat("t", 300)
		ir := "user=bob\x01auth=Bearer " + tok + "\x01\x01"
		s := pop3test.StartScripted(t, greet(), C("AUTH XOAUTH2"), S("+ "), C(b64(ir)),
			S("+ "+b64(`{"status":"401","schemes":"bearer"}`)), C(""), S("-ERR [AUTH] invalid token"), Hangup())
		err := dial(t, s, nil).Login(t.Context(), "bob", tok, &LoginOptions{Method: AuthXOAuth2})
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "AUTH", re.Code)
		assert.NotContains(t, err.Error(), tok)
	})
	t.Run("challenge not base64 cancels", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH CRAM-MD5"), S("+ !!!notbase64"), C("*"), S("-ERR cancelled"),
			C("NOOP"), S("+OK"), Hangup())
		c := dial(t, s, nil)
		err := c.Login(t.Context(), "tim", "pw", &LoginOptions{Method: AuthCramMD5})
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe)
		require.NoError(t, c.Noop(t.Context()), "session stays usable after a cancelled exchange")
	})
	t.Run("huge challenge is refused", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH CRAM-MD5"), Flood("+ "+strings.Repeat("QUFB", 1<<18)+"\r\n"), Hangup())
		err := dial(t, s, nil).Login(t.Context(), "tim", "pw", &LoginOptions{Method: AuthCramMD5})
		assert.ErrorIs(t, err, ErrLineTooLong)
	})
}

func TestAuthAuto(t *testing.T) {
	t.Run("prefers CRAM-MD5 in clear text", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("USER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n"),
			C("AUTH CRAM-MD5"), S("+ PDE+"), C(b64("bob "+hmacHex("pw", "<1>"))), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "bob", "pw", nil))
	})
	t.Run("APOP when greeting has a timestamp", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("-ERR what?"), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "mrose", "tanstaaf", nil))
	})
	t.Run("strict refuses USER/PASS in clear text", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK hi"), C("CAPA"), S("+OK"), Raw("USER\r\n.\r\n"), Hangup())
		err := dial(t, s, nil).Login(t.Context(), "bob", "pw", &LoginOptions{Strict: true})
		assert.ErrorIs(t, err, ErrTLSRequired)
	})
}

func TestListingsAndParsing(t *testing.T) {
	s := pop3test.StartScripted(t, greet(),
		C("LIST"), S("+OK 2 messages"), Raw("1 120\r\n2 200\r\n.\r\n"),
		C("LIST 2"), S("+OK 2 200"),
		C("UIDL"), S("+OK"), Raw("1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"),
		C("UIDL 1"), S("+OK 1 whqtswO00WBw418f9t5JxYwZ"),
		C("CAPA"), S("+OK"), Raw("TOP\r\nUIDL\r\nSASL PLAIN LOGIN\r\nPIPELINING\r\nRESP-CODES\r\n.\r\n"),
		C("TOP 1 0"), S("+OK"), Raw("Subject: x\r\n\r\n.\r\n"),
		C("NOOP"), S("+OK"),
		C("RSET"), S("+OK"),
		Hangup())
	c := dial(t, s, nil)
	ctx := t.Context()
	list, err := c.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []MessageInfo{{1, 120}, {2, 200}}, list)
	one, err := c.ListOne(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, MessageInfo{2, 200}, one)
	uids, err := c.UIDL(ctx)
	require.NoError(t, err)
	assert.Equal(t, []UIDInfo{{1, "whqtswO00WBw418f9t5JxYwZ"}, {2, "QhdPYR:00WBw1Ph7x7"}}, uids)
	u, err := c.UIDLOne(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "whqtswO00WBw418f9t5JxYwZ", u.UID)
	capa, err := c.Capa(ctx)
	require.NoError(t, err)
	assert.True(t, capa.Has("pipelining"))
	assert.True(t, capa.HasSASL("login"))
	assert.Equal(t, []string{"PLAIN", "LOGIN"}, capa.SASL())
	capa2, err := c.Capa(ctx)
	require.NoError(t, err)
	assert.Equal(t, capa, capa2, "cached: no second CAPA on the wire")
	m, err := c.Top(ctx, 1, 0)
	require.NoError(t, err)
	require.NoError(t, m.Close())
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Rset(ctx))
}

func TestBadReplies(t *testing.T) {
	cases := []struct {
		name  string
		reply []pop3test.Step
		call  func(c *Client) error
		check func(t *testing.T, err error)
	}{
		{"STAT non-numeric", []pop3test.Step{C("STAT"), S("+OK many 10")}, func(c *Client) error { _, _, err := c.Stat(t.Context()); return err }, isProtocol},
		{"STAT negative", []pop3test.Step{C("STAT"), S("+OK -1 10")}, func(c *Client) error { _, _, err := c.Stat(t.Context()); return err }, isProtocol},
		{"STAT overflow", []pop3test.Step{C("STAT"), S("+OK 1 99999999999999999999999")}, func(c *Client) error { _, _, err := c.Stat(t.Context()); return err }, isProtocol},
		{"STAT missing size", []pop3test.Step{C("STAT"), S("+OK 1")}, func(c *Client) error { _, _, err := c.Stat(t.Context()); return err }, isProtocol},
		{"LIST n for another index", []pop3test.Step{C("LIST 1"), S("+OK 2 100")}, func(c *Client) error { _, err := c.ListOne(t.Context(), 1); return err }, isProtocol},
		{"garbage status", []pop3test.Step{C("NOOP"), S("HELLO")}, func(c *Client) error { return c.Noop(t.Context()) }, isProtocol},
		{"+OK glued to text", []pop3test.Step{C("NOOP"), S("+OKAY")}, func(c *Client) error { return c.Noop(t.Context()) }, isProtocol},
		{"RESP-CODE", []pop3test.Step{C("STAT"), S("-ERR [IN-USE] locked")}, func(c *Client) error { _, _, err := c.Stat(t.Context()); return err }, func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, ResponseError{Cmd: "STAT", Code: "IN-USE", Text: "locked"}, *re)
			assert.True(t, re.Temporary())
		}},
		{"close mid reply", []pop3test.Step{C("NOOP"), Raw("+OK")}, func(c *Client) error { return c.Noop(t.Context()) }, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		}},
		{"message cut off", []pop3test.Step{C("RETR 1"), S("+OK"), Raw("partial\r\nda")}, func(c *Client) error {
			m, err := c.Retr(t.Context(), 1)
			if err != nil {
				return err
			}
			_, err = io.ReadAll(m)
			return err
		}, func(t *testing.T, err error) { assert.ErrorIs(t, err, io.ErrUnexpectedEOF) }},
		{"status line without end", []pop3test.Step{C("NOOP"), Flood("+OK " + strings.Repeat("x", 1<<20))}, func(c *Client) error { return c.Noop(t.Context()) }, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrLineTooLong)
		}},
		{"UIDL 10 KB id", []pop3test.Step{C("UIDL 1"), S("+OK 1 " + strings.Repeat("u", 10000))}, func(c *Client) error { _, err := c.UIDLOne(t.Context(), 1); return err }, isProtocol},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := pop3test.StartScripted(t, append(append([]pop3test.Step{greet()}, tc.reply...), Hangup())...)
			c := dial(t, s, nil)
			err := tc.call(c)
			require.Error(t, err)
			tc.check(t, err)
		})
	}
}

func isProtocol(t *testing.T, err error) {
	var pe *ProtocolError
	assert.ErrorAs(t, err, &pe)
}

func TestArgumentsRefused(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), Hangup())
	c := dial(t, s, nil)
	ctx := t.Context()
	_, err := c.Retr(ctx, 0)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	assert.ErrorIs(t, c.Dele(ctx, -1), ErrInvalidArgument)
	_, err = c.ListOne(ctx, 0)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Top(ctx, 1, -1)
	assert.ErrorIs(t, err, ErrInvalidArgument)
}

func TestDrainUnreadMessage(t *testing.T) {
	s := pop3test.StartScripted(t, greet(),
		C("RETR 1"), S("+OK"), Raw("a\r\nb\r\n.\r\n"),
		C("RETR 2"), S("+OK 3 octets"), Raw("c\r\n.\r\n"), Hangup())
	c := dial(t, s, nil)
	_, err := c.Retr(t.Context(), 1)
	require.NoError(t, err)
	m, err := c.Retr(t.Context(), 2) // message 1 left unread
	require.NoError(t, err)
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, "c\r\n", string(data))
}

func TestReplyTimeout(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(1500*time.Millisecond), Hangup())
	c := dial(t, s, &Options{ReplyTimeout: 200 * time.Millisecond})
	start := time.Now()
	err := c.Noop(t.Context())
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed, "a timed-out session is not reused")
}

func TestContextCancel(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(1500*time.Millisecond), Hangup())
	c := dial(t, s, &Options{ReplyTimeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Noop(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestGreeting(t *testing.T) {
	t.Run("-ERR", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("-ERR [SYS/TEMP] busy"), Hangup())
		_, err := (&Dialer{Options: Options{ReplyTimeout: time.Second}}).Dial(t.Context(), s.Addr())
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "SYS/TEMP", re.Code)
	})
	t.Run("silence times out", func(t *testing.T) {
		s := pop3test.StartScripted(t, Sleep(time.Second), Hangup())
		_, err := (&Dialer{Options: Options{ReplyTimeout: 100 * time.Millisecond}}).Dial(t.Context(), s.Addr())
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		_, err = Dial(t.Context(), addr)
		var oe *net.OpError
		assert.True(t, errors.As(err, &oe))
	})
}

func TestQuitWithoutReplyIsAnError(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("DELE 1"), S("+OK"), C("QUIT"), Hangup())
	c := dial(t, s, nil)
	require.NoError(t, c.Dele(t.Context(), 1))
	err := c.Quit(t.Context())
	require.Error(t, err, "an unacknowledged QUIT must not look like committed deletions")
	assert.NotEqual(t, StateUpdate, c.State())
}
