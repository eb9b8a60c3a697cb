package domain_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// importHeader is a header naming every column, in the template's order.
var importHeader = strings.Join(domain.ImportColumns, ",")

// errorAt is an expected error without its wording: where it is.
type errorAt struct {
	Row    int
	Column string
}

func errorsAt(errs []domain.ImportRowError) []errorAt {
	var out []errorAt
	for _, e := range errs {
		out = append(out, errorAt{e.Row, e.Column})
	}
	return out
}

func TestParseImport(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("person_name,phones\n王伟,13800138000\n")
	if err != nil {
		t.Fatalf("encode GBK: %v", err)
	}
	wang := domain.Registration{
		PersonName: "王伟", Phones: []string{"+8613800138000"}, Source: domain.SourceImport, OccurredAt: testNow,
	}
	tests := []struct {
		name string
		csv  string
		// wantRows are the rows read; nil skips the comparison.
		wantRows     []domain.ImportRow
		wantDataRows int
		wantErrors   []errorAt
		// wantMessage is a substring of the first error's message.
		wantMessage string
	}{
		{
			name: "every column, in another order, names in any case",
			csv: " Source_Channel ,LONGITUDE,latitude,tax_id,address,email,wechat_id,phones,company_name,person_name\n" +
				"trade_show,120.1290,30.2799,91330100mA27xxxx0x,杭州市西湖区文三路90号,Li.Na@Example.com,wx_lina88,139 1234 5678,杭州云帆科技有限公司, 李娜 \n",
			wantRows: []domain.ImportRow{{Row: 2, Registration: domain.Registration{
				PersonName: "李娜", CompanyName: "杭州云帆科技有限公司", Phones: []string{"+8613912345678"},
				WeChatID: "wx_lina88", Email: "li.na@example.com", Source: domain.SourceTradeShow, OccurredAt: testNow,
				Address: domain.Address{Text: "杭州市西湖区文三路90号", Location: &domain.GeoPoint{Latitude: 30.2799, Longitude: 120.1290}},
				TaxID:   "91330100MA27XXXX0X",
			}}},
			wantDataRows: 1,
		},
		{
			name:         "a UTF-8 byte order mark is accepted",
			csv:          "\uFEFFperson_name,phones\n王伟,13800138000\n",
			wantRows:     []domain.ImportRow{{Row: 2, Registration: wang}},
			wantDataRows: 1,
		},
		{
			name:         "GBK from Excel is refused with what to do",
			csv:          gbk,
			wantDataRows: 1,
			wantErrors:   []errorAt{{2, ""}},
			wantMessage:  `"CSV UTF-8`,
		},
		{
			name:         "a header that is not UTF-8 is row 1",
			csv:          "person_name\xff,phones\nwang,13800138000\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{1, ""}},
			wantMessage:  "not UTF-8",
		},
		{
			name:         "blank lines and Excel's empty rows are skipped, not counted",
			csv:          "\n\nperson_name,phones\n\n王伟,13800138000\n,\n  ,  \n李娜,13912345678\n\n",
			wantDataRows: 2,
			wantRows: []domain.ImportRow{{Row: 2, Registration: wang}, {Row: 3, Registration: domain.Registration{
				PersonName: "李娜", Phones: []string{"+8613912345678"}, Source: domain.SourceImport, OccurredAt: testNow,
			}}},
		},
		{
			name:         "unknown columns are named",
			csv:          "person_name,phones,mobile,备注\n王伟,13800138000,x,y\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{1, "mobile"}, {1, "备注"}},
			wantMessage:  "unknown column",
		},
		{
			name:         "semicolon-separated header",
			csv:          "person_name;phones\n王伟;13800138000\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{1, "person_name;phones"}},
			wantMessage:  "separated by commas",
		},
		{
			name:         "a column named twice",
			csv:          "person_name,phones,Phones\n王伟,13800138000,13912345678\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{1, "phones"}},
			wantMessage:  "columns 2 and 3",
		},
		{
			name:         "a header without a name column or a contact column",
			csv:          "address,tax_id\n杭州,91330100MA27XXXX0X\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{1, ""}, {1, ""}},
		},
		{
			name:         "no header at all",
			csv:          "\n \n",
			wantDataRows: 0,
			wantErrors:   []errorAt{{1, ""}},
			wantMessage:  "no header",
		},
		{
			name:         "a header without customers",
			csv:          "person_name,phones\n",
			wantDataRows: 0,
			wantErrors:   []errorAt{{1, ""}},
			wantMessage:  "no customers",
		},
		{
			name:         "a ragged row",
			csv:          "person_name,phones\n王伟,13800138000\n李娜,13912345678,extra\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{3, ""}},
			wantMessage:  "3 fields; the header has 2",
		},
		{
			name:         "a row that is not valid CSV, and the rows after it still read",
			csv:          "person_name,phones\n王\"伟,13800138000\n李娜,12\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{2, ""}, {3, "phones"}},
			wantMessage:  "not valid CSV",
		},
		{
			name:         "phones separated by ; and ；",
			csv:          "person_name,phones\n王伟,\"138 0013 8000; +86 139-1234-5678 ；010 6552 9988;\"\n",
			wantDataRows: 1,
			wantRows: []domain.ImportRow{{Row: 2, Registration: domain.Registration{
				PersonName: "王伟", Phones: []string{"+8613800138000", "+8613912345678", "+861065529988"},
				Source: domain.SourceImport, OccurredAt: testNow,
			}}},
		},
		{
			name:         "phones separated by commas are named",
			csv:          "person_name,phones\n王伟,\"13800138000, 13912345678\"\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{2, "phones"}},
			wantMessage:  "separate several numbers with ;",
		},
		{
			name:         "latitude without longitude",
			csv:          "person_name,phones,latitude,longitude\n王伟,13800138000,30.28,\n",
			wantDataRows: 1,
			wantErrors:   []errorAt{{2, "longitude"}},
			wantMessage:  "required with latitude",
		},
		{
			name:         "coordinates that are not numbers or out of range",
			csv:          "person_name,phones,latitude,longitude\n王伟,13800138000,NaN,181\n李娜,13912345678,0,0\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{2, "latitude"}, {2, "longitude"}, {3, "latitude"}},
		},
		{
			name:         "a source channel that does not exist",
			csv:          "person_name,phones,source_channel\n王伟,13800138000,展会\n李娜,13912345678,Trade_Show\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{2, "source_channel"}},
			wantMessage:  `"展会" is not a source channel`,
		},
		{
			name:         "a bad e-mail and a row without any contact",
			csv:          "person_name,phones,email\n王伟,,wang@\n李娜,,\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{2, "email"}, {3, "phones"}},
		},
		{
			name:         "a value under a column without a name",
			csv:          "person_name,phones,,\n王伟,13800138000,,\n李娜,13912345678,,备注\n",
			wantDataRows: 2,
			wantErrors:   []errorAt{{3, ""}},
			wantMessage:  "column 4",
		},
		{
			name: "rows that are the same customer are reported on each row",
			csv: "person_name,company_name,phones,email\n" +
				"王伟,,138 0013 8000,\n" + // 2
				"李娜,上海星海贸易有限公司,13912345678,\n" + // 3
				"王先生,,+86 138-0013-8000,\n" + // 4: row 2's phone
				",上海星海贸易（有限公司）,13700137000,\n" + // 5: row 3's company, no person
				"张三,上海星海贸易有限公司,13600136000,\n" + // 6: row 5's company; another person than row 3
				"赵六,,13500135000,Wang@Example.com\n" + // 7
				"钱七,,13400134000,wang@example.com\n", // 8: row 7's e-mail
			wantDataRows: 7,
			wantErrors: []errorAt{
				{2, "phones"},
				{3, "company_name"},
				{4, "phones"},
				{5, "company_name"},
				{6, "company_name"},
				{7, "email"},
				{8, "email"},
			},
			wantMessage: "the same customer as row 4",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseImport([]byte(tt.csv), testNow)
			if err != nil {
				t.Fatalf("ParseImport: %v", err)
			}
			if got.DataRows != tt.wantDataRows {
				t.Errorf("DataRows = %d, want %d", got.DataRows, tt.wantDataRows)
			}
			if diff := cmp.Diff(tt.wantErrors, errorsAt(got.Errors)); diff != "" {
				t.Errorf("errors mismatch (-want, +got):\n%s\nerrors: %+v", diff, got.Errors)
			}
			if tt.wantMessage != "" && (len(got.Errors) == 0 || !strings.Contains(got.Errors[0].Message, tt.wantMessage)) {
				t.Errorf("first error = %+v, want a message containing %q", got.Errors, tt.wantMessage)
			}
			for _, e := range got.Errors {
				if e.Message == "" {
					t.Errorf("error at row %d column %q has no message", e.Row, e.Column)
				}
			}
			if tt.wantRows != nil {
				if diff := cmp.Diff(tt.wantRows, got.Rows); diff != "" {
					t.Errorf("rows mismatch (-want, +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseImportRefusesWholeFiles(t *testing.T) {
	t.Parallel()
	var many strings.Builder
	many.WriteString("person_name,phones\n")
	for i := range domain.MaxImportRows + 1 {
		fmt.Fprintf(&many, "p%d,+86138%08d\n", i, i)
	}
	tests := []struct {
		name string
		csv  []byte
	}{
		{"empty", nil},
		{"too many rows", []byte(many.String())},
		{"too many bytes", append([]byte("person_name,phones\n"), bytes.Repeat([]byte("a,1\n"), domain.MaxImportBytes/4)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParseImport(tt.csv, testNow)
			if diff := cmp.Diff([]string{"csv"}, violatedFields(t, err)); diff != "" {
				t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}

	t.Run("the most rows a file may have", func(t *testing.T) {
		t.Parallel()
		lines := strings.SplitAfter(many.String(), "\n")
		atLimit := strings.Join(lines[:1+domain.MaxImportRows], "")
		got, err := domain.ParseImport([]byte(atLimit), testNow)
		if err != nil {
			t.Fatalf("ParseImport of %d rows: %v", domain.MaxImportRows, err)
		}
		if got.DataRows != domain.MaxImportRows || len(got.Rows) != domain.MaxImportRows || len(got.Errors) != 0 {
			t.Errorf("got %d data rows, %d read, errors %v; want %d rows and no errors",
				got.DataRows, len(got.Rows), got.Errors[:min(3, len(got.Errors))], domain.MaxImportRows)
		}
	})
}

func TestSummarizeImportErrors(t *testing.T) {
	t.Parallel()
	var errs []domain.ImportRowError
	for row := domain.MaxImportRows + 1; row >= 2; row-- {
		errs = append(errs, domain.ImportRowError{Row: row, Column: "phones", Message: "x"}, domain.ImportRowError{Row: row, Column: "email", Message: "x"})
	}
	got := domain.SummarizeImportErrors(errs)
	if len(got) > domain.MaxImportErrors {
		t.Fatalf("%d errors, want at most %d", len(got), domain.MaxImportErrors)
	}
	// Whole rows: 499 rows of two errors, then the summary on the next row.
	last := got[len(got)-1]
	if want := (domain.ImportRowError{Row: 501, Message: fmt.Sprintf("%d more errors from this row on are not listed; fix the ones above and check the file again", len(errs)-998)}); last != want {
		t.Errorf("last error = %+v, want %+v", last, want)
	}
	if got[0] != (domain.ImportRowError{Row: 2, Column: "email", Message: "x"}) || got[len(got)-2].Row != 500 {
		t.Errorf("errors are not sorted by row and column: first %+v, last kept %+v", got[0], got[len(got)-2])
	}
	few := []domain.ImportRowError{{Row: 3, Column: "b"}, {Row: 2, Column: "z"}, {Row: 3, Column: "a"}}
	want := []domain.ImportRowError{{Row: 2, Column: "z"}, {Row: 3, Column: "a"}, {Row: 3, Column: "b"}}
	if diff := cmp.Diff(want, domain.SummarizeImportErrors(few)); diff != "" {
		t.Errorf("SummarizeImportErrors mismatch (-want, +got):\n%s", diff)
	}
}

// TestImportDuplicatesAgreeWithMatches checks the index ParseImport finds
// duplicate rows with against IdentityKeys.Matches, pair by pair.
func TestImportDuplicatesAgreeWithMatches(t *testing.T) {
	t.Parallel()
	people := []string{"", "王伟", "王 伟", "李娜"}
	companies := []string{"", "上海星海贸易有限公司", "上海星海贸易(有限公司)", "杭州云帆科技"}
	phones := []string{"", "13800138000", "+86 138 0013 8000", "13912345678"}
	emails := []string{"", "a@example.com", "A@example.com "}
	var rows [][]string
	n := 0
	for _, p := range people {
		for _, c := range companies {
			if p == "" && c == "" {
				continue
			}
			// Vary contacts deterministically so some rows share them.
			phone, email := phones[n%len(phones)], emails[n%len(emails)]
			if phone == "" && email == "" {
				phone = fmt.Sprintf("1370013%04d", n)
			}
			rows = append(rows, []string{p, c, phone, email})
			n++
		}
	}
	file := writeCSV(t, append([][]string{{"person_name", "company_name", "phones", "email"}}, rows...))
	got, err := domain.ParseImport(file, testNow)
	if err != nil {
		t.Fatalf("ParseImport: %v", err)
	}
	if len(got.Rows) != len(rows) {
		t.Fatalf("read %d rows, want %d; errors %v", len(got.Rows), len(rows), got.Errors)
	}
	dupRows := map[int]bool{}
	for _, e := range got.Errors {
		if !strings.HasPrefix(e.Message, "the same customer as") {
			t.Fatalf("unexpected error %+v", e)
		}
		dupRows[e.Row] = true
	}
	want := map[int]bool{}
	for i, a := range got.Rows {
		for j, b := range got.Rows {
			if i != j && domain.KeysOf(customerOf(a.Registration)).Matches(customerOf(b.Registration)) != nil {
				want[a.Row] = true
			}
		}
	}
	if diff := cmp.Diff(want, dupRows); diff != "" {
		t.Errorf("rows reported as duplicates mismatch (-Matches, +ParseImport):\n%s", diff)
	}
}

func customerOf(r domain.Registration) domain.Customer {
	return domain.Customer{PersonName: r.PersonName, CompanyName: r.CompanyName, Phones: r.Phones, WeChatID: r.WeChatID, Email: r.Email}
}

func writeCSV(t testing.TB, records [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(records); err != nil {
		t.Fatalf("write CSV: %v", err)
	}
	return buf.Bytes()
}

// sourceNames are the source_channel values of import files.
var sourceNames = map[domain.SourceChannel]string{
	domain.SourceWebsite: "website", domain.SourceTradeShow: "trade_show", domain.SourceReferral: "referral",
	domain.SourceAssignment: "assignment", domain.SourceImport: "import", domain.SourcePersonal: "personal",
}

// formatImport writes rows back as an import file with every column.
func formatImport(t testing.TB, rows []domain.ImportRow) []byte {
	t.Helper()
	records := [][]string{domain.ImportColumns}
	for _, row := range rows {
		r := row.Registration
		var lat, lng string
		if g := r.Address.Location; g != nil {
			lat, lng = strconv.FormatFloat(g.Latitude, 'g', -1, 64), strconv.FormatFloat(g.Longitude, 'g', -1, 64)
		}
		records = append(records, []string{
			r.PersonName, r.CompanyName, strings.Join(r.Phones, ";"), r.WeChatID, r.Email,
			r.Address.Text, lat, lng, r.TaxID, sourceNames[r.Source],
		})
	}
	return writeCSV(t, records)
}

func FuzzParseImport(f *testing.F) {
	f.Add([]byte(importHeader + "\n李娜,杭州云帆科技有限公司,139 1234 5678;010 6552 9988,wx_lina88,li.na@example.com,杭州市西湖区文三路90号,30.2799,120.129,91330100MA27XXXX0X,trade_show\n"))
	f.Add([]byte("\uFEFFperson_name,phones\n王伟,13800138000\n\n李娜,\"13912345678；13800138001\"\n"))
	f.Add([]byte("Phones,Company_Name\n13800138000,星海\n13800138000,星海 Co., Ltd.\n"))
	f.Add([]byte("person_name,phones,latitude\n王伟,1,x\n李娜\n\"a\"b,c\n"))
	f.Add([]byte("person_name,person_name,unknown\n"))
	f.Add([]byte("person_name,phones\n\xcd\xf5\xce\xb0,13800138000\n"))
	f.Add([]byte("email,person_name,,\n\"a@b.co\",\"x\ny\",,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := domain.ParseImport(data, testNow)
		if err != nil {
			violatedFields(t, err)
			return
		}
		if got.DataRows < len(got.Rows) || got.DataRows > domain.MaxImportRows {
			t.Fatalf("DataRows = %d with %d rows read", got.DataRows, len(got.Rows))
		}
		for i, e := range got.Errors {
			if e.Row < 1 || e.Row > got.DataRows+1 {
				t.Errorf("error %+v: row outside [1, %d]", e, got.DataRows+1)
			}
			if e.Message == "" || !utf8.ValidString(e.Message) {
				t.Errorf("error %+v: no message, or not UTF-8", e)
			}
			if i > 0 && (got.Errors[i-1].Row > e.Row || got.Errors[i-1].Row == e.Row && got.Errors[i-1].Column > e.Column) {
				t.Errorf("errors not sorted: %+v before %+v", got.Errors[i-1], e)
			}
		}
		if len(got.Errors) > 0 {
			return
		}
		// A file that reads without errors says the same when written back.
		if len(got.Rows) != got.DataRows {
			t.Fatalf("no errors, but %d of %d rows read", len(got.Rows), got.DataRows)
		}
		again, err := domain.ParseImport(formatImport(t, got.Rows), testNow)
		if err != nil {
			t.Fatalf("ParseImport of the rows written back: %v", err)
		}
		if len(again.Errors) > 0 || again.DataRows != got.DataRows {
			t.Fatalf("written back: %d rows, errors %+v; want %d rows and no errors", again.DataRows, again.Errors, got.DataRows)
		}
		if diff := cmp.Diff(got.Rows, again.Rows); diff != "" {
			t.Errorf("rows written back mismatch (-first, +again):\n%s", diff)
		}
		if !slices.IsSortedFunc(got.Rows, func(a, b domain.ImportRow) int { return a.Row - b.Row }) {
			t.Errorf("rows out of file order")
		}
	})
}
