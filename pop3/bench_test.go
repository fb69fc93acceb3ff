package pop3_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// textMessage returns size bytes of mail-like text: 78-octet lines, every
// 50th starting with a dot so the unstuffing path is exercised too.
func textMessage(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 100)
	b.WriteString("Subject: benchmark\r\n\r\n")
	for i := 0; b.Len() < size; i++ {
		if i%50 == 0 {
			b.WriteString(".")
		}
		b.WriteString(strings.Repeat("abcdefghij", 7) + "0123456\r\n")
	}
	return append(b.Bytes()[:size-2:size-2], '\r', '\n')
}

// stuffed is the reply to RETR of msg.
func stuffed(msg []byte) []byte {
	return []byte(fmt.Sprintf("+OK %d octets\r\n", len(msg)) + pop3test.Stuff(msg))
}

// blobServer answers every RETR with the same precomputed reply, so that a
// benchmark measures the client rather than a server's dot-stuffing.
func blobServer(b *testing.B, reply []byte) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.Write([]byte("+OK blob\r\n"))
				r := bufio.NewReader(conn)
				for {
					line, err := r.ReadString('\n')
					if err != nil || strings.HasPrefix(line, "QUIT") {
						return
					}
					conn.Write(reply)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// BenchmarkDownload64MiB compares the client's RETR of a 64 MiB message with
// a plain read of the same wire bytes from a socket, in the same run.
func BenchmarkDownload64MiB(b *testing.B) {
	msg := textMessage(64 << 20)
	wire := stuffed(msg)
	addr := blobServer(b, wire)

	b.Run("socket", func(b *testing.B) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		r.ReadString('\n')
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		for b.Loop() {
			conn.Write([]byte("RETR 1\r\n"))
			if _, err := io.CopyN(io.Discard, r, int64(len(wire))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pop3", func(b *testing.B) {
		c, err := pop3.Dial(b.Context(), addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		for b.Loop() {
			m, err := c.Retr(b.Context(), 1)
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, m)
			if err != nil || n != int64(len(msg)) {
				b.Fatalf("got %d bytes, %v", n, err)
			}
		}
	})
	b.Run("pop3test", func(b *testing.B) {
		srv, err := pop3test.NewServer(pop3test.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		srv.AddUser("bench", "pw", msg)
		c := login(b, srv.Addr())
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			m, err := c.Retr(b.Context(), 1)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, m); err != nil || n != int64(len(msg)) {
				b.Fatalf("got %d bytes, %v", n, err)
			}
		}
	})
}

func login(b *testing.B, addr string) *pop3.Client {
	c := pop3.DialForTest(b, pop3.Dialer{}, addr)
	if err := c.Login(b.Context(), "bench", "pw", &pop3.LoginOptions{Method: pop3.AuthUser}); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkRetrAllocs shows that allocations per message do not grow with
// the message size: compare allocs/op across the sizes.
func BenchmarkRetrAllocs(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			msg := textMessage(size)
			addr := blobServer(b, stuffed(msg))
			c, err := pop3.Dial(b.Context(), addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				m, err := c.Retr(b.Context(), 1)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, m)
			}
		})
	}
}

// BenchmarkFetch2000x4KiB retrieves 2000 messages of 4 KiB with each batch of
// replies delayed 1 ms (a modest network round trip), pipelined and
// sequentially, in the same run.
func BenchmarkFetch2000x4KiB(b *testing.B) {
	msg := textMessage(4 << 10)
	all := make([][]byte, 2000)
	ids := make([]int, 2000)
	for i := range all {
		all[i] = msg
		ids[i] = i + 1
	}
	srv, err := pop3test.NewServer(pop3test.Options{Pipelining: true, ReplyDelay: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.AddUser("bench", "pw", all...)
	for _, mode := range []struct {
		name string
		opts pop3.FetchOptions
	}{{"pipelined", pop3.FetchOptions{}}, {"sequential", pop3.FetchOptions{NoPipelining: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			c := login(b, srv.Addr())
			b.SetBytes(int64(len(msg) * len(ids)))
			b.ReportAllocs()
			for b.Loop() {
				err := c.Fetch(b.Context(), ids, &mode.opts, func(m *pop3.Message) error {
					_, err := io.Copy(io.Discard, m)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			c.Quit(b.Context())
		})
	}
}
