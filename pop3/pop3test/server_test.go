package pop3test

import (
	"net"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGreetingDefault(t *testing.T) {
	s := Start(t, Options{})
	_, g1 := connect(t, s)
	_, g2 := connect(t, s)
	assert.Regexp(t, `^\+OK nxpop3 test server ready <\d+\.\d+@pop3test>$`, g1)
	assert.NotEqual(t, g1, g2, "RFC 1939 wants a new timestamp per session")
	assert.Equal(t, 2, s.Sessions())
}

func TestGreetingOptions(t *testing.T) {
	s := Start(t, Options{Greeting: "hello", Timestamp: "<1.2@x>"})
	_, g := connect(t, s)
	assert.Equal(t, "+OK hello <1.2@x>", g)

	s = Start(t, Options{NoTimestamp: true})
	_, g = connect(t, s)
	assert.Equal(t, "+OK "+DefaultGreeting, g)
}

func TestCAPA(t *testing.T) {
	s := Start(t, Options{})
	c, _ := connect(t, s)
	require.Equal(t, "+OK capability list follows", c.Cmd("CAPA"))
	assert.Equal(t, []string{
		"TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE",
		"SASL PLAIN LOGIN CRAM-MD5 XOAUTH2", "IMPLEMENTATION pop3test",
	}, c.Multi())

	s = Start(t, Options{Pipelining: true, STLS: true, DisableUser: true, SASL: []string{"XOAUTH2"}})
	c, _ = connect(t, s)
	require.Equal(t, "+OK capability list follows", c.Cmd("capa"))
	assert.Equal(t, []string{
		"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
		"SASL XOAUTH2", "STLS", "IMPLEMENTATION pop3test",
	}, c.Multi())

	s = Start(t, Options{SASL: []string{}, NoCAPA: true})
	c, _ = connect(t, s)
	assert.Regexp(t, `^-ERR`, c.Cmd("CAPA"))
}

func TestCAPAInTransaction(t *testing.T) {
	s := Start(t, Options{STLS: true, SASL: []string{}})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	require.Equal(t, "+OK capability list follows", c.Cmd("CAPA"))
	assert.Equal(t, []string{"TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "IMPLEMENTATION pop3test"}, c.Multi())
}

func TestBadSASLOption(t *testing.T) {
	_, err := NewServer(Options{SASL: []string{"GSSAPI"}})
	assert.ErrorContains(t, err, "GSSAPI")
}

func TestUserPass(t *testing.T) {
	s := Start(t, Options{})
	s.AddUser("alice", "pass word", []byte("a\r\n"), []byte("bc\r\n"))
	c, _ := connect(t, s)

	assert.Equal(t, "-ERR PASS must follow USER", c.Cmd("PASS pass word"))
	assert.Equal(t, "+OK send PASS", c.Cmd("USER alice"))
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("PASS pass"))
	assert.Equal(t, "-ERR PASS must follow USER", c.Cmd("PASS pass word"), "a failed PASS needs a new USER")
	assert.Equal(t, "+OK send PASS", c.Cmd("USER nobody"), "unknown users are not revealed by USER")
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("PASS pass word"))
	assert.Equal(t, "-ERR command not valid before login", c.Cmd("STAT"))

	assert.Equal(t, "+OK send PASS", c.Cmd("USER alice"))
	assert.Equal(t, "+OK alice's maildrop has 2 messages (7 octets)", c.Cmd("PASS pass word"))
	assert.Equal(t, "+OK 2 7", c.Cmd("STAT"))
	assert.Equal(t, "-ERR already logged in", c.Cmd("USER alice"))
}

func TestDisableUser(t *testing.T) {
	s := Start(t, Options{DisableUser: true})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	assert.Regexp(t, `^-ERR`, c.Cmd("USER u"))
	assert.Regexp(t, `^-ERR`, c.Cmd("PASS p"))
}

func TestAPOPRFC1939Vector(t *testing.T) {
	s := Start(t, Options{Timestamp: "<1896.697170952@dbc.mtview.ca.us>"})
	s.AddUser("mrose", "tanstaaf", []byte("x\r\n"))
	c, g := connect(t, s)
	require.True(t, strings.HasSuffix(g, " <1896.697170952@dbc.mtview.ca.us>"))

	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("APOP mrose C4C9334BAC560ECC979E58001B3E22FB"), "uppercase hex")
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("APOP mrose 00000000000000000000000000000000"))
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("APOP nobody c4c9334bac560ecc979e58001b3e22fb"))
	assert.Regexp(t, `^-ERR`, c.Cmd("APOP mrose"))
	assert.Equal(t, "+OK mrose's maildrop has 1 messages (3 octets)", c.Cmd("APOP mrose c4c9334bac560ecc979e58001b3e22fb"))
	assert.Equal(t, []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb"}, s.Commands()[4:])
}

func TestAPOPGeneratedTimestamp(t *testing.T) {
	s := Start(t, Options{})
	s.AddUser("u", "secret")
	c, g := connect(t, s)
	ts := g[strings.Index(g, "<"):]
	assert.Regexp(t, `^\+OK `, c.Cmd("APOP u "+apopDigest(ts, "secret")))
}

func TestAPOPUnavailable(t *testing.T) {
	for name, opts := range map[string]Options{
		"DisableAPOP": {DisableAPOP: true, Timestamp: "<a@b>"},
		"NoTimestamp": {NoTimestamp: true},
	} {
		t.Run(name, func(t *testing.T) {
			s := Start(t, opts)
			s.AddUser("u", "p")
			c, _ := connect(t, s)
			assert.Equal(t, "-ERR APOP not supported", c.Cmd("APOP u "+apopDigest("<a@b>", "p")))
		})
	}
}

func TestInUse(t *testing.T) {
	s := Start(t, Options{})
	m := s.AddUser("u", "p", []byte("1\r\n"))
	c1, _ := connect(t, s)
	login(t, c1, "u", "p")
	assert.True(t, m.Locked())

	c2, _ := connect(t, s)
	c2.Cmd("USER u")
	assert.Equal(t, "-ERR [IN-USE] mailbox locked", c2.Cmd("PASS p"))
	assert.Equal(t, "-ERR command not valid before login", c2.Cmd("STAT"), "still in AUTHORIZATION")

	assert.Equal(t, "+OK bye", c1.Cmd("QUIT"))
	// The lock is released before the QUIT reply, so this cannot race.
	assert.False(t, m.Locked())
	login(t, c2, "u", "p")
}

func TestUnknownAndLongCommands(t *testing.T) {
	s := Start(t, Options{})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	assert.Equal(t, "-ERR unknown command", c.Cmd("XYZZY"))
	assert.Equal(t, "-ERR empty command", c.Cmd(""))
	assert.Equal(t, "-ERR line too long", c.Cmd("NOOP "+strings.Repeat("x", 506)))
	assert.Equal(t, "-ERR command not valid before login", c.Cmd("NOOP "+strings.Repeat("x", 505)), "510 octets plus CRLF fit")
	assert.Equal(t, "-ERR line too long", c.Cmd("USER "+strings.Repeat("x", 100<<10)), "over the AUTH limit too")
	login(t, c, "u", "p")
	assert.Equal(t, "-ERR unknown command", c.Cmd("XYZZY"))
	assert.Equal(t, "+OK", c.Cmd("NOOP"))
}

func TestBareLF(t *testing.T) {
	s := Start(t, Options{})
	c, _ := connect(t, s)
	_, err := c.NetConn().Write([]byte("NOOP\n"))
	require.NoError(t, err)
	assert.Equal(t, "-ERR command not valid before login", c.Line())
}

func TestCommandsRecorded(t *testing.T) {
	s := Start(t, Options{})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	c.Cmd("QUIT")
	assert.Equal(t, []string{"USER u", "PASS p", "QUIT"}, s.Commands())
}

func TestAddUserTwice(t *testing.T) {
	s := Start(t, Options{})
	m1 := s.AddUser("u", "old", []byte("1\r\n"))
	m2 := s.AddUser("u", "new", []byte("2\r\n"))
	assert.Same(t, m1, m2)
	assert.Same(t, m1, s.Mailbox("u"))
	assert.Nil(t, s.Mailbox("v"))
	assert.Equal(t, "u", m1.Name())
	assert.Equal(t, [][]byte{[]byte("1\r\n"), []byte("2\r\n")}, m1.Messages())
	assert.Equal(t, []string{"uid-1", "uid-2"}, m1.UIDs())
	c, _ := connect(t, s)
	login(t, c, "u", "new")
}

func TestCloseEndsSessions(t *testing.T) {
	s, err := NewServer(Options{})
	require.NoError(t, err)
	m := s.AddUser("u", "p", []byte("1\r\n"))
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	c.Cmd("DELE 1")
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	c.ExpectEOF()
	assert.Len(t, m.Messages(), 1)
	assert.False(t, m.Locked())
	_, err = net.Dial("tcp", s.Addr())
	assert.Error(t, err)
}

func TestIPv6(t *testing.T) {
	s, err := NewServerOn("tcp6", "[::1]:0", Options{})
	if err != nil {
		testenv.IPv6.Unavailable(t, "no IPv6 loopback: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	assert.True(t, strings.HasPrefix(s.Addr(), "[::1]:"))
	_, g := connect(t, s)
	assert.Regexp(t, `^\+OK `, g)
}

func TestLogf(t *testing.T) {
	var lines []string
	logged := make(chan struct{})
	s := Start(t, Options{Logf: func(format string, args ...any) {
		select {
		case <-logged:
		default:
			lines = append(lines, format)
			if len(lines) == 3 {
				close(logged)
			}
		}
	}})
	c, _ := connect(t, s)
	c.Cmd("NOOP")
	<-logged
	assert.Equal(t, []string{"S: %s", "C: %s", "S: %s"}, lines)
}
