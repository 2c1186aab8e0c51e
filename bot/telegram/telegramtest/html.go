package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// allowedTags are the tags of Telegram's HTML parse mode, with the
// attributes each may carry.
var allowedTags = map[string][]string{
	"b": nil, "strong": nil, "i": nil, "em": nil, "u": nil, "ins": nil,
	"s": nil, "strike": nil, "del": nil, "tg-spoiler": nil,
	"span":       {"class"},
	"a":          {"href"},
	"code":       {"class"},
	"pre":        nil,
	"blockquote": {"expandable"},
	"tg-emoji":   {"emoji-id"},
}

var namedEntities = map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"'}

// ParseHTML parses text in Telegram's HTML parse mode and returns the
// text as the recipient sees it (tags removed, entities decoded). Its
// error reads like Telegram's "can't parse entities" detail.
//
// It is stricter than Telegram in one way, on purpose: a bare "&" that
// does not start one of the four named entities or a numeric one, and a
// bare ">", are refused, where Telegram would keep them as text. A
// renderer that passes this checker escapes everything it must.
func ParseHTML(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("strings must be encoded in UTF-8")
	}
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '&':
			r, n, err := entity(s, i)
			if err != nil {
				return "", err
			}
			out.WriteRune(r)
			i += n
		case '>':
			return "", fmt.Errorf("unexpected \">\" at byte offset %d", i)
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("can't find end of the tag starting at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return "", fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				if top := stack[len(stack)-1]; name != top {
					return "", fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, err := checkStartTag(tag, i)
				if err != nil {
					return "", err
				}
				stack = append(stack, name)
			}
			i += end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return out.String(), nil
}

// entity decodes the character reference at s[i] ('&'), returning the
// character and the reference's length.
func entity(s string, i int) (rune, int, error) {
	semi := strings.IndexByte(s[i:], ';')
	if semi < 0 || semi > 10 {
		return 0, 0, fmt.Errorf("unsupported character entity at byte offset %d: escape \"&\" as &amp;", i)
	}
	name := s[i+1 : i+semi]
	if r, ok := namedEntities[name]; ok {
		return r, semi + 1, nil
	}
	if strings.HasPrefix(name, "#") {
		num := name[1:]
		base := 10
		if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
			num, base = num[1:], 16
		}
		if v, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(v)) && v != 0 {
			return rune(v), semi + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("unsupported character entity %q at byte offset %d", "&"+name+";", i)
}

// checkStartTag checks the inside of a start tag ("a href=\"…\"") and
// returns its lower-case name.
func checkStartTag(tag string, offset int) (string, error) {
	nameEnd := strings.IndexAny(tag, " \t\n\r")
	if nameEnd < 0 {
		nameEnd = len(tag)
	}
	name := strings.ToLower(tag[:nameEnd])
	attrs, ok := allowedTags[name]
	if !ok || name == "" {
		return "", fmt.Errorf("unsupported start tag \"%s\" at byte offset %d", name, offset)
	}
	rest := strings.TrimSpace(tag[nameEnd:])
	for rest != "" {
		eq := strings.IndexAny(rest, "= \t\n\r")
		var attr, value string
		if eq < 0 || rest[eq] != '=' {
			if eq < 0 {
				attr, rest = rest, ""
			} else {
				attr, rest = rest[:eq], strings.TrimSpace(rest[eq:])
			}
		} else {
			attr = rest[:eq]
			rest = rest[eq+1:]
			if rest == "" {
				return "", fmt.Errorf("expected attribute value at byte offset %d", offset)
			}
			switch q := rest[0]; q {
			case '"', '\'':
				end := strings.IndexByte(rest[1:], q)
				if end < 0 {
					return "", fmt.Errorf("unclosed attribute value in tag at byte offset %d", offset)
				}
				value, rest = rest[1:1+end], strings.TrimSpace(rest[end+2:])
			default:
				end := strings.IndexAny(rest, " \t\n\r")
				if end < 0 {
					end = len(rest)
				}
				value, rest = rest[:end], strings.TrimSpace(rest[end:])
			}
			if strings.ContainsAny(value, "<") {
				return "", fmt.Errorf("unexpected \"<\" in attribute value at byte offset %d", offset)
			}
			for j := 0; j < len(value); j++ {
				if value[j] == '&' {
					_, n, err := entity(value, j)
					if err != nil {
						return "", err
					}
					j += n - 1
				}
			}
		}
		attr = strings.ToLower(attr)
		known := false
		for _, a := range attrs {
			known = known || a == attr
		}
		if !known {
			return "", fmt.Errorf("unsupported attribute \"%s\" of tag \"%s\" at byte offset %d", attr, name, offset)
		}
		if name == "span" && attr == "class" && value != "tg-spoiler" {
			return "", fmt.Errorf("tag \"span\" must have class \"tg-spoiler\" at byte offset %d", offset)
		}
	}
	return name, nil
}

// Length counts text for Telegram's limits in UTF-16 code units (an
// emoji outside the Basic Multilingual Plane counts 2). That is the unit
// of the Bot API's entity offsets and never less than Telegram's own
// length count (which may count code points), so the fake is at least as
// strict as Telegram.
func Length(text string) int {
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	return n
}
