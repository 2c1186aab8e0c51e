package i18n

var de = map[Key]string{
	"months":     "Januar,Februar,März,April,Mai,Juni,Juli,August,September,Oktober,November,Dezember",
	"date.month": "%[1]s %[2]d",
	"date.day":   "%[1]d. %[2]s %[3]d",
	"list.sep":   ", ",

	"status.detained":    "in Haft",
	"status.imprisoned":  "inhaftiert",
	"status.released":    "freigelassen",
	"status.exiled":      "im Exil",
	"status.disappeared": "verschwunden",
	"status.deceased":    "verstorben",

	"action.petition": "Petition",
	"action.letter":   "Brief",
	"action.email":    "E-Mail",
	"action.call":     "Anruf",
	"action.share":    "Teilen",
	"action.donate":   "Spenden",
	"action.read":     "Lesen",

	"card.status":         "%[1]s (Stand: %[2]s)",
	"card.affiliation":    "Zugehörigkeit",
	"card.arrested":       "Festgenommen",
	"card.sentenced":      "Verurteilt",
	"card.sentence":       "Strafe",
	"card.charges":        "Anklagepunkte",
	"card.born":           "Geboren",
	"card.hunger_strikes": "Hungerstreiks",
	"card.strike.days":    "ab %[1]s, %[2]d Tage",
	"card.strike.ended":   "von %[1]s bis %[2]s",
	"card.strike.ongoing": "seit %[1]s (Tag %[2]d)",
	"card.strike.since":   "seit %[1]s",
	"card.photo":          "Foto",
	"card.sources":        "Quellen",
	"card.actions":        "Jetzt handeln",
	"card.summary_lang":   "(Zusammenfassung auf %[1]s)",
	"card.stale":          "Dieser Eintrag wurde zuletzt %[1]s bestätigt und ist möglicherweise veraltet.",

	"reply.no_match":           "Kein Fall passt zu „%[1]s“. Mit /cases siehst du alle Fälle.",
	"reply.pick":               "Mehrere Fälle passen zu „%[1]s“. Welcher ist gemeint?",
	"reply.case_usage":         "Aufruf: /case <Name> – zum Beispiel /case rustamov",
	"reply.cases_header":       "Fälle in %[1]s (%[2]d):",
	"reply.cases_all":          "Alle Fälle (%[1]d):",
	"reply.cases_page":         "Seite %[1]d von %[2]d – %[3]s für mehr.",
	"reply.cases_none":         "Keine Fälle für %[1]s.",
	"reply.cases_none_all":     "Noch keine Fälle.",
	"reply.cases_which":        "Dieser Kanal folgt noch keinem Land. Versuche /cases <Land>, z. B. /cases AZ.",
	"reply.unknown_country":    "„%[1]s“ ist kein Land, das ich kenne. Nutze einen ISO-Code (AZ, AZE) oder einen Namen (Aserbaidschan).",
	"reply.subscribe_usage":    "Aufruf: /subscribe <Land> – zum Beispiel /subscribe Aserbaidschan",
	"reply.subscribed":         "Dieser Kanal erhält jetzt Beiträge und Eilmeldungen zu %[1]s, um %[2]s %[3]s.",
	"reply.already":            "Dieser Kanal folgt %[1]s bereits.",
	"reply.unsubscribe_usage":  "Aufruf: /unsubscribe <Land oder all>",
	"reply.unsubscribed":       "Dieser Kanal folgt %[1]s nicht mehr.",
	"reply.unsubscribed_all":   "Dieser Kanal folgt keinem Land mehr (%[1]d entfernt).",
	"reply.not_subscribed":     "Dieser Kanal folgt %[1]s nicht.",
	"reply.subs_none":          "Dieser Kanal folgt keinem Land. Admins können /subscribe <Land> nutzen.",
	"reply.subs":               "Dieser Kanal folgt: %[1]s.\nZeitzone %[2]s, Beiträge um %[3]s, Sprache %[4]s.",
	"reply.subs_paused":        "Zustellungen sind pausiert: %[1]s (seit %[2]s).",
	"reply.settings_usage":     "Aufruf: /settings [Zeitzone] [HH:MM] [Sprache] – zum Beispiel /settings Europe/Berlin 09:30 de",
	"reply.settings_bad":       "„%[1]s“ verstehe ich nicht: eine Uhrzeit ist HH:MM, eine Zeitzone ein IANA-Name wie Europe/Berlin oder UTC, eine Sprache ein Code aus zwei Buchstaben wie en oder de.",
	"reply.settings":           "Einstellungen dieses Kanals: Zeitzone %[1]s, Beiträge um %[2]s, Sprache %[3]s.",
	"reply.alert_usage":        "Aufruf: /alert <Fall> <Nachricht>",
	"reply.alert_ambiguous":    "„%[1]s“ passt zu mehreren Fällen (%[2]s). Nutze die Fall-ID.",
	"reply.alert_queued":       "Eilmeldung zu %[1]s für %[2]d Kanal/Kanäle vorgemerkt, die %[3]s folgen.",
	"reply.admins_only":        "Das dürfen nur die Admins dieses Kanals.",
	"reply.editors_only":       "Eilmeldungen dürfen nur Redakteure senden.",
	"reply.admin_check_failed": "Ich konnte deine Berechtigungen hier nicht prüfen und habe nichts geändert. Bitte versuche es noch einmal.",
	"reply.unknown_command":    "Unbekannter Befehl /%[1]s. Versuche /help.",
	"reply.error":              "Bei mir ist etwas schiefgegangen; nichts wurde geändert. Bitte versuche es später noch einmal.",
	"reply.too_long":           "Diese Nachricht ist zu lang (höchstens %[1]d Zeichen).",

	"help": `vigil begleitet gewaltlose politische Gefangene und erinnert diesen Kanal an sie.

/case <Name> – das Profil einer Person und wie man helfen kann
/cases [Land] – die Fälle eines Landes oder der Länder dieses Kanals
/subscriptions – was dieser Kanal verfolgt und wann Beiträge kommen
/subscribe <Land> – (Admins) Beiträge und Eilmeldungen zu diesem Land kommen hierher
/unsubscribe <Land oder all> – (Admins) beendet sie
/settings [Zeitzone] [HH:MM] [Sprache] – (Admins) wann und in welcher Sprache Beiträge kommen
/alert <Fall> <Nachricht> – (Redakteure) eine Eilmeldung an alle Kanäle, die dem Land des Falls folgen
/help – dieser Text`,

	"post.alert":                    "EILMELDUNG: %[1]s",
	"post.status_change":            "Neuer Stand: %[1]s ist jetzt %[2]s (vorher %[3]s).",
	"post.hunger_strike_day":        "Tag %[2]d des Hungerstreiks von %[1]s.",
	"post.arrest_anniversary":       "Heute vor %[2]d Jahren wurde %[1]s festgenommen.",
	"post.arrest_anniversary.one":   "Heute vor einem Jahr wurde %[1]s festgenommen.",
	"post.sentence_anniversary":     "Heute vor %[2]d Jahren wurde %[1]s verurteilt.",
	"post.sentence_anniversary.one": "Heute vor einem Jahr wurde %[1]s verurteilt.",
	"post.detention_milestone":      "%[1]s ist seit %[2]d Tagen in Haft.",
	"post.birthday":                 "%[1]s wird heute %[2]d – in Haft.",
	"post.digest":                   "Außerdem heute:",
}
