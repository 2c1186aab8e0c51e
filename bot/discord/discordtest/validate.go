package discordtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Message is a message as the fake received it: posted to a channel, sent
// as an interaction response, an edit of one, or a follow-up.
type Message struct {
	ID              string           `json:"id"`
	ChannelID       string           `json:"channel_id"`
	Content         string           `json:"content"`
	Flags           int              `json:"flags"`
	Embeds          []Embed          `json:"embeds"`
	Components      []Component      `json:"components"`
	AllowedMentions *AllowedMentions `json:"allowed_mentions"`
	// MessageReference makes the message a reply.
	MessageReference *MessageReference `json:"message_reference,omitempty"`
	// Raw is the request body as sent (for an edited message, the first
	// one's).
	Raw json.RawMessage `json:"-"`
	// Edits counts the accepted edits; Deleted is set once it is deleted.
	Edits   int  `json:"-"`
	Deleted bool `json:"-"`
	// Attachments are the message's files, as uploaded (and kept by
	// edits).
	Attachments []Attachment `json:"-"`
}

// MessageReference is what a reply answers.
type MessageReference struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// Ephemeral reports whether only the requester sees the message.
func (m Message) Ephemeral() bool { return m.Flags&64 != 0 }

// Embed is a message embed.
type Embed struct {
	Title       string       `json:"title"`
	Description string       `json:"description"`
	URL         string       `json:"url"`
	Fields      []EmbedField `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
	Thumbnail *struct {
		URL string `json:"url"`
	} `json:"thumbnail"`
	Image *struct {
		URL string `json:"url"`
	} `json:"image"`
}

// EmbedField is one field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// Total is the embed's length as Discord counts it towards 6000.
func (e Embed) Total() int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// Component is a message component: an action row (type 1) holding
// buttons (type 2).
type Component struct {
	Type       int         `json:"type"`
	Components []Component `json:"components"`
	Style      int         `json:"style"`
	Label      string      `json:"label"`
	URL        string      `json:"url"`
	CustomID   string      `json:"custom_id"`
}

// Buttons returns every button of the message, row by row.
func (m Message) Buttons() []Component {
	var out []Component
	for _, row := range m.Components {
		out = append(out, row.Components...)
	}
	return out
}

// AllowedMentions is a message's allowed_mentions.
type AllowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users"`
	Roles []string `json:"roles"`
}

// Choice is one autocomplete choice.
type Choice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// formErrors collects what Discord would report with code 50035.
type formErrors []string

func (f *formErrors) add(format string, args ...any) { *f = append(*f, fmt.Sprintf(format, args...)) }

// CheckMessage validates a message body (channel message, interaction
// response data, webhook edit or follow-up) against Discord's limits and
// returns what Discord would refuse with 400 code 50035, or nil.
func CheckMessage(body []byte) error {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	var errs formErrors
	checkMessage(&m, &errs)
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func checkMessage(m *Message, errs *formErrors) {
	if n := runes(m.Content); n > 2000 {
		errs.add("content: must be 2000 or fewer in length (%d)", n)
	}
	if len(m.Embeds) > 10 {
		errs.add("embeds: must be 10 or fewer in length")
	}
	total := 0
	for i, e := range m.Embeds {
		p := fmt.Sprintf("embeds.%d", i)
		if n := runes(e.Title); n > 256 {
			errs.add("%s.title: must be 256 or fewer in length (%d)", p, n)
		}
		if n := runes(e.Description); n > 4096 {
			errs.add("%s.description: must be 4096 or fewer in length (%d)", p, n)
		}
		if len(e.Fields) > 25 {
			errs.add("%s.fields: must be 25 or fewer in length", p)
		}
		for j, f := range e.Fields {
			if n := runes(f.Name); n == 0 || n > 256 {
				errs.add("%s.fields.%d.name: must be between 1 and 256 in length (%d)", p, j, n)
			}
			if n := runes(f.Value); n == 0 || n > 1024 {
				errs.add("%s.fields.%d.value: must be between 1 and 1024 in length (%d)", p, j, n)
			}
		}
		if e.Footer != nil && runes(e.Footer.Text) > 2048 {
			errs.add("%s.footer.text: must be 2048 or fewer in length", p)
		}
		if e.Author != nil && runes(e.Author.Name) > 256 {
			errs.add("%s.author.name: must be 256 or fewer in length", p)
		}
		if e.Thumbnail != nil && !validURL(e.Thumbnail.URL, 2048, "http", "https", "attachment") {
			errs.add("%s.thumbnail.url: Not a well formed URL", p)
		}
		if e.Image != nil && !validURL(e.Image.URL, 2048, "http", "https", "attachment") {
			errs.add("%s.image.url: Not a well formed URL", p)
		}
		total += e.Total()
	}
	if total > 6000 {
		errs.add("embeds: Embed size exceeds maximum size of 6000 (%d)", total)
	}
	if len(m.Components) > 5 {
		errs.add("components: must be 5 or fewer in length")
	}
	ids := map[string]bool{}
	for i, row := range m.Components {
		p := fmt.Sprintf("components.%d", i)
		if row.Type != 1 {
			errs.add("%s.type: top-level components must be action rows", p)
			continue
		}
		if n := len(row.Components); n == 0 || n > 5 {
			errs.add("%s.components: must be between 1 and 5 in length", p)
		}
		for j, b := range row.Components {
			q := fmt.Sprintf("%s.components.%d", p, j)
			if b.Type != 2 {
				errs.add("%s.type: only buttons are checked by this fake", q)
				continue
			}
			if n := runes(b.Label); n > 80 {
				errs.add("%s.label: must be 80 or fewer in length (%d)", q, n)
			}
			switch {
			case b.Style == 5:
				if !validURL(b.URL, 512, "http", "https", "discord") {
					errs.add("%s.url: link buttons need a well formed URL of 512 or fewer", q)
				}
				if b.CustomID != "" {
					errs.add("%s.custom_id: link buttons cannot have a custom_id", q)
				}
			case b.Style >= 1 && b.Style <= 4:
				if n := len(b.CustomID); n == 0 || n > 100 {
					errs.add("%s.custom_id: must be between 1 and 100 in length", q)
				}
				if b.URL != "" {
					errs.add("%s.url: only link buttons have a URL", q)
				}
				if ids[b.CustomID] {
					errs.add("%s.custom_id: component custom id cannot be duplicated", q)
				}
				ids[b.CustomID] = true
			default:
				errs.add("%s.style: invalid button style %d", q, b.Style)
			}
		}
	}
	if m.AllowedMentions != nil {
		for _, p := range m.AllowedMentions.Parse {
			if p != "roles" && p != "users" && p != "everyone" {
				errs.add("allowed_mentions.parse: invalid value %q", p)
			}
		}
	}
	if m.Flags&^(4|64|4096) != 0 {
		errs.add("flags: invalid flags %d", m.Flags)
	}
}

func validURL(u string, max int, schemes ...string) bool {
	if u == "" || len(u) > max {
		return false
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	for _, s := range schemes {
		if p.Scheme == s && (p.Host != "" || s == "attachment") {
			return true
		}
	}
	return false
}

// commandName is Discord's rule for command and option names (simplified
// to lower case letters of any script, digits, - and _).
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// knownLocales are the locales Discord accepts in localization maps.
var knownLocales = map[string]bool{"id": true, "da": true, "de": true, "en-GB": true, "en-US": true, "es-ES": true,
	"es-419": true, "fr": true, "hr": true, "it": true, "lt": true, "hu": true, "nl": true, "no": true, "pl": true,
	"pt-BR": true, "ro": true, "fi": true, "sv-SE": true, "vi": true, "tr": true, "cs": true, "el": true, "bg": true,
	"ru": true, "uk": true, "hi": true, "th": true, "zh-CN": true, "ja": true, "zh-TW": true, "ko": true}

// Command is an application command as registered with the fake.
type Command struct {
	ID                       string            `json:"id"`
	ApplicationID            string            `json:"application_id"`
	GuildID                  string            `json:"guild_id,omitempty"`
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	DefaultMemberPermissions *string           `json:"default_member_permissions"`
	Options                  []CommandOption   `json:"options"`
}

// CommandOption is an option of a Command.
type CommandOption struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	Required                 bool              `json:"required"`
	Autocomplete             bool              `json:"autocomplete"`
	Choices                  []Choice          `json:"choices"`
	MaxLength                int               `json:"max_length"`
}

func checkLocalized(p string, names map[string]string, min, max int, name bool, errs *formErrors) {
	for loc, v := range names {
		if !knownLocales[loc] {
			errs.add("%s: invalid locale %q", p, loc)
		}
		if n := runes(v); n < min || n > max || (name && !commandName.MatchString(v)) {
			errs.add("%s.%s: invalid value %q", p, loc, v)
		}
	}
}

func checkCommands(cmds []Command) error {
	var errs formErrors
	if len(cmds) > 100 {
		errs.add("commands: must be 100 or fewer")
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		p := fmt.Sprintf("%d", i)
		if c.Type == 0 {
			c.Type = 1
		}
		if !commandName.MatchString(c.Name) {
			errs.add("%s.name: invalid command name %q", p, c.Name)
		}
		if seen[c.Name] {
			errs.add("%s.name: duplicate command name %q", p, c.Name)
		}
		seen[c.Name] = true
		if n := runes(c.Description); c.Type == 1 && (n < 1 || n > 100) {
			errs.add("%s.description: must be between 1 and 100 in length", p)
		}
		checkLocalized(p+".name_localizations", c.NameLocalizations, 1, 32, true, &errs)
		checkLocalized(p+".description_localizations", c.DescriptionLocalizations, 1, 100, false, &errs)
		if c.DefaultMemberPermissions != nil && strings.Trim(*c.DefaultMemberPermissions, "0123456789") != "" {
			errs.add("%s.default_member_permissions: not a permission bit field", p)
		}
		if len(c.Options) > 25 {
			errs.add("%s.options: must be 25 or fewer in length", p)
		}
		optional := false
		optNames := map[string]bool{}
		for j, o := range c.Options {
			q := fmt.Sprintf("%s.options.%d", p, j)
			if !commandName.MatchString(o.Name) || optNames[o.Name] {
				errs.add("%s.name: invalid or duplicate option name %q", q, o.Name)
			}
			optNames[o.Name] = true
			if n := runes(o.Description); n < 1 || n > 100 {
				errs.add("%s.description: must be between 1 and 100 in length", q)
			}
			checkLocalized(q+".name_localizations", o.NameLocalizations, 1, 32, true, &errs)
			checkLocalized(q+".description_localizations", o.DescriptionLocalizations, 1, 100, false, &errs)
			if o.Required && optional {
				errs.add("%s.required: required options must be placed before non-required options", q)
			}
			if !o.Required {
				optional = true
			}
			if o.Autocomplete && len(o.Choices) > 0 {
				errs.add("%s.autocomplete: cannot be set with choices", q)
			}
			if len(o.Choices) > 25 {
				errs.add("%s.choices: must be 25 or fewer in length", q)
			}
			if o.MaxLength < 0 || o.MaxLength > 6000 {
				errs.add("%s.max_length: must be between 0 and 6000", q)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// checkChoices validates an autocomplete result.
func checkChoices(choices []Choice) error {
	var errs formErrors
	if len(choices) > 25 {
		errs.add("data.choices: must be 25 or fewer in length (%d)", len(choices))
	}
	for i, c := range choices {
		if n := runes(c.Name); n < 1 || n > 100 {
			errs.add("data.choices.%d.name: must be between 1 and 100 in length", i)
		}
		if s, ok := c.Value.(string); ok && runes(s) > 100 {
			errs.add("data.choices.%d.value: must be 100 or fewer in length", i)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
