package yaqaza

// Place is an entry of a jurisdiction's gazetteer: a neighbourhood, square,
// street or landmark that people name in reports, with the zone it lies in
// when known and a representative point when known.
type Place struct {
	// Name is the usual name, as a resident would write it.
	Name string `json:"name"`
	// Names in the console languages, when they differ from Name.
	Names Names `json:"names,omitempty"`
	// Aliases are other spellings: Arabic and Latin script, with and
	// without spaces or articles ("Ben Souda", "Bensouda", "بنسودة").
	Aliases []string `json:"aliases,omitempty"`
	// Zone is the code of the zone the place lies in; empty when the place
	// is known only at city level.
	Zone string `json:"zone,omitempty"`
	// Point is a representative position, when known.
	Point *Point `json:"point,omitempty"`
	// CommonWord marks a name that is also an ordinary word ("الأمل" is
	// hope, "Atlas" a mountain range): it counts as a place only after a
	// cue such as "حي", "hay", "quartier", "derb", "rue".
	CommonWord bool `json:"common_word,omitempty"`
}
