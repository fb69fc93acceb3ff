package pop3

import (
	"bytes"
	"context"
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
		srv, cli := net.Pipe()
		go func() {
			io.Copy(io.Discard, srv) // the client's commands
		}()
		go func() {
			srv.Write(wire)
			srv.Close()
		}()
		defer cli.Close()
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
		c.Stat(ctx)
		c.List(ctx)
		c.UIDL(ctx)
		if m, err := c.Retr(ctx, 1); err == nil {
			data, err := io.ReadAll(m)
			// Every delivered byte came off the wire, in order.
			require.True(t, err != nil || isSubsequence(data, wire), "delivered %q is not drawn from the wire", data)
		}
		c.Quit(ctx)
	})
}

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
