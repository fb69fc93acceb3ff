package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// BenchmarkPerf measures the C API against clients written on plain sockets
// that do only what POP3 needs (testdata/perf_bench.c), all fetching the
// same 2000 messages of 4 KiB from a private Dovecot, in one run so that
// the ratios compare figures taken under the same load:
//
//   - vendor/bare: the vendor's loop (mail_item_get, then message_get until
//     the final packet, 1460-byte packets) against a C client sending one
//     RETR at a time on a blocking socket. csw/msg is the process's context
//     switches per message (getrusage) for each.
//   - cfetch/raw and gofetch/raw: nx_pop3_client_mail_items_fetch and Go's
//     Client.Fetch, both pipelined with their default window, against a C
//     client that sends every RETR at once from a second thread and only
//     counts reply terminators: what the server and the path can deliver.
//   - pop3fetch/raw: the pop3fetch example storing every message into a
//     Maildir (on tmpfs when /dev/shm exists, so the disk's fsync is not
//     what is measured), timed as a whole process: its login, UIDL and
//     QUIT are included, which the other figures leave out; and
//     pop3fetch/rawproc against the raw client's process timed the same
//     way (connect, login, STAT, the fetch, QUIT), whose difference is what
//     pop3fetch does beyond: its start-up, LIST, CAPA, storing each
//     message, and waiting for QUIT's reply.
//
// The context switches per message are reported voluntary (vcsw: the
// process waited) and involuntary (ivcsw: preempted, which other load on
// the machine causes whatever the client does) for the vendor loop and
// the bare client, and voluntary on the thread calling the API alone.
//
// Sub-benchmark loopback talks to Dovecot directly; busy does the same
// while a busy loop runs on every core (the machine of a gateway that has
// other work: a client whose every reply wakes extra threads waits for
// the scheduler each time); delay1ms goes through a proxy in this process
// that holds every chunk of bytes for 1 ms in each direction (a 2 ms
// round trip, as on a LAN with a slow hop; the kernel's netem is not
// available everywhere). Each way runs several rounds, interleaved: 7 on
// loopback, 9 busy (the noisiest), 3 through the delay (PERF_ROUNDS sets
// them all). The median counts, with the context switches of its run.
func BenchmarkPerf(b *testing.B) {
	if !extDovecotInstalled() {
		b.Skip("dovecot is not installed (build/dovecot/install.sh); benchmarks skip without it")
	}
	dc := dovecot.Start(b)
	user, password := dc.NewUser(b)
	dc.Deliver(b, user, extBenchCorpus()...)
	bin := ctest.Program(b, ctest.Plain, "testdata/perf_bench.c")
	fetchBin := pop3fetchProgram(b, ctest.Plain)
	// The first login makes Dovecot index the mailbox: not what is measured.
	perfRun(b, bin, dc.Addr(), user, password, "raw")

	modes := []string{"bare", "vendor", "raw", "fetch", "gofetch", "pop3fetch"}
	for _, path := range []struct {
		name   string
		delay  time.Duration
		busy   bool
		rounds int
	}{{"loopback", 0, false, 7}, {"busy", 0, true, 9}, {"delay1ms", time.Millisecond, false, 3}} {
		b.Run(path.name, func(b *testing.B) {
			addr := dc.Addr()
			if path.delay > 0 {
				addr = delayProxy(b, addr, path.delay)
			}
			if path.busy {
				stop := burnCPUs(b)
				defer stop()
			}
			rounds := perfRounds(path.rounds)
			for range b.N {
				runs := map[string][]perfResult{}
				for range rounds {
					for _, mode := range modes {
						var r perfResult
						switch mode {
						case "gofetch":
							r = perfGoFetch(b, addr, user, password)
						case "pop3fetch":
							r = perfPop3fetch(b, fetchBin, addr, user, password)
						default:
							r = perfRun(b, bin, addr, user, password, mode)
						}
						if r.messages != extBenchCount {
							b.Fatalf("%s: %d messages, want %d", mode, r.messages, extBenchCount)
						}
						runs[mode] = append(runs[mode], r)
						if mode == "raw" {
							runs["rawproc"] = append(runs["rawproc"], perfResult{secs: r.wall, cpu: r.cpu})
						}
					}
				}
				med := map[string]perfResult{}
				for mode, rs := range runs {
					med[mode] = medianRun(rs)
				}
				for _, mode := range modes {
					b.ReportMetric(med[mode].secs*1e3, mode+"-ms")
				}
				b.ReportMetric(med["vendor"].secs/med["bare"].secs, "vendor/bare")
				b.ReportMetric(med["fetch"].secs/med["raw"].secs, "cfetch/raw")
				b.ReportMetric(med["gofetch"].secs/med["raw"].secs, "gofetch/raw")
				b.ReportMetric(med["pop3fetch"].secs/med["raw"].secs, "pop3fetch/raw")
				b.ReportMetric(float64(med["vendor"].csw)/extBenchCount, "vendor-csw/msg")
				b.ReportMetric(float64(med["bare"].csw)/extBenchCount, "bare-csw/msg")
				for _, mode := range []string{"vendor", "bare"} {
					b.ReportMetric(float64(med[mode].vol)/extBenchCount, mode+"-vcsw/msg")
					b.ReportMetric(float64(med[mode].invol)/extBenchCount, mode+"-ivcsw/msg")
				}
				b.ReportMetric(float64(med["vendor"].tvol)/extBenchCount, "vendor-thread-vcsw/msg")
				// pop3fetch is timed as a whole process; so is this raw
				// run's process (its login and STAT, no LIST, no storing).
				b.ReportMetric(med["rawproc"].secs*1e3, "rawproc-ms")
				b.ReportMetric(med["pop3fetch"].secs/med["rawproc"].secs, "pop3fetch/rawproc")
				// What pop3fetch's storing costs: CPU the processes used.
				b.ReportMetric(med["rawproc"].cpu*1e3, "rawproc-cpu-ms")
				b.ReportMetric(med["pop3fetch"].cpu*1e3, "pop3fetch-cpu-ms")
			}
		})
	}
}

// medianRun returns the run of median time (the slower middle one of an
// even count).
func medianRun(rs []perfResult) perfResult {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b perfResult) int { return cmp.Compare(a.secs, b.secs) })
	return rs[len(rs)/2]
}

// burnCPUs keeps every core busy with a shell loop, in processes of their
// own so that this process's scheduling is not what slows; stop ends them.
func burnCPUs(b *testing.B) (stop func()) {
	b.Helper()
	var cmds []*exec.Cmd
	for range runtime.NumCPU() {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			b.Fatalf("busy loop: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	return func() {
		for _, cmd := range cmds {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
}

// BenchmarkSessionRSS opens 200 C API sessions to pop3test, each of which
// downloads one 256 KiB message and stays open, and reports the C
// process's resident memory per session over what it had before the first.
func BenchmarkSessionRSS(b *testing.B) {
	const sessions = 200
	msg := bytes.Repeat([]byte("0123456789 the quick brown fox jumps over the lazy dog 0123456\r\n"), 256<<10/64)
	srv, err := pop3test.NewServer(pop3test.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for i := range sessions {
		srv.AddUser("demo"+strconv.Itoa(i), "secret", msg)
	}
	bin := ctest.Program(b, ctest.Plain, "testdata/perf_bench.c")
	for range b.N {
		out, _ := perfExec(b, bin, srv.Addr(), "demo", "secret", "rss", "SESSIONS="+strconv.Itoa(sessions))
		var base, after float64
		var n int
		if _, err := fmt.Sscanf(out, "rss %f %f %d", &base, &after, &n); err != nil || n != sessions {
			b.Fatalf("unexpected output (%v):\n%s", err, out)
		}
		b.ReportMetric((after-base)/sessions, "KiB/session")
	}
}

type perfResult struct {
	secs     float64
	bytes    int64
	messages int
	csw      int64   // context switches of the process: voluntary + involuntary
	vol      int64   // voluntary: the process waited
	invol    int64   // involuntary: preempted, mostly by other load
	tvol     int64   // voluntary, of the thread calling the API alone
	wall     float64 // the whole process: start, login, fetch, QUIT
	cpu      float64 // CPU time of the whole process, user and system
}

// perfExec runs bin in mode and returns its output and the CPU time
// (user and system) the process used.
func perfExec(b *testing.B, bin, addr, user, password, mode string, env ...string) (string, float64) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, mode)
	cmd.Env = append(append(os.Environ(), "POP3_SERVER="+addr, "POP3_USER="+user, "POP3_PASSWORD="+password), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", mode, err, out)
	}
	return string(out), cpuSecs(cmd.ProcessState)
}

func cpuSecs(ps *os.ProcessState) float64 {
	return (ps.UserTime() + ps.SystemTime()).Seconds()
}

func perfRun(b *testing.B, bin, addr, user, password, mode string) perfResult {
	b.Helper()
	start := time.Now()
	out, cpu := perfExec(b, bin, addr, user, password, mode)
	var r perfResult
	r.wall, r.cpu = time.Since(start).Seconds(), cpu
	var name string
	if _, err := fmt.Sscanf(out, "%s %f %d %d %d %d %d %d", &name, &r.secs, &r.bytes, &r.messages, &r.csw, &r.vol, &r.invol, &r.tvol); err != nil || name != mode {
		b.Fatalf("%s: unexpected output (%v):\n%s", mode, err, out)
	}
	return r
}

// perfGoFetch is the Go core's pipelined Fetch of every message, timed
// from the first RETR as the C ways are.
func perfGoFetch(b *testing.B, addr, user, password string) perfResult {
	b.Helper()
	ctx := context.Background()
	c, err := pop3.Dial(ctx, addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, user, password, &pop3.LoginOptions{Method: pop3.AuthUser}); err != nil {
		b.Fatal(err)
	}
	n, _, err := c.Stat(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	var r perfResult
	start := time.Now()
	err = c.Fetch(ctx, ids, nil, func(m *pop3.Message) error {
		k, err := io.Copy(io.Discard, m)
		r.bytes += k
		r.messages++
		return err
	})
	r.secs = time.Since(start).Seconds()
	if err != nil {
		b.Fatal(err)
	}
	c.Quit(ctx)
	return r
}

// perfRounds is PERF_ROUNDS, how many times each way runs, or def.
func perfRounds(def int) int {
	if n, err := strconv.Atoi(os.Getenv("PERF_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return def
}

// perfPop3fetch runs the pop3fetch example into a fresh Maildir and
// counts the files it stored.
func perfPop3fetch(b *testing.B, bin, addr, user, password string) perfResult {
	b.Helper()
	parent := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		parent = "/dev/shm"
	}
	dir, err := os.MkdirTemp(parent, "perf-maildir-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	md := filepath.Join(dir, "Maildir")
	cmd := exec.Command(bin, "--server", addr, "--user", user, "--auth", "user", "--password-env", "PERF_PW", "--quiet", md)
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
	return perfResult{secs: secs, messages: len(files), cpu: cpuSecs(cmd.ProcessState)}
}

// delayProxy forwards connections to addr, holding every chunk it reads
// for delay before writing it on, in both directions, without limiting the
// rate: a path with a round trip of twice delay.
func delayProxy(b testing.TB, addr string, delay time.Duration) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				down.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); delayCopy(up, down, delay) }()
			go func() { defer wg.Done(); delayCopy(down, up, delay) }()
		}
	}()
	return ln.Addr().String()
}

type delayedChunk struct {
	due  time.Time
	data []byte
}

// delayCopy copies src to dst, each chunk delay after it was read, and
// closes both at the end.
func delayCopy(dst, src net.Conn, delay time.Duration) {
	chunks := make(chan delayedChunk, 4096)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- delayedChunk{time.Now().Add(delay), buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	for range chunks {
	}
}
