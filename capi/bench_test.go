package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// benchLogin dials addr and logs in as demo with USER/PASS.
func benchLogin(b *testing.B, ctx context.Context, addr string) *pop3.Client {
	b.Helper()
	c, err := pop3.Dial(ctx, addr)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Login(ctx, "demo", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}); err != nil {
		c.Close()
		b.Fatal(err)
	}
	return c
}

// BenchmarkDownload64MiB downloads one 64 MiB message from pop3test: with
// the Go core (Retr, io.Copy to io.Discard), and through the C API's
// message_get loop with pools of 1460-byte (a TCP segment) and 65536-byte
// packets. The C program times itself from RETR to the final packet, so
// process start and login are not counted; MB/s is the figure to compare.
func BenchmarkDownload64MiB(b *testing.B) {
	const size = 64 << 20
	msg := bytes.Repeat([]byte("0123456789 the quick brown fox jumps over the lazy dog 0123456\r\n"), size/64)
	srv, err := pop3test.NewServer(pop3test.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.AddUser("demo", "secret", msg)

	b.Run("go", func(b *testing.B) {
		ctx := context.Background()
		c := benchLogin(b, ctx, srv.Addr())
		defer c.Close()
		b.SetBytes(size)
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			m, err := c.Retr(ctx, 1)
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, m)
			if err != nil || n != size {
				b.Fatalf("copied %d bytes: %v", n, err)
			}
		}
		b.ReportMetric(float64(size)*float64(b.N)/time.Since(start).Seconds()/1e6, "MB/s")
		c.Quit(ctx)
	})

	// go-read does what the C path does: one copy of every byte, here into a
	// 64 KiB buffer, where the C path copies into packets; go (above) writes
	// straight from the read buffer to io.Discard, copying nothing.
	b.Run("go-read", func(b *testing.B) {
		ctx := context.Background()
		c := benchLogin(b, ctx, srv.Addr())
		defer c.Close()
		buf := make([]byte, 64<<10)
		b.SetBytes(size)
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			m, err := c.Retr(ctx, 1)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			for err == nil {
				var k int
				k, err = m.Read(buf)
				n += k
			}
			if err != io.EOF || n != size {
				b.Fatalf("read %d bytes: %v", n, err)
			}
		}
		b.ReportMetric(float64(size)*float64(b.N)/time.Since(start).Seconds()/1e6, "MB/s")
		c.Quit(ctx)
	})

	for _, payload := range []int{1460, 65536} {
		b.Run("c-"+strconv.Itoa(payload), func(b *testing.B) {
			bin := ctest.Program(b, ctest.Plain, "testdata/bench_download.c")
			b.SetBytes(size)
			b.ResetTimer()
			out, err := ctest.Run(".", "env", "POP3_SERVER="+srv.Addr(), "POP3_USER=demo", "POP3_PASSWORD=secret",
				bin, strconv.Itoa(payload), strconv.Itoa(b.N))
			b.StopTimer()
			if err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			var total int64
			var seconds float64
			if _, err := fmt.Sscanf(out, "bytes %d seconds %f", &total, &seconds); err != nil {
				b.Fatalf("%v: %q", err, out)
			}
			if total != int64(size)*int64(b.N) {
				b.Fatalf("got %d bytes, want %d", total, int64(size)*int64(b.N))
			}
			b.ReportMetric(float64(total)/seconds/1e6, "MB/s")
		})
	}
}
