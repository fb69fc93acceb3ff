package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// BenchmarkCFetch2000x4KiB: what pipelining buys a C application. The C
// program (testdata/ext_bench.c) logs in once and, in the same session,
// fetches 2000 messages of 4 KiB with nx_pop3_client_mail_items_fetch
// (pipelined: the server advertises PIPELINING) and with the vendor's loop
// of mail_item_get and message_get (one command, one round trip, at a
// time), timing each with clock_gettime. Each sub-benchmark reports its own
// way as ns/op and ms/fetch (one fetch = all 2000 messages) and the ratio
// sequential/pipelined measured in the same run.
//
// Against Dovecot over loopback the round trip is tiny, so the gain is what
// pipelining saves in per-command overhead; the Latency1ms variant, against
// pop3test with a 1 ms reply delay, shows what it saves on a network.
func BenchmarkCFetch2000x4KiB(b *testing.B) {
	if !extDovecotInstalled() {
		b.Skip("dovecot is not installed (build/dovecot/install.sh); benchmarks skip without it")
	}
	dc := dovecot.Start(b)
	user, password := dc.NewUser(b)
	dc.Deliver(b, user, extBenchCorpus()...)
	// The first login makes Dovecot index the mailbox: not what is measured.
	out, err := extBenchRun(b, dc.Addr(), user, password, "pipelined", 1)
	if err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	extBenchModes(b, dc.Addr(), user, password)
}

// BenchmarkCFetch2000x4KiBLatency1ms is BenchmarkCFetch2000x4KiB against
// pop3test answering every batch of commands after 1 ms, as a network
// round trip would.
func BenchmarkCFetch2000x4KiBLatency1ms(b *testing.B) {
	srv, err := pop3test.NewServer(pop3test.Options{Pipelining: true, ReplyDelay: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.AddUser("demo", "secret", extBenchCorpus()...)
	extBenchModes(b, srv.Addr(), "demo", "secret")
}

const (
	extBenchCount = 2000
	extBenchSize  = 4096
)

func extBenchCorpus() [][]byte {
	msgs := make([][]byte, extBenchCount)
	for i := range msgs {
		var s strings.Builder
		fmt.Fprintf(&s, "Subject: bench %d\r\n\r\n", i+1)
		for s.Len() < extBenchSize {
			fmt.Fprintf(&s, "line of message %d, with padding to make it longer .................\r\n", i+1)
		}
		m := []byte(s.String())[:extBenchSize-2]
		msgs[i] = append(m, '\r', '\n')
	}
	return msgs
}

func extDovecotInstalled() bool {
	if _, err := exec.LookPath("dovecot"); err == nil {
		return true
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if _, err := os.Stat(d + "/dovecot"); err == nil {
			return true
		}
	}
	return false
}

func extBenchRun(b *testing.B, addr, user, password, mode string, n int) (string, error) {
	bin := ctest.Program(b, ctest.Plain, "testdata/ext_bench.c")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, mode, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "POP3_SERVER="+addr, "POP3_USER="+user, "POP3_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// extBenchModes runs both sub-benchmarks; each runs the C program with
// both ways of fetching, b.N times each, and reports its own.
func extBenchModes(b *testing.B, addr, user, password string) {
	for _, mode := range []string{"pipelined", "sequential"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(extBenchCount * extBenchSize)
			out, err := extBenchRun(b, addr, user, password, "both", b.N)
			if err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			secs := map[string]float64{}
			for _, line := range strings.Split(out, "\n") {
				var name string
				var s float64
				var bytes int64
				var msgs int
				if n, _ := fmt.Sscanf(line, "%s %f %d %d", &name, &s, &bytes, &msgs); n == 4 {
					if bytes != int64(b.N)*extBenchCount*extBenchSize || msgs != b.N*extBenchCount {
						b.Fatalf("%s: %d bytes in %d messages, want %d in %d\n%s", name, bytes, msgs,
							int64(b.N)*extBenchCount*extBenchSize, b.N*extBenchCount, out)
					}
					secs[name] = s
				}
			}
			if secs["pipelined"] == 0 || secs["sequential"] == 0 {
				b.Fatalf("no timing in the output:\n%s", out)
			}
			per := secs[mode] / float64(b.N)
			b.ReportMetric(per*1e9, "ns/op")
			b.ReportMetric(per*1e3, "ms/fetch")
			b.ReportMetric(float64(extBenchCount*extBenchSize)/per/1e6, "MB/s")
			b.ReportMetric(secs["sequential"]/secs["pipelined"], "seq/pipe")
		})
	}
}
