package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Open parses url (a postgres:// URL or a keyword/value string), connects a
// pool and pings the server, so a wrong URL fails at start-up rather than on
// the first query. Errors never contain the URL's password.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks passwords in parse errors on a best-effort basis only and
		// keeps the raw string reachable through Unwrap, so the chain is cut.
		return nil, fmt.Errorf("pgstore: open: %w", errors.New(scrub(err.Error(), secretsIn(url, ""))))
	}
	secrets := secretsIn(url, cfg.ConnConfig.Password)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", redact(err, secrets))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open: %w", redact(err, secrets))
	}
	return pool, nil
}

// redact keeps err (and its chain, for errors.Is) when its message holds no
// secret, and otherwise replaces it with a scrubbed message and no chain.
func redact(err error, secrets []string) error {
	msg := err.Error()
	if scrubbed := scrub(msg, secrets); scrubbed != msg {
		return errors.New(scrubbed)
	}
	return err
}

func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}

var (
	kvPassword  = regexp.MustCompile(`(?:^|\s)(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)
	urlUserinfo = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*:([^/]*)@`)
)

// secretsIn lists every spelling of the password a connection string may
// carry: the parsed one, the URL userinfo (raw and percent-encoded), the
// password and sslpassword query or keyword values, and a best-effort guess
// when the string does not parse. Longest first, so a secret containing
// another is scrubbed whole.
func secretsIn(connString, parsed string) []string {
	set := map[string]bool{parsed: true}
	if u, err := url.Parse(connString); err == nil && u.Scheme != "" {
		if p, ok := u.User.Password(); ok {
			set[p] = true
			set[url.PathEscape(p)] = true
			set[url.QueryEscape(p)] = true
		}
		for _, key := range []string{"password", "sslpassword"} {
			for _, v := range u.Query()[key] {
				set[v] = true
				set[url.QueryEscape(v)] = true
			}
		}
	}
	if m := urlUserinfo.FindStringSubmatch(connString); m != nil {
		set[m[1]] = true
	}
	for _, m := range kvPassword.FindAllStringSubmatch(connString, -1) {
		set[m[1]] = true
		set[strings.Trim(m[1], "'")] = true
	}
	delete(set, "")
	secrets := make([]string, 0, len(set))
	for s := range set {
		secrets = append(secrets, s)
	}
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return secrets
}
