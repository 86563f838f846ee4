package config_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/config"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Run("Defaults", func(t *testing.T) {
		c, err := config.FromEnv(envOf(map[string]string{"CRM_DATA_DIR": dir}))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Addr, "127.0.0.1:8080"; got != want {
			t.Fatalf("Addr=%q, want %q", got, want)
		}
		if got, want := c.BaseURL, "http://127.0.0.1:8080"; got != want {
			t.Fatalf("BaseURL=%q, want %q", got, want)
		}
		if got, want := c.DBName, "crm"; got != want {
			t.Fatalf("DBName=%q, want %q", got, want)
		}
		if c.OpenSignup || c.AllowPrivateURLs {
			t.Fatalf("OpenSignup=%v AllowPrivateURLs=%v, want false", c.OpenSignup, c.AllowPrivateURLs)
		}
	})
	bad := []struct {
		name, setting, value string
	}{
		{"ErrAddr", "CRM_ADDR", "nonsense"},
		{"ErrBaseURL", "CRM_BASE_URL", "ftp://x"},
		{"ErrMCPOrigins", "CRM_MCP_ORIGINS", "https://claude.ai, claude.ai/path"},
		{"ErrTrustedProxies", "CRM_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"},
		{"ErrMongoURI", "MONGODB_URI", "postgres://x"},
		{"ErrDBName", "CRM_DB_NAME", "a/b"},
		{"ErrEmbeddedAddr", "CRM_EMBEDDED_ADDR", "27018"},
		{"ErrSMTPScheme", "CRM_SMTP_URL", "http://mail:25"},
		{"ErrSMTPStartTLS", "CRM_SMTP_URL", "smtp://mail:25?starttls=maybe"},
		{"ErrMailFrom", "CRM_MAIL_FROM", "not an address"},
		{"ErrDispatchSchedule", "CRM_DISPATCH_SCHEDULE", "every minute"},
		{"ErrSyncSchedule", "CRM_SYNC_SCHEDULE", "* * *"},
		{"ErrOpenSignup", "CRM_OPEN_SIGNUP", "yes please"},
		{"ErrAllowPrivate", "CRM_ALLOW_PRIVATE_URLS", "2"},
		{"ErrLogFormat", "CRM_LOG_FORMAT", "xml"},
		{"ErrLogLevel", "CRM_LOG_LEVEL", "loud"},
		{"ErrDataDir", "CRM_DATA_DIR", filepath.Join("/proc", "rapport-cannot-exist")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"CRM_DATA_DIR": dir, tc.setting: tc.value}
			_, err := config.FromEnv(envOf(env))
			var se *config.SettingError
			if !errors.As(err, &se) {
				t.Fatalf("err=%v, want *SettingError", err)
			}
			if got, want := se.Name, tc.setting; got != want {
				t.Fatalf("Name=%q, want %q", got, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
	t.Run("OK_MCPOrigins", func(t *testing.T) {
		c, err := config.FromEnv(envOf(map[string]string{"CRM_DATA_DIR": dir, "CRM_MCP_ORIGINS": " https://Claude.ai/ ,http://localhost:6274"}))
		if err != nil || strings.Join(c.MCPOrigins, " ") != "https://claude.ai http://localhost:6274" {
			t.Fatalf("MCPOrigins=%q, %v", c.MCPOrigins, err)
		}
	})
	t.Run("OK_TrustedProxies", func(t *testing.T) {
		c, err := config.FromEnv(envOf(map[string]string{"CRM_DATA_DIR": dir, "CRM_TRUSTED_PROXIES": " 10.1.2.3/8, 192.0.2.7 ,2001:db8::/32"}))
		if err != nil || fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 192.0.2.7/32 2001:db8::/32]" {
			t.Fatalf("TrustedProxies=%v, %v", c.TrustedProxies, err)
		}
	})
	t.Run("OK_SMTPAndMongo", func(t *testing.T) {
		c, err := config.FromEnv(envOf(map[string]string{
			"MONGODB_URI": "mongodb://db1:27017,db2:27017/?replicaSet=rs0", "CRM_SMTP_URL": "smtps://u:p@mail:465",
			"CRM_OPEN_SIGNUP": "true", "CRM_LOG_LEVEL": "debug", "CRM_DATA_DIR": "/proc/ignored-with-mongo",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if !c.OpenSignup {
			t.Fatalf("OpenSignup=false, want true")
		}
	})
}
