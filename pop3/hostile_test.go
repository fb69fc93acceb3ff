package pop3

// Hostile servers against the Go core: every case of
// pop3test.HostileCases runs the standard client flow (dial, login, STAT,
// LIST, LIST 1, UIDL, RETR 1, TOP 1 0, DELE 1, QUIT, stopping at the first
// error) and must end, within a bound, with the case's outcome at the
// case's stage, delivering exactly the expected bytes when it succeeds.
//
// TestHostileTable prints the catalogue (go test -run TestHostileTable -v
// ./pop3/); its output at the time of writing, with the C status per
// capi/status.go (capi/hostile_test.go plays every case through the C API:
// through nxd_pop3_client_create_ex and the extended calls with a 300 ms
// reply timeout, and the plain cases the vendor's calls reach through those
// calls alone, with NetX's fixed timeouts):
//
// | case | stage | expected outcome | C status |
// |---|---|---|---|
// | greeting -ERR | greeting | ServerError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | no greeting then close | greeting | Closed | 0x38 NX_NOT_CONNECTED |
// | greeting silence | greeting | Timeout | 0x29 NX_NO_RESPONSE |
// | greeting without CRLF then close | greeting | Closed | 0x38 NX_NOT_CONNECTED |
// | greeting 1 MiB without CRLF | greeting | TooLong | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | greeting neither +OK nor -ERR | greeting | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | greeting +OKAY | greeting | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | whole session one byte per write | RETR | OK | 0x00 NX_SUCCESS |
// | APOP timestamp missing | login | OK | 0x00 NX_SUCCESS |
// | APOP timestamp 10 KB | login | OK | 0x00 NX_SUCCESS |
// | APOP timestamp with CR | login | OK | 0x00 NX_SUCCESS |
// | APOP refused, USER/PASS accepted | login | OK | 0x00 NX_SUCCESS |
// | -ERR [IN-USE] | login | ServerError [IN-USE] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | -ERR [LOGIN-DELAY] | login | ServerError [LOGIN-DELAY] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | unknown RESP-CODE on -ERR | login | ServerError [X-WEIRD/THING] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | unknown RESP-CODE on +OK | login | OK | 0x00 NX_SUCCESS |
// | login reply cut by close | login | Closed | 0x38 NX_NOT_CONNECTED |
// | login answered by reset | login | Closed | 0x38 NX_NOT_CONNECTED |
// | closed right after greeting | login | Closed | 0x38 NX_NOT_CONNECTED |
// | STAT non-numeric | STAT | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT negative | STAT | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT size over 64 bits | STAT | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT count 4294967296 | STAT | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT size missing | STAT | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT answered multi-line | STAT (seen at the next command) | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT answered twice | STAT (seen at the next command) | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STAT silence | STAT | Timeout | 0x29 NX_NO_RESPONSE |
// | STAT without CRLF then close | STAT | Closed | 0x38 NX_NOT_CONNECTED |
// | LIST size non-numeric | LIST | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST size negative | LIST | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST size over 64 bits | LIST | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST line missing the size | LIST | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST cut by close | LIST | Closed | 0x38 NX_NOT_CONNECTED |
// | LIST n answered for another index | LIST n | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST n size non-numeric | LIST n | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST n size negative | LIST n | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST n size over 64 bits | LIST n | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | LIST n -ERR | LIST n | ServerError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | UIDL id of 10 KB | UIDL | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | UIDL line missing the id | UIDL | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | RETR cut by close | RETR (in the data) | Closed | 0x38 NX_NOT_CONNECTED |
// | RETR cut by reset | RETR (in the data) | Closed | 0x38 NX_NOT_CONNECTED |
// | RETR cut after the last CRLF | RETR (in the data) | Closed | 0x38 NX_NOT_CONNECTED |
// | RETR cut after the terminator's dot | RETR (in the data) | Closed | 0x38 NX_NOT_CONNECTED |
// | RETR silence mid-message | RETR (in the data) | Timeout | 0x29 NX_NO_RESPONSE |
// | RETR terminator one byte per write | RETR | OK | 0x00 NX_SUCCESS |
// | RETR whole reply one byte per write | RETR | OK | 0x00 NX_SUCCESS |
// | RETR dot-stuffed lines | RETR | OK | 0x00 NX_SUCCESS |
// | RETR bare LF line ends | RETR | OK | 0x00 NX_SUCCESS |
// | RETR NUL and 8-bit bytes | RETR | OK | 0x00 NX_SUCCESS |
// | RETR size smaller than data | RETR | OK | 0x00 NX_SUCCESS |
// | RETR size larger than data | RETR | OK | 0x00 NX_SUCCESS |
// | RETR size over 64 bits | RETR | OK | 0x00 NX_SUCCESS |
// | RETR line of 1 MiB | RETR | OK | 0x00 NX_SUCCESS |
// | RETR empty message | RETR | OK | 0x00 NX_SUCCESS |
// | RETR -ERR then the message anyway | RETR | ServerError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | RETR reply 1 MiB without CRLF | RETR | TooLong | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | TOP cut by close | TOP (in the data) | Closed | 0x38 NX_NOT_CONNECTED |
// | TOP -ERR | TOP | ServerError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | DELE -ERR [SYS/TEMP] | DELE | ServerError [SYS/TEMP] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | DELE garbage after +OK | DELE | OK | 0x00 NX_SUCCESS |
// | DELE garbage glued to +OK | DELE | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | DELE answered twice | DELE (seen at the next command) | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | QUIT dropped after DELE accepted | QUIT | Closed | 0x38 NX_NOT_CONNECTED |
// | QUIT not answered, closed | QUIT | Closed | 0x38 NX_NOT_CONNECTED |
// | QUIT -ERR [SYS/PERM] | QUIT | ServerError [SYS/PERM] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | data after QUIT +OK | QUIT | OK | 0x00 NX_SUCCESS |
// | QUIT silence | QUIT | Timeout | 0x29 NX_NO_RESPONSE |
// | pipelined replies in one segment | RETR | OK | 0x00 NX_SUCCESS |
// | SASL challenge not base64 | AUTH | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | SASL challenge 1 MiB | AUTH | TooLong | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | AUTH -ERR [AUTH] | AUTH | ServerError [AUTH] | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STLS +OK with injected replies | STLS | ProtocolError | 0xB4 NX_POP3_SERVER_ERROR_STATUS |
// | STLS +OK then silence | STLS | Timeout | 0x29 NX_NO_RESPONSE |
// | STLS missing from CAPA, TLS required | STLS | TLS | 0xB9 NX_POP3_TLS_ERROR |
// | STLS refused, TLS required | STLS | TLS | 0xB9 NX_POP3_TLS_ERROR |
// | CAPA refused, TLS required | STLS | TLS | 0xB9 NX_POP3_TLS_ERROR |
// | STLS certificate for another name | STLS | TLS | 0xB9 NX_POP3_TLS_ERROR |
// | implicit TLS certificate for another name | greeting | TLS | 0xB9 NX_POP3_TLS_ERROR |
// | STLS then the standard session | QUIT | OK | 0x00 NX_SUCCESS |
// | plain server asked for STLS answers the handshake with text | STLS | TLS | 0xB9 NX_POP3_TLS_ERROR |

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

const (
	hostileReplyTimeout = 300 * time.Millisecond
	hostileBound        = 3 * time.Second
)

// outcomeOf classifies an error of the flow as a pop3test.Outcome.
func outcomeOf(err error) pop3test.Outcome {
	var (
		re *ResponseError
		pe *ProtocolError
	)
	switch {
	case err == nil:
		return pop3test.OutcomeOK
	case errors.Is(err, ErrLineTooLong):
		return pop3test.OutcomeTooLong
	case errors.Is(err, ErrTLSRequired), errors.Is(err, ErrTLS):
		return pop3test.OutcomeTLS
	case errors.As(err, &re):
		return pop3test.OutcomeServerError
	case errors.As(err, &pe):
		return pop3test.OutcomeProtocolError
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return pop3test.OutcomeTimeout
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed), errors.Is(err, ErrClosed):
		return pop3test.OutcomeClosed
	}
	return pop3test.Outcome(-1)
}

// flowResult is what the standard flow did.
type flowResult struct {
	stage   pop3test.Stage // the stage of the first failure, "" if none
	err     error
	stages  []pop3test.Stage // stages that succeeded, in order
	retr    []byte           // RETR data, nil if RETR was not reached
	retrErr error
	top     []byte
}

// runFlow runs the client flow a case is meant for, stopping at the first
// error, and closes the client.
func runFlow(ctx context.Context, hc pop3test.HostileCase, addr string) (r flowResult) {
	step := func(s pop3test.Stage, err error) bool {
		if err != nil {
			r.stage, r.err = s, err
			return false
		}
		r.stages = append(r.stages, s)
		return true
	}
	d := Dialer{Timeout: 2 * time.Second, Options: Options{ReplyTimeout: hostileReplyTimeout}}
	dialStage := pop3test.StageGreeting
	switch hc.Flow {
	case pop3test.FlowSTLS:
		d.TLS, d.TLSConfig, dialStage = TLSStartTLS, hc.ClientTLS(), pop3test.StageSTLS
	case pop3test.FlowImplicitTLS:
		d.TLS, d.TLSConfig = TLSImplicit, hc.ClientTLS()
	}
	c, err := d.Dial(ctx, addr)
	if !step(dialStage, err) {
		return r
	}
	defer c.Close()

	login := &LoginOptions{Method: AuthAPOP}
	loginStage := pop3test.StageLogin
	if hc.Flow == pop3test.FlowSASL {
		login.Method, loginStage = AuthCramMD5, pop3test.StageAUTH
		if hc.Mech != "" {
			m, err := ParseAuthMethod(strings.ToLower(hc.Mech))
			if !step(loginStage, err) {
				return r
			}
			login.Method = m
		}
	}
	if !step(loginStage, c.Login(ctx, pop3test.StdUser, pop3test.StdPassword, login)) {
		return r
	}
	_, _, err = c.Stat(ctx)
	if !step(pop3test.StageSTAT, err) {
		return r
	}
	readAll := func(m *Message, err error) ([]byte, error, error) {
		if err != nil {
			return nil, err, nil
		}
		data, rerr := io.ReadAll(m)
		return data, nil, rerr
	}
	if hc.Flow == pop3test.FlowFetch {
		var got []byte
		err := c.Fetch(ctx, []int{1, 2}, &FetchOptions{Delete: true}, func(m *Message) error {
			data, err := io.ReadAll(m)
			got = append(got, data...)
			return err
		})
		r.retr = got
		if !step(pop3test.StageRETR, err) {
			return r
		}
		step(pop3test.StageQUIT, c.Quit(ctx))
		return r
	}
	_, err = c.List(ctx)
	if !step(pop3test.StageLIST, err) {
		return r
	}
	_, err = c.ListOne(ctx, 1)
	if !step(pop3test.StageLISTn, err) {
		return r
	}
	_, err = c.UIDL(ctx)
	if !step(pop3test.StageUIDL, err) {
		return r
	}
	data, cmdErr, readErr := readAll(c.Retr(ctx, 1))
	if cmdErr == nil {
		r.retr, r.retrErr = data, readErr
	}
	if !step(pop3test.StageRETR, errors.Join(cmdErr, readErr)) {
		return r
	}
	data, cmdErr, readErr = readAll(c.Top(ctx, 1, 0))
	r.top = data
	if !step(pop3test.StageTOP, errors.Join(cmdErr, readErr)) {
		return r
	}
	if !step(pop3test.StageDELE, c.Dele(ctx, 1)) {
		return r
	}
	step(pop3test.StageQUIT, c.Quit(ctx))
	return r
}

// flowStages lists the stages of a flow in order.
func flowStages(f pop3test.Flow) []pop3test.Stage {
	switch f {
	case pop3test.FlowFetch:
		return []pop3test.Stage{pop3test.StageGreeting, pop3test.StageLogin, pop3test.StageSTAT, pop3test.StageRETR, pop3test.StageQUIT}
	case pop3test.FlowSASL:
		return []pop3test.Stage{pop3test.StageGreeting, pop3test.StageAUTH, pop3test.StageSTAT, pop3test.StageLIST, pop3test.StageLISTn,
			pop3test.StageUIDL, pop3test.StageRETR, pop3test.StageTOP, pop3test.StageDELE, pop3test.StageQUIT}
	case pop3test.FlowSTLS:
		return []pop3test.Stage{pop3test.StageSTLS, pop3test.StageLogin, pop3test.StageSTAT, pop3test.StageLIST, pop3test.StageLISTn,
			pop3test.StageUIDL, pop3test.StageRETR, pop3test.StageTOP, pop3test.StageDELE, pop3test.StageQUIT}
	}
	return []pop3test.Stage{pop3test.StageGreeting, pop3test.StageLogin, pop3test.StageSTAT, pop3test.StageLIST, pop3test.StageLISTn,
		pop3test.StageUIDL, pop3test.StageRETR, pop3test.StageTOP, pop3test.StageDELE, pop3test.StageQUIT}
}

// expectedFailStage is where the flow must fail for hc: its stage, or the
// next one of the flow with FailsNext.
func expectedFailStage(hc pop3test.HostileCase) pop3test.Stage {
	if !hc.FailsNext {
		return hc.Stage
	}
	st := flowStages(hc.Flow)
	for i, s := range st {
		if s == hc.Stage && i+1 < len(st) {
			return st[i+1]
		}
	}
	return hc.Stage
}

func TestHostileGo(t *testing.T) {
	for _, hc := range pop3test.HostileCases() {
		t.Run(hc.Name, func(t *testing.T) {
			t.Parallel()
			addr, stop, err := hc.Start()
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			done := make(chan flowResult, 1)
			go func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("panic in the client flow: %v", p)
						done <- flowResult{err: fmt.Errorf("panic")}
					}
				}()
				done <- runFlow(ctx, hc, addr)
			}()
			var r flowResult
			select {
			case r = <-done:
			case <-time.After(hostileBound):
				stop()
				t.Fatalf("hang: the flow did not finish within %v", hostileBound)
			}
			elapsed := time.Since(start)
			if serr := stop(); serr != nil {
				t.Errorf("server: %v", serr)
			}
			checkHostileResult(t, hc, r, elapsed)
		})
	}
}

func checkHostileResult(t *testing.T, hc pop3test.HostileCase, r flowResult, elapsed time.Duration) {
	t.Helper()
	got := outcomeOf(r.err)
	if hc.Outcome == pop3test.OutcomeOK {
		if r.err != nil {
			t.Errorf("want success, got %v at %s: %v", got, r.stage, r.err)
		}
	} else {
		want := expectedFailStage(hc)
		if r.err == nil {
			t.Errorf("BUG: want %v at %s, but the whole flow succeeded (stages %v): something was reported wrongly", hc.Outcome, want, r.stages)
		} else {
			if got != hc.Outcome {
				t.Errorf("want %v, got %v (%T) at %s: %v", hc.Outcome, got, r.err, r.stage, r.err)
			}
			if r.stage != want {
				t.Errorf("want the failure at %s, got it at %s: %v", want, r.stage, r.err)
			}
		}
	}
	if hc.Code != "" {
		var re *ResponseError
		if !errors.As(r.err, &re) || re.Code != hc.Code {
			t.Errorf("want RESP-CODE %q, got %v", hc.Code, r.err)
		}
	}
	if hc.Outcome == pop3test.OutcomeTimeout && (elapsed < hostileReplyTimeout || elapsed > hostileReplyTimeout+2*time.Second) {
		t.Errorf("timeout after %v, want about the reply timeout %v", elapsed, hostileReplyTimeout)
	}
	// Data: exact whenever RETR (or TOP) reported success, never a
	// truncated success.
	wantData := hc.Data
	if wantData == nil {
		wantData = pop3test.StdMessage
	}
	reachedRETR := r.retr != nil && r.retrErr == nil && (r.stage != pop3test.StageRETR || r.err == nil)
	if reachedRETR && string(r.retr) != string(wantData) {
		t.Errorf("RETR delivered %d bytes %s, want %d bytes %s", len(r.retr), clipQ(r.retr), len(wantData), clipQ(wantData))
	}
	if hc.Outcome == pop3test.OutcomeOK && hc.Stage == pop3test.StageRETR && !reachedRETR {
		t.Errorf("RETR data was not delivered")
	}
	wantTop := hc.TopData
	if wantTop == nil {
		wantTop = pop3test.StdTop
	}
	if r.top != nil && r.stage != pop3test.StageTOP && string(r.top) != string(wantTop) {
		t.Errorf("TOP delivered %s, want %s", clipQ(r.top), clipQ(wantTop))
	}
}

func clipQ(b []byte) string {
	if len(b) > 80 {
		return fmt.Sprintf("%q...", b[:80])
	}
	return fmt.Sprintf("%q", b)
}

// cStatusOf is the NetX status the C API gives for an outcome, per
// capi/status.go.
func cStatusOf(hc pop3test.HostileCase) string {
	if hc.GoOnly != "" {
		return "Go only: " + hc.GoOnly
	}
	switch hc.Outcome {
	case pop3test.OutcomeOK:
		return "0x00 NX_SUCCESS"
	case pop3test.OutcomeServerError, pop3test.OutcomeProtocolError, pop3test.OutcomeTooLong:
		return "0xB4 NX_POP3_SERVER_ERROR_STATUS"
	case pop3test.OutcomeTimeout:
		return "0x29 NX_NO_RESPONSE"
	case pop3test.OutcomeClosed:
		return "0x38 NX_NOT_CONNECTED"
	case pop3test.OutcomeTLS:
		return "0xB9 NX_POP3_TLS_ERROR"
	}
	return "?"
}

// TestHostileTable prints the catalogue as a Markdown table (run with -v).
func TestHostileTable(t *testing.T) {
	cases := pop3test.HostileCases()
	table := pop3test.MarkdownTable(cases, cStatusOf)
	if n := strings.Count(table, "\n"); n < 45+2 {
		t.Errorf("%d cases, want at least 45", n-2)
	}
	t.Logf("%d cases:\n%s", len(cases), table)
}
