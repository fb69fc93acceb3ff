package main

import (
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// Careless C callers, and hostile servers whose effect only C shows:
// testdata/careless.c runs one scenario per test.

const carelessSource = "testdata/careless.c"

// loginAnswers answer the vendor's create (USER/PASS) with success.
var loginAnswers = map[string]string{"USER ": "+OK\r\n", "PASS ": "+OK maildrop locked\r\n"}

func carelessRun(t *testing.T, addr, scenario string, env ...string) string {
	t.Helper()
	bin := ctest.Program(t, ctest.Plain, carelessSource)
	out, err := cRun(t, ctest.Plain, bin, nil, append(env, "POP3_SERVER="+addr), scenario)
	ctest.RequirePassed(t, out, err)
	return out
}

// nx_pop3_client_delete from another thread while a call is blocked: the
// call returns NX_WAIT_ABORTED every time, never NX_NOT_CONNECTED (the
// cancel and the close raced: 4 of 80 before).
func TestCDeleteWhileBlocked(t *testing.T) {
	s := pop3test.StartScripted(t, pop3test.SendLine("+OK ready"), pop3test.Respond("STAT", loginAnswers), pop3test.Drain())
	out := carelessRun(t, s.Addr(), "delete_race", "LOOPS=80")
	assert.Contains(t, out, "aborted 80 not_connected 0 other 0")
}

// A pool whose packets cannot hold the headers: the documented
// NX_POP3_INSUFFICIENT_PACKET_PAYLOAD, not the pool's own status (0x4D).
func TestCSmallPayloadPool(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("mrose", "tanstaaf", []byte("Subject: x\r\n\r\nbody\r\n"))
	carelessRun(t, srv.Addr(), "small_payload")
}

// create on a struct never written: valgrind must find no decision taken
// on its garbage in the library's code.
func TestCCreateUninitialised(t *testing.T) {
	vg := ctest.NeedTool(t, "valgrind")
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("mrose", "tanstaaf", []byte("Subject: x\r\n\r\nbody\r\n"))
	bin := ctest.Program(t, ctest.Plain, carelessSource, "-g")
	// Undefined-value errors on, unlike ctest.ValgrindArgs: the Go
	// runtime's own (stack copying) are told apart below by their frames.
	cmd := exec.Command(vg, "--leak-check=no", "--num-callers=30", bin, "uninit_create")
	cmd.Env = append(cmd.Environ(), "POP3_SERVER="+srv.Addr())
	b, err := cmd.CombinedOutput()
	out := string(b)
	ctest.RequirePassed(t, out, err)
	for _, block := range regexp.MustCompile(`(?m)^==\d+== \S.*(?:\n==\d+==  .*)*`).FindAllString(out, -1) {
		if strings.Contains(block, "uninitialised") &&
			regexp.MustCompile(`main\.(create|failCreate|holdsClient|isLive|lookup|nx_pop3_client_create)|_cgoexp`).MatchString(block) {
			t.Errorf("valgrind: the library decided on the struct's garbage:\n%s", block)
		}
	}
}

// A reply waiting on the socket before DELE is written is no answer to it.
func TestCReplyBeforeCommand(t *testing.T) {
	s := pop3test.StartScripted(t, pop3test.SendLine("+OK ready"), pop3test.Respond("STAT", loginAnswers),
		pop3test.SendLine("+OK 1 10"), pop3test.Sleep(20*time.Millisecond), pop3test.SendLine("+OK message 1 deleted"),
		pop3test.Respond("", map[string]string{}))
	carelessRun(t, s.Addr(), "early")
	require.NoError(t, s.Err(), "no command may follow the stray reply")
}

// The reply to a credential waits nx_pop3_options_auth_reply_timeout, not
// the reply timeout.
func TestCAuthReplyTimeout(t *testing.T) {
	s := pop3test.StartScripted(t, pop3test.SendLine("+OK ready"), pop3test.Expect("USER mrose"), pop3test.SendLine("+OK"),
		pop3test.Expect("PASS tanstaaf"), pop3test.Sleep(600*time.Millisecond), pop3test.SendLine("-ERR [AUTH] wrong password"))
	carelessRun(t, s.Addr(), "auth_delay")
	require.NoError(t, s.Err())
}

// nx_pop3_client_error_text returns the whole text when the buffer holds
// it, and each layer of the text says only what the one below did not.
func TestCErrorText(t *testing.T) {
	t.Run("long -ERR", func(t *testing.T) {
		long := strings.Repeat("wrong password, ", 40) + "end"
		s := pop3test.StartScripted(t, pop3test.SendLine("+OK ready"), pop3test.Respond("PASS ", map[string]string{"USER ": "+OK\r\n"}),
			pop3test.SendLine("-ERR [AUTH] "+long))
		out := carelessRun(t, s.Addr(), "error_text")
		assert.Equal(t, "pop3: PASS: -ERR [AUTH] "+long, extFact(t, out, "text"))
		assert.Equal(t, "255", extFact(t, out, "field"), "the struct's field holds the start")
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		out := carelessRun(t, addr, "error_text")
		assert.Equal(t, "0x38", extFact(t, out, "create"))
		assert.Equal(t, "pop3: connect "+addr+": connection refused", extFact(t, out, "text"))
	})
}
