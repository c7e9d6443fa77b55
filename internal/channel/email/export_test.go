package email

// Hooks for the external tests.

var (
	StripQuotes     = stripQuotes
	StripHTMLQuotes = stripHTMLQuotes
)

// ParseForTest exposes the parser.
func ParseForTest(raw []byte) (subject, text, html string, parts int, err error) {
	p, err := parse(raw)
	if err != nil {
		return "", "", "", 0, err
	}
	return p.Subject, p.Text, p.HTML, len(p.Parts), nil
}

// ThreadToken returns a ticket's reply token.
func (s *Service) ThreadToken(ticketID int64) string {
	var tok string
	_ = s.db.R.QueryRow(`SELECT token FROM email_threads WHERE ticket_id = $1`, ticketID).Scan(&tok)
	return tok
}
