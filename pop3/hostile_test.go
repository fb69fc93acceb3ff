package pop3

// Hostile servers against the Go core: every case of internal/hostile runs
// the standard client flow (dial, login, STAT, LIST, LIST 1, UIDL, RETR 1,
// TOP 1 0, DELE 1, QUIT, stopping at the first error) and must end, within
// a bound, with the case's outcome at the case's stage, delivering exactly
// the expected bytes when it succeeds. The catalogue, with the C status of
// each outcome, is the README's table (section "Hostile servers, careless
// callers").

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

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/hostile"
)

const (
	hostileReplyTimeout = 300 * time.Millisecond
	hostileBound        = 3 * time.Second
)

// outcomeOf classifies an error of the flow as a hostile.Outcome.
func outcomeOf(err error) hostile.Outcome {
	var (
		re *ResponseError
		pe *ProtocolError
	)
	switch {
	case err == nil:
		return hostile.OutcomeOK
	case errors.Is(err, ErrLineTooLong):
		return hostile.OutcomeTooLong
	case errors.Is(err, ErrTLSRequired), errors.Is(err, ErrTLS):
		return hostile.OutcomeTLS
	case errors.As(err, &re):
		return hostile.OutcomeServerError
	case errors.As(err, &pe):
		return hostile.OutcomeProtocolError
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return hostile.OutcomeTimeout
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed), errors.Is(err, ErrClosed):
		return hostile.OutcomeClosed
	}
	return hostile.Outcome(-1)
}

// flowResult is what the standard flow did.
type flowResult struct {
	stage   hostile.Stage // the stage of the first failure, "" if none
	err     error
	stages  []hostile.Stage // stages that succeeded, in order
	retr    []byte          // RETR data, nil if RETR was not reached
	retrErr error
	top     []byte
}

// runFlow runs the client flow a case is meant for, stopping at the first
// error, and closes the client.
func runFlow(ctx context.Context, hc hostile.Case, run *hostile.Run) (r flowResult) {
	step := func(s hostile.Stage, err error) bool {
		if err != nil {
			r.stage, r.err = s, err
			return false
		}
		r.stages = append(r.stages, s)
		return true
	}
	d := Dialer{Timeout: 2 * time.Second, Options: Options{ReplyTimeout: hostileReplyTimeout}}
	dialStage := hostile.StageGreeting
	switch hc.Flow {
	case hostile.FlowSTLS:
		d.TLS, d.TLSConfig, dialStage = TLSStartTLS, run.ClientTLS, hostile.StageSTLS
	case hostile.FlowImplicitTLS:
		d.TLS, d.TLSConfig = TLSImplicit, run.ClientTLS
	}
	c, err := d.Dial(ctx, run.Addr)
	if !step(dialStage, err) {
		return r
	}
	defer c.Close()

	login := &LoginOptions{Method: AuthAPOP}
	loginStage := hostile.StageLogin
	if hc.Flow == hostile.FlowSASL {
		login.Method, loginStage = AuthCramMD5, hostile.StageAUTH
		if hc.Mech != "" {
			m, err := ParseAuthMethod(strings.ToLower(hc.Mech))
			if !step(loginStage, err) {
				return r
			}
			login.Method = m
		}
	}
	if !step(loginStage, c.Login(ctx, hostile.User, hostile.Password, login)) {
		return r
	}
	_, _, err = c.Stat(ctx)
	if !step(hostile.StageSTAT, err) {
		return r
	}
	readAll := func(m *Message, err error) ([]byte, error, error) {
		if err != nil {
			return nil, err, nil
		}
		data, rerr := io.ReadAll(m)
		return data, nil, rerr
	}
	if hc.Flow == hostile.FlowFetch {
		var got []byte
		err := c.Fetch(ctx, []int{1, 2}, &FetchOptions{Delete: true}, func(m *Message) error {
			data, err := io.ReadAll(m)
			got = append(got, data...)
			return err
		})
		r.retr = got
		if !step(hostile.StageRETR, err) {
			return r
		}
		step(hostile.StageQUIT, c.Quit(ctx))
		return r
	}
	_, err = c.List(ctx)
	if !step(hostile.StageLIST, err) {
		return r
	}
	_, err = c.ListOne(ctx, 1)
	if !step(hostile.StageLISTn, err) {
		return r
	}
	_, err = c.UIDL(ctx)
	if !step(hostile.StageUIDL, err) {
		return r
	}
	data, cmdErr, readErr := readAll(c.Retr(ctx, 1))
	if cmdErr == nil {
		r.retr, r.retrErr = data, readErr
	}
	if !step(hostile.StageRETR, errors.Join(cmdErr, readErr)) {
		return r
	}
	data, cmdErr, readErr = readAll(c.Top(ctx, 1, 0))
	r.top = data
	if !step(hostile.StageTOP, errors.Join(cmdErr, readErr)) {
		return r
	}
	if !step(hostile.StageDELE, c.Dele(ctx, 1)) {
		return r
	}
	step(hostile.StageQUIT, c.Quit(ctx))
	return r
}

// flowStages lists the stages of a flow in order.
func flowStages(f hostile.Flow) []hostile.Stage {
	switch f {
	case hostile.FlowFetch:
		return []hostile.Stage{hostile.StageGreeting, hostile.StageLogin, hostile.StageSTAT, hostile.StageRETR, hostile.StageQUIT}
	case hostile.FlowSASL:
		return []hostile.Stage{hostile.StageGreeting, hostile.StageAUTH, hostile.StageSTAT, hostile.StageLIST, hostile.StageLISTn,
			hostile.StageUIDL, hostile.StageRETR, hostile.StageTOP, hostile.StageDELE, hostile.StageQUIT}
	case hostile.FlowSTLS:
		return []hostile.Stage{hostile.StageSTLS, hostile.StageLogin, hostile.StageSTAT, hostile.StageLIST, hostile.StageLISTn,
			hostile.StageUIDL, hostile.StageRETR, hostile.StageTOP, hostile.StageDELE, hostile.StageQUIT}
	}
	return []hostile.Stage{hostile.StageGreeting, hostile.StageLogin, hostile.StageSTAT, hostile.StageLIST, hostile.StageLISTn,
		hostile.StageUIDL, hostile.StageRETR, hostile.StageTOP, hostile.StageDELE, hostile.StageQUIT}
}

// expectedFailStage is where the flow must fail for hc: its stage, or the
// next one of the flow with FailsNext.
func expectedFailStage(hc hostile.Case) hostile.Stage {
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
	for _, hc := range hostile.Cases() {
		t.Run(hc.Name, func(t *testing.T) {
			t.Parallel()
			run, err := hc.Start()
			require.NoError(t, err, "start")
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
				done <- runFlow(ctx, hc, run)
			}()
			var r flowResult
			select {
			case r = <-done:
			case <-time.After(hostileBound):
				run.Stop()
				t.Fatalf("hang: the flow did not finish within %v", hostileBound)
			}
			elapsed := time.Since(start)
			if serr := run.Stop(); serr != nil {
				t.Errorf("server: %v", serr)
			}
			checkHostileResult(t, hc, r, elapsed)
		})
	}
}

func checkHostileResult(t *testing.T, hc hostile.Case, r flowResult, elapsed time.Duration) {
	t.Helper()
	got := outcomeOf(r.err)
	if hc.Outcome == hostile.OutcomeOK {
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
	if hc.Outcome == hostile.OutcomeTimeout && (elapsed < hostileReplyTimeout || elapsed > hostileReplyTimeout+2*time.Second) {
		t.Errorf("timeout after %v, want about the reply timeout %v", elapsed, hostileReplyTimeout)
	}
	// Data: exact whenever RETR (or TOP) reported success, never a
	// truncated success.
	wantData := hc.Data
	if wantData == nil {
		wantData = []byte(hostile.Message)
	}
	reachedRETR := r.retr != nil && r.retrErr == nil && (r.stage != hostile.StageRETR || r.err == nil)
	if reachedRETR && string(r.retr) != string(wantData) {
		t.Errorf("RETR delivered %d bytes %s, want %d bytes %s", len(r.retr), clipQ(r.retr), len(wantData), clipQ(wantData))
	}
	if hc.Outcome == hostile.OutcomeOK && hc.Stage == hostile.StageRETR && !reachedRETR {
		t.Errorf("RETR data was not delivered")
	}
	wantTop := hc.TopData
	if wantTop == nil {
		wantTop = []byte(hostile.Top)
	}
	if r.top != nil && r.stage != hostile.StageTOP && string(r.top) != string(wantTop) {
		t.Errorf("TOP delivered %s, want %s", clipQ(r.top), clipQ(wantTop))
	}
}

func clipQ(b []byte) string {
	if len(b) > 80 {
		return fmt.Sprintf("%q...", b[:80])
	}
	return fmt.Sprintf("%q", b)
}
