// Package config reads and validates Rapport's configuration from the
// environment (PRODUCT.md §1). Every setting is checked at start; the first
// bad one is reported in one line that names it.
package config

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/pkg/schedule"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Config is the validated configuration of one server process.
type Config struct {
	Addr         string
	DataDir      string
	MongoURI     string
	DBName       string
	EmbeddedAddr string
	BaseURL      string
	// MCPOrigins are the web origins besides BaseURL's whose pages may call
	// /mcp (CRM_MCP_ORIGINS, comma-separated, e.g. https://claude.ai):
	// a browser's request from any other origin is refused (DNS rebinding).
	MCPOrigins []string
	// TrustedProxies are the addresses (CRM_TRUSTED_PROXIES: IPs or CIDR
	// blocks, comma-separated) whose X-Forwarded-For is believed: behind a
	// proxy every request comes from the proxy, and without it one client's
	// failed sign-ins would be everyone's.
	TrustedProxies []netip.Prefix
	SMTPURL        string
	MailFrom       string
	// InboundAddr is where the SMTP listener for logging email by BCC
	// listens ("" when off); InboundDomain names its addresses' domain.
	InboundAddr   string
	InboundDomain string
	// InboundTLSCert and InboundTLSKey are PEM files of the certificate the
	// listener offers with STARTTLS ("" when it offers none).
	InboundTLSCert, InboundTLSKey string
	DispatchSchedule              string
	SyncSchedule                  string
	OpenSignup                    bool
	AllowPrivateURLs              bool
	LogFormat                     string
	LogLevel                      slog.Level
}

// SettingError says which setting is wrong and why.
type SettingError struct {
	Name   string
	Reason string
}

// Error returns one line naming the setting.
func (e *SettingError) Error() string {
	return fmt.Sprintf("invalid configuration: %s: %s", e.Name, e.Reason)
}

// FromEnv reads the configuration with getenv (os.Getenv in production).
// It returns a *SettingError naming the first bad setting.
func FromEnv(getenv func(string) string) (*Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Addr:             get("CRM_ADDR", "127.0.0.1:8080"),
		DataDir:          get("CRM_DATA_DIR", "./data"),
		MongoURI:         get("MONGODB_URI", ""),
		DBName:           get("CRM_DB_NAME", "crm"),
		EmbeddedAddr:     get("CRM_EMBEDDED_ADDR", ""),
		SMTPURL:          get("CRM_SMTP_URL", ""),
		MailFrom:         get("CRM_MAIL_FROM", "rapport@localhost"),
		InboundAddr:      get("CRM_INBOUND_ADDR", ""),
		DispatchSchedule: get("CRM_DISPATCH_SCHEDULE", "@every 1m"),
		SyncSchedule:     get("CRM_SYNC_SCHEDULE", "@every 30m"),
		LogFormat:        get("CRM_LOG_FORMAT", "text"),
	}
	for _, check := range []func(*Config, func(string, string) string) error{checkWeb, checkStore, checkMail, checkInbound, checkRest} {
		if err := check(c, get); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// bad is the error of a setting.
func bad(name, format string, args ...any) error {
	return &SettingError{Name: name, Reason: fmt.Sprintf(format, args...)}
}

// checkWeb checks the HTTP address, the base URL, the MCP origins and the
// trusted proxies.
func checkWeb(c *Config, get func(string, string) string) error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) {
		return bad("CRM_ADDR", "want host:port, got %q", c.Addr)
	}
	c.BaseURL = strings.TrimRight(get("CRM_BASE_URL", "http://"+hostForURL(c.Addr)), "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("CRM_BASE_URL", "want an http(s) URL, got %q", c.BaseURL)
	}
	for _, o := range strings.Split(get("CRM_MCP_ORIGINS", ""), ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			return bad("CRM_MCP_ORIGINS", "want http(s) origins such as https://claude.ai, got %q", o)
		}
		c.MCPOrigins = append(c.MCPOrigins, strings.ToLower(o))
	}
	for _, p := range strings.Split(get("CRM_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if a, aerr := netip.ParseAddr(p); aerr == nil {
			prefix, err = netip.PrefixFrom(a, a.BitLen()), nil // an address is its own block (a zone dropped)
		}
		if err != nil {
			return bad("CRM_TRUSTED_PROXIES", "want IP addresses or CIDR blocks such as 10.0.0.0/8, got %q", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	return nil
}

// checkStore checks the store settings: MongoDB's URI, else the data
// directory, and the database name.
func checkStore(c *Config, _ func(string, string) string) error {
	if c.MongoURI != "" {
		if err := options.Client().ApplyURI(c.MongoURI).Validate(); err != nil || !strings.HasPrefix(c.MongoURI, "mongodb") {
			return bad("MONGODB_URI", "not a valid mongodb:// or mongodb+srv:// URI")
		}
	} else if err := checkDataDir(c.DataDir); err != nil {
		return bad("CRM_DATA_DIR", "%v", err)
	}
	if !validDBName(c.DBName) {
		return bad("CRM_DB_NAME", "want letters, digits, '_' or '-' (at most 63), got %q", c.DBName)
	}
	if c.EmbeddedAddr != "" {
		// Gone with the embedded FerretDB (issue 13).
		return bad("CRM_EMBEDDED_ADDR", "is no longer used: processes on one host share CRM_DATA_DIR, processes on several hosts share MONGODB_URI")
	}
	return nil
}

// checkMail checks outgoing mail: the SMTP URL and the sender.
func checkMail(c *Config, _ func(string, string) string) error {
	if c.SMTPURL != "" {
		if err := CheckSMTPURL(c.SMTPURL); err != nil {
			return bad("CRM_SMTP_URL", "%v", err)
		}
	}
	a, err := mail.ParseAddress(c.MailFrom)
	if err != nil {
		return bad("CRM_MAIL_FROM", "not an email address: %q", c.MailFrom)
	}
	c.MailFrom = a.Address
	return nil
}

// checkInbound checks the inbound SMTP listener's settings, when it is on.
func checkInbound(c *Config, get func(string, string) string) error {
	if c.InboundAddr == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(c.InboundAddr); err != nil || !validPort(port) {
		return bad("CRM_INBOUND_ADDR", "want host:port, got %q", c.InboundAddr)
	}
	u, _ := url.Parse(c.BaseURL)
	c.InboundDomain = strings.ToLower(get("CRM_INBOUND_DOMAIN", u.Hostname()))
	if _, err := mail.ParseAddress("log@" + c.InboundDomain); err != nil || strings.ContainsAny(c.InboundDomain, "@ ") {
		return bad("CRM_INBOUND_DOMAIN", "not a mail domain: %q", c.InboundDomain)
	}
	c.InboundTLSCert, c.InboundTLSKey = get("CRM_INBOUND_TLS_CERT", ""), get("CRM_INBOUND_TLS_KEY", "")
	switch {
	case c.InboundTLSCert == "" && c.InboundTLSKey != "":
		return bad("CRM_INBOUND_TLS_CERT", "is needed with CRM_INBOUND_TLS_KEY")
	case c.InboundTLSCert != "" && c.InboundTLSKey == "":
		return bad("CRM_INBOUND_TLS_KEY", "is needed with CRM_INBOUND_TLS_CERT")
	case c.InboundTLSCert != "":
		if _, err := tls.LoadX509KeyPair(c.InboundTLSCert, c.InboundTLSKey); err != nil {
			return bad("CRM_INBOUND_TLS_CERT", "%v", err)
		}
	}
	return nil
}

// checkRest checks the schedules, the switches and the logging settings.
func checkRest(c *Config, get func(string, string) string) error {
	if _, err := schedule.Parse(c.DispatchSchedule); err != nil {
		return bad("CRM_DISPATCH_SCHEDULE", "not a cron spec: %v", err)
	}
	if _, err := schedule.Parse(c.SyncSchedule); err != nil {
		return bad("CRM_SYNC_SCHEDULE", "not a cron spec: %v", err)
	}
	var err error
	if c.OpenSignup, err = parseBool(get("CRM_OPEN_SIGNUP", "false")); err != nil {
		return bad("CRM_OPEN_SIGNUP", "%v", err)
	}
	if c.AllowPrivateURLs, err = parseBool(get("CRM_ALLOW_PRIVATE_URLS", "false")); err != nil {
		return bad("CRM_ALLOW_PRIVATE_URLS", "%v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return bad("CRM_LOG_FORMAT", "want text or json, got %q", c.LogFormat)
	}
	if lv := get("CRM_LOG_LEVEL", "info"); c.LogLevel.UnmarshalText([]byte(lv)) != nil {
		return bad("CRM_LOG_LEVEL", "want debug, info, warn or error, got %q", lv)
	}
	return nil
}

// CheckSMTPURL validates an smtp:// or smtps:// URL with a host and an
// optional starttls=required|none query.
func CheckSMTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return fmt.Errorf("want smtp:// or smtps://, got scheme %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("no host")
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return fmt.Errorf("bad port %q", p)
	}
	switch st := u.Query().Get("starttls"); st {
	case "", "required", "none", "opportunistic":
	default:
		return fmt.Errorf("starttls must be required or none, got %q", st)
	}
	return nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("want true or false, got %q", s)
	}
	return b, nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func validDBName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// hostForURL turns a listen address into one a browser can reach:
// an empty or wildcard host becomes localhost.
func hostForURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// checkDataDir makes sure dir exists (creating it) and is writable.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %q: %v", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("%q is not writable: %v", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	if _, err := filepath.Abs(dir); err != nil {
		return err
	}
	return nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
