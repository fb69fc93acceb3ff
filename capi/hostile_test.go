package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/internal/hostile"
	"github.com/stretchr/testify/require"
)

// Hostile servers against the C API: testdata/hostile_flow.c plays the
// cases of internal/hostile through two flows, printing each call's
// status:
//
//   - ext: every case (but GoOnly ones), through nxd_pop3_client_create_ex
//     with the case's TLS mode, certificate check and login method and a
//     300 ms reply timeout, then the Go core's flow call for call (STAT,
//     LIST as mail_items_size_list, LIST 1, UIDL as mail_items_uid_list,
//     RETR 1, TOP 1 0 as mail_item_top_get, DELE 1, QUIT), or STAT and the
//     pipelined mail_items_fetch for FlowFetch;
//   - vendor: the vendor's calls alone (create with APOP, mail_items_get,
//     mail_item_size_get 1, mail_item_get 1 and message_get to the end,
//     mail_item_delete 1, quit), for the plain cases whose stage they
//     reach, so that the wire behaviour of the calls NetX applications make
//     stays covered with NetX's own timeouts.
//
// The test checks the status of the call where the case bites, that the
// calls before it succeeded, the RFC 2449 response code of -ERR [CODE]
// cases (nx_pop3_client_response_code_get), that the data is exact when
// the flow got it, that the server saw no deviation (e.g. a credential
// after a TLS failure), and that every packet went back to the pool.

const hostileFlowSource = "testdata/hostile_flow.c"

// The vendor's create has NetX's fixed 10 s reply timeout, so a timeout
// case costs 10 s of wall time in the vendor flow: only these run there,
// to check that default. The ext flow runs every timeout case with a
// 300 ms reply timeout.
var cTimeoutCases = map[string]bool{
	"greeting silence":         true,
	"RETR silence mid-message": true,
}

// The ext flow's reply timeout, in ticks of 10 ms, and the bounds of a
// timed-out call (those of the Go suite).
const (
	extReplyTicks  = 30
	extTimeoutLow  = 290 * time.Millisecond // the clock's granularity aside
	extTimeoutHigh = 300*time.Millisecond + 2*time.Second
)

// A handful of cases run a second time under valgrind.
var valgrindCases = []struct{ flow, name string }{
	{"vendor", "RETR dot-stuffed lines"},
	{"vendor", "RETR cut by reset"},
	{"vendor", "RETR line of 1 MiB"},
	{"vendor", "STAT answered multi-line"},
	{"vendor", "greeting 1 MiB without CRLF"},
	{"vendor", "QUIT dropped after DELE accepted"},
	{"ext", "pipelined replies in one segment"},
	{"ext", "TOP cut by close"},
	{"ext", "SASL challenge not base64"},
	{"ext", "STLS certificate for another name"},
	{"ext", "LOGIN second password prompt"},
	{"ext", "RETR bare LF then .CRLF in CRLF data"},
}

// The calls of hostile_flow.c, in order, per flow.
var (
	vendorCalls = []string{"create", "items", "size", "item_get", "message_get", "dele", "quit"}
	extCalls    = []string{"create", "items", "list", "size", "uidl", "item_get", "message_get", "top", "top_data", "dele", "quit"}
	fetchCalls  = []string{"create", "items", "fetch", "quit"}
)

// isDataCall tells the calls that read a message a previous call started:
// they send no command.
func isDataCall(call string) bool { return call == "message_get" || call == "top_data" }

func flowCalls(flow string, hc hostile.Case) []string {
	switch {
	case flow == "vendor":
		return vendorCalls
	case hc.Flow == hostile.FlowFetch:
		return fetchCalls
	}
	return extCalls
}

// cCallOf is the call where a case bites in a C flow ("" if the flow does
// not reach the case's stage).
func cCallOf(flow string, hc hostile.Case) string {
	call := map[hostile.Stage]string{
		hostile.StageGreeting: "create", hostile.StageSTLS: "create",
		hostile.StageLogin: "create", hostile.StageAUTH: "create",
		hostile.StageSTAT: "items", hostile.StageLIST: "list", hostile.StageLISTn: "size",
		hostile.StageUIDL: "uidl", hostile.StageRETR: "item_get", hostile.StageTOP: "top",
		hostile.StageDELE: "dele", hostile.StageQUIT: "quit",
	}[hc.Stage]
	calls := flowCalls(flow, hc)
	if slices.Equal(calls, fetchCalls) && hc.Stage == hostile.StageRETR {
		call = "fetch"
	}
	if hc.InData {
		switch call {
		case "item_get":
			call = "message_get"
		case "top":
			call = "top_data"
		}
	}
	i := slices.Index(calls, call)
	if i < 0 {
		return ""
	}
	if hc.FailsNext { // the next command, not more data of this one
		for _, next := range calls[i+1:] {
			if !isDataCall(next) {
				return next
			}
		}
	}
	return call
}

// runsIn tells whether a C flow plays hc.
func runsIn(flow string, hc hostile.Case) bool {
	if hc.GoOnly != "" {
		return false
	}
	if flow == "ext" {
		return true
	}
	return hc.Flow == hostile.FlowStandard && cCallOf("vendor", hc) != "" &&
		(hc.Outcome != hostile.OutcomeTimeout || cTimeoutCases[hc.Name])
}

// cStatus is the NetX status for an outcome, as the README's table gives
// it (hostile.CStatus).
func cStatus(o hostile.Outcome) uint64 {
	code, _ := hostile.CStatus(o)
	return uint64(code)
}

// cRespCode is the NX_POP3_RESP_ value of an RFC 2449 response code.
func cRespCode(code string) uint64 {
	switch code {
	case "":
		return 0
	case "IN-USE":
		return 1
	case "LOGIN-DELAY":
		return 2
	case "SYS/TEMP":
		return 3
	case "SYS/PERM":
		return 4
	case "AUTH":
		return 5
	}
	return 6
}

var (
	cLine    = regexp.MustCompile(`(?m)^(create|items|list|size|uidl|item_get|message_get|top|top_data|fetch|dele|quit|client_delete) 0x([0-9A-F]{2})\b`)
	timeLine = regexp.MustCompile(`(?m)^time (\w+) (\d+)$`)
	codeLine = regexp.MustCompile(`(?m)^code (\d+)$`)
	poolLine = regexp.MustCompile(`(?m)^pool free (\d+)/(\d+)$`)
)

// hostileRun is one run of the C program against a case's server.
type hostileRun struct {
	hc       hostile.Case
	flow     string
	out      string
	dataFile string
	elapsed  time.Duration
	setupErr error // the server or the CA file could not be set up
	runErr   error // the program crashed, or valgrind found an error
	hung     bool
	serveErr error // a deviation the server saw
	bound    time.Duration
	valgrind bool
}

// hostileRunner runs C flows in the background, a bounded number at a
// time, whatever go test's -parallel: the runs mostly wait on timeouts and
// on their servers, so more of them than CPUs keep the suite short.
type hostileRunner struct {
	bin string
	dir string
	sem chan struct{}
	wg  sync.WaitGroup
	seq int
}

func newHostileRunner(bin, dir string, n int) *hostileRunner {
	return &hostileRunner{bin: bin, dir: dir, sem: make(chan struct{}, n)}
}

// start runs hc through flow (under wrap, if given) in the background; the
// result comes on the channel.
func (r *hostileRunner) start(hc hostile.Case, flow string, wrap []string, bound time.Duration) <-chan hostileRun {
	r.seq++
	dir := filepath.Join(r.dir, strconv.Itoa(r.seq))
	ch := make(chan hostileRun, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.sem <- struct{}{}
		defer func() { <-r.sem }()
		ch <- runHostileC(hc, flow, wrap, r.bin, dir, bound)
	}()
	return ch
}

func runHostileC(hc hostile.Case, flow string, wrap []string, bin, dir string, bound time.Duration) (res hostileRun) {
	res = hostileRun{hc: hc, flow: flow, dataFile: filepath.Join(dir, "data"), bound: bound, valgrind: wrap != nil}
	if res.setupErr = os.MkdirAll(dir, 0o755); res.setupErr != nil {
		return res
	}
	run, err := hc.Start()
	if err != nil {
		res.setupErr = err
		return res
	}
	_, port, _ := strings.Cut(run.Addr, "127.0.0.1:")
	env := os.Environ()
	if flow == "ext" {
		if env, err = extEnv(hc, run, dir, env, wrap != nil); err != nil {
			run.Stop()
			res.setupErr = err
			return res
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	argv := append(append([]string{}, wrap...), bin, flow, port, res.dataFile)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	start := time.Now()
	b, runErr := cmd.CombinedOutput()
	res.elapsed = time.Since(start)
	res.out = string(b)
	res.serveErr = run.Stop()
	res.hung = ctx.Err() != nil
	res.runErr = runErr
	return res
}

// extEnv sets up the ext flow's options for hc: the TLS mode, certificate
// check, CA file and server name of its ClientTLS, and its login method.
func extEnv(hc hostile.Case, run *hostile.Run, dir string, env []string, valgrind bool) ([]string, error) {
	ticks, connect := extReplyTicks, 200
	if valgrind {
		// memcheck slows the client, not the server: its TLS handshake
		// (inside the connect timeout) too, past 2 s on a busy machine,
		// and past 10 s when other work shares the machine.
		ticks, connect = 300, 3000
	}
	env = append(env, fmt.Sprintf("REPLY_TIMEOUT=%d", ticks), fmt.Sprintf("CONNECT_TIMEOUT=%d", connect))
	switch hc.Flow {
	case hostile.FlowSTLS:
		env = append(env, "TLS=starttls")
	case hostile.FlowImplicitTLS:
		env = append(env, "TLS=implicit")
	case hostile.FlowSASL:
		mech := strings.ToLower(hc.Mech)
		if mech == "" {
			mech = "cram-md5"
		}
		env = append(env, "AUTH="+mech)
	case hostile.FlowFetch:
		env = append(env, "FLOW=fetch")
	}
	if run.ClientTLS != nil && (hc.Flow == hostile.FlowSTLS || hc.Flow == hostile.FlowImplicitTLS) {
		cfg := run.ClientTLS
		if cfg.InsecureSkipVerify {
			env = append(env, "VERIFY=0")
		}
		if cfg.ServerName != "" {
			env = append(env, "SERVER_NAME="+cfg.ServerName)
		}
		if run.ClientCA != nil {
			ca := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(ca, run.ClientCA, 0o600); err != nil {
				return nil, err
			}
			env = append(env, "CA_FILE="+ca)
		} else if !cfg.InsecureSkipVerify && cfg.RootCAs != nil {
			return nil, fmt.Errorf("case %q: ClientTLS trusts a CA that ClientCA does not give", hc.Name)
		}
	}
	return env, nil
}

func TestHostileC(t *testing.T) {
	bin := ctest.WholeProgram(t, ctest.Plain, hostileFlowSource, "-g")
	runner := newHostileRunner(bin, t.TempDir(), 12)
	t.Cleanup(runner.wg.Wait)

	// Everything is started first, the vendor timeouts (10 s) ahead, then
	// checked in catalogue order; each run has a server of its own.
	type pending struct {
		name string
		ch   <-chan hostileRun
	}
	runs := map[string][]pending{}
	vendorCases, extCases := hostile.Cases(), hostile.Cases() // the same catalogue: runs share nothing
	vendorRuns := map[string]<-chan hostileRun{}
	for _, hc := range vendorCases {
		if runsIn("vendor", hc) && hc.Outcome == hostile.OutcomeTimeout {
			vendorRuns[hc.Name] = runner.start(hc, "vendor", nil, 25*time.Second)
		}
	}
	for i, hc := range vendorCases {
		if runsIn("vendor", hc) {
			ch, ok := vendorRuns[hc.Name]
			if !ok {
				ch = runner.start(hc, "vendor", nil, 20*time.Second)
			}
			runs["vendor"] = append(runs["vendor"], pending{hc.Name, ch})
		}
		if hc := extCases[i]; runsIn("ext", hc) {
			runs["ext"] = append(runs["ext"], pending{hc.Name, runner.start(hc, "ext", nil, 20*time.Second)})
		}
	}
	t.Logf("C flows: %d cases through the vendor calls, %d through the extended API (of %d)",
		len(runs["vendor"]), len(runs["ext"]), len(extCases))

	for _, flow := range []string{"vendor", "ext"} {
		t.Run(flow, func(t *testing.T) {
			for _, p := range runs[flow] {
				t.Run(p.name, func(t *testing.T) { checkHostileC(t, <-p.ch) })
			}
		})
	}

	// valgrind: the runtime is built with its valgrind annotations (Go
	// 1.25's valgrind build tag) so that memcheck follows Go's own stacks
	// and heap; without them it reports the runtime's stack copying.
	t.Run("valgrind", func(t *testing.T) {
		valgrind := ctest.NeedTool(t, "valgrind")
		vbin := ctest.WholeProgram(t, ctest.Variant{Name: "valgrind", GoFlags: []string{"-tags=valgrind"}}, hostileFlowSource, "-g", "-gdwarf-4")
		vrunner := newHostileRunner(vbin, t.TempDir(), 4)
		t.Cleanup(vrunner.wg.Wait)
		// Async preemption's signal-driven stack writes are reported as
		// invalid by memcheck now and then.
		wrap := []string{"env", "GODEBUG=asyncpreemptoff=1", valgrind, "--error-exitcode=1", "--leak-check=no", "-q"}
		byName := map[string]hostile.Case{}
		for _, hc := range hostile.Cases() {
			byName[hc.Name] = hc
		}
		var vruns []<-chan hostileRun
		for _, c := range valgrindCases {
			hc, ok := byName[c.name]
			require.True(t, ok, "no case %q", c.name)
			require.True(t, runsIn(c.flow, hc), "case %q does not run in the %s flow", c.name, c.flow)
			vruns = append(vruns, vrunner.start(hc, c.flow, wrap, 80*time.Second))
		}
		for i, c := range valgrindCases {
			t.Run(c.flow+"/"+c.name, func(t *testing.T) { checkHostileC(t, <-vruns[i]) })
		}
	})
}

// checkHostileC checks the output of one run of the C program.
func checkHostileC(t *testing.T, r hostileRun) {
	hc, out := r.hc, r.out
	require.NoError(t, r.setupErr)
	if r.serveErr != nil {
		t.Errorf("server: %v", r.serveErr)
	}
	if r.hung {
		t.Fatalf("hang: the C flow did not finish within %v\n%s", r.bound, out)
	}
	require.NoError(t, r.runErr, "the C flow crashed or valgrind found an error:\n%s", out)
	t.Logf("%s flow:\n%s(%v)", r.flow, out, r.elapsed.Round(time.Millisecond))

	status := map[string]uint64{}
	for _, m := range cLine.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseUint(m[2], 16, 8)
		status[m[1]] = v
	}
	took := map[string]time.Duration{}
	for _, m := range timeLine.FindAllStringSubmatch(out, -1) {
		ms, _ := strconv.Atoi(m[2])
		took[m[1]] = time.Duration(ms) * time.Millisecond
	}
	calls := flowCalls(r.flow, hc)
	wantCall, want := cCallOf(r.flow, hc), cStatus(hc.Outcome)
	if hc.Outcome == hostile.OutcomeOK {
		for _, c := range calls {
			if st, ok := status[c]; !ok || st != 0 {
				t.Errorf("%s: got %s, want 0x00", c, fmtStatus(st, ok))
			}
		}
	} else {
		for _, c := range calls {
			if c == wantCall {
				break
			}
			if st, ok := status[c]; !ok || st != 0 {
				t.Errorf("%s (before the stage call %s): got %s, want 0x00", c, wantCall, fmtStatus(st, ok))
			}
		}
		st, ok := status[wantCall]
		quit, quitCalled := status["quit"]
		switch {
		case ok && st == 0 && quitCalled && quit == 0:
			t.Errorf("BUG: %s: want 0x%02X (%v), got 0x00, and every later call succeeded too: something was reported wrongly",
				wantCall, want, hc.Outcome)
		case !ok || st != want:
			t.Errorf("%s: want 0x%02X (%v), got %s", wantCall, want, hc.Outcome, fmtStatus(st, ok))
		}
		if hc.Outcome == hostile.OutcomeTimeout && !r.valgrind {
			if r.flow == "vendor" && r.elapsed < 9*time.Second {
				t.Errorf("timed out after %v, want NetX's 10 s reply timeout", r.elapsed)
			}
			if d := took[wantCall]; r.flow == "ext" && (d < extTimeoutLow || d > extTimeoutHigh) {
				t.Errorf("%s timed out after %v, want about the reply timeout of %d ticks", wantCall, d, extReplyTicks)
			}
		}
	}
	if hc.Code != "" {
		m := codeLine.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no response code: the flow did not fail")
		} else if got, want := m[1], strconv.FormatUint(cRespCode(hc.Code), 10); got != want {
			t.Errorf("nx_pop3_client_response_code_get: got %s, want %s (NX_POP3_RESP_ for [%s])", got, want, hc.Code)
		}
	}
	if status["create"] == 0 && status["client_delete"] != 0 {
		t.Errorf("client_delete: got 0x%02X, want 0x00", status["client_delete"])
	}

	// Data: exact whenever the final packet was reported.
	wantData, wantTop := hc.Data, hc.TopData
	if wantData == nil {
		wantData = []byte(hostile.Message)
	}
	if wantTop == nil {
		wantTop = []byte(hostile.Top)
	}
	checkData := func(call, file string, want []byte) {
		if st, ok := status[call]; !ok || st != 0 {
			return
		}
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		if string(got) != string(want) {
			t.Errorf("%s data: got %d bytes %s, want %d bytes %s", call, len(got), clipQuote(got), len(want), clipQuote(want))
		}
	}
	checkData("message_get", r.dataFile, wantData)
	checkData("fetch", r.dataFile, wantData)
	checkData("top_data", r.dataFile+".top", wantTop)

	m := poolLine.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("no pool line in the output")
	} else if m[1] != m[2] {
		t.Errorf("pool free %s/%s: packets were not returned", m[1], m[2])
	}
}

func fmtStatus(st uint64, ok bool) string {
	if !ok {
		return "not called"
	}
	return fmt.Sprintf("0x%02X", st)
}

func clipQuote(b []byte) string {
	if len(b) > 80 {
		return fmt.Sprintf("%q...", b[:80])
	}
	return fmt.Sprintf("%q", b)
}
