// Package demo fills an empty workspace with a small, believable help desk in
// English, Indonesian and Persian, so a first start has something to show.
package demo

import (
	"context"
	"fmt"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/ticket"
)

// AdminEmail is the demo administrator's login.
const AdminEmail = "admin@layan.local"

type person struct {
	name, email, role, locale, tz string
	groups                        []int
	org                           int // index+1 into orgs; 0 none
}

type demoTicket struct {
	subject, body, priority, status string
	requester, assignee, group      int // indexes into people / groups (-1 none)
	tags                            []string
	reply                           string
}

// Seed creates the demo workspace and returns the admin's login.
func Seed(ctx context.Context, dir *directory.Service, tickets *ticket.Service) (string, string, error) {
	sys := auth.SystemActor()
	groupNames := []string{"Dukungan Pelanggan", "پشتیبانی", "Billing"}
	var groups []directory.Group
	for _, n := range groupNames {
		g, err := dir.CreateGroup(ctx, sys, n, "")
		if err != nil {
			return "", "", fmt.Errorf("demo group: %w", err)
		}
		groups = append(groups, g)
	}
	orgs := []directory.OrgInput{
		{Name: "Toko Nusantara", DomainNames: []string{"nusantara.example"}, SharedTickets: true, SharedComments: true},
		{Name: "شرکت آریا", DomainNames: []string{"arya.example"}},
		{Name: "Northwind Traders", DomainNames: []string{"northwind.example"}},
	}
	var orgIDs []int64
	for _, o := range orgs {
		created, err := dir.CreateOrganization(ctx, sys, o)
		if err != nil {
			return "", "", fmt.Errorf("demo organization: %w", err)
		}
		orgIDs = append(orgIDs, created.ID)
	}
	password := auth.GeneratePassword()
	people := []person{
		{"Admin Layan", AdminEmail, auth.RoleAdmin, "en", "UTC", []int{0, 1, 2}, 0},
		{"Sari Wulandari", "sari@layan.local", auth.RoleAgent, "id", "Asia/Jakarta", []int{0}, 0},
		{"مریم احمدی", "maryam@layan.local", auth.RoleAgent, "fa", "Asia/Tehran", []int{1}, 0},
		{"Tom Baker", "tom@layan.local", auth.RoleAgent, "en", "Europe/London", []int{2}, 0},
		{"Gudang (Fulfilment)", "gudang@layan.local", auth.RoleLightAgent, "id", "Asia/Jakarta", nil, 0},
		{"Budi Santoso", "budi@nusantara.example", auth.RoleEndUser, "id", "Asia/Jakarta", nil, 1},
		{"Dewi Lestari", "dewi@nusantara.example", auth.RoleEndUser, "id", "Asia/Makassar", nil, 1},
		{"رضا کریمی", "reza@arya.example", auth.RoleEndUser, "fa", "Asia/Tehran", nil, 2},
		{"Alice Moore", "alice@northwind.example", auth.RoleEndUser, "en", "America/New_York", nil, 3},
	}
	var users []directory.User
	for i, p := range people {
		in := directory.UserInput{Name: p.name, Email: p.email, Role: p.role, Locale: p.locale, TimeZone: p.tz, Verified: true}
		if p.org > 0 {
			in.OrganizationID = orgIDs[p.org-1]
		}
		if i == 0 {
			in.Password = password
		}
		u, err := dir.CreateUser(ctx, sys, in)
		if err != nil {
			return "", "", fmt.Errorf("demo user %s: %w", p.email, err)
		}
		for _, g := range p.groups {
			if err := dir.AddMember(ctx, sys, u.ID, groups[g].ID); err != nil {
				return "", "", err
			}
		}
		users = append(users, u)
	}
	ownerID := users[1].ID
	if _, err := dir.UpdateOrganization(ctx, sys, orgIDs[0], directory.OrgPatch{AccountOwnerID: &ownerID}); err != nil {
		return "", "", err
	}
	list := []demoTicket{
		{"Paket belum sampai setelah 5 hari", "Halo, saya memesan sepatu minggu lalu (pesanan #NUS-1042) tapi paketnya belum sampai. Mohon dicek.", "high", "open", 5, 1, 0, []string{"pengiriman"}, "Halo Pak Budi, kami sudah menghubungi kurir. Paket Anda akan tiba besok."},
		{"Tidak bisa masuk ke akun", "Saya lupa kata sandi dan email reset tidak masuk.", "normal", "new", 6, -1, 0, []string{"akun"}, ""},
		{"سفارش من هنوز نرسیده است", "سلام، سفارش شماره ۲۳۱۵ را ده روز پیش ثبت کردم ولی هنوز نرسیده. لطفاً پیگیری کنید.", "high", "pending", 7, 2, 1, []string{"ارسال"}, "سلام آقای کریمی، سفارش شما از انبار خارج شده و تا دو روز دیگر می‌رسد."},
		{"درخواست بازگشت وجه", "کالای دریافتی آسیب دیده بود. می‌خواهم وجه را پس بگیرم.", "normal", "open", 7, 2, 1, []string{"بازپرداخت"}, ""},
		{"Invoice shows the wrong VAT number", "Our March invoice lists an old VAT number. Could you reissue it?", "normal", "solved", 8, 3, 2, []string{"invoice"}, "Hi Alice, we have reissued the invoice with the correct VAT number."},
		{"Bulk order discount", "We would like to order 500 units. Is there a volume discount?", "low", "open", 8, -1, 2, []string{"sales"}, ""},
	}
	for _, d := range list {
		nt := ticket.NewTicket{Subject: d.subject, Priority: d.priority, RequesterID: users[d.requester].ID,
			GroupID: groups[d.group].ID, Tags: d.tags, Via: "web", Comment: ticket.NewComment{Body: d.body}}
		if d.assignee >= 0 {
			nt.AssigneeID = users[d.assignee].ID
		}
		t, err := tickets.Create(ctx, sys, nt)
		if err != nil {
			return "", "", fmt.Errorf("demo ticket: %w", err)
		}
		if d.reply != "" {
			agent, err := dir.ActorFor(ctx, users[d.assignee].ID)
			if err != nil {
				return "", "", err
			}
			status := d.status
			if _, err := tickets.Update(ctx, agent, t.ID, ticket.Patch{Status: &status, Comment: &ticket.NewComment{Body: d.reply, Via: "web"}}); err != nil {
				return "", "", fmt.Errorf("demo reply: %w", err)
			}
		}
	}
	return AdminEmail, password, nil
}
