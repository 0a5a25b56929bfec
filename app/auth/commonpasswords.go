package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
)

// The list is generated, never edited by hand: the script fetches a pinned,
// checksummed npm package and normalises it. See its header for the source
// and licence.
//
//go:generate bash ../../scripts/gen-common-passwords
//go:embed commonpasswords.txt.gz
var commonPasswordsGz []byte

// commonPasswords parses the embedded list on first use only, so programs
// that never check a password (workers, migrations) do not pay ~5 MB and a
// few milliseconds at start-up. The map is never written after parsing.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m, err := parseCommonPasswords(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		// The file is part of the build; a broken one is a build error that
		// the package tests catch, never a run-time condition.
		panic(err)
	}
	return m
})

// IsCommonPassword reports whether pw, ignoring case and surrounding spaces,
// is in the embedded common-password list.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}

// parseCommonPasswords reads the gzipped list: leading lines starting with
// "# " are the header (source, licence); every other non-empty line is one
// password. Only leading lines are header, because "#name?" is a real entry.
func parseCommonPasswords(r io.Reader) (map[string]struct{}, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("auth: common passwords: %w", err)
	}
	defer zr.Close()

	m := make(map[string]struct{}, 50000)
	header := true
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if header && strings.HasPrefix(line, "# ") {
			continue
		}
		header = false
		if line = strings.ToLower(strings.TrimSpace(line)); line != "" {
			m[line] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: common passwords: %w", err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("auth: common passwords: list is empty")
	}
	return m, nil
}
