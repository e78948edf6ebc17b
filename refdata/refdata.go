// Package refdata holds the reference data the product needs at run time,
// embedded in the binary: the ROME 4.0 occupation referential published by
// France Travail and the French communes with their coordinates. See
// SOURCES.md for origins, licences and the attribution they require.
package refdata

import (
	"compress/gzip"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

//go:embed data/*.csv.gz
var files embed.FS

// readCSV decodes the embedded gzipped CSV file name, checks that its header
// is exactly header, and calls row for every record. The record slice is
// reused between calls.
func readCSV(name string, header []string, row func(rec []string) error) error {
	f, err := files.Open("data/" + name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("gunzip %s: %w", name, err)
	}
	defer zr.Close()

	r := csv.NewReader(zr)
	r.ReuseRecord = true
	r.FieldsPerRecord = len(header)
	got, err := r.Read()
	if err != nil {
		return fmt.Errorf("read %s header: %w", name, err)
	}
	if !slices.Equal(got, header) {
		return fmt.Errorf("%s: header %v, want %v", name, got, header)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := row(rec); err != nil {
			line, _ := r.FieldPos(0)
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
	}
}

// atoi parses a decimal integer field; the empty string reads as zero.
func atoi(field, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return n, nil
}
