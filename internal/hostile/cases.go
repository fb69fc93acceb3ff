package hostile

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
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
	// Run.ClientTLS as its TLS configuration, then the standard
	// flow.
	FlowSTLS
	// FlowImplicitTLS: TLS from the first byte (pop3s).
	FlowImplicitTLS
	// FlowSASL: login with AUTH and Case.Mech (CRAM-MD5 when
	// empty) instead of APOP.
	FlowSASL
	// FlowFetch: login, STAT, then RETR 1 and RETR 2 pipelined (the server
	// advertises PIPELINING) with deletion, then QUIT. Data is the two
	// messages concatenated.
	FlowFetch
)

// Case is one hostile server behaviour and what a correct client
// does about it.
type Case struct {
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
	// FlowFetch, for both messages). Nil means Message (Message and
	// Message2 in FlowFetch).
	Data []byte
	// TopData is what TOP 1 0 delivers. Nil means Top.
	TopData []byte
	// GoOnly says why the case cannot run through the C API (empty: it
	// can, through capi/testdata/hostile_flow.c).
	GoOnly string
	// Note explains what the case checks.
	Note string
	// Start starts a server showing the behaviour, for one run of the
	// case: each call starts a server of its own, so runs may go in
	// parallel.
	Start func() (*Run, error)
}

// Run is one server started for a case: where it listens, how a client
// reaches it, and how to stop it.
type Run struct {
	// Addr is the server's address, host:port.
	Addr string
	// ClientTLS is the TLS configuration the client must use in the TLS
	// flows (it trusts this run's server), nil in the others.
	ClientTLS *tls.Config
	// ClientCA is, in PEM, the CA that ClientTLS trusts, for clients that
	// take a CA file (the C API); nil when ClientTLS verifies nothing.
	ClientCA []byte
	// Stop shuts the server down and returns any deviation of the client
	// from the script (a command sent that should not have been, e.g. USER
	// after TLS was refused) or from what must hold afterwards (e.g.
	// nothing deleted).
	Stop func() error
}

// Standard mailbox of the scripted cases: one message, or two in FlowFetch.
const (
	// Message is message 1 as stored.
	Message = "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
	// Message2 is message 2 (FlowFetch only).
	Message2 = "Subject: two\r\n\r\n.dot line\r\n"
	// Top is what TOP 1 0 delivers: the header and the blank line.
	Top = "From: a@example.com\r\nSubject: hi\r\n\r\n"
	// User and Password are the credentials the flows use.
	User, Password = "mrose", "tanstaaf"
	// Timestamp is the APOP timestamp of the standard greeting.
	Timestamp = "<1896.697170952@dbc.mtview.ca.us>"
)

func stdGreeting() pop3test.Step { return pop3test.SendLine("+OK POP3 server ready " + Timestamp) }

// stdAnswers are the replies of a well-behaved server to the flows'
// commands, for Respond.
func stdAnswers() map[string]string {
	n := len(Message)
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
		"RETR 1":        fmt.Sprintf("+OK %d octets\r\n", n) + pop3test.Stuff([]byte(Message)),
		"TOP 1 0":       "+OK\r\n" + pop3test.Stuff([]byte(Top)),
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
func scripted(steps ...pop3test.Step) func() (*Run, error) {
	return func() (*Run, error) {
		s, err := pop3test.NewScripted(steps...)
		if err != nil {
			return nil, err
		}
		return &Run{Addr: s.Addr(), Stop: s.Close}, nil
	}
}

// at is the usual shape of a scripted case: the standard greeting, routine
// answers until the command of stage, the hostile steps (which answer that
// command), then routine answers until the client leaves.
func at(stage Stage, hostile ...pop3test.Step) func() (*Run, error) {
	return atLine(stageCommand[stage], hostile...)
}

// atLine is at for a stage started by the client line line.
func atLine(line string, hostile ...pop3test.Step) func() (*Run, error) {
	steps := []pop3test.Step{stdGreeting(), pop3test.Respond(line, stdAnswers())}
	steps = append(steps, hostile...)
	steps = append(steps, pop3test.Respond("", stdAnswers()))
	return scripted(steps...)
}

// insecure is the client TLS configuration of the scripted TLS cases,
// whose servers never get as far as a certificate.
func insecure(start func() (*Run, error)) func() (*Run, error) {
	return func() (*Run, error) {
		r, err := start()
		if err == nil {
			r.ClientTLS = &tls.Config{InsecureSkipVerify: true}
		}
		return r, err
	}
}

// faulty is the Start of a case served by a Server with the faults f (see
// served), set up afresh on each call.
func faulty(f pop3test.Faults, keep bool) func() (*Run, error) {
	return func() (*Run, error) {
		faults := f
		return served(pop3test.Options{Timestamp: Timestamp, Faults: &faults}, keep, "")()
	}
}

// served returns a Start for a Server holding the standard message, with
// opts, and a check that the mailbox still holds it afterwards when keep.
// The client trusts the server's CA; serverName, when set, is the name it
// verifies instead of the server's.
func served(opts pop3test.Options, keep bool, serverName string) func() (*Run, error) {
	return func() (*Run, error) {
		srv, err := pop3test.NewServer(opts)
		if err != nil {
			return nil, err
		}
		mbox := srv.AddUser(User, Password, []byte(Message))
		stop := func() error {
			srv.Close()
			if n := len(mbox.Messages()); keep && n != 1 {
				return fmt.Errorf("hostile: mailbox holds %d messages after the session, want 1: a deletion was committed", n)
			}
			return nil
		}
		r := &Run{Addr: srv.Addr(), Stop: stop}
		if opts.ImplicitTLS || opts.STLS {
			r.ClientTLS = srv.ClientTLSConfig()
			r.ClientCA = srv.CACertPEM()
			if serverName != "" {
				r.ClientTLS.ServerName = serverName
			}
		}
		return r, nil
	}
}

func retrReply(size string, wire string) string { return "+OK " + size + " octets\r\n" + wire }

// Cases returns the catalogue of hostile server behaviours. Each
// call returns fresh cases. Scripted servers answer the commands of the
// flows (the Go core's and the C API's) and stray only at the case's
// stage; a command the script does not expect is reported by stop.
func Cases() []Case {
	n := len(Message)
	mib := strings.Repeat("a", 1<<20)
	cases := []Case{
		// Greeting.
		{Name: "greeting -ERR", Stage: StageGreeting, Outcome: OutcomeServerError,
			Start: scripted(pop3test.SendLine("-ERR [SYS/TEMP] too busy"), pop3test.Drain())},
		{Name: "no greeting then close", Stage: StageGreeting, Outcome: OutcomeClosed,
			Start: scripted(pop3test.Hangup())},
		{Name: "greeting silence", Stage: StageGreeting, Outcome: OutcomeTimeout,
			Note:  "must end at the reply timeout",
			Start: scripted(pop3test.Drain())},
		{Name: "greeting without CRLF then close", Stage: StageGreeting, Outcome: OutcomeClosed,
			Start: scripted(pop3test.Send("+OK ready "+Timestamp), pop3test.Hangup())},
		{Name: "greeting 1 MiB without CRLF", Stage: StageGreeting, Outcome: OutcomeTooLong,
			Start: scripted(pop3test.Send("+OK "+mib), pop3test.Hangup())},
		{Name: "greeting neither +OK nor -ERR", Stage: StageGreeting, Outcome: OutcomeProtocolError,
			Start: scripted(pop3test.SendLine("* OK IMAP4rev1 ready"), pop3test.Drain())},
		{Name: "greeting +OKAY", Stage: StageGreeting, Outcome: OutcomeProtocolError,
			Note:  "a status indicator must end at a space or the line end",
			Start: scripted(pop3test.SendLine("+OKAY ready"), pop3test.Drain())},
		{Name: "whole session one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "pop3test.Server with Faults.WriteChunk 1",
			Start: faulty(pop3test.Faults{WriteChunk: 1}, false)},

		// Login.
		{Name: "APOP timestamp missing", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "falls back to USER/PASS; an APOP line is a deviation",
			Start: scripted(pop3test.SendLine("+OK ready"), pop3test.Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp 10 KB", Stage: StageLogin, Outcome: OutcomeOK,
			Start: scripted(pop3test.SendLine("+OK ready <"+strings.Repeat("7", 10<<10)+"@host>"), pop3test.Respond("", stdAnswers()))},
		{Name: "APOP timestamp with CR", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "not a printable msg-id, so no timestamp: USER/PASS; an APOP line is a deviation",
			Start: scripted(pop3test.SendLine("+OK ready <12\r34@host>"), pop3test.Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp with 8-bit bytes", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "CVE-2007-1558: APOP only over a printable 7-bit msg-id; USER/PASS instead",
			Start: scripted(pop3test.SendLine("+OK ready <\x80\xff\x01\x9c@host>"), pop3test.Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp with a control byte", Stage: StageLogin, Outcome: OutcomeOK,
			Start: scripted(pop3test.SendLine("+OK ready <12\x0134@host>"), pop3test.Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP timestamp not a msg-id", Stage: StageLogin, Outcome: OutcomeOK,
			Note:  "no local part @ domain: no timestamp",
			Start: scripted(pop3test.SendLine("+OK ready <abc>"), pop3test.Respond("", withAnswers("APOP ", "")))},
		{Name: "APOP refused, USER/PASS accepted", Stage: StageLogin, Outcome: OutcomeOK,
			Start: at(StageLogin, pop3test.SendLine("-ERR [AUTH] APOP disabled"), pop3test.Respond("", stdAnswers()))},
		{Name: "-ERR [IN-USE]", Stage: StageLogin, Outcome: OutcomeServerError, Code: "IN-USE",
			Start: at(StageLogin, pop3test.SendLine("-ERR [IN-USE] maildrop locked"), pop3test.Respond("", withAnswers("PASS ", "-ERR [IN-USE] maildrop locked\r\n")))},
		{Name: "-ERR [LOGIN-DELAY]", Stage: StageLogin, Outcome: OutcomeServerError, Code: "LOGIN-DELAY",
			Start: at(StageLogin, pop3test.SendLine("-ERR [LOGIN-DELAY] wait 900s"), pop3test.Respond("", withAnswers("PASS ", "-ERR [LOGIN-DELAY] wait 900s\r\n")))},
		{Name: "unknown RESP-CODE on -ERR", Stage: StageLogin, Outcome: OutcomeServerError, Code: "X-WEIRD/THING",
			Start: at(StageLogin, pop3test.SendLine("-ERR [X-WEIRD/THING] nope"), pop3test.Respond("", withAnswers("PASS ", "-ERR [X-WEIRD/THING] nope\r\n")))},
		{Name: "unknown RESP-CODE on +OK", Stage: StageLogin, Outcome: OutcomeOK,
			Start: at(StageLogin, pop3test.SendLine("+OK [X-FUTURE] welcome"))},
		{Name: "login reply cut by close", Stage: StageLogin, Outcome: OutcomeClosed,
			Start: at(StageLogin, pop3test.Send("+OK mail"), pop3test.Hangup())},
		{Name: "login answered by reset", Stage: StageLogin, Outcome: OutcomeClosed,
			Start: at(StageLogin, pop3test.Reset())},
		{Name: "closed right after greeting", Stage: StageLogin, Outcome: OutcomeClosed,
			Note:  "pop3test.Server with Faults.CloseAfterGreeting",
			Start: faulty(pop3test.Faults{CloseAfterGreeting: true}, true)},

		// STAT.
		{Name: "STAT non-numeric", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, pop3test.SendLine("+OK many 320"))},
		{Name: "STAT negative", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, pop3test.SendLine("+OK -1 320"))},
		{Name: "STAT size over 64 bits", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, pop3test.SendLine("+OK 1 18446744073709551616"))},
		{Name: "STAT count 4294967296", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Note:  "a count no UINT can hold is refused, not wrapped",
			Start: at(StageSTAT, pop3test.SendLine("+OK 4294967296 320"))},
		{Name: "STAT size missing", Stage: StageSTAT, Outcome: OutcomeProtocolError,
			Start: at(StageSTAT, pop3test.SendLine("+OK 1"))},
		{Name: "STAT answered multi-line", Stage: StageSTAT, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "the extra lines must not be taken as the next reply",
			Start: at(StageSTAT, pop3test.Send(fmt.Sprintf("+OK 1 %d\r\n1 %d\r\n.\r\n", n, n)))},
		{Name: "STAT answered twice", Stage: StageSTAT, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "bytes waiting before a command is sent were not asked for",
			Start: at(StageSTAT, pop3test.Send(fmt.Sprintf("+OK 1 %d\r\n+OK 1 %d\r\n", n, n)))},
		{Name: "STAT silence", Stage: StageSTAT, Outcome: OutcomeTimeout,
			Start: at(StageSTAT, pop3test.Drain())},
		{Name: "STAT without CRLF then close", Stage: StageSTAT, Outcome: OutcomeClosed,
			Start: at(StageSTAT, pop3test.Send(fmt.Sprintf("+OK 1 %d", n)), pop3test.Hangup())},

		// LIST.
		{Name: "LIST size non-numeric", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, pop3test.Send("+OK\r\n1 big\r\n.\r\n"))},
		{Name: "LIST size negative", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, pop3test.Send("+OK\r\n1 -5\r\n.\r\n"))},
		{Name: "LIST size over 64 bits", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, pop3test.Send("+OK\r\n1 99999999999999999999\r\n.\r\n"))},
		{Name: "LIST line missing the size", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, pop3test.Send(fmt.Sprintf("+OK\r\n1\r\n2 %d\r\n.\r\n", n)))},
		{Name: "LIST cut by close", Stage: StageLIST, Outcome: OutcomeClosed,
			Start: at(StageLIST, pop3test.Send(fmt.Sprintf("+OK\r\n1 %d\r\n", n)), pop3test.Hangup())},

		{Name: "LIST message number twice", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Start: at(StageLIST, pop3test.Send(fmt.Sprintf("+OK\r\n1 %d\r\n1 %d\r\n.\r\n", n, n)))},
		{Name: "LIST number above STAT's count", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Note:  "STAT counted 1; the maildrop is locked for the session",
			Start: at(StageLIST, pop3test.Send(fmt.Sprintf("+OK\r\n1 %d\r\n2 %d\r\n.\r\n", n, n)))},

		// LIST n.
		{Name: "LIST n answered for another index", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, pop3test.SendLine(fmt.Sprintf("+OK 2 %d", n)))},
		{Name: "LIST n size non-numeric", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, pop3test.SendLine("+OK 1 big"))},
		{Name: "LIST n size negative", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, pop3test.SendLine("+OK 1 -24"))},
		{Name: "LIST n size over 64 bits", Stage: StageLISTn, Outcome: OutcomeProtocolError,
			Start: at(StageLISTn, pop3test.SendLine("+OK 1 99999999999999999999"))},
		{Name: "LIST n -ERR", Stage: StageLISTn, Outcome: OutcomeServerError,
			Start: at(StageLISTn, pop3test.SendLine("-ERR no such message"))},

		// UIDL.
		{Name: "UIDL id of 10 KB", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 "+strings.Repeat("u", 10<<10)+"\r\n.\r\n"))},
		{Name: "UIDL line missing the id", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1\r\n.\r\n"))},
		{Name: "UIDL message number twice", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 uid-0001\r\n1 uid-0002\r\n.\r\n"))},
		{Name: "UIDL number above STAT's count", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 uid-0001\r\n2 uid-0002\r\n.\r\n"))},
		{Name: "UIDL id with NUL", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Note:  "RFC 1939: 0x21 to 0x7E; cut at the NUL, two ids would be equal in C",
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 uid\x00one\r\n.\r\n"))},
		{Name: "UIDL id with a control byte", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 uid\x1bone\r\n.\r\n"))},
		{Name: "UIDL id with 8-bit bytes", Stage: StageUIDL, Outcome: OutcomeProtocolError,
			Start: at(StageUIDL, pop3test.Send("+OK\r\n1 uid-caf\xc3\xa9\r\n.\r\n"))},

		// RETR.
		{Name: "RETR cut by close", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message[:20]))), pop3test.Hangup())},
		{Name: "RETR cut by reset", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message[:20]))), pop3test.Sleep(50*time.Millisecond), pop3test.Reset())},
		{Name: "RETR cut after the last CRLF", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Note:  "data ending in CRLF without the . line is not a message",
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message))), pop3test.Hangup())},
		{Name: "RETR cut after the terminator's dot", Stage: StageRETR, Outcome: OutcomeClosed, InData: true,
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message)+".")), pop3test.Hangup())},
		{Name: "RETR silence mid-message", Stage: StageRETR, Outcome: OutcomeTimeout, InData: true,
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message[:20]))), pop3test.Drain())},
		{Name: "RETR terminator one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(n), string(Message[:len(Message)-2]))), pop3test.SendChunks("\r\n.\r\n", 1, 2*time.Millisecond))},
		{Name: "RETR whole reply one byte per write", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, pop3test.SendChunks(retrReply(fmt.Sprint(n), pop3test.Stuff([]byte(Message))), 1, time.Millisecond))},
		{Name: "RETR dot-stuffed lines", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "a line that is exactly . (sent ..), lines starting .. (sent ...)",
			Data:  []byte(".\r\n..x\r\n.\r\nend\r\n..\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply("20", "..\r\n...x\r\n..\r\nend\r\n...\r\n.\r\n")))},
		{Name: "RETR bare LF line ends", Stage: StageRETR, Outcome: OutcomeOK,
			Note: "a server whose greeting ends in a bare LF frames with LF: data kept as sent, the .LF terminator accepted",
			Data: []byte("Subject: lf\n\n.x\nbody\n"),
			Start: scripted(pop3test.Send("+OK POP3 server ready "+Timestamp+"\n"), pop3test.Respond("RETR 1", stdAnswers()),
				pop3test.Send(retrReply("21", "Subject: lf\n\n..x\nbody\n.\n")), pop3test.Respond("", stdAnswers()))},
		{Name: "RETR bare LF then a dot in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "a CRLF server's bare LF is data: the dot after it is not unstuffed",
			Data:  []byte("x\n.y\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply("6", "x\n.y\r\n.\r\n")))},
		{Name: "RETR bare LF then .CRLF in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "not a terminator: the message is delivered whole, not cut short with success",
			Data:  []byte("x\n.\r\nrest\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply("11", "x\n.\r\nrest\r\n.\r\n")))},
		{Name: "RETR bare LF then .LF in CRLF data", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte("x\n.\nrest\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply("10", "x\n.\nrest\r\n.\r\n")))},
		{Name: "LIST line ended by a bare LF from a CRLF server", Stage: StageLIST, Outcome: OutcomeProtocolError,
			Note:  "where its lines end is unknown",
			Start: at(StageLIST, pop3test.Send(fmt.Sprintf("+OK\r\n1 %d\n.\r\n", n)))},
		{Name: "RETR NUL and 8-bit bytes", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte("a\x00b\r\n\xff\xfe\x80\x00\r\n\x00.\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply("15", "a\x00b\r\n\xff\xfe\x80\x00\r\n\x00.\r\n.\r\n")))},
		{Name: "RETR size smaller than data", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "the +OK size is a claim; the data is delivered as sent",
			Start: at(StageRETR, pop3test.Send(retrReply("5", pop3test.Stuff([]byte(Message)))))},
		{Name: "RETR size larger than data", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, pop3test.Send(retrReply("99999", pop3test.Stuff([]byte(Message)))))},
		{Name: "RETR size over 64 bits", Stage: StageRETR, Outcome: OutcomeOK,
			Start: at(StageRETR, pop3test.Send(retrReply("99999999999999999999", pop3test.Stuff([]byte(Message)))))},
		{Name: "RETR line of 1 MiB", Stage: StageRETR, Outcome: OutcomeOK,
			Note:  "message lines of any length stream through",
			Data:  []byte(mib + "\r\n"),
			Start: at(StageRETR, pop3test.Send(retrReply(fmt.Sprint(len(mib)+2), pop3test.Stuff([]byte(mib+"\r\n")))))},
		{Name: "RETR empty message", Stage: StageRETR, Outcome: OutcomeOK,
			Data:  []byte{},
			Start: at(StageRETR, pop3test.Send(retrReply("0", ".\r\n")))},
		{Name: "RETR -ERR then the message anyway", Stage: StageRETR, Outcome: OutcomeServerError,
			Start: at(StageRETR, pop3test.Send("-ERR no such message\r\n"+pop3test.Stuff([]byte(Message))))},
		{Name: "RETR reply 1 MiB without CRLF", Stage: StageRETR, Outcome: OutcomeTooLong,
			Start: at(StageRETR, pop3test.Send("+OK "+mib), pop3test.Hangup())},

		// TOP.
		{Name: "TOP cut by close", Stage: StageTOP, Outcome: OutcomeClosed, InData: true,
			Start: at(StageTOP, pop3test.Send("+OK\r\nFrom: a@"), pop3test.Hangup())},
		{Name: "TOP -ERR", Stage: StageTOP, Outcome: OutcomeServerError,
			Start: at(StageTOP, pop3test.SendLine("-ERR TOP not supported"))},

		// DELE.
		{Name: "DELE -ERR [SYS/TEMP]", Stage: StageDELE, Outcome: OutcomeServerError, Code: "SYS/TEMP",
			Start: at(StageDELE, pop3test.SendLine("-ERR [SYS/TEMP] try later"))},
		{Name: "DELE garbage after +OK", Stage: StageDELE, Outcome: OutcomeOK,
			Start: at(StageDELE, pop3test.SendLine("+OK \x00\xff junk"))},
		{Name: "DELE garbage glued to +OK", Stage: StageDELE, Outcome: OutcomeProtocolError,
			Note:  "+OK must be followed by a space or the line end",
			Start: at(StageDELE, pop3test.SendLine("+OK\x00\xff junk"))},
		{Name: "DELE answered twice", Stage: StageDELE, Outcome: OutcomeProtocolError, FailsNext: true,
			Note:  "the stale +OK must not pass for QUIT's: deletions would be reported committed",
			Start: at(StageDELE, pop3test.Send("+OK deleted\r\n+OK deleted\r\n"), pop3test.Respond("", withAnswers("QUIT", "+OK bye\r\n")))},

		// QUIT.
		{Name: "QUIT dropped after DELE accepted", Stage: StageQUIT, Outcome: OutcomeClosed,
			Note:  "pop3test.Server with Faults.DropBeforeQuitReply; the message must still be there",
			Start: faulty(pop3test.Faults{DropBeforeQuitReply: true}, true)},
		{Name: "QUIT not answered, closed", Stage: StageQUIT, Outcome: OutcomeClosed,
			Start: at(StageQUIT, pop3test.Hangup())},
		{Name: "QUIT -ERR [SYS/PERM]", Stage: StageQUIT, Outcome: OutcomeServerError, Code: "SYS/PERM",
			Start: at(StageQUIT, pop3test.SendLine("-ERR [SYS/PERM] could not remove messages"))},
		{Name: "data after QUIT +OK", Stage: StageQUIT, Outcome: OutcomeOK,
			Start: at(StageQUIT, pop3test.Send("+OK bye\r\nEXTRA junk\r\n+OK more\r\n"), pop3test.Sleep(20*time.Millisecond))},
		{Name: "QUIT silence", Stage: StageQUIT, Outcome: OutcomeTimeout,
			Start: at(StageQUIT, pop3test.Drain())},

		// Pipelining.
		{Name: "pipelined replies in one segment", Stage: StageRETR, Flow: FlowFetch, Outcome: OutcomeOK,
			Data: []byte(Message + Message2),
			Start: scripted(stdGreeting(),
				pop3test.Respond("RETR 1", withAnswers("CAPA", "+OK\r\nPIPELINING\r\nUIDL\r\n.\r\n", "STAT", fmt.Sprintf("+OK 2 %d\r\n", n+len(Message2)))),
				pop3test.Expect("RETR 2"),
				pop3test.Send(retrReply(fmt.Sprint(n), pop3test.Stuff([]byte(Message)))+retrReply(fmt.Sprint(len(Message2)), pop3test.Stuff([]byte(Message2)))),
				pop3test.Respond("", withAnswers("DELE 2", "+OK\r\n")))},

		// AUTH.
		{Name: "SASL challenge not base64", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeProtocolError,
			Note:  "the client cancels with *",
			Start: at(StageAUTH, pop3test.SendLine("+ %%% not base64 %%%"), pop3test.Expect("*"), pop3test.SendLine("-ERR cancelled"))},
		{Name: "SASL challenge 1 MiB", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeTooLong,
			Start: at(StageAUTH, pop3test.Send("+ "+strings.Repeat("QUFB", 1<<18)+"\r\n"), pop3test.Hangup())},
		{Name: "AUTH -ERR [AUTH]", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeServerError, Code: "AUTH",
			Start: at(StageAUTH, pop3test.SendLine("-ERR [AUTH] mechanism disabled"))},
		{Name: "CRAM-MD5 second challenge", Stage: StageAUTH, Flow: FlowSASL, Outcome: OutcomeProtocolError,
			Note: "CRAM-MD5 has one challenge: a second is cancelled with *, no second HMAC sent",
			Start: atLine("AUTH CRAM-MD5", pop3test.SendLine("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
				pop3test.ExpectPrefix("bXJvc2Ug"), pop3test.SendLine("+ PDIuMkB4Pg=="), pop3test.Expect("*"), pop3test.SendLine("-ERR cancelled"))},
		{Name: "LOGIN second password prompt", Stage: StageAUTH, Flow: FlowSASL, Mech: "LOGIN", Outcome: OutcomeProtocolError,
			Note: "the password is sent once: a second Password: is cancelled with *",
			Start: atLine("AUTH LOGIN bXJvc2U=", pop3test.SendLine("+ UGFzc3dvcmQ6"), pop3test.Expect("dGFuc3RhYWY="),
				pop3test.SendLine("+ UGFzc3dvcmQ6"), pop3test.Expect("*"), pop3test.SendLine("-ERR cancelled"))},
		{Name: "PLAIN continuation after the initial response", Stage: StageAUTH, Flow: FlowSASL, Mech: "PLAIN", Outcome: OutcomeProtocolError,
			Note:  "PLAIN has no challenge: the first + is cancelled with *",
			Start: atLine("AUTH PLAIN AG1yb3NlAHRhbnN0YWFm", pop3test.SendLine("+ "), pop3test.Expect("*"), pop3test.SendLine("-ERR cancelled"))},
		{Name: "XOAUTH2 second error challenge", Stage: StageAUTH, Flow: FlowSASL, Mech: "XOAUTH2", Outcome: OutcomeProtocolError,
			Note: "one error challenge, answered with an empty line; a second is cancelled with *",
			Start: atLine("AUTH XOAUTH2 dXNlcj1tcm9zZQFhdXRoPUJlYXJlciB0YW5zdGFhZgEB", pop3test.SendLine("+ eyJzdGF0dXMiOiI0MDEifQ=="), pop3test.Expect(""),
				pop3test.SendLine("+ eyJzdGF0dXMiOiI0MDEifQ=="), pop3test.Expect("*"), pop3test.SendLine("-ERR cancelled"))},
	}
	cases = append(cases, tlsCases()...)
	return cases
}

func tlsCases() []Case {
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
	implicit := pop3test.Options{ImplicitTLS: true, Timestamp: Timestamp}
	stlsOpts := pop3test.Options{STLS: true, Timestamp: Timestamp}
	return []Case{
		{Name: "STLS +OK with injected replies", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeProtocolError,
			Note: "CVE-2021-22947",
			Start: insecure(scripted(stdGreeting(), pop3test.Respond("STLS", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n")),
				pop3test.Send("+OK begin TLS\r\n+OK 1 24\r\n+OK maildrop locked\r\n"), pop3test.Drain()))},
		{Name: "STLS +OK then silence", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTimeout,

			Start: insecure(scripted(stdGreeting(), pop3test.Respond("STLS", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n")), pop3test.SendLine("+OK begin TLS"), pop3test.Drain()))},
		{Name: "STLS missing from CAPA, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			Note:  "CVE-2021-22946: no USER, PASS, AUTH or APOP may follow",
			Start: insecure(scripted(stdGreeting(), pop3test.Respond("", noCreds())))},
		{Name: "STLS refused, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,

			Start: insecure(scripted(stdGreeting(), pop3test.Respond("", noCreds("CAPA", "+OK\r\nSTLS\r\n.\r\n", "STLS", "-ERR [SYS/TEMP] not now\r\n"))))},
		{Name: "CAPA refused, TLS required", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,

			Start: insecure(scripted(stdGreeting(), pop3test.Respond("", noCreds("CAPA", "-ERR unknown command\r\n"))))},
		{Name: "STLS certificate for another name", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,
			Start: served(stlsOpts, false, "mail.example.com")},
		{Name: "implicit TLS certificate for another name", Stage: StageGreeting, Flow: FlowImplicitTLS, Outcome: OutcomeTLS,
			Start: served(implicit, false, "mail.example.com")},
		{Name: "STLS then the standard session", Stage: StageQUIT, Flow: FlowSTLS, Outcome: OutcomeOK,
			Note:  "control case: STLS with a trusted certificate",
			Start: served(stlsOpts, false, "")},
		{Name: "plain server asked for STLS answers the handshake with text", Stage: StageSTLS, Flow: FlowSTLS, Outcome: OutcomeTLS,

			Note:  "the handshake gets a plain-text reply",
			Start: insecure(scripted(stdGreeting(), pop3test.Respond("STLS", stls), pop3test.SendLine("+OK go ahead"), pop3test.Sleep(100*time.Millisecond), pop3test.SendLine("-ERR what is this"), pop3test.Drain()))},
	}
}
