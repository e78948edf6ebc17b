// Command vulngate reads govulncheck's JSON output (-format json) on
// standard input and fails when the code calls a known vulnerability that
// nobody reviewed. govulncheck has no way to acknowledge a finding; some
// have no fixed version (a whole module flagged for a middleware we do not
// use), so the reviewed ones are listed, each with the reason it does not
// apply, in a file given as the only argument ("ID reason" per line, #
// comments). A reviewed ID that is no longer reported is said, so the list
// does not outlive its reasons.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// message is one object of govulncheck's JSON stream; only findings and
// the OSV entries they name matter here.
type message struct {
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: govulncheck -format json ./... | vulngate REVIEWED_FILE")
		os.Exit(2)
	}
	reviewed, err := readReviewed(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	called, summaries, err := calledVulns(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	failed := false
	for _, id := range slices.Sorted(maps.Keys(called)) {
		if reason, ok := reviewed[id]; ok {
			fmt.Printf("reviewed  %s %s: %s\n", id, called[id], reason)
			continue
		}
		failed = true
		fmt.Printf("CALLED    %s %s: %s\n", id, called[id], summaries[id])
	}
	for _, id := range slices.Sorted(maps.Keys(reviewed)) {
		if _, ok := called[id]; !ok {
			fmt.Printf("gone      %s is reviewed but no longer reported: remove it from %s\n", id, os.Args[1])
		}
	}
	if failed {
		fmt.Println("vulngate: the code calls vulnerabilities nobody reviewed: upgrade (see \"fixed in\" above) or review them")
		os.Exit(1)
	}
	fmt.Printf("vulngate: no unreviewed vulnerability called (%d reviewed)\n", len(called))
}

// calledVulns returns the vulnerabilities the code reaches (a finding
// whose trace starts at a function: symbol level), each with its module
// and version, and the summary of every OSV entry.
func calledVulns(r io.Reader) (map[string]string, map[string]string, error) {
	called, summaries := map[string]string{}, map[string]string{}
	dec := json.NewDecoder(r)
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("read govulncheck output: %w", err)
		}
		if m.OSV != nil {
			summaries[m.OSV.ID] = m.OSV.Summary
		}
		if f := m.Finding; f != nil && len(f.Trace) > 0 && f.Trace[0].Function != "" {
			called[f.OSV] = f.Trace[0].Module + "@" + f.Trace[0].Version
			if f.FixedVersion != "" {
				called[f.OSV] += " (fixed in " + f.FixedVersion + ")"
			}
		}
	}
	return called, summaries, nil
}

// readReviewed reads "ID reason" lines; a line without a reason is an
// error: a review says why.
func readReviewed(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason", path, n, id)
		}
		out[id] = strings.TrimSpace(reason)
	}
	return out, sc.Err()
}
