package outreach

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Finding the job title of an offer as a counsellor types it: the ROME
// job titles (appellations) whose label has words starting with the words
// typed, accents and case aside.

// JobTitleStore searches the ROME job titles.
type JobTitleStore interface {
	// SearchJobTitles lists at most limit job titles whose label has, for
	// every word of q, a word starting with it, accents, case and
	// punctuation aside ("boul" finds "Aide-boulanger / Aide-boulangère"),
	// or whose ROME code is q; those whose label starts with q's first
	// word first, then the shortest.
	SearchJobTitles(ctx context.Context, q string, limit int) ([]JobTitle, error)
}

// JobTitle is a job title of the ROME referential and the occupation it
// belongs to.
type JobTitle struct {
	Appellation int // OGR code
	Label       string
	ROMECode    string
	ROMELabel   string
}

// MaxJobTitleResults is the most job titles one search returns.
const MaxJobTitleResults = 50

// maxJobTitleQuery is the longest search accepted, in characters: the
// longest label has about 150.
const maxJobTitleQuery = 200

// SearchJobTitles finds the job titles matching what a counsellor typed
// (see JobTitleStore.SearchJobTitles), at most limit (1 to
// MaxJobTitleResults). A search without any letter or digit finds
// nothing.
func (s *Service) SearchJobTitles(ctx context.Context, q string, limit int) ([]JobTitle, error) {
	if limit < 1 || limit > MaxJobTitleResults {
		return nil, invalid("limit", "must be between 1 and %d", MaxJobTitleResults)
	}
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > maxJobTitleQuery {
		return nil, invalid("q", "must be at most %d characters", maxJobTitleQuery)
	}
	if !utf8.ValidString(q) || strings.ContainsRune(q, 0) { // PostgreSQL would refuse it
		return nil, invalid("q", "must be text")
	}
	if !strings.ContainsFunc(q, isWordRune) {
		return []JobTitle{}, nil
	}
	titles, err := s.store.SearchJobTitles(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("search job titles: %w", err)
	}
	return titles, nil
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0
}
