package web

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The desk's import page (PRODUCT.md §10): upload a LinkedIn CSV, a vCard
// file or a CSV; a preview says how many contacts are new, which merge into
// which, which lines are skipped and why — nothing is written before
// Import; then the result with Undo. The imports are listed, each with
// Undo; a backup downloads and restores from here.
//
// The preview carries the file back in the form (base64), so the server
// keeps nothing between the two steps and any process can take the second.

func (s *pages) registerImports(g fiber.Router) {
	g.Get("/import", s.handleImportPage)
	g.Post("/import", s.handleImportPreview)
	g.Post("/import/confirm", s.handleImportConfirm)
	g.Post("/imports/:id/undo", s.handleImportUndo)
	g.Get("/backup.json", s.handleBackupDownload)
	g.Get("/export/contacts.csv", s.handleContactsCSV)
	g.Get("/export/contacts.vcf", s.handleContactsVCard)
	g.Post("/backup/restore", s.handleBackupRestore)
}

// importsPage is how many imports the list shows at once.
const importsPage = 20

// importTimeout bounds reading and writing one file.
const importTimeout = 2 * time.Minute

// importView is the import page.
type importView struct {
	Imports []importRow
	// NextImports is the cursor of the older imports, if any.
	NextImports string
	// The preview of an uploaded file, and the file to send back.
	Preview    *contacts.Preview
	File, Data string
	Kind       string
	// A CSV's columns: those read ("E-mail 1 - Value → email") and those
	// left out.
	ColumnsRead, ColumnsLeft []string
	// Done is the import just made (?done=), shown first with Undo.
	Done *importRow
}

type importRow struct {
	ID, Kind, When, State string
	Created, Updated      int
	Undone                bool
}

func (s *pages) handleImportPage(c *fiber.Ctx) error {
	p := s.page(c, "Import", "import")
	v := &importView{}
	_, err := pageFrom(c, "page", &p, "That page of imports is not one this list gave.", func(cur *record.Cursor) (struct{}, error) {
		return struct{}{}, s.listImports(c, v, cur)
	})
	if err != nil {
		return err
	}
	if done := c.Query("done"); done != "" {
		for i := range v.Imports {
			if v.Imports[i].ID == done {
				v.Done = &v.Imports[i]
			}
		}
	}
	p.Data = v
	return s.render(c, 200, "import", p)
}

// listImports lists the user's imports, latest first, from cur.
func (s *pages) listImports(c *fiber.Ctx, v *importView, cur *record.Cursor) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	page, err := s.CRM.Contacts.Imports(ctx, u.ID, importsPage, cur)
	if err != nil {
		return err
	}
	v.NextImports = page.NextCursor
	for _, im := range page.Items {
		v.Imports = append(v.Imports, importRow{ID: im.ID, Kind: im.Kind, When: im.At.In(u.Location()).Format("2 Jan 2006, 15:04"),
			State: im.State, Created: im.Created, Updated: im.Updated, Undone: im.UndoneAt != nil})
	}
	return nil
}

// readerOf is how a file of kind is read into rows.
func readerOf(ctx context.Context, kind string, data []byte, contentType string) (func(func(contacts.Row) error) error, error) {
	r, err := codec.Decoded(bytes.NewReader(data), contentType)
	if err != nil {
		return nil, err
	}
	if kind == "vcard" {
		return func(fn func(contacts.Row) error) error { return codec.ReadVCards(ctx, r, fn) }, nil
	}
	return func(fn func(contacts.Row) error) error { return codec.ReadCSV(ctx, r, fn) }, nil
}

// columnFields are the words the preview gives ReadCSV's fields.
var columnFields = map[string]string{"first": "name", "middle": "name", "last": "name", "url": "LinkedIn URL", "cadence_days": "cadence",
	"known_since": "known since", "card": "the card in your address book"}

// columnsOf lists which of a CSV's columns the import reads, into which
// field, and which it leaves out.
func (v *importView) columnsOf(ctx context.Context, data []byte, contentType string) error {
	r, err := codec.Decoded(bytes.NewReader(data), contentType)
	if err != nil {
		return err
	}
	cols, err := codec.CSVColumns(ctx, r)
	if err != nil {
		return err
	}
	for _, col := range cols {
		if field := cmp.Or(columnFields[col.Field], col.Field); field != "" {
			v.ColumnsRead = append(v.ColumnsRead, col.Name+" → "+field)
		} else {
			v.ColumnsLeft = append(v.ColumnsLeft, col.Name)
		}
	}
	return nil
}

// kindOf tells a vCard file from a CSV by its name, else its first bytes.
func kindOf(name string, data []byte) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".vcf", ".vcard":
		return "vcard"
	case ".csv":
		return "csv"
	}
	if bytes.HasPrefix(bytes.ToUpper(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \r\n\t")), []byte("BEGIN:VCARD")) {
		return "vcard"
	}
	return "csv"
}

// handleImportPreview reads the uploaded file and shows what importing it
// would do; nothing is written.
func (s *pages) handleImportPreview(c *fiber.Ctx) error {
	p := s.page(c, "Import", "import")
	v := &importView{}
	p.Data = v
	fh, err := c.FormFile("file")
	if err != nil {
		p.Errors["file"] = "choose a file: LinkedIn's Connections.csv, a vCard file (.vcf) or a CSV with a header row"
		if err := s.listImports(c, v, nil); err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "import", p)
	}
	if fh.Size > api.MaxImportBody {
		return apperr.E(apperr.TooLarge, "the file is larger than 10 MiB: split it, or send it to POST /v1/contacts/import")
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Wrap(apperr.Malformed, err, "the file could not be read")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, api.MaxImportBody+1))
	if err != nil {
		return apperr.Wrap(apperr.Malformed, err, "the file could not be read")
	}
	v.File, v.Kind = path.Base(fh.Filename), kindOf(fh.Filename, data)
	ctx, cancel := context.WithTimeout(c.UserContext(), importTimeout)
	defer cancel()
	read, err := readerOf(ctx, v.Kind, data, fh.Header.Get("Content-Type"))
	if err == nil {
		v.Preview, err = s.CRM.Contacts.PreviewImport(ctx, user(c).ID, read)
	}
	if err == nil && v.Kind == "csv" {
		err = v.columnsOf(ctx, data, fh.Header.Get("Content-Type"))
	}
	if err != nil {
		if p.showProblem(err, nil) || apperr.Is(err, apperr.Malformed) || apperr.Is(err, apperr.Unsupported) {
			if p.Problem == "" {
				p.Problem = apperr.PublicOf(err)
			}
			return s.render(c, fiber.StatusUnprocessableEntity, "import", p)
		}
		return err
	}
	v.Data = base64.StdEncoding.EncodeToString(data)
	p.FormID = newFormID() // Import's (see once)
	return s.render(c, 200, "import", p)
}

// handleImportConfirm imports the file the preview carried back, once
// (a double click imports it once), and goes to the import page with the
// import first: reloading it imports nothing again.
func (s *pages) handleImportConfirm(c *fiber.Ctx) error {
	f := formOf(c, "file", "kind")
	data, err := base64.StdEncoding.DecodeString(c.FormValue("data"))
	if err != nil || len(data) > api.MaxImportBody {
		return apperr.E(apperr.Malformed, "the file did not come back whole: upload it again")
	}
	kind := "csv"
	if f["kind"] == "vcard" {
		kind = "vcard"
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	err = s.once(c, ctx, user(c), "web-import", "/app/import", func() (string, string, error) {
		var res *contacts.ImportResult
		err := s.bulk(c, "contacts are being imported into this account", func(ctx context.Context) error {
			read, err := readerOf(ctx, kind, data, mime.FormatMediaType("text/plain", map[string]string{"charset": "utf-8"}))
			if err != nil {
				return err
			}
			res, err = s.CRM.Contacts.Import(ctx, user(c).ID, kind, read)
			return err
		})
		if err != nil {
			return "", "", err
		}
		notice := fmt.Sprintf("Imported %s: %d new, %d merged into contacts you had.", cmp.Or(f["file"], "the file"), res.Created, res.Updated)
		if n := len(res.Errors); n > 0 {
			notice += " " + words.Counted(n, "line") + " skipped or changed, as the preview listed."
		}
		if res.ImportID == "" {
			return "/app/import", notice, nil
		}
		return "/app/import?done=" + url.QueryEscape(res.ImportID), notice, nil
	})
	if apperr.Is(err, apperr.Conflict) {
		return seeProblem(c, "/app/import", "Not imported: "+apperr.PublicOf(err))
	}
	return err
}

// handleImportUndo undoes an import from the list.
func (s *pages) handleImportUndo(c *fiber.Ctx) error {
	var res *crm.UndoResult
	err := s.bulk(c, "an import is being undone in this account", func(ctx context.Context) (err error) {
		res, err = s.CRM.UndoImport(ctx, user(c).ID, c.Params("id"))
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "import")
	}
	if apperr.Is(err, apperr.Conflict) {
		return seeProblem(c, "/app/import", apperr.PublicOf(err))
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Undone: %s removed, what it added taken out of %d", words.Counted(res.Deleted, "contact"), res.Restored)
	if res.Kept > 0 {
		msg += fmt.Sprintf(", %d kept (changed since)", res.Kept)
	}
	return seeNotice(c, "/app/import", msg+".")
}

// bulk runs fn, under importTimeout, as the user's one write in bulk
// (idempotency.Bulk; as api.Server's): while another runs it is a
// Conflict saying which, and fn does not run.
func (s *pages) bulk(c *fiber.Ctx, doing string, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), importTimeout)
	defer cancel()
	return s.Idempotency.Exclusively(ctx, user(c).ID, idempotency.Bulk, doing, fn)
}

// handleBackupDownload streams the user's backup (GET /v1/export's file).
func (s *pages) handleBackupDownload(c *fiber.Ctx) error {
	u := user(c)
	return s.download(c, "application/json", "rapport-backup-"+s.Now().UTC().Format("2006-01-02")+".json", func(ctx context.Context, w *bufio.Writer) error {
		return backup.Export(ctx, s.CRM, u, w)
	})
}

// handleContactsCSV downloads the user's contacts as CSV for another app
// (GET /v1/contacts/export.csv's).
func (s *pages) handleContactsCSV(c *fiber.Ctx) error {
	userID := user(c).ID
	return s.download(c, "text/csv; charset=utf-8", "contacts.csv", func(ctx context.Context, w *bufio.Writer) error {
		return s.CRM.WriteContactsCSV(ctx, userID, w)
	})
}

// handleContactsVCard downloads the user's contacts as one vCard file,
// each card with what else its address book held (GET
// /v1/contacts/export.vcf's).
func (s *pages) handleContactsVCard(c *fiber.Ctx) error {
	userID := user(c).ID
	return s.download(c, "text/vcard; charset=utf-8", "contacts.vcf", func(ctx context.Context, w *bufio.Writer) error {
		return s.CRM.WriteContactsVCard(ctx, userID, w)
	})
}

// download streams what write writes as an attachment named filename,
// on one of the user's download turns (the API's, api.TakeDownload): the
// account is read as the client takes it, never held whole. A download
// cut short is logged; the client sees a cut body.
func (s *pages) download(c *fiber.Ctx, contentType, filename string, write func(ctx context.Context, w *bufio.Writer) error) error {
	u := user(c)
	release, err := api.TakeDownload(c, s.Downloads, u.ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set("Cache-Control", "no-store")
	logger := s.Logger
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		defer release()
		defer context.AfterFunc(ctx, release)()
		if err := write(ctx, w); err != nil {
			logger.Error("download cut short", "user", u.ID, "file", filename, "err", err)
		}
	})
	return nil
}

// handleBackupRestore restores an uploaded backup (POST /v1/import's).
func (s *pages) handleBackupRestore(c *fiber.Ctx) error {
	fh, err := c.FormFile("backup")
	if err != nil {
		return seeProblem(c, "/app/import", "Choose a backup file (rapport-backup-….json).")
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Wrap(apperr.Malformed, err, "the file could not be read")
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(c.UserContext(), backup.Timeout)
	defer cancel()
	res, err := backup.Import(ctx, s.CRM, s.Accounts, s.Idempotency, user(c), io.LimitReader(f, api.MaxBackupBody))
	if err != nil {
		if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Malformed || k == apperr.Conflict {
			return seeProblem(c, "/app/import", "Not restored: "+apperr.PublicOf(err))
		}
		return err
	}
	n := 0
	for _, k := range res.Restored {
		n += k
	}
	return seeNotice(c, "/app/import", "Restored "+words.Counted(n, "record")+".")
}
