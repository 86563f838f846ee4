// Package inbound logs email sent or forwarded to a user's secret address
// (PRODUCT.md §6): an SMTP listener (emersion/go-smtp) that accepts mail
// only for log+<secret>@<domain> addresses, reads it with a MIME library
// (emersion/go-message) and logs an "email" interaction on every contact
// of that user found in From, To or Cc — and, for a forwarded message, on
// the original sender. It never relays.
package inbound

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode the common non-UTF-8 charsets
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	xhtml "golang.org/x/net/html"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// Limits of the listener.
const (
	// MaxMessage bounds one message (552 above it).
	MaxMessage = 10 << 20
	// maxNotes is how much of the plain text an interaction keeps.
	maxNotes = 2000
	// maxSubject is how much of the subject it keeps: a subject folded
	// over many header lines past the notes' bound (20,000 characters) had
	// the interaction refused, and the message with it.
	maxSubject = 1000
	// perMinute is how many messages one client address may send a minute
	// before it is told to come back later (421).
	perMinute = 60
)

// Deps are what the listener needs from the rest of the process.
type Deps struct {
	Accounts    *accounts.Service
	CRM         *crm.Service
	Idempotency *idempotency.Store
	// Domain is the domain of the inbound addresses.
	Domain string
	Logger *slog.Logger
	Now    func() time.Time
	// TLS, when set, is offered with STARTTLS (see CertFiles).
	TLS *tls.Config
}

// Server is the SMTP listener.
type Server struct {
	Deps
	smtp  *smtp.Server
	flood *ratelimit.Failures
}

// New returns the listener (not yet serving).
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{Deps: d, flood: ratelimit.NewFailures(perMinute, time.Minute, d.Now)}
	s.smtp = smtp.NewServer(backend{s})
	s.smtp.Domain = d.Domain
	s.smtp.MaxMessageBytes = MaxMessage
	s.smtp.MaxRecipients = 50
	s.smtp.ReadTimeout = time.Minute
	s.smtp.WriteTimeout = time.Minute
	s.smtp.ErrorLog = slogLogger{d.Logger}
	s.smtp.TLSConfig = d.TLS
	return s
}

// certCheck is how often CertFiles looks whether the files changed.
var certCheck = time.Minute

// CertFiles is a TLS configuration serving the certificate in certFile and
// keyFile (PEM), read again when either file changes (a renewal needs no
// restart; a renewal that does not load keeps the certificate before it).
func CertFiles(certFile, keyFile string, log *slog.Logger) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	stamp := func() string {
		var b strings.Builder
		for _, f := range []string{certFile, keyFile} {
			if fi, err := os.Stat(f); err == nil {
				fmt.Fprintf(&b, "%d/%d;", fi.ModTime().UnixNano(), fi.Size())
			}
		}
		return b.String()
	}
	seen, checked := stamp(), time.Now()
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(checked) >= certCheck {
			checked = time.Now()
			if now := stamp(); now != seen {
				seen = now
				if next, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
					log.Warn("inbound smtp: the renewed certificate does not load; keeping the one before", "err", err)
				} else {
					cert = next
				}
			}
		}
		return &cert, nil
	}}, nil
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.smtp.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the listener.
func (s *Server) Close() error { return s.smtp.Close() }

type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Warn("inbound smtp", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (l slogLogger) Println(v ...any) {
	l.l.Warn("inbound smtp", "msg", strings.TrimSpace(fmt.Sprintln(v...)))
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	ip := c.Conn().RemoteAddr().String()
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return &session{s: b.s, ip: ip}, nil
}

// noSuchUser is the one answer for any address that is not a user's
// inbound address: no hint whether the secret or the domain was wrong.
var noSuchUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}

type session struct {
	s     *Server
	ip    string
	users []*accounts.User
}

func (se *session) Mail(string, *smtp.MailOptions) error {
	if wait := se.s.flood.Blocked(se.ip); wait > 0 {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages; try again later"}
	}
	se.s.flood.Fail(se.ip) // counts messages, not failures
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, domain, ok := strings.Cut(strings.TrimSpace(to), "@")
	if !ok || !strings.EqualFold(domain, se.s.Domain) {
		return noSuchUser
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	u, err := se.s.Accounts.InboundUser(ctx, local)
	if apperr.Is(err, apperr.NotFound) {
		return noSuchUser
	}
	if err != nil {
		se.s.Logger.Error("inbound: look up recipient", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	for _, have := range se.users {
		if have.ID == u.ID {
			return nil
		}
	}
	se.users = append(se.users, u)
	return nil
}

func (se *session) Data(r io.Reader) error {
	msg, err := Parse(r)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "the message could not be read: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, u := range se.users {
		if err := se.s.log(ctx, u, msg); err != nil {
			if apperr.Is(err, apperr.Invalid) {
				// Sending it again would not change it: refuse for good,
				// so the sender learns now instead of retrying for days.
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "the message could not be logged: " + apperr.PublicOf(err)}
			}
			se.s.Logger.Error("inbound: log message", "user_id", u.ID, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
	}
	return nil
}

func (se *session) Reset()        { se.users = nil }
func (se *session) Logout() error { return nil }

// Message is what logging needs of one email.
type Message struct {
	MessageID string
	Subject   string
	Date      time.Time
	// Addresses are From, To and Cc, then the original sender of a
	// forwarded message: lower-cased, each once.
	Addresses []string
	// Text is the start of the first plain-text part.
	Text string
}

// maxDepth is how deep a message's parts may nest. Mail in the wild nests
// a few levels (mixed, alternative, related); each level costs a reader
// that every byte below it passes through, so without a bound a message of
// nested parts costs time in the square of its size.
const maxDepth = 16

// maxAddresses is how many addresses one message may name: each is looked
// up among the user's contacts (a header of up to 1 MiB holds 40,000).
const maxAddresses = 1000

var (
	// errTooDeep refuses a message whose parts nest deeper than maxDepth.
	errTooDeep = fmt.Errorf("its parts nest deeper than %d levels", maxDepth)
	// errTooMany refuses a message naming more than maxAddresses.
	errTooMany = fmt.Errorf("it names more than %d addresses", maxAddresses)
)

// Parse reads a message: its header, the first text/plain part, and the
// sender of a forwarded message (an attached message/rfc822, or a
// "Forwarded message" block with a From: line in the text). A message
// whose parts nest deeper than maxDepth, or that names more than
// maxAddresses, is refused.
func Parse(r io.Reader) (*Message, error) {
	e, err := message.Read(r)
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, err
	}
	h := mail.Header{Header: e.Header}
	m := &Message{}
	m.MessageID, _ = h.MessageID()
	m.Subject, _ = h.Subject()
	m.Subject = input.CleanText(m.Subject) // mail in the wild: raw 8-bit bytes, NULs, bare CRs
	m.Date, _ = h.Date()
	seen := map[string]bool{}
	add := func(list []*mail.Address) {
		for _, a := range list {
			addr := strings.ToLower(strings.TrimSpace(a.Address))
			if addr != "" && !seen[addr] {
				seen[addr] = true
				m.Addresses = append(m.Addresses, addr)
			}
		}
	}
	for _, field := range []string{"From", "To", "Cc"} {
		list, _ := h.AddressList(field)
		add(list)
	}
	var html []byte // the first text/html part
	err = e.Walk(func(path []int, p *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) {
			return err
		}
		if len(path) > maxDepth {
			return errTooDeep
		}
		ct, _, _ := p.Header.ContentType()
		switch {
		case ct == "message/rfc822":
			if inner, err := mail.CreateReader(p.Body); err == nil {
				list, _ := inner.Header.AddressList("From")
				add(list)
			}
		case (ct == "text/plain" || ct == "") && m.Text == "":
			b, err := io.ReadAll(io.LimitReader(p.Body, 64<<10))
			if err != nil {
				return err
			}
			m.Text = input.CleanText(string(b))
		case ct == "text/html" && html == nil:
			if html, err = io.ReadAll(io.LimitReader(p.Body, maxHTML)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if m.Text == "" && html != nil {
		m.Text = input.CleanText(htmlText(html)) // a message with no text/plain part
	}
	if from := forwardedFrom(m.Text); from != "" && !seen[from] {
		seen[from] = true
		m.Addresses = append(m.Addresses, from)
	}
	if len(m.Addresses) > maxAddresses {
		return nil, errTooMany
	}
	return m, nil
}

// maxHTML bounds the HTML part read of a message with no plain text: its
// text is in the first 256 KiB of any mail a person writes.
const maxHTML = 256 << 10

// htmlText is the text of an HTML part as a reader sees it: tags, scripts
// and styles left out, a line break at each block (p, div, br, li, tr,
// headings, blockquote), entities decoded — what a mail program's
// forwarded header block is, line by line (golang.org/x/net/html's
// tokenizer).
func htmlText(b []byte) string {
	var out strings.Builder
	z := xhtml.NewTokenizer(bytes.NewReader(b))
	skip := 0 // inside script or style
	for {
		switch tt := z.Next(); tt {
		case xhtml.ErrorToken:
			return out.String()
		case xhtml.TextToken:
			if skip == 0 {
				out.WriteString(strings.Join(strings.Fields(string(z.Text())), " "))
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case tag == "script" || tag == "style":
				if tt == xhtml.StartTagToken {
					skip++
				} else if tt == xhtml.EndTagToken && skip > 0 {
					skip--
				}
			case htmlBlocks[tag]:
				out.WriteByte('\n')
			default:
				out.WriteByte(' ')
			}
		}
	}
}

// htmlBlocks are the elements a reader sees as a line of their own.
var htmlBlocks = map[string]bool{"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "hr": true, "table": true, "pre": true}

// forwardedFrom finds the original sender in a forwarded message's text:
// in the block of header lines after a forwarding marker, the From line
// (in the language the mail program wrote it: fromLabels). Gmail writes
// "---------- Weitergeleitete Nachricht ---------" and "Von:", Outlook
// "-----Ursprüngliche Nachricht-----" or a line of underscores and "Von:
// Name [mailto:…]", Apple Mail "Anfang der weitergeleiteten Nachricht:",
// Thunderbird Subject and Date before From; so a marker is a line of
// dashes or underscores or a known phrase (isForwardMarker).
func forwardedFrom(text string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	marked, looked := false, 0 // looked: header lines of the block read so far
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimLeft(sc.Text(), "> "))
		switch {
		case !marked:
			marked = isForwardMarker(line)
		case line == "":
			if looked > 0 {
				marked, looked = false, 0 // the block ended without an address
			}
		default:
			label, value, ok := headerLine(line)
			if !ok || looked == maxForwardHeader {
				marked, looked = isForwardMarker(line), 0
				continue
			}
			looked++
			if !fromLabels[strings.ToLower(label)] {
				continue
			}
			if a, err := netmail.ParseAddress(mailtoForm.ReplaceAllString(value, "<$1>")); err == nil {
				return strings.ToLower(a.Address)
			}
			return "" // a From line without an address (a name alone)
		}
	}
	return ""
}

// maxForwardHeader is how many header lines of a forwarded block are
// looked at for the sender (Thunderbird puts Subject and Date first).
const maxForwardHeader = 6

// forwardPhrases are markers that are not lines of dashes: Apple Mail's,
// in the languages it is most used in, and what dashed markers say.
var forwardPhrases = []string{"forwarded message", "original message", "anfang der weitergeleiteten nachricht",
	"début du message réexpédié", "inicio del mensaje reenviado", "inizio messaggio inoltrato", "begin doorgestuurd bericht"}

// isForwardMarker says whether a line starts a forwarded message: a line
// of five or more dashes or underscores (words between them allowed:
// "-----Ursprüngliche Nachricht-----"), or a known phrase.
func isForwardMarker(line string) bool {
	if strings.HasPrefix(line, "-----") || strings.HasPrefix(line, "_____") {
		return true
	}
	lower := strings.ToLower(line)
	for _, p := range forwardPhrases {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// fromLabels are the From line's label in the languages mail programs
// write a forwarded message's header in, lower-cased.
var fromLabels = map[string]bool{"from": true, "von": true, "de": true, "da": true, "van": true, "från": true, "fra": true, "frå": true,
	"od": true, "от": true, "lähettäjä": true, "feladó": true, "kimden": true, "expéditeur": true, "remetente": true,
	"发件人": true, "寄件者": true, "差出人": true, "보낸 사람": true}

// headerLine reads a line of the form "Label: value" (a label of letters
// and spaces in any language, at most 30 characters; "De :" as French
// writes it).
func headerLine(line string) (label, value string, ok bool) {
	label, value, ok = strings.Cut(line, ":")
	label = strings.TrimSpace(label)
	if !ok || label == "" || utf8.RuneCountInString(label) > 30 {
		return "", "", false
	}
	for _, r := range label {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '.' {
			return "", "", false
		}
	}
	return label, strings.TrimSpace(value), true
}

// mailtoForm is Outlook's "Name [mailto:addr]", written "Name <addr>" to
// be read as an address.
var mailtoForm = regexp.MustCompile(`\[mailto:([^\]\s]+)\]`)

// log records msg for u: an email interaction with each of u's contacts
// among its addresses, once per Message-ID.
func (s *Server) log(ctx context.Context, u *accounts.User, msg *Message) error {
	err := s.once(ctx, u.ID, msg.MessageID, "", func() error { return s.logOnce(ctx, u, msg) })
	if errors.Is(err, errBusy) {
		return nil // the same message is being logged right now
	}
	return err
}

// errBusy is once's answer for a key another delivery holds right now.
var errBusy = apperr.E(apperr.Unavailable, "this message is being logged right now; try again later")

// once runs fn unless the record of messageID (and of part, when given)
// says it ran to its end before for the user; without a Message-ID or an
// idempotency store it just runs. A record another delivery holds right
// now is errBusy.
func (s *Server) once(ctx context.Context, userID, messageID, part string, fn func() error) error {
	if messageID == "" || s.Idempotency == nil {
		return fn()
	}
	key := "mail:" + messageID
	if part != "" {
		key += "|" + part
	}
	rec, err := s.Idempotency.Begin(ctx, userID, key, idempotency.Fingerprint([]byte("inbound-mail")))
	switch {
	case apperr.Is(err, apperr.Conflict):
		return errBusy
	case err != nil || rec != nil:
		return err // rec: it ran before
	}
	if err := fn(); err != nil {
		s.Idempotency.Abort(context.WithoutCancel(ctx), userID, key)
		return err
	}
	s.Idempotency.Finish(context.WithoutCancel(ctx), userID, key, 250, "text/plain", []byte("logged"))
	return nil
}

func (s *Server) logOnce(ctx context.Context, u *accounts.User, msg *Message) error {
	at := msg.Date
	if at.IsZero() || at.After(s.Now()) {
		at = s.Now()
	}
	notes := input.Cut(strings.TrimSpace(msg.Subject), maxSubject)
	if text := strings.TrimSpace(msg.Text); text != "" {
		if utf8.RuneCountInString(text) > maxNotes {
			text = string([]rune(text)[:maxNotes])
		}
		if notes != "" {
			notes += "\n\n"
		}
		notes += text
	}
	logged := map[string]bool{} // a contact named by two of their addresses
	for _, addr := range msg.Addresses {
		if strings.HasSuffix(addr, "@"+strings.ToLower(s.Domain)) {
			continue // our own addresses
		}
		c, err := s.CRM.Contacts.ByEmail(ctx, u.ID, addr)
		if apperr.Is(err, apperr.NotFound) {
			continue // mail does not make contacts
		}
		if err != nil {
			return err
		}
		if logged[c.ID] {
			continue
		}
		logged[c.ID] = true
		in := contacts.InteractionInput{Kind: "email", At: at.UTC().Format(time.RFC3339), Notes: notes}
		if err := s.logOn(ctx, u, c.ID, msg.MessageID, in); err != nil {
			return err
		}
	}
	return nil
}

// logOn logs in on one contact, once per message: with a Message-ID a
// record per contact and message says it is done, so the sender's retry
// of a message that failed part way (a 451) logs only the contacts it had
// not reached — each contact's interactions are written one by one. The
// contact's record held by another delivery right now is a 451 too.
func (s *Server) logOn(ctx context.Context, u *accounts.User, contactID, messageID string, in contacts.InteractionInput) error {
	err := s.once(ctx, u.ID, messageID, contactID, func() error {
		_, err := s.CRM.LogInteraction(ctx, u, contactID, in)
		return err
	})
	if errors.Is(err, errBusy) {
		return apperr.E(apperr.Unavailable, "a contact of this message is being logged right now; try again later")
	}
	return err
}
