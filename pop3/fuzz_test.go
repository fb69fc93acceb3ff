package pop3

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzReply feeds arbitrary lines to the reply parsers: no panic, and what
// they accept is consistent with the line.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"+OK", "+OK 2 320", "-ERR [IN-USE] locked", "-ERR [SYS/TEMP", "+OKAY", "-ERR",
		"1 120", "2 whqtswO00WBw418f9t5JxYwZ", "+OK ready <1896.697170952@dbc.mtview.ca.us>", "+ ", "+OK -1 99999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ok, text, err := parseStatus("X", line)
		if err == nil {
			require.True(t, strings.HasSuffix(string(line), text), "text %q is not the end of %q", text, line)
			require.Equal(t, hasPrefixFold(line, "+OK"), ok, "ok for %q", line)
			code, rest := parseRespCode(text)
			require.True(t, code == "" || strings.Contains(strings.ToUpper(text), code), "code %q not in %q", code, text)
			_ = rest
		}
		if id, arg, err := parseListing("LIST", line); err == nil {
			require.True(t, id >= 0 && arg != "", "listing %q gave %d %q", line, id, arg)
		}
		if ts := parseTimestamp(string(line)); ts != "" {
			require.True(t, strings.Contains(string(line), ts) && ts[0] == '<' && ts[len(ts)-1] == '>', "timestamp %q from %q", ts, line)
		}
	})
}

// FuzzSession plays an arbitrary server byte stream against a whole client
// session: login, STAT, LIST, UIDL, RETR, QUIT. Whatever the bytes, the
// client must return (no hang past its timeout) without panicking, and a
// message it reports as complete must be what its wire bytes say.
func FuzzSession(f *testing.F) {
	f.Add([]byte("+OK hi <1.2@x>\r\n+OK\r\n+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n+OK\r\n1 a\r\n.\r\n+OK\r\nab\r\n.\r\n+OK\r\n"))
	f.Add([]byte("+OK\r\n+OK\r\n+OK\r\n+OK 2 10\r\n+OK 2 messages\r\n1 5\r\n2 5\r\n.\r\n-ERR no\r\n+OK 5 octets\r\n..x\r\n.\r\n+OK bye\r\n"))
	f.Add([]byte("-ERR [IN-USE] busy\r\n"))
	f.Add([]byte("+OK\r\n+OK\r\n+OK\r\n+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n+OK\r\n1 u\r\n.\r\n+OK\r\ncut off"))
	f.Fuzz(func(t *testing.T, wire []byte) {
		cli := &lineConn{wire: wire}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := newClient(ctx, cli, &Options{ReplyTimeout: 200 * time.Millisecond})
		if err != nil {
			return
		}
		defer c.Close()
		if c.Login(ctx, "bob", "pw", &LoginOptions{Method: AuthAPOP}) != nil {
			return
		}
		count, _, err := c.Stat(ctx)
		if err != nil {
			count = -1
		}
		list, err := c.List(ctx)
		if err == nil {
			checkListing(t, count, len(list), func(i int) int { return list[i].ID })
		}
		uids, err := c.UIDL(ctx)
		if err == nil {
			checkListing(t, count, len(uids), func(i int) int { return uids[i].ID })
			for _, u := range uids {
				checkUIDChars(t, u.UID)
			}
		}
		if u, err := c.UIDLOne(ctx, 1); err == nil {
			require.Equal(t, 1, u.ID)
			checkUIDChars(t, u.UID)
		}
		if m, err := c.Retr(ctx, 1); err == nil {
			data, err := io.ReadAll(m)
			// Every delivered byte came off the wire, in order.
			require.True(t, err != nil || isSubsequence(data, wire), "delivered %q is not drawn from the wire", data)
		}
		c.Quit(ctx)
	})
}

// lineConn is a server that sends wire one line per read and hangs up
// when it is out: a client never holds more than the line it asked for,
// so it gets past the check for unsolicited bytes and into the session.
// It keeps what the client writes.
type lineConn struct {
	wire []byte
	sent bytes.Buffer
}

func (l *lineConn) Read(p []byte) (int, error) {
	if len(l.wire) == 0 {
		return 0, io.EOF
	}
	n := len(l.wire)
	if i := bytes.IndexByte(l.wire, '\n'); i >= 0 {
		n = i + 1
	}
	n = copy(p, l.wire[:n])
	l.wire = l.wire[n:]
	return n, nil
}

func (l *lineConn) Write(p []byte) (int, error)        { return l.sent.Write(p) }
func (l *lineConn) Close() error                       { return nil }
func (l *lineConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (l *lineConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 110} }
func (l *lineConn) SetDeadline(t time.Time) error      { return nil }
func (l *lineConn) SetReadDeadline(t time.Time) error  { return nil }
func (l *lineConn) SetWriteDeadline(t time.Time) error { return nil }

func isSubsequence(sub, s []byte) bool {
	for _, b := range sub {
		i := bytes.IndexByte(s, b)
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
	return true
}

// checkListing: what a listing returned has each number once, from 1 to
// the STAT count when there was one.
func checkListing(t *testing.T, count, n int, id func(int) int) {
	seen := map[int]bool{}
	for i := 0; i < n; i++ {
		require.False(t, seen[id(i)], "message %d listed twice", id(i))
		seen[id(i)] = true
		require.GreaterOrEqual(t, id(i), 1)
		if count >= 0 {
			require.LessOrEqual(t, id(i), count, "above STAT's count")
		}
	}
}

func checkUIDChars(t *testing.T, uid string) {
	require.NotEmpty(t, uid)
	for i := 0; i < len(uid); i++ {
		require.True(t, uid[i] >= 0x21 && uid[i] <= 0x7E, "unique-id %q", uid)
	}
}

// FuzzAuth plays an arbitrary server byte stream against a SASL login
// (PLAIN, LOGIN, CRAM-MD5 or XOAUTH2, chosen by mech) and the listings
// after it. Whatever the bytes: no panic, no hang, and the credential
// crosses the wire at most once (the client's lines are decoded from
// base64 and searched for the password, or the CRAM-MD5 answer).
func FuzzAuth(f *testing.F) {
	f.Add([]byte("+OK hi\r\n+OK\r\n+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n+OK\r\n1 a\r\n.\r\n"), uint8(0))
	f.Add([]byte("+OK hi\r\n+ UGFzc3dvcmQ6\r\n+ UGFzc3dvcmQ6\r\n-ERR\r\n"), uint8(1))
	f.Add([]byte("+OK hi\r\n+ PDEuMkB4Pg==\r\n+ PDEuMkB4Pg==\r\n-ERR\r\n"), uint8(2))
	f.Add([]byte("+OK hi\r\n+ eyJzdGF0dXMiOiI0MDEifQ==\r\n+ eyJzdGF0dXMiOiI0MDEifQ==\r\n-ERR\r\n"), uint8(3))
	f.Add([]byte("+OK hi\r\n+ \r\n+ \r\n+ \r\n-ERR\r\n"), uint8(0))
	f.Add([]byte("+OK hi\r\n+OK\r\n+OK 2 9\r\n+OK\r\n1 5\r\n1 4\r\n.\r\n+OK\r\n1 a\x00\r\n3 b\r\n.\r\n"), uint8(2))
	methods := []AuthMethod{AuthPlain, AuthLogin, AuthCramMD5, AuthXOAuth2}
	const secret = "pw-secret"
	f.Fuzz(func(t *testing.T, wire []byte, mech uint8) {
		cli := &lineConn{wire: wire}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := newClient(ctx, cli, &Options{ReplyTimeout: 50 * time.Millisecond, AuthReplyTimeout: 50 * time.Millisecond})
		if err == nil {
			method := methods[int(mech)%len(methods)]
			if c.Login(ctx, "bob", secret, &LoginOptions{Method: method}) == nil {
				count, _, err := c.Stat(ctx)
				if err != nil {
					count = -1
				}
				if list, err := c.List(ctx); err == nil {
					checkListing(t, count, len(list), func(i int) int { return list[i].ID })
				}
				if uids, err := c.UIDL(ctx); err == nil {
					checkListing(t, count, len(uids), func(i int) int { return uids[i].ID })
				}
			}
			c.Close()
		}
		creds := 0
		for _, line := range strings.Split(cli.sent.String(), "\r\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			dec, err := base64.StdEncoding.DecodeString(f[len(f)-1])
			if err != nil {
				continue
			}
			if strings.Contains(string(dec), secret) || strings.HasPrefix(string(dec), "bob ") {
				creds++
			}
		}
		require.LessOrEqual(t, creds, 1, "the credential was sent %d times", creds)
	})
}
