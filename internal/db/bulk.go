package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BulkInsert writes many rows into table: COPY on PostgreSQL (one atomic
// statement, several times faster than INSERT), multi-row INSERTs in one
// transaction on SQLite. It is for rebuilds, imports and benchmarks, where
// millions of rows are written; values are int64, float64, string or nil.
func (d *DB) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if d.Dialect == Postgres {
		conn, err := d.W.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("bulk insert into %s: not a pgx connection", table)
			}
			n, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			if err != nil {
				return fmt.Errorf("copy into %s: %w", table, err)
			}
			if int(n) != len(rows) {
				return fmt.Errorf("copy into %s: %d of %d rows", table, n, len(rows))
			}
			return nil
		})
	}
	return d.WithTx(ctx, func(tx *sql.Tx) error { return InsertRows(ctx, d.Dialect, d.Prepared(tx), table, cols, rows) })
}

// Params returns n bind parameters from $start: "?, ?, ..." on SQLite,
// "$start, ..." on PostgreSQL. modernc.org/sqlite looks each $N up by name,
// which costs O(parameters²) per statement: an INSERT of 300 rows × 71
// columns took 12 s with $N and 19 ms with ?. Use it for long statements.
func (d Dialect) Params(start, n int) string {
	if d == Postgres {
		return Placeholders(start, n)
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// InsertRows writes rows with multi-row INSERT statements in the caller's
// transaction, up to 500 rows or 32,000 parameters per statement.
func InsertRows(ctx context.Context, dialect Dialect, q Querier, table string, cols []string, rows [][]any) error {
	per := max(1, min(500, 32000/len(cols)))
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	var full string // the statement for a whole chunk, built once and reused (prepared-statement cache)
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		stmt := full
		if stmt == "" || len(chunk) != per {
			var b strings.Builder
			b.WriteString(head)
			for i := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(" + dialect.Params(i*len(cols)+1, len(cols)) + ")")
			}
			stmt = b.String()
			if len(chunk) == per {
				full = stmt
			}
		}
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			if len(r) != len(cols) {
				return fmt.Errorf("insert into %s: a row has %d values for %d columns", table, len(r), len(cols))
			}
			args = append(args, r...)
		}
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}
