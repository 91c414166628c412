package yaqaza

// Lexicon is a jurisdiction's triage vocabulary: the words that mark each
// category of incident and the cues that change urgency, in Arabic, Darija
// (both scripts), French and English. It is part of the pack and editable.
type Lexicon struct {
	Categories map[string]LexiconTerms `json:"categories"`
	// Cues are lists of words by cue: weapon_blade, weapon_firearm,
	// injury, child, in_progress, negation, not_police.
	Cues          map[string][]string `json:"cues"`
	DarijaMarkers struct {
		ArabicScript []string `json:"arabic_script"`
		LatinScript  []string `json:"latin_script"`
	} `json:"darija_markers"`
}

// LexiconTerms are the words of one category.
type LexiconTerms struct {
	Terms []string `json:"terms"`
}

// Cue names the lexicon knows.
const (
	CueBlade      = "weapon_blade"
	CueFirearm    = "weapon_firearm"
	CueInjury     = "injury"
	CueChild      = "child"
	CueInProgress = "in_progress"
	CueNegation   = "negation"
	CueNotPolice  = "not_police"
)
