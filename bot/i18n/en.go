package i18n

var en = map[Key]string{
	"months":     "January,February,March,April,May,June,July,August,September,October,November,December",
	"date.month": "%[1]s %[2]d",
	"date.day":   "%[1]d %[2]s %[3]d",
	"list.sep":   ", ",

	"status.detained":    "detained",
	"status.imprisoned":  "imprisoned",
	"status.released":    "released",
	"status.exiled":      "in exile",
	"status.disappeared": "disappeared",
	"status.deceased":    "deceased",

	"action.petition": "Petition",
	"action.letter":   "Letter",
	"action.email":    "Email",
	"action.call":     "Call",
	"action.share":    "Share",
	"action.donate":   "Donate",
	"action.read":     "Read",

	// Card.
	"card.status":         "%[1]s (as of %[2]s)",
	"card.affiliation":    "Affiliation",
	"card.arrested":       "Arrested",
	"card.sentenced":      "Sentenced",
	"card.sentence":       "Sentence",
	"card.charges":        "Charges",
	"card.born":           "Born",
	"card.hunger_strikes": "Hunger strikes",
	"card.strike.days":    "from %[1]s, %[2]d days",
	"card.strike.ended":   "from %[1]s to %[2]s",
	"card.strike.ongoing": "ongoing since %[1]s (day %[2]d)",
	"card.strike.since":   "ongoing since %[1]s",
	"card.photo":          "Photo",
	"card.sources":        "Sources",
	"card.actions":        "Take action",
	"card.summary_lang":   "(summary in %[1]s)",
	"card.stale":          "This record was last confirmed %[1]s and may be out of date.",

	// Replies.
	"reply.no_match":           "No case matches “%[1]s”. Try /cases to list the cases.",
	"reply.pick":               "Several cases match “%[1]s”. Which one?",
	"reply.case_usage":         "Usage: /case <name> — for example /case rustamov",
	"reply.cases_header":       "Cases in %[1]s (%[2]d):",
	"reply.cases_all":          "All cases (%[1]d):",
	"reply.cases_page":         "Page %[1]d of %[2]d — %[3]s for more.",
	"reply.cases_none":         "No cases for %[1]s.",
	"reply.cases_none_all":     "No cases yet.",
	"reply.cases_which":        "This channel follows no country yet. Try /cases <country>, e.g. /cases AZ.",
	"reply.unknown_country":    "“%[1]s” is not a country I know. Use an ISO code (AZ, AZE) or a name (Azerbaijan).",
	"reply.subscribe_usage":    "Usage: /subscribe <country> — for example /subscribe Azerbaijan",
	"reply.subscribed":         "This channel now gets posts and alerts about %[1]s, at %[2]s %[3]s.",
	"reply.already":            "This channel already follows %[1]s.",
	"reply.unsubscribe_usage":  "Usage: /unsubscribe <country or all>",
	"reply.unsubscribed":       "This channel no longer follows %[1]s.",
	"reply.unsubscribed_all":   "This channel no longer follows any country (%[1]d removed).",
	"reply.not_subscribed":     "This channel does not follow %[1]s.",
	"reply.subs_none":          "This channel follows no country. An admin can use /subscribe <country>.",
	"reply.subs":               "This channel follows: %[1]s.\nTime zone %[2]s, posts at %[3]s, language %[4]s.",
	"reply.subs_paused":        "Deliveries are paused: %[1]s (since %[2]s).",
	"reply.settings_usage":     "Usage: /settings [time zone] [HH:MM] [language] — for example /settings Europe/Berlin 09:30 de",
	"reply.settings_bad":       "I do not understand “%[1]s”: a time is HH:MM, a time zone an IANA name such as Europe/Berlin or UTC, a language a two-letter code such as en or de.",
	"reply.settings":           "Settings of this channel: time zone %[1]s, posts at %[2]s, language %[3]s.",
	"reply.alert_usage":        "Usage: /alert <case> <message>",
	"reply.alert_ambiguous":    "“%[1]s” matches several cases (%[2]s). Use the case id.",
	"reply.alert_queued":       "Alert about %[1]s queued for %[2]d channel(s) following %[3]s.",
	"reply.admins_only":        "Only the admins of this channel may do that.",
	"reply.editors_only":       "Only editors may send alerts.",
	"reply.admin_check_failed": "I could not check your permissions here, so I changed nothing. Please try again.",
	"reply.unknown_command":    "Unknown command /%[1]s. Try /help.",
	"reply.error":              "Something went wrong on my side; nothing was changed. Please try again later.",
	"reply.too_long":           "That message is too long (at most %[1]d characters).",

	"help": `vigil keeps track of prisoners of conscience and reminds this channel of them.

/case <name> — a person's profile card and how to help
/cases [country] — the cases of a country, or of this channel's countries
/subscriptions — what this channel follows and when it gets posts
/subscribe <country> — (admins) posts and alerts about that country come here
/unsubscribe <country or all> — (admins) stop them
/settings [time zone] [HH:MM] [language] — (admins) when and in which language posts come
/alert <case> <message> — (editors) an urgent alert to every channel following the case's country
/help — this text`,

	// Posts.
	"post.alert":                    "URGENT: %[1]s",
	"post.status_change":            "Status update: %[1]s is now %[2]s (was %[3]s).",
	"post.hunger_strike_day":        "Day %[2]d of %[1]s's hunger strike.",
	"post.arrest_anniversary":       "%[1]s was arrested %[2]d years ago today.",
	"post.arrest_anniversary.one":   "%[1]s was arrested one year ago today.",
	"post.sentence_anniversary":     "%[1]s was sentenced %[2]d years ago today.",
	"post.sentence_anniversary.one": "%[1]s was sentenced one year ago today.",
	"post.detention_milestone":      "%[1]s has been in detention for %[2]d days.",
	"post.birthday":                 "%[1]s turns %[2]d today, in detention.",
	"post.digest":                   "Also today:",
}
