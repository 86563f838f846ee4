package backup

import (
	"testing"

	"github.com/rapport-crm/rapport/pkg/record"
)

// TestEverySectionHasAReader: a section a backup lists is one a restore
// can read, and a restore reads no section a backup does not list.
func TestEverySectionHasAReader(t *testing.T) {
	for _, sec := range record.BackupSections {
		if readers[sec] == nil {
			t.Errorf("section %q has no reader", sec)
		}
	}
	if len(readers) != len(record.BackupSections) {
		t.Errorf("%d readers for %d sections", len(readers), len(record.BackupSections))
	}
}
