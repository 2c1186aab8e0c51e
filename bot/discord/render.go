package discord

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
)

// Discord's limits on a message, in characters (PLATFORMS.md).
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxLabel       = 80
	maxPerRow      = 5
	maxRows        = 5
	maxCustomID    = 100
	maxButtonURL   = 512
	maxChoiceName  = 100
	maxChoiceValue = 100
	maxChoices     = 25
	maxDescCommand = 100
)

// Embed colours by nothing more than taste: one colour for every card.
const cardColor = 0xB3261E

// pickPrefix starts the custom_id of a pick-list button; the case id follows.
const pickPrefix = "case:"

// wrotePrefix starts the custom_id of an "I wrote" button; the case id
// follows.
const wrotePrefix = "wrote:"

// noMentions is set on every message: nothing the bot posts may ping,
// whatever a case file or an alert contains.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Discord markdown gives these characters a meaning anywhere: emphasis,
// code, spoilers, masked links, and mentions, channels, emoji and
// timestamps in angle brackets. Discord renders a backslash before ASCII
// punctuation as the character alone.
const markdownAnywhere = "\\*_~`|[]<@"

// These mean something only at the start of a line: headings, subtext,
// lists and quotes.
const markdownLineStart = "#->+"

// escaper decides, rune by rune, which runes need a backslash. URLs are
// left alone (escapes would break their links); they end at white space.
type escaper struct {
	lineStart bool
	inURL     bool
}

func (e *escaper) next(s string, i int, r rune) bool {
	if unicode.IsSpace(r) {
		e.inURL = false
		if r == '\n' {
			e.lineStart = true
		}
		return false
	}
	if !e.inURL && (strings.HasPrefix(s[i:], "https://") || strings.HasPrefix(s[i:], "http://")) {
		e.inURL = true
	}
	start := e.lineStart
	e.lineStart = false
	if e.inURL || r >= utf8.RuneSelf {
		return false
	}
	return strings.ContainsRune(markdownAnywhere, r) || (start && strings.ContainsRune(markdownLineStart, r))
}

// fit returns s cut to at most limit characters (runes), ending in "…"
// when cut; with escape, markdown characters are escaped and the escapes
// count towards the limit, and a cut never separates an escape from its
// character. A bidi isolate the cut leaves open is closed before the
// "…", within limit.
func fit(s string, limit int, escape bool) string {
	for budget := limit; budget > 0; budget-- {
		out, cut := fitOnce(s, budget, escape)
		if !cut {
			return out
		}
		if closed := i18n.Close(strings.TrimSuffix(out, "…")) + "…"; runes(closed) <= limit {
			return closed
		}
	}
	return ""
}

// fitOnce is fit without closing isolates; cut reports whether it cut s.
func fitOnce(s string, limit int, escape bool) (out string, cut bool) {
	if limit <= 0 {
		return "", len(s) > 0
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := 0
	e := escaper{lineStart: true}
	for i, r := range s {
		n++
		if escape && e.next(s, i, r) {
			n++
		}
	}
	budget := limit
	cut = n > limit
	if cut {
		budget = limit - 1 // room for the ellipsis
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	used := 0
	e = escaper{lineStart: true}
	for i, r := range s {
		esc := escape && e.next(s, i, r)
		w := 1
		if esc {
			w = 2
		}
		if used+w > budget {
			break
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		used += w
	}
	if !cut {
		return b.String(), false
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace) + "…", true
}

// urlThenMark is a URL followed directly by a bidi mark, such as the PDI
// that closes an isolated URL.
var urlThenMark = regexp.MustCompile(`(https?://[^\s\x{200e}\x{200f}\x{2066}-\x{2069}]+)([\x{200e}\x{200f}\x{2066}-\x{2069}])`)

// bidiText readies raw text in lang for Discord: each line gets the mark
// lang needs to run in its direction (i18n.Align: right to left in
// Persian, whatever value a line starts with), and a URL followed
// directly by a bidi mark gets a space between them, because Discord's
// links end only at white space and would take the invisible mark into
// the URL. Other languages' texts are returned as they are.
func bidiText(lang, s string) string {
	if !i18n.RTL(lang) {
		return s
	}
	return i18n.Align(lang, urlThenMark.ReplaceAllString(s, "$1 $2"))
}

// runes counts characters as Discord does for its limits.
func runes(s string) int { return utf8.RuneCountInString(s) }

// piece is one text of an embed that counts towards the 6000 total; the
// total is met by cutting the longest pieces first, each no lower than min.
type piece struct {
	raw    string
	limit  int
	min    int
	escape bool
	out    string
}

func (p *piece) render() { p.out = fit(p.raw, p.limit, p.escape) }

// shrink cuts pieces until their total is at most limit: it repeatedly takes
// the longest piece still above its minimum and cuts it by the excess.
func shrink(pieces []*piece, limit int) {
	for _, p := range pieces {
		p.render()
	}
	for {
		total := 0
		for _, p := range pieces {
			total += runes(p.out)
		}
		if total <= limit {
			return
		}
		var longest *piece
		for _, p := range pieces {
			if n := runes(p.out); n > p.min && (longest == nil || n > runes(longest.out)) {
				longest = p
			}
		}
		if longest == nil {
			return // cannot happen with the minimums below; the fake would say so
		}
		n := runes(longest.out)
		longest.limit = max(longest.min, n-(total-limit))
		longest.render()
	}
}

// cardEmbed renders a card as an embed within every limit of Discord.
//
// Its texts come from the card as they are, isolated already in a
// right-to-left language (bot.Card); each gets its lines' marks
// (bidiText).
func cardEmbed(c *bot.Card) *discordgo.MessageEmbed {
	bt := func(s string) string { return bidiText(c.Lang, s) }
	title := &piece{raw: bt(c.Title), limit: maxTitle, min: 40, escape: true}
	head := c.Status
	if c.Country != "" {
		head = c.Country + " · " + c.Status
	}
	header := &piece{raw: bt(head), limit: 512, min: 60, escape: true}
	summary := &piece{raw: bt(c.Summary), limit: maxDescription, min: 0, escape: true}
	note := &piece{raw: bt(c.SummaryNote), limit: 200, min: 0, escape: true}
	stale := &piece{raw: bt(c.Stale), limit: 512, min: 60, escape: true}
	pieces := []*piece{title, header, summary, note, stale}
	type fieldPieces struct{ name, value *piece }
	var fields []fieldPieces
	for _, f := range c.Fields {
		if strings.TrimSpace(f.Label) == "" || strings.TrimSpace(f.Value) == "" || len(fields) == maxFields {
			continue
		}
		fp := fieldPieces{
			name:  &piece{raw: bt(f.Label), limit: maxFieldName, min: 20, escape: true},
			value: &piece{raw: bt(f.Value), limit: maxFieldValue, min: 40, escape: true},
		}
		fields = append(fields, fp)
		pieces = append(pieces, fp.name, fp.value)
	}
	footer := &piece{raw: bt(footerText(c)), limit: maxFooter, min: 0}
	pieces = append(pieces, footer)
	// The description joins header, summary (with its note in italics on
	// the next line) and stale warning with blank lines; reserve those
	// separators (and the header's bold markers).
	const sepRoom = 2 + 2 + 4 + 3 + 3
	shrink(pieces, maxEmbedTotal-sepRoom)
	// The description has its own limit too.
	descRoom := maxDescription - runes(header.out) - runes(note.out) - runes(stale.out) - sepRoom
	if runes(summary.out) > descRoom {
		summary.limit = max(0, descRoom)
		summary.render()
	}

	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: title.out, Color: cardColor}
	if linkURL(c.PageURL) {
		e.URL = c.PageURL // the title links the case's public page
	}
	parts := []string{"**" + header.out + "**"}
	if summary.out != "" {
		if note.out != "" {
			summary.out += "\n_" + note.out + "_"
		}
		parts = append(parts, summary.out)
	}
	if stale.out != "" {
		parts = append(parts, "⚠️ "+stale.out)
	}
	e.Description = strings.Join(parts, "\n\n")
	for _, f := range fields {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: f.name.out, Value: f.value.out,
			Inline: runes(f.value.out) <= 40})
	}
	if footer.out != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: footer.out}
	}
	if c.Photo != nil && linkURL(c.Photo.URL) {
		e.Thumbnail = &discordgo.MessageEmbedThumbnail{URL: c.Photo.URL}
	}
	return e
}

// footerText is the card's sources, joined with the language's
// semicolon, hashtags and photo credit, as plain text: Discord renders no
// markdown in footers.
func footerText(c *bot.Card) string {
	var parts []string
	if len(c.Sources) > 0 {
		texts := make([]string, len(c.Sources))
		for i, s := range c.Sources {
			texts[i] = s.Text
		}
		parts = append(parts, i18n.T(c.Lang, "card.sources")+": "+i18n.ListLong(c.Lang, texts))
	}
	if len(c.Hashtags) > 0 {
		parts = append(parts, strings.Join(c.Hashtags, " "))
	}
	if c.Photo != nil && c.Photo.Credit != "" {
		parts = append(parts, i18n.T(c.Lang, "card.photo")+": "+c.Photo.Credit)
	}
	return strings.Join(parts, " · ")
}

// linkURL reports whether u can be a link button's or thumbnail's URL.
func linkURL(u string) bool {
	if u == "" || len(u) > maxButtonURL {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

// cardButtons renders a card's calls to action, then its sources, as link
// buttons: at most five a row and five rows, labels in the card's
// direction.
func cardButtons(c *bot.Card) []discordgo.MessageComponent {
	var buttons []discordgo.Button
	seen := map[string]bool{}
	for _, a := range c.Actions {
		if !linkURL(a.URL) {
			continue
		}
		seen[a.URL] = true
		label := a.Text
		if strings.TrimSpace(label) == "" {
			label = i18n.T(c.Lang, "action."+a.Kind)
		}
		buttons = append(buttons, discordgo.Button{Style: discordgo.LinkButton, Label: fit(bidiText(c.Lang, label), maxLabel, false), URL: a.URL})
	}
	var rows []discordgo.MessageComponent
	rows = appendRows(rows, buttons)
	// Sources with a link of their own get one row, if a row is left.
	var sources []discordgo.Button
	for _, s := range c.Sources {
		if linkURL(s.URL) && !seen[s.URL] && len(sources) < maxPerRow {
			seen[s.URL] = true
			sources = append(sources, discordgo.Button{Style: discordgo.LinkButton, Label: fit(bidiText(c.Lang, "📰 "+s.Text), maxLabel, false), URL: s.URL})
		}
	}
	return appendRows(rows, sources)
}

// appendRows lays buttons out in action rows after rows, dropping what
// does not fit into maxRows.
func appendRows(rows []discordgo.MessageComponent, buttons []discordgo.Button) []discordgo.MessageComponent {
	for len(buttons) > 0 && len(rows) < maxRows {
		n := min(maxPerRow, len(buttons))
		row := discordgo.ActionsRow{}
		for _, b := range buttons[:n] {
			if strings.TrimSpace(b.Label) == "" {
				b.Label = "…"
			}
			row.Components = append(row.Components, b)
		}
		rows = append(rows, row)
		buttons = buttons[n:]
	}
	return rows
}

// pickButtons renders a pick list in lang as buttons whose custom_id
// names the case.
func pickButtons(lang string, choices []bot.Choice) []discordgo.MessageComponent {
	var buttons []discordgo.Button
	for _, ch := range choices {
		id := pickPrefix + ch.CaseID
		if len(id) > maxCustomID || len(buttons) == maxRows*maxPerRow {
			continue
		}
		buttons = append(buttons, discordgo.Button{Style: discordgo.SecondaryButton, Label: fit(bidiText(lang, ch.Label), maxLabel, false), CustomID: id})
	}
	return appendRows(nil, buttons)
}

// rendered is a message ready for any of Discord's message endpoints.
type rendered struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	ephemeral  bool
}

func (r rendered) flags() discordgo.MessageFlags {
	if r.ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// renderReply renders a command's reply. Reply texts are plain text (the
// same for every platform), so markdown in them is escaped too.
func renderReply(r bot.Reply) rendered {
	out := rendered{content: fit(bidiText(r.Lang, r.Text), maxContent, true), ephemeral: r.Private}
	if r.Card != nil {
		out.embeds = []*discordgo.MessageEmbed{cardEmbed(r.Card)}
		out.components = cardButtons(r.Card)
	}
	if len(r.Choices) > 0 {
		out.components = pickButtons(r.Lang, r.Choices)
	}
	if id := wrotePrefix + r.Wrote; r.Wrote != "" && len(id) <= maxCustomID {
		out.components = appendRows(nil, []discordgo.Button{{Style: discordgo.PrimaryButton,
			Label: fit(i18n.T(r.Lang, "write.button"), maxLabel, false), CustomID: id}})
	}
	if out.content == "" && out.embeds == nil {
		out.content = "…"
	}
	return out
}

// renderMessage renders a post for a channel.
func renderMessage(m bot.Message) rendered {
	out := rendered{content: fit(bidiText(m.Lang, m.Lead), maxContent, true)}
	if m.Card != nil {
		out.embeds = []*discordgo.MessageEmbed{cardEmbed(m.Card)}
		out.components = cardButtons(m.Card)
	}
	if out.content == "" && out.embeds == nil {
		out.content = "…"
	}
	return out
}

func (r rendered) send() *discordgo.MessageSend {
	return &discordgo.MessageSend{Content: r.content, Embeds: r.embeds, Components: r.components,
		AllowedMentions: noMentions(), Flags: r.flags()}
}

func (r rendered) response(typ discordgo.InteractionResponseType) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: typ, Data: &discordgo.InteractionResponseData{
		Content: r.content, Embeds: r.embeds, Components: r.components, AllowedMentions: noMentions(), Flags: r.flags()}}
}

func (r rendered) edit() *discordgo.WebhookEdit {
	content, embeds, components := r.content, r.embeds, r.components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
}

func (r rendered) followup() *discordgo.WebhookParams {
	return &discordgo.WebhookParams{Content: r.content, Embeds: r.embeds, Components: r.components,
		AllowedMentions: noMentions(), Flags: r.flags()}
}
