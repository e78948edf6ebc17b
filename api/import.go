package api

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

const (
	maxImportBody  = 64 << 20
	maxImportLines = 100_000
)

// lineResult is one parsed line of an import, or why it could not be parsed.
type lineResult struct {
	req candidateRequest
	err error
}

type importLineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

type importReport struct {
	Created int               `json:"created"`
	Updated int               `json:"updated"`
	Failed  int               `json:"failed"`
	Errors  []importLineError `json:"errors"`
}

// importCandidates takes NDJSON (application/x-ndjson) or CSV (text/csv)
// and upserts each line on its own: a bad line is reported and skipped,
// the others are stored.
func (s *Server) importCandidates(c echo.Context) error {
	mediaType, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxImportBody)
	var lines iter.Seq2[int, lineResult]
	switch mediaType {
	case "application/x-ndjson", "application/jsonl", "application/json-seq":
		lines = ndjsonLines(body)
	case "text/csv":
		lines = csvLines(body)
	default:
		return apiError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send application/x-ndjson or text/csv", "Content-Type")
	}
	report := importReport{Errors: []importLineError{}}
	for n, line := range lines {
		req, err := line.req, line.err
		if n > maxImportLines {
			return apiError(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("at most %d lines per import", maxImportLines), "")
		}
		if err == nil {
			err = s.importOne(c, req, &report)
		}
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return apiError(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body larger than %d bytes", maxErr.Limit), "")
			}
			report.Failed++
			report.Errors = append(report.Errors, lineError(n, err))
			if !isLineError(err) {
				return err
			}
		}
	}
	return c.JSON(http.StatusOK, report)
}

func (s *Server) importOne(c echo.Context, req candidateRequest, report *importReport) error {
	in, err := req.input()
	if err != nil {
		return err
	}
	if err := s.ownCandidate(c, in); err != nil {
		return err
	}
	_, created, err := s.svc.UpsertCandidate(c.Request().Context(), in)
	if err != nil {
		return err
	}
	if created {
		report.Created++
	} else {
		report.Updated++
	}
	return nil
}

// isLineError tells a bad line (reported, import goes on) from a failure
// of the service (import stops).
func isLineError(err error) bool {
	var v *outreach.ValidationError
	var a *Error
	return errors.As(err, &v) || (errors.As(err, &a) && a.Status < 500)
}

func lineError(n int, err error) importLineError {
	var v *outreach.ValidationError
	var a *Error
	switch {
	case errors.As(err, &v):
		return importLineError{Line: n, Field: v.Field, Message: v.Error()}
	case errors.As(err, &a):
		return importLineError{Line: n, Field: a.Field, Message: a.Message}
	}
	return importLineError{Line: n, Message: "internal error"}
}

func ndjsonLines(r io.Reader) iter.Seq2[int, lineResult] {
	return func(yield func(int, lineResult) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		n := 0
		for sc.Scan() {
			n++
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var req candidateRequest
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			var err error
			if derr := dec.Decode(&req); derr != nil {
				err = jsonError(derr)
			} else if !utf8.Valid(line) {
				err = apiError(http.StatusBadRequest, "malformed_json", "line must be UTF-8 text", "")
			}
			if !yield(n, lineResult{req, err}) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			var maxErr *http.MaxBytesError
			if !errors.As(err, &maxErr) {
				err = apiError(http.StatusBadRequest, "malformed_body", err.Error(), "")
			}
			yield(n+1, lineResult{err: err})
		}
	}
}

// A CSV import has a header row naming its columns, in any order:
// external_id, first_name, phone, lat, lon, commune_code, mobility_km,
// rome_codes, skills, contract_types, available_from (YYYY-MM-DD),
// sms_consent, counsellor_id. Lists are separated by "|".
func csvLines(r io.Reader) iter.Seq2[int, lineResult] {
	return func(yield func(int, lineResult) bool) {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			yield(1, lineResult{err: apiError(http.StatusBadRequest, "malformed_csv", "missing header row", "")})
			return
		}
		col := map[string]int{}
		for i, h := range header {
			col[strings.TrimSpace(strings.ToLower(h))] = i
		}
		for _, name := range []string{"external_id", "first_name", "phone", "rome_codes", "sms_consent", "counsellor_id"} {
			if _, ok := col[name]; !ok {
				yield(1, lineResult{err: apiError(http.StatusBadRequest, "malformed_csv", "missing column "+name, name)})
				return
			}
		}
		for n := 2; ; n++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return
			}
			var req candidateRequest
			var parseErr *csv.ParseError
			switch {
			case err == nil:
				req, err = csvCandidate(rec, col)
			case errors.As(err, &parseErr):
				err = apiError(http.StatusBadRequest, "malformed_csv", err.Error(), "")
			default: // the body itself failed (too large, connection lost): stop
				yield(n, lineResult{err: err})
				return
			}
			if !yield(n, lineResult{req, err}) {
				return
			}
		}
	}
}

func csvCandidate(rec []string, col map[string]int) (candidateRequest, error) {
	get := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	list := func(name string) []string {
		if v := get(name); v != "" {
			return strings.Split(v, "|")
		}
		return nil
	}
	num := func(name string) (float64, error) {
		v := get(name)
		if v == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			return 0, &outreach.ValidationError{Field: name, Message: "must be a number"}
		}
		return f, nil
	}
	req := candidateRequest{ExternalID: get("external_id"), FirstName: get("first_name"), Phone: get("phone"),
		CommuneCode: get("commune_code"), ROMECodes: list("rome_codes"), Skills: list("skills"),
		ContractTypes: list("contract_types"), AvailableFrom: get("available_from")}
	var err error
	if req.MobilityKM, err = num("mobility_km"); err != nil {
		return req, err
	}
	lat, err := num("lat")
	if err != nil {
		return req, err
	}
	lon, err := num("lon")
	if err != nil {
		return req, err
	}
	if get("lat") != "" || get("lon") != "" {
		req.Location = &outreach.Point{Lat: lat, Lon: lon}
	}
	if v := get("sms_consent"); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return req, &outreach.ValidationError{Field: "sms_consent", Message: "must be true or false"}
		}
		req.SMSConsent = &b
	}
	id, err := strconv.ParseInt(get("counsellor_id"), 10, 64)
	if err != nil {
		return req, &outreach.ValidationError{Field: "counsellor_id", Message: "must be an integer id"}
	}
	req.CounsellorID = id
	return req, nil
}
