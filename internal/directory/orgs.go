package directory

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

const orgColumns = `id, name, details, notes, COALESCE(external_id, ''), COALESCE(group_id, 0), shared_tickets,
	shared_comments, tags, COALESCE(account_owner_id, 0), created_at, updated_at`

func scanOrg(sc interface{ Scan(...any) error }) (Organization, error) {
	var o Organization
	var tags string
	var c, u int64
	err := sc.Scan(&o.ID, &o.Name, &o.Details, &o.Notes, &o.ExternalID, &o.GroupID, &o.SharedTickets,
		&o.SharedComments, &tags, &o.AccountOwnerID, &c, &u)
	o.Tags = SplitTags(tags)
	o.CreatedAt, o.UpdatedAt = db.Time(c), db.Time(u)
	return o, err
}

func (s *Service) validateOrg(ctx context.Context, in *OrgInput) error {
	in.Name = strings.TrimSpace(in.Name)
	if err := checkText("name", in.Name, 255, true); err != nil {
		return err
	}
	for _, f := range []struct{ n, v string }{{"details", in.Details}, {"notes", in.Notes}} {
		if err := checkText(f.n, f.v, 10000, false); err != nil {
			return err
		}
	}
	if err := checkText("external_id", in.ExternalID, 255, false); err != nil {
		return err
	}
	var err error
	if in.Tags, err = NormalizeTags(in.Tags); err != nil {
		return err
	}
	domains := []string{}
	for _, d := range in.DomainNames {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if _, err := NormalizeEmail("domain_names", "x@"+d); err != nil {
			return apperr.Invalid("domain_names", "invalid_domain", "contains an invalid domain")
		}
		domains = append(domains, d)
	}
	in.DomainNames = domains
	if in.AccountOwnerID != 0 {
		u, err := getUser(ctx, s.db.R, "id = $1", in.AccountOwnerID)
		if err != nil || u.Role == auth.RoleEndUser {
			return apperr.Invalid("account_owner_id", "not_staff", "must be an agent")
		}
	}
	return nil
}

func orgErr(err error) error {
	switch {
	case db.IsUniqueViolation(err) && strings.Contains(err.Error(), "external_id"):
		return apperr.Invalid("external_id", "taken", "is already used by another organization")
	case db.IsUniqueViolation(err) && strings.Contains(err.Error(), "domain"):
		return apperr.Invalid("domain_names", "taken", "a domain already belongs to another organization")
	case db.IsUniqueViolation(err):
		return apperr.Invalid("name", "taken", "is already used by another organization")
	case db.IsForeignKeyViolation(err):
		return apperr.Invalid("group_id", "not_found", "refers to a group that does not exist")
	}
	return err
}

func (s *Service) saveDomains(ctx context.Context, tx *sql.Tx, orgID int64, domains []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM organization_domains WHERE organization_id = $1`, orgID); err != nil {
		return err
	}
	for _, d := range domains {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)`, d, orgID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) loadOrg(ctx context.Context, q db.Querier, id int64) (Organization, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFound("organization")
	}
	if err != nil {
		return o, err
	}
	rows, err := q.QueryContext(ctx, `SELECT domain FROM organization_domains WHERE organization_id = $1 ORDER BY domain`, id)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	o.DomainNames = []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return o, err
		}
		o.DomainNames = append(o.DomainNames, d)
	}
	return o, rows.Err()
}

// CreateOrganization adds an organisation (admins and agents).
func (s *Service) CreateOrganization(ctx context.Context, a auth.Actor, in OrgInput) (Organization, error) {
	if !a.CanEditTickets() {
		return Organization{}, apperr.Forbidden("create organizations")
	}
	if err := s.validateOrg(ctx, &in); err != nil {
		return Organization{}, err
	}
	var o Organization
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var id int64
		now := db.Millis(s.now())
		err := tx.QueryRowContext(ctx, `INSERT INTO organizations (name, details, notes, external_id, group_id, shared_tickets,
			shared_comments, tags, account_owner_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10) RETURNING id`,
			in.Name, in.Details, in.Notes, nullStr(in.ExternalID), db.NullID(in.GroupID), in.SharedTickets, in.SharedComments,
			JoinTags(in.Tags), db.NullID(in.AccountOwnerID), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := s.saveDomains(ctx, tx, id, in.DomainNames); err != nil {
			return err
		}
		o, err = s.loadOrg(ctx, tx, id)
		return err
	})
	return o, orgErr(err)
}

// UpdateOrganization changes an organisation (admins and agents).
func (s *Service) UpdateOrganization(ctx context.Context, a auth.Actor, id int64, p OrgPatch) (Organization, error) {
	if !a.CanEditTickets() {
		return Organization{}, apperr.Forbidden("change organizations")
	}
	cur, err := s.loadOrg(ctx, s.db.R, id)
	if err != nil {
		return cur, err
	}
	in := OrgInput{Name: cur.Name, Details: cur.Details, Notes: cur.Notes, ExternalID: cur.ExternalID, GroupID: cur.GroupID,
		SharedTickets: cur.SharedTickets, SharedComments: cur.SharedComments, Tags: cur.Tags, DomainNames: cur.DomainNames,
		AccountOwnerID: cur.AccountOwnerID}
	setS := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setS(&in.Name, p.Name)
	setS(&in.Details, p.Details)
	setS(&in.Notes, p.Notes)
	setS(&in.ExternalID, p.ExternalID)
	if p.GroupID != nil {
		in.GroupID = *p.GroupID
	}
	if p.SharedTickets != nil {
		in.SharedTickets = *p.SharedTickets
	}
	if p.SharedComments != nil {
		in.SharedComments = *p.SharedComments
	}
	if p.Tags != nil {
		in.Tags = *p.Tags
	}
	if p.DomainNames != nil {
		in.DomainNames = *p.DomainNames
	}
	if p.AccountOwnerID != nil {
		in.AccountOwnerID = *p.AccountOwnerID
	}
	if err := s.validateOrg(ctx, &in); err != nil {
		return Organization{}, err
	}
	var o Organization
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE organizations SET name=$1, details=$2, notes=$3, external_id=$4, group_id=$5,
			shared_tickets=$6, shared_comments=$7, tags=$8, account_owner_id=$9, updated_at=$10 WHERE id=$11`,
			in.Name, in.Details, in.Notes, nullStr(in.ExternalID), db.NullID(in.GroupID), in.SharedTickets, in.SharedComments,
			JoinTags(in.Tags), db.NullID(in.AccountOwnerID), db.Millis(s.now()), id)
		if err != nil {
			return err
		}
		if p.DomainNames != nil {
			if err := s.saveDomains(ctx, tx, id, in.DomainNames); err != nil {
				return err
			}
		}
		o, err = s.loadOrg(ctx, tx, id)
		return err
	})
	return o, orgErr(err)
}

// DeleteOrganization removes an organisation (admins); its users and tickets stay, unlinked.
func (s *Service) DeleteOrganization(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("delete organizations")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET organization_id = NULL WHERE organization_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("organization")
		}
		return nil
	})
}

// GetOrganization reads one: staff any, a customer only their own.
func (s *Service) GetOrganization(ctx context.Context, a auth.Actor, id int64) (Organization, error) {
	if !a.IsStaff() && !a.System && a.OrganizationID != id {
		return Organization{}, apperr.NotFound("organization")
	}
	return s.loadOrg(ctx, s.db.R, id)
}

// ListOrganizations pages through organisations (staff).
func (s *Service) ListOrganizations(ctx context.Context, a auth.Actor, p Page) ([]Organization, int, error) {
	if !a.IsStaff() && !a.System {
		return nil, 0, apperr.Forbidden("list organizations")
	}
	p = p.Normalize()
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM organizations`).Scan(&total); err != nil {
		return nil, 0, err
	}
	var rows *sql.Rows
	var err error
	if p.Keyset {
		rows, err = s.db.R.QueryContext(ctx, `SELECT id FROM organizations WHERE id > $1 ORDER BY id LIMIT $2`, p.After, p.PerPage+1)
	} else {
		rows, err = s.db.R.QueryContext(ctx, `SELECT id FROM organizations ORDER BY id LIMIT $1 OFFSET $2`, p.PerPage, p.Offset())
	}
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Organization{}
	for _, id := range ids {
		o, err := s.loadOrg(ctx, s.db.R, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, nil
}

// SearchOrganizations matches names (staff).
func (s *Service) SearchOrganizations(ctx context.Context, a auth.Actor, query string, limit int) ([]Organization, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("search organizations")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM organizations WHERE lower(name) LIKE $1 ESCAPE '\' ORDER BY id LIMIT $2`,
		"%"+escapeLike(strings.ToLower(query))+"%", limit)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Organization{}
	for _, id := range ids {
		o, err := s.loadOrg(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
