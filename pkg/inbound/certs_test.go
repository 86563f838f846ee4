package inbound

import (
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/pkg/mailtest"
)

// TestCertFilesReload: a renewed certificate is served without a restart;
// a broken renewal keeps the one before.
func TestCertFilesReload(t *testing.T) {
	old := certCheck
	certCheck = 0
	defer func() { certCheck = old }()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	mailtest.WriteCert(t, certFile, keyFile, "first")
	cfg, err := CertFiles(certFile, keyFile, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cn := func() string {
		t.Helper()
		c, err := cfg.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(c.Certificate[0])
		return leaf.Subject.CommonName
	}
	if got := cn(); got != "first" {
		t.Fatalf("served %q", got)
	}
	mailtest.WriteCert(t, certFile, keyFile, "renewed")
	if got := cn(); got != "renewed" {
		t.Fatalf("after the renewal: %q", got)
	}
	os.WriteFile(certFile, []byte("not a certificate"), 0o600)
	if got := cn(); got != "renewed" {
		t.Fatalf("after a broken renewal: %q", got)
	}
}
