package domain

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one import file. A file over either is refused whole, before
// any row is read.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 8 << 20
	// MaxImportErrors bounds a report: a file wrong in every cell would
	// otherwise answer with a message larger than clients accept.
	MaxImportErrors = 1000
)

// The columns of an import file, in the order a template lists them.
const (
	colPerson    = "person_name"
	colCompany   = "company_name"
	colPhones    = "phones"
	colWeChat    = "wechat_id"
	colEmail     = "email"
	colAddress   = "address"
	colLatitude  = "latitude"
	colLongitude = "longitude"
	colTaxID     = "tax_id"
	colSource    = "source_channel"
)

// ImportColumns are the columns an import file may name in its header, in
// any order.
var ImportColumns = []string{
	colPerson, colCompany, colPhones, colWeChat, colEmail, colAddress, colLatitude, colLongitude, colTaxID, colSource,
}

// importSources maps the source_channel values a file may use.
var importSources = map[string]SourceChannel{
	"website": SourceWebsite, "trade_show": SourceTradeShow, "referral": SourceReferral,
	"assignment": SourceAssignment, "import": SourceImport, "personal": SourcePersonal,
}

// ImportRowError is one problem with one row of an import file. Row 1 is
// the header; problems of the file as a whole are reported on it with an
// empty Column.
type ImportRowError struct {
	Row     int
	Column  string
	Message string
}

// ImportRow is one data row of an import file read as a registration.
type ImportRow struct {
	// Row is the row's number in the file: the header is 1, the first
	// customer 2. Blank lines are not counted.
	Row          int
	Registration Registration
}

// ImportFile is an import file as read: its rows and every problem found.
type ImportFile struct {
	// Rows are the data rows read as registrations (normalised as far as
	// they are valid), in file order; a row the reader could not split is
	// missing, and all are when the header or the encoding is wrong.
	Rows []ImportRow
	// DataRows counts the file's data rows, read or not.
	DataRows int
	// Errors are sorted by row and column; empty means every row can be
	// registered as far as the file alone tells.
	Errors []ImportRowError
}

// utf8BOM is what Excel's "CSV UTF-8" writes before the header.
const utf8BOM = "\uFEFF"

// notUTF8 is what a user who saved from Excel in the local code page
// (GBK on Chinese Windows) needs to hear.
const notUTF8 = `the file is not UTF-8 text (Excel saves GBK by default on Chinese Windows): ` +
	`save it as "CSV UTF-8 (Comma delimited) (*.csv)" and import it again`

// ParseImport reads a CSV import file: a header naming ImportColumns (in
// any order, case-insensitive), then one customer per row, each validated
// as NormalizeRegistration does, and no two rows the same customer. now is
// what NormalizeRegistration bounds times with.
//
// Every problem is reported as an ImportRowError, so a bad file is fixed
// in one round. The error result is a *ValidationError only for a file
// refused whole: empty, over MaxImportBytes or over MaxImportRows.
func ParseImport(data []byte, now time.Time) (ImportFile, error) {
	switch {
	case len(data) == 0:
		return ImportFile{}, fileViolation("required: a CSV file with a header row")
	case len(data) > MaxImportBytes:
		return ImportFile{}, fileViolation("at most %d MiB; split the file", MaxImportBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	firstBad := -1
	if !utf8.Valid(data) {
		firstBad = invalidUTF8Offset(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	// Field counts are checked against the header here, not by the reader,
	// so blank rows of any width (Excel writes ",,,") are skipped first.
	r.FieldsPerRecord = -1
	var (
		file    ImportFile
		head    *importHeader
		records [][]string // data rows, nil for one the reader could not split
		rowErrs []ImportRowError
		encRow  int // the row holding the first byte that is not UTF-8
	)
	for row := 1; ; {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if err != nil && !errors.As(err, &parseErr) {
			return ImportFile{}, fmt.Errorf("parse import: %w", err)
		}
		if err == nil && blankRecord(record) {
			continue
		}
		if firstBad >= 0 && encRow == 0 && r.InputOffset() > int64(firstBad) {
			encRow = row
		}
		if head == nil && err == nil {
			head = readImportHeader(record)
			row++
			continue
		}
		if head == nil {
			// A header the reader cannot split leaves nothing to go by.
			rowErrs = append(rowErrs, ImportRowError{Row: row, Message: "the header row is not valid CSV: " + parseErr.Err.Error()})
			head = &importHeader{unusable: true}
			row++
			continue
		}
		file.DataRows++
		if file.DataRows > MaxImportRows {
			return ImportFile{}, fileViolation("at most %d customers per file (rows after the header); split the file", MaxImportRows)
		}
		if err != nil {
			rowErrs = append(rowErrs, ImportRowError{Row: row, Message: "not valid CSV: " + parseErr.Err.Error()})
			records = append(records, nil)
		} else {
			records = append(records, record)
		}
		row++
	}
	switch {
	case encRow > 0:
		// Text in another encoding would be reported as every kind of bad
		// value; one error says what to do.
		file.Errors = []ImportRowError{{Row: encRow, Message: notUTF8}}
		return file, nil
	case head == nil:
		file.Errors = []ImportRowError{{Row: 1, Message: "the file has no header row; the first row must name the columns: " + strings.Join(ImportColumns, ", ")}}
		return file, nil
	}
	file.Errors = append(rowErrs, head.errs...)
	if len(head.errs) > 0 || head.unusable {
		// Rows under a wrong header would all fail alike; fix the header first.
		sortImportErrors(file.Errors)
		return file, nil
	}
	if file.DataRows == 0 {
		file.Errors = append(file.Errors, ImportRowError{Row: 1, Message: "the file has no customers below the header"})
	}
	for i, record := range records {
		if record == nil {
			continue
		}
		row := i + 2
		reg, errs := head.registration(row, record, now)
		file.Errors = append(file.Errors, errs...)
		if reg != nil {
			file.Rows = append(file.Rows, ImportRow{Row: row, Registration: *reg})
		}
	}
	file.Errors = append(file.Errors, fileDuplicates(file.Rows)...)
	sortImportErrors(file.Errors)
	return file, nil
}

func fileViolation(format string, args ...any) error {
	var v violations
	v.Add("csv", format, args...)
	return v.Err()
}

// invalidUTF8Offset is the offset of the first byte of data that is not
// part of valid UTF-8.
func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func blankRecord(record []string) bool {
	for _, f := range record {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// importHeader is where each column is in a file.
type importHeader struct {
	index map[string]int
	// width is the number of fields every row must have.
	width int
	// unnamed are columns with an empty name: ignored while they are empty.
	unnamed []int
	errs    []ImportRowError
	// unusable is set when the header row could not be read at all.
	unusable bool
}

func readImportHeader(record []string) *importHeader {
	h := &importHeader{index: map[string]int{}, width: len(record)}
	for i, cell := range record {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cell), utf8BOM)))
		switch {
		case name == "":
			h.unnamed = append(h.unnamed, i)
		case !slices.Contains(ImportColumns, name):
			msg := "unknown column; the header names columns from: " + strings.Join(ImportColumns, ", ")
			if strings.ContainsAny(name, ";\t") {
				msg += " (separated by commas)"
			}
			h.errs = append(h.errs, ImportRowError{Row: 1, Column: truncateCell(name), Message: msg})
		case h.has(name):
			h.errs = append(h.errs, ImportRowError{
				Row: 1, Column: name,
				Message: fmt.Sprintf("the column appears twice in the header (columns %d and %d)", h.index[name]+1, i+1),
			})
		default:
			h.index[name] = i
		}
	}
	if len(h.errs) > 0 {
		return h
	}
	if !h.has(colPerson) && !h.has(colCompany) {
		h.errs = append(h.errs, ImportRowError{Row: 1, Message: "the header needs a person_name or a company_name column"})
	}
	if !h.has(colPhones) && !h.has(colWeChat) && !h.has(colEmail) {
		h.errs = append(h.errs, ImportRowError{Row: 1, Message: "the header needs a phones, wechat_id or email column"})
	}
	return h
}

func (h *importHeader) has(column string) bool {
	_, ok := h.index[column]
	return ok
}

// cell is the trimmed value of column in record, "" when the file has no
// such column.
func (h *importHeader) cell(record []string, column string) string {
	i, ok := h.index[column]
	if !ok {
		return ""
	}
	return strings.TrimSpace(record[i])
}

// registration reads one data row. It returns the registration (nil when
// the row cannot be read at all) and the row's problems.
func (h *importHeader) registration(row int, record []string, now time.Time) (*Registration, []ImportRowError) {
	if len(record) != h.width {
		return nil, []ImportRowError{{Row: row, Message: fmt.Sprintf("the row has %d fields; the header has %d", len(record), h.width)}}
	}
	var errs []ImportRowError
	bad := func(column, format string, args ...any) {
		errs = append(errs, ImportRowError{Row: row, Column: column, Message: fmt.Sprintf(format, args...)})
	}
	for _, i := range h.unnamed {
		if strings.TrimSpace(record[i]) != "" {
			bad("", "column %d has a value but no name in the header", i+1)
		}
	}
	phones := splitPhones(h.cell(record, colPhones))
	reg := Registration{
		PersonName:  h.cell(record, colPerson),
		CompanyName: h.cell(record, colCompany),
		Phones:      phones,
		WeChatID:    h.cell(record, colWeChat),
		Email:       h.cell(record, colEmail),
		Address:     Address{Text: h.cell(record, colAddress)},
		TaxID:       h.cell(record, colTaxID),
		Source:      SourceImport,
	}
	if s := h.cell(record, colSource); s != "" {
		src, ok := importSources[strings.ToLower(s)]
		if ok {
			reg.Source = src
		} else {
			bad(colSource, "%s is not a source channel: website, trade_show, referral, assignment, import or personal", quoteCell(s))
		}
	}
	lat, latErr := readCoordinate(h.cell(record, colLatitude), 90)
	lng, lngErr := readCoordinate(h.cell(record, colLongitude), 180)
	switch {
	case latErr != "" || lngErr != "":
		if latErr != "" {
			bad(colLatitude, "%s", latErr)
		}
		if lngErr != "" {
			bad(colLongitude, "%s", lngErr)
		}
	case lat != nil && lng == nil:
		bad(colLongitude, "required with latitude")
	case lat == nil && lng != nil:
		bad(colLatitude, "required with longitude")
	case lat != nil:
		reg.Address.Location = &GeoPoint{Latitude: *lat, Longitude: *lng}
	}
	norm, err := NormalizeRegistration(reg, now)
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			column, message := violationColumn(v, phones)
			bad(column, "%s", message)
		}
	} else if err != nil {
		bad("", "%v", err)
	}
	return &norm, errs
}

// splitPhones splits a phones cell at ; or its full-width form ；.
func splitPhones(cell string) []string {
	var phones []string
	for p := range strings.FieldsFuncSeq(cell, func(r rune) bool { return r == ';' || r == '；' }) {
		if p = strings.TrimSpace(p); p != "" {
			phones = append(phones, p)
		}
	}
	return phones
}

// readCoordinate parses a latitude or longitude cell ("" = absent); the
// second result says what is wrong with it.
func readCoordinate(cell string, limit float64) (*float64, string) {
	if cell == "" {
		return nil, ""
	}
	f, err := strconv.ParseFloat(cell, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, quoteCell(cell) + " is not a number of degrees"
	}
	if f < -limit || f > limit {
		return nil, fmt.Sprintf("%s is outside -%g..%g", quoteCell(cell), limit, limit)
	}
	return &f, ""
}

// violationColumn names the file column a registration violation is
// about, and says what is wrong in the file's terms.
func violationColumn(v FieldViolation, phones []string) (string, string) {
	switch {
	case strings.HasPrefix(v.Field, "phones["):
		msg := v.Description
		var i int
		if _, err := fmt.Sscanf(v.Field, "phones[%d]", &i); err == nil && i >= 0 && i < len(phones) {
			msg = quoteCell(phones[i]) + ": " + msg
			if strings.ContainsAny(phones[i], ",，/、") {
				msg += " (separate several numbers with ;)"
			}
		}
		return colPhones, msg
	case v.Field == "address.text":
		return colAddress, v.Description
	case v.Field == "address.location":
		return colLatitude, "latitude and longitude: " + v.Description
	}
	return v.Field, v.Description
}

// quoteCell quotes a value for a message, shortened: the message is for
// finding the cell, not for echoing a whole file back.
func quoteCell(s string) string {
	return strconv.Quote(truncateCell(s))
}

func truncateCell(s string) string {
	const maxRunes = 40
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return string([]rune(s)[:maxRunes]) + "…"
}

// fileDuplicates reports rows of one file that are the same customer, as
// IdentityKeys.Matches decides, on both rows of each pair. Candidates are
// found through an index of the keys, so a file of thousands of rows is
// not compared pair by pair.
func fileDuplicates(rows []ImportRow) []ImportRowError {
	keys := make([]IdentityKeys, len(rows))
	for i, r := range rows {
		keys[i] = KeysOf(Customer{
			PersonName: r.Registration.PersonName, CompanyName: r.Registration.CompanyName,
			Phones: r.Registration.Phones, WeChatID: r.Registration.WeChatID, Email: r.Registration.Email,
		})
	}
	var (
		byPhone, byEmail, byWeChat = map[string][]int{}, map[string][]int{}, map[string][]int{}
		// The company rule of Matches: the same company is the same
		// customer when the person names agree or one is absent.
		byCompany, byCompanyPerson, byCompanyNoPerson = map[string][]int{}, map[string][]int{}, map[string][]int{}
	)
	// partners[i][column] are the rows that row i duplicates on column.
	partners := make([]map[string][]int, len(rows))
	link := func(i, j int, column string) {
		for _, p := range [][2]int{{i, j}, {j, i}} {
			if partners[p[0]] == nil {
				partners[p[0]] = map[string][]int{}
			}
			partners[p[0]][column] = append(partners[p[0]][column], rows[p[1]].Row)
		}
	}
	seen := make([]int, len(rows)) // seen[j] == i+1: row j already linked to row i
	for i, k := range keys {
		visit := func(column string, earlier []int) {
			for _, j := range earlier {
				if seen[j] != i+1 {
					seen[j] = i + 1
					link(i, j, column)
				}
			}
		}
		for _, p := range k.Phones {
			visit(colPhones, byPhone[p])
		}
		if k.Email != "" {
			visit(colEmail, byEmail[k.Email])
		}
		if k.WeChatID != "" {
			visit(colWeChat, byWeChat[k.WeChatID])
		}
		if k.Company != "" {
			if k.Person == "" {
				visit(colCompany, byCompany[k.Company])
			} else {
				visit(colCompany, byCompanyPerson[k.Company+"\x00"+k.Person])
				visit(colCompany, byCompanyNoPerson[k.Company])
			}
		}
		for _, p := range slices.Compact(slices.Sorted(slices.Values(k.Phones))) {
			byPhone[p] = append(byPhone[p], i)
		}
		if k.Email != "" {
			byEmail[k.Email] = append(byEmail[k.Email], i)
		}
		if k.WeChatID != "" {
			byWeChat[k.WeChatID] = append(byWeChat[k.WeChatID], i)
		}
		if k.Company != "" {
			byCompany[k.Company] = append(byCompany[k.Company], i)
			if k.Person == "" {
				byCompanyNoPerson[k.Company] = append(byCompanyNoPerson[k.Company], i)
			} else {
				byCompanyPerson[k.Company+"\x00"+k.Person] = append(byCompanyPerson[k.Company+"\x00"+k.Person], i)
			}
		}
	}
	var errs []ImportRowError
	for i, byColumn := range partners {
		for column, others := range byColumn {
			errs = append(errs, ImportRowError{Row: rows[i].Row, Column: column, Message: "the same customer as " + rowList(others)})
		}
	}
	return errs
}

// rowList names rows for a message: "row 5", "rows 5, 9", or the first
// few and how many more.
func rowList(rows []int) string {
	slices.Sort(rows)
	const shown = 5
	parts := make([]string, 0, shown)
	for _, r := range rows[:min(len(rows), shown)] {
		parts = append(parts, strconv.Itoa(r))
	}
	s := strings.Join(parts, ", ")
	if len(rows) > shown {
		s += fmt.Sprintf(" and %d more", len(rows)-shown)
	}
	if len(rows) == 1 {
		return "row " + s
	}
	return "rows " + s
}

func sortImportErrors(errs []ImportRowError) {
	slices.SortStableFunc(errs, func(a, b ImportRowError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Column, b.Column))
	})
}

// SummarizeImportErrors sorts errs by row and column and keeps whole rows
// up to MaxImportErrors; if some are left out, one last error on the
// first row left out says how many.
func SummarizeImportErrors(errs []ImportRowError) []ImportRowError {
	errs = slices.Clone(errs)
	sortImportErrors(errs)
	if len(errs) <= MaxImportErrors {
		return errs
	}
	cut := MaxImportErrors - 1
	for cut > 0 && errs[cut].Row == errs[cut-1].Row {
		cut--
	}
	if cut == 0 {
		// One row alone has more errors than a report holds.
		cut = MaxImportErrors - 1
	}
	rest := errs[cut]
	return append(errs[:cut], ImportRowError{
		Row: rest.Row,
		Message: fmt.Sprintf("%d more errors from this row on are not listed; fix the ones above and check the file again",
			len(errs)-cut),
	})
}
