package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/qr"
)

// The devices page (PRODUCT.md §10, /app/settings/devices): connect the
// phone's contacts and reminders, or an assistant, without the API — make
// a named app token (shown once, with a copy button, a QR code and an
// iOS/macOS profile), see the DAV and MCP addresses, revoke a token, and
// see or rotate the address that logs email by BCC.

func (s *pages) registerDevices(g fiber.Router) {
	g.Get("/settings/devices", s.handleWebDevices)
	g.Post("/settings/devices/tokens", s.handleWebTokenCreate)
	g.Post("/settings/devices/tokens/:id/revoke", s.handleWebTokenRevoke)
	g.Post("/settings/devices/inbound/rotate", s.handleWebInboundRotate)
}

// webDevices is what the devices page shows.
type webDevices struct {
	Tokens []webDevice
	// New is the token just made, shown this once.
	New *webNewToken
	// DAV, CardDAV, CalDAV and MCP are the addresses to give a client.
	DAV, CardDAV, CalDAV, MCP string
	// Inbound is the BCC address (masked unless just made); "" when
	// inbound mail is off.
	Inbound      string
	InboundShown bool
}

// webNewToken is a token just made, with what connects a device with it.
type webNewToken struct {
	Name, Token string
	// QR is a PNG of the token, as a data URL.
	QR template.URL
	// Profile is the iOS/macOS configuration profile, as a data URL.
	Profile     template.URL
	ProfileName string
	// ClaudeCode is the command that adds Rapport to Claude Code.
	ClaudeCode string
}

func (s *pages) devicesPage(c *fiber.Ctx) (webPage, error) {
	p := s.page(c, "Devices", "devices")
	base := strings.TrimRight(s.BaseURL, "/")
	d := &webDevices{DAV: base + "/", CardDAV: base + dav.BookPath, CalDAV: base + dav.TaskListPath, MCP: base + "/mcp"}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	tokens, err := s.Accounts.Tokens(ctx, u.ID)
	if err != nil {
		return p, err
	}
	loc := u.Location()
	for _, t := range tokens {
		d.Tokens = append(d.Tokens, newWebDevice(t.ID, t.Name, t.CreatedAt, t.LastUsedAt, loc))
	}
	if s.InboundDomain != "" {
		if d.Inbound, d.InboundShown, err = s.Accounts.InboundEmail(ctx, u.ID, s.InboundDomain); err != nil {
			return p, err
		}
	}
	p.DevicesPage = d
	return p, nil
}

// handleWebDevices shows the devices page.
func (s *pages) handleWebDevices(c *fiber.Ctx) error {
	p, err := s.devicesPage(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "devices", p)
}

// handleWebTokenCreate makes a named app token and shows it once.
func (s *pages) handleWebTokenCreate(c *fiber.Ctx) error {
	name := utils.CopyString(strings.TrimSpace(c.FormValue("name")))
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	nt, err := s.Accounts.CreateToken(ctx, u.ID, name)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			p, perr := s.devicesPage(c)
			if perr != nil {
				return perr
			}
			p.Form["name"] = name
			p.showProblem(err, nil)
			p.asSentences()
			if name == "" {
				p.Errors["name"] = "Name the device, such as “iPhone” or “Claude”."
			}
			return s.render(c, fiber.StatusUnprocessableEntity, "devices", p)
		}
		return err
	}
	p, err := s.devicesPage(c)
	if err != nil {
		return err
	}
	png, err := qr.PNG(nt.Token, 320)
	if err != nil {
		return err
	}
	profile, err := mobileconfig(s.BaseURL, u, nt)
	if err != nil {
		return err
	}
	p.DevicesPage.New = &webNewToken{Name: nt.Name, Token: nt.Token,
		QR:          template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Profile:     template.URL("data:application/x-apple-aspen-config;base64," + base64.StdEncoding.EncodeToString(profile)),
		ProfileName: "Rapport " + fileSafe(nt.Name) + ".mobileconfig",
		ClaudeCode:  fmt.Sprintf("claude mcp add --transport http rapport %s --header \"Authorization: Bearer %s\"", p.DevicesPage.MCP, nt.Token)}
	p.Notice = "Made “" + nt.Name + "”. Its token is shown only now."
	return s.render(c, fiber.StatusCreated, "devices", p)
}

// handleWebTokenRevoke revokes one of the user's tokens.
func (s *pages) handleWebTokenRevoke(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.Accounts.DeleteToken(ctx, user(c).ID, c.Params("id")); err != nil {
		return err // another user's token is a 404 page
	}
	return seeNotice(c, "/app/settings/devices", "That token no longer works.")
}

// handleWebInboundRotate makes a new BCC address and shows it in full; the
// old one stops working at once.
func (s *pages) handleWebInboundRotate(c *fiber.Ctx) error {
	if s.InboundDomain == "" {
		return apperr.E(apperr.NotFound, "logging email by BCC is off on this server (no CRM_INBOUND_ADDR)")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	addr, err := s.Accounts.RotateInbound(ctx, user(c).ID, s.InboundDomain)
	if err != nil {
		return err
	}
	p, err := s.devicesPage(c)
	if err != nil {
		return err
	}
	p.DevicesPage.Inbound, p.DevicesPage.InboundShown = addr, true
	p.Notice = "A new BCC address; the old one no longer works."
	return s.render(c, 200, "devices", p)
}

// fileSafe keeps the letters, digits, spaces and dashes of a name.
func fileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, name)
}

// mobileconfig is an iOS/macOS configuration profile with a CardDAV and a
// CalDAV account for the user, signed in with the new token (Apple's
// Configuration Profile Reference: com.apple.carddav.account and
// com.apple.caldav.account).
func mobileconfig(baseURL string, u *accounts.User, nt *accounts.NewToken) ([]byte, error) {
	b, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	host, port, ssl := b.Hostname(), b.Port(), b.Scheme == "https"
	if port == "" {
		port = map[bool]string{true: "443", false: "80"}[ssl]
	}
	esc := func(s string) string {
		var w bytes.Buffer
		xml.EscapeText(&w, []byte(s))
		return w.String()
	}
	boolean := map[bool]string{true: "<true/>", false: "<false/>"}[ssl]
	account := func(kind, typ, principal, what string) string {
		return `<dict>
<key>` + kind + `AccountDescription</key><string>Rapport ` + what + `</string>
<key>` + kind + `HostName</key><string>` + esc(host) + `</string>
<key>` + kind + `Port</key><integer>` + esc(port) + `</integer>
<key>` + kind + `UseSSL</key>` + boolean + `
<key>` + kind + `PrincipalURL</key><string>` + esc(principal) + `</string>
<key>` + kind + `Username</key><string>` + esc(u.Email) + `</string>
<key>` + kind + `Password</key><string>` + esc(nt.Token) + `</string>
<key>PayloadType</key><string>` + typ + `</string>
<key>PayloadIdentifier</key><string>rapport.` + strings.ToLower(kind) + `.` + nt.ID + `</string>
<key>PayloadUUID</key><string>` + uuid() + `</string>
<key>PayloadVersion</key><integer>1</integer>
<key>PayloadDisplayName</key><string>Rapport ` + what + `</string>
</dict>`
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
<key>PayloadContent</key>
<array>
` + account("CardDAV", "com.apple.carddav.account", dav.PrincipalPath, "contacts") + `
` + account("CalDAV", "com.apple.caldav.account", dav.TasksPrincipal, "follow-ups") + `
</array>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadIdentifier</key><string>rapport.` + nt.ID + `</string>
<key>PayloadUUID</key><string>` + uuid() + `</string>
<key>PayloadVersion</key><integer>1</integer>
<key>PayloadDisplayName</key><string>Rapport (` + esc(nt.Name) + `)</string>
<key>PayloadDescription</key><string>Your Rapport contacts in Contacts, your follow-ups in Reminders.</string>
</dict>
</plist>
`), nil
}

// uuid is a random UUID (version 4) for a profile's payloads.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
