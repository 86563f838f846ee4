// Package mailtest runs a real SMTP server (emersion/go-smtp) inside a test
// process: it records every message it accepts, and can be told to refuse
// mail, to test retries. Only tests import it.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted email.
type Message struct {
	From string
	To   []string
	Data []byte
	// Header is the parsed header of Data.
	Header mail.Header
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr string

	mu   sync.Mutex
	msgs []Message
	fail bool
	srv  *smtp.Server
}

// Start runs a server until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go s.srv.Serve(ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the CRM_SMTP_URL for this server.
func (s *Server) URL() string { return "smtp://" + s.Addr + "?starttls=none" }

// Fail makes the server refuse (true) or accept (false) messages.
func (s *Server) Fail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

var errRefused = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: refusing mail as told"}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.s.mu.Lock()
	defer se.s.mu.Unlock()
	if se.s.fail {
		return errRefused
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return errors.New("mailtest: not a message: " + err.Error())
	}
	se.s.mu.Lock()
	defer se.s.mu.Unlock()
	se.s.msgs = append(se.s.msgs, Message{From: se.from, To: se.to, Data: data, Header: m.Header})
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
