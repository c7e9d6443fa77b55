package analyze

import "strings"

// Synonyms of customer-service language: each line is a group of phrases
// (separated by ",") that mean the same to a customer. When a query contains
// one, its words may also match the others' terms. Customers write "money
// back", articles say "refund"; they write "pecah", articles say "rusak".
var synonymGroups = map[Lang]string{
	English: `refund, money back, reimburse, reimbursement, get my money
return, send back, give back, take back, returning
damaged, broken, cracked, smashed, defective, faulty, shattered
wrong, different, incorrect, not what i ordered
voucher, coupon, promo, promo code, discount code
bulk, wholesale, large quantity
international, abroad, overseas, another country, australia, malaysia, singapore, germany, usa, japan
verification, verify, confirmation, confirm
invoice, receipt, bill
delivery, shipping, shipment, deliver
courier, driver, postman, delivery man
phone, mobile, cell, cellphone
chat, talk to someone, agent, live chat
installment, installments, monthly, pay monthly, pay later
track, where is, locate
store, shop, branch
preorder, pre order
close account, delete account, deactivate
wishlist, save for later, favourites, favorites
points, rewards, reward points, loyalty
complaint, complain
unsubscribe, stop sending, newsletter
sms, text message, otp, code
warranty, guarantee
original, genuine, authentic, fake, counterfeit
cash on delivery, cod, pay cash`,
	Indonesian: `pengembalian dana, refund, uang kembali, uangnya kembali, dana kembali
retur, kembalikan, balikin, kembaliin, pengembalian barang, mengembalikan
rusak, pecah, cacat, penyok, hancur, retak
salah, tidak sesuai, gak sesuai, beda
voucher, kupon, promo, kode promo, diskon
grosir, jumlah besar, borongan
luar negeri, internasional, malaysia, singapura, jepang, australia
faktur, invoice, nota, struk, bukti pembayaran
unduh, download
ongkir, ongkos kirim, biaya kirim, biaya pengiriman
kurir, ekspedisi, abang paket
hp, ponsel, handphone
cicil, cicilan, kredit, paylater
metode pembayaran, bayar pakai, bayar pake, cara bayar
dompet digital, e-wallet, ewallet, gopay, ovo, dana, shopeepay
keluhan, komplain, aduan, mengadu
asli, original, ori, palsu
busuk, basi, kedaluwarsa, expired
layanan pelanggan, customer service, cs
poin, point
hapus akun, tutup akun
sms, otp, kode
garansi, jaminan
bukan saya, tidak saya lakukan, penipuan`,
	Persian: `بازگشت وجه, پول برگشت, برگشت پول, پولم برمیگرده, استرداد وجه, عودت وجه, پس گرفتن پول
مرجوع, پس دادن, برگرداندن, مرجوعی, پس بدم
آسیب, شکسته, خراب, معیوب, داغون
اشتباه, فرق داره, متفاوت
گفتگو, چت
شخص دیگر, دوستم, برای دوست, دیگری
خارج از کشور, بین المللی, آلمان, ترکیه, امارات, کانادا
فاکتور, رسید, صورتحساب
قسط, قسطی, اقساط
آدرس, نشانی
موبایل, تلفن همراه, شماره
پشتیبانی, کارشناس, پشتیبان
ارسال, فرستادن, پست
شهرستان, منطقه, مناطق
گران قیمت, گرانبها, گران
تخفیف عمده, عمده
کد تخفیف, کوپن, تخفیف
بسته نشدن, خطا, ارور`,
}

type synonymGroup struct {
	lang    Lang
	phrases [][]string // normalised words
}

var synonyms = func() []synonymGroup {
	var out []synonymGroup
	for l, text := range synonymGroups {
		for _, line := range strings.Split(text, "\n") {
			g := synonymGroup{lang: l}
			for _, p := range strings.Split(line, ",") {
				if ws := Words(p); len(ws) > 0 {
					g.phrases = append(g.phrases, ws)
				}
			}
			if len(g.phrases) > 1 {
				out = append(out, g)
			}
		}
	}
	return out
}()

// synonymAlts finds synonym phrases in a query's words and returns, by word
// position, the terms of the other phrases of each group.
func synonymAlts(words []string) map[int][]string {
	out := map[int][]string{}
	for _, g := range synonyms {
		for pi, p := range g.phrases {
			for start := 0; start+len(p) <= len(words); start++ {
				match := true
				for j, w := range p {
					if words[start+j] != w {
						match = false
						break
					}
				}
				if !match {
					continue
				}
				var terms []string
				for oi, o := range g.phrases {
					if oi == pi {
						continue
					}
					for _, w := range o {
						if keep(g.lang, w) {
							terms = append(terms, termsOf(g.lang, w)...)
						}
					}
				}
				for j := range p {
					out[start+j] = append(out[start+j], terms...)
				}
			}
		}
	}
	return out
}

func termsOf(l Lang, w string) []string {
	if l == Indonesian && isLatinWord(w) {
		return IndonesianTerms(w)
	}
	return []string{Stem(l, w)}
}
