package pop3

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A scripted server plays one session: lines it sends, lines it expects, as
// net/smtp's tests do, so tests can assert the exact bytes the client wrote.
type step struct {
	send   string // raw bytes to write
	expect string // a line the client must send (without CRLF)
	close  bool
	sleep  time.Duration
	lossy  bool // the client may hang up during the write
}

func S(line string) step { return step{send: line + "\r\n"} }
func Raw(b string) step  { return step{send: b} }
func C(line string) step { return step{expect: line} }

// Flood sends bytes the client is expected to refuse part-way.
func Flood(b string) step                  { return step{send: b, lossy: true} }
func Hangup() step                         { return step{close: true} }
func Sleep(d time.Duration) step           { return step{sleep: d} }
func greet() step                          { return S("+OK ready <1896.697170952@dbc.mtview.ca.us>") }
func testCtx(t *testing.T) context.Context { return t.Context() }

type script struct {
	addr string
	errc chan error
}

// serve starts a one-session scripted server and returns its address. The
// test fails if the client deviates from the script.
func serve(t *testing.T, steps ...step) *script {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &script{addr: ln.Addr().String(), errc: make(chan error, 1)}
	go func() {
		defer ln.Close()
		conn, err := ln.Accept()
		if err != nil {
			s.errc <- err
			return
		}
		defer conn.Close()
		s.errc <- play(conn, steps)
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-s.errc:
			if err != nil {
				t.Errorf("scripted server: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("scripted server did not finish")
		}
	})
	return s
}

func play(conn net.Conn, steps []step) error {
	r := bufio.NewReader(conn)
	for i, st := range steps {
		switch {
		case st.close:
			return nil
		case st.sleep > 0:
			time.Sleep(st.sleep)
		case st.send != "":
			if _, err := conn.Write([]byte(st.send)); err != nil {
				if st.lossy {
					return nil
				}
				return err
			}
		default:
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := r.ReadString('\n')
			if err != nil {
				return &scriptError{i, st.expect, "read: " + err.Error()}
			}
			if got := strings.TrimSuffix(line, "\r\n"); got != st.expect {
				return &scriptError{i, st.expect, got}
			}
		}
	}
	return nil
}

type scriptError struct {
	step      int
	want, got string
}

func (e *scriptError) Error() string {
	return "step " + itoa(e.step) + ": want " + quote(e.want) + ", got " + quote(e.got)
}

func itoa(i int) string     { return strconv.Itoa(i) }
func quote(s string) string { return "\"" + s + "\"" }

// dial connects a client to a scripted server with short timeouts.
func dial(t *testing.T, s *script, opts *Options) *Client {
	t.Helper()
	d := Dialer{Timeout: 5 * time.Second}
	if opts != nil {
		d.Options = *opts
	}
	if d.Options.ReplyTimeout == 0 {
		d.Options.ReplyTimeout = 3 * time.Second
	}
	c, err := d.Dial(testCtx(t), s.addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func hmacHex(key, msg string) string {
	h := hmac.New(md5.New, []byte(key))
	h.Write([]byte(msg))
	return hex.EncodeToString(h.Sum(nil))
}
