package pop3test

import (
	"strconv"
	"strings"
)

// transaction executes a command in the TRANSACTION state.
func (ss *session) transaction(verb, arg string) bool {
	switch verb {
	case "STAT":
		n, size := ss.stat()
		ss.ok("%d %d", n, size)
	case "LIST":
		ss.list(arg, func(m *message) string { return strconv.Itoa(len(m.data)) })
	case "UIDL":
		ss.list(arg, func(m *message) string { return m.uid })
	case "RETR":
		if _, m := ss.message(arg); m != nil {
			ss.ok("%d octets", len(m.data))
			ss.sendData(m.data)
		}
	case "TOP":
		num, lines, _ := strings.Cut(arg, " ")
		_, m := ss.message(num)
		if m == nil {
			break
		}
		n, err := strconv.Atoi(lines)
		if err != nil || n < 0 || !isDigits(lines) {
			ss.err("usage: TOP msg lines")
			break
		}
		ss.ok("top of message follows")
		ss.sendData(Top(m.data, n))
	case "DELE":
		if i, m := ss.message(arg); m != nil {
			ss.deleted[m] = true
			ss.ok("message %d deleted", i)
		}
	case "RSET":
		clear(ss.deleted)
		n, size := ss.stat()
		ss.ok("maildrop has %d messages (%d octets)", n, size)
	case "USER", "PASS", "APOP", "AUTH", "STLS":
		ss.err("already logged in")
	case "":
		ss.err("empty command")
	default:
		ss.err("unknown command")
	}
	return true
}

// stat counts the messages not marked as deleted.
func (ss *session) stat() (n int, size int64) {
	for _, m := range ss.msgs {
		if !ss.deleted[m] {
			n++
			size += int64(len(m.data))
		}
	}
	return n, size
}

// message resolves a message-number argument, answering -ERR itself when
// there is no such message. Deleted messages count as absent, as RFC 1939
// requires.
func (ss *session) message(arg string) (int, *message) {
	i, err := strconv.Atoi(arg)
	if err != nil || !isDigits(arg) {
		ss.err("invalid message number")
		return 0, nil
	}
	if i < 1 || i > len(ss.msgs) || ss.deleted[ss.msgs[i-1]] {
		ss.err("no such message")
		return 0, nil
	}
	return i, ss.msgs[i-1]
}

// list implements LIST and UIDL, which differ only in the second column.
func (ss *session) list(arg string, col func(*message) string) {
	if arg != "" {
		if i, m := ss.message(arg); m != nil {
			ss.ok("%d %s", i, col(m))
		}
		return
	}
	n, size := ss.stat()
	ss.ok("%d messages (%d octets)", n, size)
	for i, m := range ss.msgs {
		if ss.deleted[m] {
			continue
		}
		ss.w.WriteString(strconv.Itoa(i+1) + " " + col(m) + "\r\n")
	}
	ss.w.WriteString(".\r\n")
}

// isDigits rejects the signs and spaces strconv.Atoi would let through.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
