package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The corpus: help-desk messages in English, Indonesian and Persian, of
// varied length, with order numbers (a growing vocabulary, as in real mail)
// and a sprinkling of rare words so that searches have selective hits.

type language struct {
	code      string
	subjects  []string
	sentences []string
	replies   []string
	phrases   []string // quoted searches that occur in the sentences
	orderNo   string   // a sentence with %s for an order number
}

var languages = []language{
	{
		code: "en",
		subjects: []string{"Cannot log in to my account", "Refund request", "Order has not arrived",
			"Payment error at checkout", "Change the shipping address", "App crashes on start",
			"Invoice charged twice", "Question about the business plan", "CSV export fails",
			"Password reset email missing", "Damaged package", "Discount code not accepted"},
		sentences: []string{
			"Hi, I can't log in to my account since yesterday.",
			"My order still hasn't arrived although it has been more than a week.",
			"Please refund my payment, the item arrived damaged.",
			"I forgot my password and the reset email never arrives.",
			"This month's invoice was charged twice to my credit card.",
			"The app keeps crashing on my phone after the latest update.",
			"How can I change the shipping address on my order?",
			"The discount code does not work on the checkout page.",
			"Thanks for your help, but the problem is still not solved.",
			"Please call me back as soon as possible.",
			"The package I received was damaged and some items are missing.",
			"We would like to upgrade our plan to the business tier for twelve seats.",
			"Exporting the monthly report to CSV fails with an unknown error.",
			"I have attached a screenshot of the error message.",
			"Our whole team is blocked until this is fixed.",
			"Could you tell me when the replacement will be shipped?",
		},
		replies: []string{
			"Thanks for reaching out, I have forwarded this to our billing team.",
			"Could you send us the order number and a photo of the package?",
			"I have reset your account; please try to log in again.",
			"The refund was issued today and should appear within five working days.",
			"Internal note: customer is on the legacy plan, check the contract first.",
		},
		phrases: []string{"reset email", "credit card", "shipping address", "business tier"},
		orderNo: "My order number is %s.",
	},
	{
		code: "id",
		subjects: []string{"Tidak bisa masuk akun", "Permintaan pengembalian dana", "Pesanan belum sampai",
			"Kesalahan pembayaran", "Ganti alamat pengiriman", "Aplikasi sering tertutup",
			"Tagihan terpotong dua kali", "Pertanyaan tentang paket bisnis", "Ekspor laporan gagal",
			"Email atur ulang kata sandi tidak datang", "Paket rusak", "Kode diskon tidak berlaku"},
		sentences: []string{
			"Halo, saya tidak bisa masuk ke akun saya sejak kemarin.",
			"Pesanan saya belum sampai padahal sudah lewat seminggu.",
			"Mohon kembalikan dana saya karena barangnya rusak.",
			"Saya lupa kata sandi dan email pemulihan tidak pernah datang.",
			"Tagihan bulan ini terpotong dua kali dari kartu kredit saya.",
			"Aplikasinya selalu tertutup sendiri di ponsel saya setelah pembaruan terakhir.",
			"Bagaimana cara mengubah alamat pengiriman pesanan saya?",
			"Kode diskon tidak berfungsi di halaman pembayaran.",
			"Terima kasih atas bantuannya, tetapi masalahnya belum terselesaikan.",
			"Tolong hubungi saya secepatnya.",
			"Paket yang saya terima dalam keadaan rusak dan beberapa barang hilang.",
			"Kami ingin meningkatkan langganan ke paket bisnis untuk dua belas pengguna.",
			"Ekspor laporan bulanan ke CSV selalu gagal dengan pesan kesalahan.",
			"Saya lampirkan tangkapan layar dari pesan kesalahannya.",
			"Seluruh tim kami tidak bisa bekerja sampai masalah ini diperbaiki.",
			"Kapan barang penggantinya akan dikirimkan?",
		},
		replies: []string{
			"Terima kasih telah menghubungi kami, sudah saya teruskan ke tim penagihan.",
			"Bisakah Anda mengirimkan nomor pesanan dan foto paketnya?",
			"Akun Anda sudah kami atur ulang; silakan coba masuk lagi.",
			"Dana sudah dikembalikan hari ini dan akan masuk dalam lima hari kerja.",
			"Catatan internal: pelanggan memakai paket lama, periksa kontraknya dulu.",
		},
		phrases: []string{"kata sandi", "kartu kredit", "alamat pengiriman", "paket bisnis"},
		orderNo: "Nomor pesanan saya adalah %s.",
	},
	{
		code: "fa",
		subjects: []string{"مشکل ورود به حساب", "درخواست بازپرداخت", "سفارش نرسیده",
			"خطا در پرداخت", "تغییر آدرس ارسال", "برنامه بسته می‌شود",
			"فاکتور دو بار کسر شده", "سؤال درباره طرح تجاری", "خروجی گزارش کار نمی‌کند",
			"ایمیل بازیابی رمز عبور نمی‌آید", "بسته آسیب دیده", "کد تخفیف پذیرفته نمی‌شود"},
		sentences: []string{
			"سلام، از دیروز نمی‌توانم وارد حساب کاربری‌ام شوم.",
			"سفارش من با اینکه بیش از یک هفته گذشته هنوز به دستم نرسیده است.",
			"لطفاً مبلغ پرداختی را برگردانید، کالا آسیب دیده رسید.",
			"رمز عبورم را فراموش کرده‌ام و ایمیل بازیابی هیچ‌وقت نمی‌آید.",
			"فاکتور این ماه دو بار از کارت اعتباری من کسر شده است.",
			"برنامه بعد از آخرین به‌روزرسانی مدام روی گوشی من بسته می‌شود.",
			"چطور می‌توانم آدرس ارسال سفارشم را تغییر دهم؟",
			"کد تخفیف در صفحهٔ پرداخت کار نمی‌کند.",
			"از کمک شما متشکرم، اما مشکل هنوز حل نشده است.",
			"لطفاً هر چه زودتر با من تماس بگیرید.",
			"بسته‌ای که دریافت کردم آسیب دیده بود و چند قلم کالا کم است.",
			"می‌خواهیم اشتراک خود را برای دوازده کاربر به طرح تجاری ارتقا دهیم.",
			"خروجی گرفتن از گزارش ماهانه به CSV با یک خطای ناشناخته متوقف می‌شود.",
			"تصویری از پیام خطا پیوست کرده‌ام.",
			"کل تیم ما تا رفع این مشکل نمی‌تواند کار کند.",
			"کالای جایگزین کی ارسال می‌شود؟",
		},
		replies: []string{
			"از تماس شما سپاسگزاریم، موضوع را به تیم مالی ارجاع دادم.",
			"لطفاً شماره سفارش و عکسی از بسته را برای ما بفرستید.",
			"حساب شما را بازنشانی کردیم؛ لطفاً دوباره وارد شوید.",
			"مبلغ امروز برگشت داده شد و ظرف پنج روز کاری به حساب شما می‌رسد.",
			"یادداشت داخلی: مشتری روی طرح قدیمی است، اول قرارداد را بررسی کنید.",
		},
		phrases: []string{"آدرس ارسال", "کد تخفیف", "کارت اعتباری", "طرح تجاری"},
		orderNo: "شماره سفارش من %s است.",
	},
}

// rareWords each appear in about 0.03% of tickets (30 per 100,000).
var rareWords = func() []string {
	stems := []string{"kestrel", "quokka", "zephyr", "obsidian", "marzipan", "tamarind", "sextant", "halyard", "gnomon", "vellum"}
	out := make([]string, 0, 100)
	for i := 0; i < 100; i++ {
		out = append(out, stems[i%len(stems)]+strconv.Itoa(i))
	}
	return out
}()

// commonTags are picked 0-3 per ticket; "vip" separately on 2%.
var commonTags = []string{"billing", "login", "shipping", "refund", "bug", "feature_request", "mobile", "web", "sales", "api", "followup", "damaged"}

// searchTags rotate in the "status<solved tags:X" search: one rare, three common.
var searchTags = []string{"vip", "refund", "mobile", "api"}

var priorities = []string{"", "", "low", "normal", "normal", "normal", "high", "urgent"}

func persianDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '۰' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// body writes a message of varied length: usually 1-6 sentences, sometimes a
// long one of 20-40 (pasted logs, long complaints).
func (l language) body(r *rand.Rand) string {
	n := 1 + r.IntN(6)
	if r.IntN(20) == 0 {
		n = 20 + r.IntN(21)
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			if r.IntN(4) == 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l.sentences[r.IntN(len(l.sentences))])
	}
	if r.IntN(3) == 0 {
		no := strconv.Itoa(10000 + r.IntN(990000))
		if l.code == "fa" && r.IntN(2) == 0 {
			no = persianDigits(no)
		}
		b.WriteByte(' ')
		fmt.Fprintf(&b, l.orderNo, no)
	}
	if r.IntN(33) == 0 { // ~3%
		b.WriteString(" Ref: ")
		b.WriteString(rareWords[r.IntN(len(rareWords))])
	}
	return b.String()
}

func (l language) reply(r *rand.Rand) string {
	return l.replies[r.IntN(len(l.replies))]
}

func pickLanguage(r *rand.Rand) language {
	switch x := r.IntN(10); {
	case x < 5:
		return languages[0]
	case x < 8:
		return languages[1]
	default:
		return languages[2]
	}
}

func pickTags(r *rand.Rand, l language) []string {
	tags := []string{"lang_" + l.code}
	for i, n := 0, r.IntN(4); i < n; i++ {
		tags = append(tags, commonTags[r.IntN(len(commonTags))])
	}
	if r.IntN(50) == 0 {
		tags = append(tags, "vip")
	}
	return tags
}
