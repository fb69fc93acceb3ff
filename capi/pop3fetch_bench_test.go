//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
)

// BenchmarkPop3fetchDisk: pop3fetch --delete of 2000 messages of 4 KiB from
// Dovecot into a Maildir on the machine's disk (under build/, not tmpfs:
// the syncs that make each message durable are what is measured), against
// the raw transfer of the same messages (testdata/perf_bench.c's raw mode:
// every RETR at once, only counting the replies). pop3fetch is timed as a
// whole process, login and QUIT included. Each of PERF_ROUNDS rounds (3 by
// default) delivers the messages again; the fastest of each counts.
// PERF_POP3FETCH names another pop3fetch binary to measure instead.
func BenchmarkPop3fetchDisk(b *testing.B) {
	if !extDovecotInstalled() {
		b.Skip("dovecot is not installed (build/dovecot/install.sh); benchmarks skip without it")
	}
	dc := dovecot.Start(b)
	bin := ctest.Program(b, ctest.Plain, "testdata/perf_bench.c")
	fetchBin := pop3fetchProgram(b, ctest.Plain)
	if other := os.Getenv("PERF_POP3FETCH"); other != "" {
		fetchBin = other // another build, to compare
	}
	corpus := extBenchCorpus()
	rounds := perfRounds(3)
	for range b.N {
		best := map[string]float64{}
		keep := func(name string, secs float64) {
			if old, ok := best[name]; !ok || secs < old {
				best[name] = secs
			}
		}
		for range rounds {
			user, password := dc.NewUser(b)
			dc.Deliver(b, user, corpus...)
			// The first login makes Dovecot index the mailbox: not measured.
			perfRun(b, bin, dc.Addr(), user, password, "raw")
			raw := perfRun(b, bin, dc.Addr(), user, password, "raw")
			if raw.messages != extBenchCount {
				b.Fatalf("raw: %d messages, want %d", raw.messages, extBenchCount)
			}
			keep("raw", raw.secs)
			keep("pop3fetch", pop3fetchDisk(b, fetchBin, dc, user, password))
		}
		b.ReportMetric(best["raw"]*1e3, "raw-ms")
		b.ReportMetric(best["pop3fetch"]*1e3, "pop3fetch-ms")
		b.ReportMetric(best["pop3fetch"]/best["raw"], "pop3fetch/raw")
	}
}

// pop3fetchDisk runs pop3fetch --delete into a fresh Maildir under build/
// and checks that every message is in new/ and none is left on the server.
func pop3fetchDisk(b *testing.B, bin string, dc *dovecot.Server, user, password string) float64 {
	b.Helper()
	dir, err := os.MkdirTemp(filepath.Join(ctest.Root(), "build"), "bench-maildir-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	md := filepath.Join(dir, "Maildir")
	cmd := exec.Command(bin, "--server", dc.Addr(), "--user", user, "--auth", "user", "--password-env", "PERF_PW",
		"--delete", "--quiet", md)
	cmd.Env = append(os.Environ(), "PERF_PW="+password)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	secs := time.Since(start).Seconds()
	if err != nil {
		b.Fatalf("pop3fetch: %v\n%s", err, out)
	}
	files, err := os.ReadDir(filepath.Join(md, "new"))
	if err != nil {
		b.Fatal(err)
	}
	if len(files) != extBenchCount {
		b.Fatalf("pop3fetch stored %d messages, want %d", len(files), extBenchCount)
	}
	if left := len(dc.Messages(b, user)); left != 0 {
		b.Fatalf("%d messages left on the server after --delete", left)
	}
	return secs
}
