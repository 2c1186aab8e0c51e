package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// Request is one chat command, as a platform adapter hands it over.
type Request struct {
	Platform string
	Chat     string
	User     string
	Command  string // lower case, without the slash: "case", "subscribe", …
	// Options are the command's named options, as the command table names
	// them: from ParseOptions on text platforms, from the platform's own
	// named options on Discord.
	Options map[string]string
	// Private is true in a one-to-one chat, where the user is its admin.
	Private bool
	// Operator is true for the console's local user: admin and editor.
	Operator bool
	// UserLang is the language the user's app is set to, as the platform
	// gives it ("uk", "uk-UA", Discord's "es-ES"); empty if unknown. It
	// decides the language of a private chat without stored settings.
	UserLang string
	// IsAdmin asks the platform whether User administers Chat; it is
	// called only for commands that need it. Nil means "no".
	IsAdmin func(ctx context.Context) (bool, error)
}

func (r Request) option(name string) string {
	return strings.TrimSpace(r.Options[name])
}

// Reply is the answer to a Request, for the adapter to render.
type Reply struct {
	Text    string
	Card    *Card
	Choices []Choice // a pick list: the adapter offers them as buttons
	// Wrote is the id of the case a /write answer sends the reader to:
	// the adapter adds an "I wrote" button (i18n "write.button") that
	// calls Handler.Wrote with it; the console names /wrote instead.
	Wrote string
	// Private asks the platform to show the reply only to the requester
	// where it can (Discord ephemeral): refusals and errors.
	Private bool
	Lang    string
	// Image is the card's picture, for platforms that show it with a
	// reply (Telegram); nil for none.
	Image *Image
}

// Choice is one entry of a pick list.
type Choice struct {
	CaseID string
	Label  string // "Name (Country)"
}

// MaxAlert bounds an alert's message so that it fits every platform's
// message with the card's lead.
const MaxAlert = 1000

// casesPerPage is how many cases one /cases reply lists.
const casesPerPage = 15

// Handler carries out chat commands for every platform.
type Handler struct {
	Store   *store.Store
	Library *Library
	Config  *config.Config
	Now     func() time.Time
	Log     *slog.Logger
	// Rand returns a random number in [0, n), for /write's ties; nil:
	// math/rand. Tests make it predictable.
	Rand func(n int) int
	// Pictures renders the share cards posts carry (ImagesOn); nil: posts
	// go without pictures.
	Pictures Pictures
	writers  writerLog   // who has counted a letter today, as keyed hashes only
	pictures pictureMemo // the last pictures rendered, for a fan-out
}

// NewHandler returns a handler over the store, with the config's defaults.
func NewHandler(s *store.Store, cfg *config.Config, log *slog.Logger) *Handler {
	return &Handler{Store: s, Library: NewLibrary(s, log), Config: cfg, Now: time.Now, Log: log}
}

// DefaultChannel returns the settings a new channel starts with: the
// config's time zone, post time and language.
func DefaultChannel(cfg *config.Config, platform, chat string) store.Channel {
	return store.Channel{Platform: platform, Chat: chat, Timezone: cfg.Timezone,
		PostTime: cfg.PostTime, Language: cfg.Language}
}

// Defaults returns the settings a new channel starts with.
func (h *Handler) Defaults(platform, chat string) store.Channel {
	return DefaultChannel(h.Config, platform, chat)
}

// channel returns the channel's stored settings, or the defaults for a
// channel never configured.
func (h *Handler) channel(ctx context.Context, platform, chat string) (store.Channel, error) {
	return h.ChannelFor(ctx, Request{Platform: platform, Chat: chat})
}

// ChannelFor returns the settings a request is answered with: the chat's
// stored settings, or the defaults for a chat never configured. In a
// private chat without stored settings the user's own language
// (UserLang) replaces the default language when vigil speaks it, so a
// stored /settings always wins.
func (h *Handler) ChannelFor(ctx context.Context, req Request) (store.Channel, error) {
	ch, err := h.Store.Channel(ctx, req.Platform, req.Chat)
	if errors.Is(err, store.ErrNotFound) {
		ch = h.Defaults(req.Platform, req.Chat)
		if lang := UserLanguage(req.UserLang); lang != "" && req.Private {
			ch.Language = lang
		}
		return ch, nil
	}
	return ch, err
}

// UserLanguage returns the supported language of a platform's language
// tag ("uk-UA" and "uk" give "uk", Discord's "es-ES" "es" if vigil spoke
// it), or "" when vigil does not speak it.
func UserLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "" || config.CheckSupported(base) != nil {
		return ""
	}
	return base
}

// Handle carries out one command and returns the reply: it finds the
// command in the command table, checks that the requester may use it, and
// runs it. It never panics on user input; internal errors are logged and
// answered with a generic message, never with their text (which could
// hold internals).
func (h *Handler) Handle(ctx context.Context, req Request) (reply Reply) {
	defer func() {
		if p := recover(); p != nil {
			reply = h.fail(req, "en", fmt.Errorf("panic: %v", p))
		}
	}()
	ch, err := h.ChannelFor(ctx, req)
	if err != nil {
		return h.fail(req, "en", err)
	}
	lang := ch.Language
	var r Reply
	if c, ok := LookupCommand(req.Command); !ok {
		r = Reply{Text: i18n.F(lang, "reply.unknown_command", i18n.Args{"Command": req.Command}), Private: true}
	} else if refusal, ok := h.allowed(ctx, c, req, lang); !ok {
		r = refusal
	} else {
		r, err = c.run(h, ctx, req, ch)
	}
	if err != nil {
		return h.fail(req, lang, err)
	}
	if r.Lang == "" {
		r.Lang = lang // a reply in another language (/settings) says so itself
	}
	return r
}

func (h *Handler) fail(req Request, lang string, err error) Reply {
	h.Log.Error("command failed", "platform", req.Platform, "chat", req.Chat, "command", req.Command, "err", err)
	return Reply{Text: i18n.T(lang, "reply.error"), Private: true, Lang: lang}
}

// isEditor reports whether the requester may send alerts.
func (h *Handler) isEditor(req Request) bool {
	if req.Operator {
		return true
	}
	switch req.Platform {
	case "telegram":
		return slices.Contains(h.Config.Editors.Telegram, req.User)
	case "discord":
		return slices.Contains(h.Config.Editors.Discord, req.User)
	}
	return false
}

func (h *Handler) today(ch store.Channel) cases.Date {
	loc, err := time.LoadLocation(ch.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return cases.DateOf(h.Now().In(loc))
}

// CardFor builds the card of a case for a channel, in the channel's
// language and as of the channel's local today.
func (h *Handler) CardFor(ctx context.Context, c *cases.Case, ch store.Channel) *Card {
	opts := CardOptions{Lang: ch.Language, Today: h.today(ch), Stale: c.Stale(h.Now(), h.Config.StaleAfter.D()),
		PublicURL: h.Config.HTTP.PublicURL}
	if c.Letters != nil {
		if n, err := h.Store.LetterCount(ctx, c.ID, h.Now()); err != nil {
			h.Log.Warn("letter count failed; the card goes without it", "case", c.ID, "err", err)
		} else {
			opts.Letters = &n
		}
	}
	return NewCard(c, opts)
}

// CaseCard answers a pick-list choice: the card of the case with that id
// for the channel, or nil if the case is gone.
func (h *Handler) CaseCard(ctx context.Context, platform, chat, caseID string) (*Card, error) {
	return h.CaseCardFor(ctx, Request{Platform: platform, Chat: chat}, caseID)
}

// CaseCardFor is CaseCard for the request's chat and user: in a private
// chat without settings the card is in the user's language, like the
// pick list it answers.
func (h *Handler) CaseCardFor(ctx context.Context, req Request, caseID string) (*Card, error) {
	ch, err := h.ChannelFor(ctx, req)
	if err != nil {
		return nil, err
	}
	c, ok, err := h.Library.Case(ctx, caseID)
	if err != nil || !ok {
		return nil, err
	}
	return h.CardFor(ctx, c, ch), nil
}

func (h *Handler) cmdCase(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	q := req.option("query")
	if q == "" {
		return Reply{Text: i18n.T(lang, "reply.case_usage"), Private: true}, nil
	}
	found, err := h.Library.Resolve(ctx, q)
	if err != nil {
		return Reply{}, err
	}
	switch len(found) {
	case 0:
		return Reply{Text: i18n.F(lang, "reply.no_match", i18n.Args{"Query": clip(q, 100)})}, nil
	case 1:
		return Reply{Card: h.CardFor(ctx, found[0], ch), Image: h.picture(found[0], ch)}, nil
	}
	r := Reply{Text: i18n.F(lang, "reply.pick", i18n.Args{"Query": clip(q, 100)})}
	for _, c := range found {
		r.Choices = append(r.Choices, Choice{CaseID: c.ID, Label: caseLabel(c, lang)})
	}
	return r, nil
}

func caseLabel(c *cases.Case, lang string) string {
	country := c.Country
	if co, ok := cases.CountryByCode(c.Country); ok {
		country = co.Name(lang)
	}
	return i18n.Isolate(lang, c.NameIn(lang)) + " (" + country + ")" // a Latin name in a Persian label
}

// clip shortens user input quoted back in a reply.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func (h *Handler) cmdCases(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	// The option is "[country] [page]": a trailing number is the page.
	words := strings.Fields(req.option("country"))
	page := 1
	if n := len(words); n > 0 {
		if p, err := strconv.Atoi(words[n-1]); err == nil {
			page, words = max(p, 1), words[:n-1]
		}
	}
	var (
		countries []string
		header    string
		arg       string
	)
	if len(words) > 0 {
		q := strings.Join(words, " ")
		co, ok := cases.LookupCountry(q)
		if !ok {
			return Reply{Text: i18n.F(lang, "reply.unknown_country", i18n.Args{"Query": clip(q, 60)}), Private: true}, nil
		}
		countries, arg = []string{co.Code}, co.Code
		header = co.Name(lang)
	} else if len(ch.Countries) > 0 {
		countries = ch.Countries
		names := make([]string, len(countries))
		for i, c := range countries {
			co, _ := cases.CountryByCode(c)
			names[i] = co.Name(lang)
		}
		header = i18n.List(lang, names)
	}
	list, err := h.Store.Cases(ctx, countries...)
	if err != nil {
		return Reply{}, err
	}
	if len(list) == 0 {
		if header == "" {
			return Reply{Text: i18n.T(lang, "reply.cases_none_all")}, nil
		}
		return Reply{Text: i18n.F(lang, "reply.cases_none", i18n.Args{"Countries": header})}, nil
	}
	pages := (len(list) + casesPerPage - 1) / casesPerPage
	page = min(page, pages)
	var b strings.Builder
	if header == "" {
		b.WriteString(i18n.N(lang, "reply.cases_all", len(list), nil))
	} else {
		b.WriteString(i18n.N(lang, "reply.cases_header", len(list), i18n.Args{"Countries": header}))
	}
	for _, c := range list[(page-1)*casesPerPage : min(page*casesPerPage, len(list))] {
		b.WriteString("\n• " + c.NameIn(lang) + " — " + i18n.Status(lang, c.Status))
		if len(countries) != 1 {
			b.WriteString(" (" + c.Country + ")")
		}
		b.WriteString(" · /case " + c.ID)
	}
	if page < pages {
		next := strings.Join(strings.Fields(fmt.Sprintf("/cases %s %d", arg, page+1)), " ")
		b.WriteString("\n" + i18n.F(lang, "reply.cases_page", i18n.Args{"Page": page, "Pages": pages, "Next": next}))
	}
	return Reply{Text: b.String()}, nil
}

func (h *Handler) cmdSubscriptions(_ context.Context, _ Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	if len(ch.Countries) == 0 {
		return Reply{Text: i18n.T(lang, "reply.subs_none")}, nil
	}
	names := make([]string, len(ch.Countries))
	for i, c := range ch.Countries {
		co, _ := cases.CountryByCode(c)
		names[i] = co.Name(lang) + " (" + c + ")"
	}
	text := i18n.F(lang, "reply.subs", i18n.Args{"Countries": i18n.List(lang, names), "Timezone": ch.Timezone,
		"Time": ch.PostTime, "Language": ch.Language})
	text += "\n" + h.imagesText(ch)
	if ch.Paused() {
		text += "\n" + i18n.F(lang, "reply.subs_paused", i18n.Args{"Reason": ch.PausedReason,
			"Since": ch.PausedAt.Format(time.DateTime + " MST")})
	}
	return Reply{Text: text}, nil
}

func (h *Handler) cmdSubscribe(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	q := req.option("country")
	if q == "" {
		return Reply{Text: i18n.T(lang, "reply.subscribe_usage"), Private: true}, nil
	}
	co, ok := cases.LookupCountry(q)
	if !ok {
		return Reply{Text: i18n.F(lang, "reply.unknown_country", i18n.Args{"Query": clip(q, 60)}), Private: true}, nil
	}
	added, err := h.Store.Subscribe(ctx, ch, co.Code, h.Now())
	if err != nil {
		return Reply{}, err
	}
	if !added {
		return Reply{Text: i18n.F(lang, "reply.already", i18n.Args{"Country": co.Name(lang)})}, nil
	}
	h.Log.Info("subscribed", "platform", req.Platform, "chat", req.Chat, "country", co.Code, "user", req.User)
	return Reply{Text: i18n.F(lang, "reply.subscribed", i18n.Args{"Country": co.Name(lang), "Time": ch.PostTime,
		"Timezone": ch.Timezone})}, nil
}

func (h *Handler) cmdUnsubscribe(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	q := req.option("country")
	if q == "" {
		return Reply{Text: i18n.T(lang, "reply.unsubscribe_usage"), Private: true}, nil
	}
	if strings.EqualFold(q, "all") {
		n, err := h.Store.Unsubscribe(ctx, req.Platform, req.Chat, "")
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: i18n.N(lang, "reply.unsubscribed_all", n, nil)}, nil
	}
	co, ok := cases.LookupCountry(q)
	if !ok {
		return Reply{Text: i18n.F(lang, "reply.unknown_country", i18n.Args{"Query": clip(q, 60)}), Private: true}, nil
	}
	n, err := h.Store.Unsubscribe(ctx, req.Platform, req.Chat, co.Code)
	if err != nil {
		return Reply{}, err
	}
	if n == 0 {
		return Reply{Text: i18n.F(lang, "reply.not_subscribed", i18n.Args{"Country": co.Name(lang)})}, nil
	}
	return Reply{Text: i18n.F(lang, "reply.unsubscribed", i18n.Args{"Country": co.Name(lang)})}, nil
}

// ParseSettings reads /settings words in any order: a time is HH:MM, a
// language a two-letter code, and any other word a time zone as
// config.ParseTimezone reads it (an IANA name, or UTC in any case). It
// returns the first word it cannot read as bad.
func ParseSettings(words []string) (tz, clock, lang, bad string) {
	for _, w := range words {
		switch {
		case len(w) == 5 && w[2] == ':':
			if _, err := config.ParseClock(w); err != nil || clock != "" {
				return "", "", "", w // not a time, or a second one
			}
			clock = w
		case len(w) == 2 && config.CheckLanguage(strings.ToLower(w)) == nil:
			if lang != "" {
				return "", "", "", w
			}
			lang = strings.ToLower(w)
		default:
			// The config file's reading of a time zone, so that a zone
			// means the same in both ("utc" is UTC, "Local" is none).
			z, err := config.ParseTimezone(w)
			if err != nil || tz != "" {
				return "", "", "", w
			}
			tz = z
		}
	}
	return tz, clock, lang, ""
}

// imagesWord is the /settings word before "on" or "off".
const imagesWord = "images"

// parseImages takes "images on" or "images off" out of /settings words
// and returns the rest, the choice (nil for none) and the first word it
// cannot read.
func parseImages(words []string) (rest []string, on *bool, bad string) {
	for i := 0; i < len(words); i++ {
		if !strings.EqualFold(words[i], imagesWord) {
			rest = append(rest, words[i])
			continue
		}
		if i+1 == len(words) || on != nil {
			return nil, nil, words[i]
		}
		switch strings.ToLower(words[i+1]) {
		case "on":
			on = new(true)
		case "off":
			on = new(false)
		default:
			return nil, nil, words[i+1]
		}
		i++
	}
	return rest, on, ""
}

// settingsText describes a channel's settings in its language, with
// whether its posts carry pictures if withImages.
func (h *Handler) settingsText(ch store.Channel, withImages bool) string {
	text := i18n.F(ch.Language, "reply.settings", i18n.Args{"Timezone": ch.Timezone, "Time": ch.PostTime,
		"Language": ch.Language})
	if withImages {
		text += "\n" + h.imagesText(ch)
	}
	return text
}

// imagesText says whether the channel's posts carry pictures.
func (h *Handler) imagesText(ch store.Channel) string {
	state := i18n.T(ch.Language, "settings.off")
	if h.ImagesOn(ch) {
		state = i18n.T(ch.Language, "settings.on")
	}
	return i18n.F(ch.Language, "reply.settings_images", i18n.Args{"State": state})
}

func (h *Handler) cmdSettings(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	// Settings words come in any order, in any of the four options; the
	// images option's choice (Discord) stands for "images on|off".
	var words []string
	for _, k := range []string{"timezone", "time", "language", "images"} {
		v := req.option(k)
		if k == "images" && (strings.EqualFold(v, "on") || strings.EqualFold(v, "off")) {
			words = append(words, imagesWord)
		}
		words = append(words, strings.Fields(v)...)
	}
	if len(words) == 0 {
		return Reply{Text: h.settingsText(ch, true) + "\n" + i18n.T(ch.Language, "reply.settings_usage")}, nil
	}
	words, images, bad := parseImages(words)
	var tz, clock, lang string
	if bad == "" {
		tz, clock, lang, bad = ParseSettings(words)
	}
	if bad != "" {
		return Reply{Text: i18n.F(ch.Language, "reply.settings_bad", i18n.Args{"Word": clip(bad, 60)}), Private: true}, nil
	}
	if lang != "" && config.CheckSupported(lang) != nil {
		return Reply{Text: i18n.F(ch.Language, "reply.settings_language", i18n.Args{"Word": lang,
			"Languages": strings.Join(i18n.Languages, ", ")}), Private: true}, nil
	}
	updated, err := h.Store.UpdateSettings(ctx, store.Channel{Platform: req.Platform, Chat: req.Chat,
		Timezone: tz, PostTime: clock, Language: lang}, ch, h.Now())
	if err != nil {
		return Reply{}, err
	}
	if images != nil {
		if updated, err = h.Store.SetImages(ctx, req.Platform, req.Chat, images, ch, h.Now()); err != nil {
			return Reply{}, err
		}
	}
	h.Log.Info("settings changed", "platform", req.Platform, "chat", req.Chat, "timezone", updated.Timezone,
		"post_time", updated.PostTime, "language", updated.Language, "images", h.ImagesOn(updated), "user", req.User)
	return Reply{Text: h.settingsText(updated, images != nil), Lang: updated.Language}, nil
}

func (h *Handler) cmdAlert(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	query, message := req.option("case"), req.option("message")
	if op, ok := strings.CutPrefix(query, "--"); ok {
		return h.alertOp(ctx, req, lang, op, message)
	}
	if query == "" || message == "" {
		return Reply{Text: i18n.T(lang, "reply.alert_usage"), Private: true}, nil
	}
	if utf8.RuneCountInString(message) > MaxAlert {
		return Reply{Text: i18n.N(lang, "reply.too_long", MaxAlert, nil), Private: true}, nil
	}
	found, err := h.Library.Resolve(ctx, query)
	if err != nil {
		return Reply{}, err
	}
	switch len(found) {
	case 0:
		return Reply{Text: i18n.F(lang, "reply.no_match", i18n.Args{"Query": clip(query, 100)}), Private: true}, nil
	case 1:
	default:
		ids := make([]string, len(found))
		for i, f := range found {
			ids[i] = f.ID
		}
		return Reply{Text: i18n.F(lang, "reply.alert_ambiguous", i18n.Args{"Query": clip(query, 100),
			"IDs": strings.Join(ids, ", ")}), Private: true}, nil
	}
	c := found[0]
	author := req.Platform + ":" + req.User
	id, n, err := h.Store.QueueAlert(ctx, c.ID, message, author, h.Now())
	if err != nil {
		return Reply{}, err
	}
	h.Log.Info("alert queued", "alert", id, "case", c.ID, "channels", n, "author", author)
	co, _ := cases.CountryByCode(c.Country)
	return Reply{Text: i18n.N(lang, "reply.alert_queued", n, i18n.Args{"Name": c.NameIn(lang), "Country": co.Name(lang)}) +
		" " + i18n.F(lang, "reply.alert_id", i18n.Args{"ID": id})}, nil
}

// alertOp carries out "/alert --follow-up ID message" and "/alert
// --correct ID message": op is the flag without its dashes, and the id
// follows it in the case option (Discord: "--follow-up 17") or starts the
// message (text platforms).
func (h *Handler) alertOp(ctx context.Context, req Request, lang, op, message string) (Reply, error) {
	usage := Reply{Text: i18n.T(lang, "reply.alert_op_usage"), Private: true}
	op, idText, _ := strings.Cut(strings.TrimSpace(op), "=")
	if name, rest, ok := strings.Cut(op, " "); ok {
		op, idText = name, rest
	}
	if strings.TrimSpace(idText) == "" {
		idText, message, _ = strings.Cut(message, " ")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(idText), "#"), 10, 64)
	message = strings.TrimSpace(message)
	if err != nil || id <= 0 || message == "" || (op != "follow-up" && op != "correct") {
		return usage, nil
	}
	if utf8.RuneCountInString(message) > MaxAlert {
		return Reply{Text: i18n.N(lang, "reply.too_long", MaxAlert, nil), Private: true}, nil
	}
	author := req.Platform + ":" + req.User
	var res store.AlertOpResult
	if op == "follow-up" {
		res, err = h.Store.QueueFollowUp(ctx, id, message, author, h.Now())
	} else {
		res, err = h.Store.QueueCorrection(ctx, id, message, author, h.Now())
	}
	if r, ok := alertRefusal(lang, id, err); ok {
		return r, nil
	}
	if err != nil {
		return Reply{}, err
	}
	h.Log.Info("alert "+op+" queued", "alert", id, "op", res.OpID, "copies", res.Copies, "new", res.New, "author", author)
	args := i18n.Args{"ID": id, "Count": res.Copies}
	switch {
	case res.Unchanged || res.New == 0 && res.Copies > 0:
		return Reply{Text: i18n.F(lang, "reply.alert_nothing_new", args)}, nil
	case op == "follow-up":
		return Reply{Text: i18n.F(lang, "reply.alert_follow_up_queued", args)}, nil
	}
	return Reply{Text: i18n.F(lang, "reply.alert_correction_queued", args)}, nil
}

// alertRefusal turns the store's refusal of an alert operation into the
// reply that explains it.
func alertRefusal(lang string, id int64, err error) (Reply, bool) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Reply{Text: i18n.F(lang, "reply.alert_not_found", i18n.Args{"ID": id}), Private: true}, true
	case errors.Is(err, store.ErrRetracted):
		return Reply{Text: i18n.F(lang, "reply.alert_withdrawn", i18n.Args{"ID": id}), Private: true}, true
	}
	return Reply{}, false
}

// cmdRetract withdraws an alert: "/retract 17".
func (h *Handler) cmdRetract(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	id, err := strconv.ParseInt(strings.TrimPrefix(req.option("alert"), "#"), 10, 64)
	if err != nil || id <= 0 {
		return Reply{Text: i18n.T(lang, "reply.retract_usage"), Private: true}, nil
	}
	res, err := h.Store.QueueRetraction(ctx, id, h.Now())
	if r, ok := alertRefusal(lang, id, err); ok {
		return r, nil
	}
	if err != nil {
		return Reply{}, err
	}
	h.Log.Info("alert withdrawn", "alert", id, "copies", res.Copies, "new", res.New, "cancelled", res.Cancelled,
		"author", req.Platform+":"+req.User)
	if res.New == 0 && res.Cancelled == 0 && res.Copies > 0 {
		return Reply{Text: i18n.F(lang, "reply.alert_nothing_new", i18n.Args{"ID": id})}, nil
	}
	return Reply{Text: i18n.F(lang, "reply.alert_retracted", i18n.Args{"ID": id, "Count": res.Copies, "Cancelled": res.Cancelled})}, nil
}

// ParseCommand splits a text message into a command and its arguments:
// "/case@vigilbot rustamov" gives ("case", "rustamov"). A command
// addressed to another bot (botName set and different) is not ours.
// requireSlash is false on the console, where "case x" works too.
func ParseCommand(text, botName string, requireSlash bool) (cmd, args string, ok bool) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "/") {
		text = text[1:]
	} else if requireSlash {
		return "", "", false
	}
	head, args, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		args = head[i+1:] + " " + args
		head = head[:i]
	}
	head, target, addressed := strings.Cut(head, "@")
	if addressed && botName != "" && !strings.EqualFold(target, botName) {
		return "", "", false
	}
	if head == "" {
		return "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(args), true
}
