package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
)

// sortColumns maps API sort names to columns; each index covers its use.
var sortColumns = map[string]string{
	"":           "t.updated_at",
	"updated_at": "t.updated_at",
	"created_at": "t.created_at",
	"id":         "t.id",
	"status":     "t.status",
	"priority":   "t.priority",
	"subject":    "t.subject",
}

// ListResult is one page of tickets.
type ListResult struct {
	Tickets []Ticket
	Count   int    // total matching (offset pages only)
	HasMore bool   // cursor pages
	After   string // cursor of the last ticket
	Before  string // cursor of the first ticket
}

// where builds the filter of a list query after the visibility scope.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for range args {
		w.args = append(w.args, nil)
	}
	// Renumber the "?" placeholders of cond to $N in order.
	n := len(w.args) - len(args)
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			w.args[n-1] = args[i]
			i++
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.conds, " AND ")
}

// List returns a page of tickets the actor may see: offset pages with a total
// count, or keyset (cursor) pages that stay fast however deep they go.
func (s *Service) List(ctx context.Context, a auth.Actor, q ListQuery) (ListResult, error) {
	col, ok := sortColumns[q.Sort]
	if !ok {
		return ListResult{}, apperr.Invalid("sort_by", "invalid", "cannot sort by "+q.Sort)
	}
	if q.PerPage <= 0 || q.PerPage > 100 {
		q.PerPage = 100
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	rule := s.visibility(ctx, a)
	var w where
	w.add("t.deleted_at IS NULL")
	sc := rule.sql(1)
	w.conds = append(w.conds, sc.cond)
	w.args = append(w.args, sc.args...)
	if len(q.Statuses) > 0 {
		ph := make([]string, len(q.Statuses))
		args := make([]any, len(q.Statuses))
		for i, st := range q.Statuses {
			if err := checkEnum("status", st, Statuses, false); err != nil {
				return ListResult{}, err
			}
			ph[i], args[i] = "?", st
		}
		w.add("t.status IN ("+strings.Join(ph, ", ")+")", args...)
	}
	switch {
	case q.AssigneeID == -1:
		w.add("t.assignee_id IS NULL")
	case q.AssigneeID > 0:
		w.add("t.assignee_id = ?", q.AssigneeID)
	}
	if q.GroupID > 0 {
		w.add("t.group_id = ?", q.GroupID)
	}
	if q.RequesterID > 0 {
		w.add("t.requester_id = ?", q.RequesterID)
	}
	if q.OrganizationID > 0 {
		w.add("t.organization_id = ?", q.OrganizationID)
	}
	return s.page(ctx, w, col, q)
}

func (s *Service) page(ctx context.Context, w where, col string, q ListQuery) (ListResult, error) {
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	var res ListResult
	cursor := q.Keyset || q.After != "" || q.Before != ""
	reverse := false
	if q.After != "" || q.Before != "" {
		c := q.After
		if q.Before != "" {
			c, reverse = q.Before, true
			if cmp == ">" {
				cmp = "<"
			} else {
				cmp = ">"
			}
		}
		v, id, err := decodeCursor(c)
		if err != nil {
			return res, err
		}
		w.add("("+col+" "+cmp+" ? OR ("+col+" = ? AND t.id "+cmp+" ?))", v, v, id)
	}
	if !cursor {
		n, err := s.counts.count(ctx, s.db.R, w.sql(), w.args)
		if err != nil {
			return res, err
		}
		res.Count = n
	}
	order := dir
	if reverse {
		order = map[string]string{"ASC": "DESC", "DESC": "ASC"}[dir]
	}
	args := append(w.args, q.PerPage+1) // one extra row says whether there is more
	sqlq := `SELECT ` + ticketColumns + ` FROM tickets t WHERE ` + w.sql() + ` ORDER BY ` + col + ` ` + order +
		`, t.id ` + order + ` LIMIT $` + strconv.Itoa(len(args))
	if !cursor {
		args = append(args, (q.Page-1)*q.PerPage)
		sqlq += ` OFFSET $` + strconv.Itoa(len(args))
	}
	tickets, err := queryTickets(ctx, s.db.R, sqlq, args...)
	if err != nil {
		return res, err
	}
	if len(tickets) > q.PerPage {
		res.HasMore = true
		tickets = tickets[:q.PerPage]
	}
	if reverse {
		for i, j := 0, len(tickets)-1; i < j; i, j = i+1, j-1 {
			tickets[i], tickets[j] = tickets[j], tickets[i]
		}
	}
	res.Tickets = tickets
	if len(tickets) > 0 {
		res.Before = encodeCursor(sortValue(col, tickets[0]), tickets[0].ID)
		res.After = encodeCursor(sortValue(col, tickets[len(tickets)-1]), tickets[len(tickets)-1].ID)
	}
	return res, nil
}

func sortValue(col string, t Ticket) any {
	switch col {
	case "t.created_at":
		return t.CreatedAt.UnixMilli()
	case "t.id":
		return t.ID
	case "t.status":
		return t.Status
	case "t.priority":
		return t.Priority
	case "t.subject":
		return t.Subject
	}
	return t.UpdatedAt.UnixMilli()
}

// Cursors are opaque to clients: base64 of "i:<int>:<id>" or "s:<text>:<id>".
func encodeCursor(v any, id int64) string {
	var s string
	switch x := v.(type) {
	case int64:
		s = "i:" + strconv.FormatInt(x, 10)
	default:
		s = "s:" + fmt.Sprint(x)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s + "\x00" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (any, int64, error) {
	bad := apperr.Invalid("page[after]", "invalid_cursor", "is not a cursor this server gave out")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 3 {
		return nil, 0, bad
	}
	val, idStr, ok := strings.Cut(string(raw), "\x00")
	if !ok {
		return nil, 0, bad
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return nil, 0, bad
	}
	switch val[:2] {
	case "i:":
		n, err := strconv.ParseInt(val[2:], 10, 64)
		if err != nil {
			return nil, 0, bad
		}
		return n, id, nil
	case "s:":
		return val[2:], id, nil
	}
	return nil, 0, bad
}
