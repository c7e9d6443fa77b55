package ui

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// topCursor is a keyset cursor that lies before the first row of a list in
// the given order, so the first page of a view is a cursor page too.
//
// Why: ticket.Service.List counts every matching row on offset pages, and on
// SQLite that count (25,000 open tickets of 100,000) costs ~30 ms, more than
// the whole page may take. Cursor pages skip the count; the inbox takes its
// counts from countCache instead. This relies on the cursor format of
// package ticket (base64 of "i:<int>" or "s:<text>", NUL, id);
// TestTopCursorMatchesFirstPage fails if that format changes. A
// ListQuery.NoCount option in package ticket would make this unnecessary.
func topCursor(sort string, desc bool) string {
	var v string
	var id int64
	switch {
	case sort == "subject" && desc:
		v, id = "s:"+strings.Repeat("\U0010FFFF", 4), math.MaxInt64
	case sort == "subject":
		v, id = "s:", 0
	case desc:
		v, id = "i:"+strconv.FormatInt(math.MaxInt64, 10), math.MaxInt64
	default:
		v, id = "i:"+strconv.FormatInt(math.MinInt64, 10), 0
	}
	return base64.RawURLEncoding.EncodeToString([]byte(v + "\x00" + strconv.FormatInt(id, 10)))
}
