package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/charmap"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/config"
	"layan/internal/db"
)

// Email is "layan bench email": ingest N varied messages through the built-in
// SMTP listener (C concurrent clients) and through IMAP (one poller, as for
// one mailbox, ingesting each fetched batch with the service's ingest
// workers, against an in-process IMAP server on 127.0.0.1), each into a
// fresh SQLite database, and print throughput, latency and memory with the raw
// insert rate of the same database as ceiling. Only 127.0.0.1 is contacted.
func Email(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench email", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("messages", 10000, "messages per path")
	clients := fs.Int("clients", 8, "concurrent SMTP clients")
	imapWorkers := fs.Int("imap-workers", 0, "messages of the mailbox ingested at once (0: the service's default)")
	seed := fs.Uint64("seed", 1, "random seed of the message corpus")
	paths := fs.String("paths", "smtp,imap", "which paths to measure: smtp, imap or both")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *n < 1 || *clients < 1 {
		return errors.New("bench email: --messages and --clients must be positive")
	}
	msgs := emailCorpus(*n, *seed)
	var size int64
	for _, m := range msgs {
		size += int64(len(m))
	}
	fmt.Fprintf(stdout, "layan bench email: %d messages per path (%.1f MB, %d%% with attachments, replies, en/id/fa, HTML, windows-1256), %d SMTP clients, %d CPUs\n\n",
		*n, float64(size)/1e6, 10, *clients, numCPU())
	rows := [][]string{{"path", "messages", "ingested", "errors", "msg/s", "p50", "p99", "max", "tickets", "comments", "commits/msg", "CPU/msg", "raw insert/s", "peak RSS"}}
	for _, p := range strings.Split(*paths, ",") {
		var r emailResult
		var err error
		switch strings.TrimSpace(p) {
		case "smtp":
			r, err = benchSMTP(ctx, msgs, *clients)
		case "imap":
			r, err = benchIMAP(ctx, msgs, *imapWorkers)
		default:
			return fmt.Errorf("bench email: unknown path %q", p)
		}
		if err != nil {
			return fmt.Errorf("bench email %s: %w", p, err)
		}
		rows = append(rows, []string{r.name, commaInt(len(msgs)), commaInt(r.ingested), commaInt(r.errors),
			fmt.Sprintf("%.0f", float64(r.ingested)/r.elapsed.Seconds()), msStr(pctile(r.lat, 50)), msStr(pctile(r.lat, 99)),
			msStr(pctile(r.lat, 100)), commaInt(r.tickets), commaInt(r.comments), fmt.Sprintf("%.2f", r.perMsg),
			fmt.Sprintf("%.2f ms", float64(r.cpu.Microseconds())/1000/float64(max(r.ingested, 1))), fmt.Sprintf("%.0f", r.ceiling),
			fmt.Sprintf("%.0f MB", float64(peakRSS())/(1<<20))})
	}
	printTable(stdout, rows)
	fmt.Fprintln(stdout, "\nlatency: SMTP from MAIL FROM to the 250 after DATA (the message is committed before the 250); IMAP the ingest of one fetched message")
	fmt.Fprintln(stdout, "(parse, raw copy, dedupe, thread, ticket or comment) inside the poller's batches. raw insert/s: one INSERT per transaction, same database.")
	fmt.Fprintln(stdout, "CPU/msg: this process's CPU time per message during the run, the bench's own SMTP clients or IMAP server included.")
	return nil
}

type emailResult struct {
	name              string
	ingested, errors  int
	elapsed           time.Duration
	lat               []time.Duration
	tickets, comments int
	ceiling           float64
	// perMsg is SQLite commits per ingested message: below 1 when the
	// group commit shares commits between concurrent ingests.
	perMsg float64
	// cpu is this process's CPU time during the run (ingest, and the
	// bench's own SMTP clients or IMAP server): per message, a measure of
	// cost that does not depend on what else the machine runs.
	cpu time.Duration
}

// benchApp opens a fresh Layan in a temp dir with one support address.
func benchApp(ctx context.Context, ecfg email.Config) (*app.App, *email.Service, func(), error) {
	dir, err := os.MkdirTemp("", "layan-bench-email-")
	if err != nil {
		return nil, nil, nil, err
	}
	cfg := config.Defaults()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite://" + filepath.Join(dir, "layan.db")
	a, err := app.Open(ctx, cfg, app.Discard())
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	ecfg.AutoReplyLimit = 1 << 30
	svc := email.New(a.DB, a.Dir, a.Tickets, a.Blobs, a.Jobs, a.Bus, time.Now, app.Discard(), ecfg)
	cleanup := func() { a.Close(); os.RemoveAll(dir) }
	addr, grp := "support@bench.test", "Support"
	g, err := a.Dir.CreateGroup(ctx, auth.SystemActor(), grp, "")
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	if _, err := svc.AddAddress(ctx, auth.SystemActor(), email.AddressInput{Email: &addr, GroupID: &g.ID}); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return a, svc, cleanup, nil
}

func counts(ctx context.Context, d *db.DB) (tickets, comments int) {
	_ = d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&tickets)
	_ = d.R.QueryRowContext(ctx, `SELECT count(*) FROM comments`).Scan(&comments)
	return
}

func benchSMTP(ctx context.Context, msgs [][]byte, clients int) (emailResult, error) {
	a, svc, cleanup, err := benchApp(ctx, email.Config{})
	if err != nil {
		return emailResult{}, err
	}
	defer cleanup()
	l, err := svc.Listen("127.0.0.1:0")
	if err != nil {
		return emailResult{}, err
	}
	go func() { _ = l.Serve() }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Shutdown(sctx)
	}()
	var next atomic.Int64
	var mu sync.Mutex
	res := emailResult{name: "SMTP listener"}
	commits0, cpu0 := a.DB.Commits(), processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(l.Addr())
			if err != nil {
				mu.Lock()
				res.errors++
				mu.Unlock()
				return
			}
			defer c.Close()
			var lat []time.Duration
			errs, ok := 0, 0
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					break
				}
				t0 := time.Now()
				if err := c.SendMail("sender@example.test", []string{"support@bench.test"}, bytes.NewReader(msgs[i])); err != nil {
					errs++
					_ = c.Reset()
					continue
				}
				lat = append(lat, time.Since(t0))
				ok++
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			res.ingested += ok
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.perMsg = float64(a.DB.Commits()-commits0) / float64(max(res.ingested, 1))
	res.cpu = processCPU() - cpu0
	res.tickets, res.comments = counts(ctx, a.DB)
	res.ceiling = rawInsertRate(ctx, a.DB, 3000)
	return res, nil
}

func benchIMAP(ctx context.Context, msgs [][]byte, workers int) (emailResult, error) {
	var mu sync.Mutex
	res := emailResult{name: "IMAP poller"}
	observe := func(_, status string, took time.Duration) {
		mu.Lock()
		res.lat = append(res.lat, took)
		if status == "error" {
			res.errors++
		}
		mu.Unlock()
	}
	a, svc, cleanup, err := benchApp(ctx, email.Config{Observe: observe, IngestWorkers: workers})
	if err != nil {
		return emailResult{}, err
	}
	defer cleanup()
	// An in-process IMAP server on 127.0.0.1 holding the messages.
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("desk", "bench-pass")
	if err := user.Create("INBOX", nil); err != nil {
		return res, err
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	if err := appendAll(ln.Addr().String(), msgs); err != nil {
		return res, fmt.Errorf("fill mailbox: %w", err)
	}
	u := "imap://desk:bench-pass@" + ln.Addr().String() + "/INBOX?tls=none"
	list, err := svc.ListAddresses(ctx, auth.SystemActor())
	if err != nil || len(list) == 0 {
		return res, fmt.Errorf("no address: %v", err)
	}
	if _, err := svc.UpdateAddress(ctx, auth.SystemActor(), list[0].ID, email.AddressInput{IMAPURL: &u}); err != nil {
		return res, err
	}
	commits0, cpu0 := a.DB.Commits(), processCPU()
	start := time.Now()
	got, err := svc.PollOnce(ctx, list[0].ID)
	res.elapsed = time.Since(start)
	if err != nil {
		return res, err
	}
	res.ingested = got
	res.perMsg = float64(a.DB.Commits()-commits0) / float64(max(res.ingested, 1))
	res.cpu = processCPU() - cpu0
	res.tickets, res.comments = counts(ctx, a.DB)
	res.ceiling = rawInsertRate(ctx, a.DB, 3000)
	return res, nil
}

func appendAll(addr string, msgs [][]byte) error {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login("desk", "bench-pass").Wait(); err != nil {
		return err
	}
	for _, m := range msgs {
		cmd := c.Append("INBOX", int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if _, err := cmd.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// rawInsertRate is the ceiling: single-row INSERT transactions per second.
func rawInsertRate(ctx context.Context, d *db.DB, rows int) float64 {
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE bench_email_raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL)`); err != nil {
		return 0
	}
	defer func() { _, _ = d.W.ExecContext(context.Background(), `DROP TABLE bench_email_raw`) }()
	body := strings.Repeat("a message body of ordinary length ", 20)
	start := time.Now()
	for i := range rows {
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			return 0
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_email_raw (body, created_at) VALUES ($1, $2)`, body, i); err != nil {
			_ = tx.Rollback()
			return 0
		}
		if err := tx.Commit(); err != nil {
			return 0
		}
	}
	return float64(rows) / time.Since(start).Seconds()
}

// emailCorpus makes n varied messages: three languages, new requests and
// replies to earlier ones, plain and HTML, some with attachments, some in
// windows-1256, some without a Message-ID.
func emailCorpus(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 7))
	subjects := map[string][]string{
		"en": {"Where is my order?", "Refund request", "Cannot log in", "Invoice is wrong", "Delivery was late"},
		"id": {"Pesanan saya belum sampai", "Permintaan pengembalian dana", "Tidak bisa masuk", "Faktur salah", "Pengiriman terlambat"},
		"fa": {"سفارش من کجاست؟", "درخواست بازپرداخت", "نمی‌توانم وارد شوم", "فاکتور اشتباه است", "ارسال دیر شد"},
	}
	bodies := map[string][]string{
		"en": {"Hello, I ordered a blue kettle last week and it has not arrived yet. Can you check the status?",
			"The invoice shows the wrong amount, I was charged twice for the same item.",
			"I reset my password but the login page still says my account is locked."},
		"id": {"Halo, saya memesan ketel biru minggu lalu dan belum sampai. Bisakah dicek statusnya?",
			"Faktur menunjukkan jumlah yang salah, saya ditagih dua kali untuk barang yang sama.",
			"Saya sudah mengatur ulang kata sandi tetapi halaman masuk masih menyatakan akun saya terkunci."},
		"fa": {"سلام، هفته‌ی پیش یک کتری آبی سفارش دادم و هنوز نرسیده است. لطفاً وضعیت را بررسی کنید.",
			"در فاکتور مبلغ اشتباه است و برای یک کالا دو بار از من پول کسر شده است.",
			"رمز عبورم را بازنشانی کردم اما صفحه‌ی ورود هنوز می‌گوید حسابم قفل است."},
	}
	langs := []string{"en", "id", "fa"}
	attachment := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("receipt line 0123456789\n"), 400))
	var ids []string
	senders := map[string]string{}
	out := make([][]byte, 0, n)
	for i := range n {
		l := langs[r.IntN(3)]
		from := fmt.Sprintf("customer%d@example.test", r.IntN(500))
		subject := subjects[l][r.IntN(5)]
		body := bodies[l][r.IntN(3)] + fmt.Sprintf("\n\nRef %d", i)
		id := fmt.Sprintf("<bench-%d-%d@example.test>", seed, i)
		var h []string
		h = append(h, "From: "+from, "To: support@bench.test", "Date: "+time.Now().Format(time.RFC1123Z))
		if len(ids) > 10 && r.IntN(5) == 0 {
			// A reply by the same customer to one of their earlier messages.
			parent := ids[r.IntN(len(ids)-1)]
			from = senders[parent]
			h[0] = "From: " + from
			h = append(h, "In-Reply-To: "+parent, "References: "+parent)
			subject = "Re: " + subject
			body += "\n\nOn Mon, Support wrote:\n> Thank you for your message."
		}
		if r.IntN(20) != 0 {
			h = append(h, "Message-ID: "+id)
			ids = append(ids, id)
			senders[id] = from
		}
		h = append(h, "Subject: "+mimeWord(subject), "MIME-Version: 1.0")
		var b strings.Builder
		switch k := r.IntN(10); {
		case k == 0: // attachment
			h = append(h, `Content-Type: multipart/mixed; boundary="mix"`)
			b.WriteString("--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--mix\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"receipt.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
			for j := 0; j < len(attachment); j += 76 {
				b.WriteString(attachment[j:min(j+76, len(attachment))] + "\r\n")
			}
			b.WriteString("--mix--\r\n")
		case k < 4: // HTML alternative
			h = append(h, `Content-Type: multipart/alternative; boundary="alt"`)
			b.WriteString("--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div dir=\"auto\"><p>" +
				strings.ReplaceAll(body, "\n", "<br>") + "</p></div>\r\n--alt--\r\n")
		case k == 4 && l == "fa": // a legacy charset
			enc, err := charmap.Windows1256.NewEncoder().String(strings.NewReplacer("ی", "ي", "ک", "ك", "‌", " ").Replace(body))
			if err == nil {
				h = append(h, "Content-Type: text/plain; charset=windows-1256", "Content-Transfer-Encoding: 8bit")
				b.WriteString(enc + "\r\n")
				break
			}
			fallthrough
		default:
			h = append(h, "Content-Type: text/plain; charset=utf-8")
			b.WriteString(body + "\r\n")
		}
		out = append(out, []byte(strings.Join(h, "\r\n")+"\r\n\r\n"+strings.ReplaceAll(b.String(), "\n", "\r\n")))
		out[len(out)-1] = bytes.ReplaceAll(out[len(out)-1], []byte("\r\r\n"), []byte("\r\n"))
	}
	return out
}

func mimeWord(s string) string {
	for _, c := range s {
		if c > 127 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

func pctile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func msStr(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func commaInt(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func printTable(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				fmt.Fprint(w, c+pad)
			} else {
				fmt.Fprint(w, "  "+pad+c)
			}
		}
		fmt.Fprintln(w)
	}
}

func numCPU() int { return runtime.NumCPU() }

// peakRSS is VmHWM of this process, in bytes (0 where /proc is missing).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
