package db

// Commits is the number of group commits so far (0 where there is no group commit).
func (d *DB) Commits() int64 {
	if d.group == nil {
		return 0
	}
	return d.group.commits.Load()
}
