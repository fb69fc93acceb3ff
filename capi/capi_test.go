package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run testdata/pop3_client_test.c, one scenario per test,
// against a pop3test server configured for it, and check from Go what the
// C program cannot see: the bytes the server stored, the commands it
// received, what it committed.

// tcpPacketRoom is the data room of a packet the library allocates
// (NX_IPv4_TCP_PACKET leaves 56 bytes for headers), for a pool payload.
func tcpPacketRoom(payload int) int { return payload - 56 }

// plainMessages are ordinary messages, as the vendor demo would meet.
func plainMessages() [][]byte {
	return [][]byte{
		[]byte("From: a@example.com\r\nSubject: one\r\n\r\nhello\r\n"),
		[]byte("From: b@example.com\r\nSubject: two\r\n\r\nsecond message\r\nwith two lines\r\n"),
		[]byte("From: c@example.com\r\nSubject: three\r\n\r\n" + strings.Repeat("line of text\r\n", 500)),
	}
}

// edgeMessages are the messages whose framing is easy to get wrong, for a
// pool whose packets hold room bytes of data.
func edgeMessages(room int) [][]byte {
	fill := func(n int, c byte) []byte {
		// n bytes of lines ending in CRLF; the last line ends the data.
		b := bytes.Repeat([]byte{c}, n)
		for i := 70; i < n-2; i += 72 {
			b[i], b[i+1] = '\r', '\n'
		}
		b[n-2], b[n-1] = '\r', '\n'
		return b
	}
	var eight []byte
	for i := 0; i < 256; i++ {
		if i != '\r' && i != '\n' {
			eight = append(eight, byte(i))
		}
	}
	eight = append(append(eight, "\r\n\x00\x00\xff\r\n"...), "\x00.\r\n"...)
	return [][]byte{
		// dot-stuffing: leading dots, a lone dot line, and a lone dot line
		// at the very end, right before the terminator.
		[]byte("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n...\r\n.\r\n"),
		{}, // empty: one packet, 0 bytes, final
		fill(room, 'a'),
		fill(room+1, 'b'),
		fill(3*room, 'c'), // a multiple of the packet room: no empty packet after it
		append(append([]byte("Subject: long\r\n\r\n"), bytes.Repeat([]byte("L"), 100*1024)...), "\r\n"...),
		eight,
		fill(3*room-1, 'd'),
	}
}

var (
	msgLine   = regexp.MustCompile(`(?m)^msg ([0-9]+) length ([0-9]+) packets ([0-9]+)$`)
	itemsLine = regexp.MustCompile(`(?m)^items ([0-9]+) total ([0-9]+)$`)
)

// checkDownload compares what the flow scenario wrote to dir and reported
// with the messages the server stored, and the packet count with what a
// pool of the given room must give.
func checkDownload(t *testing.T, out, dir string, msgs [][]byte, room int) {
	t.Helper()
	var total int
	for _, m := range msgs {
		total += len(m)
	}
	require.Equal(t, []string{itemsLine.FindString(out)}, []string{fmt.Sprintf("items %d total %d", len(msgs), total)})
	got := msgLine.FindAllStringSubmatch(out, -1)
	require.Len(t, got, len(msgs))
	for i, m := range msgs {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("msg-%d", i+1)))
		require.NoError(t, err)
		// Sizes and the first difference, not a dump of both messages.
		assert.True(t, bytes.Equal(data, m), "message %d: got %d bytes, want %d; first difference at %d", i+1, len(data), len(m), firstDiff(data, m))
		want := max(1, (len(m)+room-1)/room)
		assert.Equal(t, strconv.Itoa(want), got[i][3], "packets of message %d (%d bytes, room %d)", i+1, len(m), room)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func apopLine(user, timestamp, password string) string {
	sum := md5.Sum([]byte(timestamp + password))
	return "APOP " + user + " " + hex.EncodeToString(sum[:])
}

// transaction is what the vendor flow sends after logging in.
func transaction(n int, dele bool) []string {
	cmds := []string{"STAT"}
	for i := 1; i <= n; i++ {
		cmds = append(cmds, "RETR "+strconv.Itoa(i))
		if dele {
			cmds = append(cmds, "DELE "+strconv.Itoa(i))
		}
	}
	return append(cmds, "QUIT")
}

const testTimestamp = "<1896.697170952@dbc.mtview.ca.us>"

// TestCVendorFlow runs the vendor's sequence (create, items_get, item_get
// and message_get per item, delete, quit, delete) for each login path and
// checks the exact dialogue on the wire: the same commands in the same
// order as the vendor's client, nothing else (no CAPA, no LIST).
func TestCVendorFlow(t *testing.T) {
	cases := []struct {
		name      string
		opts      pop3test.Options
		apop      bool
		dele      bool
		login     []string
		committed bool
	}{
		{"apop", pop3test.Options{Timestamp: testTimestamp}, true, true,
			[]string{apopLine("demo", testTimestamp, "secret")}, true},
		{"user-pass", pop3test.Options{Timestamp: testTimestamp}, false, false,
			[]string{"USER demo", "PASS secret"}, false},
		{"apop-refused-fallback", pop3test.Options{Timestamp: testTimestamp, DisableAPOP: true}, true, true,
			[]string{apopLine("demo", testTimestamp, "secret"), "USER demo", "PASS secret"}, true},
		{"apop-no-timestamp", pop3test.Options{NoTimestamp: true}, true, true,
			[]string{"USER demo", "PASS secret"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, tc.opts)
			msgs := plainMessages()
			mbox := srv.AddUser("demo", "secret", msgs...)
			dir := t.TempDir()
			out := runScenario(t, ctest.Plain, srv, "flow", "OUT_DIR="+dir,
				"APOP="+map[bool]string{true: "1", false: "0"}[tc.apop],
				"DELETE="+map[bool]string{true: "1", false: "0"}[tc.dele])
			checkDownload(t, out, dir, msgs, tcpPacketRoom(1460))
			want := append(append([]string{}, tc.login...), transaction(len(msgs), tc.dele)...)
			require.Equal(t, want, srv.Commands())
			if tc.committed {
				require.Empty(t, mbox.Messages(), "QUIT must commit the deletions")
			} else {
				require.Equal(t, msgs, mbox.Messages())
			}
		})
	}
}

// TestCFraming delivers the messages whose framing is easy to get wrong,
// with replies and terminators split across segments, through pools of two
// packet sizes: every message byte-identical, final on the packet with the
// last data, no empty packet after a message that fills its packets.
func TestCFraming(t *testing.T) {
	cases := []struct {
		name    string
		payload int
		chunk   int
	}{
		{"whole-writes/payload-1460", 1460, 0},
		{"byte-by-byte/payload-1460", 1460, 1},
		{"byte-by-byte/payload-256", 256, 1},
		{"7-byte-writes/payload-65536", 65536, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var faults *pop3test.Faults
			if tc.chunk > 0 {
				faults = &pop3test.Faults{WriteChunk: tc.chunk}
			}
			srv := pop3test.Start(t, pop3test.Options{Faults: faults})
			room := tcpPacketRoom(tc.payload)
			msgs := edgeMessages(room)
			mbox := srv.AddUser("demo", "secret", msgs...)
			dir := t.TempDir()
			out := runScenario(t, ctest.Plain, srv, "flow", "OUT_DIR="+dir, "PAYLOAD="+strconv.Itoa(tc.payload), "PACKETS=4")
			checkDownload(t, out, dir, msgs, room)
			require.Len(t, mbox.Messages(), len(msgs), "keep mode deletes nothing")
		})
	}
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestCStatusCodes provokes every status a caller can meet with a
// well-behaved server: NULL pointers of every service, structs that are not
// clients, bad indexes and states, refused parameters, refused connection,
// wrong password, and the error text rules.
func TestCStatusCodes(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	msgs := plainMessages()
	mbox := srv.AddUser("demo", "secret", msgs...)
	out := runScenario(t, ctest.Plain, srv, "status",
		"REFUSED_PORT="+strconv.Itoa(freePort(t)), "ERR_TEXT=invalid credentials")
	require.Contains(t, out, "wrong password: ")
	// DELE 1 then RSET then QUIT: nothing may be deleted.
	require.Equal(t, msgs, mbox.Messages())
	cmds := srv.Commands()
	require.Contains(t, cmds, "RSET")
	for _, c := range cmds {
		require.NotContains(t, c, "\r", "a CR reached the server")
		require.False(t, strings.HasPrefix(c, "STAT") && strings.Contains(c, "demo"), "a credential was split into a command: %q", c)
	}
	require.NotContains(t, cmds, "RETR 0")
	require.NotContains(t, cmds, "DELE 0")
	require.NotContains(t, cmds, "LIST 4", "index above the STAT count must be refused before sending")
}

// serverErrorFaults answers the first STAT without numbers and RETR 1,
// LIST 1 and DELE 1 with -ERR.
func serverErrorFaults() *pop3test.Faults {
	var stats atomic.Int32
	return &pop3test.Faults{Reply: func(cmd string) (string, bool, bool) {
		switch cmd {
		case "STAT":
			if stats.Add(1) == 1 {
				return "+OK many\r\n", false, true
			}
		case "RETR 1", "LIST 1", "DELE 1":
			return "-ERR [SYS/TEMP] injected failure for " + cmd + "\r\n", false, true
		}
		return "", false, false
	}}
}

// TestCServerError: -ERR and malformed replies give
// NX_POP3_SERVER_ERROR_STATUS with the server's text, and the session goes
// on.
func TestCServerError(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Faults: serverErrorFaults()})
	msgs := plainMessages()
	srv.AddUser("demo", "secret", msgs...)
	dir := t.TempDir()
	out := runScenario(t, ctest.Plain, srv, "server-error", "OUT_DIR="+dir, "ERR_TEXT=injected failure for")
	data, err := os.ReadFile(filepath.Join(dir, "msg-2"))
	require.NoError(t, err)
	require.Equal(t, msgs[1], data)
	require.Contains(t, out, "RETR 1: ")
}

// TestCMidMessageClose: the server hangs up inside a message; message_get
// says NX_NOT_CONNECTED, every packet is back in the pool, nothing is
// deleted.
func TestCMidMessageClose(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{CloseAfterBytes: 50_000}})
	big := edgeMessages(1404)[5]
	mbox := srv.AddUser("demo", "secret", big)
	dir := t.TempDir()
	runScenario(t, ctest.Plain, srv, "mid-close", "OUT_DIR="+dir)
	data, err := os.ReadFile(filepath.Join(dir, "msg-1"))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(big, data), "what was delivered before the hang-up must be the message's start")
	require.Len(t, mbox.Messages(), 1)
}

// TestCReplyTimeout: a server that stops answering gives NX_NO_RESPONSE
// after the library's reply timeout, NX_POP3_SERVER_REPLY_TIMEOUT (10 s;
// the vendor API offers no way to shorten it).
func TestCReplyTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 10 s for the reply timeout")
	}
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{Reply: func(cmd string) (string, bool, bool) {
		return "", false, cmd == "STAT"
	}}})
	srv.AddUser("demo", "secret", plainMessages()...)
	runScenario(t, ctest.Plain, srv, "timeout")
}

// TestCPoolExhaustion: with every packet of a 2-packet pool held by the
// application, message_get waits about 1 s and says NX_NO_PACKET; once
// packets are released the download goes on and the message is whole.
func TestCPoolExhaustion(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	msg := edgeMessages(1404)[4] // 3 packets' worth, then more below
	msg = append(append([]byte{}, msg...), bytes.Repeat([]byte("tail line\r\n"), 2000)...)
	srv.AddUser("demo", "secret", msg)
	dir := t.TempDir()
	out := runScenario(t, ctest.Plain, srv, "pool", "OUT_DIR="+dir, "PACKETS=2")
	require.Contains(t, out, "NX_NO_PACKET after")
	data, err := os.ReadFile(filepath.Join(dir, "msg-1"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(msg, data), "got %d bytes, want %d; first difference at %d", len(data), len(msg), firstDiff(data, msg))
}

// TestCClientChurn creates and deletes 200 clients: each delete succeeds
// once and then reports NX_PTR_ERROR, and no client sends QUIT, so the
// server commits nothing.
func TestCClientChurn(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	addChurnUsers(srv)
	runScenario(t, ctest.Plain, srv, "churn", "POP3_USER=churn")
	require.Equal(t, 200, srv.Sessions())
	require.NotContains(t, srv.Commands(), "QUIT")
	for i := range 200 {
		require.Len(t, srv.Mailbox("churn"+strconv.Itoa(i)).Messages(), 1)
	}
}

// addChurnUsers adds the 200 accounts the churn scenario logs in to.
func addChurnUsers(srv *pop3test.Server) {
	for i := range 200 {
		srv.AddUser("churn"+strconv.Itoa(i), "secret", plainMessages()[0])
	}
}

// TestCMemory runs the scenarios again with AddressSanitizer instrumenting
// both the archive's C code (go build -asan) and the test program.
// AddressSanitizer works with the Go runtime of a c-archive here; leak
// detection is off because LeakSanitizer reports the Go runtime's own
// allocations.
func TestCMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an instrumented archive")
	}
	t.Parallel()
	room := tcpPacketRoom(256)
	scenarios := []struct {
		name   string
		opts   pop3test.Options
		msgs   [][]byte
		env    []string
		verify func(t *testing.T, out, dir string, msgs [][]byte)
	}{
		{"flow", pop3test.Options{Faults: &pop3test.Faults{WriteChunk: 3}}, edgeMessages(room),
			[]string{"PAYLOAD=256", "DELETE=1"},
			func(t *testing.T, out, dir string, msgs [][]byte) { checkDownload(t, out, dir, msgs, room) }},
		{"status", pop3test.Options{}, plainMessages(), []string{"REFUSED_PORT=" + strconv.Itoa(freePort(t))}, nil},
		{"server-error", pop3test.Options{Faults: serverErrorFaults()}, plainMessages(),
			[]string{"ERR_TEXT=injected failure"}, nil},
		{"mid-close", pop3test.Options{Faults: &pop3test.Faults{CloseAfterBytes: 20_000}}, edgeMessages(room)[5:6], nil, nil},
		{"pool", pop3test.Options{}, [][]byte{bytes.Repeat([]byte("0123456789abcdef\r\n"), 2000)},
			[]string{"PACKETS=2"},
			func(t *testing.T, out, dir string, msgs [][]byte) {
				data, err := os.ReadFile(filepath.Join(dir, "msg-1"))
				require.NoError(t, err)
				require.True(t, bytes.Equal(msgs[0], data))
			}},
		{"churn", pop3test.Options{}, nil, []string{"POP3_USER=churn"}, nil},
	}
	ctest.Archive(t, ctest.ASan)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, sc.opts)
			srv.AddUser("demo", "secret", sc.msgs...)
			addChurnUsers(srv)
			dir := t.TempDir()
			out := runScenario(t, ctest.ASan, srv, sc.name, append([]string{"OUT_DIR=" + dir}, sc.env...)...)
			require.NotContains(t, out, "AddressSanitizer")
			if sc.verify != nil {
				sc.verify(t, out, dir, sc.msgs)
			}
		})
	}
}
