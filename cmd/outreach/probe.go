package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runProbe GETs a URL of a running process, by default /readyz on this
// host's HTTP_ADDR, and fails unless it answers 2xx within 3 seconds: the
// container healthcheck, as the image has no shell or curl.
func runProbe(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	target := ""
	switch len(args) {
	case 0:
		_, port, err := net.SplitHostPort(cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("probe: HTTP_ADDR %q: %w", cfg.HTTPAddr, err)
		}
		target = "http://127.0.0.1:" + port + "/readyz"
	case 1:
		target = args[0]
	default:
		return fmt.Errorf("probe [URL]: one URL at most: %w", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("probe %s: %d %s", target, res.StatusCode, body)
	}
	fmt.Fprintf(stdout, "%s: %d %s\n", target, res.StatusCode, body)
	return nil
}
