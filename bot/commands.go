package bot

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/store"
)

// Access says who may use a command.
type Access int

// The kinds of access.
const (
	// Anyone may use the command.
	Anyone Access = iota
	// Admins are the channel's admins, the user of a private chat and the
	// console's operator; platforms ask through Request.IsAdmin.
	Admins
	// Editors are the users the config names as editors, and the
	// console's operator.
	Editors
)

// Option is one named option of a command. Platforms with named options
// (Discord) register it as it is; on text platforms ParseOptions fills it
// from the words after the command.
type Option struct {
	Name         string
	Required     bool // the platform asks for it (Discord); handlers still check
	Autocomplete bool // the platform suggests values as the user types
	MaxLength    int  // in characters, for the platform's input field; 0: no limit
	// Rest makes the option take the rest of a text command; an option
	// without it takes one word. Only a command's last option has it.
	Rest bool
	// Choices are the only values the option takes; platforms with
	// named options (Discord) offer them as a list.
	Choices []string
}

// Command is one chat command: its name, who may use it, its options and
// the Handler method that carries it out. Its description, usage and
// option descriptions are the i18n messages "cmd.<name>",
// "cmd.<name>.usage" (for a command with options) and
// "cmd.<name>.<option>".
type Command struct {
	Name    string
	Aliases []string // other names that run it: /start for /help
	Access  Access
	Options []Option
	// Anonymous commands (writing letters) never have their user logged:
	// writers are not tracked, not in the log either.
	Anonymous bool
	run       func(h *Handler, ctx context.Context, req Request, ch store.Channel) (Reply, error)
}

// commands is the command table, in help order. It is filled by init
// because /help, one of its entries, is written from it.
var commands []Command

func init() {
	commands = []Command{
		{Name: "case", run: (*Handler).cmdCase, Options: []Option{
			{Name: "query", Required: true, Autocomplete: true, MaxLength: 100, Rest: true}}},
		{Name: "cases", run: (*Handler).cmdCases, Options: []Option{
			// "[country] [page]": cmdCases reads a trailing number as the page.
			{Name: "country", Autocomplete: true, MaxLength: 60, Rest: true}}},
		{Name: "subscriptions", run: (*Handler).cmdSubscriptions},
		{Name: "subscribe", Access: Admins, run: (*Handler).cmdSubscribe, Options: []Option{
			{Name: "country", Required: true, Autocomplete: true, MaxLength: 60, Rest: true}}},
		{Name: "unsubscribe", Access: Admins, run: (*Handler).cmdUnsubscribe, Options: []Option{
			{Name: "country", Required: true, Autocomplete: true, MaxLength: 60, Rest: true}}},
		// Settings words come in any order: cmdSettings reads the four
		// options as one list of words, so a text command fills them in
		// turn and the last takes whatever is left ("images off").
		{Name: "settings", Access: Admins, run: (*Handler).cmdSettings, Options: []Option{
			{Name: "timezone", MaxLength: 64},
			{Name: "time", MaxLength: 5},
			{Name: "language", MaxLength: 2},
			{Name: "images", Rest: true, Choices: []string{"on", "off"}}}},
		{Name: "alert", Access: Editors, run: (*Handler).cmdAlert, Options: []Option{
			{Name: "case", Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "message", Required: true, MaxLength: MaxAlert, Rest: true}}},
		{Name: "retract", Access: Editors, run: (*Handler).cmdRetract, Options: []Option{
			{Name: "alert", Required: true, MaxLength: 20, Rest: true}}},
		{Name: "write", Anonymous: true, run: (*Handler).cmdWrite, Options: []Option{
			{Name: "country", Autocomplete: true, MaxLength: 60, Rest: true}}},
		{Name: "wrote", Anonymous: true, run: (*Handler).cmdWrote, Options: []Option{
			{Name: "case", Required: true, Autocomplete: true, MaxLength: 100, Rest: true}}},
		{Name: "help", Aliases: []string{"start"}, run: (*Handler).cmdHelp},
	}
}

// Commands returns the chat commands, in help order, for platforms to
// register.
func Commands() []Command { return slices.Clone(commands) }

// CommandNames returns the names of the chat commands, in help order.
func CommandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.Name
	}
	return names
}

// LookupCommand returns the command called name, by its name or an alias.
func LookupCommand(name string) (Command, bool) {
	for _, c := range commands {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			return c, true
		}
	}
	return Command{}, false
}

// LogUser returns user for a log line about command, or "" when the
// command is Anonymous: who writes to whom is never recorded.
func LogUser(command, user string) string {
	if c, ok := LookupCommand(command); ok && c.Anonymous {
		return ""
	}
	return user
}

// key returns the i18n key of the command table's message named by parts.
func key(parts ...string) string {
	return strings.Join(parts, ".")
}

// Description returns what the command does, in lang: "a person's
// profile card and how to help".
func (c Command) Description(lang string) string { return i18n.T(lang, key("cmd", c.Name)) }

// Usage returns the command's arguments as help shows them, in lang:
// "<name>"; empty for a command without options.
func (c Command) Usage(lang string) string {
	if len(c.Options) == 0 {
		return ""
	}
	return i18n.T(lang, key("cmd", c.Name, "usage"))
}

// OptionDescription returns the description of the command's option, in
// lang.
func (c Command) OptionDescription(lang, option string) string {
	return i18n.T(lang, key("cmd", c.Name, option))
}

// Summary returns the command's description with who may use it, in
// lang, for command menus: "(admins) stop them".
func (c Command) Summary(lang string) string {
	switch c.Access {
	case Admins:
		return i18n.T(lang, "help.admins") + " " + c.Description(lang)
	case Editors:
		return i18n.T(lang, "help.editors") + " " + c.Description(lang)
	}
	return c.Description(lang)
}

// Help returns the /help text in lang: what vigil does, then one line per
// command.
func Help(lang string) string {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "help.intro"))
	b.WriteString("\n")
	for _, c := range commands {
		b.WriteString("\n/" + c.Name)
		if u := c.Usage(lang); u != "" {
			b.WriteString(" " + u)
		}
		b.WriteString(" " + i18n.T(lang, "help.sep") + " " + c.Summary(lang))
	}
	return b.String()
}

// ParseOptions turns the words after a text command into its named
// options, as the command table orders them: each option takes one word,
// and an option marked Rest the rest of the text. "/alert amira Free her
// now" gives case "amira" and message "Free her now". Words beyond the
// options are dropped; an unknown command has no options.
func ParseOptions(command, text string) map[string]string {
	opts := map[string]string{}
	c, ok := LookupCommand(command)
	if !ok {
		return opts
	}
	text = strings.TrimSpace(text)
	for _, o := range c.Options {
		if text == "" {
			break
		}
		if o.Rest {
			opts[o.Name] = text
			break
		}
		word, rest := text, ""
		if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
			word, rest = text[:i], strings.TrimSpace(text[i:])
		}
		opts[o.Name] = word
		text = rest
	}
	return opts
}

// allowed checks that the requester may use c and returns the refusal if
// not: a refusal changes nothing and says why.
func (h *Handler) allowed(ctx context.Context, c Command, req Request, lang string) (refusal Reply, ok bool) {
	switch c.Access {
	case Admins:
		ok := req.Operator || req.Private
		if !ok && req.IsAdmin != nil {
			var err error
			ok, err = req.IsAdmin(ctx)
			if err != nil {
				h.Log.Warn("admin check failed", "platform", req.Platform, "chat", req.Chat, "user", req.User, "err", err)
				return Reply{Text: i18n.T(lang, "reply.admin_check_failed"), Private: true}, false
			}
		}
		if !ok {
			h.Log.Info("refused: not an admin", "platform", req.Platform, "chat", req.Chat, "user", req.User, "command", req.Command)
			return Reply{Text: i18n.T(lang, "reply.admins_only"), Private: true}, false
		}
	case Editors:
		if !h.isEditor(req) {
			h.Log.Info("refused: not an editor", "platform", req.Platform, "chat", req.Chat, "user", req.User)
			return Reply{Text: i18n.T(lang, "reply.editors_only"), Private: true}, false
		}
	}
	return Reply{}, true
}

func (h *Handler) cmdHelp(_ context.Context, _ Request, ch store.Channel) (Reply, error) {
	return Reply{Text: Help(ch.Language)}, nil
}
