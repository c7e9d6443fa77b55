package analyze

import "strings"

// Stop words: function words, question words and the filler of customer
// questions ("how do I", "gimana caranya", "چطور می‌توانم"). They are dropped
// from documents and queries alike. Persian entries are in normalised form.
var stopWords = map[Lang]map[string]bool{
	English: set(`a about above after again against all am an and any are aren as at be because been before
		being below between both but by can cannot could couldn did didn do does doesn doing don down during each
		few for from further had hadn has hasn have haven having he her here hers herself him himself his how i if
		in into is isn it its itself let me more most my myself no nor not of off on once only or other ought our
		ours ourselves out over own same she should shouldn so some such than that the their theirs them themselves
		then there these they this those through to too under until up very was wasn we were weren what when where
		which while who whom why will with won would wouldn you your yours yourself yourselves hi hello please
		thanks thank can t s d ll m re ve just get got want need help know tell way still also yet any anyone
		someone something anything`),
	Indonesian: set(`ada adalah agar akan aku anda apa apakah atau bagaimana bahwa banyak belum beberapa bisa
		boleh buat bukan cara caranya dalam dan dapat dari daripada dengan di dia ini itu jadi jika juga kalau kami
		kamu kan karena ke kenapa kepada ketika kita lagi lah mana masih mau mereka mengapa nya oleh pada para saat
		saja sangat satu saya sebagai sedang sejak selama seperti serta setelah siapa sini situ sudah supaya tapi
		tetapi tentang tersebut tidak untuk yang ya ingin sih dong deh kok nih tuh aja gimana gmn gak ga nggak
		enggak ngga gk tdk yg dgn utk sy aq gue gw km kak min admin halo hai mohon tolong terima kasih makasih udah
		udh blm sdh bgt banget apa bagaimanakah bisakah kah pun mas mbak pak bu bapak ibu kalian`),
	Persian: set(`و در به از که این آن را با برای تا یا هم نیز اما ولی اگر چه چی چرا چطور چگونه چجوری چطوری
		کجا کی کدام آیا من تو او ما شما ایشان آنها اینها است هست نیست بود شد شده شود می نمی ها های ای یک
		هر همه خیلی بسیار باید نباید میخواهم میخوام خواهم کنم کنید کند کردم کرد کنیم شوم شود بشه میشه نمیشه
		لطفا سلام ممنون مرسی باشد باشم دارم داریم دارید دارد ندارم چند چقدر بر روی پس بعد قبل یعنی`),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[Normalize(w)] = true
	}
	return m
}

// IsStop reports whether the normalised word is a stop word of the language.
func IsStop(l Lang, word string) bool { return stopWords[l][word] }
