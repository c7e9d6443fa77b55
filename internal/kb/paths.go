package kb

import "strconv"

// Path is where a search hit is read on this server, in locale: an
// article's help-centre page, a FAQ item's anchor on the FAQ page, or a
// solved community thread.
func Path(kind string, id int64, locale string) string {
	ids := strconv.FormatInt(id, 10)
	switch kind {
	case "faq":
		return "/hc/" + locale + "/faq#faq-" + ids
	case KindForum:
		return "/community/posts/" + ids
	}
	return "/hc/" + locale + "/articles/" + ids
}
