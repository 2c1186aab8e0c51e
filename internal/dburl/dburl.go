// Package dburl tells a PostgreSQL database URL from a SQLite file name
// and hides a URL's password, for the store, the config and the tests,
// which all take either in one setting (database, --db).
package dburl

import (
	"net/url"
	"strings"
)

// IsPostgres reports whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Redact returns database as it may be shown in logs and errors: a
// PostgreSQL URL without its password (and without a password= query
// parameter); a file name as it is.
func Redact(database string) string {
	if !IsPostgres(database) {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
