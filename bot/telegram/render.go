package telegram

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

// Telegram's limits apply to the text after entity parsing, that is the
// text users see: tags removed and &lt; &gt; &amp; &quot; decoded to one
// character each ("1-4096 characters after entities parsing", Bot API
// sendMessage). We count that text in UTF-16 code units, the unit of the
// Bot API's entity offsets, where a character outside the Basic
// Multilingual Plane (most emoji) counts 2. Telegram's length check may
// count less: one live measurement (FerroxLabs/wayland#934, 2026) found
// 4,096 astral emoji (8,192 UTF-16 units) accepted, i.e. code points
// counted. UTF-16 units are never fewer than code points, so a text within
// our count is within Telegram's either way; emoji-heavy text is merely
// cut a little early. The fake (telegramtest) counts UTF-16 units too.
//
// A message also carries at most about 100 entities; a card has fewer
// than 30 (maxSources bounds the links).
const (
	maxText         = 4096
	maxCaption      = 1024
	maxCallbackData = 64
	maxButtonText   = 64
	maxButtons      = 8
	maxSources      = 10
)

// textLen counts s in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// clipText cuts s to at most n UTF-16 code units at a rune boundary,
// without a trailing space. A bidi isolate the cut leaves open is closed
// (i18n.Close), within n, so that it does not run on into the text after.
func clipText(s string, n int) string {
	if textLen(s) <= n {
		return s
	}
	for budget := n; budget > 0; budget-- {
		c := i18n.Close(cutText(s, budget))
		if textLen(c) <= n {
			return c
		}
	}
	return ""
}

// cutText cuts s to at most n UTF-16 code units at a rune boundary,
// without a trailing space.
func cutText(s string, n int) string {
	used := 0
	for i, r := range s {
		if used+utf16.RuneLen(r) > n {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace)
		}
		used += utf16.RuneLen(r)
	}
	return s
}

// escape escapes raw text for Telegram's HTML parse mode: only these four
// named entities exist there.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func escape(s string) string { return escaper.Replace(s) }

// span is a run of raw (unescaped) text in a message, optionally styled
// or a link. A message is a list of spans, so that it can be rendered as
// HTML or as plain text and cut to a length limit without breaking a tag.
type span struct {
	text  string
	style string // "", "b" or "i"
	href  string // a link, http(s) only
	cut   bool   // may be shortened first when the message is too long
}

// doc is a message as spans, in order.
type doc []span

func (d *doc) add(text string) { *d = append(*d, span{text: text}) }
func (d *doc) bold(text string) {
	*d = append(*d, span{text: text, style: "b"})
}
func (d *doc) italic(text string) { *d = append(*d, span{text: text, style: "i"}) }
func (d *doc) link(text, href string) {
	if !validURL(href) {
		d.add(text)
		return
	}
	*d = append(*d, span{text: text, href: href})
}

// shown returns the text of sp as users see it in mode html or plain.
func (sp span) shown(html bool) string {
	if !html && sp.href != "" && sp.href != sp.text {
		return sp.text + " (" + sp.href + ")"
	}
	return sp.text
}

// texts returns d cut to limit as Telegram HTML and as plain text: an
// outgoing message's html and plain.
func (d doc) texts(limit int) (html, plain string) {
	return d.fit(limit, true).render(true), d.fit(limit, false).render(false)
}

// render returns d as Telegram HTML, or as plain text.
func (d doc) render(html bool) string {
	var b strings.Builder
	for _, sp := range d {
		if !html {
			b.WriteString(sp.shown(false))
			continue
		}
		t := escape(sp.text)
		switch {
		case sp.href != "":
			b.WriteString(`<a href="` + escape(sp.href) + `">` + t + `</a>`)
		case sp.style != "":
			b.WriteString("<" + sp.style + ">" + t + "</" + sp.style + ">")
		default:
			b.WriteString(t)
		}
	}
	return strings.TrimSpace(b.String())
}

// align gives each line of d the mark lang needs at its start
// (i18n.LineMark): in Persian, a line that begins with a bullet or an
// isolated Latin value is marked to run right to left. Tags stay where
// they are: a mark goes into the span where its line begins.
func (d doc) align(lang string) doc {
	if !i18n.RTL(lang) {
		return d
	}
	var all strings.Builder
	starts := make([]int, len(d))
	for i, sp := range d {
		starts[i] = all.Len()
		all.WriteString(sp.text)
	}
	text := all.String()
	type mark struct {
		span, off int
		text      string
	}
	var marks []mark
	for off := 0; off < len(text); {
		line, _, _ := strings.Cut(text[off:], "\n")
		if m := i18n.LineMark(lang, line); m != "" {
			for i := range d {
				if starts[i] <= off && off < starts[i]+len(d[i].text) {
					marks = append(marks, mark{i, off - starts[i], m})
					break
				}
			}
		}
		off += len(line) + 1
	}
	if len(marks) == 0 {
		return d
	}
	out := append(doc(nil), d...)
	for k := len(marks) - 1; k >= 0; k-- {
		m := marks[k]
		t := out[m.span].text
		out[m.span].text = t[:m.off] + m.text + t[m.off:]
	}
	return out
}

// length returns how long d is for Telegram's limits in mode html or
// plain.
func (d doc) length(html bool) int {
	n := 0
	for _, sp := range d {
		n += textLen(sp.shown(html))
	}
	return n
}

const ellipsis = "…"

// fit returns d cut to at most limit in mode html or plain: first the
// shortenable spans (the summary) lose their end, then, if that is not
// enough, the message loses its end. Either cut is marked with "…".
func (d doc) fit(limit int, html bool) doc {
	over := d.length(html) - limit
	if over <= 0 {
		return d
	}
	out := append(doc(nil), d...)
	for i := range out {
		if over <= 0 {
			break
		}
		if !out[i].cut {
			continue
		}
		n := textLen(out[i].text)
		keep := n - over - textLen(ellipsis)
		if keep < 40 { // a stub of a summary is worse than none
			out[i].text = ""
			over -= n
			continue
		}
		out[i].text = clipText(out[i].text, keep) + ellipsis
		over -= n - textLen(out[i].text)
	}
	if over <= 0 {
		return out
	}
	// Still too long: keep the start, as much as fits.
	budget := limit - textLen(ellipsis)
	for i, sp := range out {
		n := textLen(sp.shown(html))
		if n <= budget {
			budget -= n
			continue
		}
		if !html {
			sp = span{text: sp.shown(false), style: sp.style}
		}
		sp.text = clipText(sp.text, budget)
		return append(out[:i:i], sp, span{text: ellipsis})
	}
	return out
}

// validURL accepts the absolute http(s) URLs Telegram takes in links and
// buttons.
func validURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n\r") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// cardDoc lays out a card, after an optional lead line (an alert's text,
// bold, or a reply's text), in lang: in a right-to-left language every
// line is marked to run right to left (doc.align); the card's values are
// isolated already (bot.Card).
func cardDoc(lang, lead string, leadBold bool, c *bot.Card, withPhotoLink bool) doc {
	d := cardSpans(lead, leadBold, c, withPhotoLink)
	if lang == "" && c != nil {
		lang = c.Lang
	}
	return d.align(lang)
}

func cardSpans(lead string, leadBold bool, c *bot.Card, withPhotoLink bool) doc {
	var d doc
	if lead != "" {
		if leadBold {
			d.bold(lead)
		} else {
			d.add(lead)
		}
		if c != nil {
			d.add("\n\n")
		}
	}
	if c == nil {
		return d
	}
	lang := c.Lang
	d.bold(c.Title)
	if c.Country != "" {
		d.add(" — " + c.Country)
	}
	d.add("\n")
	d.italic(c.Status)
	d.add("\n")
	for _, f := range c.Fields {
		d.bold(f.Label + ":")
		d.add(" " + f.Value + "\n")
	}
	if c.Summary != "" {
		d.add("\n")
		d = append(d, span{text: c.Summary, cut: true})
		d.add("\n")
		if c.SummaryNote != "" {
			d.italic(c.SummaryNote)
			d.add("\n")
		}
	}
	if withPhotoLink && c.Photo != nil && validURL(c.Photo.URL) {
		d.add("\n" + i18n.T(lang, "card.photo") + ": ")
		credit := c.Photo.Credit
		if credit == "" {
			credit = c.Photo.URL
		}
		d.link(credit, c.Photo.URL)
		d.add("\n")
	}
	if len(c.Sources) > 0 {
		d.add("\n")
		d.bold(i18n.T(lang, "card.sources") + ":")
		d.add("\n")
		for i, s := range c.Sources {
			if i == maxSources {
				d.add("• +" + i18n.Number(lang, len(c.Sources)-maxSources) + "\n")
				break
			}
			d.add("• ")
			if s.URL != "" {
				d.link(s.Text, s.URL)
			} else {
				d.add(s.Text)
			}
			d.add("\n")
		}
	}
	// Actions whose URL Telegram would refuse in a button stay in the text.
	var textActions []bot.Link
	for _, a := range c.Actions {
		if !validURL(a.URL) {
			textActions = append(textActions, a)
		}
	}
	if len(textActions) > 0 {
		d.add("\n")
		d.bold(i18n.T(lang, "card.actions") + ":")
		d.add("\n")
		for _, a := range textActions {
			d.add("• " + a.Text + ": " + i18n.Isolate(lang, a.URL) + "\n")
		}
	}
	if validURL(c.PageURL) {
		d.add("\n" + i18n.T(lang, "card.more") + ": ")
		d.link(c.PageURL, c.PageURL)
		d.add("\n")
	}
	if len(c.Hashtags) > 0 {
		d.add("\n" + strings.Join(c.Hashtags, " ") + "\n")
	}
	if c.Stale != "" {
		d.add("\n")
		d.italic(c.Stale)
	}
	return d
}

// actionKeyboard makes a card's calls to action URL buttons, one a row;
// in a right-to-left language each label runs right to left.
func actionKeyboard(c *bot.Card) *tgbotapi.InlineKeyboardMarkup {
	if c == nil {
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, a := range c.Actions {
		if !validURL(a.URL) || len(rows) == maxButtons {
			continue
		}
		label := strings.TrimSpace(a.Text)
		if label == "" {
			label = i18n.ActionKind(c.Lang, cases.ActionKind(a.Kind))
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL(buttonText(c.Lang, label), a.URL)))
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// buttonText shortens a button's label and gives it the mark lang needs
// (i18n.Align); Telegram shows buttons as plain text, so nothing is
// escaped.
func buttonText(lang, s string) string {
	s = i18n.Align(lang, strings.Join(strings.Fields(s), " "))
	if utf8.RuneCountInString(s) <= maxButtonText {
		return s
	}
	return clipText(s, maxButtonText-1) + ellipsis
}

// Callback data of pick-list buttons. An id that would make the data
// longer than Telegram's 64 bytes is sent as a hash of it, resolved by
// looking through the cases.
const (
	pickPrefix     = "case:"
	pickHashPrefix = "caseh:"
)

func callbackData(caseID string) string {
	if d := pickPrefix + caseID; len(d) <= maxCallbackData {
		return d
	}
	return pickHashPrefix + idHash(caseID)
}

func idHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16])
}

// Callback data of "I wrote" buttons: the case id, or its hash when the
// id would make the data too long.
const (
	wrotePrefix     = "wrote:"
	wroteHashPrefix = "wroteh:"
)

// wroteKeyboard makes the "I wrote" button of a /write answer in lang.
func wroteKeyboard(lang, caseID string) *tgbotapi.InlineKeyboardMarkup {
	data := wrotePrefix + caseID
	if len(data) > maxCallbackData {
		data = wroteHashPrefix + idHash(caseID)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(buttonText(lang, i18n.T(lang, "write.button")), data)))
	return &kb
}

// choiceKeyboard makes a pick list in lang callback buttons, one a row.
func choiceKeyboard(lang string, choices []bot.Choice) *tgbotapi.InlineKeyboardMarkup {
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, ch := range choices {
		if len(rows) == 25 {
			break
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(buttonText(lang, ch.Label), callbackData(ch.CaseID))))
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// outgoing is one message ready to send: as HTML, with a plain-text
// fallback of the same content for when Telegram cannot parse the HTML.
type outgoing struct {
	method   string // sendMessage or sendPhoto
	html     string // text or caption
	plain    string
	photo    string // for sendPhoto: the photo's URL or file_id
	file     []byte // for sendPhoto: the picture to upload instead
	preview  string // for sendMessage: the URL to preview above the text
	keyboard *tgbotapi.InlineKeyboardMarkup
	replyTo  int
	// strictReply sends replyTo as reply_parameters that Telegram refuses
	// if the message is gone (an alert's follow-up), rather than as a
	// command's reply that goes out without it.
	strictReply bool
	maxWait     time.Duration // the longest to wait for the pace; 0: as long as the context allows
}

// compose renders a lead, a card and a pick list in lang (the card's
// language if lang is "") as the message to send, and, when that message
// is a photo, the text-only message to send if Telegram refuses the
// photo.
func compose(lang, lead string, leadBold bool, c *bot.Card, choices []bot.Choice) (first, textOnly outgoing) {
	if lang == "" && c != nil {
		lang = c.Lang
	}
	kb := actionKeyboard(c)
	if len(choices) > 0 {
		kb = choiceKeyboard(lang, choices)
	}
	text := func(withPhoto bool) outgoing {
		d := cardDoc(lang, lead, leadBold, c, withPhoto)
		o := outgoing{method: "sendMessage", keyboard: kb}
		o.html, o.plain = d.texts(maxText)
		if withPhoto {
			o.preview = c.Photo.URL
		}
		return o
	}
	textOnly = text(false)
	if c == nil || c.Photo == nil || !validURL(c.Photo.URL) {
		return textOnly, textOnly
	}
	// The whole card as the photo's caption if it fits; else the card as
	// text with the photo as its link preview. One message either way, so
	// a post is never half delivered and costs one slot of the rate limit.
	d := cardDoc(lang, lead, leadBold, c, false)
	if c.Photo.Credit != "" {
		if n := len(d); n > 0 && strings.HasSuffix(d[n-1].text, "\n") {
			d.add("\n")
		} else {
			d.add("\n\n")
		}
		d.italic(i18n.T(c.Lang, "card.photo") + ": " + c.Photo.Credit)
		d = d.align(lang)
	}
	if d.length(true) <= maxCaption {
		return outgoing{method: "sendPhoto", photo: c.Photo.URL, keyboard: kb,
			html: d.render(true), plain: d.fit(maxCaption, false).render(false)}, textOnly
	}
	return text(true), textOnly
}
