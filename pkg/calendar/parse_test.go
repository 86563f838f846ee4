package calendar_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/calendar"
)

const oneEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Gophers\r\nDTSTART:20261124T180000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestParseLimits(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := calendar.Parse(context.Background(), []byte(oneEvent), time.UTC)
		if err != nil || len(got) != 1 || got[0].Summary != "Gophers" {
			t.Fatalf("Parse=%v, %v; want one event Gophers", got, err)
		}
	})
	for name, cal := range map[string]string{
		// go-ical builds parameter values a byte at a time (quadratic).
		"ErrLongParameter":       strings.Replace(oneEvent, "SUMMARY:", "SUMMARY;X-A="+strings.Repeat("a", 1<<20)+":", 1),
		"ErrLongFoldedParameter": strings.Replace(oneEvent, "SUMMARY:", "SUMMARY;X-A="+strings.Repeat("aaaaaaa\r\n ", 4<<10)+":", 1),
		"ErrDeepNesting":         strings.Replace(oneEvent, "BEGIN:VEVENT\r\n", strings.Repeat("BEGIN:X\r\n", 100_000)+"BEGIN:VEVENT\r\n", 1),
		"ErrLongProperty":        strings.Replace(oneEvent, "SUMMARY:", "SUMMARY:"+strings.Repeat("a\r\n ", 1<<20), 1),
		// These make go-ical panic.
		"ErrParamWithoutColon":    strings.Replace(oneEvent, "SUMMARY:Gophers", "SUMMARY;X-A=b", 1),
		"ErrCharAfterQuotedParam": strings.Replace(oneEvent, "DTSTART:", `DTSTART;TZID="a"b:`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := calendar.Parse(context.Background(), []byte(cal), time.UTC); err == nil {
				t.Fatal("Parse accepted it")
			}
		})
	}
	t.Run("ErrDeadline", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := calendar.Parse(ctx, []byte(oneEvent), time.UTC); err != context.Canceled {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
	})
}
