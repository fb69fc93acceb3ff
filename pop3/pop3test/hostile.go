package pop3test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Outcome is what a correct client reports when it meets a hostile server
// behaviour: the class of the first error of its session, or success.
type Outcome int

// Outcomes.
const (
	// OutcomeOK: the session succeeds; message data, when delivered, is
	// exactly the case's Data.
	OutcomeOK Outcome = iota
	// OutcomeServerError: a -ERR reply (the pop3 package's ResponseError).
	OutcomeServerError
	// OutcomeProtocolError: a malformed reply (ProtocolError).
	OutcomeProtocolError
	// OutcomeTimeout: the server stayed silent for the reply timeout.
	OutcomeTimeout
	// OutcomeClosed: the connection ended (closed, reset) before the reply
	// was complete.
	OutcomeClosed
	// OutcomeTLS: TLS was required and could not be had, or the handshake
	// or certificate failed. No credential was sent.
	OutcomeTLS
	// OutcomeTooLong: a server line exceeded the client's line limit.
	OutcomeTooLong
)

var outcomeNames = [...]string{"OK", "ServerError", "ProtocolError", "Timeout", "Closed", "TLS", "TooLong"}

// String returns the outcome's name.
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Stage is the step of a client session where a hostile behaviour bites.
type Stage string

// Stages, in the order of the standard client flow: dial (greeting, or
// STLS), login (APOP with fallback to USER/PASS, or AUTH), STAT, LIST,
// LIST 1, UIDL, RETR 1, TOP 1 0, DELE 1, QUIT.
const (
	StageGreeting Stage = "greeting"
	StageSTLS     Stage = "STLS"
	StageLogin    Stage = "login"
	StageAUTH     Stage = "AUTH"
	StageSTAT     Stage = "STAT"
	StageLIST     Stage = "LIST"
	StageLISTn    Stage = "LIST n"
	StageUIDL     Stage = "UIDL"
	StageRETR     Stage = "RETR"
	StageTOP      Stage = "TOP"
	StageDELE     Stage = "DELE"
	StageQUIT     Stage = "QUIT"
)

// Flow selects the client session a case is meant for.
type Flow int

// Flows.
const (
	// FlowStandard: plain TCP, APOP login falling back to USER/PASS (what
	// NetX does), then STAT, LIST, LIST 1, UIDL, RETR 1, TOP 1 0, DELE 1,
	// QUIT. The C API plays it call for call with its extended services
	// (nxd_pop3_client_create_ex, size_list, uid_list, top_get), and the
	// vendor's calls alone play the subset create, STAT, LIST 1, RETR 1,
	// DELE 1, QUIT.
	FlowStandard Flow = iota
	// FlowSTLS: the client requires STLS (CAPA, STLS, CAPA again), with
	// HostileCase.ClientTLS as its TLS configuration, then the standard
	// flow.
	FlowSTLS
	// FlowImplicitTLS: TLS from the first byte (pop3s).
	FlowImplicitTLS
	// FlowSASL: login with AUTH and HostileCase.Mech (CRAM-MD5 when
	// empty) instead of APOP.
	FlowSASL
	// FlowFetch: login, STAT, then RETR 1 and RETR 2 pipelined (the server
	// advertises PIPELINING) with deletion, then QUIT. Data is the two
	// messages concatenated.
	FlowFetch
)

// HostileCase is one hostile server behaviour and what a correct client
// does about it.
type HostileCase struct {
	Name  string
	Stage Stage
	Flow  Flow
	// Outcome is the expected result of the call at Stage (or, with
	// FailsNext, of the next call of the flow). Earlier calls succeed.
	Outcome Outcome
	// FailsNext: the behaviour cannot be seen at Stage, whose call
	// succeeds; the next command of the flow must fail with Outcome
	// instead of taking stale bytes as its reply.
	FailsNext bool
	// InData: the failure happens inside message data, after a +OK that
	// the call at Stage (RETR, TOP) accepted.
	InData bool
	// Mech is the SASL mechanism of FlowSASL ("PLAIN", "LOGIN",
	// "CRAM-MD5", "XOAUTH2"); empty means CRAM-MD5.
	Mech string
	// Code is the RFC 2449 response code the -ERR carries, if any.
	Code string
	// Data is what a correct client delivers for RETR 1 (or, in
	// FlowFetch, for both messages). Nil means StdMessage.
	Data []byte
	// TopData is what TOP 1 0 delivers. Nil means StdTop.
	TopData []byte
	// GoOnly says why the case cannot run through the C API (empty: it
	// can, through capi/testdata/hostile_flow.c).
	GoOnly string
	// Note explains what the case checks.
	Note string
	// ClientTLS returns the TLS configuration the client must use, for
	// the TLS flows: it trusts the server started last by Start.
	ClientTLS func() *tls.Config
	// ClientCA returns, in PEM, the CA that ClientTLS trusts, for clients
	// that take a CA file (the C API); nil when ClientTLS verifies nothing
	// (InsecureSkipVerify). Like ClientTLS, it serves the server started
	// last by Start.
	ClientCA func() []byte
	// Start starts a server showing the behaviour. stop shuts it down and
	// returns any deviation of the client from the script (a command sent
	// that should not have been, e.g. USER after TLS was refused) or from
	// what must hold afterwards (e.g. nothing deleted).
	Start func() (addr string, stop func() error, err error)
}

// Standard mailbox of the scripted cases: one message, or two in FlowFetch.
var (
	// StdMessage is message 1 as stored.
	StdMessage = []byte("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
	// StdMessage2 is message 2 (FlowFetch only).
	StdMessage2 = []byte("Subject: two\r\n\r\n.dot line\r\n")
	// StdTop is what TOP 1 0 delivers: the header and the blank line.
	StdTop = []byte("From: a@example.com\r\nSubject: hi\r\n\r\n")
	// StdUser and StdPassword are the credentials the flows use.
	StdUser, StdPassword = "mrose", "tanstaaf"
	// StdTimestamp is the APOP timestamp of the standard greeting.
	StdTimestamp = "<1896.697170952@dbc.mtview.ca.us>"
)

func stdGreeting() Step { return SendLine("+OK POP3 server ready " + StdTimestamp) }

// stdAnswers are the replies of a well-behaved server to the flows'
// commands, for Respond.
func stdAnswers() map[string]string {
	n := len(StdMessage)
	return map[string]string{
		"APOP ":         "+OK maildrop locked\r\n",
		"USER ":         "+OK\r\n",
		"PASS ":         "+OK maildrop locked\r\n",
		"CAPA":          "+OK\r\nTOP\r\nUIDL\r\nUSER\r\n.\r\n",
		"STAT":          fmt.Sprintf("+OK 1 %d\r\n", n),
		"LIST":          fmt.Sprintf("+OK 1 messages\r\n1 %d\r\n.\r\n", n),
		"LIST 1":        fmt.Sprintf("+OK 1 %d\r\n", n),
		"UIDL":          "+OK\r\n1 uid-0001\r\n.\r\n",
		"UIDL 1":        "+OK 1 uid-0001\r\n",
		"RETR 1":        fmt.Sprintf("+OK %d octets\r\n", n) + Stuff(StdMessage),
		"TOP 1 0":       "+OK\r\n" + Stuff(StdTop),
		"DELE 1":        "+OK message 1 deleted\r\n",
		"NOOP":          "+OK\r\n",
		"RSET":          "+OK\r\n",
		"QUIT":          "+OK bye\r\n",
		"AUTH CRAM-MD5": "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
		"bXJvc2Ug*":     "+OK\r\n", // the CRAM-MD5 response: base64 of "mrose <hex>"
	}
}

// withAnswers returns stdAnswers with some replaced (an empty value
// removes the key).
func withAnswers(kv ...string) map[string]string {
	m := stdAnswers()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

// stageCommand is the line that starts a stage in the flows.
var stageCommand = map[Stage]string{
	StageLogin: "APOP ",
	StageAUTH:  "AUTH CRAM-MD5",
	StageSTAT:  "STAT",
	StageLIST:  "LIST",
	StageLISTn: "LIST 1",
	StageUIDL:  "UIDL",
	StageRETR:  "RETR 1",
	StageTOP:   "TOP 1 0",
	StageDELE:  "DELE 1",
	StageQUIT:  "QUIT",
}

// scripted returns a Start that runs a Scripted server.
func scripted(steps ...Step) func() (string, func() error, error) {
	return func() (string, func() error, error) {
		s, err := NewScripted(steps...)
		if err != nil {
			return "", nil, err
		}
		return s.Addr(), s.Close, nil
	}
}

// at is the usual shape of a scripted case: the standard greeting, routine
// answers until the command of stage, the hostile steps (which answer that
// command), then routine answers until the client leaves.
func at(stage Stage, hostile ...Step) func() (string, func() error, error) {
	steps := []Step{stdGreeting(), Respond(stageCommand[stage], stdAnswers())}
	steps = append(steps, hostile...)
	steps = append(steps, Respond("", stdAnswers()))
	return scripted(steps...)
}

// atLine is at for a stage started by the client line line.
func atLine(line string, hostile ...Step) func() (string, func() error, error) {
	steps := []Step{stdGreeting(), Respond(line, stdAnswers())}
	steps = append(steps, hostile...)
	steps = append(steps, Respond("", stdAnswers()))
	return scripted(steps...)
}

// faulty is the Start of a case served by a Server with the faults f (see
// served), set up afresh on each call.
func faulty(f Faults, keep bool) func() (string, func() error, error) {
	return func() (string, func() error, error) {
		faults := f
		start, _ := served(Options{Timestamp: StdTimestamp, Faults: &faults}, keep)
		return start()
	}
}

// served returns a Start for a Server holding the standard message, with
// opts, and a check that the mailbox still holds it afterwards when keep.
func served(opts Options, keep bool) (start func() (string, func() error, error), latest func() *Server) {
	var mu sync.Mutex
	var last *Server
	start = func() (string, func() error, error) {
		srv, err := NewServer(opts)
		if err != nil {
			return "", nil, err
		}
		mbox := srv.AddUser(StdUser, StdPassword, StdMessage)
		mu.Lock()
		last = srv
		mu.Unlock()
		stop := func() error {
			srv.Close()
			if n := len(mbox.Messages()); keep && n != 1 {
				return fmt.Errorf("pop3test: mailbox holds %d messages after the session, want 1: a deletion was committed", n)
			}
			return nil
		}
		return srv.Addr(), stop, nil
	}
	latest = func() *Server {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	return start, latest
}

func retrReply(size string, wire string) string { return "+OK " + size + " octets\r\n" + wire }

// HostileCases returns the catalogue of hostile server behaviours. Each
// call returns fresh cases. Scripted servers answer the commands of the
// flows (the Go core's and the C API's) and stray only at the case's
// stage; a command the script does not expect is reported by stop.
func HostileCases() []HostileCase {
	n := len(StdMessage)
	mib := strings.Repeat("a", 1<<20)
	cases := []HostileCase{
		// Greeting.
		{Name: "greeting -ERR", Stage: StageGreeting, Outcome: OutcomeServerError,
			Start: scripted(SendLine("-ERR [SYS/TEMP] too busy"), Drain())},
		{Name: "no greeting then close", Stage: StageGreeting, Outcome: OutcomeClosed,
			Start: scripted(Hangup())},
		{Name: "greeting silence", Stage: StageGreeting, Outcome: OutcomeTimeout,
			Note:  "must end at the reply timeout",
			Start: scripted(Drain())},
		{Name: "greeting without CRLF then close", Stage: StageGreeting, Outcome: OutcomeClosed,
			Start: scripted(Send("+OK ready "+StdTimestamp), Hangup())},
		{Name: "greeting 1 MiB without CRLF", Stage: StageGreeting, Outcome: OutcomeTooLong,
			Start: scripted(Send("+OK "+mib), Hangup())},
		{Name: "greeting neither +OK nor -ERR", Stage: StageGreeting, Outcome: OutcomeProtocolError,
			Start: scripted(SendLine("* OK IMAP4rev1 ready"), Drain())},
		{Name: "greeting +OKAY", Stage: StageGreeting, Outcome: OutcomeProtocolError,
			Note:  "a status indicator must end at a space or the line end",
			Start: scripted(SendLine("+OKAY ready"), Drain())},
		{Name: "whole session one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "pop3test.Server with Faults.WriteChunk 1",
			Start: faulty(Faults{WriteChunk: 1}, false)},

		// Login.
		{Name: "APOP timestamp missing", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "falls back to USER/PASS; an APOP line is a deviation",
			Start: scripted(SendLine("+OK ready"), Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp 10 KB", Stage: StageLogin, Outcome: OutcomeOK,
			Start: scripted(SendLine("+OK ready <"+strings.Repeat("7", 10<<10)+"@host>"), Respond("", stdAnswers()))},
		{Name: "APOP timestamp with CR", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "not a printable msg-id, so no timestamp: USER/PASS; an APOP line is a deviation",
			Start: scripted(SendLine("+OK ready <12\r34@host>"), Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp with 8-bit bytes", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "CVE-2007-1558: APOP only over a printable 7-bit msg-id; USER/PASS instead",
			Start: scripted(SendLine("+OK ready <\x80\xff\x01\x9c@host>"), Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp with a control byte", Stage: StageLogin, Outcome: OutcomeOK,
			Start: scripted(SendLine("+OK ready <12\x0134@host>"), Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp not a msg-id", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "no local part @ domain: no timestamp",
			Start: scripted(SendLine("+OK ready <abc>"), Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP refused, USER/PASS accepted", Stage: StageLogin, Outcome: OutcomeOK,
			Start: at(StageLogin, SendLine("-ERR [AUTH] APOP disabled"), Respond("", stdAnswers()))},
		{Name: "-ERR [IN-USE]", Stage: StageLogin, Outcome: OutcomeServerError, Code: "IN-USE",
			Start: at(StageLogin, SendLine("-ERR [IN-USE] maildrop locked"), Respond("", withAnswers("PASS ", "-ERR [IN-USE] maildrop locked\r\n")))},
		{Name: "-ERR [LOGIN-DELAY]", Stage: StageLogin, Outcome: OutcomeServerError, Code: "LOGIN-DELAY",
			Start: at(StageLogin, SendLine("-ERR [LOGIN-DELAY] wait 900s"), Respond("", withAnswers("PASS ", "-ERR [LOGIN-DELAY] wait 900s\r\n")))},
		{Name: "unknown RESP-CODE on -ERR", Stage: StageLogin, Outcome: OutcomeServerError, Code: "X-WEIRD/THING",
			Start: at(StageLogin, SendLine("-ERR [X-WEIRD/THING] nope"), Respond("", withAnswers("PASS ", "-ERR [X-WEIRD/THING] nope\r\n")))},
		{Name: "unknown RESP-CODE on +OK", Stage: StageLogin, Outcome: OutcomeOK,
			Start: at(StageLogin, SendLine("+OK [X-FUTURE] welcome"))},
		{Name: "login reply cut by close", Stage: StageLogin, Outcome: OutcomeClosed,
			Start: at(StageLogin, Send("+OK mail"), Hangup())},
		{Name: "login answered by reset", Stage: StageLogin, Outcome: OutcomeClosed,
			Start: at(StageLogin, Reset())},
		{Name: "closed right after greeting", Stage: StageLogin, Outcome: OutcomeClosed,
			Note:  "pop3test.Server with Faults.CloseAfterGreeting",
			Start: faulty(Faults{CloseAfterGreeting: true}, true)},

		// STAT.
		{Name: "STAT non-numeric", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, SendLine("+OK many 320"))},
		{Name: "STAT negative", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, SendLine("+OK -1 320"))},
		{Name: "STAT size over 64 bits", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, SendLine("+OK 1 18446744073709551616"))},
		{Name: "STAT count 4294967296", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Note:  "a count no UINT can hold is refused, not wrapped",
			Start: at(StageSTAT, SendLine("+OK 4294967296 320"))},
		{Name: "STAT size missing", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, SendLine("+OK 1"))},
		{Name: "STAT answered multi-line", Stage: StageSTAT, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "the extra lines must not be taken as the next reply",
			Start: at(StageSTAT, Send(fmt.Sprintf("+OK 1 %d\r\n1 %d\r\n.\r\n", n, n)))},
		{Name: "STAT answered twice", Stage: StageSTAT, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "bytes waiting before a command is sent were not asked for",
			Start: at(StageSTAT, Send(fmt.Sprintf("+OK 1 %d\r\n+OK 1 %d\r\n", n, n)))},
		{Name: "STAT silence", Stage: StageSTAT, Outcome: OutcomeTimeout,
			Start: at(StageSTAT, Drain())},
		{Name: "STAT without CRLF then close", Stage: StageSTAT, Outcome: OutcomeClosed,
			Start: at(StageSTAT, Send(fmt.Sprintf("+OK 1 %d", n)), Hangup())},

		// LIST.
		{Name: "LIST size non-numeric", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, Send("+OK\r\n1 big\r\n.\r\n"))},
		{Name: "LIST size negative", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, Send("+OK\r\n1 -5\r\n.\r\n"))},
		{Name: "LIST size over 64 bits", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, Send("+OK\r\n1 99999999999999999999\r\n.\r\n"))},
		{Name: "LIST line missing the size", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, Send(fmt.Sprintf("+OK\r\n1\r\n2 %d\r\n.\r\n", n)))},
		{Name: "LIST cut by close", Stage: StageLIST, Outcome: OutcomeClosed,
			Start: at(StageLIST, Send(fmt.Sprintf("+OK\r\n1 %d\r\n", n)), Hangup())},

		{Name: "LIST message number twice", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, Send(fmt.Sprintf("+OK\r\n1 %d\r\n1 %d\r\n.\r\n", n, n)))},
		{Name: "LIST number above STAT's count", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Note:  "STAT counted 1; the maildrop is locked for the session",
			Start: at(StageLIST, Send(fmt.Sprintf("+OK\r\n1 %d\r\n2 %d\r\n.\r\n", n, n)))},

		// LIST n.
		{Name: "LIST n answered for another index", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, SendLine(fmt.Sprintf("+OK 2 %d", n)))},
		{Name: "LIST n size non-numeric", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, SendLine("+OK 1 big"))},
		{Name: "LIST n size negative", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, SendLine("+OK 1 -24"))},
		{Name: "LIST n size over 64 bits", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, SendLine("+OK 1 99999999999999999999"))},
		{Name: "LIST n -ERR", Stage: StageLISTn, Outcome: OutcomeServerError,
			Start: at(StageLISTn, SendLine("-ERR no such message"))},

		// UIDL.
		{Name: "UIDL id of 10 KB", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1 "+strings.Repeat("u", 10<<10)+"\r\n.\r\n"))},
		{Name: "UIDL line missing the id", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1\r\n.\r\n"))},
		{Name: "UIDL message number twice", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1 uid-0001\r\n1 uid-0002\r\n.\r\n"))},
		{Name: "UIDL number above STAT's count", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1 uid-0001\r\n2 uid-0002\r\n.\r\n"))},
		{Name: "UIDL id with NUL", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Note:  "RFC 1939: 0x21 to 0x7E; cut at the NUL, two ids would be equal in C",
			Start: at(StageUIDL, Send("+OK\r\n1 uid\x00one\r\n.\r\n"))},
		{Name: "UIDL id with a control byte", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1 uid\x1bone\r\n.\r\n"))},
		{Name: "UIDL id with 8-bit bytes", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, Send("+OK\r\n1 uid-caf\xc3\xa9\r\n.\r\n"))},

		// RETR.
		{Name: "RETR cut by close", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage[:20]))), Hangup())},
		{Name: "RETR cut by reset", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage[:20]))), Sleep(50*time.Millisecond), Reset())},
		{Name: "RETR cut after the last CRLF", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Note:  "data ending in CRLF without the . line is not a message",
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage))), Hangup())},
		{Name: "RETR cut after the terminator's dot", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage)+".")), Hangup())},
		{Name: "RETR silence mid-message", Stage: StageRETR, Outcome: OutcomeTimeout, InData: true,
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage[:20]))), Drain())},
		{Name: "RETR terminator one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(n), string(StdMessage[:len(StdMessage)-2]))), SendChunks("\r\n.\r\n", 1, 2*time.Millisecond))},
		{Name: "RETR whole reply one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, SendChunks(retrReply(fmt.Sprint(n), Stuff(StdMessage)), 1, time.Millisecond))},
		{Name: "RETR dot-stuffed lines", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "a line that is exactly . (sent ..), lines starting .. (sent ...)",
			Data:  []byte(".\r\n..x\r\n.\r\nend\r\n..\r\n"),
			Start: at(StageRETR, Send(retrReply("20", "..\r\n...x\r\n..\r\nend\r\n...\r\n.\r\n")))},
		{Name: "RETR bare LF line ends", Stage: StageRETR, Outcome: OutcomeOK,
			Note: "a server whose greeting ends in a bare LF frames with LF: data kept as sent, the .LF terminator accepted",
			Data: []byte("Subject: lf\n\n.x\nbody\n"),
			Start: scripted(Send("+OK POP3 server ready "+StdTimestamp+"\n"), Respond("RETR 1", stdAnswers()),
				Send(retrReply("21", "Subject: lf\n\n..x\nbody\n.\n")), Respond("", stdAnswers()))},
		{Name: "RETR bare LF then a dot in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "a CRLF server's bare LF is data: the dot after it is not unstuffed",
			Data:  []byte("x\n.y\r\n"),
			Start: at(StageRETR, Send(retrReply("6", "x\n.y\r\n.\r\n")))},
		{Name: "RETR bare LF then .CRLF in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "not a terminator: the message is delivered whole, not cut short with success",
			Data:  []byte("x\n.\r\nrest\r\n"),
			Start: at(StageRETR, Send(retrReply("11", "x\n.\r\nrest\r\n.\r\n")))},
		{Name: "RETR bare LF then .LF in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte("x\n.\nrest\r\n"),
			Start: at(StageRETR, Send(retrReply("10", "x\n.\nrest\r\n.\r\n")))},
		{Name: "LIST line ended by a bare LF from a CRLF server", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Note:  "where its lines end is unknown",
			Start: at(StageLIST, Send(fmt.Sprintf("+OK\r\n1 %d\n.\r\n", n)))},
		{Name: "RETR NUL and 8-bit bytes", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte("a\x00b\r\n\xff\xfe\x80\x00\r\n\x00.\r\n"),
			Start: at(StageRETR, Send(retrReply("15", "a\x00b\r\n\xff\xfe\x80\x00\r\n\x00.\r\n.\r\n")))},
		{Name: "RETR size smaller than data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "the +OK size is a claim; the data is delivered as sent",
			Start: at(StageRETR, Send(retrReply("5", Stuff(StdMessage))))},
		{Name: "RETR size larger than data", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, Send(retrReply("99999", Stuff(StdMessage))))},
		{Name: "RETR size over 64 bits", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, Send(retrReply("99999999999999999999", Stuff(StdMessage))))},
		{Name: "RETR line of 1 MiB", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "message lines of any length stream through",
			Data:  []byte(mib + "\r\n"),
			Start: at(StageRETR, Send(retrReply(fmt.Sprint(len(mib)+2), Stuff([]byte(mib+"\r\n")))))},
		{Name: "RETR empty message", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte{},
			Start: at(StageRETR, Send(retrReply("0", ".\r\n")))},
		{Name: "RETR -ERR then the message anyway", Stage: StageRETR, Outcome: OutcomeServerError,
			Start: at(StageRETR, Send("-ERR no such message\r\n"+Stuff(StdMessage)))},
		{Name: "RETR reply 1 MiB without CRLF", Stage: StageRETR, Outcome: OutcomeTooLong,
			Start: at(StageRETR, Send("+OK "+mib), Hangup())},

		// TOP.
		{Name: "TOP cut by close", Stage: StageTOP, Outcome: OutcomeClosed, InData: true,
			Start: at(StageTOP, Send("+OK\r\nFrom: a@"), Hangup())},
		{Name: "TOP -ERR", Stage: StageTOP, Outcome: OutcomeServerError,
			Start: at(StageTOP, SendLine("-ERR TOP not supported"))},

		// DELE.
		{Name: "DELE -ERR [SYS/TEMP]", Stage: StageDELE, Outcome: OutcomeServerError, Code: "SYS/TEMP",
			Start: at(StageDELE, SendLine("-ERR [SYS/TEMP] try later"))},
		{Name: "DELE garbage after +OK", Stage: StageDELE, Outcome: OutcomeOK,
			Start: at(StageDELE, SendLine("+OK \x00\xff junk"))},
		{Name: "DELE garbage glued to +OK", Stage: StageDELE, Outcome: OutcomeProtocolError,
			Note:  "+OK must be followed by a space or the line end",
			Start: at(StageDELE, SendLine("+OK\x00\xff junk"))},
		{Name: "DELE answered twice", Stage: StageDELE, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "the stale +OK must not pass for QUIT's: deletions would be reported committed",
			Start: at(StageDELE, Send("+OK deleted\r\n+OK deleted\r\n"), Respond("", withAnswers("QUIT", "+OK bye\r\n")))},

		// QUIT.
		{Name: "QUIT dropped after DELE accepted", Stage: StageQUIT, Outcome: OutcomeClosed,
			Note:  "pop3test.Server with Faults.DropBeforeQuitReply; the message must still be there",
			Start: faulty(Faults{DropBeforeQuitReply: true}, true)},
		{Name: "QUIT not answered, closed", Stage: StageQUIT, Outcome: OutcomeClosed,
			Start: at(StageQUIT, Hangup())},
		{Name: "QUIT -ERR [SYS/PERM]", Stage: StageQUIT, Outcome: OutcomeServerError, Code: "SYS/PERM",
			Start: at(StageQUIT, SendLine("-ERR [SYS/PERM] could not remove messages"))},
		{Name: "data after QUIT +OK", Stage: StageQUIT, Outcome: OutcomeOK,
			Start: at(StageQUIT, Send("+OK bye\r\nEXTRA junk\r\n+OK more\r\n"), Sleep(20*time.Millisecond))},
		{Name: "QUIT silence", Stage: StageQUIT, Outcome: OutcomeTimeout,
			Start: at(StageQUIT, Drain())},

		// Pipelining.
		{Name: "pipelined replies in one segment", Stage: StageRETR, Flow: FlowFetch, Outcome: OutcomeOK,
			Data: append(append([]byte{}, StdMessage...), StdMessage2...),
			Start: scripted(stdGreeting(),
				Respond("RETR 1", withAnswers("CAPA", "+OK\r\nPIPELINING\r\nUIDL\r\n.\r\n", "STAT", fmt.Sprintf("+OK 2 %d\r\n", n+len(StdMessage2)))),
				Expect("RETR 2"),
				Send(retrReply(fmt.Sprint(n), Stuff(StdMessage))+retrReply(fmt.Sprint(len(StdMessage2)), Stuff(StdMessage2))),
				Respond("", withAnswers("DELE 2", "+OK\r\n")))},

		// AUTH.
		{Name: "SASL challenge not base64", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeProtocolError,
			Note:  "the client cancels with *",
			Start: at(StageAUTH, SendLine("+ %%% not base64 %%%"), Expect("*"), SendLine("-ERR cancelled"))},
		{Name: "SASL challenge 1 MiB", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeTooLong,
			Start: at(StageAUTH, Send("+ "+strings.Repeat("QUFB", 1<<18)+"\r\n"), Hangup())},
		{Name: "AUTH -ERR [AUTH]", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeServerError, Code: "AUTH",
			Start: at(StageAUTH, SendLine("-ERR [AUTH] mechanism disabled"))},
		{Name: "CRAM-MD5 second challenge", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeProtocolError,
			Note: "CRAM-MD5 has one challenge: a second is cancelled with *, no second HMAC sent",
			Start: atLine("AUTH CRAM-MD5", SendLine("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
				ExpectPrefix("bXJvc2Ug"), SendLine("+ PDIuMkB4Pg=="), Expect("*"), SendLine("-ERR cancelled"))},
		{Name: "LOGIN second password prompt", Stage: StageAUTH, Flow: FlowSASL, Mech: "LOGIN", Outcome: OutcomeProtocolError,
			Note: "the password is sent once: a second Password: is cancelled with *",
			Start: atLine("AUTH LOGIN bXJvc2U=", SendLine("+ UGFzc3dvcmQ6"), Expect("dGFuc3RhYWY="),
				SendLine("+ UGFzc3dvcmQ6"), Expect("*"), SendLine("-ERR cancelled"))},
		{Name: "PLAIN continuation after the initial response", Stage: StageAUTH, Flow: FlowSASL, Mech: "PLAIN", Outcome: OutcomeProtocolError,
			Note:  "PLAIN has no challenge: the first + is cancelled with *",
			Start: atLine("AUTH PLAIN AG1yb3NlAHRhbnN0YWFm", SendLine("+ "), Expect("*"), SendLine("-ERR cancelled"))},
		{Name: "XOAUTH2 second error challenge", Stage: StageAUTH, Flow: FlowSASL, Mech: "XOAUTH2", Outcome: OutcomeProtocolError,
			Note: "one error challenge, answered with an empty line; a second is cancelled with *",
			Start: atLine("AUTH XOAUTH2 dXNlcj1tcm9zZQFhdXRoPUJlYXJlciB0YW5zdGFhZgEB", SendLine("+ eyJzdGF0dXMiOiI0MDEifQ=="), Expect(""),
				SendLine("+ eyJzdGF0dXMiOiI0MDEifQ=="), Expect("*"), SendLine("-ERR cancelled"))},
	}
	cases = append(cases, tlsCases()...)
	return cases
}

func tlsCases() []HostileCase {
	stls := withAnswers("CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n")
	// The script of a server that must never see a credential: a USER,
	// PASS, AUTH or APOP line is not in its table, so it is a deviation.
	noCreds := func(kv ...string) map[string]string {
		m := map[string]string{"CAPA": "+OK\r\nUSER\r\n.\r\n", "QUIT": "+OK\r\n"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	// One served per case: ClientTLS must find the CA of its own server.
	implicit, lastImplicit := served(Options{ImplicitTLS: true, Timestamp: StdTimestamp}, false)
	stlsBad, lastBad := served(Options{STLS: true, Timestamp: StdTimestamp}, false)
	stlsGood, lastGood := served(Options{STLS: true, Timestamp: StdTimestamp}, false)
	wrongName := func(last func() *Server) func() *tls.Config {
		return func() *tls.Config {
			cfg := last().ClientTLSConfig()
			cfg.ServerName = "mail.example.com"
			return cfg
		}
	}
	caOf := func(last func() *Server) func() []byte {
		return func() []byte { return last().CACertPEM() }
	}
	none := func() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
	return []HostileCase{
		{Name: "STLS +OK with injected replies", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeProtocolError,
			Note: "CVE-2021-22947", ClientTLS: none,
			Start: scripted(stdGreeting(), Respond("STLS", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n")),
				Send("+OK begin TLS\r\n+OK 1 24\r\n+OK maildrop locked\r\n"), Drain())},
		{Name: "STLS +OK then silence", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTimeout,
			ClientTLS: none,
			Start:     scripted(stdGreeting(), Respond("STLS", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n")), SendLine("+OK begin TLS"), Drain())},
		{Name: "STLS missing from CAPA, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			Note: "CVE-2021-22946: no USER, PASS, AUTH or APOP may follow", ClientTLS: none,
			Start: scripted(stdGreeting(), Respond("", noCreds()))},
		{Name: "STLS refused, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			ClientTLS: none,
			Start:     scripted(stdGreeting(), Respond("", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n", "STLS", "-ERR [SYS/TEMP] not now\r\n")))},
		{Name: "CAPA refused, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			ClientTLS: none,
			Start:     scripted(stdGreeting(), Respond("", noCreds("CAPA", "-ERR unknown command\r\n")))},
		{Name: "STLS certificate for another name", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			ClientTLS: wrongName(lastBad), ClientCA: caOf(lastBad), Start: stlsBad},
		{Name: "implicit TLS certificate for another name", Stage: StageGreeting, Flow: FlowImplicitTLS, Outcome: OutcomeTLS,
			ClientTLS: wrongName(lastImplicit), ClientCA: caOf(lastImplicit), Start: implicit},
		{Name: "STLS then the standard session", Stage: StageQUIT, Flow: FlowSTLS, Outcome: OutcomeOK,
			Note:      "control case: STLS with a trusted certificate",
			ClientTLS: func() *tls.Config { return lastGood().ClientTLSConfig() }, ClientCA: caOf(lastGood), Start: stlsGood},
		{Name: "plain server asked for STLS answers the handshake with text", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			ClientTLS: none,
			Note:      "the handshake gets a plain-text reply",
			Start:     scripted(stdGreeting(), Respond("STLS", stls), SendLine("+OK go ahead"), Sleep(100*time.Millisecond), SendLine("-ERR what is this"), Drain())},
	}
}

// MarkdownTable renders cases as a Markdown table "case | stage | expected
// outcome | C status"; cstatus gives the C column of a case.
func MarkdownTable(cases []HostileCase, cstatus func(HostileCase) string) string {
	var b bytes.Buffer
	b.WriteString("| case | stage | expected outcome | C status |\n|---|---|---|---|\n")
	for _, c := range cases {
		stage := string(c.Stage)
		if c.FailsNext {
			stage += " (seen at the next command)"
		}
		if c.InData {
			stage += " (in the data)"
		}
		out := c.Outcome.String()
		if c.Code != "" {
			out += " [" + c.Code + "]"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", strings.ReplaceAll(c.Name, "|", `\|`), stage, out, cstatus(c))
	}
	return b.String()
}
