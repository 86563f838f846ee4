package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // the icons are PNGs
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// TestAddToHomeScreen: the pages link a web app manifest and an icon for
// iOS; the manifest opens the log form as an app of its own, and each
// icon it names is served at the size it says. iOS's own request for
// /apple-touch-icon.png (a saved page that links none) finds the icon.
func TestAddToHomeScreen(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		r, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, r.StatusCode, err)
		}
		return r, b
	}
	_, login := get("/app/login")
	mustContain(t, string(login), `<link rel="manifest" href="/app/manifest.webmanifest">`, `<link rel="apple-touch-icon" href="/app/static/icon-180.png">`)
	r, body := get("/app/manifest.webmanifest")
	if ct := r.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Fatalf("the manifest's type: %q", ct)
	}
	var m struct {
		Name, Scope, Display string
		StartURL             string `json:"start_url"`
		Icons                []struct{ Src, Sizes, Type string }
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Rapport" || m.StartURL != "/app" || m.Scope != "/app" || m.Display != "standalone" || len(m.Icons) < 2 {
		t.Fatalf("the manifest: %+v", m)
	}
	for _, icon := range m.Icons {
		r, b := get(icon.Src)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, icon.Type) {
			t.Fatalf("%s: served as %q, the manifest says %q", icon.Src, ct, icon.Type)
		}
		if icon.Type != "image/png" {
			continue
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || icon.Sizes != fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) {
			t.Fatalf("%s: %dx%d (%v), the manifest says %s", icon.Src, cfg.Width, cfg.Height, err, icon.Sizes)
		}
	}
	_, b := get("/apple-touch-icon.png") // followed to the icon
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 180 || cfg.Height != 180 {
		t.Fatalf("/apple-touch-icon.png: %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	get("/apple-touch-icon-precomposed.png")
}

// TestInstallableInChromium: Chromium reads the manifest without an
// error and finds nothing that keeps the pages from being installed.
func TestInstallableInChromium(t *testing.T) {
	t.Parallel()
	chromium := tooltest.Need(t, "/usr/bin/chromium")
	s := mustServe(t)
	ctx := phoneBrowser(t, chromium, 390, 844, 60*time.Second)
	var errs []*page.AppManifestError
	var manifest *page.WebAppManifest
	var installability []*page.InstallabilityError
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/login"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) (err error) {
			_, errs, _, manifest, err = page.GetAppManifest().Do(ctx)
			return err
		}),
		chromedp.ActionFunc(func(ctx context.Context) (err error) {
			installability, err = page.GetInstallabilityErrors().Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("Chromium on the manifest: %s (line %d)", e.Message, e.Line)
	}
	if manifest == nil || manifest.Name != "Rapport" {
		t.Fatalf("Chromium read the manifest as %+v", manifest)
	}
	for _, e := range installability {
		var args []string
		for _, a := range e.ErrorArguments {
			args = append(args, a.Name+"="+a.Value)
		}
		t.Errorf("Chromium would not install the pages: %s %v", e.ErrorID, args)
	}
}
